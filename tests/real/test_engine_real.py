"""The engine on the real weights: SmolLM2-135M-Instruct and all-MiniLM-L6-v2."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.unit.reference import apply_settings, chi_square, chi_square_critical, softmax
from tutor.engine import Engine
from tutor.engine.types import GenerationSettings

pytestmark = pytest.mark.real

PARIS = "The capital of France is"


@pytest.fixture(scope="module")
def smol() -> Engine:
    return Engine("smollm2")


@pytest.fixture(scope="module")
def minilm() -> Engine:
    return Engine("minilm")


def test_facts_of_the_real_models(smol: Engine, minilm: Engine) -> None:
    f = smol.facts
    assert (f.layers, f.heads, f.kv_heads, f.vocab_size) == (30, 9, 3, 49152)
    assert f.has_chat_template
    assert 130e6 < f.parameters < 140e6  # "135M"
    e = minilm.facts
    assert (e.layers, e.heads, e.hidden_size) == (6, 12, 384)


def test_greedy_continuation_is_paris(smol: Engine) -> None:
    g = smol.generate(PARIS, GenerationSettings(max_new_tokens=4))
    assert g.text.startswith(" Paris")
    assert g.tokens[0].text == "␣Paris"
    assert smol.next_token(PARIS).greedy.text == "␣Paris"


def test_tokens_of_the_real_tokenizers(smol: Engine, minilm: Engine) -> None:
    tok = smol.tokens(PARIS)
    assert [t.text for t in tok.tokens] == ["The", "␣capital", "␣of", "␣France", "␣is"]
    assert smol.detokenize(tok.ids) == PARIS
    # WordPiece splits a rare word into several pieces marked with ##
    pieces = [t.text for t in minilm.tokens("unbelievably").tokens if not t.special]
    assert len(pieces) >= 3 and pieces[0] == "un" and all(p.startswith("##") for p in pieces[1:])
    assert "".join(p.removeprefix("##") for p in pieces) == "unbelievably"


def test_decoder_attention_causal_rows_sum_to_one(smol: Engine) -> None:
    maps = smol.attention("The teacher taught the students with the book")
    n = len(maps.tokens)
    assert maps.weights.shape == (30, 9, n, n)
    np.testing.assert_allclose(maps.weights.sum(-1), 1.0, atol=1e-4)
    assert np.all(np.triu(maps.weights, k=1) == 0)


def test_encoder_attention_bidirectional(minilm: Engine) -> None:
    maps = minilm.attention("The teacher taught the students with the book")
    n = len(maps.tokens)
    assert maps.weights.shape == (6, 12, n, n)
    np.testing.assert_allclose(maps.weights.sum(-1), 1.0, atol=1e-4)
    assert np.triu(maps.weights, k=1).sum() > 1.0


def test_greedy_with_and_without_kv_cache_identical(smol: Engine) -> None:
    prompt = "Once upon a time, in a small village,"
    a = smol.generate(prompt, GenerationSettings(max_new_tokens=24))
    b = smol.generate(prompt, GenerationSettings(max_new_tokens=24, use_cache=False))
    assert [t.id for t in a.tokens] == [t.id for t in b.tokens]


@pytest.mark.parametrize(("t", "k", "p"), [(1.0, 0, 1.0), (0.7, 0, 1.0), (1.5, 50, 1.0),
                                           (1.0, 0, 0.9), (0.8, 40, 0.95), (0.0, 0, 1.0)])
def test_next_token_probabilities_match_numpy(smol: Engine, t: float, k: int, p: float) -> None:
    nt = smol.next_token("My favourite colour is", temperature=t, top_k=k, top_p=p, top=20)
    np.testing.assert_allclose(nt.probs_raw, softmax(nt.logits), atol=1e-5)
    expected = apply_settings(nt.logits, t, k, p)
    np.testing.assert_allclose(nt.probs_final, expected, atol=1e-5)
    for c in nt.candidates:
        assert c.prob == pytest.approx(expected[c.id], abs=1e-5)
        assert c.logit == pytest.approx(float(nt.logits[c.id]))


def test_sampled_frequencies_match_the_distribution(smol: Engine) -> None:
    nt = smol.next_token("My favourite colour is", temperature=1.0, top_k=20)
    n = 20_000
    draws = Engine.sample(nt, n, seed=11)
    observed = np.bincount(draws, minlength=len(nt.probs_final))
    stat, df = chi_square(observed, nt.probs_final.astype(np.float64), n)
    assert stat < chi_square_critical(df)


def test_chat_template_generation(smol: Engine) -> None:
    g = smol.generate("What is the capital of France? Answer in one word.",
                      GenerationSettings(max_new_tokens=12, chat=True))
    assert g.prompt.startswith("<|im_start|>")
    assert "Paris" in g.text


def test_sentence_embeddings_separate_the_two_banks(minilm: Engine) -> None:
    e = minilm.embed(["river bank", "bank account", "the muddy shore of a stream",
                      "a deposit of money"])
    sim = e.similarity
    assert sim[0, 2] > sim[0, 3]  # the river bank is nearer the shore than the money
    assert sim[1, 3] > sim[1, 2]  # the bank account is nearer the money than the shore


@pytest.mark.parametrize("args", [
    ["tokens", PARIS],
    ["attention", PARIS, "--layer", "3", "--head", "2"],
    ["next", PARIS, "--top-k", "5"],
    ["generate", PARIS, "-n", "3"],
    ["embed", "river bank", "bank account"],
])
def test_every_subcommand_json_on_the_real_models(args: list[str]) -> None:
    out = subprocess.run([sys.executable, "-m", "tutor", *args, "--json"], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    if args[0] == "tokens":
        assert [t["text"] for t in data][-1] == "␣is"
    elif args[0] == "attention":
        assert data["layers"] == 30 and data["heads"] == 9 and len(data["weights"]) == 5
    elif args[0] == "next":
        assert data["candidates"][0]["text"] == "␣Paris"
    elif args[0] == "generate":
        assert data["text"].startswith(" Paris") and data["stop_reason"] == "max_new_tokens"
    else:
        assert len(data["similarity"]) == 2
