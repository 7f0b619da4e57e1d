"""Every reference solution passes on the real models, and every listed mistake fails the
check named for it, with a message that names the mistake. One check run per file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.exercises.conftest import by_name, check_source
from tests.exercises.mistakes import MISTAKES, Mistake
from tutor.exercises.catalog import EXERCISES, reference_text

pytestmark = pytest.mark.real


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_reference_passes_on_the_real_models(tmp_path: Path, exercise_id: str) -> None:
    run = check_source(tmp_path, exercise_id, reference_text(EXERCISES[exercise_id]), tiny=False)
    assert run.passed, [c for c in run.checks if not c.passed]
    assert len(run.checks) >= 2


@pytest.mark.parametrize("mistake", MISTAKES, ids=[f"{m.exercise}:{m.name}" for m in MISTAKES])
def test_each_mistake_fails_with_its_message(tmp_path: Path, mistake: Mistake) -> None:
    run = check_source(tmp_path, mistake.exercise, mistake.source, tiny=False)
    checks = by_name(run)
    assert not run.passed
    passed, message = checks[mistake.check]
    assert not passed, f"{mistake.check} passed a solution with the mistake {mistake.name}"
    assert mistake.says in message, message
