"""The child process that runs a learner's file against its checks (`python -m ...child`).

The parent (`tutor.exercises.runner`) starts it with no terminal, a time limit and a
memory limit, and reads one JSON object per line from the file descriptor `--fd`:
`plan` (the check names), `ready` (models loaded and the stock model's answers computed:
the learner's time starts), then `start` and `check` for each check (each check gets the
full time limit), then `done`. Anything else (a hang, `os._exit`, a crash) shows up in
the parent as a missing `done`, so it can never count as a pass.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import resource
import signal
import sys
import threading
import time
import traceback
import types
from pathlib import Path
from typing import Any

from tutor import i18n
from tutor.i18n import N_, _

OUTPUT_LIMIT = 16 * 1024 * 1024  # bytes of printed output
COMPILES = N_("your file compiles")
RUNS = N_("your file runs")


class Channel:
    def __init__(self, fd: int) -> None:
        self.stream = os.fdopen(fd, "w", encoding="utf-8", buffering=1)

    def send(self, event: str, **fields: Any) -> None:
        self.stream.write(json.dumps({"event": event, **fields}) + "\n")
        self.stream.flush()

    def check(self, name: str, passed: bool, message: str) -> None:
        self.send("check", name=name, passed=passed, message=message)


def die_with_parent() -> None:
    """End this process when the tutor that started it dies (it is in its own session, so
    a closed terminal does not reach it): the kernel's signal on Linux, a watchdog anyway."""
    parent = os.getppid()
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, daemon=True, name="parent-watchdog").start()


def address_space() -> int:
    """Bytes of address space this process has mapped now (Linux; 0 where unknown)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def limit_resources(megabytes: int) -> None:
    """Address space: what the loaded models use plus `megabytes` for the learner's code
    (relative, because torch builds differ wildly in what they map), no core files, and a
    cap on what gets written: a print loop must not fill the disk before the time limit."""
    limit = address_space() + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_LIMIT, OUTPUT_LIMIT))
    # past the cap a write fails with an OSError in the learner's code instead of a signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def learner_traceback(err: BaseException, path: str) -> str:
    """The traceback trimmed to the learner's own file, then the error itself."""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == path]
    lines = []
    for frame in frames:
        lines.append(f'  File "{Path(path).name}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line}")
    lines.extend(traceback.format_exception_only(type(err), err)[-1:])
    return "\n".join(line.rstrip("\n") for line in lines)


def in_learner_code(err: BaseException, path: str) -> bool:
    return any(f.filename == path for f in traceback.extract_tb(err.__traceback__))


def describe_error(err: BaseException, path: str, memory_mb: int) -> str:
    if isinstance(err, SystemExit):
        return _("your code called sys.exit({code}), which would end the program: return the "
                 "result instead").format(code=repr(err.code))
    if isinstance(err, MemoryError):
        return (_("your code ran out of memory (it may use {memory} MiB):").format(
            memory=memory_mb) + "\n" + learner_traceback(err, path))
    if in_learner_code(err, path):
        return _("your code raised an exception:") + "\n" + learner_traceback(err, path)
    return _("the check could not use what your function returned: {error}").format(
        error=f"{type(err).__name__}: {err}")


def run(args: argparse.Namespace) -> None:
    from tutor.exercises.catalog import EXERCISES

    channel = Channel(args.fd)
    exercise = EXERCISES[args.exercise]
    path = str(Path(args.file).resolve())
    source = Path(path).read_text(encoding="utf-8")
    try:
        code = compile(source, path, "exec")
    except SyntaxError as err:
        where = (_("line {line}, column {column}").format(line=err.lineno, column=err.offset)
                 if err.offset else _("line {line}").format(line=err.lineno))
        text = f"\n    {err.text.rstrip()}" if err.text else ""
        channel.check(COMPILES, False, _("{error} at {where}: {message}").format(
            error=type(err).__name__, where=where, message=err.msg) + text)
        channel.send("done")
        return

    from tutor.exercises.checks import Fail, checks_for, prepare_for
    from tutor.exercises.models import Models

    checks = checks_for(exercise.module)
    channel.send("plan", checks=[name for name, _ in checks])
    models = Models(args.decoder, args.encoder)
    try:
        models.load(exercise.needs)
        prepare_for(exercise.module, models)
    except Exception as err:
        channel.check(checks[0][0], False,
                      _("the model could not be loaded: {error}").format(error=err))
        channel.send("done")
        return
    limit_resources(args.memory_mb)
    channel.send("ready")

    module = types.ModuleType(f"learner_{exercise.module}")
    module.__file__ = path
    try:
        exec(code, module.__dict__)
    except BaseException as err:  # the learner's module-level code: anything goes
        channel.check(RUNS, False, describe_error(err, path, args.memory_mb))
        channel.send("done")
        return
    function = getattr(module, exercise.function, None)
    if not callable(function):
        channel.check(RUNS, False, _("your file does not define a function `{function}`").format(
            function=exercise.function))
        channel.send("done")
        return

    for name, check in checks:
        channel.send("start", name=name)
        try:
            message = check(function, models)
            channel.check(name, True, message)
        except Fail as fail:
            channel.check(name, False, str(fail))
        except BaseException as err:  # SystemExit included: never a pass, never an exit
            channel.check(name, False, describe_error(err, path, args.memory_mb))
    channel.send("done")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="tutor.exercises.child")
    parser.add_argument("--exercise", required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--decoder")
    parser.add_argument("--encoder")
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--lang", default=i18n.DEFAULT)  # the learner's, from the runner
    args = parser.parse_args(argv)
    i18n.use(args.lang)
    die_with_parent()
    run(args)
    sys.stdout.flush()
    # skip interpreter teardown: the learner's module may have left threads or handlers
    os._exit(0)


if __name__ == "__main__":
    main()

