"""The engine's answers on tiny random models of the real architectures (no downloads)."""

from __future__ import annotations

import numpy as np
import pytest

from tutor.engine import BadInput, Engine
from tutor.engine.types import GenerationSettings


@pytest.fixture(scope="module")
def llama() -> Engine:
    return Engine("tiny-llama")


@pytest.fixture(scope="module")
def bert() -> Engine:
    return Engine("tiny-bert")


def test_facts_come_from_the_config(llama: Engine, bert: Engine) -> None:
    f = llama.facts
    assert (f.kind, f.layers, f.heads, f.kv_heads, f.hidden_size) == ("decoder", 2, 4, 2, 32)
    assert f.context_length == 128 and f.architecture == "LlamaForCausalLM"
    assert f.parameters == sum(p.numel() for p in llama._get().model.parameters())
    assert bert.facts.kind == "encoder" and bert.facts.heads == 4


@pytest.mark.parametrize("text", ["The capital of France is Paris.", "naïve café 🙂 한국어\tok\n",
                                  "  spaces  ", "a\x00b\x07c"])
def test_token_spans_cover_the_text(llama: Engine, text: str) -> None:
    tok = llama.tokens(text)
    assert llama.detokenize(tok.ids) == text
    starts = [t.start for t in tok.tokens]
    assert starts == sorted(starts)
    covered = set()
    for t in tok.tokens:
        assert 0 <= t.start <= t.end <= len(text)
        covered.update(range(t.start, t.end))
    assert covered == set(range(len(text)))


def test_space_marker_and_partial_bytes(llama: Engine) -> None:
    tok = llama.tokens("The capital 🙂")
    assert tok.tokens[1].text.startswith("␣")
    assert tok.tokens[1].raw.startswith("Ġ")
    # this tiny vocabulary has no emoji merges: its 4 UTF-8 bytes come out as hex pieces
    assert any(t.text.startswith("<F0>") or "<F0>" in t.text for t in tok.tokens)


def test_encoder_marks_special_tokens(bert: Engine) -> None:
    tok = bert.tokens("the river bank")
    assert tok.tokens[0].text == "[CLS]" and tok.tokens[0].special
    assert tok.tokens[-1].text == "[SEP]" and tok.tokens[-1].special
    assert not any(t.special for t in tok.tokens[1:-1])
    assert tok.chars_per_token == pytest.approx(len("the river bank") / (tok.count - 2))


def test_decoder_attention_is_causal_and_rows_sum_to_one(llama: Engine) -> None:
    maps = llama.attention("The capital of France is")
    n = len(maps.tokens)
    assert maps.weights.shape == (2, 4, n, n)
    np.testing.assert_allclose(maps.weights.sum(-1), 1.0, atol=1e-5)
    assert maps.causal
    assert np.all(np.triu(maps.weights, k=1) == 0)


def test_encoder_attention_is_bidirectional(bert: Engine) -> None:
    maps = bert.attention("the river bank was muddy")
    np.testing.assert_allclose(maps.weights.sum(-1), 1.0, atol=1e-5)
    assert not maps.causal
    assert np.triu(maps.weights, k=1).sum() > 0.1


def test_long_input_is_cut_from_the_left_with_a_notice(llama: Engine, bert: Engine) -> None:
    text = "one two three four " * 200
    maps = llama.attention(text)
    assert maps.truncated and maps.notice and len(maps.tokens) == 128
    assert maps.tokens[-1] == llama.tokens(text).tokens[-1].text
    nt = llama.next_token(text)
    assert nt.truncated and nt.prompt_tokens == 128 and "last" in (nt.notice or "")
    enc = bert.attention(text)
    assert enc.tokens[0] == "[CLS]" and enc.tokens[-1] == "[SEP]" and len(enc.tokens) == 128


def test_next_token_candidates_and_greedy(llama: Engine) -> None:
    nt = llama.next_token("The capital", temperature=0.8, top_k=5, top_p=0.9, top=10)
    assert len(nt.candidates) == 10
    assert nt.greedy.id == int(np.argmax(nt.logits))
    assert nt.probs_final.sum() == pytest.approx(1.0, abs=1e-5)
    kept = [c for c in nt.candidates if c.prob > 0]
    assert 1 <= len(kept) <= 5
    removed = set(nt.removed_by_top_k) | set(nt.removed_by_top_p)
    assert removed == {c.id for c in nt.candidates if c.prob == 0}
    assert set(nt.removed_by_top_k) == {c.id for c in nt.candidates[5:]}
    greedy = llama.next_token("The capital", temperature=0)
    assert greedy.probs_final[greedy.greedy.id] == 1.0 and greedy.entropy == 0.0


def test_cache_and_no_cache_give_identical_greedy_tokens(llama: Engine) -> None:
    s = GenerationSettings(max_new_tokens=12)
    with_cache = llama.generate("The capital of France", s)
    without = llama.generate("The capital of France",
                             GenerationSettings(max_new_tokens=12, use_cache=False))
    assert [t.id for t in with_cache.tokens] == [t.id for t in without.tokens]
    assert with_cache.stop_reason in ("eos", "max_new_tokens")
    assert all(t.ms > 0 for t in with_cache.tokens)
    assert with_cache.ttft_ms > 0 and with_cache.tokens_per_s > 0


def test_seeded_sampling_is_reproducible(llama: Engine) -> None:
    s = GenerationSettings(max_new_tokens=10, temperature=1.5, seed=3)
    a = llama.generate("Once upon a time", s)
    b = llama.generate("Once upon a time", s)
    assert [t.id for t in a.tokens] == [t.id for t in b.tokens]


def test_generation_stops_when_the_context_is_full(llama: Engine) -> None:
    g = llama.generate("one two " * 200, GenerationSettings(max_new_tokens=10))
    assert g.truncated and g.prompt_tokens == 118
    g = llama.generate("one", GenerationSettings(max_new_tokens=200))
    assert g.stop_reason in ("context_full", "eos")
    if g.stop_reason == "context_full":
        assert g.prompt_tokens + len(g.tokens) == 128


def test_chat_template_wraps_the_prompt(llama: Engine) -> None:
    text = llama.chat_prompt("Hi")
    assert text.startswith("<|im_start|>user\nHi<|im_end|>") and text.endswith("assistant\n")
    g = llama.generate("Hi", GenerationSettings(max_new_tokens=3, chat=True))
    assert g.prompt.startswith("<|im_start|>user")


def test_prediction_loop_step(llama: Engine) -> None:
    step = llama.loop_step("The capital")
    assert step.index == 0 and step.input_tokens == ["The", "␣capital"]
    nxt = llama.loop_step("The capital", [step.chosen.id])
    assert nxt.input_ids[-1] == step.chosen.id and nxt.index == 1
    assert step.chosen.id == step.logits_top[0].id
    assert sum(c.prob for c in step.logits_top) <= 1.0 + 1e-6


def test_embeddings_are_unit_vectors_with_cosine_similarity(bert: Engine) -> None:
    e = bert.embed(["river bank", "bank account", "money"])
    np.testing.assert_allclose(np.linalg.norm(e.vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(e.similarity, e.vectors @ e.vectors.T, atol=1e-5)
    np.testing.assert_allclose(np.diag(e.similarity), 1.0, atol=1e-5)
    assert e.tokens[0][0] == "[CLS]" and len(e.token_vectors[0]) == len(e.tokens[0])
    assert [j for j, _ in e.nearest(0, 2)] == list(np.argsort(-e.similarity[0])[1:3])


@pytest.mark.parametrize("call", [
    lambda e: e.next_token(""),
    lambda e: e.next_token("x", temperature=-1),
    lambda e: e.next_token("x", top_p=0),
    lambda e: e.generate("x", GenerationSettings(max_new_tokens=0)),
    lambda e: e.attention("   "),
    lambda e: e.embed(["x"]),
])
def test_bad_input_gets_a_clear_error(llama: Engine, call: object) -> None:
    with pytest.raises(BadInput) as err:
        call(llama)  # type: ignore[operator]
    assert str(err.value) and "Traceback" not in str(err.value)


def test_a_long_input_is_read_with_sdpa_and_gives_the_eager_answer(
        llama: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from tutor.engine import engine as engine_module

    text = "the cat sat on the mat and " * 6
    eager, ids, _, _ = llama.logits(text)
    model = llama._get().model
    seen: list[str] = []
    model.register_forward_pre_hook(lambda mod, args: seen.append(mod.config._attn_implementation))
    monkeypatch.setattr(engine_module, "EAGER_TOKENS", len(ids) - 1)
    fast, _, _, _ = llama.logits(text)
    assert seen == ["sdpa"]
    assert model.config._attn_implementation == "eager"  # restored for the attention maps
    assert torch.allclose(fast, eager, atol=1e-4)
    assert int(fast.argmax()) == int(eager.argmax())
