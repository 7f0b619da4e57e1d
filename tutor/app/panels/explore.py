"""Explore panel: the learner is the sampler. From a prompt, pick any of the top next tokens,
rewind, branch, and read the whole text coloured by how likely the model found each token
(or by its uncertainty there), with the running log-probability and perplexity.

Every text the learner reaches is scored once by the engine and kept, so rewinding and
switching branches redraw at once, without asking the model again.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static

from tutor.app.panels.base import panel_css
from tutor.app.panels.live import JobAnswer, LivePanel
from tutor.app.panels.next_token import parse_settings, plain
from tutor.app.panels.render import bar, clip, fill, heat_color, heat_style, visible
from tutor.engine.types import Candidate, TextScore
from tutor.i18n import _, ngettext

TOP = 10  # candidates listed
SHOWN_TOKENS = 160  # of the text, the last ones shown
ENTROPY_SCALE = 8.0  # bits at the hot end of the entropy colours
_KEEP = 64  # scored texts kept for instant rewinds and branch switches
_MODES = ("probability", "entropy")

Key = tuple[str, tuple[int, ...], float, int, float]


class CandidateList(Static, can_focus=True):
    """The top next tokens; the panel's keys act on the highlighted one."""


def token_style(prob: float | None, entropy: float | None, mode: str) -> Style:
    if mode == "entropy":
        return Style(color="grey50") if entropy is None else heat_style(
            min(1.0, entropy / ENTROPY_SCALE))
    return Style(color="grey50") if prob is None else heat_style(prob)


def legend(mode: str) -> Text:
    out = Text()
    if mode == "entropy":
        out.append(_("colour: entropy of the guess before each token, bits") + "  0 ", "dim")
        stops = [i / 10 for i in range(11)]
        end = f" ≥{ENTROPY_SCALE:g}"
    else:
        out.append(_("colour: each token's probability when read or chosen") + "  0 ", "dim")
        stops = [i / 10 for i in range(11)]
        end = " 1"
    for s in stops:
        out.append(" ", Style(bgcolor=heat_color(s)))
    out.append(end, "dim")
    out.append("  · " + _("underlined: yours"), "dim")
    return out


class ExplorePanel(LivePanel):
    PANEL_ID = "explore"
    DEFAULT_CSS = panel_css(__file__)
    BINDINGS: ClassVar = [
        Binding("up", "move(-1)", _("Candidate ↑"), show=False, id="explore.up"),
        Binding("down", "move(1)", _("Candidate ↓"), show=False, id="explore.down"),
        Binding("enter", "append", _("Append"), id="explore.append"),
        Binding("backspace", "rewind", _("Rewind"), id="explore.rewind"),
        Binding("b", "branch", _("Branch"), id="explore.branch"),
        # one footer entry for the pair, so the footer fits 80 columns (docs/keys.md)
        Binding("left_square_bracket", "switch(-1)", _("Branch −"), key_display="[",
                id="explore.branch_previous", group=Binding.Group(_("Branches"), compact=True)),
        Binding("right_square_bracket", "switch(1)", _("Branch +"), key_display="]",
                id="explore.branch_next", group=Binding.Group(_("Branches"), compact=True)),
        Binding("c", "colours", _("Colours"), id="explore.colours"),
    ]
    DEFAULT_PROMPT = "The capital of France is"

    @dataclass
    class Scored(JobAnswer):
        key: Key  # the prompt, the appended ids and the settings the score answers
        score: TextScore

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prompt = ""
        self.branches: list[list[int]] = [[]]  # token ids appended after the prompt
        self.current = 0
        self.cursor = 0  # highlighted candidate
        self.mode = _MODES[0]
        self.score: TextScore | None = None  # the score of the text on screen
        self._scores: OrderedDict[Key, TextScore] = OrderedDict()
        self._settings: tuple[float, int, float] = (1.0, 0, 1.0)
        # the token just appended, shown at once while the model scores the longer text
        self._pending: Candidate | None = None

    def compose_panel(self) -> ComposeResult:
        yield Input(self.preset("prompt", self.DEFAULT_PROMPT), id="ex-prompt",
                    placeholder=_("A prompt to continue token by token (Enter: go to the list)"))
        with Horizontal(id="ex-controls"):
            yield from self.sampling_inputs("ex", temperature=1.0)
        yield Static("", id="ex-text")
        yield Static(legend(self.mode), id="ex-legend")
        with Horizontal(id="ex-body"):
            yield CandidateList("", id="ex-candidates")
            yield Static("", id="ex-stats")
        yield self.status

    def on_mount(self) -> None:
        self.prompt = self.query_one("#ex-prompt", Input).value
        self.recompute(delay=0)

    # -- asking the model ---------------------------------------------------------------------
    @property
    def branch(self) -> list[int]:
        return self.branches[self.current]

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.input.id == "ex-prompt" and event.value != self.prompt:
            # a new prompt starts over: the chosen tokens continued the old one
            self.prompt = event.value
            self.branches, self.current = [[]], 0
        self.recompute()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(CandidateList).focus()

    def _key(self) -> Key:
        t, k, p = self._settings
        return (self.prompt, tuple(self.branch), t, k, p)

    def recompute(self, delay: float | None = None) -> None:
        """Show the current branch's score, from the kept ones or from the model."""
        try:
            self._settings = parse_settings(
                *(self.query_one(f"#ex-{n}", Input).value.strip()
                  for n in ("temperature", "top-k", "top-p")))
        except ValueError as err:
            self.cancel_job("score")
            self.status.show(str(err), "error")
            return
        key = self._key()
        kept = self._scores.get(key)
        if kept is not None:
            self.cancel_job("score")
            self._show(kept)
            return
        engine = self.hub.decoder()
        prompt, appended, (t, k, p) = key[0], list(key[1]), self._settings
        self.schedule("score", lambda: self.Scored(
            key, engine.score(prompt, appended, t, k, p, top=TOP)), delay)

    def on_explore_panel_scored(self, message: Scored) -> None:
        key, score = message.key, message.score
        self._scores[key] = score
        while len(self._scores) > _KEEP:
            self._scores.popitem(last=False)
        if key == self._key():
            self._show(score)

    def _show(self, score: TextScore) -> None:
        self._pending = None
        if self.score is None or self.score.next is not score.next:
            self.cursor = 0
        self.score = score
        self.show_notice(score.notice)
        self.redraw()
        self._publish()

    def show_error(self, job: str, error: str) -> None:
        self.score = None
        for box in ("#ex-text", "#ex-candidates", "#ex-stats"):
            self.query_one(box, Static).update("")
        super().show_error(job, error)

    # -- the learner's keys -------------------------------------------------------------------
    def _ready(self) -> TextScore | None:
        score = self.score
        if score is None or self.is_running("score") or self._key() not in self._scores:
            self.notify(_("Wait for the model's candidates first."), severity="warning")
            return None
        return score

    def action_move(self, delta: int) -> None:
        if self.score is not None:
            self.cursor = (self.cursor + delta) % len(self.score.next.candidates)
            self.redraw()

    def action_append(self) -> None:
        score = self._ready()
        if score is not None:
            chosen = score.next.candidates[self.cursor]
            self.branch.append(chosen.id)
            self.recompute(delay=0)
            if self.score is score:  # not kept from before: the model is asked
                self._pending = chosen
                self.redraw()

    def action_rewind(self) -> None:
        if not self.branch:
            self.notify(_("Nothing to rewind: this is the prompt."), severity="warning")
            return
        self.branch.pop()
        self.recompute(delay=0)

    def action_branch(self) -> None:
        """A new branch from here: a copy of this one, to continue differently."""
        self.branches.append(list(self.branch))
        self.current = len(self.branches) - 1
        self.recompute(delay=0)

    def action_switch(self, delta: int) -> None:
        if len(self.branches) > 1:
            self.current = (self.current + delta) % len(self.branches)
            self.recompute(delay=0)

    def action_colours(self) -> None:
        self.mode = _MODES[(_MODES.index(self.mode) + 1) % len(_MODES)]
        self.query_one("#ex-legend", Static).update(legend(self.mode))
        self.redraw()

    # -- drawing ------------------------------------------------------------------------------
    def redraw(self) -> None:
        score = self.score
        if score is None:
            return
        self.query_one("#ex-text", Static).update(self._coloured(score))
        self.query_one("#ex-candidates", Static).update(
            self._candidates(score) if self._pending is None
            else Text(_("asking the model for the next candidates…"), "italic"))
        self.query_one("#ex-stats", Static).update(self._stats(score))

    def _coloured(self, score: TextScore) -> Text:
        pending = self._pending
        first_chosen = len(score.tokens) - len(self.branch) + (pending is not None)
        out = Text()
        start = max(0, len(score.tokens) - SHOWN_TOKENS)
        if start:  # the end is where the learner works; the box stays a few lines high
            out.append("… " + ngettext("({n} earlier token)", "({n} earlier tokens)",
                                       start).format(n=start) + " ", "dim")
        for i, t in enumerate(score.tokens[start:], start=start):
            style = token_style(t.prob, t.entropy, self.mode)
            if i >= first_chosen:
                style = style + Style(underline=True)
            out.append(t.text.replace("␣", " ").replace("↵", "↵\n"), style)
        if pending is not None:  # its probability and entropy are already known
            style = token_style(float(score.next.probs_raw[pending.id]), score.next.entropy_raw,
                                self.mode)
            out.append(pending.text.replace("␣", " ").replace("↵", "↵\n"),
                       style + Style(underline=True))
        out.append("▌", "blink")
        return out

    def _candidates(self, score: TextScore) -> Table:
        nt = score.next
        table = Table(box=None, padding=(0, 1), show_edge=False, expand=False,
                      title=_("next token ({count} most likely)").format(
                          count=len(nt.candidates)), title_justify="left")
        table.add_column("")
        table.add_column(_("token"), no_wrap=True)
        table.add_column(_("model"), no_wrap=True)
        table.add_column("", justify="right")
        table.add_column(_("sampling"), justify="right")
        table.add_column("")
        cut_k, cut_p = set(nt.removed_by_top_k), set(nt.removed_by_top_p)
        for i, c in enumerate(nt.candidates):
            raw = float(nt.probs_raw[c.id])
            cut = (_("cut by top-k") if c.id in cut_k
                   else _("cut by top-p") if c.id in cut_p else "")
            style = "dim" if cut else ""
            here = i == self.cursor
            table.add_row(
                Text("▶" if here else " ", "bold"),
                Text(clip(visible(c.text), 14), style=("reverse bold" if here else style)),
                Text(bar(raw, 10), style="dim" if cut else "cyan"),
                Text(f"{raw:6.1%}", style=style), Text(f"{c.prob:6.1%}", style=style),
                Text(cut or (_("greedy") if c.id == nt.greedy.id else ""),
                     style="italic red" if cut else "green"))
        return table

    def _stats(self, score: TextScore) -> Text:
        n = len(score.tokens)
        ppl = "–" if score.perplexity is None else f"{score.perplexity:,.2f}"
        out = fill(_("log-probability {log_prob}  perplexity {perplexity}"), "dim",
                   log_prob=(f"{score.log_prob:.2f}", "bold"), perplexity=(ppl, "bold"))
        out.append("\n" + ngettext("{n} token, scored from the 2nd; you chose {chosen}",
                                   "{n} tokens, scored from the 2nd; you chose {chosen}",
                                   n).format(n=n, chosen=len(self.branch)), "dim")
        out.append("\n" + _("branch {n} of {total}").format(n=self.current + 1,
                                                           total=len(self.branches)), "bold")
        out.append("  " + _("(b: new branch, [ ]: switch)"), "dim")
        out.append("\n" + _("enter: append · backspace: rewind"), "dim")
        first_chosen = n - len(self.branch) + (self._pending is not None)
        off = [(i, t) for i, t in enumerate(score.tokens)
               if i >= first_chosen and t.greedy_id is not None and t.greedy_id != t.id]
        if off:
            out.append("\n" + _("where greedy would differ:"), "bold")
            for i, t in off[-5:]:
                out.append(f"\n #{i} " + _("you “{token}” {prob}, greedy “{greedy}” "
                                            "{greedy_prob}").format(
                    token=visible(t.text), prob=f"{t.prob or 0:.1%}",
                    greedy=visible(t.greedy_text or ""), greedy_prob=f"{t.greedy_prob or 0:.1%}"))
        return out

    def _publish(self) -> None:
        score = self.score
        assert score is not None
        if score.perplexity is None:
            self.status.show(_("one token: there is nothing to score until a second"), "")
        chosen = score.tokens[len(score.tokens) - len(self.branch):] if self.branch else []
        self.publish({
            "text": score.text,
            "log_prob": score.log_prob,
            "perplexity": score.perplexity,
            "chosen": [plain(t.text) for t in chosen],
            "off_greedy": sum(1 for t in chosen if t.greedy_id != t.id),
        })
