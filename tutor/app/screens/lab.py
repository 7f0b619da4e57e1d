"""The Lab: every live panel in tabs, for free play outside the lessons.

A panel is built the first time its tab is opened, so opening the Lab asks no model
anything until the learner picks a panel.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane, Tabs

from tutor.app.engines import EngineHub
from tutor.app.keys import StepKeys, escape_bindings
from tutor.app.panels import panel_class
from tutor.app.panels.base import Panel
from tutor.course.panels import PANELS
from tutor.i18n import N_, _

# Tab order: the order of `PANELS`, from text to tokens, to vectors and attention, to
# predictions and generation.
ORDER = list(PANELS)


class LabPane(TabPane):
    """A Lab tab that does not pull itself to the front when something inside it is focused.

    TabbedContent shows the pane of any widget that receives focus. The Lab focuses a
    panel's text box just after its tab opens; if the learner has already pressed on to
    another tab by then, that late focus would bring the old tab back under their keys.
    """

    def on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        event.stop()


PANEL_KEYS = Binding.Group(N_("Panels"))


class LabScreen(StepKeys):
    CSS_PATH = "lab.tcss"
    TITLE = N_("Lab")
    BINDINGS: ClassVar = [
        *escape_bindings(N_("Back"), "lab.back"),
        # alt+digit does not survive every terminal: many send alt as an escape prefix, and
        # escape + 3 reaches the app as "£" (seen in tmux); ctrl+page keys arrive everywhere
        # priority: a panel's text area would otherwise take them as typing
        Binding("ctrl+pagedown", "next_tab(1)", N_("Next panel"), key_display="^PgDn",
                id="lab.next", priority=True, group=PANEL_KEYS),
        Binding("ctrl+pageup", "next_tab(-1)", N_("Previous panel"), key_display="^PgUp",
                id="lab.previous", priority=True, group=PANEL_KEYS),
        *[Binding(f"alt+{i}", f"show_tab('{pid}')", PANELS[pid].title, show=False,
                  id=f"lab.tab{i}", priority=True) for i, pid in enumerate(ORDER, start=1)],
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="lab-tabs"):
            for i, panel_id in enumerate(ORDER, start=1):
                with LabPane(f"{i} {_(PANELS[panel_id].title)}", id=f"lab-{panel_id}"):
                    yield VerticalScroll(classes="lab-pane")
        # compact, and ^p lives in the help: the footer must fit 80 columns with a
        # panel's keys in it
        yield Footer(compact=True, show_command_palette=False)

    @property
    def hub(self) -> EngineHub:
        return self.app.hub  # type: ignore[attr-defined, no-any-return]

    def key_panel(self) -> Widget | None:
        active = self.query_one(TabbedContent).active
        if not active:
            return None
        return next(iter(self.query(f"#{active} .lab-pane").first().query(Panel)), None)

    def on_mount(self) -> None:
        self.title = _(self.TITLE)  # declared before the learner's language was chosen
        self._open(ORDER[0])
        self.call_after_refresh(self.refresh_bindings)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        panel_id = (event.pane.id or "").removeprefix("lab-")
        self._open(panel_id)
        # the new panel's keys work at once (StepKeys), whatever has the focus; a focus
        # left in the hidden tab would only hide the keys of the field it was in
        focused = self.focused
        if focused is not None and not isinstance(focused, Tabs) and \
                event.pane not in focused.ancestors:
            self.set_focus(None)
        self.call_after_refresh(self.refresh_bindings)  # the footer offers its keys

    def action_show_tab(self, panel_id: str) -> None:
        self.query_one(TabbedContent).active = f"lab-{panel_id}"

    def action_next_tab(self, step: int) -> None:
        current = self.query_one(TabbedContent).active.removeprefix("lab-")
        index = ORDER.index(current) if current in ORDER else 0
        self.action_show_tab(ORDER[(index + step) % len(ORDER)])

    def _open(self, panel_id: str) -> None:
        """Build a tab's panel on first view; a panel that fails to build says why, in place."""
        box = self.query_one(f"#lab-{panel_id} .lab-pane", VerticalScroll)
        if box.children:
            return
        try:
            cls = panel_class(panel_id)
            widget = (cls(self.hub, {}, id=f"lab-panel-{panel_id}") if cls is not None
                      else Static(_("The {panel} panel is not available.").format(
                          panel=_(PANELS[panel_id].title)), classes="lab-missing"))
        except Exception as err:  # the other tabs must keep working
            widget = Static(_("The {panel} panel could not open: {error}").format(
                panel=_(PANELS[panel_id].title), error=err), classes="lab-missing")
        box.mount(widget)
