"""Snapshots run on the fixture lessons, with no model load and no live panels, so the
screens are the same on every machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.app.widgets import steps

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(autouse=True)
def _snapshot_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_DECODER", "tiny-llama")
    monkeypatch.setenv("TUTOR_ENCODER", "tiny-bert")
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(FIXTURES / "lessons"))
    monkeypatch.setattr(steps, "panel_class", lambda panel_id: None)
