"""Small drawing helpers the panels share: token colours, a heat scale, and text bars.

Everything returns Rich renderables built from plain numbers, so panels stay testable
without a terminal.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color
from rich.style import Style
from rich.text import Span, Text

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


# Control characters drawn as their Unicode pictures (␀, ␛, …): visible, and harmless to
# the terminal.
_CONTROL_PICTURES = {c: 0x2400 + c for c in range(0x20)} | {0x7F: 0x2421}


def visible(text: str) -> str:
    # translate() is slow on non-ASCII strings; most pieces have nothing to replace
    return text if text.isprintable() else text.translate(_CONTROL_PICTURES)


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
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"
