"""The tutor app: course map first, the model loading behind it, progress saved as it happens.

Nothing here imports torch: the first screen is drawn before a worker thread asks the
engine for the model (which is where torch gets imported).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.driver import Driver
from textual.reactive import reactive
from textual.screen import Screen

from tutor import i18n
from tutor.app import lifeline
from tutor.app.commands import TutorCommands
from tutor.app.engines import EngineHub
from tutor.app.keystorm import KeyStorm, storm_driver
from tutor.app.screens.help import HelpScreen
from tutor.app.screens.lesson import LessonScreen
from tutor.app.screens.map import MapScreen
from tutor.app.screens.name import NameScreen
from tutor.course.glossary import SCHEME
from tutor.course.loader import Course, load_course
from tutor.course.progress import ProgressStore
from tutor.course.translation import Translation, translate_course
from tutor.i18n import N_, _, ngettext
from tutor.serve.learners import ASK_NAME_ENV, NAME_SETTING
from tutor.settings import Settings

THEMES = {"dark": "textual-dark", "light": "textual-light"}


def write_crash_report(error: BaseException, folder: Path) -> Path | None:
    """Write the traceback to the data directory; None when even that fails."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        report = folder / f"crash-{time.strftime('%Y%m%d-%H%M%S')}.txt"
        report.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
        return report
    except OSError:
        return None


class TutorApp(App[None]):
    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute: subclasses live elsewhere
    TITLE = "llm-tutor"
    SUB_TITLE = N_("how transformer language models work")
    COMMANDS = App.COMMANDS | {TutorCommands}
    # q and l work everywhere but the map alone shows them in the footer (see MapScreen):
    # elsewhere the footer's room goes to the keys of the step, and the help lists these
    BINDINGS = [
        Binding("q", "quit", N_("Quit"), show=False, id="app.quit"),
        Binding("question_mark,f1", "help", N_("Help"), key_display="?", id="app.help"),
        Binding("l", "lab", N_("Lab"), show=False, id="app.lab"),
        Binding("g", "glossary", N_("Glossary"), show=False, id="app.glossary"),
        Binding("ctrl+t", "toggle_theme", N_("Theme"), show=False, id="app.theme"),
    ]
    # seconds after the first screen is drawn before the model load starts: importing torch
    # holds the interpreter for a while, and the learner should see the map first
    MODEL_LOAD_DELAY = 0.3
    # seconds between checks that the terminal is still there (see watch_terminal)
    TERMINAL_CHECK = 1.0
    # seconds an ending app may take before the process is ended regardless (lifeline)
    EXIT_GRACE = 10.0
    GONE_GRACE = 2.0

    # the text is an N_() message, translated by ModelStatus when it is shown
    model_state: reactive[tuple[str, str]] = reactive(("idle", N_("not loaded yet")))
    crash_report: Path | None = None
    finished_lesson: str | None = None  # set when a lesson ends; the map moves past it
    restart_language: str | None = None  # set when the learner switched language

    def __init__(self, *, settings: Settings | None = None, lessons_path: Path | None = None,
                 hub: EngineHub | None = None, store: ProgressStore | None = None,
                 load_model: bool = True, language: str | None = None) -> None:
        """`settings` defaults to `Settings.load()`: the config file and TUTOR_* variables
        (the command line builds them with its flags and passes them in)."""
        super().__init__()
        self.settings = settings or Settings.load()
        self.lessons_path = lessons_path or self.settings.lessons_dir
        self.hub = hub or EngineHub(self.settings)
        self.store = store or ProgressStore.open(self.settings.progress_path)
        # the CLI has chosen (i18n.resolve); every word on screen is looked up when it is
        # shown (key labels too: see tutor.app.keys.translated), so switching here is enough
        self.language = i18n.normalise(language) or i18n.current()
        i18n.use(self.language)
        self.sub_title = _(self.SUB_TITLE)
        self.translation: Translation | None = None
        self.course: Course = self._load_course()
        self.load_model_on_start = load_model
        self.storm = KeyStorm(self)

    def _load_course(self) -> Course:
        if not self.lessons_path.is_dir():
            return load_course([])
        english = load_course(self.lessons_path)
        if self.language == i18n.DEFAULT:
            return english
        self.translation = translate_course(english, self.lessons_path, self.language)
        return self.translation.course

    def untranslated(self, lesson_id: str, step_id: str) -> bool:
        """Whether this step is shown in English although another language was chosen."""
        return self.translation is not None and self.translation.untranslated(lesson_id, step_id)

    def on_mount(self) -> None:
        # remapped keys from the settings' [keymap] table (binding ids: docs/settings.md)
        self.set_keymap(dict(self.settings.keymap))
        theme = self.settings.theme or self.store.setting("theme")
        if theme in THEMES:
            self.theme = THEMES[theme]
        self.push_screen(MapScreen())
        if os.environ.get(ASK_NAME_ENV) and not self.store.setting(NAME_SETTING):
            self.push_screen(NameScreen(), self._learner_named)
        for notice in self.store.notices:
            self.notify(notice, title=_("Progress"), severity="warning", timeout=12)
        broken = [e for e in self.course.entries if e.errors]
        if broken:
            self.notify(ngettext("{count} lesson file has errors and is marked broken; "
                                 "`tutor check` lists it.",
                                 "{count} lesson files have errors and are marked broken; "
                                 "`tutor check` lists them.", len(broken)).format(
                                     count=len(broken)), severity="warning", timeout=8)
        if self.load_model_on_start:
            self.call_after_refresh(self.set_timer, self.MODEL_LOAD_DELAY, self.start_model_load)
        stdin = sys.__stdin__
        if not self.is_headless and stdin is not None and os.isatty(stdin.fileno()):
            self.watch_terminal(stdin.fileno())
            self.install_hangup()

    def install_hangup(self) -> None:
        """End on SIGHUP even when the parent ignores it.

        A shell started with `trap "" HUP` (or nohup) passes the ignored disposition on,
        and the tutor would outlive its terminal holding half a gigabyte."""
        import asyncio
        import signal

        if not hasattr(signal, "SIGHUP"):
            return
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.terminal_gone)

    def terminal_gone(self) -> None:
        """The terminal is gone: end now, and for certain (progress is already saved)."""
        self.exit()
        if not self.is_headless:  # under a test harness the process is the harness's
            lifeline.arm(self.GONE_GRACE)  # no terminal to put back in order

    def exit(self, *args: Any, **kwargs: Any) -> None:
        super().exit(*args, **kwargs)
        if not self.is_headless:
            # a worker still in a model call would hold the interpreter at exit (asyncio
            # joins its threads without a timeout); everything is saved, so do not wait long
            lifeline.arm(self.EXIT_GRACE, last_words=self._restore_terminal)

    def get_driver_class(self) -> type[Driver]:
        return storm_driver(super().get_driver_class())

    def _restore_terminal(self) -> None:
        """Leave raw mode and the alternate screen, for a process ended by the lifeline."""
        if self._driver is not None:
            self._driver.stop_application_mode()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and self.storm.take(event):
            return
        if isinstance(event, events.Paste) and not event.is_forwarded \
                and self.storm.take_paste(event):
            return
        await super().on_event(event)

    def _learner_named(self, name: str | None) -> None:
        if name:
            self.store.set_setting(NAME_SETTING, name)
            self.notify(_("Welcome, {name}. Your progress is saved on this server.").format(
                name=name), title=_("Classroom"))

    def watch_terminal(self, fd: int) -> None:
        """Quit once the terminal on `fd` is gone (progress is already saved).

        Closing a tmux pane or losing an SSH link sends SIGHUP to the shell and to `make`,
        which do not pass it on to the tutor; the tutor then reads end-of-file from a dead
        terminal, and Textual's input thread spins on it at 100% CPU, for ever."""
        def check() -> None:
            if not os.isatty(fd):
                self.terminal_gone()

        self.set_interval(self.TERMINAL_CHECK, check)

    def on_unmount(self) -> None:
        self.store.close()

    def _handle_exception(self, error: Exception) -> None:
        # progress is already committed; keep the details for a bug report, then let
        # Textual end the app as usual
        self.crash_report = write_crash_report(error, self.settings.data_dir)
        super()._handle_exception(error)

    # -- the model --------------------------------------------------------------------------
    def start_model_load(self) -> None:
        self.model_state = ("loading", _("loading {model}…").format(
            model=self.hub.names["decoder"]))
        self._load_model()

    @work(thread=True, exclusive=True, group="model-load")
    def _load_model(self) -> None:
        from tutor.engine import EngineError

        engine = self.hub.decoder()
        try:
            facts = engine.load()
        except EngineError as err:  # ModelMissing says how to fetch the weights
            state = ("missing", str(err))
        except Exception as err:  # never a traceback on screen
            state = ("error", _("{model} failed to load: {error}").format(model=engine.name,
                                                                          error=err))
        else:
            where = "GPU" if str(facts.device).startswith("cuda") else str(facts.device).upper()
            state = ("ready", _("{model} ready on {where} ({device})").format(
                model=engine.name, where=where, device=facts.device))
        self.call_from_thread(setattr, self, "model_state", state)

    # -- actions ------------------------------------------------------------------------------
    def open_lesson(self, lesson_id: str) -> None:
        lesson = self.course.lesson(lesson_id)
        if lesson is None:
            self.notify(_("Lesson '{lesson}' cannot be opened.").format(lesson=lesson_id),
                        severity="error")
            return
        # from the palette the learner may be inside another lesson: go back to the map first
        while isinstance(self.screen, LessonScreen):
            self.pop_screen()
        # a lesson's screen is installed, so leaving it keeps what its panels computed
        name = f"lesson:{lesson_id}"
        if not self.is_screen_installed(name):
            self.install_screen(LessonScreen(lesson), name)
        self.push_screen(name)

    def confirm_reset(self, lesson_id: str) -> None:
        """Ask first: a reset forgets every answer of the lesson."""
        from tutor.app.screens.confirm import ConfirmScreen

        lesson = self.course.lesson(lesson_id)
        title = lesson.title if lesson is not None else lesson_id

        def answered(yes: bool | None) -> None:
            if yes:
                self.reset_lesson(lesson_id)

        self.push_screen(ConfirmScreen(
            _("Forget your answers and your place in “{title}”?").format(title=title),
            _("Reset")), answered)

    def reset_lesson(self, lesson_id: str) -> None:
        if isinstance(self.screen, LessonScreen) and self.screen.lesson.id == lesson_id:
            self.pop_screen()
        name = f"lesson:{lesson_id}"
        if self.is_screen_installed(name):  # a fresh start, panels included
            old = self.get_screen(name)
            self.uninstall_screen(name)
            old.remove()
        self.store.reset(lesson_id)
        if isinstance(self.screen, MapScreen):
            self.screen.refresh_course()
        self.notify(_("Progress of '{lesson}' cleared.").format(lesson=lesson_id))

    def set_theme(self, name: str) -> None:
        self.theme = THEMES[name]
        self.store.set_setting("theme", name)

    def action_toggle_theme(self) -> None:
        self.set_theme("light" if self.current_theme.dark else "dark")

    def action_command_palette(self) -> None:
        # Textual's palette, with its search box in the learner's language
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette",
                                            placeholder=_("Search for commands…")))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        # Textual's own commands (theme, keys, screenshot...): their words are in the
        # catalog (tutor.app.textual_words)
        for command in super().get_system_commands(screen):
            yield command._replace(title=_(command.title), help=_(command.help))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_switch_language(self) -> None:
        """Save the other language and restart in it; the CLI relaunches the tutor at once.

        A fresh start rebuilds every screen, lesson and panel in the new language at once;
        the learner's place is already saved."""
        self.restart_language = "en" if self.language == "ko" else "ko"
        self.store.set_setting("language", self.restart_language)
        self.exit()

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        # a lesson's [term](glossary:id) link opens the glossary at that term, not a browser
        if url.startswith(SCHEME):
            self.action_glossary(url.removeprefix(SCHEME))
            return
        super().open_url(url, new_tab=new_tab)

    def action_glossary(self, term_id: str | None = None) -> None:
        from tutor.app.screens.glossary import GlossaryScreen

        if not isinstance(self.screen, GlossaryScreen):
            titles = {e.id: e.title for e in self.course.entries}
            self.push_screen(GlossaryScreen(term_id, titles))

    def action_lab(self) -> None:
        try:
            from tutor.app.screens.lab import LabScreen
        except Exception as err:  # the lab is optional: a broken one must not end the course
            self.notify(_("The lab is not available: {error}").format(error=err),
                        severity="error")
            return
        if isinstance(self.screen, LabScreen):
            return
        try:
            self.push_screen(LabScreen())
        except Exception as err:
            self.notify(_("The lab could not open: {error}").format(error=err),
                        severity="error")
