"""The glossary (g): the course's terms in English and Korean, searchable, with definitions."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Markdown, OptionList
from textual.widgets.option_list import Option

from tutor import i18n
from tutor.app.keys import TranslatedKeys
from tutor.course.glossary import Term, load_glossary
from tutor.i18n import N_, _


class GlossaryScreen(TranslatedKeys, ModalScreen[None]):
    CSS_PATH = "glossary.tcss"
    BINDINGS = [
        Binding("escape", "close", N_("Close"), id="glossary.close"),
    ]

    def __init__(self, term_id: str | None = None, lesson_titles: dict[str, str] | None = None
                 ) -> None:
        super().__init__()
        self.glossary = load_glossary()
        self.start = term_id
        self.lesson_titles = lesson_titles or {}
        self.shown: list[Term] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="glossary-box"):
            yield Input(placeholder=_("Search a term, in English or Korean"), id="glossary-search")
            yield OptionList(id="glossary-terms")
            yield Markdown("", id="glossary-entry")

    def on_mount(self) -> None:
        self._fill("")
        terms = self.query_one("#glossary-terms", OptionList)
        if self.start is not None:
            index = next((i for i, t in enumerate(self.shown) if t.id == self.start), 0)
            terms.highlighted = index
            terms.focus()
        else:
            self.query_one("#glossary-search", Input).focus()

    def _fill(self, query: str) -> None:
        lang = i18n.current()
        self.shown = self.glossary.search(query)
        terms = self.query_one("#glossary-terms", OptionList)
        terms.clear_options()
        terms.add_options(Option(f"{t.name(lang)} · {t.other_name(lang)}", id=t.id)
                          for t in self.shown)
        if self.shown:
            terms.highlighted = 0
        self._show(self.shown[0] if self.shown else None)

    def _show(self, term: Term | None) -> None:
        entry = self.query_one("#glossary-entry", Markdown)
        if term is None:
            entry.update(_("No term matches."))
            return
        lang = i18n.current()
        other = "en" if lang == "ko" else "ko"
        lesson = self.lesson_titles.get(term.lesson, term.lesson)
        entry.update(f"**{term.name(lang)}** ({term.other_name(lang)})\n\n"
                     f"{term.definition(lang)}\n\n"
                     f"_{term.definition(other)}_\n\n"
                     + _("Introduced in: {lesson}").format(lesson=lesson))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.shown:
            self.query_one("#glossary-terms", OptionList).focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index is not None and 0 <= event.option_index < len(self.shown):
            self._show(self.shown[event.option_index])

    def action_close(self) -> None:
        self.dismiss(None)
