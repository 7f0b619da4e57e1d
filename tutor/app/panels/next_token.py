"""Next-token panel: the prompt's top candidates as bars, reshaped live by temperature,
top-k and top-p, with sampling that shows observed against expected frequencies."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from tutor.app.panels.base import panel_css
from tutor.app.panels.live import JobAnswer, LivePanel
from tutor.app.panels.render import bar, clip, fill
from tutor.engine import Engine
from tutor.engine.types import NextToken
from tutor.i18n import _, ngettext

TOP = 12  # candidates shown
BAR_WIDTH = 24


def plain(piece: str) -> str:
    """A piece as a word, for task rules: the visible space marker removed."""
    return piece.replace("␣", " ").strip()


def parse_settings(temperature: str, top_k: str, top_p: str) -> tuple[float, int, float]:
    """The three controls' values; ValueError with a sentence for the learner if one is off."""
    try:
        t = float(temperature)
    except ValueError:
        raise ValueError(_("temperature must be a number, 0 or more (0 means greedy)")) from None
    try:
        k = int(top_k or 0)
    except ValueError:
        raise ValueError(_("top-k must be a whole number, 0 or more (0 means off)")) from None
    try:
        p = float(top_p or 1)
    except ValueError:
        raise ValueError(_("top-p must be a number in (0, 1] (1 means off)")) from None
    if t < 0 or t != t:
        raise ValueError(_("temperature must be 0 or more (0 means greedy)"))
    if k < 0:
        raise ValueError(_("top-k must be 0 or more (0 means off)"))
    if not 0 < p <= 1:
        raise ValueError(_("top-p must be in (0, 1] (1 means off)"))
    return t, k, p


class NextTokenPanel(LivePanel):
    PANEL_ID = "next-token"
    DEFAULT_CSS = panel_css(__file__)
    # key labels are translated as the module loads: the tutor chooses the language first
    BINDINGS = [
        Binding("ctrl+s", "sample(1)", _("Sample"), id="next-token.sample"),
        Binding("ctrl+o", "sample(100)", _("Sample 100"), id="next-token.sample100"),
    ]
    DEFAULT_PROMPT = "The capital of France is"

    @dataclass
    class Predicted(JobAnswer):
        prompt: str
        next: NextToken

    @dataclass
    class Sampled(JobAnswer):
        next: NextToken  # the distribution the ids were drawn from
        ids: list[int]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # basic: for a first lesson, before sampling settings and entropy are taught
        self.basic: bool = self.preset("basic", False)
        self.next: NextToken | None = None
        self.prompt = ""  # the prompt `next` answers
        self.samples = 0
        self.observed: Counter[int] = Counter()
        self.last_draw: list[int] = []
        self._seed = 0  # successive draws are reproducible within a panel's life

    def compose_panel(self) -> ComposeResult:
        yield Input(self.preset("prompt", self.DEFAULT_PROMPT), id="nt-prompt",
                    placeholder=_("A prompt whose next token to predict…"))
        # two rows, so both fit in 80 columns
        settings = Horizontal(id="nt-controls")
        settings.display = not self.basic
        with settings:
            yield from self.sampling_inputs("nt", temperature=1.0)
        with Horizontal(id="nt-buttons"):
            yield Button(_("Sample") + " ^s", id="nt-sample", compact=True)
            yield Button(_("Sample 100") + " ^o", id="nt-sample100", compact=True)
        yield Static("", id="nt-bars")
        yield Static("", id="nt-info")
        yield self.status

    def on_mount(self) -> None:
        self.predict(delay=0)

    # -- asking the model --------------------------------------------------------------------
    def _value(self, id: str) -> str:
        return self.query_one(f"#{id}", Input).value.strip()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.predict()

    def predict(self, delay: float | None = None) -> None:
        prompt = self.query_one("#nt-prompt", Input).value
        try:
            t, k, p = parse_settings(self._value("nt-temperature"), self._value("nt-top-k"),
                                     self._value("nt-top-p"))
        except ValueError as err:
            self.cancel_job("predict")
            self.status.show(str(err), "error")
            return
        engine = self.hub.decoder()
        self.schedule("predict", lambda: self.Predicted(
            prompt, engine.next_token(prompt, t, k, p, top=TOP)), delay)

    def on_next_token_panel_predicted(self, message: Predicted) -> None:
        self.prompt, nt = message.prompt, message.next
        self.next = nt
        self.samples = 0
        self.observed.clear()
        self.last_draw = []
        self.show_notice(nt.notice)
        self._draw()
        self._publish()

    def on_resize(self) -> None:
        if self.next is not None:
            self._draw()

    def show_error(self, job: str, error: str) -> None:
        if job == "predict":  # the bars no longer answer the prompt on screen
            self.next = None
            self.query_one("#nt-bars", Static).update("")
            self.query_one("#nt-info", Static).update("")
        super().show_error(job, error)

    # -- sampling ------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_sample(100 if event.button.id == "nt-sample100" else 1)

    def action_sample(self, n: int) -> None:
        nt = self.next
        if nt is None or self.is_running("predict"):
            self.notify(_("Wait for the prediction to finish first."), severity="warning")
            return
        seed = self._seed
        self._seed += 1
        self.schedule("sample", lambda: self.Sampled(nt, Engine.sample(nt, n, seed)), delay=0)

    def on_next_token_panel_sampled(self, message: Sampled) -> None:
        nt, ids = message.next, message.ids
        if nt is not self.next:
            return
        self.samples += len(ids)
        self.observed.update(ids)
        self.last_draw = ids
        self._draw()
        self._publish()

    # -- drawing -------------------------------------------------------------------------------
    def _draw(self) -> None:
        nt = self.next
        assert nt is not None
        best = max(nt.candidates, key=lambda c: (c.prob, c.logit))
        # narrower bars in a narrow panel, so each row's note stays on its line
        bar_width = max(8, min(BAR_WIDTH, self.size.width - 66)) if self.size.width else BAR_WIDTH
        table = Table(box=None, padding=(0, 1), show_edge=False, expand=False)
        table.add_column(_("token"), no_wrap=True)
        table.add_column(_("id"), justify="right", style="dim")
        table.add_column(_("final probability"), no_wrap=True)
        table.add_column("", justify="right")
        if not self.basic:
            table.add_column(_("raw"), justify="right", style="dim")
        if self.samples:
            table.add_column(_("seen in {n}").format(n=self.samples), justify="right")
        table.add_column("", no_wrap=True)  # the note keeps its line; others give way
        removed_k, removed_p = set(nt.removed_by_top_k), set(nt.removed_by_top_p)
        for c in nt.candidates:
            gone = c.id in removed_k or c.id in removed_p
            style = "strike dim" if gone else ("bold" if c is best else "")
            note = Text()
            if c.id == nt.greedy.id:
                note.append("◀ " + _("greedy") + " ", "bold green")
            if c.id in removed_k:
                note.append(_("removed by top-k"), "italic red")
            elif c.id in removed_p:
                note.append(_("removed by top-p"), "italic red")
            row: list[Any] = [
                Text(clip(repr(c.text)[1:-1], 16), style=style), str(c.id),
                Text(bar(c.prob, bar_width), style="dim" if gone else "cyan"),
                Text(f"{c.prob:6.1%}", style=style),
            ]
            if not self.basic:
                row.append(f"{float(nt.probs_raw[c.id]):.1%}")
            if self.samples:
                seen = self.observed.get(c.id, 0) / self.samples
                row.append(Text(f"{seen:6.1%}", style="magenta"))
            row.append(note)
            table.add_row(*row)
        self.query_one("#nt-bars", Static).update(table)
        self.query_one("#nt-info", Static).update(self._info(nt))

    def _info(self, nt: NextToken) -> Text:
        kept = int((nt.probs_final > 0).sum())
        n = nt.prompt_tokens
        prompt = ngettext("{n} token", "{n} tokens", n).format(n=n)
        if self.basic:
            out = fill(_("the prompt is {tokens} · ␣ marks a space at the start of a token"),
                       "dim", tokens=(prompt, ""))
        else:
            vocab = int(nt.logits.shape[0])
            out = fill(_("entropy {bits} (before the settings: {raw})"), "dim",
                       bits=(_("{n} bits").format(n=f"{nt.entropy:.2f}"), "bold"),
                       raw=f"{nt.entropy_raw:.2f}")
            out.append_text(fill("  ·  " + _("kept {kept} of {vocab} tokens"), "dim",
                                 kept=(f"{kept:,}", "bold"), vocab=f"{vocab:,}"))
            out.append_text(fill("  ·  " + _("prompt {tokens}"), "dim", tokens=(prompt, "")))
        if nt.temperature == 0 and not self.basic:
            out.append("\n" + _("temperature 0: greedy, the top token always wins"), "italic")
        if len(self.last_draw) == 1:
            c = next((c for c in nt.candidates if c.id == self.last_draw[0]), None)
            drawn = (c.text if c is not None
                     else _("id {id} (outside the top)").format(id=self.last_draw[0]))
            out.append_text(fill("\n" + _("sampled: {token}"), "dim",
                                 token=(repr(drawn)[1:-1], "bold magenta")))
        elif self.last_draw:
            shown = {c.id for c in nt.candidates}
            other = sum(n for i, n in self.observed.items() if i not in shown)
            expected_other = max(0.0, 1 - sum(float(nt.probs_final[i]) for i in shown))
            out.append("\n" + _("{n} draws: magenta column = observed share, final probability "
                                 "= expected; outside the top {top}: {seen} seen, {expected} "
                                 "expected").format(
                n=self.samples, top=len(shown), seen=f"{other / self.samples:.1%}",
                expected=f"{expected_other:.1%}"), "dim")
        return out

    def _publish(self) -> None:
        nt = self.next
        assert nt is not None
        best = max(nt.candidates, key=lambda c: (c.prob, c.logit))
        self.publish({
            "prompt": self.prompt,
            "temperature": nt.temperature,
            "top_k": nt.top_k,
            "top_p": nt.top_p,
            "top_token": plain(best.text),
            "top_prob": best.prob,
            "greedy_token": plain(nt.greedy.text),
            "kept_count": int((nt.probs_final > 0).sum()),
            "kept_tokens": [plain(c.text) for c in nt.candidates if c.prob > 0],
            "entropy": nt.entropy,
            "samples": self.samples,
        })
