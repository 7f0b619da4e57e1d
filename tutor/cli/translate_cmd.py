"""`tutor translate`: the project's own encoder-decoder."""

from __future__ import annotations

import click

from tutor.cli.output import engine_errors, json_option, print_json, settings
from tutor.i18n import _


@click.command()
@click.argument("text")
@click.option("--max-steps", "-n", type=int, default=32, show_default=True,
              help="Stop after this many decoder steps if the end token has not come.")
@click.option("--model", "-m", default=None,
              help="An encoder-decoder model: a name from `tutor models` or a directory "
                   "(default: the seq2seq setting, dates).")
@click.option("--device", default=None,
              help="cpu, cuda, cuda:N or mps (default: CUDA when available).")
@json_option("Print JSON with every decoder step: chosen token, top candidates and "
             "cross-attention row (averaged over layers and heads).")
@engine_errors
def translate(text: str, max_steps: int, model: str | None, device: str | None,
              as_json: bool) -> None:
    """Translate a date written by a person, like "Monday, November 23, 2026", to ISO."""
    from tutor.engine import Engine
    from tutor.engine.errors import BadInput
    from tutor.engine.limits import check_text

    check_text(text)
    if max_steps < 1:
        raise BadInput(_("--max-steps must be at least 1, not {value}").format(value=max_steps))
    s = settings(device=device)
    result = Engine(model or s.seq2seq, s).translate(text, max_steps=max_steps)
    if as_json:
        print_json(result.to_dict())
        return
    click.echo(result.output)
    if result.valid_date is False:
        # The model always writes something; say so when it is not a real date.
        click.echo(_("note: {output} is not a valid date").format(output=repr(result.output)),
                   err=True)
    if result.stop_reason != "eos":
        click.echo(_("note: stopped without the end token ({reason})").format(
            reason=result.stop_reason), err=True)


COMMANDS: list[click.Command] = [translate]
