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


_WORDS: dict[str, float] = {w: i for i, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty"])}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
               "eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100,
               "one hundred": 100, "a thousand": 1000, "one thousand": 1000,
               "thousand": 1000, "half": 0.5, "a half": 0.5, "one half": 0.5,
               "a quarter": 0.25, "one quarter": 0.25})
_HEDGES = ("about ", "around ", "roughly ", "approximately ", "approx. ", "approx ", "ca. ",
           "~", "≈", "=")
_NUMBER = re.compile(r"""
    (?P<sign>[+-]?)
    (?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?   # 1,000 or 12,345.6: thousands commas
             |\d+(?:[ _]\d{3})+(?:\.\d+)?      # 1 000 or 1_000
             |\d+,\d+                          # 0,37: a decimal comma
             |\d+(?:\.\d*)?|\.\d+)
    (?P<exp>e[+-]?\d+)?
    \s*(?P<unit>[^\d\s][^\d]{0,15})?         # a unit or word after it: x, ×, %, KB, tokens
    """, re.X)


def parse_number(text: str) -> float | None:
    """A number as a person writes it: "4", "4x", "4×", "four", "1,000", "0,37", "45 KB",
    "about 12", "37%" (→ 37). None when the text is not one number."""
    cleaned = unicodedata.normalize("NFKC", text).strip().casefold().rstrip(".!")
    for hedge in _HEDGES:
        if cleaned.startswith(hedge):
            cleaned = cleaned[len(hedge):].strip()
    cleaned = cleaned.replace("\u2212", "-")  # a typographic minus
    words = re.sub(r"\s+", " ", cleaned)
    for suffix in (" times", "x", "×", " times faster"):
        base = words.removesuffix(suffix).strip()
        if base in _WORDS:
            return float(_WORDS[base])
    if words in _WORDS:
        return float(_WORDS[words])
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        return None
    unit = (match["unit"] or "").strip()
    if unit and not re.fullmatch(r"[a-zµ°%×/'’\s.-]+", unit):
        return None  # "4 or 5", "8 (maybe)": not one number
    digits = match["digits"]
    if re.fullmatch(r"\d+,\d+", digits) and not re.fullmatch(r"\d{1,3},\d{3}", digits):
        digits = digits.replace(",", ".")
    elif re.fullmatch(r"\d{1,3},\d{3}", digits):
        digits = digits.replace(",", "")  # 1,000 is a thousand, not one point zero
    digits = digits.replace(",", "").replace("_", "").replace(" ", "")
    try:
        value = float(match["sign"] + digits + (match["exp"] or ""))
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
