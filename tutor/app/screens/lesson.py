"""The lesson player: one step at a time, resumed where the learner left off."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, Markdown, Static

from tutor.app.widgets.exercise import ExerciseView
from tutor.app.widgets.model_status import ModelStatus
from tutor.app.widgets.quiz import QuizView
from tutor.app.widgets.steps import PanelView, TaskView
from tutor.course.progress import LessonProgress
from tutor.course.schema import (
    AnyStep,
    ExerciseStep,
    Lesson,
    MultipleQuiz,
    PanelStep,
    ReadStep,
    SingleQuiz,
    TaskStep,
)
from tutor.course.shuffle import choice_order
from tutor.course.summary import unanswered_quizzes
from tutor.i18n import _

if TYPE_CHECKING:
    from tutor.app.app import TutorApp

KIND_LABEL = {"read": "Read", "quiz": "Quiz", "panel": "Live panel", "task": "Task",
              "exercise": "Exercise"}


class LessonScreen(Screen[None]):
    CSS_PATH = "lesson.tcss"
    BINDINGS = [
        Binding("n,right", "next_step", "Next", id="lesson.next"),
        Binding("p,left", "previous_step", "Previous", id="lesson.previous"),
        Binding("escape,m", "back_to_map", "Map", id="lesson.map"),
        Binding("down", "scroll('down')", "Scroll down", show=False),
        Binding("up", "scroll('up')", "Scroll up", show=False),
        Binding("pagedown,space", "scroll('page_down')", "Page down", show=False),
        Binding("pageup", "scroll('page_up')", "Page up", show=False),
    ]

    def __init__(self, lesson: Lesson) -> None:
        super().__init__()
        self.lesson = lesson
        self.index = 0

    @property
    def tutor(self) -> TutorApp:
        return cast("TutorApp", self.app)

    @property
    def step(self) -> AnyStep:
        return self.lesson.steps[self.index]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="lesson-top"):
            yield Static(self.lesson.title, id="lesson-title")
            yield Static("", id="step-counter")
        body = VerticalScroll(id="step-body")
        # not focusable: a focused scroll view would take left/right from step navigation
        body.can_focus = False
        yield body
        yield ModelStatus(id="model-status")
        yield Footer()

    async def on_mount(self) -> None:
        saved = self.progress()
        index = self.lesson.step_index(saved.step_id) if saved.step_id else None
        if index is None:  # the saved step was removed from the lesson: keep the position
            index = min(saved.step_index, len(self.lesson.steps) - 1)
        await self.show_step(max(index, 0))

    def progress(self) -> LessonProgress:
        return self.tutor.store.lesson(self.lesson.id)

    async def show_step(self, index: int) -> None:
        self.index = index
        step = self.step
        self.tutor.store.record_position(self.lesson.id, step.id, index)
        title = f" · {step.title}" if step.title else ""
        self.query_one("#step-counter", Static).update(
            f"Step {index + 1}/{len(self.lesson.steps)} · {KIND_LABEL[step.kind]}{title}")
        body = self.query_one("#step-body", VerticalScroll)
        await body.remove_children()
        if self.tutor.untranslated(self.lesson.id, step.id):
            await body.mount(Static(_("This step is not translated yet, so it is shown in "
                                      "English."), classes="untranslated-note"))
        await body.mount(self._view(step))
        body.scroll_home(animate=False)
        # choices take the focus so arrows pick one; a text box does not, so n/p keep working;
        # an exercise does (not its editor), so its keys (e, ctrl+r) work at once
        self.set_focus(next(iter(body.query("RadioSet, SelectionList, ExerciseView")), None))

    def _view(self, step: AnyStep) -> Widget:
        saved = self.progress()
        if isinstance(step, ReadStep):
            return Markdown(step.body, classes="step-text read-step")
        if isinstance(step, PanelStep):
            return PanelView(step, self.tutor.hub)
        if isinstance(step, TaskStep):
            return TaskView(step, self.tutor.hub, done=step.id in saved.done_steps)
        if isinstance(step, ExerciseStep):
            return ExerciseView(step, self.tutor.hub,
                                passed=step.exercise in self.tutor.store.passed_exercises())
        order = None
        if isinstance(step, SingleQuiz | MultipleQuiz):
            order = choice_order(self.tutor.store.learner_id(), self.lesson.id, step.id,
                                 len(step.choices))
        return QuizView(step, saved.answers.get(step.id), order)

    async def action_next_step(self) -> None:
        if self.index + 1 < len(self.lesson.steps):
            await self.show_step(self.index + 1)
            return
        left = unanswered_quizzes(self.lesson, self.progress())
        if left:
            # done means answered: take the learner to the first open quiz instead
            steps = ", ".join(str(i + 1) for i in left)
            self.notify(f"The lesson is done once its quizzes are answered (step {steps}).",
                        title="Not done yet", severity="warning")
            await self.show_step(left[0])
            return
        self.tutor.store.complete_lesson(self.lesson.id)
        self.notify(f"Lesson complete: {self.lesson.title}", title="Well done")
        self.app.pop_screen()

    async def action_previous_step(self) -> None:
        if self.index > 0:
            await self.show_step(self.index - 1)

    def action_scroll(self, where: str) -> None:
        body = self.query_one("#step-body", VerticalScroll)
        {"down": body.scroll_down, "up": body.scroll_up, "page_down": body.scroll_page_down,
         "page_up": body.scroll_page_up}[where](animate=False)

    def action_back_to_map(self) -> None:
        # escape in a text box (a panel's prompt) first lets go of it, as editors do
        if isinstance(self.focused, Input):
            self.set_focus(None)
            return
        self.app.pop_screen()

    def on_quiz_view_answered(self, message: QuizView.Answered) -> None:
        self.tutor.store.record_answer(self.lesson.id, message.step_id, message.answer,
                                       message.correct)

    def on_task_view_passed(self, message: TaskView.Passed) -> None:
        self.tutor.store.record_step_done(self.lesson.id, message.step_id)

    def on_exercise_view_passed(self, message: ExerciseView.Passed) -> None:
        self.tutor.store.record_exercise_passed(message.exercise_id, self.lesson.id)
        self.tutor.store.record_step_done(self.lesson.id, message.step_id)
