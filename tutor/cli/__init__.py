"""The `tutor` command: no subcommand opens the course; subcommands print the engine's answers.

Each command group lives in its own module and registers itself on `main`. `main` builds the
one `Settings` object (defaults < config file < TUTOR_* variables < these flags) and keeps
it on the click context, where every subcommand reads it (`tutor.cli.output.settings()`),
and chooses the language every command speaks (`tutor.i18n.resolve`).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from tutor import i18n
from tutor.cli.boundary import TutorGroup
from tutor.settings import DECODES, DTYPES, LANGUAGES, THEMES, Settings, SettingsError


@click.group(cls=TutorGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False), help="Where progress is stored.")
@click.option("--lessons-dir", type=click.Path(file_okay=False),
              help="The lesson files to use (default: the course's).")
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, is_eager=True,
              callback=lambda ctx, param, value: _speak(value),
              help="The course's language (default: TUTOR_LANG, your last choice, the locale).")
@click.option("--device", "device", default=None, help="cpu, cuda or cuda:N (default: CUDA "
              "when available).")
@click.option("--dtype", type=click.Choice(DTYPES), default=None,
              help="Precision of the decoder (default float32).")
@click.option("--decode", type=click.Choice(DECODES), default=None,
              help="The decode step (default auto: the fastest exact one).")
@click.option("--theme", type=click.Choice(THEMES), default=None, help="The app's colours.")
@click.pass_context
def main(ctx: click.Context, data_dir: str | None, lessons_dir: str | None, lang: str | None,
         device: str | None, dtype: str | None, decode: str | None, theme: str | None) -> None:
    """llm-tutor: learn how transformer language models work, on real models.

    Settings come from ~/.config/llm-tutor/config.toml, TUTOR_* variables and these flags;
    `tutor config` shows them."""
    from tutor.cli.output import fail

    try:
        ctx.obj = Settings.load({"data_dir": data_dir, "lessons_dir": lessons_dir,
                                 "language": lang, "device": device, "dtype": dtype,
                                 "decode": decode, "theme": theme})
    except SettingsError as err:
        fail(str(err))
    # Settings.language is --lang, TUTOR_LANG or the config file; then the learner's choice
    # saved in the app (read only when those say nothing), then the locale
    path = ctx.obj.progress_path
    i18n.use(i18n.resolve(ctx.obj.language, os.environ, lambda: _saved_language(path)))
    if ctx.invoked_subcommand is None:
        from tutor.cli.course_cmds import run_tutor

        run_tutor(ctx.obj)


def _speak(flag: str | None) -> str | None:
    """--lang as soon as Click reads it, so a misspelt command name is answered in it too
    (Click looks the command up before `main` runs)."""
    i18n.use(i18n.resolve(flag, os.environ, None))
    return flag


def _saved_language(path: Path) -> str | None:
    from tutor.course.progress import saved_setting

    return saved_setting(path, "language")


from tutor.cli import (  # noqa: E402
    config_cmd,
    course_cmds,
    engine_cmds,
    exercise_cmds,
    lens_cmds,
    models_cmd,
    serve_cmd,
    translate_cmd,
)

for _module in (models_cmd, engine_cmds, lens_cmds, course_cmds, translate_cmd, exercise_cmds,
                serve_cmd, config_cmd):
    for _command in getattr(_module, "COMMANDS", []):
        main.add_command(_command)
