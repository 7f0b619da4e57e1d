"""SVG snapshots of the main screens (update with `pytest tests/snapshots --snapshot-update`)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.snapshots.conftest import compare_screen, learner_on_step_three
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


# -- every screen at the sizes a learner meets: 80x24, 100x30 and 160x45 --------------------
SIZES = [(80, 24), (100, 30), (160, 45)]


async def _open_quiz(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("n")
    await pilot.pause()
    await pilot.press("down", "enter")
    await pilot.click("#check")
    await pilot.pause()


async def _typed_quiz(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await pilot.pause()
    for _ in range(3):
        await pilot.press("escape", "n")
        await pilot.pause()


async def _help_on_a_step(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("question_mark")
    await pilot.pause()


SCREENS: dict[str, Any] = {
    "map": None,
    "read": ["enter"],
    "quiz": _open_quiz,
    "typed-quiz": _typed_quiz,
    "help": _help_on_a_step,
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_at_size(snap_compare: Any, screen: str, size: tuple[int, int]) -> None:
    learner_on_step_three()
    assert compare_screen(snap_compare, _app(), SCREENS[screen], size)
