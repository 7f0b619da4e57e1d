"""The help screen (? or F1): the keys that work on the screen underneath, right now.

Built from that screen's bindings (tutor.app.keys.active_keys), so it lists what the footer
offers plus the keys too many to show there, and never a key that does nothing here."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tutor.app.keys import KeyRow, TranslatedKeys, active_keys
from tutor.i18n import N_, _

ABOUT = N_("In a quiz, pick or type an answer and check it: every choice's explanation "
         "appears, and you can try again. A task passes by itself when the live panel shows "
         "what it asks for. Escape goes back one level: out of a field, then out of a panel, "
         "then to the course map; nothing a panel computed is lost.")


def keys_table(rows: list[KeyRow]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    # no headers (show_header=False): the keys, then what they do
    table.add_column(style="bold", no_wrap=True, min_width=6)
    table.add_column(ratio=1)
    where = None
    for row in rows:
        if row.where != where:
            where = row.where
            table.add_row(Text(where, style="bold underline"), "")
        table.add_row(row.keys, row.description)
    return table


class HelpScreen(TranslatedKeys, ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,question_mark,f1,q", "dismiss_help", N_("Close"), id="help.close"),
    ]

    def __init__(self, under: Screen[object] | None = None) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        under = self.under or self.app.screen
        self.rows = active_keys(under)
        with VerticalScroll(id="help-box"):
            yield Static(Text(_("Keys that work here now"), style="bold"), id="help-title")
            yield Static(keys_table(self.rows), id="help-text")
            yield Static(_(ABOUT), id="help-about")
            yield Static(_("Press escape to close."), id="help-close")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
