"""Views of the non-quiz steps: read, a live panel, and a task checked on a panel's result."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Collapsible, Markdown, Static

from tutor.app.engines import EngineHub
from tutor.app.panels import panel_class
from tutor.app.panels.base import Panel
from tutor.app.widgets.prose import sentence, whole_numbers
from tutor.course.panels import PANELS
from tutor.course.rules import Outcome, all_pass, evaluate
from tutor.course.schema import PanelStep, TaskStep
from tutor.i18n import _


def build_panel(panel_id: str, hub: EngineHub, inputs: dict[str, object]) -> Widget:
    """The live panel for an id, or a placeholder that says why it cannot be shown."""
    title = _(PANELS[panel_id].title) if panel_id in PANELS else panel_id
    try:
        cls = panel_class(panel_id)
    except Exception as err:  # a panel module that fails to import must not take the lesson
        return Static(Text(_("The live panel '{id}' ({title}) could not be opened: {error}")
                           .format(id=panel_id, title=title, error=err)),
                      classes="panel-placeholder -error")
    if cls is None:
        return Static(Text(_("The live panel '{id}' ({title}) is not available in this "
                             "version yet. Read on: the rest of the lesson works without it.")
                           .format(id=panel_id, title=title)),
                      classes="panel-placeholder")
    try:
        return cls(hub, inputs=dict(inputs))
    except Exception as err:
        return Static(Text(_("The live panel '{id}' ({title}) could not be opened: {error}")
                           .format(id=panel_id, title=title, error=err)),
                      classes="panel-placeholder -error")


class PanelView(Vertical):
    def __init__(self, step: PanelStep, hub: EngineHub) -> None:
        super().__init__(classes="panel-step")
        self.step = step
        self.hub = hub

    def compose(self) -> ComposeResult:
        if self.step.body:
            yield Markdown(whole_numbers(self.step.body), classes="step-text")
        yield build_panel(self.step.panel, self.hub, self.step.inputs)


class TaskView(Vertical):
    class Passed(Message):
        def __init__(self, step_id: str) -> None:
            super().__init__()
            self.step_id = step_id

    def __init__(self, step: TaskStep, hub: EngineHub, done: bool = False) -> None:
        super().__init__(classes="task-step")
        self.step = step
        self.hub = hub
        self.done = done

    def compose(self) -> ComposeResult:
        yield Markdown(_("**Task:** {goal}").format(goal=whole_numbers(self.step.goal)),
                       classes="step-text task-goal")
        if self.step.hint:
            with Collapsible(title=_("Hint"), collapsed=True):
                yield Static(self.step.hint)
        yield Static("", id="task-status")
        yield build_panel(self.step.panel, self.hub, self.step.inputs)

    def on_mount(self) -> None:
        if self.done:
            self._show(True, _("✓ Done.") + " " + sentence(self.step.success or
                                                          _("You completed this task.")))
        else:
            self._show(False, _("Not done yet: use the panel below."))

    def _show(self, passed: bool, text: str) -> None:
        status = self.query_one("#task-status", Static)
        status.update(Text(text))  # the learner's own text may hold [brackets]: no markup
        status.set_class(passed, "-passed")

    def on_panel_result_changed(self, message: Panel.ResultChanged) -> None:
        message.stop()
        spec = PANELS.get(self.step.panel)
        subject = spec.subject if spec is not None else None
        if subject is not None and is_empty(message.result.get(subject)):
            # nothing typed yet: an empty box must never pass (or fail) a rule on its numbers
            if not self.done:
                self._show(False, _("Not done yet: type something in the panel below."))
            return
        outcomes = evaluate(self.step.check, message.result)
        if all_pass(outcomes):
            self._show(True, _("✓ Task passed!") + " " + sentence(self.step.success or ""))
            if not self.done:
                self.done = True
                self.post_message(self.Passed(self.step.id))
        elif self.done:
            self._show(True, _("✓ Done (earlier). Now:") + "\n" + self._words(outcomes))
        else:
            self._show(False, _("Not yet:") + "\n" + self._words(outcomes))

    def _words(self, outcomes: list[Outcome]) -> str:
        spec = PANELS.get(self.step.panel)
        lines = []
        for outcome in outcomes:
            field = spec.results.get(outcome.rule.field) if spec is not None else None
            lines.append(outcome.describe(field.description if field is not None else None))
        return "\n".join(lines)


def is_empty(value: object) -> bool:
    """Whether the learner has typed nothing: "", whitespace, or a list of such texts."""
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return all(is_empty(v) for v in value)
    return value is None
