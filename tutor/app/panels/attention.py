"""Attention panel: one layer's and head's attention map of the learner's sentence, the
selected query token's weights as bars, and all heads of a layer as small multiples."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

import numpy as np
from rich.cells import cell_len
from rich.columns import Columns
from rich.console import Group
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Button, Input, Static

from tutor.app.engines import Role
from tutor.app.panels.base import panel_css
from tutor.app.panels.lines import LineView
from tutor.app.panels.live import JobAnswer, LivePanel
from tutor.app.panels.next_token import plain
from tutor.app.panels.render import (
    bar,
    clip,
    fill,
    heat_color,
    heat_legend,
    heat_style,
    pad,
    visible,
)
from tutor.engine.types import AttentionMaps
from tutor.i18n import _, ngettext

LABEL_WIDTH = 10  # row labels (query tokens)
HEADER_HEIGHT = 2  # key tokens, written across above their columns (two staggered rows)
CELL = 3  # the narrowest cell: a weight in hundredths fits
MAX_CELL = 8  # the widest: wider cells only spread the map thin
NARROW = 110  # panel width under which the bars go below the map
MINI_MAX = 32  # small multiples wider than this are pooled down
SELECTED = Style(bold=True, underline=True)
_KEY = Style(reverse=True)


def cell_text(weight: float, masked: bool, cell: int = CELL) -> str:
    """A weight as the map writes it: hundredths, '·' for nearly nothing, blank if masked."""
    if masked:
        return " " * cell
    pct = round(weight * 100)
    text = str(pct) if pct > 0 else "·"
    return f"{text:>{CELL}}".center(cell)


def cell_width(available: int, n: int) -> int:
    """Characters per cell: grow with the room there is, down to CELL (then the map scrolls)."""
    if n <= 0:
        return CELL
    return max(CELL, min(MAX_CELL, available // n))


def header_lines(labels: list[str], cell: int) -> list[list[str]]:
    """The key tokens written across, above their columns: on one line when every label
    fits its cell, else alternately on two lines so each has two cells of room.

    Each line is a list with one entry per terminal cell, so a column starts at the same
    index however wide the characters before it: a wide character (Hangul, an emoji) fills
    its first cell and leaves "" in its second; a zero-width one joins the character before."""
    n = len(labels)
    one_row = all(cell_len(lab) < cell for lab in labels)
    rows = [[" "] * (n * cell) for _ in range(HEADER_HEIGHT)]
    for k, lab in enumerate(labels):
        if one_row:
            text, row = pad(lab, cell - 1, "^"), 1
        else:
            # the last label may run past its cell to the edge of the map, never past
            room = min(2 * cell, n * cell - k * cell) - 1
            text, row = clip(lab, room), k % 2
        line, at = rows[row], k * cell
        for ch in text:
            width = cell_len(ch)
            if width == 0:
                back = at - 1
                while back > k * cell and line[back] == "":
                    back -= 1
                if back >= k * cell:
                    line[back] += ch
                continue
            if at + width > n * cell:
                break
            line[at] = ch
            if width == 2:
                line[at + 1] = ""
            at += width
    return rows


def cells_text(line: list[str], start: int, end: int) -> str:
    """Cells start..end of a header line as text exactly end - start cells wide: a wide
    character cut in two by either edge is drawn as a space."""
    part = line[start:end]
    if part and part[0] == "":
        part[0] = " "
    if part and end < len(line) and line[end] == "" and part[-1] != "":
        part[-1] = " "
    return "".join(part)


@lru_cache(maxsize=16)
def _masked(colour: str) -> Style:
    try:
        return Style(bgcolor=colour)
    except Exception:  # a theme colour Rich cannot read
        return Style(bgcolor="grey11")


@lru_cache(maxsize=256)
def _selected(style: Style) -> Style:
    return style + SELECTED


class AttentionHeatmap(ScrollView, can_focus=True):
    """The query × key grid of one head; up/down (or a click) selects the query row.

    A line-API widget: each frame draws only the rows and columns in view, so a 256-token
    map (65 000 cells) costs what a screenful does. The key labels stay on top and the
    query labels on the left while the cells scroll under them."""

    class QuerySelected(Message):
        def __init__(self, row: int, key: int | None = None) -> None:
            super().__init__()
            self.row = row
            self.key = key  # a click picks the key column too

    class KeySelected(Message):
        def __init__(self, key: int) -> None:
            super().__init__()
            self.key = key

    # the panel binds the same keys; these win over the scroll view's own arrows when the
    # map has the focus
    BINDINGS: ClassVar = [
        Binding("up,k", "move(-1)", _("Query row up"), show=False, id="attention.query_up"),
        Binding("down,j", "move(1)", _("Query row down"), show=False,
                id="attention.query_down"),
        Binding("left,h", "move_key(-1)", _("Key column left"), show=False,
                id="attention.key_left"),
        Binding("right,l", "move_key(1)", _("Key column right"), show=False,
                id="attention.key_right"),
    ]

    def __init__(self) -> None:
        super().__init__(id="att-map")
        self.matrix: np.ndarray = np.zeros((0, 0), dtype=np.float32)
        self.labels: list[str] = []
        self.heads: list[list[str]] = []  # the header lines of key labels, cell by cell
        self.causal = False
        self.row = 0
        self.cell = CELL
        self.key = 0  # the selected key column

    def draw(self, matrix: np.ndarray, labels: list[str], causal: bool, row: int,
             key: int = 0) -> None:
        # lone jamo (WordPiece on Korean) drawn as letters, like the tokenizer's chips
        self.matrix, self.labels, self.causal = matrix, [visible(t) for t in labels], causal
        self.row = min(max(0, row), max(0, len(labels) - 1))
        self.key = min(max(0, key), max(0, len(labels) - 1))
        self._fit()
        self.call_after_refresh(self._follow_row)

    def _fit(self) -> None:
        """Cells as wide as the room allows; the header and the scroll size follow."""
        n = len(self.labels)
        available = self.scrollable_content_region.width or self.size.width
        self.cell = cell_width(available - LABEL_WIDTH - 1, n)
        # the space marker would start every label; row labels keep it
        self.heads = header_lines([lab.lstrip("␣") or lab for lab in self.labels], self.cell)
        self.virtual_size = Size(LABEL_WIDTH + 1 + n * self.cell,
                                 HEADER_HEIGHT + n if n else 0)
        self.refresh(layout=True)

    def on_resize(self) -> None:
        if self.labels:
            self._fit()

    def _follow_row(self) -> None:
        """Scroll so the selected query row is in view."""
        shown = self.scrollable_content_region.height - HEADER_HEIGHT
        if shown <= 0:
            return
        top = self.scroll_offset.y
        if self.row < top:
            self.scroll_to(y=self.row, animate=False)
        elif self.row >= top + shown:
            self.scroll_to(y=self.row - shown + 1, animate=False)
        cols = (self.scrollable_content_region.width - LABEL_WIDTH - 1) // CELL
        left = self.scroll_offset.x // CELL
        if cols > 0 and self.key < left:
            self.scroll_to(x=self.key * CELL, animate=False)
        elif cols > 0 and self.key >= left + cols:
            self.scroll_to(x=(self.key - cols + 1) * CELL, animate=False)

    def row_text(self, q: int) -> str:
        """Row `q` as the learner reads it, label and every cell (for tests and tools)."""
        label = pad(self.labels[q], LABEL_WIDTH - 1, ">")
        cells = "".join(cell_text(float(w), self.causal and k > q, self.cell)
                        for k, w in enumerate(self.matrix[q].tolist()))
        return ("▶" if q == self.row else " ") + label + " " + cells

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        n = len(self.labels)
        gutter = LABEL_WIDTH + 1
        cols = max(0, width - gutter)
        scroll_x, scroll_y = self.scroll_offset
        cell = self.cell
        first = scroll_x // cell  # the first key column in view
        last = min(n, (scroll_x + cols + cell - 1) // cell)
        bold = base + Style(bold=True)
        # masked cells take the theme's panel colour: a fixed dark grey stayed dark in a light
        # theme
        masked_style = _masked(self.app.theme_variables.get("panel", "grey11"))
        if y < HEADER_HEIGHT:
            left = Segment(" " * gutter, base)
            line = self.heads[y] if y < len(self.heads) else []
            cells = [Segment(cells_text(line, first * cell, last * cell), bold)]
        else:
            q = scroll_y + y - HEADER_HEIGHT
            if q >= n:
                return Strip.blank(width, base)
            selected = q == self.row
            label = pad(self.labels[q], LABEL_WIDTH - 1, ">")
            left = Segment(("▶" if selected else " ") + label + " ",
                           base + Style(reverse=True, bold=True) if selected else bold)
            row = self.matrix[q, first:last].tolist()
            cells = []
            for k, weight in enumerate(row, start=first):
                masked = self.causal and k > q
                style = masked_style if masked else heat_style(weight)
                if selected and not masked:
                    style = _selected(style)
                if selected and k == self.key:  # the selected query → key cell
                    style = style + _KEY
                cells.append(Segment(cell_text(weight, masked, cell), style))
        body = Strip(cells).crop(scroll_x - first * cell, scroll_x - first * cell + cols)
        return Strip.join([Strip([left]), body]).adjust_cell_length(width, base)

    def action_move(self, delta: int) -> None:
        self.post_message(self.QuerySelected(self.row + delta))

    def action_move_key(self, delta: int) -> None:
        self.post_message(self.KeySelected(self.key + delta))

    def on_click(self, event: events.Click) -> None:
        if event.y < HEADER_HEIGHT:
            return
        row = self.scroll_offset.y + event.y - HEADER_HEIGHT
        column = event.x - (LABEL_WIDTH + 1) + self.scroll_offset.x
        key = column // CELL if column >= 0 and column // CELL < len(self.labels) else None
        if 0 <= row < len(self.labels):
            self.post_message(self.QuerySelected(row, key))


class HeadGrid(Static, can_focus=True):
    """All heads of the layer as small maps (focusable, so the panel's keys keep working)."""


def query_bars(maps: AttentionMaps, layer: int, head: int, row: int,
               key: int | None = None) -> list[Text]:
    """The selected query token's weights over every key, as bars: one line per key
    (the selected key marked ◀)."""
    weights = maps.weights[layer, head, row].tolist()
    lines = [Text(_("“{token}” looks at").format(token=visible(maps.tokens[row])),
                  style="italic")]
    masked_word = _("masked")
    room = max(6, cell_len(masked_word))  # a percentage, or the word in full
    for k, token in enumerate(maps.tokens):
        w = weights[k]
        masked = maps.causal and k > row
        dim = "dim" if masked else ""
        lines.append(Text.assemble(
            (pad(visible(token), 12) + " ", dim),
            (f"{bar(w, 16):<16}", _bar_style(round(w, 2))),
            (" " + pad(masked_word if masked else f"{w:.0%}", room, ">"), dim),
            (" ◀" if k == key else "", "bold")))
    return lines


def focus_fields(maps: AttentionMaps, layer: int, head: int, query: int,
                 key: int) -> dict[str, Any]:
    """The published fields about one query: its weight to the selected key, and the key
    it attends to most (ties: the earliest)."""
    weights = maps.weights[layer, head, query]
    top = int(np.argmax(weights))
    return {
        "query_index": query, "query_token": plain(maps.tokens[query]),
        "key_index": key, "key_token": plain(maps.tokens[key]),
        "weight": float(weights[key]),
        "top_key_index": top, "top_key_token": plain(maps.tokens[top]),
        "top_key_weight": float(weights[top]), "top_key_offset": query - top,
    }


@lru_cache(maxsize=128)
def _bar_style(weight: float) -> Style:
    return Style(color=heat_color(0.2 + 0.8 * weight))


def pooled(matrix: np.ndarray, size: int) -> np.ndarray:
    """Max-pool a square map down to at most `size` × `size`, so a peak stays visible."""
    n = matrix.shape[0]
    if n <= size:
        return matrix
    edges = np.linspace(0, n, size + 1).astype(int)
    return np.array([[matrix[a:b, c:d].max() for c, d in zip(edges, edges[1:], strict=False)]
                     for a, b in zip(edges, edges[1:], strict=False)])


def mini_map(matrix: np.ndarray, title: str, selected: bool) -> Text:
    """One head in half-blocks: each character shows two query rows (top and bottom)."""
    m = pooled(matrix, MINI_MAX)
    rows, cols = m.shape
    out = Text(title + (" ◀ " + _("selected") if selected else "") + "\n",
               style="reverse bold" if selected else "bold")
    for r in range(0, rows, 2):
        for c in range(cols):
            top = heat_color(float(m[r, c]))
            bottom = heat_color(float(m[r + 1, c])) if r + 1 < rows else None
            out.append("▀", Style(color=top, bgcolor=bottom))
        out.append("\n")
    out.rstrip()
    return out


def head_grid(maps: AttentionMaps, layer: int, head: int) -> Group:
    first, last = visible(maps.tokens[0].lstrip("␣")), visible(maps.tokens[-1].lstrip("␣"))
    caption = fill(
        _("{heads_of_layer} In each small map a row is a query token and a column a key token, "
          "from “{first}” (top, left) to “{last}” (bottom, right); brighter means more "
          "attention. , and . pick the head shown large."),
        "italic",
        heads_of_layer=(ngettext("Layer {layer}, its one head.",
                                 "Layer {layer}, all {heads} heads.", maps.heads)
                        .format(layer=layer, heads=maps.heads), "bold italic"),
        first=clip(first, 12), last=clip(last, 12))
    return Group(caption, Text(""),
                 Columns([mini_map(maps.weights[layer, h], _("head {n}").format(n=h), h == head)
                          for h in range(maps.heads)], padding=(1, 2)))


class AttentionPanel(LivePanel):
    PANEL_ID = "attention"
    DEFAULT_CSS = panel_css(__file__)
    # key labels are translated as the module loads: the tutor chooses the language first
    LAYER = Binding.Group(_("Layer"), compact=True)
    HEAD = Binding.Group(_("Head"), compact=True)
    QUERY = Binding.Group(_("Query"), compact=True)
    BINDINGS: ClassVar = [
        Binding("left_square_bracket", "layer(-1)", _("Layer −"), key_display="[",
                id="attention.layer_down", group=LAYER),
        Binding("right_square_bracket", "layer(1)", _("Layer +"), key_display="]",
                id="attention.layer_up", group=LAYER),
        Binding("comma", "head(-1)", _("Head −"), key_display=",", id="attention.head_down",
                group=HEAD),
        Binding("full_stop", "head(1)", _("Head +"), key_display=".", id="attention.head_up",
                group=HEAD),
        Binding("up,k", "query(-1)", _("Query row up"), key_display="↑",
                id="attention.query_up", group=QUERY),
        Binding("down,j", "query(1)", _("Query row down"), key_display="↓",
                id="attention.query_down", group=QUERY),
        Binding("v", "toggle_heads", _("Heads"), id="attention.all_heads"),
        Binding("m", "switch_model", _("Model"), id="attention.model"),
    ]
    DEFAULT_TEXT = "The animal didn't cross the street because it was too tired"

    @dataclass
    class Attended(JobAnswer):
        text: str
        role: str
        maps: AttentionMaps

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.maps: AttentionMaps | None = None
        self.text = ""  # the text `maps` answers
        role = self.preset("model", "decoder")
        self.role = role if role in ("decoder", "encoder") else "decoder"
        self.sel_layer = max(0, self.preset("layer", 0))
        self.sel_head = max(0, self.preset("head", 0))
        # selected query and key; -1: the last token (query) / the most-attended key, until
        # the learner picks one
        self.row = self.preset("query", -1)
        self.key = self.preset("key", -1)
        self._key_chosen = self.key >= 0

    def compose_panel(self) -> ComposeResult:
        yield Input(self.preset("text", self.DEFAULT_TEXT), id="att-input",
                    placeholder=_("A sentence to look at (Enter: go to the map)"))
        yield Static("", id="att-header")
        with Horizontal(id="att-bar"):
            yield Button("", id="att-model", compact=True)
            yield Button(_("All heads (v)"), id="att-heads", compact=True)
        yield Static(heat_legend(), id="att-legend")
        with Horizontal(id="att-body"):
            yield AttentionHeatmap()
            with ScrollableContainer(id="att-scroll"):
                yield HeadGrid("", id="att-multiples")
            yield LineView(id="att-bars")
        yield self.status

    def models(self) -> list[Role]:
        return [self.role]  # type: ignore[list-item]

    def on_resize(self) -> None:
        # the query's bars go under the map when beside it they would squeeze its columns
        self.set_class(self.size.width < NARROW, "-narrow")

    def on_mount(self) -> None:
        self.query_one("#att-scroll").display = False
        self._label_model()
        self.recompute(delay=0)

    # -- asking the model ---------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.recompute()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(AttentionHeatmap).focus()

    def recompute(self, delay: float | None = None) -> None:
        text = self.query_one("#att-input", Input).value
        role = self.role
        engine = self.hub.get(role)  # type: ignore[arg-type]
        self.schedule("attention", lambda: self.Attended(text, role, engine.attention(text)),
                      delay)

    def on_attention_panel_attended(self, message: Attended) -> None:
        text, role, maps = message.text, message.role, message.maps
        if role != self.role:
            return
        self.text, self.maps = text, maps
        self.sel_layer = min(self.sel_layer, maps.layers - 1)
        self.sel_head = min(self.sel_head, maps.heads - 1)
        if self.row < 0 or self.row >= len(maps.tokens):
            self.row = len(maps.tokens) - 1
        if self.key >= len(maps.tokens):
            self.key, self._key_chosen = -1, False
        self.show_notice(maps.notice)
        self.redraw()

    def show_error(self, job: str, error: str) -> None:
        self.maps = None
        self.query_one(AttentionHeatmap).draw(np.zeros((0, 0)), [], False, 0)
        self.query_one("#att-bars", LineView).set_lines([])
        self.query_one("#att-multiples", Static).update("")
        self.query_one("#att-header", Static).update("")
        super().show_error(job, error)

    # -- drawing (no model call: every layer and head is already here) -------------------------
    def redraw(self) -> None:
        maps = self.maps
        if maps is None:
            return
        heatmap = self.query_one(AttentionHeatmap)
        if not self._key_chosen:
            self.key = int(np.argmax(maps.weights[self.sel_layer, self.sel_head, self.row]))
        heatmap.draw(maps.weights[self.sel_layer, self.sel_head], maps.tokens, maps.causal,
                     self.row, self.key)
        self.row, self.key = heatmap.row, heatmap.key
        self.query_one("#att-bars", LineView).set_lines(
            query_bars(maps, self.sel_layer, self.sel_head, self.row, self.key))
        multiples = self.query_one("#att-multiples", Static)
        if self.query_one("#att-scroll").display:
            multiples.update(head_grid(maps, self.sel_layer, self.sel_head))
        kind = _("causal: nothing above the diagonal") if maps.causal else _("bidirectional")
        n = len(maps.tokens)
        self.query_one("#att-header", Static).update(Text.assemble(
            (maps.facts.title, "bold"),
            " · " + _("layer {n} (0–{last})").format(n=self.sel_layer, last=maps.layers - 1),
            " · " + _("head {n} (0–{last})").format(n=self.sel_head, last=maps.heads - 1),
            " · ", (kind, "italic"),
            " · " + ngettext("{n} token", "{n} tokens", n).format(n=n)))
        self._publish()

    def _publish(self) -> None:
        assert self.maps is not None
        self.publish({"text": self.text, "model": self.role, "layer": self.sel_layer,
                      "head": self.sel_head, "token_count": len(self.maps.tokens),
                      "causal": self.maps.causal,
                      **focus_fields(self.maps, self.sel_layer, self.sel_head, self.row,
                                     self.key)})

    def on_attention_heatmap_query_selected(self, message: AttentionHeatmap.QuerySelected) -> None:
        message.stop()
        if self.maps is not None:
            self.row = min(max(0, message.row), len(self.maps.tokens) - 1)
            if message.key is not None:
                self.key, self._key_chosen = message.key, True
            self.redraw()

    def on_attention_heatmap_key_selected(self, message: AttentionHeatmap.KeySelected) -> None:
        message.stop()
        if self.maps is not None:
            self.key = min(max(0, message.key), len(self.maps.tokens) - 1)
            self._key_chosen = True
            self.redraw()

    def action_query(self, delta: int) -> None:
        if self.maps is not None:
            self.row = min(max(0, self.row + delta), len(self.maps.tokens) - 1)
            self.redraw()

    def action_layer(self, delta: int) -> None:
        if self.maps is not None:
            self.sel_layer = (self.sel_layer + delta) % self.maps.layers
            self.redraw()

    def action_head(self, delta: int) -> None:
        if self.maps is not None:
            self.sel_head = (self.sel_head + delta) % self.maps.heads
            self.redraw()

    def action_toggle_heads(self) -> None:
        multiples = self.query_one(HeadGrid)
        heatmap = self.query_one(AttentionHeatmap)
        had_focus = multiples.has_focus or heatmap.has_focus
        grid = self.query_one("#att-scroll")
        grid.display = not grid.display
        heatmap.display = not grid.display
        if had_focus:
            (multiples if grid.display else heatmap).focus()
        self.redraw()

    def action_switch_model(self) -> None:
        self.role = "encoder" if self.role == "decoder" else "decoder"
        self.maps = None
        self._label_model()
        self.recompute(delay=0)

    def _label_model(self) -> None:
        other = "encoder" if self.role == "decoder" else "decoder"
        title = self.model_title(other)
        self.query_one("#att-model", Button).label = _("Switch to {model} (m)").format(
            model=title)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "att-model":
            self.action_switch_model()
        else:
            self.action_toggle_heads()
