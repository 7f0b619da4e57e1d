"""The KV-cache comparison: interleaved, repeated runs at growing context, and a verdict
only when every repeat agrees. Driven by a scripted engine (exact timings) and the tiny
model (the real paths); no test asserts which side was faster on this machine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tutor.engine import Engine
from tutor.engine.cachecost import TIMED, CostPoint, contexts, measure
from tutor.engine.types import GeneratedToken, GenerationSettings


@dataclass
class _Facts:
    context_length: int = 2048


@dataclass
class _Token:
    id: int
    special: bool = False


@dataclass
class _Tokens:
    tokens: list[_Token]


@dataclass
class _Result:
    prompt_tokens: int
    device: str = "cpu"


@dataclass
class _Stream:
    n: int
    ms: list[float]
    ignore_eos: bool = False
    result: _Result | None = None

    def __iter__(self) -> Iterator[GeneratedToken]:
        for i, ms in enumerate(self.ms):
            yield GeneratedToken(index=i, id=1, text="x", added="x", ms=ms)
        self.result = _Result(self.n)


@dataclass
class ScriptedEngine:
    """Each run's step times come from `timing(context, use_cache, call)`."""

    timing: Any
    calls: list[tuple[int, bool]] = field(default_factory=list)

    @property
    def facts(self) -> _Facts:
        return _Facts()

    def tokens(self, text: str) -> _Tokens:
        return _Tokens([_Token(i) for i in range(len(text.split()))])

    def detokenize(self, ids: list[int]) -> str:
        return " ".join("w" for _ in ids)

    def stream(self, text: str, s: GenerationSettings, cancelled: Any = None) -> _Stream:
        n = len(text.split())
        self.calls.append((n, s.use_cache))
        assert s.max_new_tokens == 1 + TIMED and s.temperature == 0
        ms = self.timing(n, s.use_cache, len(self.calls))
        return _Stream(n, [999.0] + [ms] * TIMED)  # the first (prefill) is never a sample


def test_runs_alternate_sides_and_repeat_at_every_length() -> None:
    engine = ScriptedEngine(lambda n, cache, call: n / 10 if cache else n)
    cost = measure(engine, "once upon a time", lengths=(8, 32), repeats=3)
    assert cost is not None
    assert [p.context for p in cost.points] == [9, 33]  # prompt + the first token
    assert engine.calls == [(8, True), (8, False), (32, False), (32, True),
                            (8, False), (8, True), (32, True), (32, False),
                            (8, True), (8, False), (32, False), (32, True)]
    assert cost.runs == 6 and all(len(p.cached_ms) == 3 for p in cost.points)
    assert cost.longest.verdict == "faster" and cost.conclusive
    assert cost.speedup == pytest.approx(10.0)
    assert "every one of 3 interleaved repeats" in cost.summary()


def test_overlapping_repeats_are_too_noisy_to_conclude() -> None:
    # one slow spell (a neighbour) lands on a cached run: the ranges overlap
    engine = ScriptedEngine(lambda n, cache, call: (500.0 if call == 5 else 10.0) if cache
                            else 50.0)
    cost = measure(engine, "hello", lengths=(16,), repeats=4)
    assert cost is not None and cost.longest.verdict == "overlap"
    assert not cost.conclusive and cost.speedup == 0.0
    assert cost.summary().startswith("Too noisy to conclude")


def test_a_slower_cache_is_reported_as_such() -> None:
    point = CostPoint(100, (30.0, 31.0), (20.0, 21.0))
    assert point.verdict == "slower" and point.speedup < 1


def test_cancelling_returns_nothing() -> None:
    engine = ScriptedEngine(lambda n, cache, call: 1.0)
    assert measure(engine, "hi", lengths=(4,), cancelled=lambda: True) is None
    assert engine.calls == []


def test_lengths_fit_the_context() -> None:
    assert contexts(128) == [32, 124]
    assert contexts(8192) == [32, 128, 384]


def test_the_tiny_model_runs_both_real_paths() -> None:
    engine = Engine("tiny-llama", device="cpu")
    seen: list[tuple[int, int, int, bool]] = []
    cost = measure(engine, "The capital of France is", repeats=2,
                   progress=lambda *step: seen.append(step))
    assert cost is not None
    assert [p.context for p in cost.points] == [33, 125]
    assert all(len(p.cached_ms) == len(p.uncached_ms) == 2 for p in cost.points)
    assert all(ms > 0 for p in cost.points for ms in p.cached_ms + p.uncached_ms)
    assert seen[0][:2] == (0, 8) and seen[-1][:2] == (8, 8)
    assert cost.longest.verdict in ("faster", "slower", "overlap")
