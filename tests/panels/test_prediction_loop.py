"""Prediction-loop panel: one greedy step per key press, the same tokens as generation,
a stop at the limit, and the encoder-decoder mode (or its missing-model message)."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from tests.panels.harness import PanelApp, settle, shown
from tutor.app.engines import EngineHub
from tutor.app.panels.live import StatusLine
from tutor.app.panels.prediction_loop import PredictionLoopPanel, StepPipeline
from tutor.engine import MODELS, EngineError
from tutor.engine.fetch import is_present
from tutor.engine.types import GenerationSettings

PROMPT = "The capital of France is"


async def test_steps_follow_greedy_generation(tiny_hub: EngineHub) -> None:
    app = PanelApp("prediction-loop", tiny_hub, {"text": PROMPT, "max_steps": 4})
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        assert app.panel.result["steps"] == 0 and not app.panel.result["finished"]
        app.query_one(Input).focus()
        panel = app.query_one(PredictionLoopPanel)
        expected = tiny_hub.decoder().generate(PROMPT, GenerationSettings(max_new_tokens=4))
        ids = [t.id for t in expected.tokens]
        await pilot.press("enter")
        await settle(pilot, app)
        assert panel.generated == ids[:1] and app.panel.result["steps"] == 1
        pipeline = shown(app.query_one(StepPipeline))
        assert "softmax" in pipeline and expected.tokens[0].text in pipeline
        app.query_one(StepPipeline).focus()
        for _ in range(3):
            await pilot.press("s")
            await settle(pilot, app)
        result = app.panel.result
        if expected.stop_reason == "eos":  # a random tiny model may end early
            assert result["stop_reason"] == "eos"
        else:
            assert panel.generated == ids
            assert result == {"text": PROMPT, "model": "decoder", "steps": 4, "finished": True,
                              "output": tiny_hub.decoder().detokenize(ids),
                              "stop_reason": "max_steps", "valid_date": False}
            assert "reached the step limit" in shown(app.query_one("#loop-output", Static))
        await pilot.press("s")
        assert "press r" in shown(app.query_one(StatusLine))
        await pilot.press("r")
        assert app.panel.result["steps"] == 0 and panel.generated == []


async def test_editing_the_text_restarts_and_empty_text_is_refused(tiny_hub: EngineHub) -> None:
    app = PanelApp("prediction-loop", tiny_hub, {"text": PROMPT})
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        field = app.query_one(Input)
        field.focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.panel.result["steps"] == 1
        field.value = ""
        await settle(pilot, app)
        assert app.panel.result["steps"] == 0
        await pilot.press("enter")
        await settle(pilot, app)
        status = app.query_one(StatusLine)
        assert "empty" in shown(status) and status.has_class("-error")
        field.value = "😀\x00 안녕 " * 50
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.panel.result["steps"] == 1


async def test_seq2seq_mode(tiny_hub: EngineHub) -> None:
    app = PanelApp("prediction-loop", tiny_hub, {"model": "seq2seq"})
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        app.query_one(StepPipeline).focus()
        await pilot.press("s")
        await settle(pilot, app)
        text = app.query_one(Input).value
        if is_present(MODELS["dates"]):
            assert app.panel.result["steps"] == 1 and app.panel.result["model"] == "seq2seq"
            assert "encoder reads" in shown(app.query_one(StepPipeline))
        else:
            with pytest.raises(EngineError) as missing:
                tiny_hub.seq2seq().loop_step(text, [])
            assert shown(app.query_one(StatusLine)) == str(missing.value)
        await pilot.press("m")
        assert app.panel.result["model"] == "decoder" and app.query_one(Input).value == PROMPT


@pytest.mark.skipif(not is_present(MODELS["dates"]), reason="the dates model is not here")
@pytest.mark.parametrize("text", ["the 3rd of March 2021", "31/12/1999", "zzz qqq"])
async def test_valid_date_is_the_engines_verdict_on_the_finished_output(
        tiny_hub: EngineHub, text: str) -> None:
    app = PanelApp("prediction-loop", tiny_hub, {"model": "seq2seq", "text": text,
                                                  "max_steps": 16})
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        assert app.panel.result["valid_date"] is False  # nothing written yet
        app.query_one(StepPipeline).focus()
        for _ in range(17):
            if app.panel.result["finished"]:
                break
            await pilot.press("s")
            await settle(pilot, app)
        expected = tiny_hub.seq2seq().translate(text, max_steps=16)
        assert app.panel.result["output"].strip() == expected.output
        assert app.panel.result["valid_date"] is expected.valid_date
        if text == "the 3rd of March 2021":
            assert app.panel.result["valid_date"] is True  # the trained model gets this one
