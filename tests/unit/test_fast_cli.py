"""`tutor tokens`, `check`, `progress` and `--help` start without torch or transformers:
`tokens` reads the cached tokenizer.json with the `tokenizers` library. (How fast that is
is measured by bench/bench_cli.py, never asserted here.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# run the command as the shell does, then report which heavy modules it imported
SCRIPT = """
import json, runpy, sys
sys.argv = ["tutor", *json.loads(sys.argv[1])]
code = 0
try:
    runpy.run_module("tutor", run_name="__main__", alter_sys=True)
except SystemExit as done:
    code = done.code or 0
heavy = sorted(m for m in ("torch", "transformers") if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def run(args: list[str]) -> tuple[str, dict[str, object]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(args)], env=env,
                          capture_output=True, text=True, timeout=300)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return done.stdout, report


@pytest.mark.parametrize("args", [
    ["tokens", "Monday, November 23, 2026", "--model", "dates", "--json"],
    ["check", str(ROOT / "tests" / "fixtures" / "lessons")],
    ["progress", "--json"],
    ["--help"],
    ["tokens", "--help"],
])
def test_these_commands_import_neither_torch_nor_transformers(args: list[str]) -> None:
    out, report = run(args)
    assert report == {"code": 0, "heavy": []}, out
    if args[0] == "tokens" and "--json" in args:
        assert [t["text"] for t in json.loads(out)][:3] == ["m", "o", "n"]


def test_fast_tokens_equal_the_engines_tokens() -> None:
    from tutor.engine import Engine

    out, _ = run(["tokens", "the 3rd of March 2021, 👋", "--model", "dates", "--json"])
    engine = Engine("dates", device="cpu").tokens("the 3rd of March 2021, 👋")
    assert json.loads(out) == [t.to_dict() for t in engine.tokens]


@pytest.mark.real
@pytest.mark.parametrize("model", ["smollm2", "minilm"])
def test_fast_tokens_equal_the_engines_tokens_on_the_real_models(model: str) -> None:
    from tutor.engine import Engine

    text = "Tokenization isn't magic: 안녕하세요 👋 <|im_start|> [SEP]\tend\n"
    out, report = run(["tokens", text, "--model", model, "--json"])
    assert report["heavy"] == []
    assert json.loads(out) == [t.to_dict() for t in Engine(model).tokens(text).tokens]


@pytest.mark.real
def test_the_tokens_table_keeps_its_columns_on_jamo_pieces() -> None:
    """MiniLM splits 안 into jamo; alone, a vowel or final jamo is zero cells wide, so the
    table draws it as its letter and every row is as wide as the header."""
    from rich.cells import cell_len

    out, report = run(["tokens", "안녕 hi", "--model", "minilm"])
    assert report["code"] == 0, out
    rows = [line for line in out.splitlines() if line.startswith(("│", "┃"))]
    assert any("##ㅏ" in row for row in rows), out
    assert {cell_len(row) for row in rows} == {cell_len(rows[0])}, out
