"""The tutor's key model (docs/keys.md): a step's panel keys work from anywhere on the step,
escape goes back one level at a time, and the help lists exactly the keys that work now.

Textual looks up a key's binding along the focus chain: the focused widget, its ancestors,
the screen, the app. A panel's keys would therefore work only while something inside the
panel has the focus, which nothing on screen tells the learner. `StepKeys` puts the panel
of the step on screen into that chain just before the screen, wherever the focus is; a text
field keeps the keys it types with (Textual's own rule for its ancestors, applied to the
panel too), so `m` typed into a prompt stays an `m`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual.binding import ActiveBinding, Binding, BindingsMap
from textual.dom import DOMNode
from textual.keys import key_to_character
from textual.screen import Screen
from textual.widget import Widget

from tutor.i18n import N_, _

if TYPE_CHECKING:
    from textual.app import App


def translated(binding: Binding) -> Binding:
    """`binding` with its description (and its group's) in the learner's language.

    Bindings are declared at class level with N_(), when their module is imported, before
    the learner's language is known; the words are looked up when they are shown."""
    group = binding.group
    if group is not None and group.description:
        group = replace(group, description=_(group.description))
    return replace(binding, description=_(binding.description) if binding.description else "",
                   tooltip=_(binding.tooltip) if binding.tooltip else "", group=group)


class TranslatedKeys:
    """Mix into a Screen: the footer and Textual's key panel show the keys' descriptions in
    the learner's language (both read `Screen.active_bindings`)."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        active: dict[str, ActiveBinding] = super().active_bindings  # type: ignore[misc]
        return {key: ActiveBinding(node, translated(binding), enabled,
                                   _(tooltip) if tooltip else tooltip)
                for key, (node, binding, enabled, tooltip) in active.items()}


class StepKeys(TranslatedKeys, Screen[None]):
    """A screen whose current panel's bindings work wherever the focus is on the screen."""

    # the screen decides what has the focus on arrival; Textual's default would put it in
    # the first text box, where the panel's and the screen's letter keys become typing
    AUTO_FOCUS = ""

    def key_panel(self) -> Widget | None:
        """The panel whose keys the screen offers now (None: no panel on screen)."""
        return None

    @property
    def _binding_chain(self) -> list[tuple[DOMNode, BindingsMap]]:
        chain = super()._binding_chain
        panel = self.key_panel()
        if panel is None or not panel.is_attached or any(node is panel for node, _ in chain):
            return chain
        bindings = panel._bindings.copy()
        focused = self.focused
        if focused is not None:  # a text field keeps the keys it types with
            for key in list(bindings.key_to_bindings):
                if focused.check_consume_key(key, key_to_character(key)):
                    del bindings.key_to_bindings[key]
        keymap = self.app._keymap
        if keymap:
            bindings.apply_keymap(keymap)
        at = next((i for i, (node, _) in enumerate(chain) if node is self), len(chain))
        chain.insert(at, (panel, bindings))
        return chain

    # -- escape: one level back ---------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_focus":
            return self.focused is not None
        if action == "back":
            return self.focused is None
        return True

    def action_leave_focus(self) -> None:
        """Out of a field or a panel's widget; the next escape goes back a screen."""
        self.set_focus(None)

    def action_back(self) -> None:
        self.app.pop_screen()


# The escape pair every step screen binds: the first one that applies runs and is shown.
def escape_bindings(back: str, back_id: str) -> list[Binding]:
    """`back` is marked with N_() by the caller and translated where it is shown."""
    return [
        Binding("escape", "leave_focus", N_("Leave field"), id="focus.leave"),
        Binding("escape", "back", back, id=back_id),
    ]


@dataclass(frozen=True, slots=True)
class KeyRow:
    where: str  # "This panel", "This screen", "Everywhere", or a widget's name
    keys: str
    description: str


PALETTE = N_("Command palette: open or reset a lesson, theme")


# the focused widgets whose keys the help lists, by class name (others keep their own name)
WIDGET_NAMES = {
    "Exercise": N_("Exercise"), "AnswerInput": N_("Answer box"), "Input": N_("Text box"),
    "TextArea": N_("Editor"), "RadioSet": N_("Choices"), "SelectionList": N_("Choices"),
    "DataTable": N_("Table"), "OptionList": N_("List"), "Button": N_("Button"),
    "Collapsible": N_("Fold"), "Tabs": N_("Tabs"), "VerticalScroll": N_("Scroll area"),
    "ScrollableContainer": N_("Scroll area"), "Markdown": N_("Text"),
}


def where_label(node: DOMNode, screen: Screen[object]) -> str:
    from tutor.app.panels.base import Panel

    if isinstance(node, Panel):
        return _("{panel} panel").format(panel=_(node.spec().title))
    if node is screen:
        return _("This screen")
    if node is screen.app:
        return _("Everywhere")
    name = node.__class__.__name__.removesuffix("View")  # "ExerciseView" -> "Exercise"
    return _(WIDGET_NAMES[name]) if name in WIDGET_NAMES else name


def active_keys(screen: Screen[object]) -> list[KeyRow]:
    """Every key that works on `screen` now, with what it does, in the order Textual tries
    them (the first binding of a key wins; disabled ones are left out)."""
    app: App[object] = screen.app
    seen: set[str] = set()
    rows: dict[tuple[str, str], list[str]] = {}
    chain = screen._modal_binding_chain
    # Textual tries priority bindings first, from the app down, then the rest from the
    # focused widget up; the first binding that runs takes the key
    passes = [(list(reversed(chain)), True), (chain, False)]
    for nodes, priority in passes:
        for namespace, bindings in nodes:
            for key, binding in bindings:
                if binding.priority != priority:
                    continue
                _add(app, screen, namespace, key, binding, seen, rows)
    order = {_("Everywhere"): 2, _("This screen"): 1}
    out = [KeyRow(where, " ".join(dict.fromkeys(keys)), desc)
           for (where, desc), keys in rows.items()]
    return sorted(out, key=lambda r: order.get(r.where, 0))


def _add(app: App[object], screen: Screen[object], namespace: DOMNode, key: str,
         binding: Binding, seen: set[str], rows: dict[tuple[str, str], list[str]]) -> None:
    """Record `binding` as what `key` does, unless an earlier binding took the key."""
    if key in seen or not binding.description or binding.system:
        return
    if not app._check_action_state(binding.action, namespace):
        return
    seen.add(key)
    description = _(PALETTE) if binding.action == "command_palette" else _(binding.description)
    group = (where_label(namespace, screen), description)
    rows.setdefault(group, []).append(app.get_key_display(binding))
