"""The help screen (? or F1): every key, grouped by where it works."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

HELP = """\
# Keys

| Where | Key | Does |
|---|---|---|
| everywhere | `?` or `F1` | this help |
| everywhere | `ctrl+p` | command palette: open or reset a lesson, switch theme |
| everywhere | `l` | the lab: every live panel to play with |
| lab | `ctrl+page down` `ctrl+page up` (or `alt+1` … `alt+6`) | next / previous panel |
| everywhere | `ctrl+t` | switch between dark and light themes |
| everywhere | `q` or `ctrl+q` | quit (your progress is already saved) |
| course map | `↑` `↓` | choose a lesson |
| course map | `enter` | open it (you resume where you left off) |
| lesson | `n` or `→` | next step (after the last one the lesson is done) |
| lesson | `p` or `←` | previous step |
| lesson | `↑` `↓` `page up` `page down` | scroll the step |
| lesson | `tab` | move between answers, buttons and panel fields |
| lesson | `enter` or `space` | pick a choice, press a button |
| lesson | `escape` or `m` | back to the course map |

In a quiz, pick an answer and press **Check answer**: every choice's explanation
appears, and you can try again. A **task** passes by itself when the live panel
shows what the task asks for.
"""


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,question_mark,f1,q", "dismiss_help", "Close", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP, id="help-text")
            yield Static("Press escape to close.", id="help-close")

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
