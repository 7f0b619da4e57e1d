"""The live panels, by the stable id lessons use (declared in `tutor.course.panels.PANELS`).

The widget of panel `some-id` is the `Panel` subclass with `PANEL_ID = "some-id"` in the
module `tutor.app.panels.some_id`, imported only when the panel is first opened.
"""

from __future__ import annotations

from importlib import import_module

from tutor.app.panels.base import Panel
from tutor.course.panels import PANELS


def panel_class(panel_id: str) -> type[Panel] | None:
    """The widget class for a panel id, or None when no widget implements it (yet)."""
    if panel_id not in PANELS:
        return None
    try:
        module = import_module(f"tutor.app.panels.{panel_id.replace('-', '_')}")
    except ModuleNotFoundError as err:
        if err.name and err.name.startswith("tutor.app.panels."):
            return None
        raise
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, Panel) and panel_id == value.PANEL_ID:
            return value
    return None
