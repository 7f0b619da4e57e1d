"""The progress store and the command line's own output under hostile conditions.

Read-only cases run the tutor in a child process without the capabilities that let root
ignore file permissions (setpriv), so they test what a learner's account would see.
"""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.hostile.conftest import cli, one_line, run_tutor
from tutor.course.progress import ProgressStore

pytestmark = pytest.mark.timeout(120)


def _store(folder: Path, journal: str = "wal") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "progress.sqlite3"
    store = ProgressStore.open(path)
    store.record_position("first-steps", "q-primes", 2)
    store.record_answer("first-steps", "q-capital", "paris", True)
    store.conn.execute(f"PRAGMA journal_mode = {journal}")
    store.close()
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _progress(folder: Path, *args: str) -> tuple[int, str, str]:
    proc = run_tutor("--data-dir", str(folder), *args, unprivileged=True)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


@pytest.mark.parametrize("journal", ["wal", "delete"])
@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_store_is_shown_and_never_moved(tmp_path: Path, journal: str,
                                                    what: str) -> None:
    folder = tmp_path / "data"
    path = _store(folder, journal)
    before = _files(folder)
    target = path if what == "file" else folder
    target.chmod(0o444 if what == "file" else 0o555)
    try:
        status, out, err = _progress(folder, "progress", "--json")
        assert status == 0, err
        assert "read-only" in err and "nothing new can be saved" in err
        lesson = json.loads(out)["lessons"][0]
        assert (lesson["id"], lesson["status"], lesson["score"]) == ("first-steps",
                                                                      "in progress", 1)
        status, out, err = _progress(folder, "reset", "-y")
        assert status == 2 and "cannot clear" in err and "Traceback" not in err
    finally:
        target.chmod(0o755 if what == "folder" else stat.S_IRUSR | stat.S_IWUSR)
    names_now = _files(folder)
    assert before[path.name] == names_now[path.name]  # the learner's file, byte for byte
    assert not [n for n in names_now if "unreadable" in n]


def test_a_read_only_store_in_the_app_session_takes_writes_in_memory(tmp_path: Path) -> None:
    path = _store(tmp_path / "data", "delete")
    path.chmod(0o444)
    # as root the file is still writable, so force the read-only path the way a learner hits it
    store = ProgressStore._read_only(path, "the file is read-only", [])
    try:
        store.record_position("first-steps", "q-capital", 0)  # a lesson opens: no crash
        store.record_answer("first-steps", "q-primes", ["two"], False)
        assert store.lesson("first-steps").answers.keys() == {"q-capital", "q-primes"}
        assert not store.saving
    finally:
        store.close()
        path.chmod(0o644)
    again = ProgressStore.open(path)
    assert again.lesson("first-steps").answers.keys() == {"q-capital"}  # disk untouched
    again.close()


def test_a_store_whose_tables_do_not_match_its_version_is_moved_aside(tmp_path: Path) -> None:
    path = _store(tmp_path / "data")
    conn = sqlite3.connect(path)
    for table in ("lessons", "answers", "steps_done", "settings"):
        conn.execute(f"DROP TABLE {table}")
    conn.commit()
    conn.close()
    status, out, err = _progress(path.parent, "progress")
    assert status == 0, err
    assert "damaged" in err and "moved it to" in err
    assert [p.name for p in path.parent.iterdir() if "unreadable" in p.name]
    store = ProgressStore.open(path)  # the fresh store works
    store.record_position("first-steps", "q-capital", 0)
    store.close()


def test_a_damaged_store_in_a_read_only_folder_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "progress.sqlite3"
    path.write_bytes(b"not a database at all" * 100)
    folder.chmod(0o555)
    try:
        status, out, err = _progress(folder, "progress")
    finally:
        folder.chmod(0o755)
    assert status == 0 and "Traceback" not in err, err
    assert "left as it is" in err
    assert [p.name for p in folder.iterdir()] == ["progress.sqlite3"]


def test_reset_with_the_input_closed_is_one_line() -> None:
    proc = run_tutor("reset", stdin=None)
    assert "--yes" in one_line(proc)


def test_progress_to_a_full_disk_is_one_line() -> None:
    with open("/dev/full", "wb") as full:
        proc = run_tutor("progress", stdout=full.fileno())
    assert "cannot write the answer" in one_line(proc)


def test_a_misspelt_lessons_dir_is_said(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(tmp_path / "lesosns"))
    assert "no lessons found" in cli("progress").one_line_error()
