from __future__ import annotations

import pytest

from tutor.course.rules import all_pass, evaluate, rule_problem
from tutor.course.schema import Rule

RESULT = {"token_count": 4, "text": "unbelievable", "tokens": ["un", "believ", "able"],
          "top_prob": 0.5, "causal": True}


@pytest.mark.parametrize(("field", "op", "value", "expected"), [
    ("token_count", ">=", 3, True),
    ("token_count", ">", 4, False),
    ("token_count", "<", 5, True),
    ("token_count", "<=", 3, False),
    ("token_count", "==", 4, True),
    ("token_count", "!=", 4, False),
    ("top_prob", ">", 0.25, True),
    ("tokens", "contains", "able", True),
    ("tokens", "not_contains", "able", False),
    ("text", "contains", "believ", True),
    ("text", "matches", r"^un\w+e$", True),
    ("text", "matches", r"^re", False),
    ("causal", "==", True, True),
    ("missing_field", "==", 1, False),
    ("text", ">", 3, False),  # a type mismatch never passes, never raises
])
def test_rule_outcomes(field: str, op: str, value: object, expected: bool) -> None:
    [outcome] = evaluate([Rule(field=field, op=op, value=value)], RESULT)  # type: ignore[arg-type]
    assert outcome.passed is expected
    assert outcome.describe().startswith("✓" if expected else "✗")


def test_all_pass_needs_every_rule() -> None:
    rules = [Rule(field="token_count", op=">=", value=3), Rule(field="text", op="==", value="x")]
    assert not all_pass(evaluate(rules, RESULT))
    assert all_pass(evaluate(rules[:1], RESULT))
    assert not all_pass([])


@pytest.mark.parametrize(("rule", "kind", "key"), [
    (Rule(field="n", op=">=", value="3"), int, "value"),
    (Rule(field="s", op=">", value=3), str, "op"),
    (Rule(field="s", op="matches", value="("), str, "value"),
    (Rule(field="b", op="contains", value=1), bool, "op"),
    (Rule(field="n", op="==", value=True), int, "value"),
])
def test_rule_problems(rule: Rule, kind: type, key: str) -> None:
    problem = rule_problem(rule, kind)
    assert problem is not None and problem[0] == key


def test_a_fitting_rule_has_no_problem() -> None:
    assert rule_problem(Rule(field="p", op="<", value=1), (int, float)) is None
