"""Korean SVG snapshots: the map, a read step and a quiz at the two sizes a learner meets
most (update with `pytest tests/snapshots/test_korean.py --snapshot-update`, then look at
the pictures: Hangul takes two cells, so a cut label or a torn column shows there first)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.snapshots.conftest import compare_screen, learner_on_step_three
from tutor import i18n
from tutor.app.app import TutorApp

SIZES = [(80, 24), (100, 30)]


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    i18n.use("en")  # the app switched the catalogs for the whole process


def _app() -> TutorApp:
    return TutorApp(load_model=False, language="ko")


async def _answered_quiz(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("n")
    await pilot.pause()
    await pilot.press("enter")  # the first choice shown, Lyon for this learner: wrong, so
    await pilot.click("#check")  # the longer verdict and both explanations are in the picture
    await pilot.pause()


SCREENS: dict[str, Any] = {"map": None, "read": ["enter"], "quiz": _answered_quiz}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_korean_screen(snap_compare: Any, screen: str, size: tuple[int, int]) -> None:
    learner_on_step_three(answered_primes=True)
    assert compare_screen(snap_compare, _app(), SCREENS[screen], size)
