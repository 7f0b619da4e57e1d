"""The command line's outer edge: every way a command can end becomes one line and a status.

Click's own handling prints a three-line usage block, "Aborted!" with status 1 when a
prompt meets the end of input, and lets an OSError from writing the answer (a full disk,
a closed pipe) end in a traceback. `TutorGroup.main` runs Click without its standalone
handling and words each of these itself.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import Any, NoReturn

import click

USAGE_STATUS = 2
# what writing to a full disk, a closed pipe or a vanished terminal raises
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG, errno.EBADF}


def _say(message: str, status: int) -> NoReturn:
    line = message if message.startswith("tutor") else f"tutor: {message}"
    with contextlib.suppress(OSError):
        click.echo(line, err=True)
    sys.exit(status)


def _command_path(ctx: click.Context | None) -> str:
    """`tutor next` however the program was started (`python -m tutor` included)."""
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(["tutor", *reversed(names)])


def _form(param: click.Parameter | None) -> str | None:
    """The accepted form of a parameter's value, in words."""
    if param is None:
        return None
    kind = param.type
    if isinstance(kind, click.Choice):
        return "one of " + ", ".join(map(str, kind.choices))
    if isinstance(kind, click.IntRange):
        low = "" if kind.min is None else f" from {kind.min}"
        high = "" if kind.max is None else f" to {kind.max}"
        return f"a whole number{low}{high}"
    if isinstance(kind, click.types.IntParamType):
        return "a whole number, like 40"
    if isinstance(kind, click.types.FloatParamType):
        return "a number, like 0.7"
    return None


def _name(param: click.Parameter | None) -> str:
    if param is None:
        return "a value"
    if isinstance(param, click.Option):
        return " / ".join(param.opts)
    return (param.human_readable_name or param.name or "an argument").upper()


def usage_line(err: click.UsageError) -> str:
    """One line for a usage error: the command, the option or argument, the accepted form."""
    ctx = err.ctx
    where = _command_path(ctx)
    helps = f"see `{where} --help`"
    if isinstance(err, click.MissingParameter):
        return f"{where}: missing {_name(err.param)} ({helps})"
    if isinstance(err, click.BadParameter):
        form = _form(err.param)
        detail = err.message.rstrip(".")
        accepted = f"; it takes {form}" if form else ""
        return f"{where}: bad value for {_name(err.param)}: {detail}{accepted}"
    if isinstance(err, click.NoSuchOption):
        return f"{where}: no option {err.option_name} ({helps})"
    message = err.format_message().rstrip(".")
    if message.startswith("No such command"):
        group = ctx.command if ctx is not None else None
        names = ", ".join(sorted(group.list_commands(ctx))) if isinstance(group, click.Group) \
            and ctx is not None else ""
        return f"{where}: {message[0].lower()}{message[1:]}; commands: {names}"
    return f"{where}: {message[0].lower()}{message[1:]} ({helps})"


def _stdout_broken() -> bool:
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return False


def _silence_stdout() -> None:
    # The interpreter flushes stdout once more on exit; point it at /dev/null so that last
    # flush cannot print "Exception ignored ..." after our one line.
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


class TutorGroup(click.Group):
    def main(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as err:
            _say(usage_line(err), USAGE_STATUS)
        except click.ClickException as err:
            _say(err.format_message(), err.exit_code)
        except click.Abort:
            _say("no answer to the question (the input ended); nothing changed", USAGE_STATUS)
        except KeyboardInterrupt:
            _say("interrupted", 130)
        except OSError as err:
            if err.errno == errno.EPIPE:
                _silence_stdout()
                sys.exit(0)  # the reader went away (`| head`): not an error of ours
            if err.errno in _OUTPUT_ERRNOS and err.filename is None:
                _silence_stdout()
                _say(f"cannot write the answer ({err.strerror})", USAGE_STATUS)
            where = f" ({err.filename})" if err.filename else ""
            _say(f"{err.strerror or err}{where}", USAGE_STATUS)
        if _stdout_broken():
            _silence_stdout()
            _say("cannot write the answer to standard output", USAGE_STATUS)
        sys.exit(result if isinstance(result, int) else 0)
