"""Prediction-loop panel: autoregressive generation one step per key press.

text → token ids → the model → logits of the last position → softmax → the chosen id →
appended to the input → repeat, until the end-of-sequence token or the step limit. Works
for the decoder-only model and for the encoder-decoder (where the encoder reads the source
once and the decoder's own output grows).
"""

from __future__ import annotations

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
from tutor.app.panels.live import LivePanel
from tutor.app.panels.render import bar, clip, heat_color, token_strip
from tutor.engine import get_spec
from tutor.engine.isodate import is_iso_date
from tutor.engine.types import LoopStep

TOP = 5
MAX_SHOWN_INPUT = 200  # input chips shown (the newest); the model still reads them all
STOP_REASONS = {"eos": "the model chose its end-of-sequence token",
                "max_steps": "reached the step limit",
                "context_full": "the context window is full"}
DEFAULT_TEXT = {"decoder": "The capital of France is", "seq2seq": "the 3rd of March 2021"}


class StepPipeline(Static, can_focus=True):
    """The stages of the latest step (focusable so the step keys work without the text box)."""


class PredictionLoopPanel(LivePanel):
    PANEL_ID = "prediction-loop"
    DEFAULT_CSS = panel_css(__file__)
    DEBOUNCE: ClassVar[float] = 0.0
    BINDINGS: ClassVar = [
        # not n: on a lesson step, n moves to the next step
        Binding("s,space", "step", "Step", id="prediction-loop.step"),
        Binding("r", "reset", "Reset", id="prediction-loop.reset"),
        Binding("m", "switch_model", "Decoder/seq2seq", id="prediction-loop.model"),
    ]

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
                    placeholder="Text to continue (Enter: take one step)")
        with Horizontal(id="loop-bar"):
            yield Button("Step s", id="loop-step", variant="primary", compact=True)
            yield Button("Reset r", id="loop-reset", compact=True)
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
            self.status.show("The loop has ended: press r to start again.", "warning")
            return
        if self.is_running("step"):  # one step at a time; the key is not queued
            return
        text, role, generated = self.text, self.role, list(self.generated)
        engine = self.hub.get(role)  # type: ignore[arg-type]

        def step() -> tuple[str, LoopStep, str]:
            s = engine.loop_step(text, generated, top=TOP)
            written = generated if s.is_eos else [*generated, s.chosen.id]
            return role, s, engine.detokenize(written)

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
        title = get_spec(self.hub.names[other]).title  # type: ignore[index]
        self.query_one("#loop-model", Button).label = f"Switch to {title} (m)"

    # -- a step's answer -----------------------------------------------------------------------
    def show_step(self, value: tuple[str, LoopStep, str]) -> None:
        role, s, output = value
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
            f"step {steps} of at most {self.max_steps}")
        pipeline = self.query_one(StepPipeline)
        s = self.last
        if s is None:
            pipeline.update(Text("Press s (or Enter in the text box) to take the first step: the model will read "
                                 "the text and choose one token.", "italic"))
        else:
            pipeline.update(self._pipeline(s))
        out = self.query_one("#loop-output", Static)
        if self.finished:
            out.update(Text.assemble(("finished: ", "bold"),
                                     STOP_REASONS.get(self.stop_reason, self.stop_reason),
                                     ("\noutput: ", "bold"), (self._full_output(), "cyan")))
        else:
            out.update(Text.assemble(("so far: ", "bold"), (self._full_output(), "cyan")))

    def _full_output(self) -> str:
        return self.text + self.output if self.role == "decoder" else self.output

    def _pipeline(self, s: LoopStep) -> Table:
        grid = Table(box=None, show_header=False, padding=(0, 1), expand=False)
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        if self.role == "seq2seq":
            grid.add_row("1 source", Text(clip(self.text, 80)))
            grid.add_row("  encoder reads", token_strip(s.source_tokens))
            grid.add_row("2 decoder reads", self._chips(s))
        else:
            grid.add_row("1 text", Text(clip(self.text, 80)))
            grid.add_row("2 token ids", self._chips(s))
        title = get_spec(self.hub.names[self.role]).title  # type: ignore[index]
        grid.add_row("3 the model", Text(f"{title} reads {len(s.input_ids)} tokens and gives "
                                         "one score (logit) per vocabulary entry for the last "
                                         "position"))
        grid.add_row("4 softmax", self._candidates(s))
        chosen = Text.assemble(("greedy pick: ", "dim"), (repr(s.chosen.text)[1:-1], "bold"),
                               f" (id {s.chosen.id}, {s.chosen.prob:.1%})")
        if s.is_eos:
            chosen.append(" — the end-of-sequence token: the loop stops", "bold red")
        else:
            chosen.append(" → appended to the input for the next step", "dim")
        grid.add_row("5 chosen", chosen)
        if s.cross_attention is not None and s.source_tokens:
            grid.add_row("  looked at", self._cross(s))
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
            said = ("the last token is the model's own earlier choice" if own == 1 else
                    f"the last {own} are the model's own earlier choices")
            chips.append(f"\n({said})", "italic dim")
        return chips

    @staticmethod
    def _candidates(s: LoopStep) -> Table:
        table = Table(box=None, show_header=False, padding=(0, 1), expand=False)
        for c in s.logits_top:
            mark = "◀" if c.id == s.chosen.id else ""
            table.add_row(Text(clip(repr(c.text)[1:-1], 14), "bold" if mark else ""),
                          f"logit {c.logit:6.2f}", Text(bar(c.prob, 20), "cyan"),
                          f"{c.prob:6.1%}", mark)
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
