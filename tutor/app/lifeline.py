"""The last resort that ends the process when an ending app cannot finish ending.

Progress is committed when each action happens, so nothing is lost by not waiting: a model
call in a worker thread, a join on a thread blocked on a dead terminal, or a writer stuck
on a full pty would otherwise keep the process (and its half gigabyte) alive for ever.
"""

from __future__ import annotations

import os
import threading
import time

_armed: list[float] = []
_lock = threading.Lock()


def arm(grace: float, status: int = 0) -> None:
    """End the process `grace` seconds from now unless it has ended by then (a daemon
    thread dies with a process that exits normally, so this only fires when it is stuck)."""
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
        os._exit(status)

    threading.Thread(target=wait, name="tutor-lifeline", daemon=True).start()
