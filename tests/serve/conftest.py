"""A `tutor serve` classroom in a subprocess, and headless Chromium (the distribution's
package, driven by Playwright) to visit it.

The terminal in the page draws on a canvas, so the tests read it the way a terminal would:
every byte the server sends over the websocket goes into a pyte screen of the same size.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pyte
import pytest
from playwright.sync_api import Browser, Page, WebSocket, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "tests" / "fixtures" / "lessons"
TOKEN = "classroom-test-token-0123456789"
MAX_SESSIONS = 2
# flags for a headless run that reaches nothing but the page under test
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]
# a session's first screen waits for a fresh Python to import Textual; on a busy 2-core
# machine shared with other jobs that has taken minutes
SCREEN_WAIT = 300.0


def chromium_path() -> str:
    found = os.environ.get("TUTOR_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if not found:
        pytest.fail("Chromium is not installed: `make test` installs it "
                    "(apt-get install chromium), or set TUTOR_CHROMIUM to its path")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Classroom:
    url: str
    data_dir: Path
    process: subprocess.Popen[str]

    @property
    def join_url(self) -> str:
        return f"{self.url}/?token={TOKEN}"

    def progress(self) -> dict[str, object]:
        """What the teacher's `tutor progress --all --json` says."""
        done = subprocess.run(
            [sys.executable, "-m", "tutor", "--data-dir", str(self.data_dir), "progress",
             "--all", "--json"], capture_output=True, text=True, timeout=120,
            env=classroom_env(), check=True)
        return json.loads(done.stdout)


def classroom_env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), TUTOR_LESSONS_DIR=str(LESSONS),
               TUTOR_DECODER="tiny-llama", TUTOR_ENCODER="tiny-bert")
    env.pop("TUTOR_DATA_DIR", None)
    return env


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Classroom]:
    data = tmp_path_factory.mktemp("classroom")
    port = free_port()
    log = (data / "server.log").open("w")
    # a session of its own, so teardown ends the server and every tutor it started
    process = subprocess.Popen(
        [sys.executable, "-m", "tutor", "--data-dir", str(data / "data"), "serve",
         "--port", str(port), "--token", TOKEN, "--max-sessions", str(MAX_SESSIONS)],
        env=classroom_env(), stdout=log, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=5)
        except urllib.error.HTTPError:
            break  # 403 without the token: the server is up
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"tutor serve did not start:\n{(data / 'server.log').read_text()}")
            time.sleep(0.2)
    yield Classroom(url, data / "data", process)
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log.close()


@dataclass
class Learner:
    """One browser tab on the classroom, with the terminal's screen read from the wire."""

    page: Page
    screen: pyte.Screen = field(default_factory=lambda: pyte.Screen(80, 24))
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.stream = pyte.ByteStream(self.screen)
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("websocket", self._attach)

    def _attach(self, websocket: WebSocket) -> None:
        self.requests.append(websocket.url)
        query = parse_qs(urlparse(websocket.url).query)
        # a new session (first visit or reload) starts from a blank screen of its size
        self.screen.resize(int(query["height"][0]), int(query["width"][0]))
        self.screen.reset()
        websocket.on("framereceived",
                     lambda data: self.stream.feed(data) if isinstance(data, bytes) else None)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, *needles: str, timeout: float = SCREEN_WAIT) -> str:
        """Wait until the screen shows every needle; fail showing the screen otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.text()
            if all(n in text for n in needles):
                return text
            if time.monotonic() > deadline:
                pytest.fail(f"the screen never showed {needles!r}; it shows:\n{text}")
            # Playwright delivers websocket frames only while it is called
            self.page.wait_for_timeout(200)

    def type(self, *keys: str) -> None:
        """Keys to the terminal: text is typed, names like 'Enter' are pressed."""
        self.page.focus("textarea.xterm-helper-textarea")
        for key in keys:
            if key in ("Enter", "Escape", "Tab", "ArrowDown", "ArrowUp"):
                self.page.keyboard.press(key)
            else:
                self.page.keyboard.type(key)

    def click(self, text: str) -> None:
        """Click the middle of the first place on the screen that shows `text`."""
        found = [(row, line.find(text)) for row, line in enumerate(self.screen.display)
                 if text in line]
        if not found:
            pytest.fail(f"nothing on the screen says {text!r}:\n{self.text()}")
        row, column = found[0]
        box = self.page.locator(".xterm-screen").bounding_box()
        assert box is not None
        cell_w, cell_h = box["width"] / self.screen.columns, box["height"] / self.screen.lines
        self.page.mouse.click(box["x"] + (column + len(text) / 2) * cell_w,
                              box["y"] + (row + 0.5) * cell_h)

    def outside_loopback(self) -> list[str]:
        return [u for u in self.requests if urlparse(u).hostname not in ("127.0.0.1", None)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(),
                                              args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def new_learner(browser: Browser) -> Iterator[Callable[[], Learner]]:
    """Makes learners, each in a browser context of its own (its own cookies)."""
    contexts = []

    def make() -> Learner:
        context = browser.new_context(viewport={"width": 1100, "height": 760})
        contexts.append(context)
        return Learner(context.new_page())

    yield make
    for context in contexts:
        context.close()
