"""`tutor` (the app), `tutor check`, `tutor progress`, `tutor reset`."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
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


def run_tutor(lang: str | None = None) -> None:
    from tutor import i18n
    from tutor.course.progress import ProgressStore

    fetch_on_first_start()
    store = ProgressStore.open()
    language = i18n.resolve(lang, os.environ, store.setting("language"))
    # before the app's modules load: their key labels are translated as they are defined
    i18n.use(language)
    from tutor.app.app import TutorApp

    app = TutorApp(store=store, language=language)
    app.run()
    if app.restart_language is not None:
        # the learner switched language: start again in it (the choice is saved; TUTOR_LANG
        # and --lang would otherwise win over it)
        os.environ["TUTOR_LANG"] = app.restart_language
        args = list(_without_lang(sys.argv[1:]))
        os.execv(sys.executable, [sys.executable, "-m", "tutor", *args])
    if app.crash_report is not None:
        saved = ("Your progress is saved" if app.store.saving
                 else "Progress could not be saved in this session")
        click.echo(f"tutor: something went wrong and the tutor stopped. {saved}; "
                   f"details are in {app.crash_report}", err=True)
        raise SystemExit(1)


def _without_lang(args: list[str]) -> Iterator[str]:
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--lang":
            skip = True
        elif not arg.startswith("--lang="):
            yield arg


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check_cmd(paths: tuple[Path, ...]) -> None:
    """Validate lesson files (default: the course's lessons); list every error."""
    from tutor.course.loader import lesson_files, load_course
    from tutor.course.translation import languages, translate_course
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
    broken = {e.path for e in errors}
    translated = 0
    for target in (t for t in targets if t.is_dir()):
        for lang in languages(target):
            translation = translate_course(course, target, lang)
            count = len(lesson_files([target / lang]))
            translated += count
            errors += translation.errors
            broken |= {e.path for e in translation.errors}
            missing = sum(1 for e in course.entries if e.lesson and e.id in translation.fallback)
            click.echo(f"{lang}: {count} translated lesson file(s); {missing} lesson(s) show "
                       "some steps in English", err=True)
    for error in errors:
        click.echo(str(error))
    for warning in (w for e in course.entries for w in e.warnings):
        click.echo(str(warning))
    _print_cues(course)
    if errors:
        click.echo(f"{len(errors)} error(s) in {len(broken)} of {len(files) + translated} lesson "
                   "file(s)", err=True)
        raise SystemExit(1)
    click.echo(f"ok: {len(files)} lesson file(s), no errors", err=True)


def _print_cues(course: Any) -> None:
    """How far length and position give the right choice away, per file and in all."""
    import math

    from tutor.course.cues import HEADER, LONGEST_RIGHT_LIMIT, course_cues, lesson_cues
    from tutor.course.loader import display_path

    valid = [e for e in course.entries if e.ok]
    if not valid:
        return
    click.echo(HEADER)
    for entry in valid:
        click.echo(f"  {display_path(entry.path)}: {lesson_cues(entry.lesson).line()}")
    total = course_cues(e.lesson for e in valid)
    click.echo(f"  all {len(valid)} lesson(s): {total.line()}")
    if total.longest_share > LONGEST_RIGHT_LIMIT + 0.005:
        bound = math.floor(total.questions * LONGEST_RIGHT_LIMIT + 0.5)
        click.echo(f"warning: the right answer is the longest choice in "
                   f"{total.longest_share:.0%} of choice questions ({total.longest_right} of "
                   f"{total.questions}); keep it to about a third (at most {bound}) so length "
                   "gives nothing away")


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
        if row.get("exercises"):
            score = f"{score}  code {len(row['exercises_passed'])}/{len(row['exercises'])}"
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
