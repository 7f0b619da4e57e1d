"""Prediction-loop panel: autoregressive generation one step per key press.

text → token ids → the model → logits of the last position → softmax → the chosen id →
appended to the input → repeat, until the end-of-sequence token or the step limit. Works
for the decoder-only model and for the encoder-decoder (where the encoder reads the source
once and the decoder's own output grows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Static

from tutor.app.engines import Role
from tutor.app.panels.base import panel_css
from tutor.app.panels.live import JobAnswer, LivePanel
from tutor.app.panels.render import bar, clip, fill, heat_color, token_strip
from tutor.engine.isodate import is_iso_date
from tutor.engine.types import LoopStep
from tutor.i18n import N_, _, ngettext

TOP = 5
MAX_SHOWN_INPUT = 200  # input chips shown (the newest); the model still reads them all
# translated where shown (a module-level _() would run before the language is chosen)
STOP_REASONS = {"eos": N_("the model chose its end-of-sequence token"),
                "max_steps": N_("reached the step limit"),
                "context_full": N_("the context window is full")}
DEFAULT_TEXT = {"decoder": "The capital of France is", "seq2seq": "the 3rd of March 2021"}


class StepPipeline(Static, can_focus=True):
    """The stages of the latest step (focusable so the step keys work without the text box)."""


class PredictionLoopPanel(LivePanel):
    PANEL_ID = "prediction-loop"
    DEFAULT_CSS = panel_css(__file__)
    DEBOUNCE: ClassVar[float] = 0.0
    BINDINGS: ClassVar = [
        # not n: on a lesson step, n moves to the next step
        # key labels are translated as the module loads: the tutor chooses the language first
        Binding("s,space", "step", _("Step"), id="prediction-loop.step"),
        Binding("r", "reset", _("Reset"), id="prediction-loop.reset"),
        Binding("m", "switch_model", _("Decoder/seq2seq"), id="prediction-loop.model"),
    ]

    @dataclass
    class Stepped(JobAnswer):
        role: str
        step: LoopStep

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.preset("model", "decoder")
        self.role = role if role in ("decoder", "seq2seq") else "decoder"
        self.max_steps = max(1, min(512, self.preset("max_steps", 20)))
        self.generated: list[int] = []
        self.last: LoopStep | None = None
        self.output = ""
        self.stop_reason = ""

    @property
    def finished(self) -> bool:
        return bool(self.stop_reason)

    def compose_panel(self) -> ComposeResult:
        yield Input(self.preset("text", DEFAULT_TEXT[self.role]), id="loop-input",
                    placeholder=_("Text to continue (Enter: take one step)"))
        with Horizontal(id="loop-bar"):
            yield Button(_("Step") + " s", id="loop-step", variant="primary", compact=True)
            yield Button(_("Reset") + " r", id="loop-reset", compact=True)
        with Horizontal(id="loop-models"):  # a row of its own: the model's name is long
            yield Button("", id="loop-model", compact=True)
        yield Static("", id="loop-progress")
        with VerticalScroll(id="loop-scroll"):
            yield StepPipeline("", id="loop-pipeline")
        yield Static("", id="loop-output")
        yield self.status

    def models(self) -> list[Role]:
        return [self.role]  # type: ignore[list-item]

    def on_mount(self) -> None:
        self._label_model()
        self._draw()
        self._publish()

    @property
    def text(self) -> str:
        return self.query_one("#loop-input", Input).value

    # -- controls ------------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.action_reset()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_step()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"loop-step": self.action_step, "loop-reset": self.action_reset,
         "loop-model": self.action_switch_model}[str(event.button.id)]()

    def action_step(self) -> None:
        if self.finished:
            self.status.show(_("The loop has ended: press r to start again."), "warning")
            return
        if self.is_running("step"):  # one step at a time; the key is not queued
            return
        text, role, generated = self.text, self.role, list(self.generated)
        engine = self.hub.get(role)  # type: ignore[arg-type]

        def step() -> PredictionLoopPanel.Stepped:
            return self.Stepped(role, engine.loop_step(text, generated, top=TOP))

        self.run_job("step", step)

    def action_reset(self) -> None:
        self.cancel_job("step")
        self.generated, self.last, self.output, self.stop_reason = [], None, "", ""
        self.status.show("")
        self._draw()
        self._publish()

    def action_switch_model(self) -> None:
        self.role = "seq2seq" if self.role == "decoder" else "decoder"
        self._label_model()
        field = self.query_one("#loop-input", Input)
        with field.prevent(Input.Changed):
            field.value = DEFAULT_TEXT[self.role]
        self.action_reset()

    def _label_model(self) -> None:
        other = "seq2seq" if self.role == "decoder" else "decoder"
        title = self.model_title(other)
        self.query_one("#loop-model", Button).label = _("Switch to {model} (m)").format(
            model=title)

    # -- a step's answer -----------------------------------------------------------------------
    def on_prediction_loop_panel_stepped(self, message: Stepped) -> None:
        role, s, output = message.role, message.step, message.step.output
        if role != self.role:
            return
        self.last = s
        self.output = output
        if s.is_eos:
            self.stop_reason = "eos"
        else:
            self.generated.append(s.chosen.id)
            if s.context_full:
                self.stop_reason = "context_full"
            elif len(self.generated) >= self.max_steps:
                self.stop_reason = "max_steps"
        self.status.show("")
        self._draw()
        self._publish()

    def _publish(self) -> None:
        steps = len(self.generated) + (1 if self.stop_reason == "eos" else 0)
        self.publish({"text": self.text, "model": self.role, "steps": steps,
                      "finished": self.finished, "output": self.output,
                      "stop_reason": self.stop_reason,
                      "valid_date": is_iso_date(self.output.strip())})

    # -- drawing -------------------------------------------------------------------------------
    def _draw(self) -> None:
        steps = len(self.generated) + (1 if self.stop_reason == "eos" else 0)
        self.query_one("#loop-progress", Static).update(
            _("step {n} of at most {most}").format(n=steps, most=self.max_steps))
        pipeline = self.query_one(StepPipeline)
        s = self.last
        if s is None:
            pipeline.update(Text(_("Press s (or Enter in the text box) to take the first step: "
                                   "the model will read the text and choose one token."),
                                 "italic"))
        else:
            pipeline.update(self._pipeline(s))
        out = self.query_one("#loop-output", Static)
        if self.finished:
            reason = STOP_REASONS.get(self.stop_reason)
            out.update(Text.assemble((_("finished:") + " ", "bold"),
                                     _(reason) if reason else self.stop_reason,
                                     ("\n" + _("output:") + " ", "bold"),
                                     (self._full_output(), "cyan")))
        else:
            out.update(Text.assemble((_("so far:") + " ", "bold"), (self._full_output(), "cyan")))

    def _full_output(self) -> str:
        return self.text + self.output if self.role == "decoder" else self.output

    def _pipeline(self, s: LoopStep) -> Table:
        grid = Table(box=None, show_header=False, padding=(0, 1), expand=False)
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        if self.role == "seq2seq":
            grid.add_row("1 " + _("source"), Text(clip(self.text, 80)))
            grid.add_row("  " + _("encoder reads"), token_strip(s.source_tokens))
            grid.add_row("2 " + _("decoder reads"), self._chips(s))
        else:
            grid.add_row("1 " + _("text"), Text(clip(self.text, 80)))
            grid.add_row("2 " + _("token ids"), self._chips(s))
        title = self.model_title(self.role)
        n = len(s.input_ids)
        grid.add_row("3 " + _("the model"), Text(ngettext(
            "{model} reads {n} token and gives one score (logit) per vocabulary entry for the "
            "last position",
            "{model} reads {n} tokens and gives one score (logit) per vocabulary entry for the "
            "last position", n).format(model=title, n=n)))
        grid.add_row("4 " + _("softmax"), self._candidates(s))
        chosen = fill(_("greedy pick: {token}"), "dim", token=(repr(s.chosen.text)[1:-1], "bold"))
        chosen.append(" " + _("(id {id}, {prob})").format(id=s.chosen.id,
                                                          prob=f"{s.chosen.raw_prob:.1%}"))
        if s.is_eos:
            chosen.append(" — " + _("the end-of-sequence token: the loop stops"), "bold red")
        else:
            chosen.append(" → " + _("appended to the input for the next step"), "dim")
        grid.add_row("5 " + _("chosen"), chosen)
        if s.cross_attention is not None and s.source_tokens:
            grid.add_row("  " + _("looked at"), self._cross(s))
        return grid

    @staticmethod
    def _chips(s: LoopStep) -> Text:
        """The input as coloured chips with ids (the newest, if it is long)."""
        tokens, ids = s.input_tokens, s.input_ids
        start = max(0, len(tokens) - MAX_SHOWN_INPUT)
        chips = Text("… " if start else "")
        chips.append_text(token_strip(tokens[start:], None, ids[start:]))
        own = s.index  # the tokens generated before this step
        if own:
            said = ngettext("the last token is the model's own earlier choice",
                            "the last {n} are the model's own earlier choices", own).format(n=own)
            chips.append(f"\n({said})", "italic dim")
        return chips

    @staticmethod
    def _candidates(s: LoopStep) -> Table:
        table = Table(box=None, show_header=False, padding=(0, 1), expand=False)
        for c in s.logits_top:
            mark = "◀" if c.id == s.chosen.id else ""
            table.add_row(Text(clip(repr(c.text)[1:-1], 14), "bold" if mark else ""),
                          _("logit {value}").format(value=f"{c.logit:6.2f}"),
                          Text(bar(c.raw_prob, 20), "cyan"),
                          f"{c.raw_prob:6.1%}", mark)
        return table

    @staticmethod
    def _cross(s: LoopStep) -> Text:
        """This step's cross-attention over the source, averaged over layers and heads."""
        assert s.cross_attention is not None
        weights = s.cross_attention.mean(axis=(0, 1))
        out = Text()
        for i, (token, w) in enumerate(zip(s.source_tokens, weights.tolist(), strict=False)):
            if i:
                out.append("  ")
            # the share in brackets: a digit token must not run into its percentage
            out.append(token, Style(color="black", bgcolor=heat_color(w)) if w > 0.05 else "")
            out.append(f" ({w:.0%})", "dim")
        return out
