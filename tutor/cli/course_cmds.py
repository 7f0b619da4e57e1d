"""`tutor` (the app), `tutor check`, `tutor progress`, `tutor reset`."""

from __future__ import annotations

from pathlib import Path

import click

from tutor.cli.output import fail


def run_tutor() -> None:
    from tutor.app.app import TutorApp

    TutorApp().run()


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


COMMANDS: list[click.Command] = [check_cmd]
