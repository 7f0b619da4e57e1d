"""Shared test set-up: each test gets its own progress store; markers for the real tier."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tutor import i18n
from tutor.engine import MODELS
from tutor.engine.fetch import is_present


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("TUTOR_DATA_DIR", str(data))
    # the developer's own ~/.config/llm-tutor/config.toml must not change what tests see
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return data


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests expect English unless they ask for another language: a developer's Korean
    locale or TUTOR_LANG must not reach them, and a test that switched the process's
    language (a CLI run with --lang ko) must not leave it switched for the next test."""
    monkeypatch.delenv("TUTOR_LANG", raising=False)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if i18n.normalise(os.environ.get(name)) not in (None, i18n.DEFAULT):
            monkeypatch.setenv(name, "C.UTF-8")
    yield
    i18n.use(i18n.DEFAULT)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The real tier needs the fetched weights; `make test` fetches them first, so a skip
    # here only happens when someone runs pytest by hand without `tutor models fetch`.
    missing = [n for n in ("smollm2", "minilm") if not is_present(MODELS[n])]
    if not missing:
        return
    skip = pytest.mark.skip(reason=f"real weights missing ({', '.join(missing)}): "
                                   "run `tutor models fetch`")
    for item in items:
        if "real" in item.keywords:
            item.add_marker(skip)
