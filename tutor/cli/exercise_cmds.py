"""`tutor exercise list|check|path`: the course's coding exercises, for scripts, CI and graders.

`check` exits 0 when every check passes, 1 when one fails, 2 for bad usage (one line on
stderr). The learner's code runs in a child process (see tutor.exercises.runner).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tutor.cli.output import fail, json_option, pad, print_json, settings
from tutor.i18n import N_, _

# an exercise's status in words, for the list (JSON keeps the English value)
STATUS_WORDS = {"passed": N_("passed"), "started": N_("started"), "new": N_("new")}


def _exercise(exercise_id: str) -> Any:
    from tutor.exercises.catalog import EXERCISES

    exercise = EXERCISES.get(exercise_id)
    if exercise is None:
        fail(_("no exercise '{exercise}'; known exercises: {known}").format(
            exercise=exercise_id, known=", ".join(EXERCISES)))
    return exercise


def _lessons_of_exercises() -> dict[str, str]:
    """exercise id -> the id of the lesson whose step uses it, from the course's files."""
    from tutor.course.loader import load_course

    directory = settings().lessons_dir
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
    path = learner_path(exercise, settings().data_dir)
    try:
        started = path.exists() and path.read_text(encoding="utf-8") != starter_text(exercise)
    except (OSError, UnicodeDecodeError):
        started = True
    return "started" if started else "new"


def _open_store() -> Any:
    from tutor.course.progress import ProgressStore

    store = ProgressStore.open(settings().progress_path)
    for notice in store.notices:
        click.echo(f"tutor: {notice}", err=True)
    return store


@click.group("exercise")
def exercise_group() -> None:
    """Coding exercises: write the function, the tutor runs it inside the real model."""


@exercise_group.command("list")
@json_option()
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
        status = _(STATUS_WORDS.get(row["status"], row["status"]))
        click.echo(f"{pad(row['id'], 13)} {pad(status, 8)} {pad(row['lesson'], 26)} "
                   f"{pad(row['function'], 19)} {_(row['title'])}")


@exercise_group.command("path")
@click.argument("exercise_id", metavar="ID")
def path_cmd(exercise_id: str) -> None:
    """Print the path of your copy of exercise ID, creating it from the starter if needed."""
    from tutor.exercises.catalog import ensure_copy

    exercise = _exercise(exercise_id)
    try:
        path = ensure_copy(exercise, settings().data_dir)
    except OSError as err:
        fail(_("cannot create your copy of '{exercise}': {reason}").format(
            exercise=exercise_id, reason=err.strerror or err))
    click.echo(str(path))


@exercise_group.command("check")
@click.argument("exercise_id", metavar="ID")
@click.option("--file", "file", type=click.Path(path_type=Path),
              help="Check this file instead of your copy.")
@json_option()
@click.option("--time-limit", type=click.FloatRange(min=1, max=3600), default=None,
              help="Seconds your code may run once the models are loaded (default 30).")
def check_cmd(exercise_id: str, file: Path | None, as_json: bool,
              time_limit: float | None) -> None:
    """Run the checks of exercise ID on your copy (or --file PATH), in a child process."""
    from tutor.exercises.catalog import learner_path
    from tutor.exercises.runner import TIME_LIMIT, ExerciseError, run_checks

    exercise = _exercise(exercise_id)
    target = file if file is not None else learner_path(exercise, settings().data_dir)
    if not target.is_file():
        if file is None:
            fail(_("you have no copy of '{exercise}' yet: `tutor exercise path {exercise}` "
                   "creates it").format(exercise=exercise_id))
        fail(_("no such file: {path}").format(path=target))
    try:
        run = run_checks(exercise, target, decoder=settings().decoder,
                         encoder=settings().encoder, cache=settings().cache_dir,
                         time_limit=time_limit or TIME_LIMIT)
    except ExerciseError as err:
        fail(str(err))
    except KeyboardInterrupt:
        fail(_("interrupted"), status=130)
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
            click.echo(f"{mark} {_(check.name)}: {lines[0]}")
            for line in lines[1:]:
                click.echo(f"    {line}")
        good = sum(1 for c in run.checks if c.passed)
        click.echo(_("{exercise}: {passed}/{checks} checks passed").format(
            exercise=exercise.id, passed=good, checks=len(run.checks)))
    raise SystemExit(0 if run.passed else 1)


COMMANDS: list[click.Command] = [exercise_group]
