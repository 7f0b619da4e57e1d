"""Two tutor processes with SmolLM2 loaded share its BLAS layout: both map the one file in
the model cache, and the second's pages of it are the first's (shared, clean), not a
private copy."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tutor.engine.fetch import PREPARED, model_dir
from tutor.engine.registry import MODELS
from tutor.settings import Settings

pytestmark = [pytest.mark.real, pytest.mark.timeout(300)]
REPO = Path(__file__).resolve().parents[2]
# load SmolLM2, take two greedy steps (the BLAS step reads every matrix), then wait
SESSION = """
import sys
from tutor.engine import Engine
from tutor.engine.types import GenerationSettings
from tutor.settings import Settings
engine = Engine("smollm2", Settings.build({"device": "cpu"}))
engine.generate("The capital of France is", GenerationSettings(max_new_tokens=2))
print("ready", flush=True)
sys.stdin.read()
"""


def mapped_kib(pid: int, path: Path) -> dict[str, int]:
    """Each /proc/<pid>/smaps field summed over the process's mappings of `path`, in KiB."""
    totals: dict[str, int] = {}
    inside = False
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split()
        if "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
            inside = len(head) == 6 and head[5] == str(path)
        elif inside and len(head) == 3 and head[2] == "kB":
            totals[head[0].rstrip(":")] = totals.get(head[0].rstrip(":"), 0) + int(head[1])
    return totals


@pytest.fixture
def sessions() -> Iterator[list[subprocess.Popen[str]]]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    started: list[subprocess.Popen[str]] = []
    try:
        for _ in range(2):  # one after the other: the first may build the file
            p = subprocess.Popen([sys.executable, "-c", SESSION], env=env, text=True,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
            started.append(p)
            assert p.stdout is not None
            line = p.stdout.readline()
            if line.strip() != "ready":
                pytest.fail(f"the session did not load: {p.communicate(timeout=30)[1][-2000:]}")
        yield started
    finally:
        for p in started:
            p.kill()
            p.communicate()


def test_two_sessions_share_one_copy_of_the_layout(sessions: list[subprocess.Popen[str]]
                                                   ) -> None:
    path = model_dir(MODELS["smollm2"], Settings.build({}).cache_dir) / PREPARED
    size_kib = path.stat().st_size // 1024
    assert size_kib > 500 * 1024  # SmolLM2's linear layers and output layer, float32
    first, second = (mapped_kib(p.pid, path) for p in sessions)
    for seen in (first, second):
        # every page of the file is resident (the step read them all) and none is a
        # private copy: the two processes map the same page-cache pages
        assert seen.get("Rss", 0) >= size_kib * 0.95
        assert seen.get("Shared_Clean", 0) >= size_kib * 0.95
        assert seen["Private_Dirty"] == 0 and seen["Anonymous"] == 0
