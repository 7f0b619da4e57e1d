"""Which engine serves each role in the app, created lazily and shared by every screen.

Creating an Engine imports no torch; the first call that needs weights loads them, so the
app calls `load()` and every model call from a worker thread. The models of the three roles
come from `Settings.decoder` / `.encoder` / `.seq2seq` (the fast tests use the tiny ones).
"""

from __future__ import annotations

import threading
from typing import Literal

from tutor.engine import Engine
from tutor.settings import Settings

Role = Literal["decoder", "encoder", "seq2seq"]
ROLES: tuple[Role, ...] = ("decoder", "encoder", "seq2seq")


class EngineHub:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.names: dict[Role, str] = {role: getattr(self.settings, role) for role in ROLES}
        self._engines: dict[Role, Engine] = {}
        self._lock = threading.Lock()

    def get(self, role: Role) -> Engine:
        with self._lock:
            if role not in self._engines:
                self._engines[role] = Engine(self.names[role], self.settings)
            return self._engines[role]

    def decoder(self) -> Engine:
        return self.get("decoder")

    def encoder(self) -> Engine:
        return self.get("encoder")

    def seq2seq(self) -> Engine:
        return self.get("seq2seq")
