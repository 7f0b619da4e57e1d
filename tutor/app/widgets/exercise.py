"""An exercise step: the learner's code in an editor, its checks run in a child process.

The learner's copy lives in the user data dir (created from the starter). `e` opens it in
$VISUAL / $EDITOR with the app suspended, or the in-app editor where none is set; ctrl+r
(or ctrl+s, which also saves) runs the checks. The checks run in a worker thread that waits
on a child process (tutor.exercises.runner), so the app never runs the learner's code and
never imports torch; it only ever sees plain results.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from rich.syntax import Syntax
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Collapsible, Markdown, Static, TextArea
from textual.worker import get_current_worker

from tutor.app.engines import EngineHub
from tutor.course.schema import ExerciseStep
from tutor.exercises import catalog
from tutor.exercises.runner import CheckRun, ExerciseError, run_checks
from tutor.i18n import N_, _, ngettext

SAVE_DELAY = 0.5  # seconds after the last keystroke before the editor's text is saved


def external_editor() -> list[str] | None:
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    try:
        return shlex.split(command) if command else None
    except ValueError:
        return None


class ExerciseView(Vertical, can_focus=True):
    BINDINGS = [
        Binding("ctrl+r", "run_checks", N_("Run checks"), id="exercise.run"),
        Binding("ctrl+s", "save_and_run", N_("Save and check"), show=False,
                id="exercise.save"),
        Binding("e", "edit", N_("Edit"), id="exercise.edit"),
        Binding("ctrl+g", "give_up", N_("Solution"), id="exercise.solution"),
    ]

    class Passed(Message):
        def __init__(self, step_id: str, exercise_id: str) -> None:
            super().__init__()
            self.step_id = step_id
            self.exercise_id = exercise_id

    class Checked(Message):
        def __init__(self, run: CheckRun | None, error: str | None = None) -> None:
            super().__init__()
            self.run = run
            self.error = error

    def __init__(self, step: ExerciseStep, hub: EngineHub, passed: bool = False) -> None:
        super().__init__(classes="exercise-step")
        self.step = step
        self.hub = hub
        self.passed = passed
        self.exercise = catalog.get(step.exercise)
        self.path: Path | None = None
        self._save_timer = None
        # kept, not queried: on unmount the children are gone, and the last edit is saved then
        self._text_area: TextArea | None = None

    def compose(self) -> ComposeResult:
        yield Markdown(self.step.body, classes="step-text")
        if self.exercise is None:
            yield Static(_("The exercise '{id}' is not part of this version.").format(
                id=self.step.exercise), classes="panel-placeholder -error")
            return
        try:
            self.path = catalog.ensure_copy(self.exercise, self.hub.settings.data_dir)
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            self.path = None
            text = catalog.starter_text(self.exercise)
            self.app.notify(_("Your copy cannot be saved ({error}); edits stay in this "
                              "session.").format(error=err), severity="warning")
        editor = external_editor()
        if editor and self.path:
            how = _("Write `{function}` in `{path}`: `e` opens it in `{editor}`. **ctrl+r** "
                    "runs the checks inside the model.")
        else:
            how = _("Write `{function}` in the editor below (`e` or a click puts the cursor "
                    "in it, escape leaves; it is saved as `{path}`). **ctrl+r** runs the "
                    "checks inside the model.")
        yield Markdown(how.format(function=self.exercise.function, path=self.path,
                                  editor=editor[0] if editor else ""), classes="step-text")
        if self.exercise.hints:
            with Collapsible(title=_("Hints"), collapsed=True):
                yield Static("\n".join(f"• {_(h)}" for h in self.exercise.hints), markup=False)
        self._text_area = TextArea.code_editor(text, language="python", id="exercise-editor",
                                               soft_wrap=False, show_line_numbers=True)
        yield self._text_area
        yield Static("", id="exercise-status")
        yield Static("", id="exercise-results")
        yield Vertical(id="exercise-solution")

    def on_mount(self) -> None:
        if self.passed:
            self._status(True, _("✓ Passed earlier. The reference solution is below."))
            self._reveal()
        elif self.exercise is not None:
            self._status(False, _("Not passed yet."))

    def on_unmount(self) -> None:
        self._save()

    # -- saving and editing --------------------------------------------------------------------
    def _editor(self) -> TextArea | None:
        return self._text_area

    def _save(self) -> None:
        editor = self._editor()
        if editor is None or self.path is None:
            return
        try:
            if self.path.read_text(encoding="utf-8") != editor.text:
                self.path.write_text(editor.text, encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            self.app.notify(_("Could not save {path}: {error}").format(path=self.path, error=err),
                            severity="error")

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_DELAY, self._save)

    def action_edit(self) -> None:
        editor_cmd = external_editor()
        editor = self._editor()
        if editor is None:
            return
        if editor_cmd is None or self.path is None:
            editor.focus()
            return
        self._save()
        try:
            with self.app.suspend():
                subprocess.run([*editor_cmd, str(self.path)], check=False)
        except Exception as err:  # no terminal to hand over (a browser, a test): stay in-app
            self.app.notify(_("Cannot open {editor} here ({error}); use the editor below.")
                            .format(editor=editor_cmd[0], error=err), severity="warning")
            editor.focus()
            return
        try:
            editor.load_text(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as err:
            self.app.notify(_("Could not read {path}: {error}").format(path=self.path, error=err),
                            severity="error")
            return
        self.action_run_checks()

    # -- checks ----------------------------------------------------------------------------------
    def action_save_and_run(self) -> None:
        self.action_run_checks()

    def action_run_checks(self) -> None:
        if self.exercise is None or self.path is None:
            return
        self._save()
        self._status(None, _("Running the checks in a separate process (it loads the model "
                             "first, which takes a few seconds)…"))
        self.query_one("#exercise-results", Static).update("")
        self._run(self.path)

    @work(thread=True, exclusive=True, group="exercise-checks")
    def _run(self, path: Path) -> None:
        worker = get_current_worker()
        assert self.exercise is not None
        try:
            run = run_checks(self.exercise, path, decoder=self.hub.names["decoder"],
                             encoder=self.hub.names["encoder"], cache=self.hub.settings.cache_dir,
                             cancelled=lambda: worker.is_cancelled)
        except ExerciseError as err:
            self.post_message(self.Checked(None, str(err)))
            return
        except Exception as err:  # never a traceback on screen
            self.post_message(self.Checked(None, _("the checks could not run: {error}").format(
                error=err)))
            return
        if not worker.is_cancelled:
            self.post_message(self.Checked(run))

    def on_exercise_view_checked(self, message: ExerciseView.Checked) -> None:
        message.stop()
        run = message.run
        if run is None:
            self._status(False, f"✗ {message.error}")
            return
        lines = Text()
        for check in run.checks:
            mark = "✓ " if check.passed else "✗ "
            # check names travel in English (they are ids) and are N_() messages
            lines.append(mark + _(check.name), style="bold green" if check.passed else "bold red")
            lines.append("\n")
            for line in check.message.splitlines():
                lines.append(f"    {line}\n")
        self.query_one("#exercise-results", Static).update(lines)
        good = sum(1 for c in run.checks if c.passed)
        if run.passed:
            self._status(True, ngettext("✓ The check passed! The reference solution is below.",
                                        "✓ All {n} checks passed! The reference solution is "
                                        "below.", good).format(n=good))
            if not self.passed:
                self.passed = True
                self.post_message(self.Passed(self.step.id, run.id))
            self._reveal()
        else:
            self._status(False, ngettext("{good} of {total} check passed: see what failed.",
                                         "{good} of {total} checks passed: see what failed.",
                                         len(run.checks)).format(good=good,
                                                                 total=len(run.checks)))

    def _status(self, passed: bool | None, text: str) -> None:
        found = self.query("#exercise-status")
        if not found:
            return
        status = found.first(Static)
        status.update(Text(text))
        status.set_class(passed is True, "-passed")
        status.set_class(passed is None, "-busy")

    # -- the reference solution ----------------------------------------------------------------
    def action_give_up(self) -> None:
        self._reveal()

    def _reveal(self) -> None:
        if self.exercise is None:
            return
        box = self.query_one("#exercise-solution", Vertical)
        if box.children:
            return
        code = Syntax(catalog.reference_text(self.exercise), "python", line_numbers=False)
        box.mount(Collapsible(Static(code), title=_("Reference solution"), collapsed=False))
