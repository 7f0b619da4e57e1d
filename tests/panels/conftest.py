"""Fixtures of the panel tests: the engine hubs, shared for the whole session."""

from __future__ import annotations

import pytest

from tests.panels.harness import shared_hub
from tutor.app.engines import EngineHub


@pytest.fixture
def tiny_hub() -> EngineHub:
    return shared_hub("tiny")


@pytest.fixture
def real_hub() -> EngineHub:
    return shared_hub("real")
