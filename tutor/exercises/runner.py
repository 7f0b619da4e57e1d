"""Run an exercise's checks on a learner's file in a child process; plain results back.

The learner's code never runs in this process. The child gets no terminal (its own
session, stdin from /dev/null, output to a file), a memory limit, and a time limit that
starts once its models are loaded; it reports over a pipe. Whatever goes wrong in it (an
infinite loop, an exception, `sys.exit`, `os._exit`, a crash) comes back as failed checks,
never as a pass and never as a hang. No torch here: the app calls this from a worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor import i18n
from tutor.exercises.catalog import Exercise
from tutor.i18n import N_, _

TIME_LIMIT = 30.0  # seconds for the learner's module, then for each check
LOAD_LIMIT = 900.0  # seconds to start Python, load the models and compute the stock answers;
# no learner code runs before then, so this only bounds a machine that is far too busy
MEMORY_MB = 2048  # address space the learner's code may add to what the models use
PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent
CHECK_RUN = N_("check run")  # the name of a failure that no check of the plan owns


class ExerciseError(Exception):
    """The check run could not start (a missing file or model): a usage error, not a fail."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    passed: bool
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "message": self.message}


@dataclass(frozen=True, slots=True)
class CheckRun:
    id: str
    checks: tuple[CheckResult, ...]

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "passed": self.passed,
                "checks": [c.to_json() for c in self.checks]}


def model_path(name: str, cache: Path | None = None) -> str:
    """Where the child loads a model from: a directory, or the name of a tiny test model."""
    from tutor.engine.fetch import is_present, model_dir
    from tutor.engine.registry import get_spec

    spec = get_spec(name)
    if spec.source == "tiny":
        return spec.name
    if spec.source == "hub":
        return name
    if not is_present(spec, cache):
        raise ExerciseError(_("the model '{model}' is not downloaded yet: run `tutor models "
                              "fetch`").format(model=name))
    return str(model_dir(spec, cache))


class _Session:
    """One child process and what it has said so far."""

    def __init__(self, exercise: Exercise, file: Path, paths: dict[str, str],
                 memory_mb: int) -> None:
        read_fd, write_fd = os.pipe()
        # closed in output_tail, once the child is gone
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p)
        env.update(TUTOR_DEVICE="cpu", CUDA_VISIBLE_DEVICES="", PYTHONDONTWRITEBYTECODE="1",
                   TOKENIZERS_PARALLELISM="false")
        # the child writes its messages in the learner's language
        cmd = [sys.executable, "-m", "tutor.exercises.child", "--exercise", exercise.id,
               "--file", str(file), "--fd", str(write_fd), "--memory-mb", str(memory_mb),
               "--lang", i18n.current()]
        for kind, where in paths.items():
            cmd += [f"--{kind}", where]
        try:
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
                pass_fds=(write_fd,), start_new_session=True, env=env, cwd=str(file.parent))
        finally:
            os.close(write_fd)
        self.reader = os.fdopen(read_fd, "rb", buffering=0)
        self.buffer = b""
        self.plan: list[str] = []
        self.results: dict[str, CheckResult] = {}
        self.order: list[str] = []
        self.ready_at: float | None = None
        self.clock_from: float | None = None  # when the learner's current time began
        self.done = False

    def events(self, deadline: Callable[[], float], cancelled: Callable[[], bool]) -> str:
        """Read until done, end of output, the deadline or cancellation; say which."""
        selector = selectors.DefaultSelector()
        selector.register(self.reader, selectors.EVENT_READ)
        try:
            while True:
                if cancelled():
                    return "cancelled"
                left = deadline() - time.monotonic()
                if left <= 0:
                    return "timeout"
                if not selector.select(timeout=min(left, 0.2)):
                    continue
                chunk = self.reader.read(65536)
                if not chunk:
                    return "eof"
                self.buffer += chunk
                while b"\n" in self.buffer:
                    line, self.buffer = self.buffer.split(b"\n", 1)
                    self._handle(line)
                    if self.done:
                        return "done"
        finally:
            selector.close()

    def _handle(self, line: bytes) -> None:
        try:
            event = json.loads(line)
        except ValueError:
            return
        kind = event.get("event") if isinstance(event, dict) else None
        if kind == "plan":
            self.plan = [str(n) for n in event.get("checks", [])]
        elif kind == "ready":
            self.ready_at = self.clock_from = time.monotonic()
        elif kind == "start":
            self.clock_from = time.monotonic()
        elif kind == "check":
            result = CheckResult(str(event.get("name")), event.get("passed") is True,
                                 str(event.get("message", "")))
            if result.name not in self.results:
                self.order.append(result.name)
            self.results[result.name] = result
        elif kind == "done":
            self.done = True

    def stop(self) -> int | None:
        # the whole group: anything the learner's code started goes too
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        self.reader.close()
        return code

    def output_tail(self, lines: int = 8) -> str:
        self.log.seek(0)
        text = self.log.read()[-4000:].decode("utf-8", "replace")
        self.log.close()
        tail = [line for line in text.splitlines() if line.strip()][-lines:]
        return "\n".join(tail)


def _abnormal_end(how: str, code: int | None, time_limit: float, ready: bool) -> str:
    if how == "timeout":
        if not ready:
            return _("the models did not load in time; try again when the computer is less busy")
        return _("your code did not finish within the {limit} s time limit (an infinite loop, "
                 "or a loop that does far too much work?)").format(limit=f"{time_limit:g}")
    if how == "cancelled":
        return _("the check run was stopped before it finished")
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if name == "SIGKILL":
            return _("the process running your code crashed with {signal} (out of "
                     "memory?)").format(signal=name)
        return _("the process running your code crashed with {signal}").format(signal=name)
    called = ("os._exit(0)" if code == 0
              else _("os._exit({code}) or a crash").format(code=code))
    return _("the process running your code ended before the checks finished (exit status "
             "{code}): did your code call {called}?").format(code=code, called=called)


def run_checks(exercise: Exercise, file: Path, *, decoder: str | None = None,
               encoder: str | None = None, cache: Path | None = None,
               time_limit: float = TIME_LIMIT,
               load_limit: float = LOAD_LIMIT, memory_mb: int = MEMORY_MB,
               cancelled: Callable[[], bool] = lambda: False) -> CheckRun:
    """Check `file` against `exercise` in a child process; ExerciseError if it cannot start."""
    from tutor.engine.registry import DEFAULT_DECODER, DEFAULT_ENCODER

    if not file.is_file():
        raise ExerciseError(_("no such file: {file}").format(file=file))
    names = {"decoder": decoder or DEFAULT_DECODER, "encoder": encoder or DEFAULT_ENCODER}
    paths = {kind: model_path(names[kind], cache) for kind in exercise.needs}
    session = _Session(exercise, file.resolve(), paths, memory_mb)
    started = time.monotonic()

    def deadline() -> float:
        if session.clock_from is None:
            return started + load_limit
        return session.clock_from + time_limit

    how = session.events(deadline, cancelled)
    code = session.stop()
    tail = session.output_tail()
    checks = [session.results[name] for name in session.order]
    pending = [n for n in session.plan if n not in session.results]
    if how != "done":
        message = _abnormal_end(how, code, time_limit, session.ready_at is not None)
        if how == "eof" and tail:
            message += "\n" + _("its last output:") + f"\n{tail}"
        checks.append(CheckResult(pending[0] if pending else CHECK_RUN, False, message))
        pending = pending[1:]
    checks.extend(CheckResult(n, False, _("not run")) for n in pending)
    return CheckRun(exercise.id, tuple(checks))
