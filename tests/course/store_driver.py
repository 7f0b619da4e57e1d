"""Run as a script by the crash and concurrency tests: writes progress and says what it committed.

    python store_driver.py PATH NAME COUNT

Records COUNT answers (step ids NAME-0, NAME-1, ...), bumping a shared counter answer and the
position after each, and prints `committed N` once each answer's write has returned.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tutor.course.progress import ProgressStore


def main() -> None:
    path, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = ProgressStore.open(path)
    if store.notices:
        print("notice", *store.notices, flush=True)
    for i in range(count):
        store.record_answer("lesson", f"{name}-{i}", {"n": i, "by": name}, i % 3 == 0)
        store.record_answer("lesson", "shared", name, True)
        store.record_position("lesson", f"{name}-{i}", i)
        print(f"committed {i}", flush=True)
    store.close()
    print("finished", flush=True)


if __name__ == "__main__":
    main()
