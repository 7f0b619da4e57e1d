"""`tutor check`: every error listed, non-zero exit; bad input is one line and status 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_check_lists_every_error_and_fails() -> None:
    result = CliRunner().invoke(main, ["check", str(FIXTURES / "broken")])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    n = len(list((FIXTURES / "broken").glob("*.yaml")))
    assert n >= 21
    # many-errors.yaml alone has three; every file has at least one
    assert sum("many-errors.yaml:" in line for line in lines) == 3
    assert {line.split(":")[0].rsplit("/", 1)[-1] for line in lines} == {
        p.name for p in (FIXTURES / "broken").glob("*.yaml")}
    assert f"errors in {n} of {n} lesson files" in result.stderr


def test_check_passes_on_valid_lessons() -> None:
    result = CliRunner().invoke(main, ["check", str(FIXTURES / "lessons")])
    assert result.exit_code == 0, result.output
    # no error and no warning: only the cue statistics
    assert result.stdout.startswith("cue statistics")
    assert not re.search(r"\.yaml:\d+:\d+:", result.stdout)


def _quiz(step_id: str, texts: list[str], right: int) -> str:
    choices = "".join(
        f"      - {{id: c{j}, text: '{t}', explanation: Because.{', correct: true' if j == right else ''}}}\n"
        for j, t in enumerate(texts))
    return (f"  - id: {step_id}\n    kind: quiz\n    type: single\n    question: Which?\n"
            f"    choices:\n{choices}")


def test_check_prints_cue_statistics_per_file_and_course(tmp_path: Path) -> None:
    head = "id: {id}\ntitle: T\nsummary: S.\nobjectives: [O.]\nminutes: 5\nsteps:\n"
    (tmp_path / "01-long.yaml").write_text(
        head.format(id="long")
        + _quiz("q1", ["the long and right one", "short", "tiny"], 0)
        + _quiz("q2", ["no", "the long and right one"], 1))
    (tmp_path / "02-fair.yaml").write_text(
        head.format(id="fair")
        + _quiz("q1", ["right", "a longer wrong choice"], 0)
        + _quiz("q2", ["a b", "All of the above", "c d e"], 2))
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.endswith("01-long.yaml: longest is right 2/2 (100%), first is right "
                             "1/2 (50%), 'of the above' 0") for line in lines)
    assert any(line.endswith("02-fair.yaml: longest is right 0/2 (0%), first is right "
                             "1/2 (50%), 'of the above' 1") for line in lines)
    assert "  all 2 lessons: longest is right 2/4 (50%), first is right 2/4 (50%), " \
           "'of the above' 1" in lines
    # the 'all of the above' choice is pointed at by file:line, and the share > 1/3 warned
    assert any("02-fair.yaml:" in line and "steps[1].choices[1].text: warning:" in line
               for line in lines)
    assert lines[-1].startswith("warning: the right answer is the longest choice in 50% of "
                                "choice questions (2 of 4)")

    (tmp_path / "01-long.yaml").unlink()
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert "longest choice in" not in result.stdout  # 0 of 2: within the bound


def test_check_defaults_to_the_lessons_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(FIXTURES / "broken_course"))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert [line.split(": ")[1] for line in result.stdout.splitlines()
                                                 if re.search(r"\.yaml:\d+:\d+:", line)] == [
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
    [line] = [x for x in result.stdout.splitlines() if ": warning:" in x]
    assert line.startswith(str(tmp_path / "01-regex.yaml") + ":")
    assert "`matches` rule should carry `pass` and `fail` sentences" in line
