"""Shared helpers for subcommands: JSON output and one-line errors with exit status 2."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, status: int = 2) -> NoReturn:
    click.echo(f"tutor: {message}", err=True)
    sys.exit(status)


def print_json(data: Any) -> None:
    # RFC 8259 has no NaN or Infinity; allow_nan=False turns one that slipped through into
    # an error here instead of output a JSON parser rejects
    try:
        text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError:
        fail("the answer holds a number that is not finite (NaN or infinity), which JSON "
             "cannot carry; this is a bug in the tutor, please report it", status=1)
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
            fail("interrupted", status=130)

    return wrapper  # type: ignore[return-value]
