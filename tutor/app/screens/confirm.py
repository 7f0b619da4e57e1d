"""A yes/no question over the current screen, for actions that forget something."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tutor.app.keys import TranslatedKeys
from tutor.i18n import N_, _


class ConfirmScreen(TranslatedKeys, ModalScreen[bool]):
    """Dismisses with True only when the learner confirms (y, or the confirm button)."""

    CSS_PATH = "confirm.tcss"
    BINDINGS: ClassVar = [
        Binding("y", "answer(True)", N_("Yes"), id="confirm.yes"),
        Binding("n,escape", "answer(False)", N_("No"), id="confirm.no"),
    ]

    def __init__(self, question: str, confirm: str) -> None:
        """`question` and `confirm` (the button's word) come translated."""
        super().__init__()
        self.question = question
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(_("{action} (y)").format(action=self.confirm), id="confirm-yes",
                             variant="error")
                yield Button(_("Cancel (n)"), id="confirm-no", variant="primary")

    def on_mount(self) -> None:
        # the safe answer has the focus: enter alone never forgets anything
        self.query_one("#confirm-no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")
