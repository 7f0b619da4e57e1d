"""Help, palette, themes, the lab key, model state, and sizes from tiny to wide."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from tutor.app.app import TutorApp
from tutor.app.screens.confirm import ConfirmScreen
from tutor.app.screens.help import HelpScreen
from tutor.app.screens.lesson import LessonScreen
from tutor.app.screens.map import MapScreen
from tutor.app.widgets import steps
from tutor.app.widgets.model_status import ModelStatus
from tutor.course.progress import ProgressStore
from tutor.engine import ModelMissing


@pytest.fixture(autouse=True)
def _no_panels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(steps, "panel_class", lambda panel_id: None)


@pytest.mark.parametrize("key", ["question_mark", "f1"])
async def test_help_lists_the_keys(course_env: Path, key: str) -> None:
    app = TutorApp(load_model=False)
    async with app.run_test() as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        # built from the map's bindings: what works there, nothing of the lesson's
        rows = {(r.keys, r.description) for r in app.screen.rows}
        for row in [("⏎", "Open"), ("q", "Quit"), ("l", "Lab"), ("^p", "Command palette: "
                    "open or reset a lesson, theme")]:
            assert row in rows
        assert not any(r.description == "Next" for r in app.screen.rows)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)


async def run_command(pilot: Pilot[None], query: str) -> None:
    """Open the command palette, type `query` and run the first match."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()


async def test_palette_opens_a_lesson_and_switches_theme(course_env: Path) -> None:
    app = TutorApp(load_model=False)
    async with app.run_test() as pilot:
        await run_command(pilot, "open lesson second")
        assert isinstance(app.screen, LessonScreen) and app.screen.lesson.id == "second"
        await run_command(pilot, "theme light")
        assert app.theme == "textual-light"
    store = ProgressStore.open()
    assert store.setting("theme") == "light"
    store.close()
    app = TutorApp(load_model=False)
    async with app.run_test() as pilot:  # the theme is remembered
        await pilot.pause()
        assert app.theme == "textual-light"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-dark"


async def test_palette_resets_a_lesson(course_env: Path) -> None:
    store = ProgressStore.open()
    store.record_position("second", "q-word", 1)
    store.record_answer("second", "q-word", "blue", True)
    store.close()
    app = TutorApp(load_model=False)
    async with app.run_test() as pilot:
        await run_command(pilot, "reset lesson second")
        # it asks first; enter alone (the focused Cancel) or n keeps the progress
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        assert app.store.lesson("second").status != "new"
        await run_command(pilot, "reset lesson second")
        await pilot.press("y")
        await pilot.pause()
        assert app.store.lesson("second").status == "new"
        assert isinstance(app.screen, MapScreen)


async def test_lab_key_without_a_lab_notifies(course_env: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tutor.app.screens.lab", None)  # import fails
    app = TutorApp(load_model=False)
    async with app.run_test(notifications=True) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        assert any("lab is not available" in str(n.message) for n in app._notifications)


async def test_lab_key_pushes_the_lab(course_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class LabScreen(Screen[None]):
        def compose(self):  # type: ignore[no-untyped-def]
            yield Static("fake lab")

    module = types.ModuleType("tutor.app.screens.lab")
    module.LabScreen = LabScreen  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tutor.app.screens.lab", module)
    app = TutorApp(load_model=False)
    async with app.run_test() as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LabScreen)


async def test_the_tiny_model_loads_in_a_worker(course_env: Path) -> None:
    app = TutorApp()
    async with app.run_test() as pilot:
        await pilot.pause(TutorApp.MODEL_LOAD_DELAY + 0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.model_state[0] == "ready"
        assert "tiny-llama ready on CPU" in app.model_state[1]
        status = app.screen.query_one(ModelStatus)
        assert "-ready" in status.classes and "ready on CPU" in str(status.render())


async def test_a_missing_model_says_how_to_fetch_it(course_env: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    class Missing:
        name = "smollm2"

        def load(self) -> None:
            raise ModelMissing("smollm2 is not downloaded: run `tutor models fetch smollm2`")

    app = TutorApp()
    monkeypatch.setattr(app.hub, "decoder", lambda: Missing())
    async with app.run_test() as pilot:
        await pilot.pause(TutorApp.MODEL_LOAD_DELAY + 0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = app.screen.query_one(ModelStatus)
        assert "-missing" in status.classes
        assert "tutor models fetch smollm2" in str(status.render())
        assert isinstance(app.screen, MapScreen)  # the course still works


async def test_keys_typed_together_on_the_map_keep_their_order(course_env: Path) -> None:
    """down + enter arriving in one read (typed fast, or batched by a slow SSH link) opens
    the lesson the cursor moved to, not the one it was on."""
    app = TutorApp(load_model=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        for key in ("down", "enter"):
            app.post_message(events.Key(key, None))
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson.id == app.course.entries[1].id


async def test_the_tutor_quits_when_its_terminal_is_gone(course_env: Path) -> None:
    """A closed tmux pane or a dropped SSH link leaves the tutor (started by `make`) on a
    dead terminal: it must quit, not spin on it for ever."""
    master, slave = os.openpty()
    app = TutorApp(load_model=False)
    app.TERMINAL_CHECK = 0.05
    try:
        async with app.run_test() as pilot:
            app.watch_terminal(slave)
            await pilot.pause(0.3)
            assert app.is_running  # the terminal is there: nothing happens
            os.close(master)  # the terminal emulator goes away
            master = -1
            for _ in range(40):
                await pilot.pause(0.05)
                if not app.is_running:
                    break
            assert not app.is_running
    finally:
        os.close(slave)
        if master >= 0:
            os.close(master)


async def test_missing_lessons_say_where_the_course_comes_from(
        course_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # as after a plain `pip install` of a wheel: the lessons live beside the package
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(tmp_path / "not-here"))
    app = TutorApp(load_model=False)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        heading = str(app.screen.query_one("#course-heading", Static).render())
        assert f"No lessons found in {tmp_path / 'not-here'}" in heading
        assert "TUTOR_LESSONS_DIR" in heading
        await pilot.press("enter", "l", "question_mark", "escape")  # nothing to open: no crash
        assert app.is_running


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_sizes_and_shrinking_never_crash(course_env: Path, size: tuple[int, int]) -> None:
    app = TutorApp(load_model=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for screen_keys in ([], ["enter", "n"]):
            await pilot.press(*screen_keys)
            await pilot.pause()
            for tiny in [(40, 12), (12, 5), (3, 2), (1, 1), size]:
                await pilot.resize_terminal(*tiny)
                await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert app.is_running


async def test_escape_leaves_a_text_box_before_the_lesson(course_env: Path) -> None:
    store = ProgressStore.open()
    store.record_position("first-steps", "q-count", 3)
    store.close()
    app = TutorApp(load_model=False)
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.click("#short-answer")
        await pilot.press("n", "escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen) and app.focused is None
        assert app.screen.query_one("#short-answer").value == "n"  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)


async def test_a_crash_writes_a_report_and_keeps_progress(course_env: Path,
                                                          _isolated_data_dir: Path) -> None:
    class Crashing(TutorApp):
        BINDINGS = [("x", "explode", "")]

        def action_explode(self) -> None:
            raise RuntimeError("boom")

    app = Crashing(load_model=False)
    with pytest.raises(RuntimeError, match="boom"):
        async with app.run_test() as pilot:
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("x")
            await pilot.pause()
    assert app.crash_report is not None and app.crash_report.parent == _isolated_data_dir
    assert "RuntimeError: boom" in app.crash_report.read_text()
    store = ProgressStore.open()
    assert store.lesson("first-steps").step_id == "intro"
