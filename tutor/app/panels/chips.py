"""Token pieces as coloured chips in a long, scrolling body, drawn only where it is seen.

The tokenizer panel redraws its chips on every keystroke. Built as one Rich Text with a span
per chip, a 2 000-character text cost tens of milliseconds to convert and wrap in full on
each keystroke and again on each repaint; here the wrapping is integer arithmetic over chip
widths, and styled segments are made only for the lines on screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from tutor.app.panels.render import TOKEN_BACKGROUNDS, chip_text, token_style
from tutor.engine.types import Token


class TokenChips(Widget):
    """The pieces as coloured chips, wrapped to the width like words, drawn line by line.

    A 2 000-character text makes about 400 chips and 60 lines, of which the scroll box shows
    14: laying out the chips is cheap integer work done for all of them, but only the lines
    on screen are turned into styled segments, and only the lines whose chips changed are
    drawn again after a keystroke (typing at the end leaves the lines above as they were).
    """

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._tokens: list[Token] = []
        self._chips: list[str] = []
        self._widths: list[int] = []
        self._slots: list[int] = []  # colour slot; -1 for a special token
        self._tail = ""
        self._layout_width = -1
        self._lines: list[Line] = []

    # -- data --------------------------------------------------------------------------------
    def set_tokens(self, tokens: Sequence[Token], tail: str = "") -> None:
        """Show these tokens (ids written small in their chips), then `tail` on its own line."""
        # the engine hands back the same Token objects for the text before an edit: their
        # chips are kept as they are
        before = self._tokens
        keep, limit = 0, min(len(tokens), len(before))
        while keep < limit and tokens[keep] is before[keep]:
            keep += 1
        chips = self._chips[:keep]
        widths = self._widths[:keep]
        slots = self._slots[:keep]
        n = len(TOKEN_BACKGROUNDS)
        for i in range(keep, len(tokens)):
            t = tokens[i]
            chip, width = _chip(t.text, t.id)
            chips.append(chip)
            widths.append(width)
            slots.append(-1 if t.special else i % n)
        self._tokens = list(tokens)
        width = self._layout_width
        old_lines = self._lines
        old = (self._chips, self._slots)
        self._chips, self._widths, self._slots, self._tail = chips, widths, slots, tail
        if width < 0:  # not laid out yet: the first layout draws everything
            self.refresh(layout=True)
            return
        self._lines = wrap_chips(chips, widths, width, tail)
        if len(self._lines) != len(old_lines):
            self.refresh(layout=True)
            return
        changed = [y for y, (line, before) in enumerate(zip(self._lines, old_lines,
                                                            strict=True))
                   if not self._same_line(line, before, *old)]
        for y in changed:
            self.refresh(Region(0, y, self.size.width, 1))

    @property
    def plain(self) -> str:
        """Every chip and the tail as plain text (what a learner would read, for tests)."""
        text = " ".join(self._chips)
        return f"{text}\n{self._tail}" if self._tail else text

    def _same_line(self, line: Line, before: Line, old_chips: list[str],
                   old_slots: list[int]) -> bool:
        """Whether a line draws exactly what it drew before the tokens changed."""
        start, end, fragment = line
        o_start, o_end, o_fragment = before
        if fragment is not None or o_fragment is not None or start < 0 or o_start < 0:
            return False
        return (self._chips[start:end] == old_chips[o_start:o_end]
                and self._slots[start:end] == old_slots[o_start:o_end])

    # -- layout ------------------------------------------------------------------------------
    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines_for(width))

    def _lines_for(self, width: int) -> list[Line]:
        if width != self._layout_width:
            self._layout_width = width
            self._lines = wrap_chips(self._chips, self._widths, width, self._tail)
        return self._lines

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.visual_style.rich_style
        lines = self._lines_for(width)
        if y >= len(lines):
            return Strip.blank(width, base)
        start, end, fragment = lines[y]
        if start < 0:  # a line of the tail
            return Strip([Segment(fragment or "", base + TAIL_STYLE)]).adjust_cell_length(
                width, base)
        if fragment is not None:  # one piece of a chip wider than the line
            segments = [Segment(fragment, base + _slot_style(self._slots[start]))]
        else:
            segments = []
            chips, slots = self._chips, self._slots
            gap = Segment(" ", base)
            for i in range(start, end):
                segments.append(Segment(chips[i], base + _slot_style(slots[i])))
                segments.append(gap)
        return Strip(segments).adjust_cell_length(width, base)


# A line of chips: (first chip, end chip, None), or (chip, chip + 1, the part of a chip too
# wide for one line), or (-1, -1, a line of the tail).
Line = tuple[int, int, str | None]
TAIL_STYLE = Style(italic=True)


def wrap_chips(chips: Sequence[str], widths: Sequence[int], width: int,
               tail: str = "") -> list[Line]:
    """Chips (each followed by a space) placed greedily on lines `width` cells wide.

    As with words, the space after a chip may hang past the edge; a chip wider than a whole
    line is folded over as many lines as it needs.
    """
    width = max(1, width)
    lines: list[Line] = []
    start = 0
    at = 0
    for i, w in enumerate(widths):
        if at and at + w > width:
            lines.append((start, i, None))
            start, at = i, 0
        if w > width:
            lines.extend((i, i + 1, part) for part in chop_cells(chips[i], width))
            start, at = i + 1, 0
            continue
        at += w + 1
    if start < len(widths):
        lines.append((start, len(widths), None))
    if tail:
        lines.extend((-1, -1, part) for part in chop_cells(tail, width))
    return lines


_CHIPS: dict[tuple[str, int], tuple[str, int]] = {}


def _chip(piece: str, token_id: int) -> tuple[str, int]:
    """A chip's text (the piece, its id small after it) and width in cells, made once."""
    key = (piece, token_id)
    hit = _CHIPS.get(key)
    if hit is None:
        if len(_CHIPS) > 65536:
            _CHIPS.clear()
        chip = chip_text(piece, token_id)
        hit = _CHIPS[key] = (chip, cell_len(chip))
    return hit


def _slot_style(slot: int) -> Style:
    return token_style(0, special=True) if slot < 0 else token_style(slot)
