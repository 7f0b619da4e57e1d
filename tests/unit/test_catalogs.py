"""The message catalogs: every message of the code is in them, Korean lacks none, the compiled
.mo files match their .po, and no user-visible string in a converted module escapes `_()`."""

from __future__ import annotations

import ast
import contextlib
import gettext
import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tutor.i18n import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}

# Calls whose first argument a learner reads on screen (Textual widgets, Rich renderables,
# plotext's chart labels).
SHOWN = {"notify", "Static", "Label", "Button", "Markdown", "Binding", "Option", "update",
         "ConfirmScreen", "Input", "Hit", "DiscoveryHit", "Text", "from_markup", "Content",
         "Segment", "Rule", "Tab", "TabPane", "Checkbox", "RadioButton", "Link", "Tree",
         "add_column", "title", "xlabel", "ylabel", "show", "JobFailed"}
# Calls all of whose arguments are shown: a row of a table, the pieces of Text.assemble
# (a piece is a string or a (string, style) pair), a panel's notices.
SHOWN_ALL = {"add_row", "assemble", "show_notice"}
# Calls whose string argument may as well be a machine value (a list's append): here a
# string that reads like an id ("tok-decoder", "lesson.next", "--json") is not flagged.
SHOWN_UNLESS_ID = {"append"}
SHOWN_KEYWORDS = {"placeholder", "title", "description", "label", "tooltip", "caption",
                  "subtitle", "header", "footer", "error", "prompt"}
# Attributes and class attributes that Textual draws: `self.border_title = "..."`.
SHOWN_ATTRIBUTES = {"border_title", "border_subtitle", "label", "tooltip", "title",
                    "sub_title", "placeholder", "BORDER_TITLE", "BORDER_SUBTITLE", "TITLE",
                    "SUB_TITLE"}
# Local variables named for what they hold on its way to the screen: `tail = "… more"`.
SHOWN_VARIABLES = {"notice", "caption", "label", "title", "tail", "hint", "message",
                   "summary", "said"}
# A string made only of these characters, with one of the separators, is an id, a CSS
# class or selector, an action, a key or an option ("tok-decoder", "#att-header",
# "lesson.next", "ctrl+q").
_ID = re.compile(r"[A-Za-z0-9_.#:/+-]*[_.#:/+-][A-Za-z0-9_.#:/+-]*")
# Format fields ("{n:.3f}", "%.1f%%") are filled in and markup tags ("[b]", "[/]") styled:
# neither is read as it stands.
_PRINTF = re.compile(r"%(\([^)]*\))?[-+ #0]*\d*(\.\d+)?[a-zA-Z%]")
_MARKUP = re.compile(r"\[/?(b|i|u|s|bold|dim|italic|underline|reverse|strike)?\]")
# Modules of tutor/app whose strings are not yet in the catalog (issue 18: being converted).
# This list may only shrink: the test fails when a module here has become clean.
PENDING: set[str] = set()


def _code_messages() -> set[str]:
    found = extract_from_dir(str(ROOT / "tutor"), method_map=[("**.py", "python")],
                             keywords=KEYWORDS)
    return {message if isinstance(message, str) else message[0]
            for _file, _line, message, _comments, _context in found}


def _catalog(lang: str):
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as f:
        return read_po(f)


def test_the_korean_catalog_has_every_message_of_the_code_translated():
    catalog = _catalog("ko")
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog if m.id}
    code = _code_messages()
    assert sorted(code - translated.keys()) == [], "run `make catalogs`, then translate"
    assert sorted(k for k in code if not translated[k]) == [], "untranslated messages"
    assert sorted(translated.keys() - code) == [], "stale messages: run `make catalogs`"


def test_the_compiled_catalog_matches_its_source():
    catalog = _catalog("ko")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    fresh = gettext.GNUTranslations(buffer)
    with open(LOCALE_DIR / "ko" / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as f:
        committed = gettext.GNUTranslations(f)
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert committed.gettext(message.id) == fresh.gettext(message.id), message.id


def _words(text: str) -> bool:
    """Whether a piece of literal text has words once its format fields and markup are taken
    out: two letters or more (one alone is a key, " ^g", or a unit, "{n} s")."""
    with contextlib.suppress(ValueError):  # braces that are not a format: kept as they are
        text = "".join(part for part, *_field in string.Formatter().parse(text))
    return _letters(_PRINTF.sub("", text)) > 1


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in _MARKUP.sub("", text))


def _literals(node: ast.AST | None, ids_too: bool = True) -> list[ast.AST]:
    """The pieces of literal text with letters that `node` shows, looking through the ways
    Python builds a string (+, %, .format, `a if c else b`); `ids_too=False` passes over
    strings that read like ids."""
    if node is None:
        return []
    if isinstance(node, ast.Constant):
        if not isinstance(node.value, str) or not _words(node.value):
            return []
        return [node] if ids_too or not _ID.fullmatch(node.value) else []
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values
                       if isinstance(v, ast.Constant) and isinstance(v.value, str))
        return [node] if _letters(text) > 1 else []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literals(node.left, ids_too) + _literals(node.right, ids_too)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _literals(node.left, ids_too)
    if isinstance(node, ast.IfExp):
        return _literals(node.body, ids_too) + _literals(node.orelse, ids_too)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"):
        return _literals(node.func.value, ids_too)
    return []


def _call_args(node: ast.Call) -> list[ast.AST]:
    """The arguments of a call that reach the screen as text."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    args: list[ast.AST] = []
    if name == "Binding":  # its text is its description (third argument), not key or action
        args = node.args[2:3]
    elif name == "show_error":  # (job, error sentence)
        args = node.args[1:2]
    elif name in SHOWN:
        args = node.args[:1]
    elif name in SHOWN_ALL:
        for arg in node.args:  # Text.assemble's (text, style) pairs: the text only
            args.append(arg.elts[0] if isinstance(arg, ast.Tuple) and arg.elts else arg)
    return args + [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]


def _target_names(target: ast.AST) -> list[str]:
    if isinstance(target, ast.Attribute):
        return [target.attr] if target.attr in SHOWN_ATTRIBUTES else []
    if isinstance(target, ast.Name):
        return [target.id] if target.id in SHOWN_ATTRIBUTES | SHOWN_VARIABLES else []
    return []


def unwrapped(path: Path) -> list[str]:
    """User-visible string literals in `path` that are not passed through the catalog."""
    found: list[ast.AST] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            found += [lit for arg in _call_args(node) for lit in _literals(arg)]
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in SHOWN_UNLESS_ID:
                found += [lit for arg in node.args[:1] for lit in _literals(arg, ids_too=False)]
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_target_names(t) for t in targets):
                found += _literals(node.value, ids_too=False)
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            # an error's sentence is what the learner reads where it is caught and shown
            func = node.exc.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name.endswith("Error"):
                found += [lit for arg in node.exc.args[:1] for lit in _literals(arg)]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            # a helper's returned string is what the panel draws ("on", "Korean", "L3")
            for inner in _own_nodes(node):
                if isinstance(inner, ast.Return):
                    found += _literals(inner.value, ids_too=False)
    return [f"{path.name}:{line}" for line in sorted({n.lineno for n in found})]


def _own_nodes(function: ast.AST):
    """The nodes of a function's body, not of the functions and classes nested in it."""
    todo = list(ast.iter_child_nodes(function))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                          | ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))


def test_user_visible_strings_go_through_the_catalog():
    app = ROOT / "tutor" / "app"
    modules = {p.relative_to(app).as_posix(): p for p in app.rglob("*.py")
               if p.name != "__init__.py"}
    leaks = {name: unwrapped(p) for name, p in modules.items() if name not in PENDING}
    assert {k: v for k, v in leaks.items() if v} == {}
    converted = [name for name in PENDING if name in modules and not unwrapped(modules[name])]
    assert converted == [], "these modules are clean now: take them off PENDING"


@pytest.mark.parametrize("source", [
    'notify("Saved")', 'Static(f"{n} tokens")', 'Binding("q", "quit", "Quit")',
    # Rich's text, built in pieces
    'Text("nearest neighbours", "bold")', 'Text.from_markup("[b]hi[/b]")',
    'Text.assemble(("entropy ", "dim"), value)', 'Text.assemble(value, " tokens")',
    'out.append(" tokens/s", style="dim")', 'Segment("masked", style)',
    # tables, charts and borders
    'table.add_column("token", no_wrap=True)', 'grid.add_row("1 text", strip)',
    'Table(title="next token", box=None)', 'Table(caption=f"{n} rows hidden")',
    'plt.title("time per token")', 'plt.xlabel("token")',
    'self.border_title = f"[b]{title}[/b] · byte-level BPE"', 'self.border_subtitle = "ms"',
    'button.label = f"Switch to {title} (m)"', 'BORDER_TITLE = "Output"',
    # the ways a string is built
    'Static("Press " + key)', 'Static("{n} tokens".format(n=n))', 'Static("%d tokens" % n)',
    'Static("on" if on else "off")', 'self.show_notice(f"only the first {n} lines")',
    'self.show_error("tokens", f"Something went wrong: {err}")',
    # what a render helper returns, and text kept in a variable named for it
    'def label(n):\n    return "emb" if n == 0 else f"L{n}"', 'tail = f"… {n} more"',
    # status lines, a worker's failure, errors raised for the learner, a Select's prompt
    'self.status.show("comparison stopped")', 'self.JobFailed(f"Something went wrong: {err}")',
    'raise ValueError("top-k must be a whole number")', 'Select(options, prompt="none")',
    'Static(f"[b]{title}[/b] · sentence vectors")',
])
def test_the_scan_catches_a_bare_string(tmp_path: Path, source: str):
    module = tmp_path / "m.py"
    module.write_text(source + "\n", encoding="utf-8")
    assert unwrapped(module) and set(unwrapped(module)) <= {"m.py:1", "m.py:2"}


@pytest.mark.parametrize("source", [
    # wrapped: the catalog has them
    'Text(_("nearest neighbours"), "bold")', 'Text.assemble((_("entropy "), "dim"), value)',
    'table.add_column(_("token"))', 'self.border_title = _("Output")',
    'Static(_("{n} tokens").format(n=n))', 'Static(ngettext("{n} token", "{n} tokens", n))',
    'def label(n):\n    return _("embeddings") if n == 0 else _("L{n}").format(n=n)',
    # styles, ids, CSS classes, actions, dict keys and token text are not read as words
    'Text(token, style="bold red")', 'Text(value, "italic dim")', 'out.append(t.text, "cyan")',
    'Static("", id="att-header", classes="tok-summary")', 'self.query_one("#tok-input")',
    'Binding("ctrl+s", "sample(1)", _("Sample"), id="next-token.sample")',
    'result = {"text": text, "token_count": n}', 'self.set_class(busy, "-busy")',
    'parts.append("--json")', 'def css_id(role):\n    return "tok-" + role',
    'def key(event):\n    return "ctrl+q"',
    # format-only strings and symbols have no words to translate
    'Text(f"{p:6.1%}")', 'Static("{:.3f}".format(x))', 'out.append(" · ")',
    'Text.assemble((f"{n:,}", "bold"), " → ")', 'Segment("▀", style)', 'Static("%.2f%%" % x)',
    'Button(_("Generate") + " ^g")', 'Text(f"{ms:.0f} s")',
    # a nested helper's return belongs to the helper, and a string that is not shown at all
    'def outer():\n    def css():\n        return "tok-a"\n    return _("Shown")',
    'log.debug("tokenized %d pieces", n)', 'name = "decoder"',
    'self.border_title = f"[b]{title}[/b] · {method}"', 'raise KeyError(role)',
    'raise SystemExit("x")',
])
def test_the_scan_passes_what_a_learner_does_not_read(tmp_path: Path, source: str):
    module = tmp_path / "m.py"
    module.write_text(source + "\n", encoding="utf-8")
    assert unwrapped(module) == []
