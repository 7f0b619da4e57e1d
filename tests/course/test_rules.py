from __future__ import annotations

import pytest

from tutor.course.panels import PANELS
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


def test_feedback_uses_the_rules_own_sentences() -> None:
    rule = Rule.model_validate({"field": "text", "op": "matches", "value": r"^\s*\S+$",
                                "pass": "One word: good.", "fail": "Type a single word."})
    [failed] = evaluate([rule], {"text": "two words"})
    [passed] = evaluate([rule], {"text": "one"})
    assert failed.describe("the text in the box") == "✗ Type a single word."
    assert passed.describe("the text in the box") == "✓ One word: good."


@pytest.mark.parametrize(("rule", "result", "line"), [
    # the wording the issue saw in code, now in plain words
    (Rule(field="cache_speedup", op=">", value=1), {"cache_speedup": 0.5642110316463845},
     "✗ How many times faster should be above 1 (now: 0.564)"),
    (Rule(field="kept_tokens", op="not_contains", value="pizza"),
     {"kept_tokens": ["a", "the", "pizza", "pasta", "soup", "rice", "bread"]},
     "✗ The kept tokens should not include “pizza” (now: “a”, “the”, “pizza”, “pasta”, "
     "“soup” and 2 more)"),
    (Rule(field="prompt", op="matches", value=r"^\s*\S+(\s+\S+){0,5}\s*$"),
     {"prompt": "a b c d e f g h"}, "✗ The prompt does not have the form the task asks for yet "
     "(now: “a b c d e f g h”)"),
    (Rule(field="causal", op="==", value=True), {"causal": True},
     "✓ Whether causal is yes"),
    (Rule(field="token_count", op=">=", value=3), {"token_count": 12_000},
     "✓ The count is at least 3"),
])
def test_feedback_is_worded_from_the_description(rule: Rule, result: dict[str, object],
                                                 line: str) -> None:
    descriptions = {"cache_speedup": "how many times faster", "kept_tokens": "the kept tokens",
                    "prompt": "the prompt", "causal": "whether causal",
                    "token_count": "the count"}
    [outcome] = evaluate([rule], result)
    text = outcome.describe(descriptions[rule.field])
    assert text == line
    assert "'" not in text and "\\s" not in text and "_" not in text


def test_every_published_field_has_a_one_line_description() -> None:
    for spec in PANELS.values():
        assert spec.subject is None or spec.subject in spec.results, spec.id
        for name, published in spec.results.items():
            text = published.description
            assert text and "\n" not in text and not text.endswith("."), (spec.id, name)
            assert len(text) <= 100, (spec.id, name)
