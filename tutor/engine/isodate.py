"""Whether a text is a real calendar date in ISO form: the dates model's success test.

Torch-free, so the prediction-loop panel can check its output without the engine.
"""

from __future__ import annotations

import re
from datetime import date

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_iso_date(text: str) -> bool:
    """True for a real calendar date written YYYY-MM-DD ("2026-02-30" is not one)."""
    if not _ISO.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
