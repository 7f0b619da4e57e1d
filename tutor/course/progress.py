"""The learner's progress in SQLite: every action committed when it happens.

Keyed by stable lesson and step ids, so editing a lesson never breaks saved progress.
WAL mode lets two tutors read while one writes; every write is one short `BEGIN IMMEDIATE`
transaction with a busy timeout, so two tutors writing at once queue instead of failing,
and counters are updated in SQL (never read-modify-write in Python) so no write is lost.
A store that cannot be read (corrupt, or from a newer tutor) is moved aside with a notice.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor import paths
from tutor.i18n import _, ngettext

DB_NAME = "progress.sqlite3"
LEARNER_ID = "learner_id"  # the settings key of the learner id
BUSY_TIMEOUT_MS = 10_000

# Append only: migration N takes a store at user_version N to N + 1.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE lessons (
        lesson_id    TEXT PRIMARY KEY,
        step_id      TEXT,
        step_index   INTEGER NOT NULL DEFAULT 0,
        opened_at    REAL NOT NULL,
        updated_at   REAL NOT NULL,
        completed_at REAL
    );
    CREATE TABLE answers (
        lesson_id     TEXT NOT NULL,
        step_id       TEXT NOT NULL,
        answer        TEXT NOT NULL,          -- JSON: a choice id, a list of ids, or text
        correct       INTEGER NOT NULL,
        first_correct INTEGER NOT NULL,       -- the score counts first attempts
        attempts      INTEGER NOT NULL DEFAULT 1,
        answered_at   REAL NOT NULL,
        PRIMARY KEY (lesson_id, step_id)
    );
    CREATE TABLE steps_done (
        lesson_id TEXT NOT NULL,
        step_id   TEXT NOT NULL,
        done_at   REAL NOT NULL,
        PRIMARY KEY (lesson_id, step_id)
    );
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 1 -> 2: exercises the learner passed, keyed by exercise id (lesson_id for `reset`)
    """
    CREATE TABLE exercises (
        exercise_id TEXT PRIMARY KEY,
        lesson_id   TEXT NOT NULL,
        passed_at   REAL NOT NULL
    );
    """,
    # 2 -> 3: how far the learner got in a lesson, which paging back to review does not lower
    """
    ALTER TABLE lessons ADD COLUMN furthest_index INTEGER NOT NULL DEFAULT 0;
    UPDATE lessons SET furthest_index = step_index;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreUnreadable(Exception):
    """The file is not a progress store this tutor can use."""


class StoreReadOnly(Exception):
    """The file is a store this tutor can read but not write; the message says why."""


@dataclass(frozen=True, slots=True)
class SavedAnswer:
    answer: Any
    correct: bool
    first_correct: bool
    attempts: int


@dataclass(slots=True)
class LessonProgress:
    lesson_id: str
    step_id: str | None = None
    step_index: int = 0
    furthest_index: int = 0  # the furthest step index reached
    opened_at: float | None = None
    completed: bool = False
    answers: dict[str, SavedAnswer] = field(default_factory=dict)
    done_steps: set[str] = field(default_factory=set)
    exercises_passed: set[str] = field(default_factory=set)

    @property
    def status(self) -> str:
        if self.completed:
            return "done"
        return "in progress" if self.opened_at is not None else "new"

    def to_json(self) -> dict[str, Any]:
        return {
            "lesson_id": self.lesson_id,
            "status": self.status,
            "step_id": self.step_id,
            "step_index": self.step_index,
            "furthest_index": self.furthest_index,
            "answers": {k: {"answer": a.answer, "correct": a.correct,
                            "first_correct": a.first_correct, "attempts": a.attempts}
                        for k, a in sorted(self.answers.items())},
            "done_steps": sorted(self.done_steps),
            "exercises_passed": sorted(self.exercises_passed),
        }


def default_path() -> Path:
    return paths.default_data_dir() / DB_NAME


class ProgressStore:
    def __init__(self, conn: sqlite3.Connection, path: Path | None,
                 notices: list[str] | None = None) -> None:
        self.conn = conn
        self.path = path
        self.notices: list[str] = notices or []
        # why the file on disk cannot be written, when it cannot; writes then go to memory
        self.read_only: str | None = None

    @property
    def saving(self) -> bool:
        """Whether what the learner does now reaches the file on disk."""
        return self.path is not None and self.read_only is None

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | None = None) -> ProgressStore:
        """Open (creating or migrating) the store; never raises for a bad file or directory.

        A store this tutor cannot write (a read-only file or folder) is read into memory and
        shown, with a notice that nothing new is saved; it is never moved or replaced. Only a
        store that cannot be read at all is moved aside, and only when its folder allows it.
        """
        path = path or default_path()
        notices: list[str] = []
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            return cls._in_memory(notices + [_(
                "cannot create {folder} ({reason}); progress will not be saved this time").format(
                folder=path.parent, reason=err.strerror)])
        why = _read_only_reason(path)
        if why is None:
            try:
                return cls(_connect(path), path, notices)
            except StoreReadOnly as err:
                why = str(err)
            except StoreUnreadable as err:
                try:
                    aside = _move_aside(path)
                except OSError as move_err:
                    return cls._in_memory(notices + [_(
                        "the progress store {path} {problem}, and it cannot be moved aside "
                        "({reason}); it is left as it is, and progress will not be saved this "
                        "time").format(path=path, problem=err, reason=move_err.strerror)])
                notices.append(_("the progress store {path} {problem}; moved it to {aside} and "
                                 "started a fresh one").format(path=path, problem=err,
                                                               aside=aside.name))
            except sqlite3.OperationalError as err:
                return cls._in_memory(notices + [_cannot_open(path, err)])
        if why is not None:
            return cls._read_only(path, why, notices)
        try:
            return cls(_connect(path), path, notices)
        except (StoreUnreadable, sqlite3.Error) as err:
            return cls._in_memory(notices + [_cannot_open(path, err)])

    @classmethod
    def _read_only(cls, path: Path, why: str, notices: list[str]) -> ProgressStore:
        """The saved progress copied into memory: shown and updated for this session only."""
        if not path.exists():
            return cls._in_memory(notices + [_(
                "cannot create {path}: {why}; progress will not be saved this time").format(
                path=path, why=why)])
        try:
            conn = _copy_read_only(path)
        except (StoreUnreadable, sqlite3.Error) as err:
            return cls._in_memory(notices + [_(
                "the progress store {path} cannot be read ({error}) and {why}; it is left as it "
                "is, and progress will not be saved this time").format(path=path, error=err,
                                                                       why=why)])
        store = cls(conn, path, notices + [_(
            "{path} is read-only ({why}): your progress is shown, but nothing new can be "
            "saved this time; make it writable to save again").format(path=path, why=why)])
        store.read_only = why
        return store

    @classmethod
    def _in_memory(cls, notices: list[str]) -> ProgressStore:
        conn = sqlite3.connect(":memory:", isolation_level=None)
        _migrate(conn, 0)
        return cls(conn, None, notices)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front, so a second tutor waits on busy_timeout
        # instead of failing half-way through an upgrade from a read lock.
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- writes, each committed before returning -----------------------------------------
    def record_position(self, lesson_id: str, step_id: str, step_index: int) -> None:
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT INTO lessons (lesson_id, step_id, step_index, furthest_index, opened_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lesson_id) DO UPDATE SET "
                "step_id = excluded.step_id, step_index = excluded.step_index, "
                "furthest_index = MAX(lessons.furthest_index, excluded.step_index), "
                "opened_at = excluded.opened_at, updated_at = excluded.updated_at",
                (lesson_id, step_id, step_index, step_index, now, now),
            )

    def record_answer(self, lesson_id: str, step_id: str, answer: Any, correct: bool) -> None:
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT INTO answers (lesson_id, step_id, answer, correct, first_correct, "
                "attempts, answered_at) VALUES (?, ?, ?, ?, ?, 1, ?) "
                "ON CONFLICT (lesson_id, step_id) DO UPDATE SET answer = excluded.answer, "
                "correct = excluded.correct, attempts = answers.attempts + 1, "
                "answered_at = excluded.answered_at",
                (lesson_id, step_id, json.dumps(answer), int(correct), int(correct), now),
            )

    def record_step_done(self, lesson_id: str, step_id: str) -> None:
        with self._write() as db:
            db.execute("INSERT OR IGNORE INTO steps_done VALUES (?, ?, ?)",
                       (lesson_id, step_id, time.time()))

    def record_exercise_passed(self, exercise_id: str, lesson_id: str) -> None:
        with self._write() as db:
            db.execute("INSERT OR IGNORE INTO exercises VALUES (?, ?, ?)",
                       (exercise_id, lesson_id, time.time()))

    def passed_exercises(self) -> set[str]:
        return {row[0] for row in self.conn.execute("SELECT exercise_id FROM exercises")}

    def complete_lesson(self, lesson_id: str) -> None:
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT INTO lessons (lesson_id, step_index, opened_at, updated_at, completed_at) "
                "VALUES (?, 0, ?, ?, ?) ON CONFLICT (lesson_id) DO UPDATE SET "
                "completed_at = COALESCE(lessons.completed_at, excluded.completed_at), "
                "updated_at = excluded.updated_at",
                (lesson_id, now, now, now),
            )

    def reset(self, lesson_id: str | None = None) -> None:
        """Forget one lesson's progress, or everything (settings such as the theme stay)."""
        with self._write() as db:
            for table in ("lessons", "answers", "steps_done", "exercises"):
                if lesson_id is None:
                    db.execute(f"DELETE FROM {table}")
                else:
                    db.execute(f"DELETE FROM {table} WHERE lesson_id = ?", (lesson_id,))

    def set_setting(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                       "value = excluded.value", (key, value))

    def learner_id(self) -> str:
        """This learner's id, made on first use and kept (a reset keeps it): it seeds the
        order of quiz choices, so the order is stable across restarts."""
        found = self.setting(LEARNER_ID)
        if found:
            return found
        with self._write() as db:  # OR IGNORE: a second tutor that made one first wins
            db.execute("INSERT OR IGNORE INTO settings VALUES (?, ?)",
                       (LEARNER_ID, uuid.uuid4().hex))
        return self.setting(LEARNER_ID) or ""

    # -- reads -------------------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def lesson(self, lesson_id: str) -> LessonProgress:
        return self.all().get(lesson_id) or LessonProgress(lesson_id)

    def all(self) -> dict[str, LessonProgress]:
        out: dict[str, LessonProgress] = {}

        def get(lesson_id: str) -> LessonProgress:
            return out.setdefault(lesson_id, LessonProgress(lesson_id))

        # one read transaction, so the three tables agree with each other
        self.conn.execute("BEGIN")
        try:
            for lid, sid, index, furthest, opened, completed in self.conn.execute(
                    "SELECT lesson_id, step_id, step_index, furthest_index, opened_at, "
                    "completed_at FROM lessons"):
                p = get(lid)
                p.step_id, p.step_index, p.opened_at = sid, index, opened
                p.furthest_index = furthest
                p.completed = completed is not None
            for lid, sid, answer, correct, first, attempts in self.conn.execute(
                    "SELECT lesson_id, step_id, answer, correct, first_correct, attempts "
                    "FROM answers"):
                get(lid).answers[sid] = SavedAnswer(_loads(answer), bool(correct), bool(first),
                                                    attempts)
            for lid, sid in self.conn.execute("SELECT lesson_id, step_id FROM steps_done"):
                get(lid).done_steps.add(sid)
            for lid, eid in self.conn.execute("SELECT lesson_id, exercise_id FROM exercises"):
                get(lid).exercises_passed.add(eid)
        finally:
            self.conn.execute("COMMIT")
        return out

    def last_lesson(self) -> str | None:
        row = self.conn.execute(
            "SELECT lesson_id FROM lessons ORDER BY updated_at DESC LIMIT 1").fetchone()
        return row[0] if row else None


def _cannot_open(path: Path, err: Exception) -> str:
    return _("cannot open {path} ({error}); progress will not be saved this time").format(
        path=path, error=err)


def saved_setting(path: Path, key: str) -> str | None:
    """One saved setting, read without opening the store for writing: no file is created,
    migrated or moved aside, so any command can ask (the CLI reads the learner's language).
    None when there is no store yet or it cannot be read; `ProgressStore.open` says why."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return str(row[0]) if row else None


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreUnreadable(_("is from a newer tutor (schema {version}, this one reads "
                                    "up to {newest})").format(version=version,
                                                              newest=SCHEMA_VERSION))
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise StoreUnreadable(_("is damaged ({check})").format(check=check))
        if _enable_wal(conn).lower() != "wal":
            raise sqlite3.OperationalError("WAL mode is not available here")
        # FULL: a commit is on disk before record_* returns, not only in the OS cache
        conn.execute("PRAGMA synchronous = FULL")
        _migrate(conn, version)
        _check_schema(conn)
    except sqlite3.DatabaseError as err:
        conn.close()
        if isinstance(err, sqlite3.OperationalError) and "readonly" in str(err):
            raise StoreReadOnly(_("SQLite cannot write to it")) from err
        if isinstance(err, sqlite3.OperationalError) and "locked" in str(err):
            raise
        if isinstance(err, sqlite3.OperationalError) and "unable to open" in str(err):
            raise
        raise StoreUnreadable(_("cannot be read ({error})").format(error=err)) from err
    except StoreUnreadable:
        conn.close()
        raise
    return conn


def _read_only_reason(path: Path) -> str | None:
    """Why this tutor cannot write the store at `path`, or None when it can.

    A WAL store needs its folder writable too (for the -wal and -shm files), and so does a
    rollback journal on the first write."""
    if path.exists() and not os.access(path, os.W_OK):
        return _("the file is read-only")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return _("its folder {folder} is read-only").format(folder=path.parent)
    return None


def _copy_read_only(path: Path) -> sqlite3.Connection:
    """Open `path` without writing to it, check it, and copy it into an in-memory database."""
    uri = path.resolve().as_uri()
    try:
        source = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
        version = _readable_version(source)
    except sqlite3.OperationalError:
        # a WAL store in a read-only folder with no -shm file cannot be opened read-only;
        # `immutable` reads the main file as it is (its last checkpoint)
        source = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
        version = _readable_version(source)
    memory = sqlite3.connect(":memory:", isolation_level=None)
    try:
        source.backup(memory)
    finally:
        source.close()
    _migrate(memory, version)
    _check_schema(memory)
    return memory


def _readable_version(conn: sqlite3.Connection) -> int:
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError:
        conn.close()
        raise
    if version > SCHEMA_VERSION:
        conn.close()
        raise StoreUnreadable(_("it is from a newer tutor (schema {version})").format(
            version=version))
    if check != "ok":
        conn.close()
        raise StoreUnreadable(_("it is damaged ({check})").format(check=check))
    return version


def _columns(conn: sqlite3.Connection) -> dict[str, set[str]]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {t: {r[1] for r in conn.execute(f"PRAGMA table_info('{t}')")} for t in tables}


@functools.cache
def _expected_columns() -> dict[str, set[str]]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    _migrate(conn, 0)
    expected = _columns(conn)
    conn.close()
    return expected


def _check_schema(conn: sqlite3.Connection) -> None:
    """A store whose tables do not match its schema version is damaged, not empty."""
    have = _columns(conn)
    for table, columns in _expected_columns().items():
        missing = columns - have.get(table, set())
        if missing:
            what = (_("table {table}").format(table=table) if table not in have
                    else ngettext("column {columns} of table {table}",
                                  "columns {columns} of table {table}", len(missing)).format(
                        columns=", ".join(sorted(missing)), table=table))
            raise StoreUnreadable(_("is damaged: it says schema version {version} but has no "
                                    "{what}").format(version=SCHEMA_VERSION, what=what))


def _enable_wal(conn: sqlite3.Connection) -> str:
    """Switch a new store to WAL, waiting for another tutor that is writing to it.

    The busy timeout does not cover a journal-mode change: while a second tutor holds the
    write lock (say, creating the same new store at the same moment) the change fails at
    once with "database is locked", and this tutor would go on without saving progress.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    while version < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # re-read under the write lock: another tutor may have migrated meanwhile
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                conn.execute("COMMIT")
                break
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        version += 1


def _move_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.unreadable-{stamp}")
    n = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.unreadable-{stamp}-{n}")
        n += 1
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        with contextlib.suppress(OSError):
            if side.exists():
                side.rename(aside.with_name(aside.name + suffix))
    path.rename(aside)
    return aside
