"""What the live panels share on top of `Panel`: debounced jobs in exclusive thread workers,
stale answers dropped, and one status line for notices and the engine's error sentences.

A job is a plain function that asks the engine for data and returns a typed answer: an
instance of one of the panel's own `JobAnswer` messages (one class per kind of answer, e.g.
`NextTokenPanel.Predicted`), handled by name like any Textual message
(`on_next_token_panel_predicted`). The job runs in a thread worker whose group is the job's
name, so a newer request cancels the older one; its answer reaches the handler on the UI
thread only if no newer request was made in the meantime (a cancelled thread cannot be
stopped mid-call, so its late answer is dropped). An error becomes `LivePanel.JobFailed`,
shown by `show_error()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label, Static
from textual.worker import get_current_worker

from tutor.app.engines import EngineHub, Role
from tutor.app.panels.base import Panel
from tutor.app.panels.waiting import WaitLine
from tutor.engine import EngineError
from tutor.i18n import _


class StatusLine(Static):
    """One line under a panel: truncation notices, progress, and error sentences."""

    DEFAULT_CSS = """
    StatusLine { height: auto; color: $text-muted; padding: 0 1; }
    StatusLine.-warning { color: $warning; }
    StatusLine.-error { color: $error; text-style: bold; }
    """

    def show(self, text: str, kind: str = "") -> None:
        self.update(text)
        self.set_class(kind == "warning", "-warning")
        self.set_class(kind == "error", "-error")


class JobAnswer(Message):
    """Base of the typed answers a panel's workers post (declare them as dataclasses nested
    in the panel). The worker stamps `job` and `serial`; `FINAL = False` marks a piece of a
    streaming job, after which the job is still running."""

    FINAL: ClassVar[bool] = True
    job: str = ""
    serial: int = 0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # answers are for the panel that asked, never its screen or the app
        kwargs.setdefault("bubble", False)
        super().__init_subclass__(**kwargs)


Job = Callable[[], JobAnswer | None]
Emit = Callable[[JobAnswer], None]


class LivePanel(Panel):
    # seconds of quiet typing before the model is asked again
    DEBOUNCE: ClassVar[float] = 0.25

    class JobFailed(JobAnswer):
        """A job raised: `error` is the sentence for the learner."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class JobFinished(JobAnswer):
        """A job that answers only with pieces (or nothing) has ended."""

    def __init__(self, hub: EngineHub, inputs: dict[str, Any] | None = None, *,
                 name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(hub, inputs, name=name, id=id, classes=classes)
        self._job_serials: dict[str, int] = {}
        self._job_timers: dict[str, Timer] = {}
        self._jobs_running: set[str] = set()
        self.status = StatusLine("", classes="panel-status")
        self.waiting = WaitLine(self)

    def compose(self) -> ComposeResult:
        yield self.waiting  # on top: where the learner looks while the panel is empty
        yield from super().compose()

    def models(self) -> list[Role]:
        """The roles whose models the panel's jobs use now (named while they load)."""
        return ["decoder"]

    def progress(self) -> str:
        """How far a long job has got, in words ("" when there is nothing to count)."""
        return ""

    def preset(self, name: str, default: Any) -> Any:
        """A lesson's preset input, or the default when absent or of the wrong type."""
        value = self.inputs.get(name, default)
        if isinstance(value, bool) != isinstance(default, bool):
            return default
        if isinstance(default, float) and isinstance(value, int):
            return float(value)
        return value if isinstance(value, type(default)) else default

    def sampling_inputs(self, prefix: str, temperature: float) -> ComposeResult:
        """Temperature, top-k and top-p boxes (ids `{prefix}-temperature` ...), preset-filled."""
        setting = f"{prefix}-setting"
        yield Label(_("temperature"))
        yield Input(f"{self.preset('temperature', temperature):g}", id=f"{prefix}-temperature",
                    type="number", classes=setting)
        yield Label(_("top-k"))
        yield Input(str(self.preset("top_k", 0)), id=f"{prefix}-top-k", type="integer",
                    classes=setting)
        yield Label(_("top-p"))
        yield Input(f"{self.preset('top_p', 1.0):g}", id=f"{prefix}-top-p", type="number",
                    classes=setting)

    # -- jobs -------------------------------------------------------------------------------
    def schedule(self, job: str, fn: Job, delay: float | None = None) -> None:
        """Run `fn` after `delay` seconds without a newer request for the same job."""
        timer = self._job_timers.pop(job, None)
        if timer is not None:
            timer.stop()
        delay = self.DEBOUNCE if delay is None else delay
        if delay <= 0:
            self.run_job(job, fn)
        else:
            self._job_timers[job] = self.set_timer(delay, lambda: self.run_job(job, fn))

    def run_job(self, job: str, fn: Job) -> None:
        self._start(job, lambda serial: fn)

    def run_stream_job(self, job: str, fn: Callable[[Emit], JobAnswer | None]) -> None:
        """Like run_job, but `fn(emit)` may post pieces (answers with FINAL = False) as it
        goes; each reaches its handler while the job is current."""
        def bind(serial: int) -> Job:
            def emit(piece: JobAnswer) -> None:
                piece.job, piece.serial = job, serial
                self.post_message(piece)
            return lambda: fn(emit)
        self._start(job, bind)

    def _start(self, job: str, bind: Callable[[int], Job]) -> None:
        self._job_timers.pop(job, None)
        serial = self._job_serials.get(job, 0) + 1
        self._job_serials[job] = serial
        self._jobs_running.add(job)
        self.set_class(True, "-busy")
        fn = bind(serial)
        self.run_worker(lambda: self._call(job, serial, fn), name=job, thread=True,
                        exclusive=True, group=f"{self.PANEL_ID}.{job}", exit_on_error=False)

    def cancel_job(self, job: str) -> None:
        """Forget a job: its running worker is cancelled and any late answer dropped."""
        timer = self._job_timers.pop(job, None)
        if timer is not None:
            timer.stop()
        self._job_serials[job] = self._job_serials.get(job, 0) + 1
        self.workers.cancel_group(self, f"{self.PANEL_ID}.{job}")
        self._job_done(job)

    def is_running(self, job: str) -> bool:
        return job in self._jobs_running

    def _call(self, job: str, serial: int, fn: Job) -> None:
        worker = get_current_worker()
        answer: JobAnswer | None
        try:
            answer = fn()
        except EngineError as err:  # a complete sentence meant for the learner
            answer = self.JobFailed(str(err))
        except Exception as err:  # never a traceback on screen
            answer = self.JobFailed(_("Something went wrong: {error}").format(
                error=f"{type(err).__name__}: {err}"))
        if answer is None:
            answer = self.JobFinished()
        if not worker.is_cancelled:
            answer.job, answer.serial = job, serial
            self.post_message(answer)

    def is_current(self, job: str, serial: int) -> bool:
        return self._job_serials.get(job) == serial

    def accepts(self, message: Message) -> bool:
        """A job's answer reaches its handler only while it answers the latest request;
        a final answer ends the job."""
        if not isinstance(message, JobAnswer):
            return True
        if not self.is_current(message.job, message.serial):
            return False
        if message.FINAL:
            self._job_done(message.job)
        return True

    def on_live_panel_job_failed(self, message: JobFailed) -> None:
        self.show_error(message.job, message.error)

    def on_live_panel_job_finished(self, message: JobFinished) -> None:
        pass  # accepting it ended the job

    def _job_done(self, job: str) -> None:
        self._jobs_running.discard(job)
        self.set_class(bool(self._jobs_running), "-busy")

    # -- what the learner reads under the panel ---------------------------------------------
    def show_error(self, job: str, error: str) -> None:
        self.status.show(error, "error")

    def show_notice(self, *notices: str | None) -> None:
        text = "  ".join(f"⚠ {n}" for n in notices if n)
        self.status.show(text, "warning" if text else "")
