"""Embeddings panel: words or sentences → their cosine similarities as a coloured grid,
each one's nearest neighbours, and a 2-D projection (PCA) of the sentence vectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static, TextArea
from textual_plotext import PlotextPlot

from tutor.app.engines import Role
from tutor.app.panels.base import panel_css
from tutor.app.panels.live import JobAnswer, LivePanel
from tutor.app.panels.render import clip, heat_legend, heat_style, pad, plot_label
from tutor.engine.types import Embeddings
from tutor.i18n import _

# The same word in two senses: each "bank" sentence should land near its own topic.
BANK_EXAMPLE = [
    "We had a picnic on the river bank.",
    "I opened a new bank account.",
    "The water flowed past the grassy shore.",
    "She deposited her salary into savings.",
    "Fish swim near the muddy edge of the stream.",
    "The loan has a high interest rate.",
]
NARROW = 120  # panel width under which the plot goes below the grid
MAX_TEXTS = 24  # a grid wider than this is unreadable in a terminal


def split_texts(raw: str) -> list[str]:
    """One text per non-empty line."""
    return [line.strip() for line in raw.splitlines() if line.strip()]


def pca_2d(vectors: np.ndarray) -> np.ndarray:
    """The vectors projected on their two main directions of variation ([n, 2])."""
    n = vectors.shape[0]
    centred = vectors - vectors.mean(axis=0, keepdims=True)
    if n < 2:
        return np.zeros((n, 2))
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    coords = centred @ vt[:2].T
    if coords.shape[1] < 2:  # two texts: the second direction is empty
        coords = np.hstack([coords, np.zeros((n, 1))])
    return coords


def point_labels(xs: list[float], ys: list[float], cols: int, rows: int,
                 xlim: tuple[float, float], ylim: tuple[float, float]) -> list[tuple[str, int]]:
    """One label per group of points that would print on top of each other.

    Points are numbered from 1; two whose positions on a `cols` × `rows` character grid
    are closer than a label's width share one label, "2,4", at the first of them (so two
    nearby points never read as the number 42). Returns (label, index of its point)."""
    def cell(i: int) -> tuple[float, float]:
        span_x = (xlim[1] - xlim[0]) or 1.0
        span_y = (ylim[1] - ylim[0]) or 1.0
        return ((xs[i] - xlim[0]) / span_x * cols, (ys[i] - ylim[0]) / span_y * rows)

    groups: list[list[int]] = []
    for i in range(len(xs)):
        x, y = cell(i)
        for group in groups:
            gx, gy = cell(group[0])
            width = len(",".join(str(j + 1) for j in group)) + 2
            if abs(y - gy) < 1 and -2 < x - gx < width:
                group.append(i)
                break
        else:
            groups.append([i])
    return [(",".join(str(j + 1) for j in group), group[0]) for group in groups]


def off_diagonal(similarity: np.ndarray) -> np.ndarray:
    n = similarity.shape[0]
    return similarity[~np.eye(n, dtype=bool)]


def embedding_fields(emb: Embeddings) -> dict[str, Any]:
    """The published result: sentence similarities, the first text's nearest text, and the
    chosen word's contextual similarities (None while they cannot be computed)."""
    others = off_diagonal(emb.similarity)
    nearest = emb.nearest(0, 1) if len(emb.texts) > 1 else []
    token_sim = emb.token_similarity
    token_others = off_diagonal(token_sim) if token_sim is not None else np.zeros(0)
    return {
        "texts": list(emb.texts), "count": len(emb.texts),
        "max_similarity": float(others.max()) if others.size else 0.0,
        "min_similarity": float(others.min()) if others.size else 0.0,
        "nearest": emb.texts[nearest[0][0]] if nearest else None,
        "nearest_similarity": nearest[0][1] if nearest else None,
        "token": emb.token,
        "token_similarity": token_sim.tolist() if token_sim is not None else None,
        "token_min_similarity": float(token_others.min()) if token_others.size else None,
        "token_max_similarity": float(token_others.max()) if token_others.size else None,
    }


class EmbeddingsPanel(LivePanel):
    PANEL_ID = "embeddings"
    DEFAULT_CSS = panel_css(__file__)
    DEBOUNCE: ClassVar[float] = 0.4

    @dataclass
    class Embedded(JobAnswer):
        notice: str | None
        embeddings: Embeddings

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.embeddings: Embeddings | None = None
        self.labels: list[tuple[str, int]] = []  # the plot's point labels: (text, point)

    def compose_panel(self) -> ComposeResult:
        texts = self.inputs.get("texts")
        if not isinstance(texts, list) or not texts:
            texts = BANK_EXAMPLE
        title = self.model_title("encoder")
        yield Static(Text.assemble((title, "bold"), " · ", _(
            "sentence vectors (mean of the token vectors) · one word or sentence per line")),
                     id="emb-title")
        with Horizontal(id="emb-top"):
            yield TextArea("\n".join(str(t) for t in texts), id="emb-texts",
                           show_line_numbers=True, soft_wrap=False)
            yield Button(_("“bank” example"), id="emb-example", compact=True)
        yield Input(str(self.preset("token", "")), id="emb-token",
                    placeholder=_("a word in every line: compare its vector in each context"))
        with Horizontal(id="emb-body"):
            yield Static("", id="emb-grid")
            yield PlotextPlot(id="emb-plot")
        yield Static("", id="emb-token-grid")
        yield Static("", id="emb-neighbours")
        yield self.status

    def models(self) -> list[Role]:
        return ["encoder"]

    def on_mount(self) -> None:
        self.recompute(delay=0)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.recompute()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.recompute()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.query_one("#emb-texts", TextArea).text = "\n".join(BANK_EXAMPLE)

    def recompute(self, delay: float | None = None) -> None:
        texts = split_texts(self.query_one("#emb-texts", TextArea).text)
        token = self.query_one("#emb-token", Input).value.strip()
        notice = None
        if len(texts) > MAX_TEXTS:
            notice = _("{n} lines: only the first {most} are compared").format(
                n=len(texts), most=MAX_TEXTS)
            texts = texts[:MAX_TEXTS]
        engine = self.hub.encoder()
        self.schedule("embed", lambda: self.Embedded(notice, engine.embed(texts, token)), delay)

    def on_embeddings_panel_embedded(self, message: Embedded) -> None:
        notice, emb = message.notice, message.embeddings
        self.embeddings = emb
        if emb.token_missing:
            where = ", ".join(str(i + 1) for i in emb.token_missing)
            missing = _("“{token}” is not a word of line {lines}: it must be in every line to "
                        "compare its vectors").format(token=emb.token, lines=where)
            notice = missing + (f"; {notice}" if notice else "")
        self.show_notice(notice)
        self.query_one("#emb-grid", Static).update(self._grid(emb))
        self.query_one("#emb-token-grid", Static).update(self._token_grid(emb))
        self.query_one("#emb-neighbours", Static).update(self._neighbours(emb))
        self._plot(emb)
        self.publish(embedding_fields(emb))

    def show_error(self, job: str, error: str) -> None:
        self.embeddings = None
        self.query_one("#emb-grid", Static).update("")
        self.query_one("#emb-token-grid", Static).update("")
        self.query_one("#emb-neighbours", Static).update("")
        self.query_one("#emb-plot", PlotextPlot).plt.clear_data()
        super().show_error(job, error)

    # -- drawing -------------------------------------------------------------------------------
    @staticmethod
    def _grid(emb: Embeddings, matrix: np.ndarray | None = None,
              title: str | None = None) -> Table:
        similarity = emb.similarity if matrix is None else matrix
        if title is None:
            title = _("cosine similarity of the sentence vectors")
        n = len(emb.texts)
        table = Table(box=None, padding=(0, 0), show_edge=False, expand=False,
                      title=title, title_justify="left", caption=heat_legend(),
                      caption_justify="left")
        table.add_column("", no_wrap=True)
        for j in range(n):
            table.add_column(f"{j + 1:^6}", no_wrap=True, justify="center")
        for i in range(n):
            cells: list[Any] = [Text(f"{i + 1:>2} {pad(emb.texts[i], 18)} ", "bold")]
            for j in range(n):
                s = float(similarity[i, j])
                cells.append(Text(f"{s:6.2f}", heat_style(max(0.0, s))))
            table.add_row(*cells)
        return table

    def _token_grid(self, emb: Embeddings) -> Table | Text:
        if emb.token_similarity is None:
            return Text("")
        return self._grid(emb, emb.token_similarity,
                          _("cosine similarity of “{token}” in each line (its contextual "
                            "vectors, not the sentences')").format(token=emb.token))

    @staticmethod
    def _neighbours(emb: Embeddings) -> Text:
        out = Text(_("nearest neighbours") + "\n", "bold")
        if len(emb.texts) < 2:
            out.append(_("add a second line to compare"), "italic")
            return out
        for i, text in enumerate(emb.texts):
            out.append(f"{i + 1:>2} {clip(text, 40)}", "bold")
            out.append(" → ")
            near = emb.nearest(i, 2)
            out.append(",  ".join(f"{j + 1} {clip(emb.texts[j], 30)} ({s:.2f})" for j, s in near))
            out.append("\n")
        out.rstrip()
        return out

    def _plot(self, emb: Embeddings) -> None:
        plot = self.query_one("#emb-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(plot_label(_("2-D projection (PCA)")))
        coords = pca_2d(emb.vectors.astype(np.float64))
        xs, ys = coords[:, 0].tolist(), coords[:, 1].tolist()
        plt.scatter(xs, ys, marker="●", color="cyan")
        self.labels: list[tuple[str, int]] = []
        if xs:
            pad = max(0.1, (max(xs) - min(xs)) * 0.1)
            xlim = (min(xs) - pad, max(xs) + pad)
            ypad = max(0.05, (max(ys) - min(ys)) * 0.1)
            ylim = (min(ys) - ypad, max(ys) + ypad)
            plt.xlim(*xlim)
            plt.ylim(*ylim)
            # the axes and their numbers take about 10 columns and 4 rows of the widget
            width, height = plot.size.width or 40, plot.size.height or 18
            self.labels = point_labels(xs, ys, max(10, width - 10), max(4, height - 4),
                                       xlim, ylim)
            # numbers, not texts: long labels would run off the plot (the grid lists them)
            for label, i in self.labels:
                plt.text(f" {label}", xs[i], ys[i], color="yellow")
        plot.refresh()

    def on_resize(self) -> None:
        # side by side the plot needs room; under the grid it gets the full width
        self.set_class(self.size.width < NARROW, "-narrow")
