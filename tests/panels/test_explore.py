"""Explore panel on the tiny decoder: append, rewind, branch, colours, and its results."""

from __future__ import annotations

import math

import pytest
from textual.widgets import Input, Static

from tests.panels.harness import PanelApp, settle, shown
from tutor.app.engines import EngineHub
from tutor.app.panels.explore import CandidateList, ExplorePanel
from tutor.app.panels.live import StatusLine

PROMPT = "The capital of France is"


async def press(pilot, app: PanelApp, *keys: str) -> None:  # noqa: ANN001
    for key in keys:
        await pilot.press(key)
        await settle(pilot, app)


async def test_append_rewind_and_branches(tiny_hub: EngineHub) -> None:
    engine = tiny_hub.decoder()
    app = PanelApp("explore", tiny_hub, {"prompt": PROMPT})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        panel = app.query_one(ExplorePanel)
        start = engine.score(PROMPT)
        assert app.panel.result == {"text": PROMPT, "log_prob": start.log_prob,
                                    "perplexity": start.perplexity, "chosen": [],
                                    "off_greedy": 0}
        app.query_one(CandidateList).focus()
        # the first candidate is greedy's pick; the third is not
        await press(pilot, app, "enter", "down", "down", "enter")
        first, third = start.next.candidates[0], None
        after = engine.score(PROMPT, [first.id])
        third = after.next.candidates[2]
        assert panel.branch == [first.id, third.id]
        result = app.panel.result
        expected = engine.score(PROMPT, [first.id, third.id])
        assert result["log_prob"] == pytest.approx(expected.log_prob)
        assert result["perplexity"] == pytest.approx(
            math.exp(-expected.log_prob / (len(expected.tokens) - 1)))
        assert result["off_greedy"] == 1 and len(result["chosen"]) == 2
        assert "where greedy would differ" in shown(app.query_one("#ex-stats", Static))

        # a branch from here, rewound and continued differently; the first branch is kept
        await press(pilot, app, "b", "backspace", "enter")
        assert panel.branches[0] == [first.id, third.id]
        assert panel.branches[1] == [first.id, after.next.candidates[0].id]
        assert app.panel.result["off_greedy"] == 0
        await press(pilot, app, "left_square_bracket")
        assert panel.current == 0 and app.panel.result["off_greedy"] == 1
        await press(pilot, app, "backspace", "backspace", "backspace")
        assert panel.branch == [] and app.panel.result["chosen"] == []


async def test_colours_switch_and_cuts_are_marked(tiny_hub: EngineHub) -> None:
    app = PanelApp("explore", tiny_hub, {"prompt": PROMPT, "top_k": 2})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        listing = shown(app.query_one(CandidateList))
        assert listing.count("cut by top-k") == 8 and "greedy" in listing
        legend = app.query_one("#ex-legend", Static)
        assert "probability" in shown(legend)
        app.query_one(CandidateList).focus()
        await press(pilot, app, "c")
        assert "entropy" in shown(legend)


async def test_bad_prompt_and_settings_are_sentences(tiny_hub: EngineHub) -> None:
    app = PanelApp("explore", tiny_hub, {"prompt": ""})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        status = app.query_one(StatusLine)
        assert "empty" in shown(status) and status.has_class("-error")
        app.query_one("#ex-prompt", Input).value = "The"
        await settle(pilot, app)
        assert "one token" in shown(status)
        assert app.panel.result["perplexity"] is None and app.panel.result["log_prob"] == 0
        app.query_one("#ex-top-p", Input).value = "2"
        await settle(pilot, app)
        assert "top-p" in shown(status) and status.has_class("-error")
