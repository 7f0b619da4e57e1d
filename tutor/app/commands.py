"""Command palette entries (ctrl+p): open or reset a lesson, switch theme, open the lab."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Provider

from tutor.i18n import _

if TYPE_CHECKING:
    from tutor.app.app import TutorApp


class TutorCommands(Provider):
    @property
    def tutor(self) -> TutorApp:
        return cast("TutorApp", self.app)

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.tutor
        commands: list[tuple[str, Callable[[], object], str]] = []
        for entry in app.course.entries:
            if entry.ok:
                commands.append((_("Open lesson: {title}").format(title=entry.title),
                                 partial(app.open_lesson, entry.id),
                                 _("Jump to this lesson, where you left off")))
        started = app.store.all()
        for entry in app.course.entries:
            if entry.id in started:
                commands.append((_("Reset lesson: {title}").format(title=entry.title),
                                 partial(app.confirm_reset, entry.id),
                                 _("Forget this lesson's answers and position (asks first)")))
        commands += [
            (_("Theme: dark"), partial(app.set_theme, "dark"), _("Switch to the dark theme")),
            (_("Theme: light"), partial(app.set_theme, "light"), _("Switch to the light theme")),
            (_("Open the lab"), app.action_lab, _("Every live panel, to play freely")),
            (_("Show keys (help)"), app.action_help, _("List every key binding")),
            # named in both languages, so a learner finds it whichever one is on screen
            ("Glossary / 용어집", app.action_glossary,
             _("Every term of the course, in English and Korean")),
        ]
        other = "English" if app.language == "ko" else "한국어"
        commands.append((f"Language / 언어: {other}", app.action_switch_language,
                         _("Restart the course in the other language (your place is kept)")))
        return commands

    async def discover(self) -> AsyncIterator[DiscoveryHit]:
        for text, command, help_text in self._commands():
            yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        for text, command, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, text=text, help=help_text)
