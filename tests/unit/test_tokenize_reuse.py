"""Tokenizing keystroke after keystroke gives the same tokens as tokenizing afresh.

`TextTokenizer.tokenize` reuses the previous call's Token objects where span, id and piece
agree; these tests check that the reuse never leaks a stale piece or span into a new answer.
"""

from __future__ import annotations

import pytest

from tutor.engine import Engine
from tutor.engine.types import Token


@pytest.fixture(scope="module", params=["tiny-llama", "tiny-bert"])
def engine(request: pytest.FixtureRequest) -> Engine:
    return Engine(request.param)


def forget(engine: Engine) -> None:
    """No earlier call to reuse from."""
    text = engine._get().text  # noqa: SLF001
    text._last, text._shown = {}, {}  # noqa: SLF001


def fresh(engine: Engine, text: str) -> list[Token]:
    forget(engine)
    return engine.tokens(text).tokens


EDITS = [
    ["The capital", "The capital of", "The capital of France", "The capital of Fr"],
    # an insertion at the front shifts every span after it
    ["capital city", "A capital city", "A  capital city", "capital city"],
    ["안녕 👋", "안녕하세요 👋", "x안녕하세요 👋🏽", ""],
    ["[CLS] is literal text", "[SEP] [CLS] is literal text"],
]


@pytest.mark.parametrize("texts", EDITS)
def test_keystrokes_match_fresh_tokenization(engine: Engine, texts: list[str]) -> None:
    expected = {text: fresh(engine, text) for text in texts}
    forget(engine)
    for text in texts:  # one after another, as typing does
        got = engine.tokens(text).tokens
        assert got == expected[text], text


def test_unchanged_tokens_are_reused(engine: Engine) -> None:
    before = engine.tokens("The capital of France").tokens
    after = engine.tokens("The capital of France is").tokens
    assert after[1] is before[1]  # "capital" (after the BOS/[CLS] or "The")
