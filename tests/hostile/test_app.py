"""The app under hostile input: a paste storm without bracketed paste, hostile panel fields,
and a terminal that dies under a parent that ignores SIGHUP."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Input, TextArea

from tests.hostile.conftest import LESSONS, REPO
from tests.panels.harness import PanelApp, settle, shared_hub, shown
from tutor.app.app import TutorApp
from tutor.app.engines import EngineHub
from tutor.app.panels.live import StatusLine
from tutor.app.screens.lab import LabScreen

pytestmark = pytest.mark.timeout(180)
STORM = 50_000


@pytest.fixture
def course_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_DECODER", "tiny-llama")
    monkeypatch.setenv("TUTOR_ENCODER", "tiny-bert")
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(LESSONS))


@pytest.fixture
def tiny_hub() -> EngineHub:
    return shared_hub("tiny")


def _storm(app: TutorApp, text: str) -> None:
    """Key events as a terminal without bracketed paste sends them: one per character."""
    for ch in text:
        app.post_message(events.Key(ch, ch))


async def _lab_text_box(app: TutorApp, pilot: Any) -> Input:
    """The Lab's tokenizer box, empty and focused, as a learner who clicked into it."""
    await pilot.press("l")
    for _ in range(100):
        await pilot.pause(0.05)
        if isinstance(app.screen, LabScreen) and app.screen.query("#tok-input"):
            break
    box = app.screen.query_one("#tok-input", Input)
    box.value = ""
    box.focus()
    await pilot.pause()
    return box


async def test_esc_and_ctrl_q_get_through_a_50kb_key_storm(course_env: None) -> None:
    app = TutorApp(load_model=False)
    async with app.run_test(size=(120, 40)) as pilot:
        box = await _lab_text_box(app, pilot)
        text = ("the quick brown fox " * (STORM // 20))[:STORM]
        _storm(app, text)
        # typed after the paste: escape leaves the field, the next one leaves the lab
        app.post_message(events.Key("escape", None))
        app.post_message(events.Key("escape", None))
        for _ in range(1200):
            await pilot.pause(0.05)
            if not isinstance(app.screen, LabScreen):
                break
        assert not isinstance(app.screen, LabScreen)
        assert 1 <= app.storm.pastes < 50  # gathered into a few pastes, not 50 000 edits
        assert box.value == text  # and nothing was lost or reordered
        app.post_message(events.Key("ctrl+q", None))
        for _ in range(600):
            await pilot.pause(0.05)
            if app._exit:  # type: ignore[attr-defined]
                break
        assert app._exit  # type: ignore[attr-defined]


async def test_typing_is_still_key_by_key(course_env: None) -> None:
    app = TutorApp(load_model=False)
    async with app.run_test(size=(120, 40)) as pilot:
        box = await _lab_text_box(app, pilot)
        await pilot.press("h", "i", "space", "q")
        assert box.value == "hi q" and app.storm.pastes == 0
        assert isinstance(app.screen, LabScreen)  # "q" in a text box is a letter, not quit


async def test_panel_fields_take_hostile_values(tiny_hub: EngineHub) -> None:
    app = PanelApp("next-token", tiny_hub)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, app)
        app.query_one("#nt-temperature", Input).value = "1e-40"
        await settle(pilot, app)
        status = app.query_one(StatusLine)
        assert "treated as 0 (greedy)" in shown(status)
        assert app.panel.result  # the panel still answers
        app.query_one("#nt-prompt", Input).value = "hello " * 9000  # a 54 KB paste
        await settle(pilot, app)
        assert "only the last" in shown(status)
        app.query_one("#nt-temperature", Input).value = "0.7"
        app.query_one("#nt-prompt", Input).value = "hello"
        await settle(pilot, app)
        assert not status.has_class("-error")


async def test_generation_panel_refuses_a_seed_beyond_64_bits(tiny_hub: EngineHub) -> None:
    app = PanelApp("generation", tiny_hub)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, app)
        app.query_one("#gen-max", Input).value = "2"
        app.query_one("#gen-temperature", Input).value = "1e-40"
        app.query_one("#gen-seed", Input).value = str(2**64)
        await pilot.press("ctrl+g")
        status = app.query_one(StatusLine)
        assert "64 bits" in shown(status) and status.has_class("-error")
        app.query_one("#gen-seed", Input).value = str(2**64 - 1)
        app.query_one("#gen-prompt", TextArea).text = "hello " * 9000
        await pilot.press("ctrl+g")
        await settle(pilot, app)
        assert "greedy" in shown(status) and "only the last" in shown(status)
        assert app.panel.result["token_count"] == 2  # and it generated


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_no_tutor_outlives_its_terminal_when_the_parent_ignores_sighup(tmp_path: Path) -> None:
    session = f"hostile-hup-{os.getpid()}"
    pidfile = tmp_path / "pid"
    env = (f"TUTOR_DATA_DIR={tmp_path / 'data'} TUTOR_LESSONS_DIR={LESSONS} "
           f"TUTOR_DECODER=tiny-llama TUTOR_ENCODER=tiny-bert PYTHONPATH={REPO}")
    inner = f"echo $$ > {pidfile}; exec env {env} {sys.executable} -m tutor"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30",
                    f"bash -c 'trap \"\" HUP; {inner}'"], check=True)
    try:
        for _ in range(600):  # the app is up once it has drawn its map
            time.sleep(0.1)
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                    capture_output=True, text=True).stdout
            if "first" in screen.lower() and pidfile.exists():
                break
        pid = int(pidfile.read_text())
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
    for _ in range(300):  # bounded: the test fails here instead of hanging
        time.sleep(0.1)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
    os.kill(pid, signal.SIGKILL)
    pytest.fail("the tutor outlived its terminal")


def test_the_terminal_reader_turns_a_long_run_of_text_into_one_paste() -> None:
    from tutor.app.keystorm import StormParser

    parser = StormParser()
    chunk = "the quick brown fox\r" * 200 + "\x11"  # 4 KB of paste, then ctrl+q
    out = list(parser.feed(chunk))
    assert [type(m).__name__ for m in out] == ["Paste", "Key"]
    assert out[0].text == "the quick brown fox\n" * 200  # type: ignore[attr-defined]
    assert out[1].key == "ctrl+q"  # type: ignore[attr-defined]
    # typing, escape sequences and short reads are Textual's own parsing, unchanged
    keys = list(parser.feed("hi")) + list(parser.feed("\x1b[A"))
    assert [getattr(m, "key", None) for m in keys] == ["h", "i", "up"]
