"""`tutor lens` and `tutor score`: their JSON shapes, and one line with exit 2 for bad input."""

from __future__ import annotations

import json

import pytest

from tests.unit.test_cli_json import run
from tutor.engine import Engine

TEXT = "The capital of France is"


def test_lens_json_shape_at_the_last_position() -> None:
    code, out, _ = run("lens", TEXT, "-m", "tiny-llama", "--top-k", "3", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"tokens", "position", "layers"}
    assert data["position"] == len(data["tokens"]) - 1
    assert [row["layer"] for row in data["layers"]] == [0, 1, 2]  # tiny: 2 blocks
    for row in data["layers"]:
        assert set(row) == {"layer", "top", "final_rank", "final_prob"}
        assert len(row["top"]) == 3 and set(row["top"][0]) == {"id", "text", "prob"}
    last = data["layers"][-1]
    assert last["final_rank"] == 1 and last["top"][0]["prob"] == last["final_prob"]
    expected = Engine("tiny-llama").next_token(TEXT, top=3)
    assert [t["id"] for t in last["top"]] == [c.id for c in expected.candidates]


def test_lens_at_a_chosen_position() -> None:
    code, out, _ = run("lens", TEXT, "-m", "tiny-llama", "--position", "1", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["position"] == 1 and len(data["layers"][0]["top"]) == 5


def test_score_json_shape() -> None:
    code, out, _ = run("score", TEXT, "-m", "tiny-llama", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"tokens", "perplexity"}
    ids = Engine("tiny-llama")._get().tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    assert [t["id"] for t in data["tokens"]] == ids
    assert all(set(t) == {"id", "text", "prob", "rank", "entropy"} for t in data["tokens"])
    assert data["tokens"][0]["prob"] is None
    assert all(0 < t["prob"] <= 1 and t["rank"] >= 1 for t in data["tokens"][1:])
    assert data["perplexity"] > 1


@pytest.mark.parametrize("args, words", [
    (["lens", ""], "empty"),
    (["lens", TEXT, "--top-k", "0"], "--top-k"),
    (["lens", TEXT, "--top-k", "-2"], "--top-k"),
    (["lens", TEXT, "--position", "99"], "out of range"),
    (["lens", TEXT, "--position", "-1"], "out of range"),
    (["score", "   "], "empty"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], words: str) -> None:
    code, out, err = run(*args, "-m", "tiny-llama")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and words in err


def test_human_output_names_the_final_prediction() -> None:
    code, out, _ = run("lens", TEXT, "-m", "tiny-llama")
    assert code == 0 and "final prediction" in out and "rank of final" in out
    code, out, _ = run("score", TEXT, "-m", "tiny-llama")
    assert code == 0 and "perplexity" in out
