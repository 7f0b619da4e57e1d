from __future__ import annotations

from pathlib import Path

import pytest

from tutor.course.grading import is_correct, normalise, parse_number
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


@pytest.mark.parametrize(("answer", "expected"), [
    ("8", True), (" 8.0 ", True), ("7", False), ("", False),
    # forms a person writes
    ("eight", True), ("Eight.", True), ("8 legs", True), ("8x", True), ("8×", True),
    ("about 8", True), ("≈8", True), ("8,0", True),
    ("8 or 9", False), ("eighty", False), ("8 (I think 9)", False), ("88", False),
])
def test_numeric_short_answer(answer: str, expected: bool) -> None:
    assert is_correct(_step(0, "q-count"), answer) is expected


@pytest.mark.parametrize(("text", "value"), [
    ("4x", 4.0), ("4×", 4.0), ("4 X", 4.0), ("four", 4.0), ("four times", 4.0),
    ("1,000", 1000.0), ("12,345.5", 12345.5), ("1 000", 1000.0), ("0,37", 0.37),
    ("45 KB", 45.0), ("≈ 377 MB", 377.0), ("16 ms/token", 16.0), ("37%", 37.0),
    ("−3", -3.0), ("1e3", 1000.0), ("twenty", 20.0), ("half", 0.5),
    ("4 or 5", None), ("inf", None), ("nan", None), ("x", None), ("4 5", None),
])
def test_parse_number_reads_what_people_write(text: str, value: float | None) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(("answer", "expected"), [("Blue", True), ("sky   BLUE.", True),
                                                  ("green", False)])
def test_text_short_answer(answer: str, expected: bool) -> None:
    assert is_correct(_step(1, "q-word"), answer) is expected
