"""Which writing system each character belongs to, and what each one costs in tokens.

The tokenizer panel uses this to say, for example, that Korean costs six times as many
tokens per character as English in a byte-level BPE vocabulary trained mostly on English.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from tutor.engine.types import Tokenization
from tutor.i18n import N_

# Script names are marked for the catalog here and translated where the panel shows them:
# the names are also the keys the costs are counted under.
LATIN = N_("English/Latin")
PUNCTUATION = N_("punctuation/symbols")
_BY_NAME = {"CYRILLIC": N_("Cyrillic"), "GREEK": N_("Greek"), "ARABIC": N_("Arabic"),
            "HEBREW": N_("Hebrew"), "DEVANAGARI": N_("Devanagari"), "THAI": N_("Thai")}


@lru_cache(maxsize=8192)
def script_of(ch: str) -> str:
    """A coarse script name for one character; "" for whitespace (it has no cost of its own)."""
    if ch.isspace():
        return ""
    cp = ord(ch)
    if 0xAC00 <= cp <= 0xD7A3 or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
        return N_("Korean")
    if (0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or cp in (0x200D, 0xFE0F)
            or 0x1F1E6 <= cp <= 0x1F1FF):
        return N_("emoji")
    if 0x3040 <= cp <= 0x30FF:
        return N_("Japanese")
    if 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF:
        return N_("Chinese characters")
    if ch.isdigit():
        return N_("digits")
    if unicodedata.category(ch)[0] in "PS":
        # "," or "!" next to Korean is not English: counted as Latin, one comma made the
        # panel compare Korean's cost with "English" at one character per token
        return PUNCTUATION
    if ch.isascii():
        return LATIN
    name = unicodedata.name(ch, "")
    if name.startswith("LATIN"):
        return LATIN
    for script, shown in _BY_NAME.items():
        if name.startswith(script):
            return shown
    if unicodedata.category(ch).startswith("C"):
        return N_("control")
    return N_("other")


@lru_cache(maxsize=8192)
def _first_script(piece: str) -> str:
    """The script of a token's first visible character (pieces repeat: "␣the", "ing", ...);
    the panel asks for every token on every keystroke."""
    return next((s for s in map(script_of, piece) if s), "")


@dataclass(frozen=True, slots=True)
class ScriptCost:
    script: str
    chars: int
    tokens: int

    @property
    def chars_per_token(self) -> float:
        return self.chars / self.tokens if self.tokens else 0.0


def script_costs(tok: Tokenization) -> list[ScriptCost]:
    """Characters and tokens per script, most characters first.

    A token counts for the script of the first visible character of its span; the byte
    pieces of one character split over several tokens all count for that character's script.
    """
    chars: dict[str, int] = {}
    for ch, n in Counter(tok.text).items():
        s = script_of(ch)
        if s:
            chars[s] = chars.get(s, 0) + n
    tokens: dict[str, int] = {}
    for t in tok.tokens:
        if t.special:
            continue
        s = _first_script(tok.text[t.start:t.end])
        if s:
            tokens[s] = tokens.get(s, 0) + 1
    out = [ScriptCost(s, n, tokens.get(s, 0)) for s, n in chars.items()]
    return sorted(out, key=lambda c: -c.chars)
