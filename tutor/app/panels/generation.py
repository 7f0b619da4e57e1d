"""Generation panel: the model's output streamed token by token with the chosen settings,
live tokens/s, time to first token and device, and the time per token with the KV cache on
and off plotted side by side."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static, Switch, TextArea
from textual.worker import get_current_worker
from textual_plotext import PlotextPlot

from tutor.app.panels.base import panel_css
from tutor.app.panels.live import Emit, JobAnswer, LivePanel
from tutor.app.panels.next_token import parse_settings
from tutor.app.panels.render import clip, fill, plot_label
from tutor.engine import cachecost
from tutor.engine.cachecost import CacheCost
from tutor.engine.limits import SEED_MAX
from tutor.engine.repeats import ends_in_loop
from tutor.engine.types import GeneratedToken, Generation, GenerationSettings
from tutor.i18n import N_, _, ngettext

TASK = "Classify the sentiment of each review as positive or negative.\n\n"
QUERY = "Review: The battery died after two days and support never answered.\nSentiment:"
EXAMPLES = [
    "Review: I love this phone, the screen is gorgeous.\nSentiment: positive\n\n",
    "Review: The package arrived broken and nobody replied to my emails.\nSentiment: negative\n\n",
    "Review: Great value for the price, I would buy it again.\nSentiment: positive\n\n",
]
# A small sentiment task with zero, one and three worked examples before the question
# (in English in every language: the model reads English).
PRESETS: dict[str, str] = {
    "zero-shot": TASK + QUERY,
    "one-shot": TASK + EXAMPLES[0] + QUERY,
    "few-shot": TASK + "".join(EXAMPLES) + QUERY,
}
PRESET_LABELS = {"zero-shot": N_("zero-shot"), "one-shot": N_("one-shot"),
                 "few-shot": N_("few-shot")}
PRESET_MAX_NEW_TOKENS = 3  # one word of answer; greedy so the comparison is fair
# translated where shown (a module-level _() would run before the language is chosen)
STOP_REASONS = {
    "eos": N_("the model produced its end-of-sequence token"),
    "max_new_tokens": N_("reached the maximum number of new tokens"),
    "context_full": N_("the context window is full"),
    "cancelled": N_("stopped by you"),
}
PLOT_EVERY_S = 0.25  # redrawing the plot on every token would slow the stream
FRAME_S = 1 / 60
SHOWN_PROMPT_CHARS = 600


def switch_text(on: bool) -> str:
    """A switch's state in words, beside it: its colour alone does not say it to everyone."""
    return _("on") if on else _("off")


def whole_ticks(n: int, most: int = 6) -> list[int]:
    """At most `most` whole-number positions from 1 to n, evenly stepped, n included."""
    step = max(1, math.ceil((n - 1) / (most - 1)))
    ticks = list(range(1, n + 1, step))
    if ticks[-1] != n:
        ticks.append(n)
    return ticks


def mean_step_ms(tokens: list[GeneratedToken]) -> float:
    """Milliseconds per token after the first (the first also reads the whole prompt)."""
    steps = [t.ms for t in tokens[1:]] or [t.ms for t in tokens]
    return sum(steps) / len(steps) if steps else 0.0


class GenerationPanel(LivePanel):
    PANEL_ID = "generation"
    DEFAULT_CSS = panel_css(__file__)
    BINDINGS: ClassVar = [
        # key labels are translated as the module loads: the tutor chooses the language first
        Binding("ctrl+g", "generate", _("Generate"), id="generation.generate"),
        Binding("ctrl+b", "compare", _("Cache on vs off"), id="generation.compare"),
        Binding("ctrl+n", "stop", _("Stop"), id="generation.stop"),
    ]
    DEFAULT_PROMPT = "Once upon a time"

    @dataclass
    class RunStarted(JobAnswer):
        FINAL = False
        prompt: str  # as the learner wrote it
        fed_prompt: str  # what the model reads (after the chat template)
        settings: GenerationSettings
        notice: str | None
        prompt_tokens: int  # what the model reads, after the chat template and any cut

    @dataclass
    class TokenMade(JobAnswer):
        FINAL = False
        token: GeneratedToken

    @dataclass
    class RunDone(JobAnswer):
        FINAL = False
        result: Generation

    @dataclass
    class AllDone(JobAnswer):
        results: list[Generation]

    @dataclass
    class CompareProgress(JobAnswer):
        FINAL = False
        done: int
        total: int
        context: int  # tokens in context for the run under way
        use_cache: bool

    @dataclass
    class Compared(JobAnswer):
        cost: CacheCost | None  # None: stopped before the end

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tokens: list[GeneratedToken] = []  # the run on screen
        self.settings = GenerationSettings()
        self.fed_prompt = ""  # what the model read (after the chat template)
        self.prompt = ""  # what the learner wrote for the run on screen
        self.series: dict[bool, list[float]] = {}  # use_cache -> ms per token, last run
        self.last: dict[bool, Generation] = {}
        self.runs = 0
        self.measuring = ""  # where a running cache comparison is, in words
        self.runs_by_cache: dict[bool, int] = {True: 0, False: 0}  # completed runs
        self.cost: CacheCost | None = None  # the last cache comparison
        self.prompt_tokens = 0  # what the model read for the run on screen
        self._plotted_at = 0.0
        self._drawn_at = 0.0

    def compose_panel(self) -> ComposeResult:
        preset = self.preset("preset", "")
        preset = preset if preset in PRESETS else ""
        prompt = self.preset("prompt", "") or PRESETS.get(preset, self.DEFAULT_PROMPT)
        yield TextArea(prompt, id="gen-prompt", soft_wrap=True, show_line_numbers=False)
        # rows short enough for 80 columns: no control is ever off the screen's edge
        with Horizontal(classes="gen-row"):
            yield Label(_("preset"))
            yield Select([(_(PRESET_LABELS[name]), name) for name in PRESETS],
                         value=preset or Select.NULL, prompt=_("none"), id="gen-preset",
                         compact=True)
            yield Label(_("max new"))
            yield Input(str(self.preset("max_new_tokens", 32)), id="gen-max", type="integer",
                        classes="gen-setting")
            yield Label(_("seed"))
            seed = self.inputs.get("seed")
            yield Input("" if not isinstance(seed, int) else str(seed), id="gen-seed",
                        type="integer", placeholder=_("any"), classes="gen-setting")
        with Horizontal(classes="gen-row"):
            yield from self.sampling_inputs("gen", temperature=0.0)
        with Horizontal(classes="gen-row"):
            cache, chat = self.preset("use_cache", True), self.preset("chat", False)
            yield Label(_("KV cache"))
            yield Switch(cache, id="gen-cache")
            yield Label(switch_text(cache), id="gen-cache-state", classes="switch-state")
            yield Label(_("chat template"))
            yield Switch(chat, id="gen-chat")
            yield Label(switch_text(chat), id="gen-chat-state", classes="switch-state")
        with Horizontal(classes="gen-row"):
            yield Button(_("Generate") + " ^g", id="gen-go", variant="primary", compact=True)
            yield Button(_("Cache on vs off") + " ^b", id="gen-compare", compact=True)
            yield Button(_("Stop") + " ^n", id="gen-stop", compact=True)
        with VerticalScroll(id="gen-output-scroll"):
            yield Static("", id="gen-output")
        yield Static("", id="gen-stats")
        yield PlotextPlot(id="gen-plot")
        yield self.status

    def progress(self) -> str:
        if self.is_running("compare"):
            return self.measuring or _("measuring the cost of one more token…")
        if not self.is_running("generate"):
            return ""
        most = self.settings.max_new_tokens
        return ngettext("Generating: {n} of at most {most} token",
                        "Generating: {n} of at most {most} tokens", most).format(
            n=len(self.tokens), most=most)

    def on_mount(self) -> None:
        self._draw_plot()
        self._publish_state("", [], "", 0.0, self.settings)

    # -- controls ------------------------------------------------------------------------------
    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value in PRESETS:
            self.query_one("#gen-prompt", TextArea).text = PRESETS[str(event.value)]
            self.query_one("#gen-max", Input).value = str(PRESET_MAX_NEW_TOKENS)
            self.query_one("#gen-temperature", Input).value = "0"

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()  # settings take effect at the next run

    def on_switch_changed(self, event: Switch.Changed) -> None:
        event.stop()
        self.query_one(f"#{event.switch.id}-state", Label).update(switch_text(event.value))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"gen-go": self.action_generate, "gen-compare": self.action_compare,
         "gen-stop": self.action_stop}[str(event.button.id)]()

    def read_settings(self) -> GenerationSettings:
        """The controls as settings; ValueError with a sentence for the learner if one is off."""
        def value(id: str) -> str:
            return self.query_one(f"#{id}", Input).value.strip()

        t, k, p = parse_settings(value("gen-temperature"), value("gen-top-k"), value("gen-top-p"))
        try:
            max_new = int(value("gen-max"))
        except ValueError:
            raise ValueError(_("max new tokens must be a whole number")) from None
        if not 1 <= max_new <= 2048:
            raise ValueError(_("max new tokens must be between 1 and 2048"))
        seed_text = value("gen-seed")
        try:
            seed = int(seed_text) if seed_text else None
        except ValueError:
            raise ValueError(_("the seed must be a whole number, or empty for any")) from None
        if seed is not None and not 0 <= seed <= SEED_MAX:
            raise ValueError(_("the seed must be a whole number from 0 to {max} (64 bits), "
                               "or empty for any").format(max=SEED_MAX))
        return GenerationSettings(
            max_new_tokens=max_new, temperature=t, top_k=k, top_p=p, seed=seed,
            use_cache=self.query_one("#gen-cache", Switch).value,
            chat=self.query_one("#gen-chat", Switch).value,
            candidates=0)  # the panel shows no per-step candidates: skip their cost

    def action_generate(self) -> None:
        try:
            s = self.read_settings()
        except ValueError as err:
            self.status.show(str(err), "error")
            return
        prompt = self.query_one("#gen-prompt", TextArea).text
        self.cancel_job("compare")
        self.status.show("")
        self.run_stream_job("generate", lambda emit: self._generate(prompt, [s], emit))

    def action_compare(self) -> None:
        """Measure the cost of one more token with and without the cache at growing context,
        interleaved and repeated (see tutor/engine/cachecost.py)."""
        prompt = self.query_one("#gen-prompt", TextArea).text
        if not prompt.strip():
            self.status.show(_("Write a prompt first: the comparison repeats it to fill the "
                               "context."), "error")
            return
        self.cancel_job("generate")
        self.cost = None
        self.measuring = ""
        self.status.show(_("measuring the cost of one more token, with and without the "
                           "cache…"))
        engine = self.hub.decoder()

        def run(emit: Emit) -> GenerationPanel.Compared:
            worker = get_current_worker()
            return self.Compared(cachecost.measure(
                engine, prompt, cancelled=lambda: worker.is_cancelled,
                progress=lambda *step: emit(self.CompareProgress(*step))))
        self.run_stream_job("compare", run)

    def on_generation_panel_compare_progress(self, message: CompareProgress) -> None:
        done, total, context, use_cache = (message.done, message.total, message.context,
                                           message.use_cache)
        self.measuring = (_("measuring: run {n} of {total}, {context} tokens in context, "
                            "cache {state}…").format(n=done + 1, total=total, context=context,
                                                      state=switch_text(use_cache)))
        self.status.show(self.measuring)

    def on_generation_panel_compared(self, message: Compared) -> None:
        cost = message.cost
        if cost is None:
            return
        self.cost = cost
        self.runs_by_cache[True] += cost.runs
        self.runs_by_cache[False] += cost.runs
        self.runs += 2 * cost.runs
        self.status.show(cost.summary(), "" if cost.conclusive else "warning")
        self._draw_stats()
        self._draw_plot()
        # the run on screen is unchanged; only the counts and the measured speed-up move
        self.publish({**self.result, "runs": self.runs,
                      "runs_cached": self.runs_by_cache[True],
                      "runs_uncached": self.runs_by_cache[False],
                      "cache_speedup": self.cache_speedup()})

    def _generate(self, prompt: str, runs: list[GenerationSettings], emit: Emit) -> AllDone:
        """Worker thread: each run's tokens are sent as they come."""
        engine = self.hub.decoder()
        worker = get_current_worker()
        done: list[Generation] = []
        for s in runs:
            stream = engine.stream(prompt, s, cancelled=lambda: worker.is_cancelled)
            emit(self.RunStarted(prompt, stream.prompt_text, s, stream.notice,
                                 len(stream.input_ids)))
            for token in stream:
                emit(self.TokenMade(token))
            assert stream.result is not None
            done.append(stream.result)
            emit(self.RunDone(stream.result))
            if worker.is_cancelled:
                break
        return self.AllDone(done)

    def action_stop(self) -> None:
        if self.is_running("compare"):
            self.cancel_job("compare")
            self.status.show(_("comparison stopped"))
            return
        if not self.is_running("generate"):
            return
        self.cancel_job("generate")
        self._publish_state(self.prompt, self.tokens, "cancelled", 0.0, self.settings)
        self._draw_output()
        self._draw_stats(stop="cancelled")

    # -- what comes back ---------------------------------------------------------------------
    def on_generation_panel_run_started(self, message: RunStarted) -> None:
        self.prompt, self.fed_prompt, self.settings = (message.prompt, message.fed_prompt,
                                                       message.settings)
        self.prompt_tokens = message.prompt_tokens
        self.tokens = []
        self.series[self.settings.use_cache] = []
        self.show_notice(message.notice)
        self._redraw(streaming=False)

    def on_generation_panel_token_made(self, message: TokenMade) -> None:
        self.tokens.append(message.token)
        self.series[self.settings.use_cache].append(message.token.ms)
        self._redraw(streaming=True)

    def on_generation_panel_run_done(self, message: RunDone) -> None:
        result = message.result
        self.runs += 1
        self.runs_by_cache[result.use_cache] += 1
        self.last[result.use_cache] = result
        self._publish_state(self.prompt, result.tokens, result.stop_reason,
                            result.tokens_per_s, self.settings, result.text)
        self._redraw(streaming=False, result=result)

    def on_generation_panel_all_done(self, message: AllDone) -> None:
        self._draw_plot()

    def _redraw(self, streaming: bool, result: Generation | None = None) -> None:
        now = time.perf_counter()
        # a fast model makes more tokens than frames: draw at most once a frame while streaming
        if not streaming or now - self._drawn_at > FRAME_S:
            self._drawn_at = now
            self._draw_output()
            self._draw_stats(result=result)
        if not streaming or now - self._plotted_at > PLOT_EVERY_S:
            self._plotted_at = now
            self._draw_plot()

    # -- drawing -------------------------------------------------------------------------------
    def _draw_output(self) -> None:
        out = Text()
        out.append(clip(self.fed_prompt[-SHOWN_PROMPT_CHARS:], SHOWN_PROMPT_CHARS), "dim")
        for i, t in enumerate(self.tokens):  # the text each token adds, in alternating colours
            out.append(t.added, "bold cyan" if i % 2 == 0 else "bold magenta")
        self.query_one("#gen-output", Static).update(out)
        self.query_one("#gen-output-scroll", VerticalScroll).scroll_end(animate=False)

    def _draw_stats(self, result: Generation | None = None, stop: str | None = None) -> None:
        n = len(self.tokens)
        step_ms = sum(t.ms for t in self.tokens)
        tps = result.tokens_per_s if result else (n / (step_ms / 1000) if step_ms else 0.0)
        ttft = result.ttft_ms if result else (self.tokens[0].ms if self.tokens else 0.0)
        device = result.device if result else (self.last[next(iter(self.last))].device
                                               if self.last else "…")
        # while it streams, how far along it is; once stopped, the count alone
        running = self.is_running("generate") and not stop and result is None
        most = self.settings.max_new_tokens
        count = (ngettext("{n} of at most {most} token", "{n} of at most {most} tokens", most)
                 if running else ngettext("{n} token", "{n} tokens", n))
        line = fill(_("{count} · {rate} tokens/s · first token {first} · {step} ms/token · "
                      "KV cache {cache} · device {device}"),
                    count=fill(count, n=(str(n), "bold"), most=(str(most), "bold")),
                    rate=(f"{tps:.1f}", "bold"), first=(f"{ttft:.0f} ms", "bold"),
                    step=f"{mean_step_ms(self.tokens):.1f}",
                    cache=switch_text(self.settings.use_cache), device=(device, "bold"))
        reason = stop or (result.stop_reason if result else None)
        if reason:
            shown = _(STOP_REASONS[reason]) if reason in STOP_REASONS else reason
            line.append("\n" + _("stopped: {reason}").format(reason=shown), "italic")
        elif n:
            line.append("\n" + _("generating…"), "italic")
        if not self.last and not n:
            line = Text()  # only a comparison has run: no generation to describe
        if self.cost is not None:
            if line.plain:
                line.append("\n")
            line.append(ngettext("KV cache, one more token (median of {n} interleaved repeat): ",
                                 "KV cache, one more token (median of {n} interleaved repeats): ",
                                 self.cost.repeats).format(n=self.cost.repeats), "bold")
            line.append(" · ".join(
                _("{context} in context {cached} vs {uncached} ms").format(
                    context=p.context, cached=f"{p.cached:.0f}", uncached=f"{p.uncached:.0f}")
                for p in self.cost.points))
            line.append("\n" + self.cost.summary(),
                        "green" if self.cost.longest.verdict == "faster" else "yellow")
        elif self.last.get(True) is not None and self.last.get(False) is not None:
            line.append("\n" + _("Both runs are on the plot. One run each is easily swayed by "
                                 "a busy machine: Cache on vs off (ctrl+b) measures it "
                                 "properly."), "italic")
        self.query_one("#gen-stats", Static).update(line)

    def _draw_plot(self) -> None:
        plot = self.query_one("#gen-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        if self.cost is not None and not self.is_running("generate"):
            self._plot_cost(plt, self.cost)
            plot.refresh()
            return
        plt.title(plot_label(_("time per token (ms) by position")))
        plt.xlabel(plot_label(_("token")))
        highest = max((max(ys) for ys in self.series.values() if ys), default=0.0)
        if highest > 0:  # from zero, so a flat line looks flat and the labels stay round
            plt.ylim(0, highest * 1.15)
        longest = 0
        for cache, colour in ((True, "green"), (False, "red")):
            ys = self.series.get(cache) or []
            if ys:
                label = plot_label(_("cache {state}").format(state=switch_text(cache)))
                plt.plot(list(range(1, len(ys) + 1)), ys, label=label, color=colour,
                         marker="braille")
                longest = max(longest, len(ys))
        if longest:  # positions are whole tokens: whole-number ticks
            ticks = whole_ticks(longest)
            plt.xticks(ticks, [str(t) for t in ticks])
        plot.refresh()

    @staticmethod
    def _plot_cost(plt: Any, cost: CacheCost) -> None:
        plt.title(plot_label(_("ms for one more token, by tokens in context (median)")))
        plt.xlabel(plot_label(_("tokens in context")))
        xs = [p.context for p in cost.points]
        highest = max(max(p.uncached_ms + p.cached_ms) for p in cost.points)
        plt.ylim(0, highest * 1.15)
        plt.xticks(xs, [str(x) for x in xs])
        for cache, colour in ((True, "green"), (False, "red")):
            ys = [p.cached if cache else p.uncached for p in cost.points]
            label = plot_label(_("cache {state}").format(state=switch_text(cache)))
            plt.plot(xs, ys, label=label,
                     color=colour, marker="braille")

    # -- the result a task step checks ---------------------------------------------------------
    def cache_speedup(self) -> float:
        """From the last comparison; 0 before one, or when it was too noisy to conclude."""
        return self.cost.speedup if self.cost is not None else 0.0

    def _publish_state(self, prompt: str, tokens: list[GeneratedToken], stop_reason: str,
                       tokens_per_s: float, s: GenerationSettings, text: str | None = None) -> None:
        if text is None:  # a stopped run: the text its tokens added
            text = "".join(t.added for t in tokens)
        self.publish({
            "prompt": prompt, "text": text, "token_count": len(tokens),
            "stop_reason": stop_reason, "tokens_per_s": tokens_per_s,
            "use_cache": s.use_cache, "temperature": s.temperature, "runs": self.runs,
            "runs_cached": self.runs_by_cache[True], "runs_uncached": self.runs_by_cache[False],
            "cache_speedup": self.cache_speedup(), "chat": s.chat,
            "prompt_tokens": self.prompt_tokens,
            "repeats": ends_in_loop([t.id for t in tokens]),
        })
