"""Lesson text as the screen shows it: authored line breaks inside a sentence dropped, and a
number's digit groups kept on one line."""

from __future__ import annotations

import re

# "30 522": a space between digit groups, where the terminal would break the number in two
_DIGIT_GROUP = re.compile(r"(?<![\d.,])(\d{1,3})((?: \d{3})+)(?![\d.,]*\d)")
_CODE = re.compile(r"(```.*?```|`[^`]*`)", re.S)


def whole_numbers(markdown: str) -> str:
    """Digit groups joined by commas ("30 522" → "30,522"), code spans left alone.

    Every space character, the no-break ones included, is a place where Textual may wrap a
    line, so the grouping has to use a character that is not a space."""
    parts = _CODE.split(markdown)
    for i in range(0, len(parts), 2):
        parts[i] = _DIGIT_GROUP.sub(lambda m: m.group(1) + m.group(2).replace(" ", ","),
                                    parts[i])
    return "".join(parts)


def sentence(text: str) -> str:
    """A short message written over several lines in YAML, as one paragraph per blank-line
    separated block: the authoring line breaks are not meant to show."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)
