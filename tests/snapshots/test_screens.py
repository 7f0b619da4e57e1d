"""SVG snapshots of the main screens (update with `pytest tests/snapshots --snapshot-update`)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tutor.app.app import TutorApp
from tutor.course.progress import LEARNER_ID, ProgressStore
from tutor.settings import Settings


def _app() -> TutorApp:
    return TutorApp(load_model=False)


def test_course_map(snap_compare: Any) -> None:
    store = ProgressStore.open(Settings.load().progress_path)
    store.record_position("first-steps", "q-primes", 2)
    store.record_answer("first-steps", "q-capital", "paris", True)
    store.close()
    assert snap_compare(_app(), terminal_size=(80, 24))


def test_course_map_light_wide(snap_compare: Any) -> None:
    store = ProgressStore.open(Settings.load().progress_path)
    store.set_setting("theme", "light")
    store.complete_lesson("second")
    store.close()
    assert snap_compare(_app(), terminal_size=(120, 30))


def test_read_step(snap_compare: Any) -> None:
    assert snap_compare(_app(), press=["enter"], terminal_size=(80, 24))


def test_quiz_answered_wrong(snap_compare: Any) -> None:
    # a fixed learner, so the shuffled order (Paris, Lyon for this one) is the same every run
    store = ProgressStore.open(Settings.load().progress_path)
    store.set_setting(LEARNER_ID, "snapshot")
    store.close()

    async def answer(pilot: Pilot[None]) -> None:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.click("#check")
        await pilot.pause()

    assert snap_compare(_app(), run_before=answer, terminal_size=(100, 30))


def test_panel_placeholder(snap_compare: Any) -> None:
    store = ProgressStore.open(Settings.load().progress_path)
    store.record_position("first-steps", "play", 4)
    store.close()
    assert snap_compare(_app(), press=["enter"], terminal_size=(80, 24))


def test_help(snap_compare: Any) -> None:
    assert snap_compare(_app(), press=["question_mark"], terminal_size=(100, 30))
