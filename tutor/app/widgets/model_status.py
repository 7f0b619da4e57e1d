"""One line saying where the model stands: loading, ready on a device, or missing."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tutor.i18n import _


class ModelStatus(Static):
    """Mirrors `TutorApp.model_state`; the state is a CSS class so the .tcss colours it."""

    DEFAULT_CSS = """
    ModelStatus { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    ModelStatus.-ready { color: $success; }
    ModelStatus.-missing, ModelStatus.-error { color: $error; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "model_state", self._show, init=True)

    def _show(self, state: tuple[str, str]) -> None:
        kind, text = state
        for name in ("idle", "loading", "ready", "missing", "error"):
            self.set_class(kind == name, f"-{name}")
        # the app's own states come translated, but its first one is declared before the
        # language is chosen (an N_() message): look it up here too
        self.update(Text(_("Model: {state}").format(state=_(text))))
