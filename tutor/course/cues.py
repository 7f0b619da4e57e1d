"""Cues that give a choice question away without reading: the right answer is the longest
choice, or the first one as authored, or a choice points at the others ("all of the
above", meaningless once choices are shuffled). `tutor check` reports them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tutor.course.schema import Lesson, MultipleQuiz, SingleQuiz, correct_choice_ids
from tutor.i18n import N_, _

# above a third, length alone is a better guide than chance for most questions
LONGEST_RIGHT_LIMIT = 1 / 3
_POINTING = re.compile(
    r"\b(all|none|both|neither|any)\s+of\s+(the\s+)?(above|these|those|them|the\s+others)\b"
    r"|\b(all|none)\s+(the\s+)?above\b|\bother\s+choices\b", re.I)


def points_at_others(text: str) -> bool:
    """Whether a choice refers to the other choices ("all of the above", "none of these")."""
    return _POINTING.search(text) is not None


@dataclass(frozen=True, slots=True)
class Cues:
    questions: int = 0  # single- and multiple-choice questions
    longest_right: int = 0  # of those, where the one longest choice is a right one
    singles: int = 0  # single-choice questions
    first_right: int = 0  # of those, where the first choice as authored is the right one
    pointing: int = 0  # choices like "all of the above"

    def __add__(self, other: Cues) -> Cues:
        return Cues(*(a + b for a, b in zip(self.astuple(), other.astuple(), strict=True)))

    def astuple(self) -> tuple[int, ...]:
        return (self.questions, self.longest_right, self.singles, self.first_right,
                self.pointing)

    @property
    def longest_share(self) -> float:
        return self.longest_right / self.questions if self.questions else 0.0

    def line(self) -> str:
        def share(part: int, whole: int) -> str:
            return f"{part}/{whole} ({part / whole:.0%})" if whole else "0/0"

        return _("longest is right {longest}, first is right {first}, 'of the above' "
                 "{pointing}").format(longest=share(self.longest_right, self.questions),
                                      first=share(self.first_right, self.singles),
                                      pointing=self.pointing)


HEADER = N_("cue statistics: of the choice questions, how often the one longest choice is right; "
          "of the single-choice ones, how often the first choice as authored is right; and "
          "how many choices say 'all/none of the above'")


def lesson_cues(lesson: Lesson) -> Cues:
    questions = longest = singles = first = pointing = 0
    for quiz in lesson.quizzes:
        if not isinstance(quiz, SingleQuiz | MultipleQuiz):
            continue
        right = correct_choice_ids(quiz)
        lengths = [len(c.text.strip()) for c in quiz.choices]
        top = max(lengths)
        questions += 1
        if lengths.count(top) == 1 and quiz.choices[lengths.index(top)].id in right:
            longest += 1
        if isinstance(quiz, SingleQuiz):
            singles += 1
            first += quiz.choices[0].id in right
        pointing += sum(points_at_others(c.text) for c in quiz.choices)
    return Cues(questions, longest, singles, first, pointing)


def course_cues(lessons: Iterable[Lesson]) -> Cues:
    return sum((lesson_cues(lesson) for lesson in lessons), Cues())
