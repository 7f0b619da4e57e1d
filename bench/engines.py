"""One timed greedy generation for each engine the benchmark compares.

Every runner takes the same prompt and number of new tokens and returns a `Run`. Each run
forces the full number of tokens where the engine allows it (generate's min_new_tokens,
llama.cpp's raw token loop), so tokens per second compare like with like.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import psutil
except ImportError:  # the benchmark still runs; memory columns read n/a
    psutil = None


@dataclass
class Run:
    engine: str
    new_tokens: int
    seconds: float  # prompt + all new tokens
    ttft_s: float  # until the first new token is known
    ids: list[int] = field(default_factory=list)
    peak_mib: float = float("nan")  # peak resident memory above the level before the run
    cpu_s: float = float("nan")  # CPU time of all this process's threads during the run

    @property
    def cpu_ms_per_token(self) -> float:
        """Work per token, which a busy neighbour preempting us does not inflate (busy
        waiting on a preempted partner thread still counts)."""
        return 1000 * self.cpu_s / len(self.ids) if self.ids else float("nan")

    @property
    def tokens_per_s(self) -> float:
        return len(self.ids) / self.seconds if self.seconds > 0 else 0.0

    @property
    def decode_tokens_per_s(self) -> float:
        """Tokens after the first, per second after the first: the steady decode speed."""
        rest = self.seconds - self.ttft_s
        return (len(self.ids) - 1) / rest if rest > 0 and len(self.ids) > 1 else 0.0


class PeakMemory:
    """Samples this process's resident memory every few milliseconds while a run lasts."""

    def __init__(self, every_s: float = 0.005) -> None:
        self.every_s = every_s
        self.base = self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def rss() -> int:
        return psutil.Process().memory_info().rss if psutil is not None else 0

    def __enter__(self) -> PeakMemory:
        self.base = self.peak = self.rss()
        if psutil is not None:
            self._thread = threading.Thread(target=self._watch, daemon=True)
            self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(self.every_s):
            self.peak = max(self.peak, self.rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.peak = max(self.peak, self.rss())

    @property
    def mib(self) -> float:
        return (self.peak - self.base) / 2**20 if psutil is not None else float("nan")


def run_engine(engine: Any, prompt: str, n: int, label: str = "engine") -> Run:
    """The tutor's streamed generation, as the generation panel consumes it."""
    from tutor.engine.types import GenerationSettings

    # exactly n tokens, as generate(min_new_tokens=n) makes: the end id cannot be picked
    settings = GenerationSettings(max_new_tokens=n, min_new_tokens=n, candidates=5)
    ids: list[int] = []
    with PeakMemory() as mem:
        c0 = time.process_time()
        t0 = time.perf_counter()
        ttft = 0.0
        stream = engine.stream(prompt, settings)
        for token in stream:
            if not ids:
                ttft = time.perf_counter() - t0
            ids.append(token.id)
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
    return Run(label, n, seconds, ttft, ids, mem.mib, cpu)


class _FirstToken:
    """A generate() streamer that only notes when the first new token arrives."""

    def __init__(self) -> None:
        self.calls = 0
        self.first = 0.0

    def put(self, value: Any) -> None:
        self.calls += 1
        if self.calls == 2:  # the first call carries the prompt
            self.first = time.perf_counter()

    def end(self) -> None:
        pass


def run_generate(model: Any, input_ids: list[int], n: int, use_cache: bool = True,
                 label: str = "model.generate", pad_id: int | None = None) -> Run:
    import torch

    x = torch.tensor([input_ids])
    streamer = _FirstToken()
    with PeakMemory() as mem, torch.inference_mode():
        c0 = time.process_time()
        t0 = time.perf_counter()
        out = model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=n,
                             min_new_tokens=n, do_sample=False, use_cache=use_cache,
                             pad_token_id=pad_id, streamer=streamer)
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
    ids = [int(t) for t in out[0, len(input_ids):]]
    return Run(label, n, seconds, streamer.first - t0, ids, mem.mib, cpu)


def load_llamacpp(gguf: Path, threads: int, n_ctx: int) -> Any:
    from llama_cpp import Llama

    return Llama(model_path=str(gguf), n_threads=threads, n_threads_batch=threads,
                 n_ctx=n_ctx, n_batch=512, verbose=False, seed=0)


def run_llamacpp(llm: Any, input_ids: list[int], n: int) -> Run:
    """llama.cpp's own greedy loop over the same prompt ids, ignoring the end token."""
    ids: list[int] = []
    with PeakMemory() as mem:
        llm.reset()
        c0 = time.process_time()
        t0 = time.perf_counter()
        ttft = 0.0
        for tok in llm.generate(input_ids, top_k=1, top_p=1.0, min_p=0.0, temp=0.0,
                                repeat_penalty=1.0, reset=True):
            if not ids:
                ttft = time.perf_counter() - t0
            ids.append(int(tok))
            if len(ids) >= n:
                break
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
    return Run("llama.cpp", n, seconds, ttft, ids, mem.mib, cpu)
