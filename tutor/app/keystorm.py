"""Keys that arrive faster than the app can handle them become one paste.

A terminal that does not bracket a paste (or `tmux paste-buffer` without -p) delivers 50 KB
of text as 50 000 key events. Handled one by one, each edits a text box and re-runs its
panel, and a ctrl+q typed after them waits behind all of them. While the app's queue is
backed up, printable keys meant for a text box are gathered here and handed over as one
Paste; any other key (ctrl+q, Esc, arrows) first hands over what was gathered, so order is
kept, and then is handled at once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable

from textual import events
from textual._parser import Read1
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.driver import Driver
from textual.message import Message
from textual.widgets import Input, TextArea

# queued messages beyond which keys are arriving faster than they are handled; a person
# typing never gets near it, a paste passes it within its first few hundred bytes
BACKLOG = 16
# seconds of quiet after which gathered keys are handed over even without another key
SETTLE = 0.2
# keys that end the app: what is still gathered is dropped rather than handed over
QUIT_KEYS = {"ctrl+q", "ctrl+c"}


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
        self.last = 0.0  # when the last key was gathered (monotonic seconds)
        self.pastes = 0  # how many storms became a paste (tests read it)

    def take(self, event: events.Key) -> bool:
        """Gather `event` into the storm; False when it must be handled as a key."""
        char = _character(event)
        if char is None or not isinstance(self.app.focused, Input | TextArea):
            if event.key in QUIT_KEYS:
                self.gathered.clear()  # quitting: the rest of the paste is not wanted
            self.hand_over()
            return False
        if not self.gathered and self.app.message_queue_size <= BACKLOG:
            return False
        if not self.gathered:
            self.app.set_timer(SETTLE, self._settle)
        self.gathered.append(char)
        self.last = time.monotonic()
        return True

    def take_paste(self, event: events.Paste) -> bool:
        """Gather a paste too: the terminal reads a long one in pieces of a few KB, and each
        piece handed over alone would re-run the panel; a quit arriving meanwhile drops it."""
        if not isinstance(self.app.focused, Input | TextArea):
            return False
        if not self.gathered:
            self.app.set_timer(SETTLE, self._settle)
        self.gathered.append(event.text)
        self.last = time.monotonic()
        return True

    def _settle(self) -> None:
        # a paste arrives in terminal-sized chunks with short gaps between them: hand over
        # once it has been quiet for SETTLE, not at each gap (each hand-over re-runs a panel)
        quiet = time.monotonic() - self.last
        if self.gathered and (quiet < SETTLE or self.app.message_queue_size > BACKLOG):
            self.app.set_timer(SETTLE, self._settle)
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


# -- at the terminal: a paste read in one go becomes one Paste, not one Key per character --
# Even gathered cheaply, 50 000 Key events cost the driver's parser and the app's queue a
# message each; on a busy machine that was minutes before a ctrl+q typed after the paste
# was read. A person's typing never puts this many plain characters in one read.
PASTE_RUN = 64
_CONTROL = re.compile(r"([\x00-\x08\x0b\x0c\x0e-\x1f\x7f])")


class StormParser(XTermParser):
    """Textual's terminal parser, with long runs of plain text read as one paste."""

    def feed(self, data: str) -> Iterable[Message]:
        at_rest = isinstance(self._awaiting, Read1) and self._timeout_time is None
        if len(data) < PASTE_RUN or "\x1b" in data or not at_rest:
            yield from super().feed(data)
            return
        for piece in _CONTROL.split(data):
            if not piece:
                continue
            if _CONTROL.fullmatch(piece):
                yield from super().feed(piece)  # ctrl+q and friends stay keys
            else:
                yield events.Paste(piece.replace("\r\n", "\n").replace("\r", "\n"))


def storm_driver(driver: type[Driver]) -> type[Driver]:
    """The platform's driver, reading with StormParser where it is Textual's Linux driver."""
    from textual.drivers import linux_driver

    if not issubclass(driver, linux_driver.LinuxDriver):
        return driver

    class StormDriver(driver):  # type: ignore[valid-type, misc]
        def run_input_thread(self) -> None:
            # the input loop builds its parser from this module-level name
            linux_driver.XTermParser = StormParser  # type: ignore[misc]
            super().run_input_thread()

    return StormDriver
