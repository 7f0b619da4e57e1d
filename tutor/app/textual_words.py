"""The descriptions of Textual's own key bindings (screens, tables, text boxes, editors...),
marked here so that the catalog translates them where the help and the footer show them
(`tutor.app.keys.translated` looks every description up).

Textual declares them in English in its widgets' BINDINGS; these must match its words
exactly. A description missing here is shown as Textual wrote it."""

from __future__ import annotations

from tutor.i18n import N_

WORDS = (
    # Screen, ModalScreen, App
    N_("Focus Next"), N_("Focus Previous"), N_("Copy selected text"), N_("Quit"),
    # DataTable, OptionList, scrolling containers
    N_("Cursor up"), N_("Cursor down"), N_("Cursor left"), N_("Cursor right"),
    N_("Page up"), N_("Page down"), N_("Page Up"), N_("Page Down"), N_("Top"), N_("Bottom"),
    N_("Home"), N_("End"), N_("Select"), N_("Up"), N_("Down"), N_("First"), N_("Last"),
    N_("Scroll Up"), N_("Scroll Down"), N_("Scroll Left"), N_("Scroll Right"),
    N_("Scroll Home"), N_("Scroll End"), N_("Page Left"), N_("Page Right"),
    # Button, RadioSet, SelectionList, Tabs
    N_("Press button"), N_("Toggle"), N_("Next option"), N_("Previous option"),
    N_("Toggle option"), N_("Next tab"), N_("Previous tab"),
    # Input
    N_("Cut selected text"), N_("Paste text from the clipboard"), N_("Select all"),
    N_("Submit"), N_("Go to start"), N_("Go to end"), N_("Move cursor left"),
    N_("Move cursor right or accept the completion suggestion"),
    N_("Move cursor left a word"), N_("Move cursor right a word"),
    N_("Move cursor left and select"), N_("Move cursor right and select"),
    N_("Move cursor left a word and select"), N_("Move cursor right a word and select"),
    N_("Select line start"), N_("Select line end"), N_("Delete character left"),
    N_("Delete character right"), N_("Delete left to start of word"),
    N_("Delete right to start of word"), N_("Delete all to the left"),
    N_("Delete all to the right"),
    # TextArea
    N_("Copy"), N_("Cut"), N_("Paste"), N_("Undo"), N_("Redo"), N_("Select line"),
    N_("Delete line"), N_("Delete to line start"), N_("Delete to line end"),
    N_("Cursor word left"), N_("Cursor word right"), N_("Cursor line start"),
    N_("Cursor line end"), N_("Cursor page up"), N_("Cursor page down"),
    N_("Cursor up select"), N_("Cursor down select"), N_("Cursor left select"),
    N_("Cursor right select"), N_("Cursor left word select"), N_("Cursor right word select"),
    N_("Cursor line start select"), N_("Cursor line end select"),
    # the command palette's own commands (App.get_system_commands) and its search box
    N_("Search for commands…"), N_("Theme"), N_("Change the current theme"),
    N_("Quit the application as soon as possible"), N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"), N_("Minimize the widget and restore to normal size"), N_("Maximize"),
    N_("Maximize the focused widget"), N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
)
