"""What every live panel shares: a stable id, preset inputs, and a result dict for tasks."""

from __future__ import annotations

import functools
import inspect
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from tutor.app.engines import EngineHub
from tutor.course.panels import PANELS, PanelSpec
from tutor.engine import get_spec
from tutor.i18n import _


def panel_css(module_file: str) -> str:
    """The styles in the .tcss file beside a panel module.

    Panels appear inside lesson screens as well as the Lab, so their styles travel with the
    widget (as DEFAULT_CSS) while still living in a .tcss file.
    """
    path = Path(module_file).with_suffix(".tcss")
    return path.read_text(encoding="utf-8") if path.exists() else ""


class Panel(Widget):
    """Base class of the live panels.

    A panel is built with the app's EngineHub and the inputs a lesson step presets
    (names and types from `tutor.course.panels.PANELS[PANEL_ID].inputs`). Whenever what the
    learner has done changes the panel's result, it posts `Panel.ResultChanged` with a dict
    holding the fields of `PANELS[PANEL_ID].results`; task steps check their rules on it.
    Model work runs in thread workers; a panel never imports torch.

    Subclasses build their widgets in `compose_panel()`. If building them, handling any
    message (mount, input, a worker's answer) or running a key's action raises, the panel is
    replaced by a sentence saying so: one panel's bug must not end the learner's session.
    The guard wraps each `on_*` handler and `action_*` method a panel class defines (see
    `__init_subclass__`), so it relies on Textual's public naming convention only.
    """

    PANEL_ID: ClassVar[str] = ""
    DEFAULT_CSS = panel_css(__file__)

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
        self._failed = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Textual would end the app on an exception in a handler or an action
        for name, method in list(vars(cls).items()):
            if inspect.isfunction(method) and name.startswith(("on_", "action_")):
                setattr(cls, name, _guarded(method))

    def compose(self) -> ComposeResult:
        try:
            yield from self.compose_panel()
        except Exception as err:
            self._log_failure(err)
            self._failed = True
            yield self._failure_notice(err)

    def compose_panel(self) -> ComposeResult:
        yield from ()

    def accepts(self, message: Message) -> bool:
        """Whether this panel's handlers should see `message` (LivePanel drops stale answers)."""
        return True

    async def _fail(self, err: Exception) -> None:
        self._log_failure(err)
        if self._failed:
            return  # its notice is already up
        self._failed = True
        self.workers.cancel_node(self)
        await self.remove_children()
        await self.mount(self._failure_notice(err))

    def _failure_notice(self, err: Exception) -> Static:
        title = _(self.spec().title) if self.PANEL_ID in PANELS else type(self).__name__
        return Static(_("The {panel} panel stopped: {error}\nThe rest of the tutor still works.")
                      .format(panel=title, error=f"{type(err).__name__}: {err}"),
                      classes="panel-failed", markup=False)

    def _log_failure(self, err: Exception) -> None:
        # the traceback is for a maintainer (`textual console`), never for the screen
        self.log.error("".join(traceback.format_exception(err)))

    def model_title(self, role: str) -> str:
        """The name of the model in `role` as the learner reads it (one has words to
        translate: "tutor-dates (our own encoder-decoder)")."""
        return _(get_spec(self.hub.names[role]).title)  # type: ignore[index]

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


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """A handler or action that fails its panel instead of the app (SkipAction still passes
    through: Textual uses it to try the next binding). A handler sees only the messages the
    panel `accepts`. functools.wraps keeps the signature Textual counts parameters of."""
    if inspect.iscoroutinefunction(method):
        @functools.wraps(method)
        async def run_async(self: Panel, *args: Any, **kwargs: Any) -> Any:
            if args and isinstance(args[0], Message) and not self.accepts(args[0]):
                return None
            try:
                return await method(self, *args, **kwargs)
            except SkipAction:
                raise
            except Exception as err:
                await self._fail(err)
                return None
        return run_async

    @functools.wraps(method)
    def run(self: Panel, *args: Any, **kwargs: Any) -> Any:
        if args and isinstance(args[0], Message) and not self.accepts(args[0]):
            return None
        try:
            return method(self, *args, **kwargs)
        except SkipAction:
            raise
        except Exception as err:
            self.call_later(self._fail, err)
            return None
    return run
