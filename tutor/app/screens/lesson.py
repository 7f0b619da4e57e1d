"""The lesson player: one step at a time, resumed where the learner left off."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Footer, Header, Markdown, RadioSet, SelectionList, Static

from tutor.app.keys import StepKeys, escape_bindings
from tutor.app.panels.base import Panel
from tutor.app.widgets.exercise import ExerciseView
from tutor.app.widgets.model_status import ModelStatus
from tutor.app.widgets.prose import whole_numbers
from tutor.app.widgets.quiz import AnswerInput, QuizView
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
from tutor.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from tutor.app.app import TutorApp

KIND_LABEL = {"read": N_("Read"), "quiz": N_("Quiz"), "panel": N_("Live panel"),
              "task": N_("Task"), "exercise": N_("Exercise")}


class LessonScreen(StepKeys):
    CSS_PATH = "lesson.tcss"
    BINDINGS = [
        Binding("n,right", "next_step", N_("Next"), id="lesson.next"),
        Binding("p,left", "previous_step", N_("Previous"), id="lesson.previous"),
        *escape_bindings(N_("Map"), "lesson.map"),
        Binding("m", "back", N_("Map"), show=False, id="lesson.map_key"),
        Binding("down", "scroll('down')", N_("Scroll down"), show=False,
                id="lesson.scroll_down"),
        Binding("up", "scroll('up')", N_("Scroll up"), show=False, id="lesson.scroll_up"),
        Binding("pagedown,space", "scroll('page_down')", N_("Page down"), show=False,
                id="lesson.page_down"),
        Binding("pageup", "scroll('page_up')", N_("Page up"), show=False,
                id="lesson.page_up"),
    ]

    def __init__(self, lesson: Lesson) -> None:
        super().__init__()
        self.lesson = lesson
        self.index = 0
        # the views of steps with a live panel, kept (hidden) while the learner is elsewhere:
        # what a panel computed is still there when they come back
        self._kept: dict[str, Widget] = {}
        self._view_on_screen: Widget | None = None

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
        # compact, and ^p lives in the help: the footer must fit 80 columns with a
        # panel's keys in it
        yield Footer(compact=True, show_command_palette=False)

    async def on_mount(self) -> None:
        saved = self.progress()
        index = self.lesson.step_index(saved.step_id) if saved.step_id else None
        if index is None:  # the saved step was removed from the lesson: keep the position
            index = min(saved.step_index, len(self.lesson.steps) - 1)
        await self.show_step(max(index, 0))

    def progress(self) -> LessonProgress:
        return self.tutor.store.lesson(self.lesson.id)

    def on_screen_resume(self) -> None:
        # back from the map: this lesson is the last one opened again
        if self._view_on_screen is not None:
            self.tutor.store.record_position(self.lesson.id, self.step.id, self.index)

    async def show_step(self, index: int, forward: bool = True) -> None:
        """Show step `index`; `forward` is false when the learner pages back to review."""
        self.index = index
        step = self.step
        self.tutor.store.record_position(self.lesson.id, step.id, index)
        title = f" · {step.title}" if step.title else ""
        self.query_one("#step-counter", Static).update(Text(
            _("Step {number}/{total}").format(number=index + 1, total=len(self.lesson.steps))
            + f" · {_(KIND_LABEL[step.kind])}{title}"))
        body = self.query_one("#step-body", VerticalScroll)
        view = self._kept.get(step.id)
        if view is None:
            view = self._view(step)
            if isinstance(view, PanelView | TaskView):
                self._kept[step.id] = view
            await body.mount(view, before=0 if body.children else None)
        else:
            view.display = True
            body.move_child(view, before=0)  # first, so queries of the screen find it first
        self._view_on_screen = view
        for child in list(body.children):
            if child is view:
                continue
            if child in self._kept.values():
                child.display = False
            else:
                await child.remove()
        if self.tutor.untranslated(self.lesson.id, step.id):
            await body.mount(Static(_("This step is not translated yet, so it is shown in "
                                      "English."), classes="untranslated-note"), before=view)
        body.scroll_home(animate=False)
        self.set_focus(self._arrival_focus(view, forward))
        self.refresh_bindings()  # the footer offers the new step's panel keys

    def _arrival_focus(self, view: Widget, forward: bool) -> Widget | None:
        """Choices take the focus so arrows pick one. A typed answer box takes it when the
        learner comes forward to an unanswered quiz (typing answers it), not when they page
        back through it or it holds a saved answer: there n and p must keep moving."""
        if isinstance(view, ExerciseView):
            return view  # the exercise itself (not its editor), so its keys work at once
        choices = next(iter(view.query("RadioSet, SelectionList")), None)
        if isinstance(choices, RadioSet | SelectionList):
            return choices
        box = next(iter(view.query(AnswerInput)), None)
        if box is not None and forward and not box.value:
            return box
        return None

    def key_panel(self) -> Widget | None:
        view = self._view_on_screen
        if view is None or not view.is_attached:
            return None
        if isinstance(view, ExerciseView):  # its keys (edit, run) work from anywhere too
            return view
        return next(iter(view.query(Panel)), None)

    def _view(self, step: AnyStep) -> Widget:
        saved = self.progress()
        if isinstance(step, ReadStep):
            return Markdown(whole_numbers(step.body), classes="step-text read-step")
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
            self.notify(ngettext("The lesson is done once its quizzes are answered "
                                 "(step {steps}).",
                                 "The lesson is done once its quizzes are answered "
                                 "(steps {steps}).", len(left)).format(steps=steps),
                        title=_("Not done yet"), severity="warning")
            await self.show_step(left[0])
            return
        self.tutor.store.complete_lesson(self.lesson.id)
        self.notify(_("Lesson complete: {title}").format(title=self.lesson.title),
                    title=_("Well done"))
        self.tutor.finished_lesson = self.lesson.id  # the map moves on to the next lesson
        self.app.pop_screen()

    async def action_previous_step(self) -> None:
        if self.index > 0:
            await self.show_step(self.index - 1, forward=False)

    def action_scroll(self, where: str) -> None:
        body = self.query_one("#step-body", VerticalScroll)
        {"down": body.scroll_down, "up": body.scroll_up, "page_down": body.scroll_page_down,
         "page_up": body.scroll_page_up}[where](animate=False)

    def on_quiz_view_answered(self, message: QuizView.Answered) -> None:
        self.tutor.store.record_answer(self.lesson.id, message.step_id, message.answer,
                                       message.correct)

    def on_task_view_passed(self, message: TaskView.Passed) -> None:
        self.tutor.store.record_step_done(self.lesson.id, message.step_id)

    def on_exercise_view_passed(self, message: ExerciseView.Passed) -> None:
        self.tutor.store.record_exercise_passed(message.exercise_id, self.lesson.id)
        self.tutor.store.record_step_done(self.lesson.id, message.step_id)
