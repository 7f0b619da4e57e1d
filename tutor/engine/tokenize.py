"""Tokenization as a learner should see it: ids, visible pieces, character spans, specials."""

from __future__ import annotations

import codecs
from functools import lru_cache
from typing import Any

from tutor.engine.types import Token, Tokenization

# Bytes that are only part of a character (one emoji or Hangul syllable can be split over
# several tokens) are shown in hex rather than as replacement characters.
codecs.register_error(
    "tutor_hex", lambda e: ("".join(f"<{b:02X}>" for b in e.object[e.start:e.end]), e.end)
)

SPACE_MARK = "␣"
NEWLINE_MARK = "↵"
TAB_MARK = "⇥"


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


def is_byte_level(tokenizer: Any) -> bool:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    decoder = getattr(backend, "decoder", None)
    return decoder is not None and "ByteLevel" in repr(decoder)


def _visible(text: str) -> str:
    return text.replace(" ", SPACE_MARK).replace("\n", NEWLINE_MARK).replace("\t", TAB_MARK)


def display_piece(raw: str, byte_level: bool) -> str:
    """The piece with its whitespace made visible; bytes that are not whole characters in hex."""
    if byte_level:
        table = _byte_decoder()
        if all(ch in table for ch in raw):
            data = bytes(table[ch] for ch in raw)
            return _visible(data.decode("utf-8", errors="tutor_hex"))
        return _visible(raw)
    return _visible(raw.replace("▁", " "))


# Shown pieces by raw piece, one table per kind of tokenizer: a keystroke re-tokenizes the
# whole text, and turning every piece back into visible characters again cost more than the
# tokenizer itself.
_SHOWN: dict[bool, dict[str, str]] = {True: {}, False: {}}
_SHOWN_MAX = 65536
# The last call's tokens by character span, per model and kind of tokenizer.
_LAST: dict[tuple[str, bool], dict[Any, Token]] = {}


def _remember_piece(raw: str, byte_level: bool) -> str:
    table = _SHOWN[byte_level]
    if len(table) >= _SHOWN_MAX:
        table.clear()
    shown = table[raw] = display_piece(raw, byte_level)
    return shown


def token_text(tokenizer: Any, token_id: int) -> str:
    """How one id should be shown to a learner."""
    raw = tokenizer.convert_ids_to_tokens(int(token_id))
    if raw is None:
        return f"<{token_id}>"
    if int(token_id) in set(tokenizer.all_special_ids):
        return raw
    return display_piece(raw, is_byte_level(tokenizer))


def tokenize(model_name: str, tokenizer: Any, text: str, context_length: int,
             add_special_tokens: bool = True) -> Tokenization:
    enc = tokenizer(text, return_offsets_mapping=True, add_special_tokens=add_special_tokens)
    ids: list[int] = list(enc["input_ids"])
    offsets = [span if isinstance(span, tuple) else tuple(span)
               for span in enc["offset_mapping"]]
    # a fast tokenizer's encoding already holds the pieces: no call per id
    encodings = getattr(enc, "encodings", None)
    raws = encodings[0].tokens if encodings else tokenizer.convert_ids_to_tokens(ids)
    specials = set(tokenizer.all_special_ids)
    byte_level = is_byte_level(tokenizer)
    shown_of = _SHOWN[byte_level]
    # A keystroke changes a few tokens; the others come back with the same span, id and
    # piece, and the previous call's (immutable) Token is reused instead of built again.
    key = (model_name, byte_level)
    before = _LAST.get(key, {})
    by_span: dict[Any, Token] = {}
    tokens = []
    for tid, span, raw in zip(ids, offsets, raws, strict=True):
        token = before.get(span)
        special = tid in specials
        if token is None or token.id != tid or token.raw != raw or token.special != special:
            start, end = span
            if special:
                token = Token(int(tid), raw, int(start), int(end), True, raw)
            else:
                shown = shown_of.get(raw)
                if shown is None:
                    shown = _remember_piece(raw, byte_level)
                token = Token(int(tid), shown, int(start), int(end), False, raw)
        tokens.append(token)
        by_span[span] = token
    if len(_LAST) > 16:
        _LAST.clear()
    _LAST[key] = by_span
    notice = None
    if len(tokens) > context_length:
        notice = (f"{len(tokens)} tokens: more than the model's context window of "
                  f"{context_length}; a prompt this long is cut from the left before the model "
                  "sees it")
    return Tokenization(model=model_name, text=text, tokens=tokens,
                        truncated=False, notice=notice)
