"""The KV-cache comparison of the generation panel, measured the way bench/ measures it.

What the cache changes is the cost of one more token once N tokens are in context: with
it, one new position against the stored keys and values; without it, all N positions
again. So the comparison times exactly that, at growing N, through the engine's own
generation paths: each run reads a prompt of N tokens, makes one token (the prefill, not
timed) and then `TIMED` more, whose step times are the sample. Runs with and without the
cache are interleaved, in alternating order, and repeated, so a neighbour that slows the
machine for a moment slows both sides alike. Only when every repeat with the cache beats
every repeat without it (or the reverse) at the longest context does the panel conclude;
otherwise it says the machine was too noisy to tell.

Torch-free: it drives `Engine.stream`, so it runs in the panel's worker thread.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tutor.engine.types import GenerationSettings
from tutor.i18n import _

LENGTHS = (32, 128, 384)  # tokens in context; the gap grows with N (bench: 2×, 4×, 15×)
REPEATS = 3
TIMED = 2  # steps timed per run, after the untimed first token

Progress = Callable[[int, int, int, bool], None]  # done, total, context, use_cache


@dataclass(frozen=True, slots=True)
class CostPoint:
    context: int  # tokens in context when the timed tokens were made
    cached_ms: tuple[float, ...]  # one sample per repeat: that run's median step
    uncached_ms: tuple[float, ...]

    @property
    def cached(self) -> float:
        return statistics.median(self.cached_ms)

    @property
    def uncached(self) -> float:
        return statistics.median(self.uncached_ms)

    @property
    def speedup(self) -> float:
        """How many times cheaper one more token was with the cache (medians)."""
        return self.uncached / self.cached if self.cached > 0 else 0.0

    @property
    def verdict(self) -> str:
        """"faster" when every cached repeat beat every uncached one, "slower" for the
        reverse, "overlap" when the repeats overlap (noise larger than the effect)."""
        if max(self.cached_ms) < min(self.uncached_ms):
            return "faster"
        if min(self.cached_ms) > max(self.uncached_ms):
            return "slower"
        return "overlap"


@dataclass(frozen=True, slots=True)
class CacheCost:
    points: list[CostPoint]  # by growing context
    repeats: int
    device: str

    @property
    def runs(self) -> int:
        return self.repeats * len(self.points)  # runs with the cache on (and as many off)

    @property
    def longest(self) -> CostPoint:
        return self.points[-1]

    @property
    def conclusive(self) -> bool:
        return self.longest.verdict != "overlap"

    @property
    def speedup(self) -> float:
        """The speed-up at the longest context, or 0 when the noise hid the effect."""
        return self.longest.speedup if self.conclusive else 0.0

    def summary(self) -> str:
        p = self.longest
        if p.verdict == "faster":
            return _("With {context} tokens in context, one more token took {cached} ms with "
                     "the KV cache and {uncached} ms without: {speedup}× cheaper, in every one "
                     "of {repeats} interleaved repeats.").format(
                context=p.context, cached=f"{p.cached:.0f}", uncached=f"{p.uncached:.0f}",
                speedup=f"{p.speedup:.1f}", repeats=self.repeats)
        if p.verdict == "slower":
            return _("With {context} tokens in context the cache was slower in every repeat "
                     "({cached} ms against {uncached} ms): at this length, on {device}, its "
                     "bookkeeping costs more than the recomputation saves.").format(
                context=p.context, cached=f"{p.cached:.0f}", uncached=f"{p.uncached:.0f}",
                device=self.device)
        return _("Too noisy to conclude: with {context} tokens in context the repeats overlap "
                 "(with the cache {cached_low}–{cached_high} ms, without {uncached_low}–"
                 "{uncached_high} ms). Something else is using this machine; try again when it "
                 "is quieter.").format(
            context=p.context, cached_low=f"{min(p.cached_ms):.0f}",
            cached_high=f"{max(p.cached_ms):.0f}", uncached_low=f"{min(p.uncached_ms):.0f}",
            uncached_high=f"{max(p.uncached_ms):.0f}")


def contexts(context_length: int, lengths: tuple[int, ...] = LENGTHS) -> list[int]:
    """The lengths that fit the model's context with room for the run's tokens."""
    limit = context_length - TIMED - 2
    return sorted({max(2, min(n, limit)) for n in lengths})


def measure(engine: Any, prompt: str, lengths: tuple[int, ...] = LENGTHS,
            repeats: int = REPEATS, cancelled: Callable[[], bool] | None = None,
            progress: Progress | None = None) -> CacheCost | None:
    """Time one more token with and without the cache at each context length; None if
    cancelled. The prompt, repeated, fills each context (the learner's own words)."""
    cancelled = cancelled or (lambda: False)
    sizes = contexts(engine.facts.context_length, lengths)
    base = (prompt.strip() or "Once upon a time") + " "
    ids: list[int] = []
    while len(ids) < sizes[-1]:
        base *= 2
        ids = [t.id for t in engine.tokens(base).tokens if not t.special]
    texts = {n: engine.detokenize(ids[:n]) for n in sizes}
    samples: dict[tuple[int, bool], list[float]] = {(n, c): [] for n in sizes for c in (True, False)}
    context: dict[int, int] = {}
    device = ""
    total, done = 2 * repeats * len(sizes), 0
    for r in range(repeats):
        for i, n in enumerate(sizes):
            # alternate which side goes first, so a slow spell does not favour one side
            for use_cache in ((True, False) if (r + i) % 2 == 0 else (False, True)):
                if cancelled():
                    return None
                if progress is not None:
                    progress(done, total, n, use_cache)
                settings = GenerationSettings(max_new_tokens=1 + TIMED, temperature=0.0,
                                              use_cache=use_cache, candidates=0)
                stream = engine.stream(texts[n], settings, cancelled=cancelled)
                stream.ignore_eos = True  # a time per step needs the steps, end token or not
                steps = [t.ms for t in stream][1:]
                if cancelled() or stream.result is None or len(steps) < TIMED:
                    return None
                samples[(n, use_cache)].append(statistics.median(steps))
                context[n] = stream.result.prompt_tokens + 1
                device = stream.result.device
                done += 1
    if progress is not None:
        progress(done, total, sizes[-1], False)
    points = [CostPoint(context[n], tuple(samples[(n, True)]), tuple(samples[(n, False)]))
              for n in sizes]
    return CacheCost(points, repeats, device)
