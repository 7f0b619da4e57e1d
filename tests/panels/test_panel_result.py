"""The helper that recomputes declared numbers: it opens a panel with a lesson's inputs
and returns what the panel publishes, driving the panels that need an action."""

from __future__ import annotations

from pathlib import Path

from tests.panels.harness import panel_result
from tests.real.test_lesson_numbers import groups, mismatches
from tutor.app.engines import EngineHub
from tutor.course.schema import NumberDecl
from tutor.engine.types import GenerationSettings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lessons"


async def test_tokenizer_numbers_are_the_engines(tiny_hub: EngineHub) -> None:
    [(key, declared)] = groups(FIXTURES).items()
    assert key == ("tokenizer", '{"text": "Hello world"}')
    result = await panel_result("tokenizer", tiny_hub, {"text": "Hello world"})
    count = sum(1 for t in tiny_hub.decoder().tokens("Hello world").tokens if not t.special)
    assert result["token_count"] == count
    wrong = mismatches(result, declared)
    assert wrong == ([] if count == 2 else [
        f"lesson second, number hello-tokens: expected 2 ± 0 (tokenizer.token_count), "
        f"measured {count}"])


async def test_generation_and_loop_are_driven_to_a_result(tiny_hub: EngineHub) -> None:
    result = await panel_result("generation", tiny_hub,
                                {"prompt": "The capital of France is", "max_new_tokens": 5})
    expected = tiny_hub.decoder().generate("The capital of France is",
                                           GenerationSettings(max_new_tokens=5))
    assert result["runs"] == 1 and result["text"] == expected.text
    result = await panel_result("prediction-loop", tiny_hub,
                                {"text": "The capital of France is", "max_steps": 3})
    assert result["finished"] and result["steps"] == min(3, result["steps"]) > 0


def test_a_number_off_by_more_than_its_tolerance_is_named() -> None:
    number = NumberDecl(id="paris-top", panel="next-token", inputs={}, field="top_prob",
                        value=0.37, tolerance=0.02)
    assert mismatches({"top_prob": 0.385}, [("lesson-one", number)]) == []
    assert mismatches({"top_prob": 0.5}, [("lesson-one", number)]) == [
        "lesson lesson-one, number paris-top: expected 0.37 ± 0.02 (next-token.top_prob), "
        "measured 0.5"]
    assert "measured None" in mismatches({"top_prob": None}, [("l", number)])[0]
    assert "measured None" in mismatches({}, [("l", number)])[0]
