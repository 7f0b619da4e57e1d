from __future__ import annotations

from pathlib import Path

import pytest

from tutor.course.grading import is_correct, normalise
from tutor.course.loader import load_course

LESSON = load_course(Path(__file__).resolve().parent.parent / "fixtures" / "lessons").lessons


def _step(lesson: int, step_id: str):  # type: ignore[no-untyped-def]
    return LESSON[lesson].steps[LESSON[lesson].step_index(step_id)]  # type: ignore[index]


@pytest.mark.parametrize(("text", "expected"), [
    ("  Paris, France!  ", "paris, france"),
    ("SKY\t  blue", "sky blue"),
    ("“Blue.”", "blue"),
])
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_single_choice() -> None:
    quiz = _step(0, "q-capital")
    assert is_correct(quiz, "paris")
    assert not is_correct(quiz, "lyon")
    assert not is_correct(quiz, ["paris"])


def test_multiple_choice_needs_exactly_the_right_set() -> None:
    quiz = _step(0, "q-primes")
    assert is_correct(quiz, ["five", "two"])
    assert not is_correct(quiz, ["two"])
    assert not is_correct(quiz, ["two", "four", "five"])


@pytest.mark.parametrize(("answer", "expected"), [("8", True), (" 8.0 ", True), ("7", False),
                                                  ("eight", False), ("", False)])
def test_numeric_short_answer(answer: str, expected: bool) -> None:
    assert is_correct(_step(0, "q-count"), answer) is expected


@pytest.mark.parametrize(("answer", "expected"), [("Blue", True), ("sky   BLUE.", True),
                                                  ("green", False)])
def test_text_short_answer(answer: str, expected: bool) -> None:
    assert is_correct(_step(1, "q-word"), answer) is expected
