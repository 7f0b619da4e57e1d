"""How a token's piece is drawn on a terminal, by the app and the CLI alike."""

from __future__ import annotations

import contextlib
import re
import unicodedata

# Control characters drawn as their Unicode pictures (␀, ␛, …): visible, and harmless to
# the terminal.
_CONTROL_PICTURES = {c: 0x2400 + c for c in range(0x20)} | {0x7F: 0x2421}


def _letter_jamo() -> dict[int, int]:
    """Conjoining Hangul jamo (U+1100–U+11FF) -> the compatibility letter (ㄱ, ㅏ, ...).

    WordPiece's accent stripping splits 안 into ᄋ + ᅡ + ᆫ. Alone in a chip, a vowel or final
    consonant jamo is zero cells wide: a terminal draws it over the character before it (or
    not at all), so "##ᅡ" reads as "##". Its compatibility letter is the same letter, drawn
    two cells wide on its own."""
    table = {}
    for cp in range(0x1100, 0x1200):
        name = unicodedata.name(chr(cp), "")
        for kind in ("CHOSEONG ", "JUNGSEONG ", "JONGSEONG "):
            # an archaic jamo with no letter of its own is kept as it is
            with contextlib.suppress(KeyError):
                if kind in name:
                    table[cp] = ord(unicodedata.lookup(name.replace(kind, "LETTER ")))
    return table


_PICTURES = _CONTROL_PICTURES | _letter_jamo()
_JAMO = re.compile("[\u1100-\u11ff]")


def visible(text: str) -> str:
    """A token's piece as it can be drawn: control characters as their pictures, lone jamo
    as Hangul letters (display only: results and ids keep the piece as it is)."""
    # translate() is slow on non-ASCII strings; most pieces have nothing to replace
    if text.isprintable() and (text.isascii() or not _JAMO.search(text)):
        return text
    return text.translate(_PICTURES)
