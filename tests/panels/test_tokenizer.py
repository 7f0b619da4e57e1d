"""Tokenizer panel on the tiny models: typing re-tokenizes, both tokenizers side by side."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from tests.panels.harness import PanelApp, settle, shown
from tutor.app.engines import EngineHub
from tutor.app.panels.tokenizer import TokenChips, TokenColumn


async def test_typing_updates_tokens(tiny_hub: EngineHub) -> None:
    app = PanelApp("tokenizer", tiny_hub, {"text": "The capital"})
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        first = app.panel.result
        expected = tiny_hub.decoder().tokens("The capital")
        assert first["ids"] == [t.id for t in expected.tokens if not t.special]
        assert first["word_count"] == 2
        app.query_one(Input).focus()
        await pilot.press("end", *" of France")
        await settle(pilot, app)
        after = app.panel.result
        assert after["text"] == "The capital of France"
        assert after["token_count"] > first["token_count"]
        enc = tiny_hub.encoder().tokens("The capital of France")
        assert after["encoder_token_count"] == sum(1 for t in enc.tokens if not t.special)
        strip = app.query_one("#tok-decoder .tok-strip", TokenChips).plain
        for piece in after["tokens"]:
            assert piece in strip
        # the encoder column shows its special tokens
        enc_strip = app.query_one("#tok-encoder .tok-strip", TokenChips).plain
        assert "[CLS]" in enc_strip and "[SEP]" in enc_strip


@pytest.mark.parametrize("text", ["", "\x00\x07\x1b[31m", "😀👍🏽 안녕 مرحبا Привет",
                                  "a" * 100_000])
async def test_bad_input_never_crashes(tiny_hub: EngineHub, text: str) -> None:
    app = PanelApp("tokenizer", tiny_hub, {"text": text})
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        result = app.panel.result
        assert result["text"] == text
        column = app.query_one("#tok-decoder", TokenColumn)
        assert column.tokenization is not None
        if len(text) > 10_000:
            assert "showing the first" in app.query_one("#tok-decoder .tok-strip",
                                                        TokenChips).plain


async def test_korean_costs_more_than_english(tiny_hub: EngineHub) -> None:
    app = PanelApp("tokenizer", tiny_hub, {"text": "The capital 안녕하세요", "model": "decoder"})
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        costs = shown(app.query_one("#tok-decoder .tok-costs", Static))
        assert "Korean: 5 chars" in costs and "English's cost per character" in costs
        assert not app.query_one("#tok-encoder", TokenColumn).display
