"""`tutor` (the app), `tutor check`, `tutor progress`, `tutor reset`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from tutor.cli.output import fail, print_json


def fetch_on_first_start() -> None:
    """On a terminal, fetch missing weights with a progress bar before the course opens.

    Without network the learner reads what to run, and the course opens without its live
    panels (each says the same). Off a terminal (scripts, `tutor serve`'s sessions) nothing
    is fetched here."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return
    from rich.console import Console

    from tutor.cli.models_cmd import fetch_models, missing_models
    from tutor.engine.errors import EngineError

    todo = missing_models()
    if not todo:
        return
    console = Console(stderr=True)
    console.print("First start: fetching the model weights (about 0.3 GB, once).")
    try:
        fetch_models(todo, console)
        return
    except EngineError as err:
        console.print(f"tutor: {err}", style="red", highlight=False)
    except KeyboardInterrupt:
        fail("fetch stopped; run `tutor` again to resume it", status=130)
    try:
        console.input("Press Enter to open the course without its live panels, "
                      "or Ctrl+C to stop. ")
    except (KeyboardInterrupt, EOFError):
        fail("stopped", status=130)


def run_tutor() -> None:
    from tutor.app.app import TutorApp

    fetch_on_first_start()

    app = TutorApp()
    app.run()
    if app.crash_report is not None:
        click.echo(f"tutor: something went wrong and the tutor stopped. Your progress is saved; "
                   f"details are in {app.crash_report}", err=True)
        raise SystemExit(1)


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check_cmd(paths: tuple[Path, ...]) -> None:
    """Validate lesson files (default: the course's lessons); list every error."""
    from tutor.course.loader import lesson_files, load_course
    from tutor.paths import lessons_dir

    targets = list(paths) or [lessons_dir()]
    for target in targets:
        if not target.exists():
            fail(f"no such file or directory: {target}")
    files = lesson_files(targets)
    if not files:
        fail(f"no lesson files (*.yaml) in {', '.join(map(str, targets))}")
    course = load_course(targets)
    errors = course.all_errors
    for error in errors:
        click.echo(str(error))
    broken = sum(1 for e in course.entries if e.errors)
    if errors:
        click.echo(f"{len(errors)} error(s) in {broken} of {len(files)} lesson file(s)", err=True)
        raise SystemExit(1)
    click.echo(f"ok: {len(files)} lesson file(s), no errors", err=True)


def _course_and_store() -> tuple[Any, Any]:
    from tutor.course.loader import load_course
    from tutor.course.progress import ProgressStore
    from tutor.paths import lessons_dir

    store = ProgressStore.open()
    for notice in store.notices:
        click.echo(f"tutor: {notice}", err=True)
    directory = lessons_dir()
    course = load_course(directory) if directory.is_dir() else load_course([])
    return course, store


@click.command("progress")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--all", "every_learner", is_flag=True,
              help="Every learner of a `tutor serve` classroom kept under the data dir.")
def progress_cmd(as_json: bool, every_learner: bool) -> None:
    """Show the learner's progress through the course."""
    from tutor.course.summary import course_summary

    if every_learner:
        _classroom_progress(as_json)
        return
    course, store = _course_and_store()
    try:
        summary = course_summary(course, store.all())
    finally:
        store.close()
    if as_json:
        print_json(summary)
        return
    for row in summary["lessons"]:
        score = f"quiz {row['score']}/{row['quizzes']}" if row["quizzes"] else ""
        where = f"step {row['step'] + 1}/{row['steps']}" if row["status"] == "in progress" else ""
        click.echo(f"{row['id']:<28} {row['status']:<12} {where:<12} {score}".rstrip())
    done, total = summary["done"], summary["total"]
    click.echo(f"{done}/{total} lessons done")


def _classroom_progress(as_json: bool) -> None:
    """Each classroom learner's name and course summary, read from their own store."""
    from tutor.course.loader import load_course
    from tutor.course.progress import DB_NAME, ProgressStore
    from tutor.course.summary import course_summary
    from tutor.paths import data_dir, lessons_dir
    from tutor.serve.learners import NAME_SETTING, learner_dir, learner_ids

    directory = lessons_dir()
    course = load_course(directory) if directory.is_dir() else load_course([])
    learners = []
    for learner in learner_ids(data_dir()):
        store = ProgressStore.open(learner_dir(data_dir(), learner) / DB_NAME)
        for notice in store.notices:
            click.echo(f"tutor: learner {learner}: {notice}", err=True)
        try:
            learners.append({"learner": learner, "name": store.setting(NAME_SETTING),
                             **course_summary(course, store.all())})
        finally:
            store.close()
    if as_json:
        print_json({"learners": learners, "count": len(learners)})
        return
    if not learners:
        click.echo(f"no classroom learners under {data_dir()}")
        return
    for row in learners:
        answered = sum(r["answered"] for r in row["lessons"])
        score = sum(r["score"] for r in row["lessons"])
        click.echo(f"{row['name'] or '(no name yet)':<30} {row['done']}/{row['total']} lessons "
                   f"done, {score}/{answered} quizzes right first time")


@click.command("reset")
@click.argument("lesson", required=False)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def reset_cmd(lesson: str | None, yes: bool) -> None:
    """Clear the progress of one LESSON (by id), or of the whole course."""
    course, store = _course_and_store()
    try:
        if lesson is not None and course.entry(lesson) is None and lesson not in store.all():
            fail(f"no lesson '{lesson}' in the course or in the saved progress")
        what = f"progress of lesson '{lesson}'" if lesson else "ALL course progress"
        if not yes and not click.confirm(f"Clear the {what}?", default=False):
            click.echo("nothing changed")
            return
        store.reset(lesson)
        click.echo(f"cleared the {what}")
    finally:
        store.close()


COMMANDS: list[click.Command] = [check_cmd, progress_cmd, reset_cmd]
