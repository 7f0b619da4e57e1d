"""Tokenizer panel: the learner's text cut into coloured pieces with their ids, through the
decoder's byte-level BPE and the encoder's WordPiece side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widgets import Input, Static

from tutor.app.engines import Role
from tutor.app.panels.base import panel_css
from tutor.app.panels.chips import TokenChips
from tutor.app.panels.live import JobAnswer, LivePanel
from tutor.app.panels.render import fill
from tutor.app.panels.scripts import LATIN, PUNCTUATION, script_costs
from tutor.engine import EngineError
from tutor.engine.types import Tokenization
from tutor.i18n import N_, _, ngettext

# the methods as the glossary and the lessons name them
ROLES = {"decoder": N_("byte-level BPE"), "encoder": N_("WordPiece")}
# Drawing tens of thousands of chips would stall the screen; counts stay exact beyond this.
MAX_SHOWN_TOKENS = 1500
# Up to this many characters, once both tokenizers are loaded, a keystroke is tokenized on
# the spot: the fast (Rust) tokenizers take about a millisecond for this, less than the hop
# to a worker thread and back, and the panel must answer within one frame. Longer text (a
# paste of 100 000 characters) and the first call, which loads the models, go to a worker.
INLINE_CHARS = 2000


class TokenColumn(Vertical):
    """One tokenizer's view: header, counts, the pieces, and the cost per script."""

    def __init__(self, role: str, title: str) -> None:
        super().__init__(id=f"tok-{role}", classes="tok-column")
        self.role = role
        self.title = title
        self.tokenization: Tokenization | None = None
        # in the border rather than a widget of its own: every widget on screen costs time
        # in each frame, and this panel must redraw within one. The method goes under the
        # pieces: beside a model name as long as SmolLM2's it was cut at 80 columns.
        self.border_title = f"[b]{escape(title)}[/b]"
        self.border_subtitle = escape(_(ROLES[role]))

    def compose(self) -> ComposeResult:
        # kept at hand: show() runs on every keystroke
        self._summary = Static("", classes="tok-summary")
        self._chips = TokenChips(classes="tok-strip")
        self._costs = Static("", classes="tok-costs")
        yield self._summary
        with VerticalScroll(classes="tok-scroll"):
            yield self._chips
        yield self._costs

    def show(self, tok: Tokenization | str) -> None:
        summary, strip, costs = self._summary, self._chips, self._costs
        if isinstance(tok, str):
            self.tokenization = None
            _update(summary, Text(tok, style="bold red"))
            strip.set_tokens([])
            _update(costs, Text())
            return
        self.tokenization = tok
        n = sum(1 for t in tok.tokens if not t.special)
        specials = tok.count - n
        line = fill(ngettext("{n} token", "{n} tokens", n), n=(str(n), "bold"))
        if specials:
            line.append(" " + ngettext("(+{n} special)", "(+{n} special)", specials).format(
                n=specials))
        line.append(" · " + _("{rate} chars/token").format(rate=f"{tok.chars_per_token:.2f}")
                    + " · " + ngettext("{n} char", "{n} chars", len(tok.text)).format(
                        n=len(tok.text)))
        _update(summary, line)
        shown = tok.tokens[:MAX_SHOWN_TOKENS]
        tail = (_("… showing the first {shown} of {count} tokens").format(
                    shown=len(shown), count=tok.count)
                if len(tok.tokens) > len(shown) else "")
        strip.set_tokens(shown, tail)
        _update(costs, cost_lines(tok))


def _update(widget: Static, text: Text) -> None:
    """Static.update, skipped when nothing changed, and without a layout of the whole screen
    when the new text is as many lines as the old (each fitting the width)."""
    old = widget.content
    if isinstance(old, Text) and old == text:
        return
    width = widget.content_size.width
    same_height = (width > 0 and isinstance(old, Text)
                   and _fitting_lines(old, width) == _fitting_lines(text, width) is not None)
    widget.update(text, layout=not same_height)


def _fitting_lines(text: Text, width: int) -> int | None:
    """How many lines the text has, if each fits the width unwrapped (None otherwise)."""
    lines = text.plain.split("\n")
    return len(lines) if all(cell_len(line) <= width for line in lines) else None


def cost_lines(tok: Tokenization) -> Text:
    """Characters per token for each script in the text, against English where both appear."""
    rows = script_costs(tok)
    latin = next((r for r in rows if r.script == LATIN and r.tokens), None)
    out = Text()
    for r in rows:
        if not r.tokens:
            continue
        chars = ngettext("{n} non-space char", "{n} non-space chars", r.chars).format(n=r.chars)
        tokens = ngettext("{n} token", "{n} tokens", r.tokens).format(n=r.tokens)
        out.append(_("{script}: {chars} → {tokens} ({rate} chars/token)").format(
            script=_(r.script), chars=chars, tokens=tokens, rate=f"{r.chars_per_token:.2f}"))
        if latin is not None and r.script not in (LATIN, PUNCTUATION) and r.chars_per_token > 0:
            ratio = latin.chars_per_token / r.chars_per_token
            out.append(", " + _("{ratio}× English's cost per character").format(
                ratio=f"{ratio:.1f}"), style="bold")
        out.append("\n")
    out.rstrip()
    return out


class TokenizerPanel(LivePanel):
    PANEL_ID = "tokenizer"
    DEFAULT_CSS = panel_css(__file__)
    # tokenizing is fast: no wait after a keystroke, a newer one simply cancels the older
    DEBOUNCE: ClassVar[float] = 0.0
    DEFAULT_TEXT = "Tokenization isn't magic: 안녕하세요 👋"

    @dataclass
    class Tokenized(JobAnswer):
        text: str
        by_role: dict[str, Tokenization | str]  # role -> tokens, or the error sentence

    def compose_panel(self) -> ComposeResult:
        mode = self.preset("model", "both")
        yield Input(self.preset("text", self.DEFAULT_TEXT), id="tok-input",
                    placeholder=_("Type or paste any text…"))
        with Horizontal(id="tok-columns"):
            for role in ("decoder", "encoder"):
                column = TokenColumn(role, self.model_title(role))
                column.display = mode in (role, "both")
                yield column
        yield self.status

    def models(self) -> list[Role]:
        return ["decoder", "encoder"]  # both are tokenized, whichever columns show

    def on_mount(self) -> None:
        self._notices: tuple[str | None, ...] | None = None
        self.retokenize()

    def show_error(self, job: str, error: str) -> None:
        self._notices = None  # the error replaced the notices: show them again next time
        super().show_error(job, error)

    @property
    def text(self) -> str:
        return self.query_one("#tok-input", Input).value

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        # Keystrokes that arrive faster than they are handled (a held key, a paste, a busy
        # machine) queue one Changed each; only the one carrying the box's current value
        # needs the work, the older ones would draw a frame nobody sees.
        if event.value == event.input.value:
            self.retokenize()

    def retokenize(self) -> None:
        text = self.text
        engines = [self.hub.get(role) for role in ROLES]  # type: ignore[arg-type]
        if len(text) <= INLINE_CHARS and all(e.loaded for e in engines):
            self.cancel_job("tokens")  # an older worker's answer would be stale
            try:
                value = self._tokenize(text)
            except Exception as err:  # never a traceback on screen
                self.show_error("tokens", _("Something went wrong: {error}").format(
                    error=f"{type(err).__name__}: {err}"))
                return
            self.show_tokens(value)
            return
        self.schedule("tokens", lambda: self._tokenize(text))

    def on_tokenizer_panel_tokenized(self, message: Tokenized) -> None:
        self.show_tokens(message)

    def _tokenize(self, text: str) -> Tokenized:
        out: dict[str, Tokenization | str] = {}
        for role in ("decoder", "encoder"):
            try:
                out[role] = self.hub.get(role).tokens(text)  # type: ignore[arg-type]
            except EngineError as err:
                out[role] = str(err)
        return self.Tokenized(text, out)

    def show_tokens(self, value: Tokenized) -> None:
        text, by_role = value.text, value.by_role
        for role, tok in by_role.items():
            self.query_one(f"#tok-{role}", TokenColumn).show(tok)
        notices = tuple(t.notice for t in by_role.values() if isinstance(t, Tokenization))
        if notices != self._notices:  # the status line's update would lay out the screen
            self._notices = notices
            self.show_notice(*notices)
        self.publish(self._result_for(text, by_role))

    @staticmethod
    def _result_for(text: str, by_role: dict[str, Tokenization | str]) -> dict[str, Any]:
        dec = by_role.get("decoder")
        enc = by_role.get("encoder")
        pieces = [t for t in dec.tokens if not t.special] if isinstance(dec, Tokenization) else []
        return {
            "text": text,
            "token_count": len(pieces),
            "encoder_token_count": (sum(1 for t in enc.tokens if not t.special)
                                    if isinstance(enc, Tokenization) else 0),
            "chars_per_token": dec.chars_per_token if isinstance(dec, Tokenization) else 0.0,
            "tokens": [t.text for t in pieces],
            "ids": [t.id for t in pieces],
            "word_count": len(text.split()),
        }
