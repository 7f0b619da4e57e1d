"""The course in Korean: translated lessons, English fallback with a note, the glossary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Markdown, OptionList, Static
from textual.widgets._footer import FooterKey

from tutor import i18n
from tutor.app.app import TutorApp
from tutor.app.screens.glossary import GlossaryScreen
from tutor.app.screens.help import HelpScreen
from tutor.app.screens.map import MapScreen
from tutor.app.widgets import steps
from tutor.course.progress import ProgressStore


@pytest.fixture
def korean(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(steps, "panel_class", lambda panel_id: None)
    yield
    i18n.use("en")


def _step_text(app: TutorApp) -> str:
    return " ".join(str(w.render()) for w in app.screen.query("#step-body Static")) + " ".join(
        m.source for m in app.screen.query("#step-body Markdown"))


async def test_a_korean_learner_reads_korean_steps_and_is_told_when_one_is_english(
        course_env: Path, tmp_path: Path, korean: None):
    store = ProgressStore.open(tmp_path / "progress.sqlite3")
    app = TutorApp(load_model=False, store=store, language="ko")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert str(app.screen.query_one("#lesson-title", Static).render()) == "첫걸음"
        assert "토큰 ID" in _step_text(app)
        assert not app.screen.query(".untranslated-note")
        for _ in range(3):
            await pilot.press("n")
            await pilot.pause()
        # step 4 (a short answer) has no Korean yet: English, with the note
        assert "How many legs" in _step_text(app)
        assert app.screen.query(".untranslated-note")
    # progress is keyed by ids, so it is the same lesson in either language
    assert ProgressStore.open(tmp_path / "progress.sqlite3").lesson("first-steps").step_id == "q-count"


async def test_the_glossary_opens_with_g_and_finds_a_term_in_either_language(
        course_env: Path, tmp_path: Path, korean: None):
    i18n.use("ko")
    app = TutorApp(load_model=False, store=ProgressStore.open(tmp_path / "p.sqlite3"),
                   language="ko")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GlossaryScreen)
        await pilot.press(*"autoregressive")
        await pilot.pause()
        terms = app.screen.query_one("#glossary-terms", OptionList)
        assert terms.option_count == 1
        entry = app.screen.query_one("#glossary-entry", Markdown).source
        assert "**자기회귀** (autoregressive)" in entry
        app.screen.query_one("#glossary-search", Input).value = "온도"
        await pilot.pause()
        assert "temperature" in app.screen.query_one("#glossary-entry", Markdown).source
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, GlossaryScreen)


def test_the_language_comes_from_the_flag_then_env_then_saved_choice_then_locale():
    assert i18n.resolve("ko", {"TUTOR_LANG": "en"}, None) == "ko"
    assert i18n.resolve(None, {"TUTOR_LANG": "ko"}, "en") == "ko"
    assert i18n.resolve(None, {"LANG": "en_US.UTF-8"}, "ko") == "ko"
    assert i18n.resolve(None, {"LANG": "ko_KR.UTF-8"}, None) == "ko"
    assert i18n.resolve(None, {"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}, None) == "en"
    assert i18n.resolve(None, {"TUTOR_LANG": "xx"}, None) == "en"


async def test_the_map_key_switches_language_and_saves_the_choice(course_env: Path,
                                                                  tmp_path: Path, korean: None):
    store = ProgressStore.open(tmp_path / "progress.sqlite3")
    app = TutorApp(load_model=False, store=store, language="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("L")
        await pilot.pause()
    assert app.restart_language == "ko"
    saved = ProgressStore.open(tmp_path / "progress.sqlite3").setting("language")
    assert saved == "ko"
    assert i18n.resolve(None, {"LANG": "en_US.UTF-8"}, saved) == "ko"


async def test_a_lessons_glossary_link_opens_the_glossary_at_its_term(course_env: Path,
                                                                      tmp_path: Path, korean: None):
    app = TutorApp(load_model=False, store=ProgressStore.open(tmp_path / "p.sqlite3"))
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_url("glossary:kv-cache")  # what Markdown does when the learner clicks the link
        await pilot.pause()
        assert isinstance(app.screen, GlossaryScreen)
        terms = app.screen.query_one("#glossary-terms", OptionList)
        assert terms.highlighted is not None
        assert terms.get_option_at_index(terms.highlighted).id == "kv-cache"
        assert "**KV cache**" in app.screen.query_one("#glossary-entry", Markdown).source


def _footer(app: TutorApp) -> dict[str, str]:
    """The footer as the learner reads it: description -> key."""
    return {str(k.description): str(k.key_display) for k in app.screen.query(FooterKey)}


def _map_row(app: TutorApp, row: int) -> list[str]:
    return [str(cell) for cell in app.screen.query_one("#lessons", DataTable).get_row_at(row)]


async def _help_rows(pilot: Pilot[None], app: TutorApp) -> set[tuple[str, str, str]]:
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    rows = {(r.where, r.keys, r.description) for r in app.screen.rows}
    await pilot.press("escape")
    await pilot.pause()
    return rows


async def test_the_footer_help_and_map_follow_the_language_and_progress_carries_over(
        course_env: Path, tmp_path: Path, korean: None):
    path = tmp_path / "progress.sqlite3"
    # `tutor --lang ko`: the flag wins over everything else
    app = TutorApp(load_model=False, store=ProgressStore.open(path),
                   language=i18n.resolve("ko", {"LANG": "en_US.UTF-8"}, None))
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, MapScreen)
        footer = _footer(app)
        assert footer["열기"] == "⏎" and footer["종료"] == "q" and footer["도움말"] == "?"
        assert not {"Open", "Quit", "Help"} & footer.keys()
        assert _map_row(app, 0)[1:3] == ["첫걸음", "· 시작 전"]
        heading = str(app.screen.query_one("#course-heading", Static).render())
        assert heading == "llm-tutor: 강의 2개 중 0개 완료"
        rows = await _help_rows(pilot, app)
        assert ("이 화면", "⏎", "열기") in rows and ("어디서나", "g", "용어집") in rows
        await pilot.press("enter", "n")  # into the lesson, on to its second step
        await pilot.pause()
        assert _footer(app)["다음"] == "n" and _footer(app)["이전"] == "p"
        await pilot.press("escape", "escape")  # out of the choices, then to the map
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        assert _map_row(app, 0)[2].startswith("▶ 단계 2/")
        await pilot.press("L")  # back to English: saved, and the CLI restarts the tutor
        await pilot.pause()
    assert app.restart_language == "en"

    store = ProgressStore.open(path)
    assert store.lesson("first-steps").step_id == "q-capital"  # keyed by ids, not text
    app = TutorApp(load_model=False, store=store,
                   language=i18n.resolve(None, {"LANG": "ko_KR.UTF-8"},
                                         store.setting("language")))
    async with app.run_test(size=(100, 30)) as pilot:
        footer = _footer(app)
        assert footer["Open"] == "⏎" and footer["Quit"] == "q" and footer["Help"] == "?"
        assert not {"열기", "종료", "도움말"} & footer.keys()
        title, status = _map_row(app, 0)[1:3]
        assert title == "First steps" and status.startswith("▶ 2/") and status.endswith("steps")
        rows = await _help_rows(pilot, app)
        assert ("This screen", "⏎", "Open") in rows and ("Everywhere", "g", "Glossary") in rows
        await pilot.press("enter")  # the lesson resumes where the Korean session left it
        await pilot.pause()
        counter = str(app.screen.query_one("#step-counter", Static).render())
        assert counter.startswith("Step 2/")


HANGUL = re.compile("[가-힣]")


async def test_every_word_of_the_help_is_korean_on_a_korean_quiz(
        course_env: Path, tmp_path: Path, korean: None):
    """Textual's own keys too (focus, copy, scrolling, the button's press): their words are
    in the catalog, so nothing in the help stays English."""
    app = TutorApp(load_model=False, store=ProgressStore.open(tmp_path / "p.sqlite3"),
                   language="ko")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter", "n", "enter")  # a quiz step, a choice picked
        await pilot.click("#check")  # the focus is on the Check button now
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        english = [(r.where, r.description) for r in app.screen.rows
                   if not (HANGUL.search(r.where) and HANGUL.search(r.description))]
        assert english == []
        assert ("버튼", "⏎", "버튼 누르기") in {(r.where, r.keys, r.description)
                                            for r in app.screen.rows}
