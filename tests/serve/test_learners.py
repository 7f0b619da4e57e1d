"""Classroom learners without a browser: the name question, and the teacher's view of
every learner's progress (`tutor progress --all`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import Input, Static

from tutor.app.app import TutorApp
from tutor.app.screens.map import MapScreen
from tutor.app.screens.name import NameScreen
from tutor.cli import main
from tutor.course.progress import DB_NAME, ProgressStore
from tutor.serve.learners import (
    ASK_NAME_ENV,
    NAME_SETTING,
    clean_name,
    is_learner_id,
    learner_dir,
    learner_ids,
    new_learner_id,
)

LESSONS = Path(__file__).resolve().parents[1] / "fixtures" / "lessons"


def test_learner_ids_name_only_folders_inside_the_learners_folder(tmp_path: Path) -> None:
    learner = new_learner_id()
    assert is_learner_id(learner) and learner != new_learner_id()
    for bad in ("../../etc", "", "a" * 21, "a" * 23, "abc/defghijklmnopqrstu", None):
        assert not is_learner_id(bad)
    with pytest.raises(ValueError):
        learner_dir(tmp_path, "../" + "a" * 19)
    assert learner_dir(tmp_path, learner).parent.parent == tmp_path


def test_names_are_trimmed_and_bounded() -> None:
    assert clean_name("  Ada   Lovelace ") == "Ada Lovelace"
    assert clean_name("김민지") == "김민지"
    for bad in ("", "   ", "x" * 61, "tab\x07bell"):
        assert clean_name(bad) is None


async def test_a_classroom_session_asks_the_name_once(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ASK_NAME_ENV, "1")
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(LESSONS))
    app = TutorApp(load_model=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, NameScreen)
        await pilot.press("escape", "q")  # neither skips the question nor quits
        await pilot.pause()
        assert isinstance(app.screen, NameScreen) and app.is_running
        app.screen.query_one(Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert "Type a name" in str(app.screen.query_one("#name-error", Static).render())
        app.screen.query_one(Input).value = "  Ada  Lovelace "
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        assert app.store.setting(NAME_SETTING) == "Ada Lovelace"
    again = TutorApp(load_model=False)
    async with again.run_test() as pilot:
        await pilot.pause()
        assert isinstance(again.screen, MapScreen)


def test_progress_all_lists_every_learner_with_name_and_progress(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(LESSONS))
    data = tmp_path / "server"
    named = {}
    for name, answered in (("Grace Hopper", True), ("Alan Turing", False)):
        learner = new_learner_id()
        folder = learner_dir(data, learner)
        store = ProgressStore.open(folder / DB_NAME)
        store.set_setting(NAME_SETTING, name)
        if answered:
            store.record_answer("first-steps", "q-count", "8", True)
        store.close()
        named[learner] = name
    (data / "learners" / "not-a-learner").mkdir()
    assert sorted(learner_ids(data)) == sorted(named)

    result = CliRunner().invoke(main, ["--data-dir", str(data), "progress", "--all", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["count"] == 2
    rows = {row["learner"]: row for row in out["learners"]}
    assert {k: v["name"] for k, v in rows.items()} == named
    for learner, row in rows.items():
        first = next(r for r in row["lessons"] if r["id"] == "first-steps")
        assert first["answered"] == (1 if named[learner] == "Grace Hopper" else 0)
        assert row["total"] == 2

    table = CliRunner().invoke(main, ["--data-dir", str(data), "progress", "--all"])
    assert "Grace Hopper" in table.stdout and "1/1 quizzes right first time" in table.stdout
    empty = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "none"), "progress", "--all"])
    assert empty.exit_code == 0 and "no classroom learners" in empty.stdout


def test_serve_says_why_it_cannot_start() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert busy.exit_code == 2 and "Traceback" not in busy.output
    assert f"cannot listen on 127.0.0.1:{port}" in busy.stderr
    short = CliRunner().invoke(main, ["serve", "--token", "short"])
    assert short.exit_code == 2 and "--token takes 16 to 128" in short.stderr
