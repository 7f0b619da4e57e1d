"""Shared helpers for the hostile-input suite: run the command line in-process and check
that a case ends as an answer (exit 0) or as one line on stderr with exit status 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import main

REPO = Path(__file__).resolve().parents[2]
LESSONS = REPO / "tests" / "fixtures" / "lessons"


def shell_arg(raw: bytes) -> str:
    """What Python makes of a command-line argument of these bytes (PEP 383)."""
    return raw.decode("utf-8", "surrogateescape")


@dataclass
class Outcome:
    status: int
    stdout: str
    stderr: str

    def one_line_error(self) -> str:
        """The single stderr line of a refused case (asserts the shape)."""
        assert self.status == 2, (self.status, self.stdout, self.stderr)
        lines = [ln for ln in self.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, self.stderr
        assert "Traceback" not in self.stderr
        return lines[0]


def cli(*args: str, stdin: str | None = None) -> Outcome:
    result = CliRunner().invoke(main, list(args), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback: the test shows it
    return Outcome(result.exit_code, result.stdout, result.stderr)


def run_tutor(*args: str | bytes, env: dict[str, str] | None = None, timeout: float = 60,
              unprivileged: bool = False, stdin: int | None = None,
              stdout: int | None = None) -> subprocess.CompletedProcess[bytes]:
    """`python -m tutor ARGS` in a fresh process (the real argv path, byte for byte)."""
    prefix: list[str] = []
    if unprivileged and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: file permissions are not enforced")
        prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([*prefix, sys.executable, "-m", "tutor", *args], env=full_env,
                          stdin=stdin if stdin is not None else subprocess.DEVNULL,
                          stdout=stdout if stdout is not None else subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, check=False)


def one_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, (proc.returncode, err)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture(autouse=True)
def _lessons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(LESSONS))
