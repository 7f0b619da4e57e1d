"""Checks on a structurally valid lesson that span fields or need the panel table.

Each problem is (location, message), the location a path into the lesson's YAML
(`("steps", 3, "choices")`) so the loader can point at the exact line.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from tutor.course.cues import points_at_others
from tutor.course.glossary import unknown_glossary_links
from tutor.course.panels import PANELS, PanelSpec
from tutor.course.rules import a_type, a_value, fits, rule_problem
from tutor.course.schema import (
    AnyStep,
    ExerciseStep,
    Lesson,
    MultipleQuiz,
    NumberDecl,
    PanelStep,
    ShortQuiz,
    SingleQuiz,
    TaskStep,
)
from tutor.exercises.catalog import EXERCISES
from tutor.i18n import _

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


def _no_field(panel: str, field: str, fields: Iterable[str]) -> str:
    return _("panel '{panel}' has no result field '{field}'; it has: {fields}").format(
        panel=panel, field=field, fields=", ".join(fields))


def lesson_problems(lesson: Lesson) -> list[Problem]:
    problems = duplicate_step_ids([step.id for step in lesson.steps])
    for i, step in enumerate(lesson.steps):
        problems.extend(step_problems(step, i))
    problems.extend(duplicate_number_ids([n.id for n in lesson.numbers]))
    for k, number in enumerate(lesson.numbers):
        problems.extend(number_problems(number, k))
    return problems


def lesson_warnings(lesson: Lesson) -> list[Problem]:
    """What a valid lesson should still fix: things a learner would see as code."""
    warnings: list[Problem] = []
    for i, step in enumerate(lesson.steps):
        if isinstance(step, SingleQuiz | MultipleQuiz):
            for j, choice in enumerate(step.choices):
                if points_at_others(choice.text):
                    warnings.append((("steps", i, "choices", j, "text"),
                                     _("a choice that points at the others ('all of the "
                                       "above') means nothing once choices are shuffled; name "
                                       "what it covers")))
        if not isinstance(step, TaskStep):
            continue
        for k, rule in enumerate(step.check):
            if rule.op == "matches" and (rule.pass_ is None or rule.fail is None):
                warnings.append((("steps", i, "check", k),
                                 _("a `matches` rule should carry `pass` and `fail` sentences: "
                                   "a learner cannot read a regular expression")))
    return warnings


def duplicate_step_ids(ids: list[Any]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, step_id in enumerate(ids):
        if not isinstance(step_id, str):
            continue
        if step_id in seen:
            problems.append((("steps", i, "id"),
                             _("duplicate step id '{step}' (steps[{first}] has it too)").format(
                                 step=step_id, first=seen[step_id])))
        else:
            seen[step_id] = i
    return problems


def duplicate_number_ids(ids: list[Any]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for k, number_id in enumerate(ids):
        if not isinstance(number_id, str):
            continue
        if number_id in seen:
            problems.append((("numbers", k, "id"),
                             _("duplicate number id '{number}' (numbers[{first}] has it "
                               "too)").format(number=number_id, first=seen[number_id])))
        else:
            seen[number_id] = k
    return problems


def number_problems(number: NumberDecl, k: int) -> list[Problem]:
    """A declared number must name a panel, inputs it takes, and a numeric result field."""
    here: Loc = ("numbers", k)
    spec = PANELS.get(number.panel)
    if spec is None:
        return [(here + ("panel",), _("unknown panel '{panel}'; known panels: {known}").format(
            panel=number.panel, known=", ".join(sorted(PANELS))))]
    problems = list(_input_problems(spec, number.inputs, here))
    kind = spec.kind(number.field)
    if kind is None:
        problems.append((here + ("field",), _no_field(spec.id, number.field, spec.results)))
    elif not all(k in (int, float) for k in (kind if isinstance(kind, tuple) else (kind,))):
        problems.append((here + ("field",), _("`{field}` of panel '{panel}' is {kind}; a "
                                              "declared number needs a numeric field").format(
            field=number.field, panel=spec.id, kind=a_type(kind))))
    return problems


def step_problems(step: AnyStep, i: int) -> list[Problem]:
    here: Loc = ("steps", i)
    return _glossary_link_problems(step.model_dump(by_alias=True), here) + _kind_problems(step,
                                                                                         here)


def _glossary_link_problems(node: Any, here: Loc) -> list[Problem]:
    """Markdown links `[term](glossary:id)` must name a term of the glossary."""
    if isinstance(node, str):
        return [(here, _("no glossary term '{term}' (tutor/course/glossary.yaml)").format(
            term=term)) for term in unknown_glossary_links(node)]
    if isinstance(node, dict):
        return [p for key, value in node.items()
                for p in _glossary_link_problems(value, here + (key,))]
    if isinstance(node, list):
        return [p for k, value in enumerate(node)
                for p in _glossary_link_problems(value, here + (k,))]
    return []


def _kind_problems(step: AnyStep, here: Loc) -> list[Problem]:
    if isinstance(step, SingleQuiz | MultipleQuiz):
        return list(_choice_problems(step, here))
    if isinstance(step, ShortQuiz):
        return list(_short_problems(step, here))
    if isinstance(step, PanelStep | TaskStep):
        return list(_panel_problems(step, here))
    if isinstance(step, ExerciseStep) and step.exercise not in EXERCISES:
        return [(here + ("exercise",), _("unknown exercise '{exercise}'; known exercises: "
                                         "{known}").format(exercise=step.exercise,
                                                           known=", ".join(EXERCISES)))]
    return []


def _choice_problems(quiz: SingleQuiz | MultipleQuiz, here: Loc) -> Iterator[Problem]:
    if not 2 <= len(quiz.choices) <= 8:
        message = (_("a single-choice quiz needs 2 to 8 choices, not {count}")
                   if isinstance(quiz, SingleQuiz)
                   else _("a multiple-choice quiz needs 2 to 8 choices, not {count}"))
        yield here + ("choices",), message.format(count=len(quiz.choices))
    ids: dict[str, int] = {}
    for j, choice in enumerate(quiz.choices):
        if choice.id in ids:
            yield (here + ("choices", j, "id"),
                   _("duplicate choice id '{choice}' (choices[{first}] has it too)").format(
                       choice=choice.id, first=ids[choice.id]))
        else:
            ids[choice.id] = j
    flagged = [c.id for c in quiz.choices if c.correct]
    if quiz.answer is not None:
        listed = [quiz.answer] if isinstance(quiz.answer, str) else list(quiz.answer)
        for k, answer in enumerate(listed):
            if answer not in ids:
                loc = here + (("answer",) if isinstance(quiz.answer, str) else ("answer", k))
                yield loc, _("answer '{answer}' refers to no choice (choices: {ids})").format(
                    answer=answer, ids=", ".join(ids))
        if flagged:
            yield (here + ("answer",), _("give the correct choices either with `answer` or "
                                         "with `correct: true`, not both"))
        if isinstance(quiz, MultipleQuiz) and not listed:
            yield here + ("answer",), _("a multiple-choice quiz needs at least one correct choice")
        return
    if isinstance(quiz, SingleQuiz) and len(flagged) != 1:
        yield (here + ("choices",),
               _("a single-choice quiz needs exactly one correct choice, not {count}").format(
                   count=len(flagged)))
    if isinstance(quiz, MultipleQuiz) and not flagged:
        yield here + ("choices",), _("a multiple-choice quiz needs at least one correct choice")


def _short_problems(quiz: ShortQuiz, here: Loc) -> Iterator[Problem]:
    answer = quiz.answer
    if (answer.text is None) == (answer.number is None):
        yield here + ("answer",), _("a short answer needs exactly one of `text` or `number`")
    if answer.text is not None and not answer.text:
        yield here + ("answer", "text"), _("list at least one accepted answer")
    if answer.tolerance and answer.number is None:
        yield here + ("answer", "tolerance"), _("`tolerance` only applies to a `number` answer")
    if quiz.explanation is None:
        yield here, _("a short-answer quiz needs an `explanation` (shown after answering)")


def _panel_problems(step: PanelStep | TaskStep, here: Loc) -> Iterator[Problem]:
    spec = PANELS.get(step.panel)
    if spec is None:
        yield (here + ("panel",), _("unknown panel '{panel}'; known panels: {known}").format(
            panel=step.panel, known=", ".join(sorted(PANELS))))
        return
    yield from _input_problems(spec, step.inputs, here)
    if isinstance(step, TaskStep):
        for k, rule in enumerate(step.check):
            at = here + ("check", k)
            kind = spec.kind(rule.field)
            if kind is None:
                yield at + ("field",), _no_field(spec.id, rule.field, spec.results)
                continue
            problem = rule_problem(rule, kind)
            if problem is not None:
                yield at + (problem[0],), problem[1]


def _input_problems(spec: PanelSpec, inputs: dict[str, Any], here: Loc) -> Iterator[Problem]:
    for name, value in inputs.items():
        kind = spec.inputs.get(name)
        if kind is None:
            yield (here + ("inputs", name),
                   _("panel '{panel}' has no input '{name}'; it takes: {inputs}").format(
                       panel=spec.id, name=name, inputs=", ".join(spec.inputs)))
        elif not fits(value, kind):
            yield (here + ("inputs", name),
                   _("input '{name}' of panel '{panel}' must be {kind}, not {actual}").format(
                       name=name, panel=spec.id, kind=a_type(kind), actual=a_value(value)))
