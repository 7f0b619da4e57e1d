"""A quiz step: single choice, multiple choice or short answer, with explanations after."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Button, Input, Markdown, RadioButton, RadioSet, SelectionList, Static

from tutor.app.widgets.prose import whole_numbers
from tutor.course.grading import Answer, is_correct
from tutor.course.progress import SavedAnswer
from tutor.course.schema import AnyQuiz, MultipleQuiz, ShortQuiz, SingleQuiz, correct_choice_ids
from tutor.i18n import N_, _


class AnswerInput(Input):
    """A text answer box that lets go of the keyboard on escape, so n/p/escape work again.

    Focusing it never selects the saved answer: a key typed then adds to it instead of
    replacing it."""

    BINDINGS = [Binding("escape", "release", N_("Leave field"), id="quiz.leave_answer")]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, select_on_focus=False, **kwargs)

    def action_release(self) -> None:
        self.screen.set_focus(None)


class ChoiceButton(RadioButton):
    """A radio button whose long label wraps onto more lines instead of being cut off."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, self.render().get_height(self.styles, width))


class QuizView(Vertical):
    class Answered(Message):
        """The learner checked an answer (already graded)."""

        def __init__(self, step_id: str, answer: Answer, correct: bool) -> None:
            super().__init__()
            self.step_id = step_id
            self.answer = answer
            self.correct = correct

    def __init__(self, quiz: AnyQuiz, saved: SavedAnswer | None = None,
                 order: list[int] | None = None) -> None:
        super().__init__(classes="quiz")
        self.quiz = quiz
        self.saved = saved
        # authored choice indices in the order shown (widget ids keep the authored index)
        count = len(quiz.choices) if isinstance(quiz, SingleQuiz | MultipleQuiz) else 0
        self.order = order if order is not None and sorted(order) == list(range(count)) \
            else list(range(count))

    def compose(self) -> ComposeResult:
        quiz = self.quiz
        yield Markdown(whole_numbers(quiz.question), classes="question")
        if isinstance(quiz, SingleQuiz):
            yield RadioSet(*(ChoiceButton(quiz.choices[j].text, id=f"choice-{j}")
                             for j in self.order), id="choices")
        elif isinstance(quiz, MultipleQuiz):
            yield SelectionList[int](*((quiz.choices[j].text, j) for j in self.order),
                                     id="choices")
        else:
            yield AnswerInput(placeholder=_("Your answer, then Enter"), id="short-answer")
        with Horizontal(classes="quiz-actions"):
            yield Button(_("Check answer"), id="check", variant="primary")
            yield Static("", id="verdict")
        yield Markdown("", id="explanations")

    @property
    def revealed(self) -> bool:
        """Whether the explanations, which give the answer away, have been shown."""
        return self.saved is not None

    def on_mount(self) -> None:
        if self.saved is None or self.saved.answer is None:
            return
        self._restore(self.saved.answer)
        self._show_feedback(self.saved.answer, is_correct(self.quiz, self.saved.answer),
                            self.saved.correct)

    # -- answer in, answer out -------------------------------------------------------------
    def _restore(self, answer: Any) -> None:
        quiz = self.quiz
        if isinstance(quiz, SingleQuiz) and isinstance(answer, str):
            for j, choice in enumerate(quiz.choices):
                if choice.id == answer:
                    self.query_one(f"#choice-{j}", RadioButton).value = True
        elif isinstance(quiz, MultipleQuiz) and isinstance(answer, list):
            selection = self.query_one("#choices", SelectionList)
            for j, choice in enumerate(quiz.choices):
                if choice.id in answer:
                    selection.select(j)
        elif isinstance(quiz, ShortQuiz) and isinstance(answer, str):
            self.query_one("#short-answer", Input).value = answer

    def current_answer(self) -> Answer | None:
        quiz = self.quiz
        if isinstance(quiz, SingleQuiz):
            index = self.query_one("#choices", RadioSet).pressed_index
            return quiz.choices[self.order[index]].id if index >= 0 else None
        if isinstance(quiz, MultipleQuiz):
            chosen = self.query_one("#choices", SelectionList).selected
            return [quiz.choices[j].id for j in sorted(chosen)] or None
        text = self.query_one("#short-answer", Input).value.strip()
        return text or None

    def submit(self) -> None:
        answer = self.current_answer()
        if answer is None:
            self._set_verdict(_("Choose or type an answer first."), "-empty")
            return
        right = is_correct(self.quiz, answer)
        # once the explanations have shown the answer, a retry is practice: it counts as
        # correct only for a learner whose first answer was right
        counts = right and (not self.revealed or self.saved is None or self.saved.first_correct)
        self._show_feedback(answer, right, counts)
        self.post_message(self.Answered(self.quiz.id, answer, counts))
        first = self.saved.first_correct if self.saved is not None else counts
        attempts = self.saved.attempts + 1 if self.saved is not None else 1
        self.saved = SavedAnswer(answer, counts, first, attempts)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "check":
            event.stop()
            self.submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()
        # on to the Check button: the next keys (n, p, ?) act on the lesson again, and
        # escape goes back one level (out of the quiz), not straight to the map
        self.query_one("#check", Button).focus()

    # -- feedback ------------------------------------------------------------------------------
    def _set_verdict(self, text: str, state: str) -> None:
        verdict = self.query_one("#verdict", Static)
        verdict.update(text)
        for name in ("-right", "-wrong", "-empty", "-revealed"):
            verdict.set_class(name == state, name)

    def _show_feedback(self, answer: Any, right: bool, counts: bool) -> None:
        if right and counts:
            self._set_verdict(_("✓ Correct."), "-right")
        elif right:
            self._set_verdict(_("✓ Right, after the answer was shown: it does not count as "
                                "correct."), "-revealed")
        else:
            self._set_verdict(_("✗ Not quite: the explanations below say why, and mark the "
                                "right answer."), "-wrong")
        self.query_one("#explanations", Markdown).update(
            explanation_text(self.quiz, answer, self.order))


def explanation_text(quiz: AnyQuiz, answer: Any, order: list[int] | None = None) -> str:
    """Markdown shown after answering: every choice's explanation (in the order shown),
    the learner's marked."""
    parts: list[str] = []
    if isinstance(quiz, SingleQuiz | MultipleQuiz):
        right = correct_choice_ids(quiz)
        chosen = {answer} if isinstance(answer, str) else set(answer or [])
        for choice in (quiz.choices[j] for j in (order or range(len(quiz.choices)))):
            mark = _("✓ right") if choice.id in right else _("✗ wrong")
            yours = " · " + _("your answer") if choice.id in chosen else ""
            parts.append(f"- **{choice.text}** ({mark}{yours}): {choice.explanation}")
    else:
        spec = quiz.answer
        expected = (f"{spec.number:g}" + (f" ± {spec.tolerance:g}" if spec.tolerance else "")
                    if spec.number is not None else " / ".join(spec.text or []))
        parts.append(_("Expected: **{expected}**. You answered: **{answer}**.").format(
            expected=expected, answer=answer))
    if quiz.explanation:
        parts.append("")
        parts.append(quiz.explanation)
    return whole_numbers("\n".join(parts))
