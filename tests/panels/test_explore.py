"""Explore panel on the tiny decoder: append, rewind, branch, colours, and its results."""

from __future__ import annotations

import math
import threading
from typing import Any

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


async def test_a_long_prompt_shows_its_end(tiny_hub: EngineHub,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.app.panels import explore

    monkeypatch.setattr(explore, "SHOWN_TOKENS", 12)  # the tiny model reads 128 at most
    prompt = "The capital of France is Paris. " * 4 + "The end"
    app = PanelApp("explore", tiny_hub, {"prompt": prompt})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        text = shown(app.query_one("#ex-text", Static))
        assert "earlier tokens)" in text and text.rstrip().endswith("The end▌")
        assert not text.startswith("The capital")
        assert app.panel.result["text"] == prompt


class SlowScores:
    """The tiny decoder, whose scores wait until the test lets them through."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.gate = threading.Event()
        self.gate.set()

    def score(self, *args: Any, **kwargs: Any) -> Any:
        self.gate.wait(30)
        return self.inner.score(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def test_an_appended_token_shows_before_the_model_answers(tiny_hub: EngineHub) -> None:
    slow = SlowScores(tiny_hub.decoder())

    class Hub:
        """The tiny hub, with the slow decoder."""

        def decoder(self) -> Any:
            return slow

        def __getattr__(self, name: str) -> Any:
            return getattr(tiny_hub, name)

    app = PanelApp("explore", Hub(), {"prompt": PROMPT})  # type: ignore[arg-type]
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        panel = app.query_one(ExplorePanel)
        assert panel.score is not None
        chosen = panel.score.next.candidates[1]
        app.query_one(CandidateList).focus()
        slow.gate.clear()
        await pilot.press("down", "enter")
        await pilot.pause(0.2)
        text = shown(app.query_one("#ex-text", Static))
        assert text.rstrip().endswith(chosen.text.replace("␣", " ") + "▌")
        assert "asking the model" in shown(app.query_one(CandidateList))
        slow.gate.set()
        await settle(pilot, app)
        assert panel.branch == [chosen.id] and app.panel.result["off_greedy"] == 1
        assert "asking the model" not in shown(app.query_one(CandidateList))
