"""App tests run on the tiny models and the fixture lessons, never the real course."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def course_env(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TUTOR_DECODER", "tiny-llama")
    monkeypatch.setenv("TUTOR_ENCODER", "tiny-bert")
    lessons = FIXTURES / "lessons"
    monkeypatch.setenv("TUTOR_LESSONS_DIR", str(lessons))
    return lessons
