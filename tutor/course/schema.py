"""The lesson format as pydantic models (see docs/lesson-format.md).

These models check structure and types only. Rules that span fields or need the panel
table (one correct choice, unique ids, known panels, rule fields) live in
`tutor.course.validate`, so every such error carries its own exact field path.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tutor.i18n import _

RuleOp = Literal["==", "!=", "<", "<=", ">", ">=", "contains", "not_contains", "matches"]
STEP_KINDS = ("read", "quiz", "panel", "task", "exercise")
QUIZ_TYPES = ("single", "multiple", "short")


class Strict(BaseModel):
    # strict: YAML already typed every scalar, so "15" for a number is the author's mistake,
    # not something to coerce silently.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


NonEmpty = Annotated[str, Field(min_length=1)]
StepId = Annotated[str, Field(pattern=r"^\S+$")]


class Reference(Strict):
    title: NonEmpty
    authors: NonEmpty
    year: Annotated[int, Field(ge=1800, le=2100)]
    link: Annotated[str, Field(pattern=r"^https?://\S+$")]


class Choice(Strict):
    id: StepId
    text: NonEmpty
    correct: bool = False
    explanation: NonEmpty


class ShortAnswer(Strict):
    text: list[NonEmpty] | None = None
    number: float | None = None
    tolerance: Annotated[float, Field(ge=0)] = 0.0

    @field_validator("text", mode="before")
    @classmethod
    def _one_text_is_a_list(cls, value: Any) -> Any:
        # `text: paris` is the obvious way to write a single accepted answer
        return [value] if isinstance(value, str) else value


class StepBase(Strict):
    id: StepId
    title: NonEmpty | None = None


class ReadStep(StepBase):
    kind: Literal["read"]
    body: NonEmpty


class QuizBase(StepBase):
    kind: Literal["quiz"]
    question: NonEmpty
    explanation: NonEmpty | None = None  # shown after answering; required for short answers


class SingleQuiz(QuizBase):
    type: Literal["single"]
    choices: list[Choice]
    answer: StepId | None = None  # optional: the correct choice id, instead of `correct: true`


class MultipleQuiz(QuizBase):
    type: Literal["multiple"]
    choices: list[Choice]
    answer: list[StepId] | None = None  # optional: the correct choice ids


class ShortQuiz(QuizBase):
    type: Literal["short"]
    answer: ShortAnswer


QuizStep = Annotated[SingleQuiz | MultipleQuiz | ShortQuiz, Field(discriminator="type")]


class PanelStep(StepBase):
    kind: Literal["panel"]
    panel: NonEmpty
    inputs: dict[str, Any] = Field(default_factory=dict)
    body: NonEmpty | None = None


class Rule(Strict):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    field: NonEmpty
    op: RuleOp
    value: Any
    # plain-words feedback for the learner; without them the app words the rule from the
    # field's description in tutor/course/panels.py
    pass_: NonEmpty | None = Field(default=None, alias="pass")
    fail: NonEmpty | None = None

    @field_validator("value")
    @classmethod
    def _plain_value(cls, value: Any) -> Any:
        if value is None or isinstance(value, dict):
            raise ValueError(_("a rule value must be a boolean, number, string or list"))
        return value


class TaskStep(StepBase):
    kind: Literal["task"]
    panel: NonEmpty
    inputs: dict[str, Any] = Field(default_factory=dict)
    goal: NonEmpty
    check: Annotated[list[Rule], Field(min_length=1)]
    hint: NonEmpty | None = None
    success: NonEmpty | None = None


class ExerciseStep(StepBase):
    """The learner writes a function; the checks run it inside the real model."""

    kind: Literal["exercise"]
    exercise: NonEmpty  # an exercise id from tutor/exercises/catalog.py
    body: NonEmpty


class NumberDecl(Strict):
    """A model number the lesson's text quotes, and where the real tier recomputes it."""

    id: StepId
    panel: NonEmpty
    inputs: dict[str, Any] = Field(default_factory=dict)
    field: NonEmpty
    value: float
    tolerance: Annotated[float, Field(ge=0)]


Step = Annotated[ReadStep | QuizStep | PanelStep | TaskStep | ExerciseStep,
                 Field(discriminator="kind")]
AnyQuiz = SingleQuiz | MultipleQuiz | ShortQuiz
AnyStep = ReadStep | SingleQuiz | MultipleQuiz | ShortQuiz | PanelStep | TaskStep | ExerciseStep


class Lesson(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    title: NonEmpty
    summary: NonEmpty
    objectives: Annotated[list[NonEmpty], Field(min_length=1, max_length=8)]
    minutes: Annotated[int, Field(ge=1, le=120)]
    order: Annotated[int, Field(ge=0)] | None = None
    references: list[Reference] = Field(default_factory=list)
    steps: Annotated[list[Step], Field(min_length=1, max_length=60)]
    numbers: list[NumberDecl] = Field(default_factory=list)

    def step_index(self, step_id: str) -> int | None:
        for i, step in enumerate(self.steps):
            if step.id == step_id:
                return i
        return None

    @property
    def exercises(self) -> list[ExerciseStep]:
        return [s for s in self.steps if isinstance(s, ExerciseStep)]

    @property
    def quizzes(self) -> list[AnyQuiz]:
        return [s for s in self.steps if isinstance(s, SingleQuiz | MultipleQuiz | ShortQuiz)]


def correct_choice_ids(quiz: SingleQuiz | MultipleQuiz) -> set[str]:
    """The right choices, whether the author marked them `correct` or listed them in `answer`."""
    if quiz.answer is not None:
        return {quiz.answer} if isinstance(quiz.answer, str) else set(quiz.answer)
    return {c.id for c in quiz.choices if c.correct}
