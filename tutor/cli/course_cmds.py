"""`tutor` (the app), `tutor check`, `tutor progress`, `tutor reset`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tutor.cli.output import fail, print_json


def run_tutor() -> None:
    from tutor.app.app import TutorApp

    app = TutorApp()
    app.run()
    if app.crash_report is not None:
        saved = ("Your progress is saved" if app.store.saving
                 else "Progress could not be saved in this session")
        click.echo(f"tutor: something went wrong and the tutor stopped. {saved}; "
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
    if not course.entries:
        # the app's map says the same; 0/0 lessons done would hide a misspelt directory
        store.close()
        fail(f"no lessons found in {directory}. The course ships in the repository's lessons/ "
             "folder: run the tutor from a clone, or set TUTOR_LESSONS_DIR to a folder of "
             "lesson files.")
    return course, store


@click.command("progress")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def progress_cmd(as_json: bool) -> None:
    """Show the learner's progress through the course."""
    from tutor.course.summary import course_summary

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


def _confirm(question: str) -> bool:
    try:
        return click.confirm(question, default=False)
    except click.Abort:
        # the input ended (`tutor reset </dev/null`): no answer is not a yes
        click.echo(err=True)
        fail("no answer to the question (the input ended), so nothing changed; add --yes to "
             "clear without asking")


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
        if not store.saving:
            # clearing a copy in memory would print "cleared" and change nothing on disk
            fail(f"cannot clear the {what}: the progress store cannot be written (see above)")
        if not yes and not _confirm(f"Clear the {what}?"):
            click.echo("nothing changed")
            return
        store.reset(lesson)
        click.echo(f"cleared the {what}")
    finally:
        store.close()


COMMANDS: list[click.Command] = [check_cmd, progress_cmd, reset_cmd]
