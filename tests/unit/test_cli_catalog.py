"""The command line speaks the learner's language: no user-visible literal in tutor/cli (nor
in the engine, course, settings and serve modules whose messages the CLI shows as they are)
escapes the catalog.

tests/unit/test_catalogs.py checks that every `_()` message is in the Korean catalog; this
scan checks that the text the CLI prints goes through `_()` in the first place."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Calls whose string arguments reach the learner: printing, failing, prompting, table and
# progress-bar labels, the errors Click and the engine turn into one line.
SHOWN = {"echo", "secho", "print", "fail", "_say", "input", "confirm", "prompt", "UsageError",
         "BadParameter", "ClickException", "Table", "add_column", "add_task", "BadInput",
         "EngineError", "ModelMissing", "FetchFailed", "report", "SettingsError",
         "StoreUnreadable", "StoreReadOnly"}
# a lesson error's message is its fifth argument (path, line, col, field, message)
MESSAGE_ARGUMENT = {"LessonError": 4}
SHOWN_KEYWORDS = {"title", "caption", "message", "description"}
# engine modules whose messages are shown word for word (the rest of the engine: see the
# report of issue 18)
ENGINE = ("errors.py", "limits.py", "fetch.py", "loading.py", "engine.py", "sampling.py", "lens.py",
          "precision.py")
# the program's own name and Rich markup tags are not words to translate
_NOT_WORDS = re.compile(r"\btutor\b|\[/?[a-z ]*\]")


def _has_words(text: str) -> bool:
    return any(ch.isalpha() for ch in _NOT_WORDS.sub("", text))


def _bare(node: ast.AST) -> list[ast.AST]:
    """The literal pieces of an argument that hold words no `_()` went through."""
    if isinstance(node, ast.Constant):
        return [node] if isinstance(node.value, str) and _has_words(node.value) else []
    if isinstance(node, ast.JoinedStr):
        literal = "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
        return [node] if _has_words(literal) else []
    if isinstance(node, ast.BinOp):  # "[red]" + _("missing") + "[/]"
        return _bare(node.left) + _bare(node.right)
    if isinstance(node, ast.IfExp):
        return _bare(node.body) + _bare(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "format":  # "{n} tokens".format(n=n) is no translation
        return _bare(node.func.value)
    return []


def unwrapped(path: Path) -> list[str]:
    """`file:line` of each user-visible literal in `path` not passed through the catalog."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        # a table row's cells are all shown; other calls show their first argument
        args: list[ast.AST] = (list(node.args) if name == "add_row"
                               else list(node.args[:1]) if name in SHOWN else [])
        at = MESSAGE_ARGUMENT.get(name)
        if at is not None and len(node.args) > at:
            args.append(node.args[at])
        args += [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS and name in SHOWN]
        found += [f"{path.name}:{bare.lineno}" for a in args for bare in _bare(a)]
    return found


def problems(path: Path) -> list[str]:
    """`file:line` of each (location, message) problem that a lesson check yields or returns
    with a bare message (tutor/course/validate.py, rules.py, translation.py)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Yield | ast.Return) and isinstance(node.value, ast.Tuple) \
                and len(node.value.elts) == 2:
            found += [f"{path.name}:{bare.lineno}" for bare in _bare(node.value.elts[1])]
    return found


def _modules() -> list[Path]:
    return (sorted((ROOT / "tutor" / "cli").glob("*.py"))
            + [ROOT / "tutor" / "engine" / name for name in ENGINE]
            + sorted((ROOT / "tutor" / "course").glob("*.py"))
            + [ROOT / "tutor" / "settings.py", ROOT / "tutor" / "serve" / "server.py"])


def test_what_the_cli_prints_goes_through_the_catalog() -> None:
    course = ROOT / "tutor" / "course"
    leaks = {p.name: unwrapped(p) + (problems(p) if p.parent == course else [])
             for p in _modules()}
    assert {k: v for k, v in leaks.items() if v} == {}


@pytest.mark.parametrize("source", [
    'click.echo("nothing changed")',
    'click.echo(f"{done}/{total} lessons done")',
    'fail(f"no lesson {lesson!r}")',
    'raise click.UsageError("bad usage")',
    'raise click.BadParameter("not a number", param=p)',
    'raise click.ClickException("failed")',
    'Console().print("All models are present.")',
    'click.echo("{n} tokens".format(n=3))',
    'click.echo("[red]missing[/]" + name)',
    'Table(title=f"{n} tokens")',
    'raise BadInput(f"the seed must be at most {m}")',
    'table.add_row(str(i), "yes" if special else "")',
    'LessonError(path, 1, 1, "(file)", "the lesson file is empty")',
    'raise SettingsError(f"unknown setting {name!r}")',
])
def test_the_scan_catches_a_bare_string(tmp_path: Path, source: str) -> None:
    module = tmp_path / "m.py"
    module.write_text(source + "\n", encoding="utf-8")
    assert unwrapped(module) == ["m.py:1"]


@pytest.mark.parametrize("source", [
    'def f():\n    yield ("steps", 0), "a quiz needs a question"',
    'def f():\n    return "value", f"`{op}` needs a number, not {value!r}"',
])
def test_the_scan_catches_a_bare_problem_message(tmp_path: Path, source: str) -> None:
    module = tmp_path / "m.py"
    module.write_text(source + "\n", encoding="utf-8")
    assert problems(module) == ["m.py:2"]


@pytest.mark.parametrize("source", [
    'click.echo(_("nothing changed"))',
    'click.echo(_("{done}/{total} lessons done").format(done=1, total=2))',
    'click.echo(f"tutor: {notice}", err=True)',
    'click.echo("[green]" + _("present") + "[/]")',
    'click.echo(f"{pad(name, 30)} {score}")',
    'fail(ngettext("{n} error", "{n} errors", n).format(n=n))',
])
def test_the_scan_lets_wrapped_text_and_punctuation_pass(tmp_path: Path, source: str) -> None:
    module = tmp_path / "m.py"
    module.write_text(source + "\n", encoding="utf-8")
    assert unwrapped(module) == []
