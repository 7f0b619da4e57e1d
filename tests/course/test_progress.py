"""The progress store: what it keeps, how it survives bad files, kills and a second writer."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tutor.course.progress import SCHEMA_VERSION, ProgressStore
from tutor.settings import Settings

DRIVER = Path(__file__).resolve().parent / "store_driver.py"
ROOT = Path(__file__).resolve().parents[2]


def test_store_lives_in_the_data_dir(_isolated_data_dir: Path) -> None:
    assert Settings.load().progress_path == _isolated_data_dir / "progress.sqlite3"
    store = ProgressStore.open(Settings.load().progress_path)
    store.record_position("a", "s1", 0)
    store.close()
    assert (_isolated_data_dir / "progress.sqlite3").exists()


def test_records_answers_positions_tasks_and_completion(tmp_path: Path) -> None:
    store = ProgressStore.open(tmp_path / "p.sqlite3")
    assert store.lesson("intro").status == "new"
    store.record_position("intro", "q1", 2)
    store.record_answer("intro", "q1", "b", False)
    store.record_answer("intro", "q1", "a", True)
    store.record_answer("intro", "q2", ["x", "y"], True)
    store.record_step_done("intro", "task")
    store.record_step_done("intro", "task")
    progress = store.lesson("intro")
    assert (progress.status, progress.step_id, progress.step_index) == ("in progress", "q1", 2)
    q1 = progress.answers["q1"]
    assert (q1.answer, q1.correct, q1.first_correct, q1.attempts) == ("a", True, False, 2)
    assert progress.answers["q2"].answer == ["x", "y"]
    assert progress.done_steps == {"task"}
    store.complete_lesson("intro")
    assert store.lesson("intro").status == "done"
    assert store.last_lesson() == "intro"
    store.close()
    # a second connection (a restarted tutor) sees all of it
    again = ProgressStore.open(tmp_path / "p.sqlite3")
    assert again.lesson("intro").answers["q1"].answer == "a"
    assert again.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_reset_one_lesson_or_all_keeps_settings(tmp_path: Path) -> None:
    store = ProgressStore.open(tmp_path / "p.sqlite3")
    for lesson in ("a", "b"):
        store.record_position(lesson, "s", 0)
        store.record_answer(lesson, "q", "x", True)
    store.set_setting("theme", "light")
    store.reset("a")
    assert set(store.all()) == {"b"}
    store.reset()
    assert store.all() == {}
    assert store.setting("theme") == "light"


def test_a_corrupt_store_is_moved_aside_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = ProgressStore.open(path)
    assert len(store.notices) == 1 and "moved it to" in store.notices[0]
    store.record_position("a", "s", 0)
    assert store.lesson("a").step_id == "s"
    aside = [p for p in tmp_path.iterdir() if ".unreadable-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")


def test_a_store_from_a_newer_tutor_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    store = ProgressStore.open(path)
    assert "newer tutor" in store.notices[0]
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_migrations_bring_an_empty_store_to_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    sqlite3.connect(path).close()  # an empty file at version 0
    store = ProgressStore.open(path)
    assert store.notices == []
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_an_unusable_data_dir_gives_a_notice_not_a_crash(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data directory should be")
    store = ProgressStore.open(blocker / "sub" / "p.sqlite3")
    assert store.path is None and "will not be saved" in store.notices[0]
    store.record_position("a", "s", 0)  # still works, in memory, for this session
    assert store.lesson("a").step_id == "s"


def test_a_missing_parent_directory_is_created(tmp_path: Path) -> None:
    store = ProgressStore.open(tmp_path / "deep" / "er" / "p.sqlite3")
    assert store.path is not None and store.notices == []


def test_a_store_being_written_by_another_tutor_is_waited_for(tmp_path: Path) -> None:
    """A second tutor opening a new store while the first one still creates it must wait
    for it, not fall back to an unsaved in-memory store (seen as a rare CI failure)."""
    path = tmp_path / "p.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # as the first tutor's schema migration does
    other.execute("CREATE TABLE creating (x)")
    release = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    release.start()
    try:
        store = ProgressStore.open(path)
    finally:
        release.join()
        other.close()
    assert store.notices == [] and store.path == path
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.record_position("lesson", "s", 0)
    assert ProgressStore.open(path).lesson("lesson").step_id == "s"


def _driver(path: Path, name: str, count: int) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, str(DRIVER), str(path), name, str(count)],
                            stdout=subprocess.PIPE, text=True, env=env)


def test_two_tutors_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite3"
    count = 150
    procs = [_driver(path, name, count) for name in ("left", "right")]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert all(out.rstrip().endswith("finished") for out in outputs)
    store = ProgressStore.open(path)
    answers = store.lesson("lesson").answers
    for name in ("left", "right"):
        for i in range(count):
            assert answers[f"{name}-{i}"].answer == {"n": i, "by": name}
    # both processes bumped one row: no increment may be lost to the other
    assert answers["shared"].attempts == 2 * count


def test_kill_9_at_random_points_never_loses_a_commit(tmp_path: Path) -> None:
    """Kill a writer at random moments many times; every printed commit must be there."""
    rng = random.Random(20261123)
    path = tmp_path / "p.sqlite3"
    committed: dict[str, int] = {}
    deadline = time.monotonic() + 40  # keep the test's cost bounded on a slow machine
    runs = 0
    while runs < 40 and time.monotonic() < deadline:
        name = f"run{runs}"
        proc = _driver(path, name, 100_000)
        time.sleep(rng.uniform(0.0, 0.6))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        assert "notice" not in out, out  # the store was never found damaged
        lines = [line for line in out.splitlines() if line.startswith("committed ")]
        committed[name] = int(lines[-1].split()[1]) + 1 if lines else 0
        runs += 1
        store = ProgressStore.open(path)
        assert store.notices == []
        assert store.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        answers = store.lesson("lesson").answers
        for run, n in committed.items():
            for i in range(n):
                assert answers[f"{run}-{i}"].answer == {"n": i, "by": run}
        # the shared row was bumped at least once per committed answer
        assert answers.get("shared") is None or answers["shared"].attempts >= sum(
            committed.values())
        store.close()
    assert runs >= 10
    assert sum(committed.values()) > 0  # the kills did land after some commits


def test_a_new_migration_upgrades_an_old_store_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.course import progress

    path = tmp_path / "p.sqlite3"
    store = ProgressStore.open(path)
    store.record_answer("a", "q", "x", True)
    store.close()
    monkeypatch.setattr(progress, "MIGRATIONS",
                        [*progress.MIGRATIONS, "ALTER TABLE answers ADD COLUMN note TEXT"])
    monkeypatch.setattr(progress, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    upgraded = ProgressStore.open(path)
    assert upgraded.notices == []
    assert upgraded.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    columns = [row[1] for row in upgraded.conn.execute("PRAGMA table_info(answers)")]
    assert "note" in columns
    assert upgraded.lesson("a").answers["q"].answer == "x"
