"""Small drawing helpers the panels share: token colours, a heat scale, and text bars.

Everything returns Rich renderables built from plain numbers, so panels stay testable
without a terminal.
"""

from __future__ import annotations

import string
from functools import lru_cache
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.color import Color
from rich.style import Style, StyleType
from rich.text import Span, Text

from tutor.pieces import visible

# Background colours for neighbouring token pieces: distinct hues, light enough for black text.
TOKEN_BACKGROUNDS = ["#8ecae6", "#ffb703", "#90be6d", "#f4a3c0", "#c7b8ea", "#f9c74f",
                     "#79d2c0", "#f8961e"]
SPECIAL_STYLE = Style(color="white", bgcolor="#6c757d", italic=True)

# A perceptually ordered scale (viridis stops), low to high.
_HEAT_STOPS = [(0.0, (68, 1, 84)), (0.25, (59, 82, 139)), (0.5, (33, 145, 140)),
               (0.75, (94, 201, 98)), (1.0, (253, 231, 37))]

_EIGHTHS = " ▏▎▍▌▋▊▉█"


@lru_cache(maxsize=64)
def _chip_styles(slot: int) -> tuple[Style]:
    """A chip's style, built once (making a Style is slow)."""
    return (Style(color="black", bgcolor=TOKEN_BACKGROUNDS[slot]),)


def token_style(index: int, special: bool = False) -> Style:
    if special:
        return SPECIAL_STYLE
    return _chip_styles(index % len(TOKEN_BACKGROUNDS))[0]


def chip_text(piece: str, token_id: int | None = None) -> str:
    """A token's chip: the piece made visible (∅ when empty), its id written small after it."""
    chip = visible(piece) or "∅"
    return chip if token_id is None else chip + superscript(token_id)


def token_strip(pieces: list[str], specials: list[bool] | None = None,
                ids: list[int] | None = None) -> Text:
    """Token pieces as coloured chips (a space between them), each id small inside its chip.

    Built as one string plus one span per chip: appending piece by piece is several times
    slower, and every span costs again when the terminal draws it, on every keystroke.
    """
    specials = specials or [False] * len(pieces)
    n = len(TOKEN_BACKGROUNDS)
    parts: list[str] = []
    spans: list[Span] = []
    at = 0
    for i, (piece, special) in enumerate(zip(pieces, specials, strict=True)):
        chip = chip_text(piece, None if ids is None else ids[i])
        spans.append(Span(at, at + len(chip), SPECIAL_STYLE if special else
                          _chip_styles(i % n)[0]))
        parts.append(chip)
        parts.append(" ")
        at += len(chip) + 1
    return Text("".join(parts), spans=spans)


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript(number: int) -> str:
    """A token id written small after its piece, so pieces and ids read as one line."""
    return str(number).translate(_SUPERSCRIPT)


@lru_cache(maxsize=256)
def heat_color(value: float) -> Color:
    """The scale's colour for a value in [0, 1] (clamped)."""
    v = min(1.0, max(0.0, float(value)))
    for (x0, c0), (x1, c1) in zip(_HEAT_STOPS, _HEAT_STOPS[1:], strict=False):
        if v <= x1:
            f = (v - x0) / (x1 - x0)
            rgb = tuple(round(a + (b - a) * f) for a, b in zip(c0, c1, strict=True))
            return Color.from_rgb(*rgb)
    return Color.from_rgb(*_HEAT_STOPS[-1][1])


def heat_style(value: float) -> Style:
    return _heat_style(round(float(value), 2))


@lru_cache(maxsize=256)
def _heat_style(value: float) -> Style:
    # cached: a 128-token map has 16 384 cells and building a Style is slow
    return Style(color="black" if value >= 0.55 else "white", bgcolor=heat_color(value))


def bar(fraction: float, width: int) -> str:
    """A horizontal bar `width` cells long at full scale, in eighths of a cell."""
    f = min(1.0, max(0.0, fraction))
    eighths = round(f * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[rest] if rest else "")).ljust(width)


def heat_legend() -> Text:
    out = Text("0 ")
    for i in range(11):
        out.append("  ", Style(bgcolor=heat_color(i / 10)))
    out.append(" 1")
    return out


def clip(text: str, width: int) -> str:
    """At most `width` terminal cells: cut with "…" when longer. Cells, not characters: a
    Hangul syllable (or an emoji) takes two."""
    if cell_len(text) <= width:
        return text
    if width < 2:
        return "…"[:width]
    cut = set_cell_size(text, width - 1)
    if not text.startswith(cut):  # a wide character straddled the cut: drop its filler space
        cut = cut[:-1]
    return cut + "…"


def plot_label(text: str) -> str:
    """A plot's title, axis label or legend for plotext, which gives every character one
    cell: each wide character (a Hangul syllable) is followed by a zero-width space, so the
    two cells it draws in are two characters to plotext too and the plot keeps its width."""
    if text.isascii():
        return text
    return "".join(ch + "\u200b" if cell_len(ch) == 2 else ch for ch in text)


def pad(text: str, width: int, align: str = "<") -> str:
    """`text` clipped and padded to exactly `width` cells (align "<", ">" or "^"), as
    f"{text:<{width}}" would do if every character were one cell wide."""
    text = clip(text, width)
    room = width - cell_len(text)
    # centred as str.center does it, which puts an odd space left or right by parity
    left = {"<": 0, ">": room, "^": room // 2 + (room & width & 1)}[align]
    return " " * left + text + " " * (room - left)


def fill(template: str, style: StyleType = "", **values: Any) -> Text:
    """A translated sentence as Text, its {named} fields filled in wherever the translation
    put them. A value is a str (or number), a Text, or a (text, style) pair; the template's
    own words, and plain values, take `style` (one run of it, not a span per piece).

        fill(_("{n} tokens · {rate} tokens/s"), "dim", n=(str(n), "bold"), rate="12.5")
    """
    out = Text()
    run: list[str] = []  # text in `style` not yet appended

    def flush() -> None:
        if run:
            out.append("".join(run), style)
            run.clear()

    for literal, field, spec, conversion in string.Formatter().parse(template):
        run.append(literal)
        if field is None:
            continue
        value = values[field]
        if isinstance(value, Text):
            flush()
            out.append_text(value)
            continue
        value, value_style = value if isinstance(value, tuple) else (value, None)
        if conversion:
            value = repr(value) if conversion == "r" else str(value)
        if value_style is None or value_style == style:
            run.append(format(value, spec or ""))
        else:
            flush()
            out.append(format(value, spec or ""), value_style)
    flush()
    return out
