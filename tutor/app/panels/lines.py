"""A scrolling list of styled lines that draws only the lines in view.

A Static given 256 lines lays out and renders all of them on every update; this widget
turns a line into segments only when it scrolls into view, so its cost follows the
height of the screen, not the length of the list.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineView(ScrollView):
    """Lines of Rich Text, one per row, none wrapped."""

    DEFAULT_CSS = """
    LineView {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines: list[Text] = []
        self._strips: dict[int, Strip] = {}

    @property
    def plain(self) -> str:
        """Every line's text (for tests and tools), whatever is in view."""
        return "\n".join(line.plain for line in self.lines)

    def set_lines(self, lines: list[Text]) -> None:
        self.lines = lines
        self._strips.clear()
        width = max((line.cell_len for line in lines), default=0)
        self.virtual_size = Size(width, len(lines))
        self.refresh(layout=True)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        index = scroll_y + y
        base = self.rich_style
        if index >= len(self.lines):
            return Strip.blank(width, base)
        strip = self._strips.get(index)
        if strip is None:
            segments = self.lines[index].render(self.app.console)
            strip = Strip([Segment(s.text, base + s.style if s.style else base)
                           for s in segments if s.text != "\n"])
            self._strips[index] = strip
        return strip.crop(scroll_x, scroll_x + width).adjust_cell_length(width, base)
