"""`tutor serve`: the course in learners' browsers (see docs/classroom.md)."""

from __future__ import annotations

import re

import click

from tutor.cli.output import fail, settings
from tutor.i18n import _

# what bench/bench_classroom.py measured one 2-core, 24 GiB machine to carry (bench/RESULTS.md)
DEFAULT_MAX_SESSIONS = 8
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 opens it to the network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--max-sessions", default=DEFAULT_MAX_SESSIONS, show_default=True,
              type=click.IntRange(1, 10_000),
              help="Learners with a session at once; the next one sees a page saying so.")
@click.option("--token", help="The join token (default: a new random one each start); "
                              "16 to 128 letters, digits, '-' or '_'.")
def serve_cmd(host: str, port: int, max_sessions: int, token: str | None) -> None:
    """Serve the course to browsers: one tutor process per learner, each with their own
    progress under the data dir. Prints the join link to give the class."""
    import secrets

    from rich.console import Console

    from tutor.cli.models_cmd import fetch_models, missing_models
    from tutor.engine.errors import EngineError

    if token is not None and not _TOKEN.fullmatch(token):
        fail(_("--token takes 16 to 128 letters, digits, '-' or '_'"))
    problem = _cannot_listen(host, port)
    if problem:
        fail(_("cannot listen on {host}:{port} ({reason})").format(host=host, port=port,
                                                                    reason=problem))
    console = Console(stderr=True)
    current = settings()
    todo = missing_models(current.cache_dir)
    if todo:
        console.print(_("Fetching the model weights first (once)."))
        try:
            fetch_models(todo, console, current.cache_dir)
        except EngineError as err:
            console.print(f"tutor: {err}\n" + _("Serving the course without its live panels."),
                          style="red", highlight=False)
    from tutor.serve.server import ClassroomServer

    server = ClassroomServer(host=host, port=port, token=token or secrets.token_urlsafe(16),
                             max_sessions=max_sessions, data_dir=current.data_dir)
    try:
        server.serve()
    except OSError as err:
        fail(_("cannot listen on {host}:{port} ({reason})").format(
            host=host, port=port, reason=err.strerror or err))


def _cannot_listen(host: str, port: int) -> str | None:
    """Why the server could not listen there, found before the join link is printed."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as err:
        return _("unknown address: {reason}").format(reason=err.strerror)
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # as the server will: a port left in TIME_WAIT by an earlier run is fine
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as err:
            return err.strerror or str(err)
    return None


COMMANDS: list[click.Command] = [serve_cmd]
