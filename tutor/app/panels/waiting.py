"""The line at the top of a live panel while it waits: which model it is loading, or how
far a long run has got (tokens done of n).

Shown by the panel's `-busy` class (see waiting.tcss), so it appears and goes the moment a
job starts and ends; its words are refreshed a few times a second while it shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

from tutor.i18n import _

if TYPE_CHECKING:
    from tutor.app.panels.live import LivePanel

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
REFRESH_S = 0.1


def waiting_text(panel: LivePanel, tick: int = 0) -> str:
    """What the panel waits for, in words."""
    spin = SPINNER[tick % len(SPINNER)]
    hub = panel.hub
    loading = [panel.model_title(role) for role in panel.models()
               if not hub.get(role).loaded]
    if loading:
        models = _(" and ").join(loading)
        return f"{spin} " + _("Loading {models}… the first answer after a start waits for the "
                              "model (a few seconds).").format(models=models)
    progress = panel.progress()
    return f"{spin} {progress or _('Working…')}"


class WaitLine(Static):
    SCOPED_CSS = False  # the rule below starts from the panel, outside this widget
    DEFAULT_CSS = """
    WaitLine { display: none; height: auto; padding: 0 1; color: $warning; }
    .-busy > WaitLine { display: block; }
    """

    def __init__(self, panel: LivePanel) -> None:
        super().__init__("", classes="panel-wait", markup=False)
        self.panel = panel
        self.tick = 0

    def on_mount(self) -> None:
        self.set_interval(REFRESH_S, self.refresh_text)

    def refresh_text(self) -> None:
        if not self.panel.has_class("-busy"):
            return
        self.tick += 1
        try:
            text = waiting_text(self.panel, self.tick)
        except Exception:  # a model name the registry does not know: still say something
            text = _("Working…")
        self.update(text)
