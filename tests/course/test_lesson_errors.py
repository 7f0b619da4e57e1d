"""The table of broken lesson files: each error names the file, the exact line:col and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.course.loader import load_course, load_lesson

BROKEN = Path(__file__).resolve().parent.parent / "fixtures" / "broken"
GOOD = Path(__file__).resolve().parent.parent / "fixtures" / "lessons"

# file -> every expected error as (line, col, field path, fragment of the message)
TABLE: dict[str, list[tuple[int, int, str, str]]] = {
    "syntax-error.yaml": [(3, 8, "(yaml)", "expected ',' or ']'")],
    "duplicate-key.yaml": [(3, 1, "title", 'duplicate key "title"')],
    "nested-duplicate-key.yaml": [(11, 5, "steps[0].body", 'duplicate key "body"')],
    "empty.yaml": [(1, 1, "(file)", "the lesson file is empty")],
    "not-a-mapping.yaml": [(1, 1, "(file)", "must be a mapping")],
    "unknown-field.yaml": [
        (8, 5, "steps[0].body", "missing required field"),
        (10, 5, "steps[0].bdoy", "unknown field (did you mean `body`?"),
    ],
    "unknown-choice-field.yaml": [
        (17, 9, "steps[0].choices[1].explanation", "missing required field"),
        (19, 9, "steps[0].choices[1].explantion", "did you mean `explanation`?"),
        (25, 50, "steps[1].check[0].vaule", "did you mean `value`?"),
    ],
    "wrong-type.yaml": [(5, 1, "minutes", "must be an integer, not a string")],
    "missing-field.yaml": [(1, 1, "summary", "missing required field")],
    "missing-step-field.yaml": [(11, 5, "steps[1].question", "missing required field")],
    "unknown-kind.yaml": [(9, 5, "steps[0].kind", "unknown kind 'video'; expected one of: read,")],
    "duplicate-step-id.yaml": [(11, 5, "steps[1].id", "duplicate step id 'intro'")],
    "two-correct.yaml": [
        (12, 5, "steps[0].choices", "a single-choice quiz needs exactly one correct choice, not 2"),
    ],
    "no-correct-multiple.yaml": [
        (12, 5, "steps[0].choices", "a multiple-choice quiz needs at least one correct choice"),
    ],
    "answer-no-choice.yaml": [(12, 5, "steps[0].answer", "answer 'c' refers to no choice")],
    "unknown-panel.yaml": [(10, 5, "steps[0].panel", "unknown panel 'tokeniser'")],
    # pydantic's `panel` tag is not the step's `panel` field (it was steps[1].panel.id)
    "panel-step-id-list.yaml": [
        (11, 5, "steps[1].id", "must be a string, not a list"),
        (16, 5, "steps[2].panel", "must be a string, not an integer"),
    ],
    "bad-input.yaml": [(13, 7, "steps[0].inputs.temperature", "must be a number, not a string")],
    "bad-rule-field.yaml": [
        (14, 10, "steps[0].check[1].field", "no result field 'tokens_count'"),
    ],
    "bad-numbers.yaml": [
        (13, 74, "steps[0].check[0].fial", "did you mean `fail`?"),
        (21, 5, "numbers[1].id", "duplicate number id 'top' (numbers[0] has it too)"),
        (23, 27, "numbers[1].inputs.temprature", "panel 'next-token' has no input 'temprature'"),
        (24, 5, "numbers[1].field", "a declared number needs a numeric field"),
        (28, 5, "numbers[2].panel", "unknown panel 'tokeniser'"),
        (36, 5, "numbers[3].tolerance", "must be at least 0"),
    ],
    "bad-lesson-id.yaml": [(1, 1, "id", "lowercase letters and digits joined by dashes")],
    "many-errors.yaml": [
        (5, 1, "minutes", "must be at most 120, not 500"),
        (11, 5, "steps[0].colour", "unknown field"),
        (16, 5, "steps[1].choices", "exactly one correct choice, not 0"),
    ],
}


def test_the_table_covers_every_broken_fixture() -> None:
    assert sorted(TABLE) == sorted(p.name for p in BROKEN.glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(TABLE))
def test_broken_lesson_reports_file_line_col_and_field(name: str) -> None:
    entry = load_lesson(BROKEN / name)
    assert entry.lesson is None
    got = [(e.line, e.col, e.field) for e in entry.errors]
    assert got == [(line, col, field) for line, col, field, _ in TABLE[name]]
    for error, (line, col, field, fragment) in zip(entry.errors, TABLE[name], strict=True):
        text = str(error)
        # gcc style, one line: path:line:col: field: message
        assert "\n" not in text
        assert text.endswith(f"{name}:{line}:{col}: {field}: {error.message}")
        assert fragment in error.message


def test_valid_fixture_lessons_load_in_order() -> None:
    course = load_course(GOOD)
    assert course.all_errors == []
    assert [lesson.id for lesson in course.lessons] == ["first-steps", "second"]
    first = course.lessons[0]
    assert [s.kind for s in first.steps] == ["read", "quiz", "quiz", "quiz", "panel", "task", "read"]
    assert first.references[0].year == 2017


def test_duplicate_lesson_ids_across_files(tmp_path: Path) -> None:
    text = (GOOD / "02-second.yaml").read_text()
    (tmp_path / "01-a.yaml").write_text(text)
    (tmp_path / "02-b.yaml").write_text(text)
    course = load_course(tmp_path)
    assert len(course.lessons) == 1
    [error] = course.all_errors
    assert (error.path.name, error.line, error.col, error.field) == ("02-b.yaml", 1, 1, "id")
    assert "duplicate lesson id 'second' (also in" in error.message


def test_order_field_overrides_the_file_prefix(tmp_path: Path) -> None:
    text = (GOOD / "02-second.yaml").read_text()
    (tmp_path / "01-a.yaml").write_text(text.replace("id: second", "id: a\norder: 9"))
    (tmp_path / "02-b.yaml").write_text(text.replace("id: second", "id: b"))
    assert [lesson.id for lesson in load_course(tmp_path).lessons] == ["b", "a"]


def test_a_lesson_without_order_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "second.yaml"
    path.write_text((GOOD / "02-second.yaml").read_text())
    [error] = load_lesson(path).errors
    assert error.field == "(lesson)" and "no order" in error.message


def test_yaml_1_2_keeps_no_as_a_string(tmp_path: Path) -> None:
    text = (GOOD / "02-second.yaml").read_text().replace("[blue, sky blue]", "[no, off]")
    path = tmp_path / "01-x.yaml"
    path.write_text(text)
    lesson = load_lesson(path).lesson
    assert lesson is not None
    assert lesson.steps[1].answer.text == ["no", "off"]  # type: ignore[union-attr]


def test_a_string_is_not_coerced_to_a_number(tmp_path: Path) -> None:
    path = tmp_path / "01-x.yaml"
    path.write_text((GOOD / "02-second.yaml").read_text().replace("minutes: 3", 'minutes: "3"'))
    [error] = load_lesson(path).errors
    assert (error.line, error.field) == (6, "minutes")


def test_declared_numbers_load_with_their_panel_inputs() -> None:
    [number] = load_course(GOOD).lesson("second").numbers  # type: ignore[union-attr]
    assert (number.id, number.panel, number.inputs, number.field) == (
        "hello-tokens", "tokenizer", {"text": "Hello world"}, "token_count")
    assert (number.value, number.tolerance) == (2.0, 0.0)
