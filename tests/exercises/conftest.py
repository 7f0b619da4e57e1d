"""Helpers for the exercise tests: write a learner file, run its checks."""

from __future__ import annotations

from pathlib import Path

from tutor.exercises.catalog import EXERCISES
from tutor.exercises.runner import CheckRun, run_checks

TINY = {"decoder": "tiny-llama", "encoder": "tiny-bert"}


def check_source(tmp_path: Path, exercise_id: str, source: str, *, tiny: bool,
                 time_limit: float = 120.0) -> CheckRun:
    # a generous limit: the machine running the suite may be busy (the loop test sets its own)
    path = tmp_path / f"{exercise_id}.py"
    path.write_text(source, encoding="utf-8")
    models = TINY if tiny else {"decoder": None, "encoder": None}
    return run_checks(EXERCISES[exercise_id], path, time_limit=time_limit, **models)


def by_name(run: CheckRun) -> dict[str, tuple[bool, str]]:
    return {c.name: (c.passed, c.message) for c in run.checks}
