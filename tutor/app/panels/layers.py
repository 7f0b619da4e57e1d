"""Logit lens panel: what the model would predict after each block, as a grid of layers ×
positions, the selected cell's top tokens, and the final prediction's climb through the
layers.

The engine computes a window of positions at a time (each one costs every layer's
projection onto the whole vocabulary); moving the selection past the window's edge asks
for the next window, which reuses the prompt's forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from tutor.app.panels.base import panel_css
from tutor.app.panels.lines import LineView
from tutor.app.panels.live import JobAnswer, LivePanel
from tutor.app.panels.next_token import plain
from tutor.app.panels.render import (
    bar,
    fill,
    heat_color,
    heat_legend,
    heat_style,
    pad,
    visible,
)
from tutor.engine.types import LogitLens
from tutor.i18n import _

WINDOW = 8  # positions computed and shown at a time
TOP = 8  # tokens listed for the selected cell
LABEL_WIDTH = 5  # row labels: "emb", "L12"
CELL = 7  # characters per cell: a top-1 token of up to 6
SELECTED = Style(bold=True, underline=True, reverse=True)
_SPARK = "▁▂▃▄▅▆▇█"


def layer_label(layer: int) -> str:
    # short enough for the grid's LABEL_WIDTH in every language
    return _("emb") if layer == 0 else _("L{n}").format(n=layer)


class LensGrid(ScrollView, can_focus=True):
    """Layers (rows, the embeddings on top) × positions (columns): each cell the top-1 token
    after that layer, shaded by its probability. Arrows (or a click) move the selection."""

    class Moved(Message):
        """The learner asked to move the selection by (layers, positions)."""

        def __init__(self, layers: int, positions: int) -> None:
            super().__init__()
            self.layers = layers
            self.positions = positions

    class Clicked(Message):
        def __init__(self, layer: int, column: int) -> None:
            super().__init__()
            self.sel_layer = layer
            self.sel_column = column

    BINDINGS: ClassVar = [
        Binding("up,k", "move(-1, 0)", _("Layer ↑"), show=False),
        Binding("down,j", "move(1, 0)", _("Layer ↓"), show=False),
        Binding("left,h", "move(0, -1)", _("Position ←"), show=False),
        Binding("right,l", "move(0, 1)", _("Position →"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="ly-grid")
        self.lens: LogitLens | None = None
        self.sel_layer = 0
        self.sel_column = 0

    def draw(self, lens: LogitLens | None, layer: int, column: int) -> None:
        self.lens, self.sel_layer, self.sel_column = lens, layer, column
        rows = 0 if lens is None else lens.n_layers + 1
        cols = 0 if lens is None else len(lens.positions)
        self.virtual_size = Size(LABEL_WIDTH + cols * CELL, 1 + rows if rows else 0)
        self.refresh(layout=True)
        self.call_after_refresh(self._follow)

    def _follow(self) -> None:
        """Scroll so the selected cell is in view."""
        region = self.scrollable_content_region
        rows, cols = region.height - 1, (region.width - LABEL_WIDTH) // CELL
        if rows <= 0 or cols <= 0:
            return
        x, y = self.scroll_offset
        if self.sel_layer < y:
            y = self.sel_layer
        elif self.sel_layer >= y + rows:
            y = self.sel_layer - rows + 1
        first = x // CELL
        if self.sel_column < first:
            x = self.sel_column * CELL
        elif self.sel_column >= first + cols:
            x = (self.sel_column - cols + 1) * CELL
        self.scroll_to(x=x, y=y, animate=False)

    def cell_text(self, layer: int, column: int) -> str:
        assert self.lens is not None
        token = self.lens.texts[int(self.lens.top_ids[layer, column, 0])]
        return pad(visible(token), CELL - 1) + " "

    def row_text(self, layer: int) -> str:
        """Row `layer` as the learner reads it (for tests and tools)."""
        assert self.lens is not None
        cells = "".join(self.cell_text(layer, c) for c in range(len(self.lens.positions)))
        return pad(layer_label(layer), LABEL_WIDTH - 1, ">") + " " + cells

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        lens = self.lens
        if lens is None:
            return Strip.blank(width, base)
        bold = base + Style(bold=True)
        scroll_x, scroll_y = self.scroll_offset
        cols = max(0, width - LABEL_WIDTH)
        if y == 0:  # the tokens whose streams the columns follow
            heads = "".join(pad(visible(lens.tokens[p]), CELL - 1) + " "
                            for p in lens.positions)
            left, cells = Segment(" " * LABEL_WIDTH, base), [Segment(heads, bold)]
        else:
            layer = scroll_y + y - 1
            if layer > lens.n_layers:
                return Strip.blank(width, base)
            label = pad(layer_label(layer), LABEL_WIDTH - 1, ">") + " "
            left = Segment(label, bold + Style(reverse=True) if layer == self.sel_layer else bold)
            cells = []
            for c in range(len(lens.positions)):
                style = heat_style(float(lens.top_probs[layer, c, 0]))
                if layer == self.sel_layer and c == self.sel_column:
                    style = style + SELECTED
                cells.append(Segment(self.cell_text(layer, c), style))
        # the row labels stay put while the cells scroll under them
        body = Strip(cells).crop(scroll_x, scroll_x + cols)
        return Strip.join([Strip([left]), body]).adjust_cell_length(width, base)

    def action_move(self, layers: int, positions: int) -> None:
        self.post_message(self.Moved(layers, positions))

    def on_click(self, event: events.Click) -> None:
        if self.lens is None or event.y < 1 or event.x < LABEL_WIDTH:
            return
        layer = self.scroll_offset.y + event.y - 1
        column = (self.scroll_offset.x + event.x - LABEL_WIDTH) // CELL
        if layer <= self.lens.n_layers and column < len(self.lens.positions):
            self.post_message(self.Clicked(layer, column))


def top_lines(lens: LogitLens, layer: int, column: int) -> list[Text]:
    """The selected cell's top tokens as bars; the final prediction marked."""
    position = lens.positions[column]
    final = int(lens.final_ids[column])
    lines = [fill(_("{layer} at {token} (position {position})"),
                  layer=(layer_label(layer), "bold"),
                  token=(f"“{visible(lens.tokens[position])}”", "bold"), position=position)]
    for token_id, prob in zip(lens.top_ids[layer, column].tolist(),
                              lens.top_probs[layer, column].tolist(), strict=True):
        mark = ("◀ " + _("final"), "bold green") if token_id == final else ("", "")
        lines.append(Text.assemble(
            pad(visible(lens.texts[token_id]), 10) + " ",
            (f"{bar(prob, 6):<6}", Style(color=heat_color(0.25 + 0.75 * prob))),
            f" {prob:6.1%} ", mark))
    rank = int(lens.final_rank[layer, column])
    if rank > TOP:
        lines.append(Text(_("final “{token}”: rank {rank}, {prob}").format(
            token=visible(lens.texts[final]), rank=f"{rank:,}",
            prob=f"{float(lens.final_prob[layer, column]):.2%}"), style="dim"))
    return lines


def final_line(lens: LogitLens, column: int, layer: int) -> Text:
    """The final prediction's probability at every layer (one bar each, green where it is
    already the top-1) and its rank at the selected layer."""
    final = int(lens.final_ids[column])
    probs = lens.final_prob[:, column].tolist()
    ranks = lens.final_rank[:, column].tolist()
    out = fill(_("final “{token}” by layer") + "  {first} ", "dim",
               token=(visible(lens.texts[final]), "bold"), first=layer_label(0))
    for i, (p, r) in enumerate(zip(probs, ranks, strict=True)):
        style = Style(color="green" if r == 1 else ("yellow" if r <= 10 else "grey50"),
                      underline=i == layer)
        out.append(_SPARK[min(len(_SPARK) - 1, int(p * len(_SPARK)))], style)
    out.append(f" {layer_label(lens.n_layers)}", "dim")
    first = int(np.argmax(np.asarray(ranks) == 1))
    out.append("\n" + _("{layer}: rank {rank}, {prob}  ·  top-1 first at {first}").format(
        layer=layer_label(layer), rank=f"{int(ranks[layer]):,}", prob=f"{probs[layer]:.1%}",
        first=layer_label(first)), "")
    out.append("  " + _("(green: top-1, yellow: top-10)"), "dim")
    return out


class LayersPanel(LivePanel):
    PANEL_ID = "layers"
    DEFAULT_CSS = panel_css(__file__)
    DEFAULT_PROMPT = "The capital of France is"
    LAYER = Binding.Group(_("Layer"), compact=True)
    POSITION = Binding.Group(_("Position"), compact=True)
    # the grid's own arrows need it focused; these work from anywhere on the step (left and
    # right stay the lesson's step keys, so positions move with , and .)
    BINDINGS: ClassVar = [
        Binding("up,k", "move(-1, 0)", _("Layer ↑"), key_display="↑", id="layers.up",
                group=LAYER),
        Binding("down,j", "move(1, 0)", _("Layer ↓"), key_display="↓", id="layers.down",
                group=LAYER),
        Binding("comma", "move(0, -1)", _("Position ←"), key_display=",", id="layers.left",
                group=POSITION),
        Binding("full_stop", "move(0, 1)", _("Position →"), key_display=".", id="layers.right",
                group=POSITION),
    ]

    @dataclass
    class Lensed(JobAnswer):
        prompt: str
        lens: LogitLens

    @dataclass
    class WindowLensed(JobAnswer):
        prompt: str
        lens: LogitLens  # another window of the same prompt
        position: int  # the position the learner moved to

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lens: LogitLens | None = None  # the window on screen
        self.prompt = ""  # the prompt `lens` answers
        self.sel_layer = -1  # selected layer; -1: the last once a lens arrives
        self.sel_column = -1  # selected column of the window; -1: the last

    def compose_panel(self) -> ComposeResult:
        yield Input(self.preset("prompt", self.DEFAULT_PROMPT), id="ly-prompt",
                    placeholder=_("A prompt to follow through the layers (Enter: go to the grid)"))
        yield Static("", id="ly-header")
        yield Static(Text.assemble((_("top-1 token after each layer, shaded by its probability")
                                    + " ", "dim"), heat_legend()), id="ly-legend")
        with Horizontal(id="ly-body"):
            yield LensGrid()
            yield LineView(id="ly-top")
        yield Static("", id="ly-final")
        yield self.status

    def on_mount(self) -> None:
        self.compute(delay=0)

    # -- asking the model ---------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.compute()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(LensGrid).focus()

    def compute(self, delay: float | None = None) -> None:
        """The lens of the prompt in the box, at its last WINDOW positions."""
        prompt = self.query_one("#ly-prompt", Input).value
        engine = self.hub.decoder()
        self.schedule("lens", lambda: self.Lensed(prompt, engine.lens(prompt, last=WINDOW,
                                                                      top=TOP)), delay)

    def on_layers_panel_lensed(self, message: Lensed) -> None:
        self.prompt, lens = message.prompt, message.lens
        self.lens = lens
        self.sel_layer, self.sel_column = lens.n_layers, len(lens.positions) - 1
        self.show_notice(lens.notice)
        self.redraw()
        last = lens.positions[-1]
        self.publish({
            "prompt": self.prompt,
            "final_token": plain(lens.texts[int(lens.final_ids[-1])]),
            "final_prob": float(lens.final_prob[-1, -1]),
            "first_top1_layer": lens.first_top1_layer(last),
            "n_layers": lens.n_layers,
        })

    def on_layers_panel_window_lensed(self, message: WindowLensed) -> None:
        """Another window of the same prompt: the selection moves with it."""
        prompt, lens, position = message.prompt, message.lens, message.position
        if prompt != self.prompt:
            return
        self.lens = lens
        self.sel_column = lens.column(position)
        self.redraw()

    def show_error(self, job: str, error: str) -> None:
        self.lens = None
        self.query_one(LensGrid).draw(None, 0, 0)
        self.query_one("#ly-top", LineView).set_lines([])
        self.query_one("#ly-final", Static).update("")
        self.query_one("#ly-header", Static).update("")
        super().show_error(job, error)

    # -- moving the selection -----------------------------------------------------------------
    def action_move(self, layers: int, positions: int) -> None:
        self.move(layers, positions)

    def on_lens_grid_moved(self, message: LensGrid.Moved) -> None:
        message.stop()
        self.move(message.layers, message.positions)

    def move(self, layers: int, positions: int) -> None:
        lens = self.lens
        if lens is None:
            return
        self.sel_layer = min(max(0, self.sel_layer + layers), lens.n_layers)
        position = lens.positions[self.sel_column] + positions
        if position in lens.positions:
            self.sel_column = lens.column(position)
        elif 0 <= position < len(lens.tokens) and not self.is_running("window"):
            self._load_window(position)
            return
        self.redraw()

    def on_lens_grid_clicked(self, message: LensGrid.Clicked) -> None:
        message.stop()
        self.sel_layer, self.sel_column = message.layer, message.column
        self.redraw()

    def _load_window(self, position: int) -> None:
        """The WINDOW positions that bring `position` in at the edge the learner moved to."""
        lens = self.lens
        assert lens is not None
        if position < lens.positions[0]:
            start = max(0, position - WINDOW + 1)
        else:
            start = max(0, min(position, len(lens.tokens) - WINDOW))
        positions = range(start, min(len(lens.tokens), start + WINDOW))
        prompt, engine = self.prompt, self.hub.decoder()
        self.schedule("window", lambda: self.WindowLensed(
            prompt, engine.lens(prompt, positions, top=TOP), position), delay=0)

    # -- drawing ------------------------------------------------------------------------------
    def redraw(self) -> None:
        lens = self.lens
        if lens is None:
            return
        self.query_one(LensGrid).draw(lens, self.sel_layer, self.sel_column)
        self.query_one("#ly-top", LineView).set_lines(top_lines(lens, self.sel_layer, self.sel_column))
        self.query_one("#ly-final", Static).update(final_line(lens, self.sel_column, self.sel_layer))
        first, last = lens.positions[0], lens.positions[-1]
        self.query_one("#ly-header", Static).update(Text.assemble(
            (lens.model, "bold"), " · " + _(
                "{blocks} blocks + the embeddings · positions {first}–{last} of {count} "
                "(← → past the edge for more)").format(
                blocks=lens.n_layers, first=first, last=last, count=len(lens.tokens))))
