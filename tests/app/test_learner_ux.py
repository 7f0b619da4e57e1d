"""The app as a learner meets it (issue 13): escape one level at a time without losing a
result, a step's panel keys from anywhere on the step, help and footer built from the keys
that work now, typed-answer focus, a map that leads forward, and text that breaks well."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, DataTable, Footer, Input, Markdown, Static
from textual.widgets._footer import FooterKey

from tutor.app.app import TutorApp
from tutor.app.panels.base import Panel
from tutor.app.screens.help import HelpScreen
from tutor.app.screens.lesson import LessonScreen
from tutor.app.screens.map import MapScreen
from tutor.app.widgets import steps
from tutor.app.widgets.quiz import AnswerInput
from tutor.course.progress import ProgressStore


class CountingPanel(Panel):
    """Stands in for the tokenizer panel: a text box, a button, and keys that count."""

    PANEL_ID = "tokenizer"
    DEFAULT_CSS = "CountingPanel { height: auto; }"
    BINDINGS: ClassVar = [
        Binding("ctrl+g", "bump(1)", "Bump", id="test.bump"),
        Binding("x", "bump(10)", "Bump ten", id="test.bump10"),
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.count = 0

    def compose_panel(self) -> ComposeResult:
        yield Input("", id="fake-text")
        yield Button("Press", id="fake-button")

    def action_bump(self, by: int) -> None:
        self.count += by
        self.publish({"text": "word", "word_count": 1, "token_count": self.count})


@pytest.fixture
def counting_panels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(steps, "panel_class",
                        lambda panel_id: CountingPanel if panel_id == "tokenizer" else None)


def at_step(lesson: str, step: str, index: int) -> None:
    store = ProgressStore.open()
    store.record_position(lesson, step, index)
    store.close()


def footer_keys(app: TutorApp) -> dict[str, str]:
    """The footer's keys as the learner reads them: description -> key."""
    return {str(k.description): str(k.key_display) for k in app.screen.query(FooterKey)}


# -- 1. escape goes back one level, and never discards a result -----------------------------
async def test_escape_goes_back_one_level_and_keeps_the_panel_result(
        course_env: Path, counting_panels: None) -> None:
    at_step("first-steps", "play", 4)
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        panel = screen.query_one(CountingPanel)
        await pilot.click("#fake-button")
        await pilot.press("ctrl+g", "ctrl+g")
        await pilot.pause()
        assert panel.result["token_count"] == 2
        await pilot.press("escape")  # out of the panel's button, not out of the lesson
        await pilot.pause()
        assert app.screen is screen and app.focused is None
        await pilot.press("n", "p")  # away to the task step and back
        await pilot.pause()
        assert screen.query_one(CountingPanel) is panel and panel.result["token_count"] == 2
        await pilot.press("escape")  # nothing focused: now to the map
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one(CountingPanel).result["token_count"] == 2


async def test_escape_in_a_typed_answer_stays_in_the_lesson(course_env: Path,
                                                            counting_panels: None) -> None:
    at_step("first-steps", "q-count", 3)
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("8", "enter")  # answered: the keys move to the quiz's button
        await pilot.pause()
        assert isinstance(app.focused, Button)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen) and app.focused is None
        await pilot.press("n")  # and the lesson's own keys work
        await pilot.pause()
        assert app.screen.step.id == "play"  # type: ignore[attr-defined]


# -- 2. a step's panel keys work from anywhere on it; text fields keep their keys ------------
async def test_panel_keys_work_from_anywhere_on_the_step(course_env: Path,
                                                         counting_panels: None) -> None:
    at_step("first-steps", "play", 4)
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        panel = app.screen.query_one(CountingPanel)
        assert app.focused is None
        await pilot.press("ctrl+g", "x")
        await pilot.pause()
        assert panel.count == 11
        keys = footer_keys(app)
        assert keys.get("Bump") == "^g" and keys.get("Bump ten") == "x"
        # typing into the panel's box: x is a letter there, and the footer stops offering it
        await pilot.click("#fake-text")
        await pilot.press("x", "ctrl+g")
        await pilot.pause()
        assert panel.query_one("#fake-text", Input).value == "x" and panel.count == 12
        keys = footer_keys(app)
        assert "Bump ten" not in keys and keys.get("Leave field") == "esc"


async def test_help_lists_exactly_the_keys_that_work_now(course_env: Path,
                                                         counting_panels: None) -> None:
    at_step("first-steps", "play", 4)
    app = TutorApp(load_model=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {(r.where, r.keys, r.description) for r in app.screen.rows}
        assert ("Tokenizer panel", "x", "Bump ten") in rows
        assert ("Tokenizer panel", "^g", "Bump") in rows
        assert ("This screen", "n →", "Next") in rows
        assert any(w == "This screen" and k.startswith("esc") and d == "Map" for w, k, d in rows)
        assert not any(desc == "Leave field" for _, _, desc in rows)  # nothing is focused
        # readable at 80 columns: no key is wrapped over several lines
        text = app.screen.query_one("#help-text", Static)
        assert text.size.width <= 80
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#fake-text")
        await pilot.press("question_mark")  # typed: the help does not open from a text box
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        await pilot.press("f1")
        await pilot.pause()
        rows = {(r.where, r.keys, r.description) for r in app.screen.rows}  # type: ignore[attr-defined]
        assert ("Tokenizer panel", "^g", "Bump") in rows
        assert not any(desc == "Bump ten" for _, _, desc in rows)
        assert any(desc == "Leave field" for _, _, desc in rows)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_footer_is_never_cut(course_env: Path, counting_panels: None,
                                       size: tuple[int, int]) -> None:
    at_step("first-steps", "play", 4)
    app = TutorApp(load_model=False)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for keys in ([], ["enter"], ["click"], ["escape", "escape", "l"]):
            for key in keys:
                if key == "click":
                    await pilot.click("#fake-text")
                else:
                    await pilot.press(key)
                await pilot.pause()
            footer = app.screen.query_one(Footer)
            shown = list(footer.query(FooterKey))
            assert shown, keys
            assert all(k.region.right <= size[0] for k in shown), keys


# -- 9. typed answers: focused on arrival, never pre-selected on resume ---------------------
async def test_a_typed_answer_box_has_the_focus_on_arrival_only(course_env: Path) -> None:
    at_step("first-steps", "q-primes", 2)
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape", "n")  # leave the choices, on to the typed quiz
        await pilot.pause()
        box = app.screen.query_one(AnswerInput)
        assert app.focused is box  # typing answers at once
        await pilot.press("6", "enter")
        await pilot.pause()
    app = TutorApp(load_model=False)  # resume: the saved answer stays as it is
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        box = app.screen.query_one(AnswerInput)
        assert box.value == "6" and app.focused is not box
        await pilot.press("n")
        await pilot.pause()
        assert app.screen.step.id == "play"  # type: ignore[attr-defined]
        await pilot.press("p")
        await pilot.pause()
        box = app.screen.query_one(AnswerInput)
        box.focus()
        await pilot.pause()
        assert box.selected_text == "" and box.value == "6"


# -- 12. the map leads forward -------------------------------------------------------------
async def test_the_map_moves_on_and_shows_how_far_the_learner_got(
        course_env: Path, counting_panels: None) -> None:
    at_step("first-steps", "outro", 6)
    store = ProgressStore.open()  # a lesson is done once its quizzes are answered
    for quiz, answer in [("q-capital", "paris"), ("q-primes", ["two", "five"]),
                         ("q-count", "8")]:
        store.record_answer("first-steps", quiz, answer, True)
    store.close()
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        for _ in range(4):  # review back to step 3
            await pilot.press("p")
            await pilot.pause()
        assert app.screen.index == 2  # type: ignore[attr-defined]
        await pilot.press("escape", "escape")
        await pilot.pause()
        table = app.screen.query_one("#lessons", DataTable)
        assert "7/7 steps" in str(table.get_row_at(0)[2])  # how far, not where
        await pilot.press("enter")
        await pilot.pause()
        for _ in range(5):
            if isinstance(app.focused, AnswerInput):  # the unanswered typed quiz
                await pilot.press("escape")
            await pilot.press("n")
            await pilot.pause()
        assert isinstance(app.screen, MapScreen)  # finished
        table = app.screen.query_one("#lessons", DataTable)
        assert table.cursor_row == 1  # on to the next lesson
        detail = app.screen.query_one("#detail-text", Markdown).source
        assert "Second lesson" in detail


async def test_the_detail_pane_describes_the_highlighted_lesson_at_once(
        course_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at_step("second", "q-word", 1)
    described: list[int] = []
    show = MapScreen._show_detail

    def spy(self: MapScreen, index: int) -> None:
        described.append(index)
        show(self, index)

    monkeypatch.setattr(MapScreen, "_show_detail", spy)
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        assert app.screen.query_one("#lessons", DataTable).cursor_row == 1
        assert "Second lesson" in app.screen.query_one("#detail-text", Markdown).source
        assert described and set(described) == {1}  # never lesson 1, not even for a moment


# -- 13. text breaks well -------------------------------------------------------------------
LONG_LESSON = """\
id: long
title: A lesson whose title is long enough to need more than one line at eighty columns
summary: Text that must break well.
objectives: [Read.]
minutes: 2
steps:
  - id: read
    kind: read
    title: A step title that is also much too long to fit beside the lesson title at all
    body: |
      The WordPiece vocabulary of the encoder has 30 522 entries, and this sentence is padded
      so that the number falls exactly where a terminal of eighty columns wraps the line xx.
  - id: task
    kind: task
    panel: tokenizer
    goal: Press the key.
    check:
      - {field: token_count, op: ">=", value: 1}
    success: |
      Well done: this message was written
      over three lines in the lesson file
      and reads as one sentence.
"""


async def test_text_breaks_where_a_reader_expects(tmp_path: Path, course_env: Path,
                                                  counting_panels: None,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "01-long.yaml").write_text(LONG_LESSON, encoding="utf-8")
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(lessons))
    app = TutorApp(load_model=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        # titles stay on one line in the header
        assert app.screen.query_one("#lesson-top").size.height == 1
        body = app.screen.query_one(".read-step", Markdown)
        assert "30,522" in body.source
        await pilot.resize_terminal(160, 45)
        await pilot.pause()
        assert body.size.width <= 100  # a comfortable reading width
        await pilot.press("n", "ctrl+g")
        await pilot.pause()
        status = str(app.screen.query_one("#task-status", Static).render())
        assert "written over three lines in the lesson file and reads as one sentence" in status
