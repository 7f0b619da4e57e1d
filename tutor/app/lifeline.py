"""The last resort that ends the process when an ending app cannot finish ending.

Progress is committed when each action happens, so nothing is lost by not waiting: a model
call in a worker thread, a join on a thread blocked on a dead terminal, or a writer stuck
on a full pty would otherwise keep the process (and its half gigabyte) alive for ever.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable

_armed: list[float] = []
_lock = threading.Lock()


def arm(grace: float, status: int = 0, last_words: Callable[[], None] | None = None) -> None:
    """End the process `grace` seconds from now unless it has ended by then (a daemon
    thread dies with a process that exits normally, so this only fires when it is stuck).

    `last_words` runs first (say, putting the terminal back in order), given a second at
    most: it must not become the next thing the process waits on for ever."""
    deadline = time.monotonic() + grace
    with _lock:
        if _armed and _armed[0] <= deadline:
            return  # an earlier deadline already stands
        _armed[:] = [deadline]

    def wait() -> None:
        time.sleep(max(0.0, deadline - time.monotonic()))
        with _lock:
            if not _armed or _armed[0] != deadline:
                return  # superseded by an earlier deadline, whose thread will act
        if last_words is not None:
            helper = threading.Thread(target=_quietly, args=(last_words,), daemon=True)
            helper.start()
            helper.join(1.0)
        os._exit(status)

    threading.Thread(target=wait, name="tutor-lifeline", daemon=True).start()


def _quietly(func: Callable[[], None]) -> None:
    with contextlib.suppress(Exception):
        func()
