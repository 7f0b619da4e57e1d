"""Shared helpers for subcommands: JSON output, one-line errors with exit status 2, and
columns that line up in any language."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from tutor import i18n
from tutor.i18n import _

if TYPE_CHECKING:
    from tutor.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, status: int = 2) -> NoReturn:
    click.echo(f"tutor: {message}", err=True)
    sys.exit(status)


def json_option(help: str = "Print JSON.") -> Callable[[F], F]:
    """`--json`: the answer as JSON for scripts. The whole command then runs in English (keys,
    values, the notices inside the answer and its error lines), so a script reads the same
    bytes whatever the learner's language (docs/settings.md)."""
    return click.option("--json", "as_json", is_flag=True, help=help, callback=_in_english)


def _in_english(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        i18n.use(i18n.DEFAULT)
    return value


def pad(text: str, width: int) -> str:
    """`text` left-aligned in `width` terminal cells: a Hangul syllable takes two cells, so
    `str.ljust` (which counts characters) would push the next column out of line."""
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def settings(**flags: Any) -> Settings:
    """The Settings `main` built, with this subcommand's own flags (None: not given) applied."""
    from tutor.settings import Settings, SettingsError

    root = click.get_current_context().find_root().obj
    base = root if isinstance(root, Settings) else Settings.load()
    try:
        return base.with_flags(**flags)
    except SettingsError as err:
        fail(str(err))


def print_json(data: Any) -> None:
    # RFC 8259 has no NaN or Infinity; allow_nan=False turns one that slipped through into
    # an error here instead of output a JSON parser rejects
    try:
        text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError:
        fail(_("the answer holds a number that is not finite (NaN or infinity), which JSON "
               "cannot carry; this is a bug in the tutor, please report it"), status=1)
    click.echo(text)


def engine_errors(func: F) -> F:
    """Turn the engine's user-facing errors into one line and exit status 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from tutor.engine.errors import EngineError

        try:
            return func(*args, **kwargs)
        except EngineError as err:
            fail(str(err))
        except KeyboardInterrupt:
            fail(_("interrupted"), status=130)

    return wrapper  # type: ignore[return-value]
