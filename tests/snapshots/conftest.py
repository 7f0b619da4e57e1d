"""Snapshots run on the fixture lessons, with no model load and no live panels, so the
screens are the same on every machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tutor.app.widgets import steps
from tutor.course.progress import LEARNER_ID, ProgressStore
from tutor.settings import Settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(autouse=True)
def _snapshot_env(monkeypatch: pytest.MonkeyPatch, _isolated_data_dir: Path) -> None:
    # one learner id for every run: it seeds the order of quiz choices in the pictures
    store = ProgressStore.open(Settings.load().progress_path)
    store.set_setting(LEARNER_ID, "snapshot-learner")
    store.close()
    monkeypatch.setenv("TUTOR_DECODER", "tiny-llama")
    monkeypatch.setenv("TUTOR_ENCODER", "tiny-bert")
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(FIXTURES / "lessons"))
    monkeypatch.setattr(steps, "panel_class", lambda panel_id: None)


def learner_on_step_three(answered_primes: bool = False) -> None:
    """A learner who got to step 3 of the first lesson and is reviewing step 1 (with the
    primes quiz of step 2 answered right, when asked)."""
    store = ProgressStore.open(Settings.load().progress_path)
    store.record_position("first-steps", "q-primes", 2)
    if answered_primes:
        store.record_answer("first-steps", "q-primes", ["two", "five"], True)
    store.record_position("first-steps", "intro", 0)
    store.close()


def compare_screen(snap_compare: Any, app: Any, action: Any, size: tuple[int, int]) -> bool:
    """The picture after `action`: keys to press (a list) or a Pilot coroutine."""
    if isinstance(action, list):
        return snap_compare(app, press=action, terminal_size=size)
    return snap_compare(app, run_before=action, terminal_size=size)
