"""A hub whose decoder streams slowly, so a test can act while a generation is under way."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from tutor.app.engines import EngineHub, Role
from tutor.engine.types import GeneratedToken


class SlowStream:
    def __init__(self, inner: Any, delay: float) -> None:
        self.inner = inner
        self.delay = delay

    def __iter__(self) -> Iterator[GeneratedToken]:
        for token in self.inner:
            time.sleep(self.delay)  # outside the model call: the real stream is unchanged
            yield token

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class SlowEngine:
    def __init__(self, inner: Any, delay: float) -> None:
        self.inner = inner
        self.delay = delay

    def stream(self, *args: Any, **kwargs: Any) -> SlowStream:
        return SlowStream(self.inner.stream(*args, **kwargs), self.delay)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class SlowHub(EngineHub):
    def __init__(self, inner: EngineHub, delay: float = 0.05) -> None:
        super().__init__(inner.settings)
        self.inner = inner
        self.delay = delay

    def get(self, role: Role) -> Any:
        return SlowEngine(self.inner.get(role), self.delay)
