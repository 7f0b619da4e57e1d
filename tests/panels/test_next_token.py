"""Next-token panel on the tiny decoder: settings reshape the bars, sampling counts draws."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from tests.panels.harness import PanelApp, settle, shown
from tutor.app.engines import EngineHub
from tutor.app.panels.live import StatusLine
from tutor.app.panels.next_token import NextTokenPanel, parse_settings

PROMPT = "The capital of France is"


async def set_input(pilot, app: PanelApp, selector: str, value: str) -> None:  # noqa: ANN001
    app.query_one(selector, Input).value = value
    await settle(pilot, app)


async def test_settings_change_the_distribution(tiny_hub: EngineHub) -> None:
    app = PanelApp("next-token", tiny_hub, {"prompt": PROMPT})
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        base = app.panel.result
        expected = tiny_hub.decoder().next_token(PROMPT, 1.0, 0, 1.0)
        assert base["greedy_token"] == expected.greedy.text.replace("␣", " ").strip()
        assert base["entropy"] == pytest.approx(expected.entropy, abs=1e-6)
        assert base["kept_count"] == expected.logits.shape[0]

        await set_input(pilot, app, "#nt-top-k", "2")
        topk = app.panel.result
        assert topk["top_k"] == 2 and topk["kept_count"] == 2
        assert len(topk["kept_tokens"]) == 2
        bars = shown(app.query_one("#nt-bars", Static))
        assert "removed by top-k" in bars and "◀ greedy" in bars

        await set_input(pilot, app, "#nt-top-k", "0")
        await set_input(pilot, app, "#nt-temperature", "0")
        greedy = app.panel.result
        assert greedy["kept_count"] == 1 and greedy["entropy"] == 0
        assert greedy["top_token"] == greedy["greedy_token"] and greedy["top_prob"] == 1.0
        assert "greedy" in shown(app.query_one("#nt-info", Static))


async def test_sample_100_shows_observed_frequencies(tiny_hub: EngineHub) -> None:
    app = PanelApp("next-token", tiny_hub, {"prompt": PROMPT, "top_k": 3})
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        await pilot.click("#nt-sample")
        await settle(pilot, app)
        assert app.panel.result["samples"] == 1
        assert "sampled:" in shown(app.query_one("#nt-info", Static))
        await pilot.press("ctrl+o")
        await settle(pilot, app)
        panel = app.query_one(NextTokenPanel)
        assert app.panel.result["samples"] == 101
        assert sum(panel.observed.values()) == 101
        # top-k 3: every draw is one of the three kept tokens
        kept = {c.id for c in panel.next.candidates if c.prob > 0}  # type: ignore[union-attr]
        assert set(panel.observed) <= kept and len(kept) == 3
        assert "seen in 101" in shown(app.query_one("#nt-bars", Static))


async def test_bad_settings_and_prompts_show_messages(tiny_hub: EngineHub) -> None:
    app = PanelApp("next-token", tiny_hub, {"prompt": ""})
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        status = app.query_one(StatusLine)
        assert "empty" in shown(status) and status.has_class("-error")
        await set_input(pilot, app, "#nt-prompt", "x" * 100_000)
        assert "only the last" in shown(status)
        assert app.panel.result["prompt"] == "x" * 100_000
        await set_input(pilot, app, "#nt-top-p", "1.5")
        assert "top-p" in shown(status) and status.has_class("-error")


def test_parse_settings_rejects_out_of_range() -> None:
    assert parse_settings("0.7", "", "") == (0.7, 0, 1.0)
    for bad in [("-1", "0", "1"), ("x", "0", "1"), ("1", "-2", "1"), ("1", "0", "0"),
                ("nan", "0", "1")]:
        with pytest.raises(ValueError):
            parse_settings(*bad)
