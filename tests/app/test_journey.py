"""A learner's journey with Pilot: map, lesson, steps, quizzes right and wrong, quit, resume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Markdown, RadioSet, SelectionList, Static

from tutor.app.app import TutorApp
from tutor.app.panels.base import Panel
from tutor.app.screens.lesson import LessonScreen
from tutor.app.screens.map import MapScreen
from tutor.app.widgets import steps
from tutor.app.widgets.quiz import AnswerInput, QuizView
from tutor.course.progress import ProgressStore


class FakeTokenizer(Panel):
    """Stands in for the real tokenizer panel: the test publishes its results by hand."""

    PANEL_ID = "tokenizer"

    def render(self) -> str:
        return "fake tokenizer panel"


@pytest.fixture
def no_panels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(steps, "panel_class", lambda panel_id: None)


@pytest.fixture
def fake_panels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(steps, "panel_class",
                        lambda panel_id: FakeTokenizer if panel_id == "tokenizer" else None)


def keys_to(app: TutorApp, *choice_ids: str) -> list[str]:
    """The keys that select these choices in the order this learner sees them (arrows from
    the top; enter toggles), so the test works whatever the shuffle."""
    quiz = app.screen.query_one(QuizView)
    shown = [quiz.quiz.choices[j].id for j in quiz.order]  # type: ignore[union-attr]
    keys: list[str] = []
    at = 0
    for position in sorted(shown.index(c) for c in choice_ids):
        keys += ["down"] * (position - at) + ["enter"]
        at = position
    return keys


def counter(app: TutorApp) -> str:
    return str(app.screen.query_one("#step-counter", Static).render())


def verdict(app: TutorApp) -> tuple[str, set[str]]:
    widget = app.screen.query_one("#verdict", Static)
    return str(widget.render()), {c for c in widget.classes if c.startswith("-")}


def explanations(app: TutorApp) -> str:
    return app.screen.query_one("#explanations", Markdown).source


async def test_walk_a_lesson_answer_quit_and_resume(course_env: Path, no_panels: None) -> None:
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        assert app.screen.query_one("#lessons", DataTable).row_count == 2
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert counter(app).startswith("Step 1/7 · Read")

        # single choice: wrong first (Lyon), then right (Paris)
        await pilot.press("n")
        await pilot.pause()
        assert counter(app).startswith("Step 2/7 · Quiz")
        assert isinstance(app.focused, RadioSet)
        await pilot.press(*keys_to(app, "lyon"))  # wherever this learner's order put it
        await pilot.click("#check")
        await pilot.pause()
        text, state = verdict(app)
        assert state == {"-wrong"} and "Not quite" in text
        assert "Lyon is large, but not the capital." in explanations(app)
        assert "Paris has been the capital for centuries." in explanations(app)
        assert "(✗ wrong · your answer)" in explanations(app)
        await pilot.click("#choice-0")  # the Check button has the focus now: click Paris
        await pilot.click("#check")
        await pilot.pause()
        # the explanations gave the answer away: right now, but not counted as correct
        text, state = verdict(app)
        assert state == {"-revealed"} and "does not count" in text and "Correct" not in text

        # multiple choice: 2 and 5
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.focused, SelectionList)
        await pilot.press(*keys_to(app, "two", "five"))
        await pilot.click("#check")
        await pilot.pause()
        assert verdict(app)[1] == {"-right"}

        # short numeric answer, typed; Enter checks it and gives the keys back to the lesson
        await pilot.press("n")
        await pilot.pause()
        await pilot.click("#short-answer")
        await pilot.press("7", "enter")
        await pilot.pause()
        assert verdict(app)[1] == {"-wrong"}
        assert "Expected: **8**" in explanations(app)
        assert "Spiders are arachnids" in explanations(app)
        app.screen.query_one(AnswerInput).value = ""
        await pilot.click("#short-answer")
        await pilot.press(*"8 legs", "enter")  # a number as a person writes it
        await pilot.pause()
        assert verdict(app)[1] == {"-revealed"}  # right, but "Expected: 8" was on screen
        await pilot.press("n")
        await pilot.pause()
        assert counter(app).startswith("Step 5/7 · Live panel")
        placeholder = app.screen.query_one(".panel-placeholder", Static)
        assert "'tokenizer'" in str(placeholder.render())
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running

    # what was committed, straight from the store
    store = ProgressStore.open()
    saved = store.lesson("first-steps")
    store.close()
    assert saved.step_id == "play"
    assert saved.answers["q-capital"].answer == "paris"
    assert (saved.answers["q-capital"].first_correct, saved.answers["q-capital"].attempts) == (
        False, 2)
    assert saved.answers["q-capital"].correct is False  # a retry after the reveal
    assert saved.answers["q-primes"].answer == ["two", "five"]
    assert saved.answers["q-count"].answer == "8 legs"

    # restart: the map highlights the lesson, Enter resumes at the same step, answers intact
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#lessons", DataTable)
        assert table.cursor_row == 0
        assert "5/7 steps" in str(table.get_row_at(0)[2])
        assert table.get_row_at(0)[3] == "1/3"  # the score counts first attempts: only primes
        await pilot.press("enter")
        await pilot.pause()
        assert counter(app).startswith("Step 5/7")
        await pilot.press("p")
        await pilot.pause()
        assert app.screen.query_one(AnswerInput).value == "8 legs"
        assert verdict(app)[1] == {"-revealed"}
        await pilot.press("p")
        await pilot.pause()
        chosen = app.screen.query_one(SelectionList).selected
        assert sorted(chosen) == [0, 2]
        await pilot.press("p")
        await pilot.pause()
        quiz = app.screen.query_one(QuizView)
        assert quiz.current_answer() == "paris"
        assert verdict(app)[1] == {"-revealed"}
        assert "Lyon is large" in explanations(app)


async def test_finishing_a_lesson_marks_it_done(course_env: Path, no_panels: None) -> None:
    app = TutorApp(load_model=False)
    async with app.run_test() as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen) and app.screen.lesson.id == "second"
        # the unanswered typed quiz takes the keys on arrival: escape lets go of its box
        await pilot.press("n", "escape", "n")
        await pilot.pause()
        # paging past the quiz does not finish the lesson: it leads back to the open quiz
        assert isinstance(app.screen, LessonScreen) and counter(app).startswith("Step 2/2 · Quiz")
        store = ProgressStore.open()
        assert store.lesson("second").status == "in progress"
        store.close()
        await pilot.click("#short-answer")
        await pilot.press(*"green", "enter")  # answered, even if wrong
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        table = app.screen.query_one("#lessons", DataTable)
        assert "done" in str(table.get_row_at(1)[2])
        assert table.cursor_row == 1
    store = ProgressStore.open()
    assert store.lesson("second").status == "done"


async def test_the_last_opened_lesson_is_highlighted(course_env: Path) -> None:
    store = ProgressStore.open()
    store.record_position("second", "q-word", 1)
    store.close()
    app = TutorApp(load_model=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.screen.query_one("#lessons", DataTable).cursor_row == 1
        await pilot.press("enter")
        await pilot.pause()
        assert counter(app).startswith("Step 2/2")


async def test_a_task_passes_on_the_panel_result(course_env: Path, fake_panels: None) -> None:
    store = ProgressStore.open()
    store.record_position("first-steps", "task-long", 5)
    store.close()
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert counter(app).startswith("Step 6/7 · Task")
        panel = app.screen.query_one(FakeTokenizer)
        assert panel.inputs == {"text": ""}
        status = app.screen.query_one("#task-status", Static)
        # an empty box is no answer: "0 tokens, 0 words" must neither pass nor fail a rule
        panel.publish({"text": "", "word_count": 0, "token_count": 0})
        await pilot.pause()
        assert "type something in the panel" in str(status.render())
        result: dict[str, Any] = {"text": "hello", "word_count": 1, "token_count": 2}
        panel.publish(result)
        await pilot.pause()
        shown = str(status.render())
        assert "Not yet" in shown
        assert "✗ The number of decoder tokens" in shown and "should be at least 3 (now: 2)" in shown
        assert ">=" not in shown and "token_count" not in shown
        assert "-passed" not in status.classes
        panel.publish({"text": "unbelievable", "word_count": 1, "token_count": 4})
        await pilot.pause()
        assert "Task passed" in str(status.render()) and "-passed" in status.classes
        assert "Rare words fall apart" in str(status.render())
    store = ProgressStore.open()
    assert store.lesson("first-steps").done_steps == {"task-long"}
    store.close()
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert "Done" in str(app.screen.query_one("#task-status", Static).render())


async def test_a_broken_lesson_is_shown_and_the_rest_works(
        course_env: Path, monkeypatch: pytest.MonkeyPatch, no_panels: None) -> None:
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(course_env.parent / "broken_course"))
    app = TutorApp(load_model=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#lessons", DataTable)
        assert "broken" in str(table.get_row_at(2)[2])
        await pilot.press("down", "down")
        await pilot.pause()
        detail = app.screen.query_one("#detail-text", Markdown).source
        assert "03-broken.yaml:9:5: steps[0].bdy: unknown field" in detail
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        assert any("broken" in str(n.message) for n in app._notifications)
        await pilot.press("up", "up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)


async def test_a_removed_step_resumes_near_where_it_was(course_env: Path) -> None:
    store = ProgressStore.open()
    store.record_position("second", "a-step-the-author-removed", 7)
    store.close()
    app = TutorApp(load_model=False)
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert counter(app).startswith("Step 2/2")  # clamped to the lesson's last step
