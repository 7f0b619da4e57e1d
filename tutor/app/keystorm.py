"""Keys that arrive faster than the app can handle them become one paste.

A terminal that does not bracket a paste (or `tmux paste-buffer` without -p) delivers 50 KB
of text as 50 000 key events. Handled one by one, each edits a text box and re-runs its
panel, and a ctrl+q typed after them waits behind all of them. While the app's queue is
backed up, printable keys meant for a text box are gathered here and handed over as one
Paste; any other key (ctrl+q, Esc, arrows) first hands over what was gathered, so order is
kept, and then is handled at once.
"""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.widgets import Input, TextArea

# queued messages beyond which keys are arriving faster than they are handled; a person
# typing never gets near it, a paste passes it within its first few hundred bytes
BACKLOG = 16
# seconds of quiet after which gathered keys are handed over even without another key
SETTLE = 0.05


def _character(event: events.Key) -> str | None:
    """The text a key adds to a text box, or None for keys that are commands."""
    if event.key == "enter":
        return "\n"
    if event.key == "tab":
        return "\t"
    if event.is_printable and event.character:
        return event.character
    return None


class KeyStorm:
    def __init__(self, app: App[object]) -> None:
        self.app = app
        self.gathered: list[str] = []
        self.pastes = 0  # how many storms became a paste (tests read it)

    def take(self, event: events.Key) -> bool:
        """Gather `event` into the storm; False when it must be handled as a key."""
        char = _character(event)
        if char is None or not isinstance(self.app.focused, Input | TextArea):
            self.hand_over()
            return False
        if not self.gathered and self.app.message_queue_size <= BACKLOG:
            return False
        if not self.gathered:
            self.app.set_timer(SETTLE, self._settle)
        self.gathered.append(char)
        if self.app.message_queue_size == 0:
            self.hand_over()
        return True

    def _settle(self) -> None:
        if self.gathered and self.app.message_queue_size > BACKLOG:
            self.app.set_timer(SETTLE, self._settle)  # still arriving
            return
        self.hand_over()

    def hand_over(self) -> None:
        """Give what was gathered to the focused widget as one paste, ahead of later keys."""
        if not self.gathered:
            return
        text = "".join(self.gathered)
        self.gathered.clear()
        self.pastes += 1
        target = self.app.focused or self.app.screen
        target._forward_event(events.Paste(text))
