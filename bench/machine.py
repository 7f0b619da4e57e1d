"""What the benchmark ran on, and how fast this machine can stream memory."""

from __future__ import annotations

import datetime as dt
import os
import platform
import time
from pathlib import Path

import numpy as np


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")


def _load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def describe() -> dict[str, str]:
    import torch
    import transformers

    flags = ""
    try:
        text = Path("/proc/cpuinfo").read_text()
        wanted = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16", "f16c")
        have = set(text.split("flags", 1)[1].split("\n", 1)[0].split())
        flags = " ".join(f for f in wanted if f in have)
    except (OSError, IndexError):
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{_cpu_model()} ({os.cpu_count()} logical cores; {flags})",
        "memory": f"{_memory_gib():.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "torch": f"{torch.__version__} ({torch.get_num_threads()} threads)",
        "transformers": transformers.__version__,
        "load average at start": _load_average(),
    }


def copy_bandwidth(mib: int = 256, repeats: int = 5) -> dict[str, float]:
    """Bytes moved per second copying a large array (read + write), best of `repeats`.

    numpy copies on one core; torch's copy_ on all of torch's threads, which is what the
    matrix-vector products of a decode step get."""
    import torch

    n = mib * 1024 * 1024 // 4
    src = np.ones(n, dtype=np.float32)
    dst = np.empty_like(src)
    best_np = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        np.copyto(dst, src)
        best_np = min(best_np, time.perf_counter() - t)
    ts, td = torch.from_numpy(src), torch.empty(n, dtype=torch.float32)
    best_t = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        td.copy_(ts)
        best_t = min(best_t, time.perf_counter() - t)
    moved = 2 * src.nbytes
    return {"numpy_gbs": moved / best_np / 1e9, "torch_gbs": moved / best_t / 1e9}
