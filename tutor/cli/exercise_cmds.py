"""`tutor exercise list|check|path`: the course's coding exercises, for scripts, CI and graders.

`check` exits 0 when every check passes, 1 when one fails, 2 for bad usage (one line on
stderr). The learner's code runs in a child process (see tutor.exercises.runner).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from tutor.cli.output import fail, print_json


def _exercise(exercise_id: str) -> Any:
    from tutor.exercises.catalog import EXERCISES

    exercise = EXERCISES.get(exercise_id)
    if exercise is None:
        fail(f"no exercise '{exercise_id}'; known exercises: {', '.join(EXERCISES)}")
    return exercise


def _lessons_of_exercises() -> dict[str, str]:
    """exercise id -> the id of the lesson whose step uses it, from the course's files."""
    from tutor.course.loader import load_course
    from tutor.paths import lessons_dir

    directory = lessons_dir()
    course = load_course(directory) if directory.is_dir() else load_course([])
    found: dict[str, str] = {}
    for entry in course.entries:
        if entry.lesson is not None:
            for step in entry.lesson.exercises:
                found.setdefault(step.exercise, entry.id)
    return found


def _status(exercise: Any, passed: set[str]) -> str:
    from tutor.exercises.catalog import learner_path, starter_text

    if exercise.id in passed:
        return "passed"
    path = learner_path(exercise)
    try:
        started = path.exists() and path.read_text(encoding="utf-8") != starter_text(exercise)
    except (OSError, UnicodeDecodeError):
        started = True
    return "started" if started else "new"


def _open_store() -> Any:
    from tutor.course.progress import ProgressStore

    store = ProgressStore.open()
    for notice in store.notices:
        click.echo(f"tutor: {notice}", err=True)
    return store


@click.group("exercise")
def exercise_group() -> None:
    """Coding exercises: write the function, the tutor runs it inside the real model."""


@exercise_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cmd(as_json: bool) -> None:
    """Every exercise: id, lesson, title, function, and your status."""
    from tutor.exercises.catalog import EXERCISES

    store = _open_store()
    try:
        passed = store.passed_exercises()
    finally:
        store.close()
    lessons = _lessons_of_exercises()
    rows = [{"id": e.id, "lesson": lessons.get(e.id, e.lesson), "title": e.title,
             "function": e.function, "status": _status(e, passed)} for e in EXERCISES.values()]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        click.echo(f"{row['id']:<13} {row['status']:<8} {row['lesson']:<26} "
                   f"{row['function']:<19} {row['title']}")


@exercise_group.command("path")
@click.argument("exercise_id", metavar="ID")
def path_cmd(exercise_id: str) -> None:
    """Print the path of your copy of exercise ID, creating it from the starter if needed."""
    from tutor.exercises.catalog import ensure_copy

    exercise = _exercise(exercise_id)
    try:
        path = ensure_copy(exercise)
    except OSError as err:
        fail(f"cannot create your copy of '{exercise_id}': {err.strerror or err}")
    click.echo(str(path))


@exercise_group.command("check")
@click.argument("exercise_id", metavar="ID")
@click.option("--file", "file", type=click.Path(path_type=Path),
              help="Check this file instead of your copy.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--time-limit", type=click.FloatRange(min=1, max=3600), default=None,
              help="Seconds your code may run once the models are loaded (default 30).")
def check_cmd(exercise_id: str, file: Path | None, as_json: bool,
              time_limit: float | None) -> None:
    """Run the checks of exercise ID on your copy (or --file PATH), in a child process."""
    from tutor.exercises.catalog import learner_path
    from tutor.exercises.runner import TIME_LIMIT, ExerciseError, run_checks

    exercise = _exercise(exercise_id)
    target = file if file is not None else learner_path(exercise)
    if not target.is_file():
        if file is None:
            fail(f"you have no copy of '{exercise_id}' yet: `tutor exercise path "
                 f"{exercise_id}` creates it")
        fail(f"no such file: {target}")
    try:
        run = run_checks(exercise, target, decoder=os.environ.get("TUTOR_DECODER"),
                         encoder=os.environ.get("TUTOR_ENCODER"),
                         time_limit=time_limit or TIME_LIMIT)
    except ExerciseError as err:
        fail(str(err))
    except KeyboardInterrupt:
        fail("interrupted", status=130)
    if run.passed and file is None:
        store = _open_store()
        try:
            lesson = _lessons_of_exercises().get(exercise.id, exercise.lesson)
            store.record_exercise_passed(exercise.id, lesson)
        finally:
            store.close()
    if as_json:
        print_json(run.to_json())
    else:
        for check in run.checks:
            mark = "✓" if check.passed else "✗"
            lines = check.message.splitlines() or [""]
            click.echo(f"{mark} {check.name}: {lines[0]}")
            for line in lines[1:]:
                click.echo(f"    {line}")
        good = sum(1 for c in run.checks if c.passed)
        click.echo(f"{exercise.id}: {good}/{len(run.checks)} checks passed")
    raise SystemExit(0 if run.passed else 1)


COMMANDS: list[click.Command] = [exercise_group]
