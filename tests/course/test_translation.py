"""Translated lessons: paired by ids, prose-only differences, English fallback per step."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from tutor.cli import main
from tutor.course.loader import load_course
from tutor.course.schema import SingleQuiz
from tutor.course.translation import languages, translate_course

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LESSONS = FIXTURES / "lessons"


def test_a_partial_translation_shows_its_steps_and_falls_back_to_english_for_the_rest():
    english = load_course(LESSONS)
    ko = translate_course(english, LESSONS, "ko")
    assert ko.errors == []
    lesson = ko.course.lesson("first-steps")
    assert lesson is not None
    assert lesson.title == "첫걸음"
    quiz = lesson.steps[1]
    assert isinstance(quiz, SingleQuiz)
    assert [c.text for c in quiz.choices] == ["파리", "리옹"]
    # same ids, kinds and answers as the English lesson, step for step
    english_lesson = english.lesson("first-steps")
    assert [(s.id, s.kind) for s in lesson.steps] == [(s.id, s.kind) for s in english_lesson.steps]
    assert not ko.untranslated("first-steps", "q-capital")
    assert ko.untranslated("first-steps", "q-count")
    assert lesson.steps[3] == english_lesson.steps[3]
    # a lesson with no translation at all is shown whole in English, and says so per step
    assert ko.course.lesson("second") == english.lesson("second")
    assert all(ko.untranslated("second", s.id) for s in english.lesson("second").steps)


def _course_with(tmp_path: Path, translated: Path) -> Path:
    lessons = tmp_path / "lessons"
    (lessons / "ko").mkdir(parents=True)
    shutil.copy(LESSONS / "01-first-steps.yaml", lessons)
    shutil.copy(translated, lessons / "ko" / "01-first-steps.yaml")
    return lessons


def test_structural_drift_is_named_at_the_translations_line_and_the_lesson_stays_english(tmp_path):
    lessons = _course_with(tmp_path, FIXTURES / "translations" / "01-drifted.yaml")
    english = load_course(lessons)
    ko = translate_course(english, lessons, "ko")
    found = {(e.line, e.field) for e in ko.errors}
    text = (lessons / "ko" / "01-first-steps.yaml").read_text(encoding="utf-8").splitlines()
    paris = next(i for i, line in enumerate(text, 1) if "text: 파리" in line)
    lyon = next(i for i, line in enumerate(text, 1) if "correct: true" in line and i > paris)
    extra = next(i for i, line in enumerate(text, 1) if "id: extra" in line)
    assert (paris - 1, "steps[1].choices[0]") in found  # `correct` went missing here
    assert (lyon, "steps[1].choices[1].correct") in found
    assert (extra, "steps[3].id") in found
    assert ko.course.lesson("first-steps") == english.lesson("first-steps")
    assert ko.untranslated("first-steps", "intro")


def test_model_inputs_are_not_prose(tmp_path):
    # a translated panel prompt would feed Korean to an English model: that is drift
    source = (LESSONS / "01-first-steps.yaml").read_text(encoding="utf-8")
    lessons = tmp_path / "lessons"
    (lessons / "ko").mkdir(parents=True)
    (lessons / "01-first-steps.yaml").write_text(source, encoding="utf-8")
    changed = source.replace('inputs: {text: "unbelievably"}', 'inputs: {text: "믿을 수 없게"}')
    changed = changed.replace("body: Look at the pieces.", "body: 조각을 보라.")
    (lessons / "ko" / "01-first-steps.yaml").write_text(changed, encoding="utf-8")
    ko = translate_course(load_course(lessons), lessons, "ko")
    assert [e.field for e in ko.errors] == ["steps[4].inputs.text"]


def test_check_lists_translation_drift_and_fails(tmp_path):
    lessons = _course_with(tmp_path, FIXTURES / "translations" / "01-drifted.yaml")
    assert languages(lessons) == ["ko"]
    result = CliRunner().invoke(main, ["check", str(lessons)])
    assert result.exit_code == 1
    assert "ko/01-first-steps.yaml:" in result.output
    assert "steps[3].id: step 'extra' is not in the English lesson" in result.output


def test_check_passes_a_clean_partial_translation():
    result = CliRunner().invoke(main, ["check", str(LESSONS)])
    assert result.exit_code == 0, result.output
    assert "ko: 1 translated lesson file;" in result.output
