"""The message catalogs: every message of the code is in them, Korean lacks none, the compiled
.mo files match their .po, and no user-visible string in a converted module escapes `_()`."""

from __future__ import annotations

import ast
import gettext
import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tutor.i18n import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}

# Calls whose string arguments a learner reads on screen.
SHOWN = {"notify", "Static", "Label", "Button", "Markdown", "Binding", "Option", "update",
         "ConfirmScreen", "Input", "Hit", "DiscoveryHit"}
SHOWN_KEYWORDS = {"placeholder", "title", "description", "label", "tooltip"}
# Modules of tutor/app whose strings are not yet in the catalog (issue 18: being converted).
# This list may only shrink: the test fails when a module here has become clean.
PENDING = {
    "panels/attention.py", "panels/base.py", "panels/embeddings.py",
    "panels/generation.py", "panels/live.py", "panels/next_token.py",
    "panels/prediction_loop.py", "panels/tokenizer.py",
}


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


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(ch.isalpha() for ch in node.value)
    return isinstance(node, ast.JoinedStr) and any(
        isinstance(v, ast.Constant) and any(ch.isalpha() for ch in str(v.value))
        for v in node.values)


def unwrapped(path: Path) -> list[str]:
    """User-visible string literals in `path` that are not passed through the catalog."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        args: list[ast.AST] = []
        if name in SHOWN:
            # a Binding's text is its description (third argument); the key and action are not
            args = node.args[2:3] if name == "Binding" else node.args[:1]
        args += [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
        found += [f"{path.name}:{a.lineno}" for a in args if _is_literal(a)]
    return found


def test_user_visible_strings_go_through_the_catalog():
    app = ROOT / "tutor" / "app"
    modules = {p.relative_to(app).as_posix(): p for p in app.rglob("*.py")
               if p.name != "__init__.py"}
    leaks = {name: unwrapped(p) for name, p in modules.items() if name not in PENDING}
    assert {k: v for k, v in leaks.items() if v} == {}
    converted = [name for name in PENDING if name in modules and not unwrapped(modules[name])]
    assert converted == [], "these modules are clean now: take them off PENDING"


@pytest.mark.parametrize("source", ['notify("Saved")', 'Static(f"{n} tokens")',
                                    'Binding("q", "quit", "Quit")'])
def test_the_scan_catches_a_bare_string(tmp_path: Path, source: str):
    module = tmp_path / "m.py"
    module.write_text(source + "\n", encoding="utf-8")
    assert unwrapped(module) == ["m.py:1"]
