"""The course as the learner stands in it: per-lesson status, position and quiz score."""

from __future__ import annotations

from typing import Any

from tutor.course.loader import Course
from tutor.course.progress import LessonProgress
from tutor.course.schema import Lesson
from tutor.i18n import N_

# A lesson's status in words, for tables (JSON keeps the English value as it is)
STATUS_WORDS = {"new": N_("new"), "in progress": N_("in progress"), "done": N_("done"),
                "broken": N_("broken")}


def unanswered_quizzes(lesson: Lesson, progress: LessonProgress) -> list[int]:
    """Indices of the lesson's quiz steps with no saved answer: a lesson is done only when
    none is left (paging past a quiz does not answer it)."""
    quizzes = {q.id for q in lesson.quizzes}
    return [i for i, step in enumerate(lesson.steps)
            if step.id in quizzes and step.id not in progress.answers]


def lesson_row(course_entry: Any, progress: LessonProgress,
               passed: set[str] | None = None) -> dict[str, Any]:
    lesson = course_entry.lesson
    quizzes = {q.id for q in lesson.quizzes} if lesson is not None else set()
    score = sum(1 for sid, a in progress.answers.items() if sid in quizzes and a.first_correct)
    answered = sum(1 for sid in progress.answers if sid in quizzes)
    exercises = [s.exercise for s in lesson.exercises] if lesson is not None else []
    return {
        "id": course_entry.id,
        "title": course_entry.title,
        "status": "broken" if not course_entry.ok else progress.status,
        "step": progress.step_index,
        "furthest": progress.furthest_index,
        "step_id": progress.step_id,
        "steps": len(lesson.steps) if lesson is not None else 0,
        "quizzes": len(quizzes),
        "answered": answered,
        "score": score,
        "exercises": exercises,
        # by exercise id, wherever it was passed: an exercise may move between lessons
        "exercises_passed": [e for e in exercises
                             if e in (progress.exercises_passed if passed is None else passed)],
        "errors": [str(e) for e in course_entry.errors],
    }


def course_summary(course: Course, progress: dict[str, LessonProgress]) -> dict[str, Any]:
    passed = set().union(*(p.exercises_passed for p in progress.values()))
    rows = [lesson_row(e, progress.get(e.id) or LessonProgress(e.id), passed)
            for e in course.entries]
    known = {e.id for e in course.entries}
    # progress of lessons no longer in the course is kept (ids are stable), and shown
    orphans = [p.to_json() for lid, p in sorted(progress.items()) if lid not in known]
    return {
        "lessons": rows,
        "done": sum(1 for r in rows if r["status"] == "done"),
        "total": len(rows),
        "other": orphans,
        "exercises_passed": sorted(passed),
    }
