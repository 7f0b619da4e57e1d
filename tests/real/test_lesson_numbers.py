"""Every number a lesson declares (`numbers:`) is recomputed through its panel on the real
models: the panel is opened with the declared inputs, exactly as a lesson step would open
it, and its published field must lie within the tolerance of the value the text quotes.
A change of model, engine or tokenizer that makes a lesson wrong fails here.

Declarations with the same panel and inputs share one panel run, so the whole course costs
one panel per distinct input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.panels.harness import panel_result, shared_hub
from tutor.course.loader import load_course
from tutor.course.schema import NumberDecl

pytestmark = pytest.mark.real

LESSONS = Path(__file__).resolve().parents[2] / "lessons"

Group = tuple[str, str]  # panel id, its inputs as canonical JSON


def groups(lessons_dir: Path) -> dict[Group, list[tuple[str, NumberDecl]]]:
    """The declared numbers by (panel, inputs), each with the lesson that declares it."""
    out: dict[Group, list[tuple[str, NumberDecl]]] = {}
    for lesson in load_course(lessons_dir).lessons:
        for number in lesson.numbers:
            key = (number.panel, json.dumps(number.inputs, sort_keys=True, ensure_ascii=False))
            out.setdefault(key, []).append((lesson.id, number))
    return out


GROUPS = groups(LESSONS)


def mismatches(result: dict[str, Any], declared: list[tuple[str, NumberDecl]]) -> list[str]:
    """One line per declared number the result does not bear out."""
    out = []
    for lesson_id, number in declared:
        measured = result.get(number.field)
        ok = (isinstance(measured, int | float) and not isinstance(measured, bool)
              and abs(measured - number.value) <= number.tolerance + 1e-12)
        if not ok:
            out.append(f"lesson {lesson_id}, number {number.id}: expected {number.value:g} "
                       f"± {number.tolerance:g} ({number.panel}.{number.field}), measured "
                       f"{measured!r}")
    return out


def test_the_course_declares_numbers() -> None:
    assert sum(len(v) for v in GROUPS.values()) > 0


@pytest.mark.parametrize("group", list(GROUPS),
                         ids=[f"{p}:{i[:40]}" for p, i in GROUPS])
async def test_declared_numbers_hold_on_the_real_models(group: Group) -> None:
    panel_id, inputs = group
    result = await panel_result(panel_id, shared_hub("real"), json.loads(inputs))
    wrong = mismatches(result, GROUPS[group])
    assert not wrong, "\n".join(wrong)
