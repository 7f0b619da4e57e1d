"""The classroom server: textual-serve's Server with a join token, learners and a session cap.

- Every request needs the join token, from the join URL's `?token=` or the cookie the page
  sets from it; anything else gets 403, the websocket included.
- The page is our own template; it loads only this server's files (textual-serve's script
  and the bundled Roboto Mono font), so nothing leaves the machine.
- A learner is a random id in a cookie; their tutor process runs with a data dir of its own
  under the server's (see tutor/serve/learners.py).
- At most `max_sessions` learners have a session at once; the next sees a page saying so.
  A learner who opens the course again (reload, second tab) takes their session over.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import shlex
import socket
import sys
from pathlib import Path

import aiohttp_jinja2
import jinja2
import textual_serve
from aiohttp import web
from aiohttp.typedefs import Handler
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from tutor.i18n import _, ngettext
from tutor.paths import package_path
from tutor.serve.learners import ASK_NAME_ENV, is_learner_id, learner_dir, new_learner_id

JOIN_COOKIE = "tutor_join"
LEARNER_COOKIE = "tutor_learner"
COOKIE_AGE = 365 * 24 * 3600
STATIC = Path(textual_serve.__file__).parent / "static"
log = logging.getLogger("textual-serve")


class LearnerSession(AppService):
    """One learner's tutor process, with that learner's data dir in its environment."""

    def __init__(self, command: str, *, environment: dict[str, str],
                 **kwargs: object) -> None:
        super().__init__(command, **kwargs)  # type: ignore[arg-type]
        self.extra_environment = environment

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment.update(self.extra_environment)
        return environment


class ClassroomServer(Server):
    def __init__(self, *, host: str, port: int, token: str, max_sessions: int,
                 data_dir: Path, command: str | None = None) -> None:
        # exec: the session's process is the tutor itself, not a shell around it
        command = command or f"exec {shlex.quote(sys.executable)} -m tutor"
        super().__init__(command, host=host, port=port, title="llm-tutor",
                         statics_path=STATIC, templates_path=package_path("serve", "templates"))
        self.token = token
        self.max_sessions = max_sessions
        self.data_dir = data_dir
        self.sessions: dict[str, web.WebSocketResponse] = {}

    @property
    def join_url(self) -> str:
        host = self.host
        if host in ("", "0.0.0.0", "::"):
            host = socket.getfqdn()
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/?token={self.token}"

    def is_full(self, learner: str) -> bool:
        """True when `learner` may not start a session: the others fill every place."""
        others = [who for who in self.sessions if who != learner]
        return len(others) >= self.max_sessions

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._require_token])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path),
                             autoescape=True)
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws", self.handle_websocket, name="websocket"),
            web.static("/static", self.statics_path, name="static"),
        ])
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def _require_token(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        given = request.query.get("token") or request.cookies.get(JOIN_COOKIE) or ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return aiohttp_jinja2.render_template("refused.html", request, {}, status=403)
        return await handler(request)

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        learner = request.cookies.get(LEARNER_COOKIE)
        if not is_learner_id(learner):
            learner = new_learner_id()
        assert learner is not None
        if self.is_full(learner):
            response = aiohttp_jinja2.render_template(
                "full.html", request, {"max_sessions": self.max_sessions}, status=503)
        else:
            # behind a TLS-terminating load balancer the page must open wss://
            secure = request.headers.get("X-Forwarded-Proto", request.scheme) == "https"
            context = {
                "websocket_url": f"{'wss' if secure else 'ws'}://{request.host}/ws",
                "static_url": "/static/",
                "font_size": to_int(request.query.get("fontsize", "16"), 16),
            }
            response = aiohttp_jinja2.render_template("page.html", request, context)
        response.headers["Cache-Control"] = "no-store"
        response.set_cookie(JOIN_COOKIE, self.token, max_age=COOKIE_AGE, httponly=True,
                            samesite="Strict")
        response.set_cookie(LEARNER_COOKIE, learner, max_age=COOKIE_AGE, httponly=True,
                            samesite="Strict")
        return response

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        learner = request.cookies.get(LEARNER_COOKIE)
        if learner is None or not is_learner_id(learner):
            raise web.HTTPForbidden(text="no learner cookie: open the join link again")
        if self.is_full(learner):
            raise web.HTTPServiceUnavailable(text="every place in this class is taken")
        previous = self.sessions.get(learner)
        if previous is not None:
            await previous.close()
        folder = learner_dir(self.data_dir, learner)
        folder.mkdir(parents=True, exist_ok=True)
        websocket = web.WebSocketResponse(heartbeat=15)
        self.sessions[learner] = websocket
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        session: LearnerSession | None = None
        try:
            await websocket.prepare(request)
            session = LearnerSession(
                self.command,
                environment={"TUTOR_DATA_DIR": str(folder), ASK_NAME_ENV: "1"},
                write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                close=websocket.close, download_manager=self.download_manager,
                debug=self.debug)
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:
            log.exception(error)
        finally:
            # the place is free as soon as the browser has gone, while the process ends
            if self.sessions.get(learner) is websocket:
                del self.sessions[learner]
            if session is not None:
                await session.stop()
        return websocket

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(ngettext("llm-tutor classroom: at most {count} learner at once",
                                    "llm-tutor classroom: at most {count} learners at once",
                                    self.max_sessions).format(count=self.max_sessions))
        self.console.print(_("Join link for your class: {link}").format(
            link=f"[bold]{self.join_url}[/]"), soft_wrap=True)
        self.console.print(_("Learners' progress is kept under {directory}; `tutor progress "
                             "--all --json` lists it.").format(directory=self.data_dir))
        self.console.print(_("Press Ctrl+C to stop."))

    async def on_shutdown(self, app: web.Application) -> None:
        for websocket in list(self.sessions.values()):
            await websocket.close()
