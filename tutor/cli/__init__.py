"""The `tutor` command: no subcommand opens the course; subcommands print the engine's answers.

Each command group lives in its own module and registers itself on `main`.
"""

from __future__ import annotations

import os

import click

from tutor.cli.boundary import TutorGroup


@click.group(cls=TutorGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False), help="Where progress is stored.")
@click.option("--lang", type=click.Choice(["en", "ko"]), default=None,
              help="The course's language (default: TUTOR_LANG, your last choice, the locale).")
@click.pass_context
def main(ctx: click.Context, data_dir: str | None, lang: str | None) -> None:
    """llm-tutor: learn how transformer language models work, on real models."""
    if data_dir:
        os.environ["TUTOR_DATA_DIR"] = data_dir
    if ctx.invoked_subcommand is None:
        from tutor.cli.course_cmds import run_tutor

        run_tutor(lang)


from tutor.cli import (  # noqa: E402
    course_cmds,
    engine_cmds,
    exercise_cmds,
    lens_cmds,
    models_cmd,
    serve_cmd,
    translate_cmd,
)

for _module in (models_cmd, engine_cmds, lens_cmds, course_cmds, translate_cmd, exercise_cmds,
                serve_cmd):
    for _command in getattr(_module, "COMMANDS", []):
        main.add_command(_command)
