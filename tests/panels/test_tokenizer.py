"""Tokenizer panel on the tiny models: typing re-tokenizes, both tokenizers side by side."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Input, Static

from tests.panels.harness import PanelApp, settle, shown
from tutor.app.engines import EngineHub
from tutor.app.panels.chips import TokenChips, wrap_chips
from tutor.app.panels.render import superscript, visible
from tutor.app.panels.tokenizer import TokenColumn, cost_lines
from tutor.engine.types import Token


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
        assert "Korean: 5 non-space chars" in costs
        assert "English's cost per character" in costs
        assert not app.query_one("#tok-encoder", TokenColumn).display


def visible_lines(chips: TokenChips) -> list[str]:
    """The chip lines the scroll box shows now, as the compositor asks for them."""
    box = chips.parent
    assert isinstance(box, VerticalScroll)
    top = round(box.scroll_y)
    crop = Region(0, top, chips.size.width, min(box.size.height, chips.size.height - top))
    return [strip.text for strip in chips.render_lines(crop)]


def chip_of(token: Token) -> str:
    return (visible(token.text) or "∅") + superscript(token.id)


async def test_long_text_typing_and_scrolling(tiny_hub: EngineHub) -> None:
    words = "Tokenizers cut text into pieces; common words stay whole. "
    text = (words * 40)[:1990]
    app = PanelApp("tokenizer", tiny_hub, {"text": text, "model": "decoder"})
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot, app)
        app.query_one(Input).focus()
        await pilot.press("end", *"zebra")
        await settle(pilot, app)
        typed = text + "zebra"
        tok = tiny_hub.decoder().tokens(typed)
        pieces = [t for t in tok.tokens if not t.special]
        assert app.panel.result["text"] == typed
        assert app.panel.result["token_count"] == len(pieces)
        summary = shown(app.query_one("#tok-decoder .tok-summary", Static))
        assert summary.startswith(f"{len(pieces)} token")
        assert f"{len(typed)} chars" in summary
        chips = app.query_one("#tok-decoder .tok-strip", TokenChips)
        box = chips.parent
        assert isinstance(box, VerticalScroll)
        assert box.max_scroll_y > 0  # far more lines than the box shows
        top = visible_lines(chips)
        assert top[0].startswith(" ".join(chip_of(t) for t in tok.tokens[:3]))
        last = " ".join(chip_of(t) for t in tok.tokens[-2:])
        assert not any(last in line for line in top)
        box.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        bottom = visible_lines(chips)
        assert any(line.rstrip().endswith(last) for line in bottom)
        # every chip is drawn exactly once, in order, over all the lines
        every = [chips.render_line(y).text.rstrip() for y in range(chips.size.height)]
        assert " ".join(every) == " ".join(chip_of(t) for t in tok.tokens)


def test_wrap_chips_places_chips_like_words() -> None:
    # widths 3, 4, 2 on 8 cells: "aaa bbbb" fits (the space after may hang), "cc" wraps
    assert wrap_chips(["aaa", "bbbb", "cc"], [3, 4, 2], 8) == [(0, 2, None), (2, 3, None)]
    # a chip wider than the line is folded over lines of its own
    lines = wrap_chips(["ab", "0123456789", "c"], [2, 10, 1], 4, tail="… more")
    assert lines == [(0, 1, None), (1, 2, "0123"), (1, 2, "4567"), (1, 2, "89"),
                     (2, 3, None), (-1, -1, "… mo"), (-1, -1, "re")]
    assert wrap_chips([], [], 10) == []


async def test_changes_queued_faster_than_handled_are_tokenized_once(
        tiny_hub: EngineHub) -> None:
    app = PanelApp("tokenizer", tiny_hub, {"text": "The"})
    async with app.run_test(size=(110, 30)) as pilot:
        await settle(pilot, app)
        box = app.query_one(Input)
        before = len(app.results)
        for text in ("The c", "The ca", "The cap"):  # three Changed messages queued at once
            box.value = text
        await settle(pilot, app)
        assert [r["text"] for r in app.results[before:]] == ["The cap"]
        assert app.query_one("#tok-decoder", TokenColumn).tokenization.text == "The cap"  # type: ignore[union-attr]


def test_punctuation_is_not_counted_as_english(tiny_hub: EngineHub) -> None:
    # a comma beside Korean used to count as "English", and the panel compared Korean's cost
    # with one comma's
    korean = cost_lines(tiny_hub.decoder().tokens("안녕하세요, 만나서")).plain
    assert "English" not in korean
    assert "Korean: 8 non-space chars" in korean
    assert "punctuation/symbols: 1 non-space char → 1 token " in korean
    english = cost_lines(tiny_hub.decoder().tokens("Hello, world! 안녕")).plain
    assert "English/Latin: 10 non-space chars" in english
    assert "punctuation/symbols: 2 non-space chars" in english
    punctuation = next(line for line in english.splitlines() if line.startswith("punct"))
    assert "English's cost" not in punctuation  # a cost of script, not of a comma
    assert "English's cost per character" in english
