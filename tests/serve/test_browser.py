"""`tutor serve` in a real browser: join, give a name, answer a quiz, reload, find it kept;
the token guards every request; learners stay apart; the page reaches nothing off the machine.
"""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest

from tests.serve.conftest import MAX_SESSIONS, TOKEN, Classroom, Learner

pytestmark = pytest.mark.browser


def _join(learner: Learner, classroom: Classroom, name: str) -> None:
    response = learner.page.goto(classroom.join_url)
    assert response is not None and response.status == 200
    learner.wait_for("What is your name?")
    learner.type(name, "Enter")
    learner.wait_for(f"Welcome, {name}.")


def _answer_spider_quiz(learner: Learner) -> None:
    """Lesson 1 of the test course; its fourth step asks for a number."""
    learner.type("Enter")
    learner.wait_for("Step 1/")
    learner.type("n", "n", "n")
    learner.wait_for("How many legs has a spider?")
    learner.click("Your answer, then Enter")
    learner.type("8", "Enter")
    learner.wait_for("✓ Correct.")


def _lesson(summary: dict[str, object], lesson_id: str) -> dict[str, object]:
    return next(r for r in summary["lessons"] if r["id"] == lesson_id)  # type: ignore[union-attr]


def test_a_learner_joins_answers_reloads_and_finds_the_answer_kept(
        classroom: Classroom, new_learner: Callable[[], Learner]) -> None:
    ada = new_learner()
    _join(ada, classroom, "Ada Lovelace")
    _answer_spider_quiz(ada)

    ada.page.reload()
    screen = ada.wait_for("First steps", "Open")
    assert "What is your name?" not in screen  # the cookie brought her back
    ada.type("Enter")
    ada.wait_for("How many legs has a spider?", "✓ Correct.", "You answered: 8")

    (learner,) = [row for row in classroom.progress()["learners"]  # type: ignore[union-attr]
                  if row["name"] == "Ada Lovelace"]
    first = _lesson(learner, "first-steps")
    assert first["answered"] == 1 and first["score"] == 1
    assert ada.outside_loopback() == []
    assert any("/static/fonts/" in url for url in ada.requests)  # the bundled font


def test_two_learners_keep_separate_progress_and_a_third_finds_the_class_full(
        classroom: Classroom, new_learner: Callable[[], Learner]) -> None:
    grace, alan = new_learner(), new_learner()
    _join(grace, classroom, "Grace Hopper")
    _join(alan, classroom, "Alan Turing")
    _answer_spider_quiz(grace)

    assert MAX_SESSIONS == 2
    third = new_learner()
    response = third.page.goto(classroom.join_url)
    assert response is not None and response.status == 503
    assert "The class is full" in third.page.content()

    rows = {row["name"]: row for row in classroom.progress()["learners"]}  # type: ignore[union-attr]
    assert _lesson(rows["Grace Hopper"], "first-steps")["answered"] == 1
    assert _lesson(rows["Alan Turing"], "first-steps")["answered"] == 0
    assert rows["Grace Hopper"]["learner"] != rows["Alan Turing"]["learner"]
    for learner in (grace, alan, third):
        assert learner.outside_loopback() == []


def test_without_the_token_every_request_is_refused(
        classroom: Classroom, new_learner: Callable[[], Learner]) -> None:
    stranger = new_learner()
    response = stranger.page.goto(classroom.url + "/")
    assert response is not None and response.status == 403
    assert "join link" in stranger.page.content()
    for path in ("/", "/?token=wrong-token-0000000000", "/static/js/textual.js"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(classroom.url + path, timeout=30)
        assert refused.value.code == 403

    async def websocket(cookies: dict[str, str]) -> int:
        async with aiohttp.ClientSession(cookies=cookies) as session:
            try:
                async with session.ws_connect(classroom.url + "/ws?width=80&height=24"):
                    return 101
            except aiohttp.WSServerHandshakeError as err:
                return err.status

    def handshake(cookies: dict[str, str]) -> int:
        # Playwright's sync API keeps an event loop running on this thread
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, websocket(cookies)).result(timeout=60)

    assert handshake({}) == 403
    assert handshake({"tutor_join": "not-the-token-000000"}) == 403
    # the token alone opens no session: a learner comes through the page, which names them
    assert handshake({"tutor_join": TOKEN}) == 403
    assert stranger.outside_loopback() == []
