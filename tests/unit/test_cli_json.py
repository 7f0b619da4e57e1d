"""Every engine subcommand's JSON parses and carries its fields; bad arguments exit 2."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tutor.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_tokens_json() -> None:
    code, out, _ = run("tokens", "The capital of France", "--model", "tiny-llama", "--json")
    assert code == 0
    data = json.loads(out)
    assert [set(t) for t in data] == [{"id", "text", "start", "end", "special"}] * len(data)
    assert data[0]["text"] == "The" and data[0]["start"] == 0


def test_attention_json() -> None:
    code, out, _ = run("attention", "The capital of France", "-m", "tiny-llama", "--layer", "1",
                       "--head", "3", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["layers"], data["heads"], data["layer"], data["head"]) == (2, 4, 1, 3)
    n = len(data["tokens"])
    assert len(data["weights"]) == n and all(len(r) == n for r in data["weights"])
    assert all(abs(sum(r) - 1) < 1e-4 for r in data["weights"])


def test_next_json_sorted_by_final_probability() -> None:
    code, out, _ = run("next", "The capital", "-m", "tiny-llama", "--temperature", "0.7",
                       "--top-k", "3", "--top", "8", "--json")
    assert code == 0
    data = json.loads(out)
    probs = [c["prob"] for c in data["candidates"]]
    assert probs == sorted(probs, reverse=True) and len(probs) == 8
    assert sum(p > 0 for p in probs) == 3
    assert {"id", "text", "logit", "prob", "raw_prob"} == set(data["candidates"][0])


def test_generate_json() -> None:
    code, out, _ = run("generate", "The capital", "-m", "tiny-llama", "-n", "5", "--no-cache",
                       "--json")
    assert code == 0
    data = json.loads(out)
    assert data["stop_reason"] in ("eos", "max_new_tokens") and data["use_cache"] is False
    assert 1 <= len(data["tokens"]) <= 5
    assert {"id", "text", "added", "ms"} == set(data["tokens"][0])
    assert isinstance(data["text"], str)


def test_embed_json() -> None:
    code, out, _ = run("embed", "river bank", "bank account", "-m", "tiny-bert", "--json")
    assert code == 0
    data = json.loads(out)
    sim = data["similarity"]
    assert len(sim) == 2 and sim[0][0] == pytest.approx(1.0, abs=1e-5)
    assert sim[0][1] == pytest.approx(sim[1][0])


@pytest.mark.parametrize(("args", "fragment"), [
    (["next", "hi", "-m", "tiny-llama", "--temperature", "-1"], "temperature"),
    (["next", "hi", "-m", "tiny-llama", "--top-p", "1.5"], "top-p"),
    (["next", "hi", "-m", "tiny-llama", "--top-k", "-2"], "top-k"),
    (["tokens", "", "-m", "tiny-llama"], "empty"),
    (["generate", "  ", "-m", "tiny-llama"], "empty"),
    (["attention", "hi", "-m", "tiny-llama", "--layer", "9"], "--layer"),
    (["embed", "hi", "-m", "tiny-llama"], "encoder"),
    (["models", "fetch", "no-such-model"], "unknown model"),
])
def test_bad_arguments_get_one_line_and_status_2(args: list[str], fragment: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert fragment in err
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1


def test_models_lists_every_model() -> None:
    code, out, _ = run("models", "--json")
    assert code == 0
    names = {m["name"] for m in json.loads(out)}
    assert {"smollm2", "minilm", "dates", "tiny-llama", "tiny-bert"} <= names
