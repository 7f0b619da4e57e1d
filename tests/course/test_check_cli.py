"""`tutor check`: every error listed, non-zero exit; bad input is one line and status 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_check_lists_every_error_and_fails() -> None:
    result = CliRunner().invoke(main, ["check", str(FIXTURES / "broken")])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len([p for p in (FIXTURES / "broken").glob("*.yaml")]) == 21
    # many-errors.yaml alone has three; every file has at least one
    assert sum("many-errors.yaml:" in line for line in lines) == 3
    assert {line.split(":")[0].rsplit("/", 1)[-1] for line in lines} == {
        p.name for p in (FIXTURES / "broken").glob("*.yaml")}
    assert "error(s) in 21 of 21 lesson file(s)" in result.stderr


def test_check_passes_on_valid_lessons() -> None:
    result = CliRunner().invoke(main, ["check", str(FIXTURES / "lessons")])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_check_defaults_to_the_lessons_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(FIXTURES / "broken_course"))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert [line.split(": ")[1] for line in result.stdout.splitlines()] == [
        "steps[0].body", "steps[0].bdy"]


def test_check_a_missing_path_is_one_line_and_status_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "no such file or directory" in result.stderr


def test_check_warns_of_a_regex_rule_without_sentences(tmp_path: Path) -> None:
    lesson = (FIXTURES / "lessons" / "01-first-steps.yaml").read_text()
    lesson = lesson.replace('{field: word_count, op: "==", value: 1}',
                            "{field: text, op: matches, value: '^\\S+$'}")
    (tmp_path / "01-regex.yaml").write_text(lesson)
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.stdout.splitlines() if "warning:" in x]
    assert line.startswith(str(tmp_path / "01-regex.yaml") + ":")
    assert "`matches` rule should carry `pass` and `fail` sentences" in line
