"""Whether a learner's quiz answer is right: choice ids, or a normalised / numeric short answer."""

from __future__ import annotations

import math
import re
import string
import unicodedata

from tutor.course.schema import AnyQuiz, MultipleQuiz, ShortQuiz, SingleQuiz, correct_choice_ids

Answer = str | list[str]
_EDGE = string.punctuation + string.whitespace + "“”‘’«»…"


def normalise(text: str) -> str:
    """Case-folded, surrounding whitespace/punctuation stripped, inner whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold().strip(_EDGE)
    return re.sub(r"\s+", " ", text)


def parse_number(text: str) -> float | None:
    cleaned = text.strip().replace(",", "").replace("_", "").rstrip("%").strip()
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def is_correct(quiz: AnyQuiz, answer: Answer) -> bool:
    if isinstance(quiz, SingleQuiz):
        return isinstance(answer, str) and answer in correct_choice_ids(quiz)
    if isinstance(quiz, MultipleQuiz):
        return isinstance(answer, list) and set(answer) == correct_choice_ids(quiz)
    if isinstance(quiz, ShortQuiz):
        if not isinstance(answer, str):
            return False
        spec = quiz.answer
        if spec.number is not None:
            number = parse_number(answer)
            return number is not None and abs(number - spec.number) <= spec.tolerance + 1e-9
        return normalise(answer) in {normalise(t) for t in spec.text or []}
    return False
