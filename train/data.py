"""Human-written dates and their ISO form, generated from Python's calendar.

Every date from 1900-01-01 to 2099-12-31 can be written in each of the formats below.
A fixed ~5% of the dates (chosen by hashing the ISO string, so the split never changes
between runs or machines) is held out: training never sees them in any format.
"""

from __future__ import annotations

import calendar
import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

FIRST = date(1900, 1, 1)
LAST = date(2099, 12, 31)
SPAN_DAYS = (LAST - FIRST).days + 1

# calendar's names follow LC_TIME, which Python leaves at "C" (English) unless a program
# calls setlocale; the tuples are taken once so a later setlocale cannot change the data.
MONTHS = tuple(calendar.month_name)[1:]
MONTHS_ABBR = tuple(calendar.month_abbr)[1:]
WEEKDAYS = tuple(calendar.day_name)

Formatter = Callable[[date, random.Random], str]


def _day(d: date, rng: random.Random) -> str:
    # People write both "3" and "03".
    return f"{d.day:02d}" if rng.random() < 0.3 else str(d.day)


def _month_num(d: date, rng: random.Random) -> str:
    return f"{d.month:02d}" if rng.random() < 0.5 else str(d.month)


# name -> (formatter, "short" or "long"): long formats spell the month (and maybe the
# weekday) out in full, short ones use abbreviations or numbers. The GRU baseline reports
# its accuracy on each group separately.
FORMATS: dict[str, tuple[Formatter, str]] = {
    "d_month_y": (lambda d, r: f"{_day(d, r)} {MONTHS[d.month - 1]} {d.year}", "long"),
    "d_mon_y": (lambda d, r: f"{_day(d, r)} {MONTHS_ABBR[d.month - 1]} {d.year}", "short"),
    "month_d_y": (lambda d, r: f"{MONTHS[d.month - 1]} {_day(d, r)}, {d.year}", "long"),
    "mon_d_y": (lambda d, r: f"{MONTHS_ABBR[d.month - 1]} {_day(d, r)}, {d.year}", "short"),
    "weekday_month_d_y": (
        lambda d, r: f"{WEEKDAYS[d.weekday()]}, {MONTHS[d.month - 1]} {_day(d, r)}, {d.year}",
        "long",
    ),
    "weekday_d_month_y": (
        lambda d, r: f"{WEEKDAYS[d.weekday()]} {_day(d, r)} {MONTHS[d.month - 1]} {d.year}",
        "long",
    ),
    "d/m/y": (lambda d, r: f"{_day(d, r)}/{_month_num(d, r)}/{d.year}", "short"),
    "y_mon_d": (lambda d, r: f"{d.year} {MONTHS_ABBR[d.month - 1]} {_day(d, r)}", "short"),
}

CASES: tuple[Callable[[str], str], ...] = (
    lambda s: s,  # as written above: "Monday, November 23, 2026"
    str.lower,
    str.upper,
    str.title,
)


@dataclass(frozen=True, slots=True)
class Example:
    source: str
    target: str
    date: date
    format: str

    @property
    def group(self) -> str:
        return FORMATS[self.format][1]


def iso(d: date) -> str:
    return d.isoformat()


def is_held_out(d: date) -> bool:
    """About 5% of all dates, fixed by a hash of the ISO string."""
    return hashlib.md5(iso(d).encode()).digest()[0] < 13


def random_date(rng: random.Random) -> date:
    return FIRST + timedelta(days=rng.randrange(SPAN_DAYS))


def write(d: date, fmt: str, rng: random.Random) -> str:
    text = FORMATS[fmt][0](d, rng)
    return rng.choice(CASES)(text)


def example(rng: random.Random, split: str = "any", fmt: str | None = None) -> Example:
    """One random example; split "train" or "held_out" restricts the date, "any" does not."""
    while True:
        d = random_date(rng)
        if split == "any" or (split == "held_out") == is_held_out(d):
            break
    name = fmt or rng.choice(list(FORMATS))
    return Example(source=write(d, name, rng), target=iso(d), date=d, format=name)


def examples(n: int, seed: int, split: str = "any") -> list[Example]:
    rng = random.Random(seed)
    return [example(rng, split) for _ in range(n)]


def all_formats(n_per_format: int, seed: int, split: str = "any") -> Iterator[Example]:
    """n random dates written in every format, for per-format accuracy."""
    rng = random.Random(seed)
    for name in FORMATS:
        for _ in range(n_per_format):
            yield example(rng, split, name)
