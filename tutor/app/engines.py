"""Which engine serves each role in the app, created lazily and shared by every screen.

Creating an Engine imports no torch; the first call that needs weights loads them, so the
app calls `load()` and every model call from a worker thread.
TUTOR_DECODER / TUTOR_ENCODER / TUTOR_SEQ2SEQ pick other models (the fast tests use the
tiny ones).
"""

from __future__ import annotations

import os
import threading
from typing import Literal

from tutor.engine import Engine
from tutor.engine.registry import DEFAULT_DECODER, DEFAULT_ENCODER, DEFAULT_SEQ2SEQ

Role = Literal["decoder", "encoder", "seq2seq"]

_DEFAULTS: dict[Role, tuple[str, str]] = {
    "decoder": ("TUTOR_DECODER", DEFAULT_DECODER),
    "encoder": ("TUTOR_ENCODER", DEFAULT_ENCODER),
    "seq2seq": ("TUTOR_SEQ2SEQ", DEFAULT_SEQ2SEQ),
}


class EngineHub:
    def __init__(self, names: dict[Role, str] | None = None, device: str | None = None) -> None:
        self.names: dict[Role, str] = {
            role: (names or {}).get(role) or os.environ.get(env) or default
            for role, (env, default) in _DEFAULTS.items()
        }
        self.device = device
        self._engines: dict[Role, Engine] = {}
        self._lock = threading.Lock()

    def get(self, role: Role) -> Engine:
        with self._lock:
            if role not in self._engines:
                self._engines[role] = Engine(self.names[role], device=self.device)
            return self._engines[role]

    def decoder(self) -> Engine:
        return self.get("decoder")

    def encoder(self) -> Engine:
        return self.get("encoder")

    def seq2seq(self) -> Engine:
        return self.get("seq2seq")
