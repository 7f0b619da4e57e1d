"""What every live panel shares: a stable id, preset inputs, and a result dict for tasks."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.message import Message
from textual.widget import Widget

from tutor.app.engines import EngineHub
from tutor.course.panels import PANELS, PanelSpec


class Panel(Widget):
    """Base class of the live panels.

    A panel is built with the app's EngineHub and the inputs a lesson step presets
    (names and types from `tutor.course.panels.PANELS[PANEL_ID].inputs`). Whenever what the
    learner has done changes the panel's result, it posts `Panel.ResultChanged` with a dict
    holding the fields of `PANELS[PANEL_ID].results`; task steps check their rules on it.
    Model work runs in thread workers; a panel never imports torch.
    """

    PANEL_ID: ClassVar[str] = ""

    class ResultChanged(Message):
        def __init__(self, panel: Panel, result: dict[str, Any]) -> None:
            super().__init__()
            self.panel = panel
            self.panel_id = panel.PANEL_ID
            self.result = result

    def __init__(self, hub: EngineHub, inputs: dict[str, Any] | None = None, *,
                 name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.hub = hub
        self.inputs: dict[str, Any] = dict(inputs or {})
        self._result: dict[str, Any] = {}

    @classmethod
    def spec(cls) -> PanelSpec:
        return PANELS[cls.PANEL_ID]

    @property
    def result(self) -> dict[str, Any]:
        return dict(self._result)

    def publish(self, result: dict[str, Any]) -> None:
        """Record the panel's new result and tell the lesson player."""
        self._result = dict(result)
        self.post_message(self.ResultChanged(self, self.result))
