"""Read lesson files into validated `Lesson`s, or into errors that point at file:line:col.

ruamel.yaml's round-trip loader keeps the position of every key and item, rejects duplicate
keys and reads YAML 1.2 (so `no` stays a string). The tree becomes plain Python values plus
an index from field path to position; pydantic and `validate` report field paths, which the
index turns back into lines.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, SequenceNode

from tutor.course import schema
from tutor.course.rules import a_value
from tutor.course.schema import Lesson
from tutor.course.validate import (
    Loc,
    duplicate_number_ids,
    duplicate_step_ids,
    lesson_problems,
    lesson_warnings,
    number_problems,
    step_problems,
)
from tutor.i18n import N_, _, ngettext

Position = tuple[int, int]  # 1-based line and column
_ORDER_PREFIX = re.compile(r"^(\d+)[-_]")
# ruamel's sentence for a repeated key (its other YAML errors are shown as it words them)
_DUPLICATE = re.compile(r'^found duplicate key (?P<key>".*?") with value (?P<value>".*?") '
                        r'\(original value: (?P<first>".*?")\)$')
_TAGS = ("kind", "type")  # the discriminators pydantic adds to error locations
_STEP: TypeAdapter[schema.AnyStep] = TypeAdapter(schema.Step)
_NUMBER: TypeAdapter[schema.NumberDecl] = TypeAdapter(schema.NumberDecl)


@dataclass(frozen=True, slots=True)
class LessonError:
    path: Path
    line: int
    col: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}:{self.col}: {self.field}: {self.message}"


@dataclass(slots=True)
class LessonEntry:
    """One lesson file: its lesson when valid, else its errors (the map shows it as broken)."""

    path: Path
    id: str
    title: str
    order: int | None
    lesson: Lesson | None = None
    errors: list[LessonError] = field(default_factory=list)
    warnings: list[LessonError] = field(default_factory=list)  # printed by `tutor check`
    id_position: Position = (1, 1)

    @property
    def ok(self) -> bool:
        return self.lesson is not None and not self.errors


@dataclass(slots=True)
class Course:
    entries: list[LessonEntry]
    errors: list[LessonError] = field(default_factory=list)  # problems with no lesson of their own

    @property
    def lessons(self) -> list[Lesson]:
        return [e.lesson for e in self.entries if e.ok and e.lesson is not None]

    @property
    def all_errors(self) -> list[LessonError]:
        return self.errors + [err for e in self.entries for err in e.errors]

    def entry(self, lesson_id: str) -> LessonEntry | None:
        return next((e for e in self.entries if e.id == lesson_id), None)

    def lesson(self, lesson_id: str) -> Lesson | None:
        entry = self.entry(lesson_id)
        return entry.lesson if entry is not None and entry.ok else None


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# -- YAML to plain values with positions ---------------------------------------------------
def _plain(node: Any, loc: Loc, index: dict[Loc, Position]) -> Any:
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            line, col = node.lc.key(key)
            index[loc + (key,)] = (line + 1, col + 1)
            out[key if isinstance(key, str | int) else str(key)] = _plain(value, loc + (key,), index)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            line, col = node.lc.item(i)
            index[loc + (i,)] = (line + 1, col + 1)
            items.append(_plain(value, loc + (i,), index))
        return items
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def parse_lesson_tree(path: Path) -> tuple[Any, dict[Loc, Position]] | LessonError:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return LessonError(path, 1, 1, "(file)", _("cannot read: {error}").format(error=err))
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = " ".join(str(err.problem or err.context or "invalid YAML").split())
        where = "(yaml)"
        if isinstance(err, DuplicateKeyError) and mark is not None:
            where = _key_path_at(yaml, text, mark.line, mark.column) or where
            duplicate = _DUPLICATE.match(problem)
            problem = (_("duplicate key {key} with value {value} (first value: {first})").format(
                key=duplicate["key"], value=duplicate["value"], first=duplicate["first"])
                if duplicate else problem.replace("found duplicate key", "duplicate key"))
        return LessonError(path, line, col, where, problem)
    except Exception as err:  # ruamel raises a few unmarked errors (bad tags, encodings)
        return LessonError(path, 1, 1, "(yaml)", " ".join(str(err).split()))
    index: dict[Loc, Position] = {(): (1, 1)}
    if isinstance(tree, CommentedMap):
        index[()] = (tree.lc.line + 1, tree.lc.col + 1)
    return _plain(tree, (), index), index


def _key_path_at(yaml: YAML, text: str, line: int, col: int) -> str | None:
    """The field path of the mapping key at a position, found on the composed node tree
    (composing does not construct, so it does not stop at the duplicate)."""

    def walk(node: Any, loc: Loc) -> Loc | None:
        if isinstance(node, MappingNode):
            for key, value in node.value:
                here = loc + (str(key.value),)
                if key.start_mark.line == line and key.start_mark.column == col:
                    return here
                found = walk(value, here)
                if found is not None:
                    return found
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                found = walk(item, loc + (i,))
                if found is not None:
                    return found
        return None

    try:
        found = walk(yaml.compose(text), ())
    except Exception:
        return None
    return field_path(found) if found else None


# -- error locations -------------------------------------------------------------------------
def _resolve(tree: Any, loc: Sequence[Any], index: dict[Loc, Position]) -> tuple[Loc, Position]:
    """Drop pydantic's discriminator tags from `loc`; find the deepest position that exists."""
    clean: list[str | int] = []
    node = tree
    position = index.get((), (1, 1))
    exists = True
    for i, part in enumerate(loc):
        if exists and isinstance(node, dict):
            # an exercise step has a field named like its kind: pydantic's tag comes first,
            # so a tag followed by more of the path is the tag, not the field
            if (i + 1 < len(loc) and part in node
                    and any(node.get(tag) == part for tag in _TAGS)):
                continue
            if part in node:
                clean.append(part)
                node = node[part]
                position = index.get(tuple(clean), position)
                continue
            if any(node.get(tag) == part for tag in _TAGS):
                continue
        elif exists and isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            clean.append(part)
            node = node[part]
            position = index.get(tuple(clean), position)
            continue
        if isinstance(part, str) and (part.startswith("function-") or part.startswith("[")):
            continue
        clean.append(part)
        exists = False  # a missing key: stay on the parent's line
    return tuple(clean), position


def field_path(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(lesson)"


def _model_at(tree: Any, loc: Loc) -> type[BaseModel] | None:
    """Which model describes the mapping at `loc`, to list its fields for an unknown key."""
    items: dict[str, type[BaseModel]] = {
        "references": schema.Reference, "choices": schema.Choice, "check": schema.Rule,
        "numbers": schema.NumberDecl,
    }
    model: type[BaseModel] | None = schema.Lesson
    node = tree
    previous: str | int | None = None
    for part in loc:
        node = node[part] if isinstance(node, dict | list) else None
        if isinstance(part, int):
            if previous == "steps":
                model = _step_model(node) if isinstance(node, dict) else None
            else:
                model = items.get(str(previous))
        elif part in items or part == "steps":
            model = None  # a list: the next part is an index
        elif model is schema.ShortQuiz and part == "answer":
            model = schema.ShortAnswer
        else:
            return None
        if model is None and isinstance(part, int):
            return None
        previous = part
    return model


def _step_model(node: dict[str, Any]) -> type[BaseModel] | None:
    kinds: dict[str, type[BaseModel]] = {
        "read": schema.ReadStep, "panel": schema.PanelStep, "task": schema.TaskStep,
        "exercise": schema.ExerciseStep,
    }
    if node.get("kind") == "quiz":
        quizzes: dict[str, type[BaseModel]] = {
            "single": schema.SingleQuiz, "multiple": schema.MultipleQuiz, "short": schema.ShortQuiz,
        }
        return quizzes.get(node.get("type"))  # type: ignore[arg-type]
    return kinds.get(node.get("kind"))  # type: ignore[arg-type]


_TYPE_WORDS = {
    "string_type": N_("a string"), "int_type": N_("an integer"), "float_type": N_("a number"),
    "bool_type": N_("true or false"), "list_type": N_("a list"), "dict_type": N_("a mapping"),
    "model_type": N_("a mapping of fields"), "model_attributes_type": N_("a mapping of fields"),
    "int_from_float": N_("a whole number"),
}
_PATTERN_WORDS = {
    r"^[a-z0-9]+(-[a-z0-9]+)*$": N_("must be lowercase letters and digits joined by dashes, "
                                    "like `attention-heads`"),
    r"^\S+$": N_("must be one word with no spaces"),
    r"^https?://\S+$": N_("must be an http(s) link"),
}
def _describe(value: Any) -> str:
    return _("empty") if value is None else a_value(value)


def _message(err: Any, tree: Any, clean: Loc) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    if kind == "missing":
        return _("missing required field")
    if kind == "extra_forbidden":
        model = _model_at(tree, clean[:-1])
        if model is None:
            return _("unknown field")
        names = [f.alias or name for name, f in model.model_fields.items()]
        close = difflib.get_close_matches(str(clean[-1]), names, n=1)
        if close:
            return _("unknown field (did you mean `{guess}`? allowed here: {fields})").format(
                guess=close[0], fields=", ".join(names))
        return _("unknown field (allowed here: {fields})").format(fields=", ".join(names))
    if kind == "union_tag_invalid":
        return _("unknown {what} '{tag}'; expected one of: {expected}").format(
            what=str(ctx.get("discriminator", "kind")).strip(chr(39)), tag=ctx.get("tag"),
            expected=str(ctx.get("expected_tags", "")).replace(chr(39), ""))
    if kind == "union_tag_not_found":
        what = str(ctx.get("discriminator", "kind")).strip("'")
        expected = schema.STEP_KINDS if what == "kind" else schema.QUIZ_TYPES
        return _("missing `{what}` (one of: {expected})").format(what=what,
                                                                expected=", ".join(expected))
    if kind in _TYPE_WORDS:
        if value is None:
            return _("must not be empty")
        return _("must be {kind}, not {actual}").format(kind=_(_TYPE_WORDS[kind]),
                                                        actual=_describe(value))
    if kind == "string_too_short":
        return _("must not be empty")
    if kind == "string_pattern_mismatch":
        words = _PATTERN_WORDS.get(ctx.get("pattern", ""))
        return _(words) if words else _("must match {pattern}").format(pattern=ctx.get("pattern"))
    if kind == "too_short":
        return ngettext("needs at least {least} item, not {actual}",
                        "needs at least {least} items, not {actual}",
                        int(ctx.get("min_length") or 0)).format(
            least=ctx.get("min_length"), actual=ctx.get("actual_length"))
    if kind == "too_long":
        return ngettext("allows at most {most} item, not {actual}",
                        "allows at most {most} items, not {actual}",
                        int(ctx.get("max_length") or 0)).format(
            most=ctx.get("max_length"), actual=ctx.get("actual_length"))
    if kind in ("greater_than_equal", "greater_than"):
        return _("must be at least {bound}, not {value}").format(
            bound=ctx.get("ge", ctx.get("gt")), value=repr(value))
    if kind in ("less_than_equal", "less_than"):
        return _("must be at most {bound}, not {value}").format(
            bound=ctx.get("le", ctx.get("lt")), value=repr(value))
    if kind == "literal_error":
        return _("must be one of: {expected}; not {value}").format(
            expected=str(ctx.get("expected", "")).replace(chr(39), ""), value=repr(value))
    # pydantic's own sentence (a validator's ValueError in tutor.course.schema): English
    msg = str(err.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ")
    return msg[:1].lower() + msg[1:]


# -- loading -------------------------------------------------------------------------------
def _order_from_name(path: Path) -> int | None:
    match = _ORDER_PREFIX.match(path.name)
    return int(match.group(1)) if match else None


def load_lesson(path: Path) -> LessonEntry:
    path = Path(path)
    entry = LessonEntry(path=path, id=path.stem, title=path.stem, order=_order_from_name(path))
    parsed = parse_lesson_tree(path)
    if isinstance(parsed, LessonError):
        entry.errors.append(parsed)
        return entry
    tree, index = parsed
    if tree is None:
        entry.errors.append(LessonError(path, 1, 1, "(file)", _("the lesson file is empty")))
        return entry
    if not isinstance(tree, dict):
        entry.errors.append(LessonError(
            path, 1, 1, "(file)", _("a lesson file must be a mapping of fields (id, title, ...)")))
        return entry
    if isinstance(tree.get("id"), str):
        entry.id = tree["id"]
        entry.id_position = index.get(("id",), (1, 1))
    if isinstance(tree.get("title"), str):
        entry.title = tree["title"]
    if isinstance(tree.get("order"), int) and not isinstance(tree.get("order"), bool):
        entry.order = tree["order"]

    def add(loc: Sequence[Any], message: str) -> None:
        clean, (line, col) = _resolve(tree, loc, index)
        entry.errors.append(LessonError(path, line, col, field_path(clean), message))

    try:
        lesson = Lesson.model_validate(tree)
    except ValidationError as err:
        for e in err.errors(include_url=False):
            loc = tuple(e["loc"])
            if e["type"] in ("union_tag_invalid", "union_tag_not_found"):
                loc += (str((e.get("ctx") or {}).get("discriminator", "kind")).strip("'"),)
            clean, _position = _resolve(tree, loc, index)
            add(loc, _message(e, tree, clean))
        # the checks beyond structure still run on every step that is valid on its own,
        # so an author sees all the errors of a file at once
        steps = tree.get("steps")
        if isinstance(steps, list):
            for loc, message in duplicate_step_ids([s.get("id") for s in steps
                                                    if isinstance(s, dict)]):
                add(loc, message)
            for i, raw in enumerate(steps):
                try:
                    step = _STEP.validate_python(raw)
                except ValidationError:
                    continue
                for loc, message in step_problems(step, i):
                    add(loc, message)
        numbers = tree.get("numbers")
        if isinstance(numbers, list):
            for loc, message in duplicate_number_ids(
                    [n.get("id") if isinstance(n, dict) else None for n in numbers]):
                add(loc, message)
            for k, raw in enumerate(numbers):
                try:
                    number = _NUMBER.validate_python(raw)
                except ValidationError:
                    continue
                for loc, message in number_problems(number, k):
                    add(loc, message)
        entry.errors.sort(key=lambda e: (e.line, e.col))
        return entry
    for loc, message in lesson_problems(lesson):
        add(loc, message)
    if entry.order is None:
        add((), _("no order: name the file with a number prefix (`05-attention.yaml`) "
                  "or set `order:`"))
    entry.errors.sort(key=lambda e: (e.line, e.col))
    if not entry.errors:
        entry.lesson = lesson
        for loc, message in lesson_warnings(lesson):
            clean, (line, col) = _resolve(tree, loc, index)
            entry.warnings.append(LessonError(path, line, col, field_path(clean),
                                              _("warning: {message}").format(message=message)))
    return entry


def lesson_files(paths: Iterable[Path]) -> list[Path]:
    """The lesson files named by `paths`: files as given, directories' *.yaml/*.yml."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir()
                                if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            files.append(path)
    return files


def load_course(paths: Iterable[Path] | Path) -> Course:
    """Every lesson under `paths` in course order; a broken file never stops the others."""
    if isinstance(paths, Path | str):
        paths = [Path(paths)]
    entries = [load_lesson(p) for p in lesson_files(paths)]
    seen: dict[str, LessonEntry] = {}
    for entry in entries:
        first = seen.get(entry.id)
        if first is None:
            seen[entry.id] = entry
            continue
        line, col = entry.id_position
        entry.errors.append(LessonError(
            entry.path, line, col, "id",
            _("duplicate lesson id '{lesson}' (also in {path}:{line})").format(
                lesson=entry.id, path=display_path(first.path), line=first.id_position[0])))
        entry.lesson = None
    entries.sort(key=lambda e: (e.order if e.order is not None else 10**9, e.path.name))
    return Course(entries)
