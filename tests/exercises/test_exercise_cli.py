"""`tutor exercise list|check|path`: JSON shapes, exit codes 0/1/2, progress recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import main
from tutor.exercises.catalog import EXERCISES, reference_text, starter_text

IDS = ["softmax", "top-k-top-p", "attention", "bpe", "kv-cache", "rope", "mean-pool"]


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def test_the_seven_exercises_are_listed_with_their_lessons() -> None:
    result = invoke("exercise", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == IDS
    lessons = {r["id"]: r["lesson"] for r in rows}
    assert lessons == {"softmax": "generation-settings", "top-k-top-p": "generation-settings",
                       "attention": "self-attention", "bpe": "tokenization",
                       "kv-cache": "kv-cache-and-streaming", "rope": "embeddings-and-position",
                       "mean-pool": "model-families"}
    functions = {r["id"]: r["function"] for r in rows}
    assert functions["top-k-top-p"] == "filter_probs" and functions["bpe"] == "bpe_merge"
    assert {r["status"] for r in rows} == {"new"}
    assert set(rows[0]) == {"id", "lesson", "title", "function", "status"}


def test_path_creates_the_copy_from_the_starter_once(tmp_path: Path) -> None:
    result = invoke("exercise", "path", "rope")
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path == tmp_path / "data" / "exercises" / "rope.py"
    assert path.read_text() == starter_text(EXERCISES["rope"])
    assert "def rotate(x: np.ndarray, positions: np.ndarray, base: float = 10000.0)" in \
        path.read_text()
    path.write_text("# my work\n")
    assert invoke("exercise", "path", "rope").stdout.strip() == str(path)
    assert path.read_text() == "# my work\n"  # never overwritten
    rows = json.loads(invoke("exercise", "list", "--json").stdout)
    assert {r["id"]: r["status"] for r in rows}["rope"] == "started"


@pytest.mark.parametrize("args", [
    ("exercise", "check", "no-such-exercise"),
    ("exercise", "path", "no-such-exercise"),
    ("exercise", "check", "softmax"),  # no copy yet
    ("exercise", "check", "softmax", "--file", "does/not/exist.py"),
])
def test_bad_usage_exits_2_with_one_line(args: tuple[str, ...]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("tutor: ")


def test_a_failing_file_exits_1_with_the_json_shape(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def softmax(logits, temperature=1.0):\n    return (\n")
    result = invoke("exercise", "check", "softmax", "--file", str(bad), "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"id", "passed", "checks"}
    assert (data["id"], data["passed"]) == ("softmax", False)
    assert set(data["checks"][0]) == {"name", "passed", "message"}
    assert "SyntaxError" in data["checks"][0]["message"]


def test_a_passing_copy_exits_0_and_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUTOR_DECODER", "tiny-llama")
    monkeypatch.setenv("TUTOR_ENCODER", "tiny-bert")
    path = Path(invoke("exercise", "path", "mean-pool").stdout.strip())
    path.write_text(reference_text(EXERCISES["mean-pool"]))
    result = invoke("exercise", "check", "mean-pool", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["passed"] is True and all(c["passed"] for c in data["checks"])
    rows = json.loads(invoke("exercise", "list", "--json").stdout)
    assert {r["id"]: r["status"] for r in rows}["mean-pool"] == "passed"
    progress = json.loads(invoke("progress", "--json").stdout)
    assert progress["exercises_passed"] == ["mean-pool"]
    lesson = next(r for r in progress["lessons"] if r["id"] == "model-families")
    assert (lesson["exercises"], lesson["exercises_passed"]) == (["mean-pool"], ["mean-pool"])
    table = invoke("progress").stdout
    assert "code 1/1" in next(line for line in table.splitlines() if "model-families" in line)
