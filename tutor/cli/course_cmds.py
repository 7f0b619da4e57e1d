"""`tutor` (the app), `tutor check`, `tutor progress`, `tutor reset`."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from tutor import i18n
from tutor.cli.output import fail, json_option, pad, print_json, settings
from tutor.i18n import _, ngettext
from tutor.settings import Settings


def fetch_on_first_start(current: Settings) -> None:
    """On a terminal, fetch missing weights with a progress bar before the course opens.

    Without network the learner reads what to run, and the course opens without its live
    panels (each says the same). Off a terminal (scripts, `tutor serve`'s sessions) nothing
    is fetched here."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return
    from rich.console import Console

    from tutor.cli.models_cmd import fetch_models, missing_models
    from tutor.engine.errors import EngineError

    todo = missing_models(current.cache_dir)
    if not todo:
        return
    console = Console(stderr=True)
    console.print(_("First start: fetching the model weights (about 0.3 GB, once)."))
    try:
        fetch_models(todo, console, current.cache_dir)
        return
    except EngineError as err:
        console.print(f"tutor: {err}", style="red", highlight=False)
    except KeyboardInterrupt:
        fail(_("fetch stopped; run `tutor` again to resume it"), status=130)
    try:
        console.input(_("Press Enter to open the course without its live panels, "
                        "or Ctrl+C to stop. "))
    except (KeyboardInterrupt, EOFError):
        fail(_("stopped"), status=130)


def run_tutor(current: Settings) -> None:
    from tutor.course.progress import ProgressStore

    fetch_on_first_start(current)
    store = ProgressStore.open(current.progress_path)
    # `main` chose the language (tutor.i18n.resolve) before the app's modules load: their
    # key labels are translated as they are defined
    language = i18n.current()
    from tutor.app.app import TutorApp

    app = TutorApp(settings=current, store=store, language=language)
    app.run()
    if app.restart_language is not None:
        # the learner switched language: start again in it (the choice is saved; TUTOR_LANG
        # and --lang would otherwise win over it)
        os.environ["TUTOR_LANG"] = app.restart_language
        args = list(_without_lang(sys.argv[1:]))
        os.execv(sys.executable, [sys.executable, "-m", "tutor", *args])
    if app.crash_report is not None:
        message = (_("tutor: something went wrong and the tutor stopped. Your progress is "
                     "saved; details are in {report}") if app.store.saving
                   else _("tutor: something went wrong and the tutor stopped. Progress could "
                          "not be saved in this session; details are in {report}"))
        click.echo(message.format(report=app.crash_report), err=True)
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

    targets = list(paths) or [settings().lessons_dir]
    for target in targets:
        if not target.exists():
            fail(_("no such file or directory: {path}").format(path=target))
    files = lesson_files(targets)
    if not files:
        fail(_("no lesson files (*.yaml) in {paths}").format(
            paths=", ".join(map(str, targets))))
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
            files_line = ngettext("{lang}: {count} translated lesson file",
                                  "{lang}: {count} translated lesson files", count)
            english_line = ngettext("{count} lesson shows some steps in English",
                                    "{count} lessons show some steps in English", missing)
            click.echo(f"{files_line.format(lang=lang, count=count)}; "
                       f"{english_line.format(count=missing)}", err=True)
    for error in errors:
        click.echo(str(error))
    for warning in (w for e in course.entries for w in e.warnings):
        click.echo(str(warning))
    _print_cues(course)
    if errors:
        click.echo(ngettext("{errors} error in {broken} of {files} lesson files",
                            "{errors} errors in {broken} of {files} lesson files",
                            len(errors)).format(errors=len(errors), broken=len(broken),
                                                files=len(files) + translated), err=True)
        raise SystemExit(1)
    click.echo(ngettext("ok: {count} lesson file, no errors", "ok: {count} lesson files, no errors",
                        len(files)).format(count=len(files)), err=True)


def _print_cues(course: Any) -> None:
    """How far length and position give the right choice away, per file and in all."""
    import math

    from tutor.course.cues import HEADER, LONGEST_RIGHT_LIMIT, course_cues, lesson_cues
    from tutor.course.loader import display_path

    valid = [e for e in course.entries if e.ok]
    if not valid:
        return
    click.echo(_(HEADER))
    for entry in valid:
        click.echo(f"  {display_path(entry.path)}: {lesson_cues(entry.lesson).line()}")
    total = course_cues(e.lesson for e in valid)
    every = ngettext("all {count} lesson", "all {count} lessons", len(valid))
    click.echo(f"  {every.format(count=len(valid))}: {total.line()}")
    if total.longest_share > LONGEST_RIGHT_LIMIT + 0.005:
        bound = math.floor(total.questions * LONGEST_RIGHT_LIMIT + 0.5)
        click.echo(_("warning: the right answer is the longest choice in {share} of choice "
                     "questions ({right} of {questions}); keep it to about a third (at most "
                     "{bound}) so length gives nothing away").format(
            share=f"{total.longest_share:.0%}", right=total.longest_right,
            questions=total.questions, bound=bound))


def _course_and_store() -> tuple[Any, Any]:
    from tutor.course.loader import load_course
    from tutor.course.progress import ProgressStore

    s = settings()
    store = ProgressStore.open(s.progress_path)
    for notice in store.notices:
        click.echo(f"tutor: {notice}", err=True)
    directory = s.lessons_dir
    course = load_course(directory) if directory.is_dir() else load_course([])
    if not course.entries:
        # the app's map says the same; 0/0 lessons done would hide a misspelt directory
        store.close()
        fail(_("no lessons found in {directory}. The course ships in the repository's lessons/ "
               "folder: run the tutor from a clone, or set TUTOR_LESSONS_DIR to a folder of "
               "lesson files.").format(directory=directory))
    return course, store


@click.command("progress")
@json_option("Print JSON instead of a table.")
@click.option("--all", "every_learner", is_flag=True,
              help="Every learner of a `tutor serve` classroom kept under the data dir.")
def progress_cmd(as_json: bool, every_learner: bool) -> None:
    """Show the learner's progress through the course."""
    from tutor.course.summary import STATUS_WORDS, course_summary

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
        score = (_("quiz {score}/{quizzes}").format(score=row["score"], quizzes=row["quizzes"])
                 if row["quizzes"] else "")
        where = (_("step {step}/{steps}").format(step=row["step"] + 1, steps=row["steps"])
                 if row["status"] == "in progress" else "")
        if row.get("exercises"):
            code = _("code {passed}/{exercises}").format(passed=len(row["exercises_passed"]),
                                                         exercises=len(row["exercises"]))
            score = f"{score}  {code}"
        status = _(STATUS_WORDS.get(row["status"], row["status"]))
        click.echo(f"{pad(row['id'], 28)} {pad(status, 12)} {pad(where, 12)} {score}".rstrip())
    click.echo(_("{done}/{total} lessons done").format(done=summary["done"],
                                                      total=summary["total"]))


def _classroom_progress(as_json: bool) -> None:
    """Each classroom learner's name and course summary, read from their own store."""
    from tutor.course.loader import load_course
    from tutor.course.progress import DB_NAME, ProgressStore
    from tutor.course.summary import course_summary
    from tutor.serve.learners import NAME_SETTING, learner_dir, learner_ids

    s = settings()
    directory = s.lessons_dir
    course = load_course(directory) if directory.is_dir() else load_course([])
    learners = []
    for learner in learner_ids(s.data_dir):
        store = ProgressStore.open(learner_dir(s.data_dir, learner) / DB_NAME)
        for notice in store.notices:
            click.echo(_("tutor: learner {learner}: {notice}").format(learner=learner,
                                                                      notice=notice), err=True)
        try:
            learners.append({"learner": learner, "name": store.setting(NAME_SETTING),
                             **course_summary(course, store.all())})
        finally:
            store.close()
    if as_json:
        print_json({"learners": learners, "count": len(learners)})
        return
    if not learners:
        click.echo(_("no classroom learners under {directory}").format(directory=s.data_dir))
        return
    for row in learners:
        answered = sum(r["answered"] for r in row["lessons"])
        score = sum(r["score"] for r in row["lessons"])
        name = row["name"] or _("(no name yet)")
        click.echo(pad(name, 30) + " " + _(
            "{done}/{total} lessons done, {score}/{answered} quizzes right first time").format(
            done=row["done"], total=row["total"], score=score, answered=answered))


def _confirm(question: str) -> bool:
    try:
        return click.confirm(question, default=False)
    except click.Abort:
        # the input ended (`tutor reset </dev/null`): no answer is not a yes
        click.echo(err=True)
        fail(_("no answer to the question (the input ended), so nothing changed; add --yes to "
               "clear without asking"))


@click.command("reset")
@click.argument("lesson", required=False)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def reset_cmd(lesson: str | None, yes: bool) -> None:
    """Clear the progress of one LESSON (by id), or of the whole course."""
    course, store = _course_and_store()
    try:
        if lesson is not None and course.entry(lesson) is None and lesson not in store.all():
            fail(_("no lesson '{lesson}' in the course or in the saved progress").format(
                lesson=lesson))
        if not store.saving:
            # clearing a copy in memory would print "cleared" and change nothing on disk
            fail((_("cannot clear the progress of lesson '{lesson}': the progress store cannot "
                    "be written (see above)") if lesson else
                  _("cannot clear ALL course progress: the progress store cannot be written "
                    "(see above)")).format(lesson=lesson))
        question = (_("Clear the progress of lesson '{lesson}'?") if lesson
                    else _("Clear ALL course progress?")).format(lesson=lesson)
        if not yes and not _confirm(question):
            click.echo(_("nothing changed"))
            return
        store.reset(lesson)
        click.echo((_("cleared the progress of lesson '{lesson}'") if lesson
                    else _("cleared ALL course progress")).format(lesson=lesson))
    finally:
        store.close()


COMMANDS: list[click.Command] = [check_cmd, progress_cmd, reset_cmd]
