"""Task check rules: whether a rule fits a panel's result fields, and whether a result passes."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tutor.course.schema import Rule
from tutor.i18n import N_, _

ORDERING: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _types(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def fits(value: Any, kind: type | tuple[type, ...]) -> bool:
    """isinstance, except that a bool is not a number (YAML `true` is no count)."""
    kinds = _types(kind)
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, int) and float in kinds:
        return True
    return isinstance(value, kinds)


# what a value is, in words: for a field's type, and for a YAML value an author wrote
TYPE_WORDS: dict[type, str] = {
    bool: N_("a boolean"), int: N_("an integer"), float: N_("a number"), str: N_("a string"),
    list: N_("a list"), dict: N_("a mapping"), type(None): N_("empty (null)"),
}


def a_type(kind: type | tuple[type, ...]) -> str:
    """`str` -> "a string", `(list, str)` -> "a list or a string", in the learner's language."""
    kinds = _types(kind)
    if set(kinds) == {int, float}:
        return _("a number")
    words = [_(TYPE_WORDS[k]) if k in TYPE_WORDS else k.__name__ for k in kinds]
    shown = words[0]
    for word in words[1:]:
        shown = _("{first} or {second}").format(first=shown, second=word)
    return shown


def a_value(value: Any) -> str:
    """What kind of value `value` is, in words: "an integer", "empty (null)"."""
    word = TYPE_WORDS.get(type(value))
    return _(word) if word else type(value).__name__


def rule_problem(rule: Rule, field_type: type | tuple[type, ...]) -> tuple[str, str] | None:
    """Why a rule cannot apply to a result field of this type: (rule key, message), or None."""
    kinds = _types(field_type)
    op, value = rule.op, rule.value
    if op in ("==", "!="):
        if not fits(value, field_type):
            return "value", _("`{field}` is {kind}; {value} can never equal it").format(
                field=rule.field, kind=a_type(field_type), value=repr(value))
    elif op in ORDERING:
        if not all(k in (int, float) for k in kinds):
            return "op", _("`{op}` compares numbers but `{field}` is {kind}").format(
                op=op, field=rule.field, kind=a_type(field_type))
        if not _is_number(value):
            return "value", _("`{op}` needs a number, not {value}").format(op=op,
                                                                          value=repr(value))
    elif op in ("contains", "not_contains"):
        if list in kinds:
            if isinstance(value, list):
                return "value", _("`{op}` on a list takes one item, not a list").format(op=op)
        elif str in kinds:
            if not isinstance(value, str):
                return "value", _("`{op}` on the string `{field}` needs a string value").format(
                    op=op, field=rule.field)
        else:
            return "op", _("`{op}` needs a list or string field; `{field}` is {kind}").format(
                op=op, field=rule.field, kind=a_type(field_type))
    elif op == "matches":
        if str not in kinds:
            return "op", _("`matches` needs a string field; `{field}` is {kind}").format(
                field=rule.field, kind=a_type(field_type))
        if not isinstance(value, str):
            return "value", _("`matches` needs a regular expression string")
        try:
            re.compile(value)
        except re.error as err:
            return "value", _("invalid regular expression: {error}").format(error=err)
    return None


@dataclass(frozen=True, slots=True)
class Outcome:
    rule: Rule
    passed: bool
    actual: Any

    def describe(self, description: str | None = None) -> str:
        """A learner-facing line in plain words: the rule's own `pass`/`fail` sentence, else
        the rule worded from the field's description (a panel's N_ message, translated
        here); never a regex or a Python repr."""
        mark = "✓" if self.passed else "✗"
        own = self.rule.pass_ if self.passed else self.rule.fail
        if own is not None:
            return f"{mark} {own}"
        subject = _capital(_(description) if description else self.rule.field.replace("_", " "))
        claim = _(_CLAIMS[self.rule.op][0 if self.passed else 1]).format(
            subject=subject, value=plain(self.rule.value))
        if self.passed or self.actual is None:
            return f"{mark} {claim}"
        return f"{mark} " + _("{claim} (now: {actual})").format(claim=claim,
                                                              actual=plain(self.actual))


# op -> (the line when the rule holds, the line when it does not yet)
_CLAIMS: dict[str, tuple[str, str]] = {
    "==": (N_("{subject} is {value}"), N_("{subject} should be {value}")),
    "!=": (N_("{subject} is not {value}"), N_("{subject} should not be {value}")),
    "<": (N_("{subject} is below {value}"), N_("{subject} should be below {value}")),
    "<=": (N_("{subject} is at most {value}"), N_("{subject} should be at most {value}")),
    ">": (N_("{subject} is above {value}"), N_("{subject} should be above {value}")),
    ">=": (N_("{subject} is at least {value}"), N_("{subject} should be at least {value}")),
    "contains": (N_("{subject} include {value}"), N_("{subject} should include {value}")),
    "not_contains": (N_("{subject} do not include {value}"),
                     N_("{subject} should not include {value}")),
    # a regex means nothing to a learner: say only whether it fits
    "matches": (N_("{subject} has the form the task asks for"),
                N_("{subject} does not have the form the task asks for yet")),
}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def plain(value: Any, items: int = 5) -> str:
    """A value as a person writes it: 0.56 not 0.5642110316463845, “pizza” not 'pizza'."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return "“" + shown.replace("\n", "↵") + "”" if value else _("nothing")
    if isinstance(value, list | tuple):
        if not value:
            return _("none")
        shown = ", ".join(plain(v) for v in value[:items])
        if len(value) <= items:
            return shown
        return _("{shown} and {count} more").format(shown=shown, count=len(value) - items)
    return str(value)


_MISSING = object()


def holds(rule: Rule, result: dict[str, Any]) -> tuple[bool, Any]:
    """Whether one rule holds on a result; a missing field or mismatched type never holds."""
    actual = result.get(rule.field, _MISSING)
    if actual is _MISSING:
        return False, None
    op, value = rule.op, rule.value
    try:
        if op == "==":
            return actual == value, actual
        if op == "!=":
            return actual != value, actual
        if op in ORDERING:
            return _is_number(actual) and ORDERING[op](actual, value), actual
        if op in ("contains", "not_contains"):
            inside = value in actual if isinstance(actual, list | str) else False
            return inside == (op == "contains"), actual
        if op == "matches":
            return isinstance(actual, str) and re.search(str(value), actual) is not None, actual
    except (TypeError, re.error):
        return False, actual
    return False, actual


def evaluate(rules: Iterable[Rule], result: dict[str, Any]) -> list[Outcome]:
    outcomes = []
    for rule in rules:
        passed, actual = holds(rule, result)
        outcomes.append(Outcome(rule, passed, actual))
    return outcomes


def all_pass(outcomes: list[Outcome]) -> bool:
    return bool(outcomes) and all(o.passed for o in outcomes)
