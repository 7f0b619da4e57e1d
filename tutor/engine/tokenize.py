"""Tokenization as a learner should see it: ids, visible pieces, character spans, specials.

`TextTokenizer` wraps a `tokenizers.Tokenizer` (the Rust tokenizer, without transformers or
torch), configured once when it is built and never changed after: that is what makes it
safe to call from the UI thread and from workers at the same time. (A transformers fast
tokenizer reconfigures its Rust tokenizer for padding or truncation inside a call, and a
second thread using it meanwhile fails with "Already borrowed".) `tutor tokens` builds one
straight from the cached tokenizer.json, so it starts without loading a model.
"""

from __future__ import annotations

import codecs
import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.engine.types import Token, Tokenization
from tutor.i18n import _

if TYPE_CHECKING:
    from tokenizers import Tokenizer

# Bytes that are only part of a character (one emoji or Hangul syllable can be split over
# several tokens) are shown in hex rather than as replacement characters.
codecs.register_error(
    "tutor_hex", lambda e: ("".join(f"<{b:02X}>" for b in e.object[e.start:e.end]), e.end)
)

SPACE_MARK = "␣"
NEWLINE_MARK = "↵"
TAB_MARK = "⇥"
_SHOWN_MAX = 65536


@lru_cache(maxsize=1)
def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-to-printable-character table, inverted (what byte-level BPE pieces use)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(
        range(ord("®"), ord("ÿ") + 1)
    )
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs, strict=True)}


def visible(text: str) -> str:
    """Text with its whitespace made visible."""
    return text.replace(" ", SPACE_MARK).replace("\n", NEWLINE_MARK).replace("\t", TAB_MARK)


def display_piece(raw: str, byte_level: bool) -> str:
    """The piece with its whitespace made visible; bytes that are not whole characters in hex."""
    if byte_level:
        table = _byte_decoder()
        if all(ch in table for ch in raw):
            return visible(bytes(table[ch] for ch in raw).decode("utf-8", errors="tutor_hex"))
        return visible(raw)
    return visible(raw.replace("▁", " "))


class TextTokenizer:
    """A model's tokenizer for reading text and showing tokens; safe from any thread."""

    def __init__(self, tokenizer: Tokenizer, model_name: str, context_length: int) -> None:
        tokenizer.no_padding()  # a saved tokenizer.json may pad or cut (MiniLM's does)
        tokenizer.no_truncation()
        self._tok, self.model_name, self.context_length = tokenizer, model_name, context_length
        self.specials = frozenset(i for i, added in tokenizer.get_added_tokens_decoder().items()
                                  if added.special)
        self.byte_level = "ByteLevel" in repr(tokenizer.decoder)
        # Shown pieces by raw piece, and the last call's tokens by span: a keystroke
        # re-tokenizes the whole text, and making every piece visible again cost more than
        # tokenizing. (Another thread at worst misses a cached entry.)
        self._shown: dict[str, str] = {}
        self._last: dict[Any, Token] = {}

    @classmethod
    def from_transformers(cls, tokenizer: Any, model_name: str,
                          context_length: int) -> TextTokenizer:
        """A copy of a transformers fast tokenizer's Rust tokenizer, for this class's own use."""
        from tokenizers import Tokenizer

        return cls(Tokenizer.from_str(tokenizer.backend_tokenizer.to_str()), model_name,
                   context_length)

    @classmethod
    def from_directory(cls, directory: Path, model_name: str) -> TextTokenizer:
        """From a model directory's tokenizer.json and config.json, without transformers."""
        from tokenizers import Tokenizer

        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        context = int(config.get("max_position_embeddings") or config.get("n_positions") or 512)
        return cls(Tokenizer.from_file(str(directory / "tokenizer.json")), model_name, context)

    def ids(self, text: str, add_special_tokens: bool = True) -> list[int]:
        return list(self._tok.encode(text, add_special_tokens=add_special_tokens).ids)

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        return str(self._tok.decode(list(ids), skip_special_tokens=skip_special_tokens))

    def piece(self, token_id: int) -> str:
        """How one id should be shown to a learner."""
        raw = self._tok.id_to_token(int(token_id))
        if raw is None:
            return f"<{token_id}>"
        return raw if int(token_id) in self.specials else self._show(raw)

    def _show(self, raw: str) -> str:
        shown = self._shown.get(raw)
        if shown is None:
            if len(self._shown) >= _SHOWN_MAX:
                self._shown = {}
            shown = self._shown[raw] = display_piece(raw, self.byte_level)
        return shown

    def tokenize(self, text: str, add_special_tokens: bool = True) -> Tokenization:
        enc = self._tok.encode(text, add_special_tokens=add_special_tokens)
        # A keystroke changes a few tokens; the others come back with the same span, id and
        # piece, and the previous call's (immutable) Token is reused instead of built again.
        before = self._last
        by_span: dict[Any, Token] = {}
        tokens = []
        for tid, span, raw in zip(enc.ids, enc.offsets, enc.tokens, strict=True):
            token = before.get(span)
            special = tid in self.specials
            if token is None or token.id != tid or token.raw != raw or token.special != special:
                shown = raw if special else self._show(raw)
                token = Token(int(tid), shown, int(span[0]), int(span[1]), special, raw)
            tokens.append(token)
            by_span[span] = token
        self._last = by_span
        notice = None
        if len(tokens) > self.context_length:
            notice = _("{count} tokens: more than the model's context window of {window}; a "
                       "prompt this long is cut from the left before the model sees it").format(
                count=len(tokens), window=self.context_length)
        return Tokenization(model=self.model_name, text=text, tokens=tokens, truncated=False,
                            notice=notice)
