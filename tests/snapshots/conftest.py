"""Snapshots run on the fixture lessons, with no model load and no live panels, so the
screens are the same on every machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.app.widgets import steps
from tutor.course.progress import LEARNER_ID, ProgressStore

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(autouse=True)
def _snapshot_env(monkeypatch: pytest.MonkeyPatch, _isolated_data_dir: Path) -> None:
    # one learner id for every run: it seeds the order of quiz choices in the pictures
    store = ProgressStore.open()
    store.set_setting(LEARNER_ID, "snapshot-learner")
    store.close()
    monkeypatch.setenv("TUTOR_DECODER", "tiny-llama")
    monkeypatch.setenv("TUTOR_ENCODER", "tiny-bert")
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(FIXTURES / "lessons"))
    monkeypatch.setattr(steps, "panel_class", lambda panel_id: None)
