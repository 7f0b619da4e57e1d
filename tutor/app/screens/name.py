"""Asks a classroom learner for their name on their first connection (`tutor serve`).

The name is saved in the learner's own progress store, where the teacher's
`tutor progress --all` finds it beside the progress."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tutor.app.keys import TranslatedKeys
from tutor.i18n import _
from tutor.serve.learners import NAME_MAX, clean_name


class NameScreen(TranslatedKeys, ModalScreen[str]):
    """Dismisses with the cleaned name once the learner gives one; it cannot be skipped."""

    CSS_PATH = "name.tcss"
    # the map's keys must not act while the learner types (q would quit mid-name)
    BINDINGS: ClassVar = [Binding("escape", "nothing", show=False, id="name.escape")]

    def compose(self) -> ComposeResult:
        with Vertical(id="name-box"):
            yield Static(_("Welcome to the class. What is your name?"), id="name-question")
            yield Static(_("Your teacher sees it beside your progress."), id="name-note")
            yield Input(placeholder=_("Your name, then Enter"), max_length=NAME_MAX,
                        id="name-input")
            yield Static("", id="name-error")

    def on_mount(self) -> None:
        self.query_one("#name-input", Input).focus()

    def action_nothing(self) -> None:
        """Escape does not skip the question: progress needs a name to be found again."""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = clean_name(event.value)
        if name is None:
            self.query_one("#name-error", Static).update(
                _("Type a name (1 to {count} characters), then Enter.").format(count=NAME_MAX))
            return
        self.dismiss(name)
