"""kill -9 the running tutor at random moments: the store opens and holds every answer."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tutor.course.progress import ProgressStore
from tutor.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).resolve().parent / "app_driver.py"


def test_killing_the_tutor_keeps_every_committed_answer(course_env: Path) -> None:
    rng = random.Random(4)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    last_committed = -1
    start = 0
    answers_printed = 0
    deadline = time.monotonic() + 45
    runs = 0
    while runs < 8 and (runs < 3 or time.monotonic() < deadline):
        proc = subprocess.Popen([sys.executable, str(DRIVER), str(start)], env=env,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        # wait until it is answering, then let it run a random while and kill it
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 1.5))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        runs += 1
        numbers = [int(line.split()[1]) for line in out.splitlines()
                   if line.startswith("committed ")]
        if numbers:
            last_committed = numbers[-1]
            answers_printed += len(numbers)
        store = ProgressStore.open(Settings.load().progress_path)
        try:
            assert store.notices == []
            assert store.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            saved = store.lesson("first-steps")
        finally:
            store.close()
        assert saved.step_id == "q-count"  # the position survived too
        if last_committed >= 0:
            answer = saved.answers["q-count"]
            # the answer in flight may have landed after the last line printed, never before
            assert int(answer.answer) >= last_committed
            assert answer.attempts >= answers_printed
            start = int(answer.answer) + 1
    assert answers_printed > 0
