"""Translated lessons: `lessons/<lang>/NN-topic.yaml` beside the English `lessons/NN-topic.yaml`.

A translation carries the same lesson id, step ids, quiz choice ids and correctness, panel
names and inputs, task checks, declared numbers and exercise ids as the English lesson; only
prose differs. It may hold fewer steps than the English lesson: a step not yet translated is
shown in English with a visible note. Anything structural that differs is "drift", reported
at the translation's file:line by `tutor check`; the app then shows that lesson in English.

Drift is found on the raw YAML trees, not on the pydantic models, so every field a later
step kind or schema change adds is structural (must match) unless it is named as prose here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.course.loader import (
    Course,
    LessonEntry,
    LessonError,
    Position,
    field_path,
    lesson_files,
    load_lesson,
    parse_lesson_tree,
)
from tutor.course.validate import Loc
from tutor.i18n import _, ngettext

# Keys whose values are prose at any depth; everything else must match the English file.
PROSE = frozenset({"title", "summary", "objectives", "body", "question", "explanation", "goal",
                   "hint", "success", "pass", "fail", "hints"})
# `text` is prose in a quiz choice and in a short answer's accepted answers, but model input
# under a panel's `inputs` (a prompt must stay English where the model is English).
PROSE_TEXT_PARENTS = frozenset({"choices", "answer"})
LANGUAGE_CODE_LENGTH = 2  # folders named by ISO 639-1 codes


@dataclass(slots=True)
class Translation:
    """One language's lessons merged over the English course."""

    lang: str
    course: Course
    errors: list[LessonError] = field(default_factory=list)
    # lesson id -> step ids shown in English (the whole lesson where its translation drifted)
    fallback: dict[str, frozenset[str]] = field(default_factory=dict)

    def untranslated(self, lesson_id: str, step_id: str) -> bool:
        steps = self.fallback.get(lesson_id)
        return steps is not None and step_id in steps


def languages(lessons_dir: Path) -> list[str]:
    """Language codes with a folder of translated lessons (`lessons/ko/`)."""
    if not lessons_dir.is_dir():
        return []
    return sorted(p.name for p in lessons_dir.iterdir()
                  if p.is_dir() and len(p.name) == LANGUAGE_CODE_LENGTH and p.name.isalpha()
                  and p.name.islower())


def _is_prose(loc: Loc) -> bool:
    key = loc[-1] if loc else None
    if not isinstance(key, str):
        # an item of a prose list (objectives[2], hints[0]) or of a prose answer list
        parents = [k for k in loc if isinstance(k, str)]
        return bool(parents) and (parents[-1] in PROSE or
                                  (parents[-1] == "text" and _text_is_prose(loc)))
    if key in PROSE and "inputs" not in loc and "numbers" not in loc:
        return True
    return key == "text" and _text_is_prose(loc)


def _text_is_prose(loc: Loc) -> bool:
    named = [k for k in loc if isinstance(k, str)]
    return "inputs" not in named and any(p in PROSE_TEXT_PARENTS for p in named)


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def structural_drift(english: Any, translated: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Where `translated` differs from `english` other than in prose, as (location, message)."""
    if _is_prose(loc):
        return
    if isinstance(english, dict) and isinstance(translated, dict):
        for key, value in english.items():
            if key == "steps" and loc == ():
                continue  # steps are paired by id in `step_drift`
            if key not in translated:
                if not _is_prose(loc + (key,)):
                    yield loc, _("missing `{key}` (the English lesson has {value})").format(
                        key=key, value=_describe(value))
                continue
            yield from structural_drift(value, translated[key], loc + (key,))
        for key in translated:
            if key not in english:
                yield loc + (key,), _("`{key}` is not in the English lesson").format(key=key)
        return
    if isinstance(english, list) and isinstance(translated, list):
        if len(english) != len(translated):
            yield loc, ngettext("{count} item where the English lesson has {english}",
                                "{count} items where the English lesson has {english}",
                                len(translated)).format(count=len(translated),
                                                        english=len(english))
            return
        for i, (a, b) in enumerate(zip(english, translated, strict=True)):
            yield from structural_drift(a, b, loc + (i,))
        return
    if english != translated or type(english) is not type(translated):
        yield loc, _("is {value} where the English lesson has {english}").format(
            value=_describe(translated), english=_describe(english))


def step_drift(english_steps: list[Any], translated_steps: list[Any]) -> Iterator[tuple[Loc, str]]:
    """Pair steps by id: unknown ids, order changes and structural drift inside a step."""
    english_ids = [s.get("id") for s in english_steps if isinstance(s, dict)]
    by_id = {s.get("id"): s for s in english_steps if isinstance(s, dict)}
    last = -1
    for i, step in enumerate(translated_steps):
        if not isinstance(step, dict):
            continue
        step_id = step.get("id")
        if step_id not in by_id:
            yield ("steps", i, "id"), _("step '{step}' is not in the English lesson").format(
                step=step_id)
            continue
        position = english_ids.index(step_id)
        if position < last:
            yield ("steps", i, "id"), _("step '{step}' comes before a step it follows in the "
                                        "English lesson").format(step=step_id)
        last = max(last, position)
        for loc, message in structural_drift(by_id[step_id], step):
            yield ("steps", i) + loc, message


def _error(path: Path, index: dict[Loc, Position], loc: Loc, message: str) -> LessonError:
    probe = loc
    while probe and probe not in index:
        probe = probe[:-1]
    line, col = index.get(probe, (1, 1))
    return LessonError(path, line, col, field_path(loc) or "(file)", message)


def _translate_entry(english: LessonEntry, path: Path) -> tuple[LessonEntry, list[LessonError],
                                                                frozenset[str]]:
    """The lesson shown in the translation's language, its errors, and its English steps."""
    all_steps = frozenset(s.id for s in english.lesson.steps) if english.lesson else frozenset()
    translated = load_lesson(path)
    if translated.errors or translated.lesson is None or english.lesson is None:
        return english, list(translated.errors), all_steps
    parsed_en, parsed_tr = parse_lesson_tree(english.path), parse_lesson_tree(path)
    if isinstance(parsed_en, LessonError) or isinstance(parsed_tr, LessonError):
        return english, [], all_steps
    (en_tree, _), (tr_tree, tr_index) = parsed_en, parsed_tr
    errors = [_error(path, tr_index, loc, message)
              for loc, message in structural_drift(en_tree, tr_tree)]
    errors += [_error(path, tr_index, loc, message)
               for loc, message in step_drift(en_tree.get("steps", []), tr_tree.get("steps", []))]
    if errors:
        return english, errors, all_steps
    ours = {s.id: s for s in translated.lesson.steps}
    steps = [ours.get(s.id, s) for s in english.lesson.steps]
    lesson = translated.lesson.model_copy(update={"steps": steps})
    merged = LessonEntry(path=english.path, id=english.id, title=lesson.title,
                         order=english.order, lesson=lesson, id_position=english.id_position)
    return merged, [], frozenset(s.id for s in english.lesson.steps if s.id not in ours)


def translate_course(english: Course, lessons_dir: Path, lang: str) -> Translation:
    """The course in `lang`, each lesson from `lessons_dir/<lang>/` where one is there."""
    folder = lessons_dir / lang
    files = lesson_files([folder]) if folder.is_dir() else []
    by_id: dict[str, Path] = {}
    errors: list[LessonError] = []
    for path in files:
        entry_id = load_lesson(path).id
        if english.entry(entry_id) is None:
            errors.append(LessonError(path, 1, 1, "id", _(
                "no English lesson has the id '{lesson}' (translations pair with lessons by "
                "id)").format(lesson=entry_id)))
            continue
        by_id[entry_id] = path
    entries: list[LessonEntry] = []
    fallback: dict[str, frozenset[str]] = {}
    for entry in english.entries:
        path = by_id.get(entry.id)
        if path is None or not entry.ok:
            entries.append(entry)
            if entry.lesson is not None:
                fallback[entry.id] = frozenset(s.id for s in entry.lesson.steps)
            continue
        merged, problems, english_steps = _translate_entry(entry, path)
        errors.extend(problems)
        entries.append(merged)
        if english_steps:
            fallback[entry.id] = english_steps
    return Translation(lang, Course(entries, list(english.errors)), errors, fallback)
