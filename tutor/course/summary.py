"""The course as the learner stands in it: per-lesson status, position and quiz score."""

from __future__ import annotations

from typing import Any

from tutor.course.loader import Course
from tutor.course.progress import LessonProgress


def lesson_row(course_entry: Any, progress: LessonProgress) -> dict[str, Any]:
    lesson = course_entry.lesson
    quizzes = {q.id for q in lesson.quizzes} if lesson is not None else set()
    score = sum(1 for sid, a in progress.answers.items() if sid in quizzes and a.first_correct)
    answered = sum(1 for sid in progress.answers if sid in quizzes)
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
        "errors": [str(e) for e in course_entry.errors],
    }


def course_summary(course: Course, progress: dict[str, LessonProgress]) -> dict[str, Any]:
    rows = [lesson_row(e, progress.get(e.id) or LessonProgress(e.id)) for e in course.entries]
    known = {e.id for e in course.entries}
    # progress of lessons no longer in the course is kept (ids are stable), and shown
    orphans = [p.to_json() for lid, p in sorted(progress.items()) if lid not in known]
    return {
        "lessons": rows,
        "done": sum(1 for r in rows if r["status"] == "done"),
        "total": len(rows),
        "other": orphans,
    }
