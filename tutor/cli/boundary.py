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
import re
import sys
from typing import Any, NoReturn

import click

from tutor import i18n
from tutor.i18n import _

USAGE_STATUS = 2
_NO_SUCH_COMMAND = re.compile(r"^No such command (.+)$")
# the value Click's type conversion refused, from its sentence ("'x' is not a valid integer.")
_GIVEN = re.compile(r"^(.+?) is not (?:a valid |in the range |one of )")
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
        return _("one of {choices}").format(choices=", ".join(map(str, kind.choices)))
    if isinstance(kind, click.IntRange):
        if kind.min is not None and kind.max is not None:
            return _("a whole number from {low} to {high}").format(low=kind.min, high=kind.max)
        if kind.min is not None:
            return _("a whole number from {low}").format(low=kind.min)
        if kind.max is not None:
            return _("a whole number up to {high}").format(high=kind.max)
        return _("a whole number, like 40")
    if isinstance(kind, click.types.IntParamType):
        return _("a whole number, like 40")
    if isinstance(kind, click.types.FloatParamType):
        return _("a number, like 0.7")
    return None


def _name(param: click.Parameter | None) -> str:
    if param is None:
        return _("a value")
    if isinstance(param, click.Option):
        return " / ".join(param.opts)
    return (param.human_readable_name or param.name or "ARGUMENT").upper()


def usage_line(err: click.UsageError) -> str:
    """One line for a usage error: the command, the option or argument, the accepted form."""
    ctx = err.ctx
    where = _command_path(ctx)
    helps = _("see `{command} --help`").format(command=where)
    if isinstance(err, click.MissingParameter):
        return _("{command}: missing {name} ({help})").format(
            command=where, name=_name(err.param), help=helps)
    if isinstance(err, click.BadParameter):
        form = _form(err.param)
        given = _GIVEN.match(err.message)
        if form and given:
            return _("{command}: {name} does not take {value}; it takes {form}").format(
                command=where, name=_name(err.param), value=given.group(1), form=form)
        # otherwise the detail is Click's own sentence, in English
        detail = err.message.rstrip(".")
        if form:
            return _("{command}: bad value for {name}: {detail}; it takes {form}").format(
                command=where, name=_name(err.param), detail=detail, form=form)
        return _("{command}: bad value for {name}: {detail}").format(
            command=where, name=_name(err.param), detail=detail)
    if isinstance(err, click.NoSuchOption):
        return _("{command}: no option {option} ({help})").format(
            command=where, option=err.option_name, help=helps)
    message = err.format_message().rstrip(".")
    unknown = _NO_SUCH_COMMAND.match(message)
    if unknown:
        group = ctx.command if ctx is not None else None
        names = ", ".join(sorted(group.list_commands(ctx))) if isinstance(group, click.Group) \
            and ctx is not None else ""
        return _("{command}: no such command {name}; commands: {names}").format(
            command=where, name=unknown.group(1), names=names)
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
        # until `main` reads --lang and the learner's saved choice, TUTOR_LANG and the
        # locale decide, so an error in the options themselves is in the learner's language
        i18n.use(i18n.resolve(None, os.environ, None))
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as err:
            _say(usage_line(err), USAGE_STATUS)
        except click.ClickException as err:
            _say(err.format_message(), err.exit_code)
        except click.Abort:
            _say(_("no answer to the question (the input ended); nothing changed"),
                 USAGE_STATUS)
        except KeyboardInterrupt:
            _say(_("interrupted"), 130)
        except OSError as err:
            if err.errno == errno.EPIPE:
                _silence_stdout()
                sys.exit(0)  # the reader went away (`| head`): not an error of ours
            if err.errno in _OUTPUT_ERRNOS and err.filename is None:
                _silence_stdout()
                _say(_("cannot write the answer ({reason})").format(reason=err.strerror),
                     USAGE_STATUS)
            where = f" ({err.filename})" if err.filename else ""
            _say(f"{err.strerror or err}{where}", USAGE_STATUS)
        if _stdout_broken():
            _silence_stdout()
            _say(_("cannot write the answer to standard output"), USAGE_STATUS)
        sys.exit(result if isinstance(result, int) else 0)
