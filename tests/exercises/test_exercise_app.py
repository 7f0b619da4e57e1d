"""The exercise step in the app: edit the solution in the in-app editor, ctrl+r, passed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Static, TextArea

from tutor.app.app import TutorApp
from tutor.app.widgets.exercise import ExerciseView
from tutor.course.progress import ProgressStore
from tutor.exercises.catalog import EXERCISES, learner_path
from tutor.settings import Settings

LESSON = """\
id: write-code
title: Write code
summary: One exercise.
objectives: [Write a sentence embedding.]
minutes: 5
steps:
  - id: pool
    kind: exercise
    title: Mean pooling
    exercise: mean-pool
    body: Average the real tokens, then normalise.
"""
BODY = ["m = mask[:, :, None]", "v = (token_vectors * m).sum(1) / m.sum(1)",
        "return v / np.linalg.norm(v, axis=-1, keepdims=True)"]


@pytest.fixture
def exercise_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "01-write-code.yaml").write_text(LESSON)
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(lessons))
    monkeypatch.setenv("TUTOR_DECODER", "tiny-llama")
    monkeypatch.setenv("TUTOR_ENCODER", "tiny-bert")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    return lessons


async def test_editing_in_the_app_and_ctrl_r_passes_the_checks(exercise_course: Path) -> None:
    app = TutorApp(load_model=False)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        view = app.screen.query_one(ExerciseView)
        assert app.focused is view
        await pilot.press("e")  # no $EDITOR: the in-app editor takes the cursor
        editor = app.screen.query_one("#exercise-editor", TextArea)
        assert app.focused is editor
        row = editor.text.splitlines().index("    ...")
        editor.cursor_location = (row, 7)
        await pilot.press("backspace", "backspace", "backspace")
        for i, line in enumerate(BODY):
            if i:
                await pilot.press("enter", *"    ")
            await pilot.press(*line)
        await pilot.press("ctrl+r")
        status = app.screen.query_one("#exercise-status", Static)
        for _ in range(3000):  # the child loads torch and the tiny models: slow when busy
            await pilot.pause(0.1)
            if "-passed" in status.classes or "checks passed" in str(status.render()):
                break
        results = str(app.screen.query_one("#exercise-results", Static).render())
        assert "-passed" in status.classes, results
        assert "✓ padded batch" in results
        assert app.screen.query("#exercise-solution Collapsible")  # the reference, now shown
    saved = learner_path(EXERCISES["mean-pool"], Settings.load().data_dir).read_text()
    assert "    return v / np.linalg.norm(v, axis=-1, keepdims=True)" in saved
    store = ProgressStore.open(Settings.load().progress_path)
    assert store.passed_exercises() == {"mean-pool"}
    assert "pool" in store.lesson("write-code").done_steps
    store.close()


async def test_e_without_a_terminal_falls_back_to_the_in_app_editor(
        exercise_course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", "true")
    app = TutorApp(load_model=False)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("e")  # a headless app cannot hand its terminal to an editor
        await pilot.pause()
        assert isinstance(app.focused, TextArea)
        assert any("Cannot open true here" in str(n.message) for n in app._notifications)


def test_the_app_side_of_exercises_does_not_import_torch() -> None:
    code = ("import sys, tutor.app.widgets.exercise, tutor.exercises.runner, "
            "tutor.cli.exercise_cmds\nprint('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


async def test_the_map_shows_passed_exercises(exercise_course: Path) -> None:
    from textual.widgets import DataTable

    app = TutorApp(load_model=False)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#lessons", DataTable)
        assert "code 0/1" in [str(c) for c in table.get_row_at(0)]
        app.store.record_exercise_passed("mean-pool", "write-code")
        app.screen.refresh_course()  # type: ignore[attr-defined]
        await pilot.pause()
        assert "code 1/1" in [str(c) for c in table.get_row_at(0)]


async def test_an_edit_is_saved_when_the_learner_leaves_the_step(exercise_course: Path) -> None:
    app = TutorApp(load_model=False)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("e")
        editor = app.screen.query_one("#exercise-editor", TextArea)
        editor.cursor_location = (0, 0)
        await pilot.press(*"# mine", "enter")
        await pilot.press("escape")  # leaves the editor (it indents with tab, so escape)
        assert not isinstance(app.focused, TextArea)
        await pilot.press("escape")  # and back to the map, at once
        await pilot.pause()
    saved = learner_path(EXERCISES["mean-pool"], Settings.load().data_dir).read_text()
    assert saved.startswith("# mine\n")
