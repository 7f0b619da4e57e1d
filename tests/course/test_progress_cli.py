"""`tutor progress` (table and --json) and `tutor reset` with its confirmation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import main
from tutor.course.progress import ProgressStore
from tutor.settings import Settings

LESSONS = Path(__file__).resolve().parent.parent / "fixtures" / "lessons"


@pytest.fixture(autouse=True)
def _lessons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(LESSONS))


def _some_progress() -> None:
    store = ProgressStore.open(Settings.load().progress_path)
    store.record_position("first-steps", "q-primes", 2)
    store.record_answer("first-steps", "q-capital", "paris", True)
    store.record_answer("first-steps", "q-primes", ["two"], False)
    store.complete_lesson("second")
    store.close()


def test_progress_json() -> None:
    _some_progress()
    result = CliRunner().invoke(main, ["progress", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    first, second = data["lessons"]
    assert (first["id"], first["status"], first["step_id"], first["score"], first["quizzes"]) == (
        "first-steps", "in progress", "q-primes", 1, 3)
    assert second["status"] == "done"
    assert (data["done"], data["total"]) == (1, 2)


def test_progress_table() -> None:
    _some_progress()
    result = CliRunner().invoke(main, ["progress"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["first-steps", "in", "progress", "step", "3/7", "quiz", "1/3"]
    assert lines[1].split()[:2] == ["second", "done"]
    assert lines[-1] == "1/2 lessons done"


def test_data_dir_option(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "elsewhere"), "progress"])
    assert result.exit_code == 0
    assert (tmp_path / "elsewhere" / "progress.sqlite3").exists()


def test_reset_asks_first_and_can_be_declined() -> None:
    _some_progress()
    result = CliRunner().invoke(main, ["reset", "first-steps"], input="n\n")
    assert result.exit_code == 0 and "nothing changed" in result.stdout
    assert ProgressStore.open(Settings.load().progress_path).lesson("first-steps").status == "in progress"
    result = CliRunner().invoke(main, ["reset", "first-steps"], input="y\n")
    assert result.exit_code == 0 and "cleared" in result.stdout
    store = ProgressStore.open(Settings.load().progress_path)
    assert store.lesson("first-steps").status == "new"
    assert store.lesson("second").status == "done"


def test_reset_everything_with_yes() -> None:
    _some_progress()
    result = CliRunner().invoke(main, ["reset", "--yes"])
    assert result.exit_code == 0
    assert ProgressStore.open(Settings.load().progress_path).all() == {}


def test_reset_an_unknown_lesson_is_one_line_and_status_2() -> None:
    result = CliRunner().invoke(main, ["reset", "no-such-lesson", "--yes"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "tutor: no lesson 'no-such-lesson' in the course or in the saved progress"
