"""Encoder-decoder support (the project's own dates model). Filled in by the seq2seq work."""

from __future__ import annotations

from typing import Any

from tutor.engine.errors import EngineError
from tutor.engine.types import AttentionMaps, LoopStep, Translation


def attention(loaded: Any, source: str, target: str | None) -> AttentionMaps:
    raise EngineError("encoder-decoder attention is not available yet")


def loop_step(loaded: Any, source: str, generated: list[int], top: int) -> LoopStep:
    raise EngineError("the encoder-decoder prediction loop is not available yet")


def translate(loaded: Any, source: str, max_steps: int) -> Translation:
    raise EngineError("translation is not available yet")
