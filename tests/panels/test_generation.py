"""Generation panel on the tiny decoder: streaming equals the engine's generation, the cache
comparison fills both lines, and keys are handled while a long generation streams."""

from __future__ import annotations

import re

from textual.widgets import Input, Select, Static, TextArea

from tests.panels.harness import PanelApp, settle, shown
from tests.panels.slow import SlowHub
from tutor.app.engines import EngineHub
from tutor.app.panels.generation import PRESETS, GenerationPanel
from tutor.app.panels.live import StatusLine
from tutor.engine.types import GenerationSettings

PROMPT = "The capital of France is"


async def test_generate_streams_the_engine_output(tiny_hub: EngineHub) -> None:
    app = PanelApp("generation", tiny_hub, {"prompt": PROMPT, "max_new_tokens": 8})
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, app)
        assert app.panel.result["runs"] == 0
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        expected = tiny_hub.decoder().generate(PROMPT, GenerationSettings(max_new_tokens=8))
        result = app.panel.result
        assert result["runs"] == 1 and result["text"] == expected.text
        assert result["token_count"] == len(expected.tokens)
        assert result["stop_reason"] == expected.stop_reason
        assert result["tokens_per_s"] > 0 and result["use_cache"] is True
        assert set(result) == set(GenerationPanel.spec().results)
        assert (result["runs_cached"], result["runs_uncached"]) == (1, 0)
        assert result["chat"] is False and result["prompt_tokens"] == expected.prompt_tokens > 0
        # an independent oracle for "ends in a loop": a span repeated 3 times at the end
        ids = ",".join(str(t.id) for t in expected.tokens) + ","
        assert result["repeats"] is bool(re.search(r"((?:\d+,)+?)\1\1$", ids))
        panel = app.query_one(GenerationPanel)
        assert [t.id for t in panel.tokens] == [t.id for t in expected.tokens]
        stats = shown(app.query_one("#gen-stats", Static))
        assert "tokens/s" in stats and "first token" in stats and "device cpu" in stats
        assert "stopped:" in stats


async def test_cache_on_and_off_is_measured_by_context(tiny_hub: EngineHub) -> None:
    """Cache on vs off times one more token at growing context, interleaved and repeated;
    the panel reports every length and its verdict (never asserted: the machine decides)."""
    app = PanelApp("generation", tiny_hub, {"prompt": PROMPT, "max_new_tokens": 6})
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, app)
        await pilot.click("#gen-compare")
        await settle(pilot, app)
        panel = app.query_one(GenerationPanel)
        cost = panel.cost
        assert cost is not None and [p.context for p in cost.points] == [33, 125]
        assert all(len(p.cached_ms) == len(p.uncached_ms) == cost.repeats == 3
                   for p in cost.points)
        result = app.panel.result
        assert result["runs_cached"] == result["runs_uncached"] == 6
        assert result["runs"] == 12
        assert result["cache_speedup"] == (cost.longest.speedup if cost.conclusive else 0.0)
        stats = shown(app.query_one("#gen-stats", Static))
        assert stats.startswith("KV cache, one more token (median of 3 interleaved repeats)")
        assert "tokens/s" not in stats  # no generation ran: no empty run line
        assert "33 in context" in stats and "125 in context" in stats
        status = shown(app.query_one(StatusLine))
        assert status == cost.summary()
        if not cost.conclusive:
            assert status.startswith("Too noisy to conclude")

        # a plain run afterwards still counts by its cache setting
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert (app.panel.result["runs_cached"], app.panel.result["runs_uncached"]) == (7, 6)


async def test_presets_and_bad_settings(tiny_hub: EngineHub) -> None:
    app = PanelApp("generation", tiny_hub, {"preset": "one-shot"})
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, app)
        prompt = app.query_one("#gen-prompt", TextArea)
        assert prompt.text == PRESETS["one-shot"]
        app.query_one(Select).value = "few-shot"
        await pilot.pause()
        assert prompt.text == PRESETS["few-shot"] and prompt.text.count("Sentiment:") == 4
        status = app.query_one(StatusLine)
        app.query_one("#gen-max", Input).value = "0"
        await pilot.press("ctrl+g")
        assert "max new tokens" in shown(status) and status.has_class("-error")
        app.query_one("#gen-max", Input).value = "2"
        prompt.text = ""
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert "empty" in shown(status)
        prompt.text = "x" * 100_000
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert "only the last" in shown(status) and app.panel.result["token_count"] == 2


async def test_keys_are_handled_while_a_long_generation_streams(tiny_hub: EngineHub) -> None:
    app = PanelApp("generation", SlowHub(tiny_hub, delay=0.05),
                   {"prompt": PROMPT, "max_new_tokens": 100})
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, app)
        panel = app.query_one(GenerationPanel)
        await pilot.press("ctrl+g")
        for _ in range(100):
            await pilot.pause(0.05)
            if len(panel.tokens) >= 3:
                break
        assert panel.is_running("generate")
        seed = app.query_one("#gen-seed", Input)
        seed.focus()
        await pilot.press("4", "2")
        assert seed.value == "42"
        made = len(panel.tokens)
        assert panel.is_running("generate") and made < 100
        await pilot.pause(0.3)
        assert len(panel.tokens) > made  # still streaming after the keys were handled
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert not panel.is_running("generate")
        assert app.panel.result["stop_reason"] == "cancelled"
        assert app.panel.result["token_count"] == len(panel.tokens) < 100
