"""The course's own words in Korean: a task rule's line for the learner (worded from the
panel's field description), and a lesson error, which keeps its file:line:col and field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tutor import i18n
from tutor.course.loader import load_lesson
from tutor.course.panels import PANELS
from tutor.course.rules import evaluate
from tutor.course.schema import Rule


@pytest.fixture
def korean() -> Iterator[None]:
    i18n.use("ko")
    yield
    i18n.use("en")


def _line(op: str, value: object, result: dict[str, object]) -> str:
    field = PANELS["tokenizer"].results["token_count"]
    [outcome] = evaluate([Rule(field="token_count", op=op, value=value)], result)  # type: ignore[arg-type]
    return outcome.describe(field.description)


def test_a_task_rule_reads_in_the_learners_language(korean: None) -> None:
    assert _line(">=", 5, {"token_count": 7}) == \
        "✓ 디코더 토큰 수(바이트 수준 BPE, 특수 토큰 제외): 5 이상"
    assert _line(">=", 5, {"token_count": 3}) == \
        "✗ 디코더 토큰 수(바이트 수준 BPE, 특수 토큰 제외): 5 이상이어야 합니다 (지금: 3)"
    i18n.use("en")
    assert _line(">=", 5, {"token_count": 3}) == ("✗ The number of decoder tokens (byte-level "
                                                  "BPE, special tokens excluded) should be at "
                                                  "least 5 (now: 3)")


def test_a_lesson_error_in_korean_keeps_its_position_and_field(korean: None,
                                                               tmp_path: Path) -> None:
    lesson = tmp_path / "01-x.yaml"
    lesson.write_text("id: x\ntitle: T\nsummary: S.\nobjectives: [O.]\nminutes: 500\n"
                      "steps:\n  - {id: a, kind: read, body: Hi.}\n", encoding="utf-8")
    [error] = load_lesson(lesson).errors
    assert (error.line, error.col, error.field) == (5, 1, "minutes")
    assert error.message == "120 이하여야 합니다. 지금은 500입니다"
    assert str(error).endswith("01-x.yaml:5:1: minutes: 120 이하여야 합니다. 지금은 500입니다")
