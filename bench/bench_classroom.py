"""Classroom capacity: how many learners one machine's `tutor serve` carries.

Opens browser sessions one after another, each as a browser would (the page for its
cookies, then the websocket with the terminal), and keeps every earlier one open. For each
new session it times the first screen (the name question drawn) and the model being ready,
then reads the memory of every tutor process the server runs. It stops when the machine's
available memory falls under --min-available-gib, when a first screen takes more than
--slowdown times the first session's, at --sessions, or when --budget seconds have gone.

Results replace the "Classroom capacity" section of bench/RESULTS.md (other sections are
left as they are); --print-only prints them instead.

    .venv/bin/python bench/bench_classroom.py [--sessions 12] [--print-only]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import psutil
import pyte
from report import write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SECTION = "## Classroom capacity"
WIDTH, HEIGHT = 120, 36
FIRST_SCREEN = "What is your name?"
MODEL_READY = "ready on"
WAIT = 600.0
NEXT_PANEL = "\x1b[6;5~"  # ctrl+page down, as a terminal sends it
# the Lab's tabs up to next-token: tokenizer, embeddings (MiniLM), attention, logit lens,
# next-token; each runs its model once, so every weight of both models has been read
LAB_PANELS = 5


@dataclass
class Row:
    n: int
    first_screen_s: float
    model_ready_s: float
    used_s: float  # from ready to the Lab's panels done
    rss_mib: float  # this session's tutor process
    uss_mib: float  # the same, only the pages no other process maps (freed when it ends)
    pss_mib: float  # the same, with shared pages split between the processes sharing them
    all_pss_mib: float  # every session's tutor process together
    available_gib: float  # the machine's MemAvailable after this session was ready


class Session:
    """One learner's browser: cookies from the page, the terminal drawn from the websocket."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.screen = pyte.Screen(WIDTH, HEIGHT)
        self.stream = pyte.ByteStream(self.screen)
        # unsafe: the jar keeps cookies from an IP address (the server is on 127.0.0.1)
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.websocket: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        async with self.http.get(f"{self.url}/?token={self.token}") as page:
            page.raise_for_status()
        self.websocket = await self.http.ws_connect(
            f"{self.url}/ws?width={WIDTH}&height={HEIGHT}", max_msg_size=0)
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.websocket is not None
        async for message in self.websocket:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.stream.feed(message.data)

    async def wait_for(self, text: str) -> None:
        deadline = time.monotonic() + WAIT
        while text not in "\n".join(self.screen.display):
            if time.monotonic() > deadline or (self.reader and self.reader.done()):
                raise RuntimeError(f"the session never showed {text!r}:\n"
                                   + "\n".join(self.screen.display))
            await asyncio.sleep(0.05)

    async def type(self, text: str) -> None:
        assert self.websocket is not None
        await self.websocket.send_json(["stdin", text])

    async def close(self) -> None:
        if self.websocket is not None:
            await self.websocket.close()
        if self.reader is not None:
            await self.reader
        await self.http.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tutors(server: psutil.Process) -> list[psutil.Process]:
    """The session processes: the server's children running the tutor."""
    return [p for p in server.children(recursive=True) if "tutor" in " ".join(p.cmdline())]


async def _settle(process: psutil.Process, quiet: float = 5.0, limit: float = WAIT) -> None:
    """Wait until `process` has used under 5% of a core over the last `quiet` seconds: its
    panels are done (an idle session still wakes briefly, e.g. to blink the cursor)."""
    deadline = time.monotonic() + limit
    samples = [(time.monotonic(), sum(process.cpu_times()[:2]))]
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = time.monotonic()
        samples.append((now, sum(process.cpu_times()[:2])))
        window = [s for s in samples if s[0] >= now - quiet]
        if now - samples[0][0] >= quiet and window[-1][1] - window[0][1] < 0.05 * quiet:
            return


def _available_gib() -> float:
    return psutil.virtual_memory().available / 1024**3


async def measure(args: argparse.Namespace) -> tuple[list[Row], str, dict[str, str]]:
    token = secrets.token_urlsafe(16)
    port = _free_port()
    data = Path(tempfile.mkdtemp(prefix="bench-classroom-"))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for name in ("TUTOR_DECODER", "TUTOR_ENCODER", "TUTOR_LESSONS_DIR", "TUTOR_DATA_DIR"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tutor", "--data-dir", str(data), "serve", "--port", str(port),
         "--token", token, "--max-sessions", str(args.sessions + 1)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    server = psutil.Process(process.pid)
    url = f"http://127.0.0.1:{port}"
    machine = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu cores": str(psutil.cpu_count()),
        "memory": f"{psutil.virtual_memory().total / 1024**3:.1f} GiB",
        "load average at start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "available memory at start": f"{_available_gib():.1f} GiB",
    }
    sessions: list[Session] = []
    rows: list[Row] = []
    stop = f"--sessions {args.sessions} reached"
    began = time.monotonic()
    try:
        for _ in range(100):
            try:
                async with aiohttp.ClientSession() as probe, probe.get(url) as answer:
                    if answer.status == 403:
                        break
            except aiohttp.ClientError:
                await asyncio.sleep(0.2)
        for n in range(1, args.sessions + 1):
            if time.monotonic() - began > args.budget:
                stop = f"the --budget of {args.budget:.0f} s was spent ({n - 1} sessions open)"
                break
            session = Session(url, token)
            sessions.append(session)
            started = time.monotonic()
            await session.open()
            await session.wait_for(FIRST_SCREEN)
            first = time.monotonic() - started
            await session.type(f"Learner {n}\r")
            await session.wait_for(MODEL_READY)
            ready = time.monotonic() - started
            tutors = _tutors(server)
            newest = max(tutors, key=lambda p: p.create_time())
            await session.type("l")
            for _ in range(LAB_PANELS - 1):
                await asyncio.sleep(1.0)
                await session.type(NEXT_PANEL)
            await _settle(newest)
            used = time.monotonic() - started - ready
            info = newest.memory_full_info()
            all_pss = sum(p.memory_full_info().pss for p in tutors)
            row = Row(n, first, ready, used, info.rss / 2**20, info.uss / 2**20,
                      info.pss / 2**20, all_pss / 2**20,
                      _available_gib())
            rows.append(row)
            print(row, flush=True)
            if row.available_gib < args.min_available_gib:
                stop = (f"available memory fell under {args.min_available_gib} GiB "
                        f"({row.available_gib:.1f} GiB)")
                break
            if first > args.slowdown * rows[0].first_screen_s:
                stop = (f"the first screen took {first:.1f} s, over {args.slowdown}x the "
                        f"first session's {rows[0].first_screen_s:.1f} s")
                break
    finally:
        for session in sessions:
            with contextlib.suppress(TimeoutError, aiohttp.ClientError):
                await asyncio.wait_for(session.close(), 30)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    machine["load average at end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return rows, stop, machine


def report(rows: list[Row], stop: str, machine: dict[str, str], args: argparse.Namespace
           ) -> list[str]:
    lines = [SECTION, "",
             "Written by `python bench/bench_classroom.py`; every number below comes from one "
             "run. Sessions are opened one after another against one `tutor serve` (real "
             "models: each session loads SmolLM2-135M in float32, its decode layout "
             "memory-mapped from the model cache's `blas-layout.bin`, one copy for all "
             "sessions), each kept open while the "
             "next starts; a session counts as ready when its model is loaded. Then it opens "
             "the Lab and steps through its first five panels (tokenizer, embeddings with "
             "MiniLM, attention, logit lens, next-token), so both models have run and every "
             "weight has been read, and the memory is read once the process is idle. RSS is one "
             "session process's resident memory; PSS splits pages shared between processes "
             "(the Python and torch libraries) among them, so the PSS column adds up to what "
             "the sessions really take together.", ""]
    lines += [f"- **{k}**: {v}" for k, v in machine.items()]
    lines += [f"- **stopped because**: {stop}", ""]
    lines += ["| session | first screen s | model ready s | Lab panels s | its RSS MiB | "
              "its USS MiB | its PSS MiB | all sessions' PSS MiB | available GiB after |",
              "|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r.n} | {r.first_screen_s:.1f} | {r.model_ready_s:.1f} | {r.used_s:.1f} | "
              f"{r.rss_mib:.0f} | {r.uss_mib:.0f} | {r.pss_mib:.0f} | {r.all_pss_mib:.0f} | "
              f"{r.available_gib:.1f} |" for r in rows]
    lines.append("")
    if rows:
        # what one more session costs: the pages only it maps (its USS); what the machine
        # pays once: what the first session took (its PSS, alone) beyond that, the pages
        # sessions share (libraries, the weights' files in the page cache)
        per_session = statistics.median(r.uss_mib for r in rows[1:] or rows)
        shared = rows[0].pss_mib - per_session
        total_gib = psutil.virtual_memory().total / 1024**3
        reserve = args.min_available_gib
        fits = int(((total_gib - reserve) * 1024 - shared) / per_session)
        lines += [
            f"One more session costs **{per_session:.0f} MiB** (median USS: pages only that "
            f"process maps, freed when it ends, over the sessions after the first); the "
            f"machine pays about {shared:.0f} MiB once, what the first session took beyond "
            "that: the pages sessions share (the libraries, and the weights' files, "
            "SmolLM2's layout file included, in the page cache). Median first screen "
            f"{statistics.median(r.first_screen_s for r in rows):.1f} s, median time to a "
            f"loaded model {statistics.median(r.model_ready_s for r in rows):.1f} s, median "
            f"time through the five panels {statistics.median(r.used_s for r in rows):.1f} s.",
            "",
            f"By memory, this {machine['memory']} machine holds about **{fits}** such sessions "
            f"with {reserve:g} GiB left for the system ((total - reserve - shared) / cost per "
            "session). CPU is the tighter bound on 2 cores: a session's model load and each "
            "panel computation take a core while they run, so learners who load or generate "
            "at the same moment wait for each other; a session at rest costs little CPU. "
            "`tutor serve --max-sessions` defaults to 8.", ""]
    return lines




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=12, help="open at most this many")
    parser.add_argument("--min-available-gib", type=float, default=4.0,
                        help="stop when the machine has less memory available than this")
    parser.add_argument("--slowdown", type=float, default=3.0,
                        help="stop when a first screen takes this many times the first one's")
    parser.add_argument("--budget", type=float, default=1800,
                        help="open no more sessions after this many seconds")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--print-only", action="store_true")
    args = parser.parse_args()
    rows, stop, machine = asyncio.run(measure(args))
    lines = report(rows, stop, machine, args)
    if args.print_only:
        print("\n".join(lines))
    else:
        write_section(args.out, SECTION, lines)
        print(f"wrote the classroom section of {args.out}")


if __name__ == "__main__":
    main()
