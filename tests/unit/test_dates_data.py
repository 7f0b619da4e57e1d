"""The dates data generator: every format parses back to its target, the held-out split holds."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from train import data

# How each format would be read back with strptime (day-first for the numeric one).
PARSE = {
    "d_month_y": "%d %B %Y",
    "d_mon_y": "%d %b %Y",
    "month_d_y": "%B %d, %Y",
    "mon_d_y": "%b %d, %Y",
    "weekday_month_d_y": "%A, %B %d, %Y",
    "weekday_d_month_y": "%A %d %B %Y",
    "d/m/y": "%d/%m/%Y",
    "y_mon_d": "%Y %b %d",
}


def test_every_format_is_covered_by_the_parse_table() -> None:
    assert set(PARSE) == set(data.FORMATS)


@pytest.mark.parametrize("fmt", sorted(data.FORMATS))
def test_sources_parse_back_to_their_iso_target(fmt: str) -> None:
    rng = random.Random(fmt)
    for _ in range(300):
        ex = data.example(rng, fmt=fmt)
        # strptime is case-insensitive for names, so every case variant must parse.
        parsed = datetime.strptime(ex.source, PARSE[fmt]).date()
        assert parsed.isoformat() == ex.target == ex.date.isoformat()


def test_issue_examples_are_formats_we_generate() -> None:
    d = date(2026, 11, 23)
    written = {name: fmt(d, random.Random(0)).lower() for name, (fmt, _) in data.FORMATS.items()}
    for text in ["23 November 2026", "23 Nov 2026", "November 23, 2026", "Nov 23, 2026",
                 "Monday, November 23, 2026", "monday 23 november 2026", "23/11/2026",
                 "2026 Nov 23"]:
        assert text.lower() in written.values()


def test_dates_are_spread_over_the_whole_range() -> None:
    days = [data.random_date(random.Random(s)) for s in range(2000)]
    assert min(days) >= data.FIRST and max(days) <= data.LAST
    assert min(days).year < 1910 and max(days).year > 2090


def test_case_variants_all_appear() -> None:
    sources = [e.source for e in data.examples(400, seed=3)]
    assert any(s.isupper() for s in sources if any(c.isalpha() for c in s))
    assert any(s.islower() for s in sources if any(c.isalpha() for c in s))
    assert any(s[:1].isupper() and not s.isupper() for s in sources)


def test_held_out_split_is_about_five_percent_and_disjoint() -> None:
    train = data.examples(3000, seed=1, split="train")
    held = data.examples(3000, seed=1, split="held_out")
    assert not any(data.is_held_out(e.date) for e in train)
    assert all(data.is_held_out(e.date) for e in held)
    rng = random.Random(7)
    share = sum(data.is_held_out(data.random_date(rng)) for _ in range(20000)) / 20000
    assert 0.03 < share < 0.07


def test_generation_is_reproducible() -> None:
    assert data.examples(50, seed=9) == data.examples(50, seed=9)
    assert data.examples(50, seed=9) != data.examples(50, seed=10)
