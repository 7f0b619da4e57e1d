"""The logit lens and text scores on the tiny decoder, against a plain transformers forward."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.unit.lens_reference import lens_log_probs, log_softmax_scores
from tutor.engine import BadInput, Engine

TEXT = "The capital of France is Paris. The capital of Italy is"


@pytest.fixture(scope="module")
def tiny() -> Engine:
    return Engine("tiny-llama", device="cpu")


def test_last_layer_lens_is_the_next_token_distribution(tiny: Engine) -> None:
    lens = tiny.lens(TEXT, top=10)
    nt = tiny.next_token(TEXT, 1.0, 0, 1.0, top=10)
    assert lens.positions == [len(lens.ids) - 1]
    assert lens.top_ids[-1, 0].tolist() == [c.id for c in nt.candidates]
    np.testing.assert_allclose(lens.top_probs[-1, 0], [c.prob for c in nt.candidates],
                               rtol=1e-5, atol=1e-7)
    assert int(lens.final_ids[0]) == nt.greedy.id
    assert lens.final_rank[-1, 0] == 1
    assert lens.final_prob[-1, 0] == pytest.approx(float(nt.probs_raw.max()), rel=1e-5)


def test_lens_agrees_with_hidden_states(tiny: Engine) -> None:
    lens = tiny.lens(TEXT, last=64, top=5)
    m = tiny._get()
    ref = lens_log_probs(m.model, lens.ids)  # [layers + 1, tokens, vocab]
    assert lens.n_layers == m.model.config.num_hidden_layers == ref.shape[0] - 1
    assert lens.positions == list(range(len(lens.ids)))
    for c, p in enumerate(lens.positions):
        final = int(np.argmax(ref[-1, p]))
        assert lens.final_ids[c] == final
        for layer in range(ref.shape[0]):
            logp = ref[layer, p]
            row = np.exp(logp)
            order = np.argsort(-row, kind="stable")[:5]
            np.testing.assert_allclose(lens.top_probs[layer, c], row[order], rtol=1e-4)
            assert lens.final_prob[layer, c] == pytest.approx(row[final], rel=1e-4)
            assert lens.final_rank[layer, c] == 1 + int((logp > logp[final]).sum())


def test_a_window_of_positions_matches_the_whole(tiny: Engine) -> None:
    whole = tiny.lens(TEXT, last=64, top=3)
    part = tiny.lens(TEXT, [2, 3, 4], top=3)
    assert part.positions == [2, 3, 4]
    np.testing.assert_array_equal(part.top_ids, whole.top_ids[:, 2:5])
    np.testing.assert_allclose(part.final_prob, whole.final_prob[:, 2:5], rtol=1e-6)
    assert part.first_top1_layer(4) == whole.first_top1_layer(4)


def test_scores_agree_with_log_softmax_of_a_plain_forward(tiny: Engine) -> None:
    score = tiny.score(TEXT)
    m = tiny._get()
    ids = m.tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    assert [t.id for t in score.tokens] == ids
    ref, logp = log_softmax_scores(m.model, ids)
    first = score.tokens[0]
    assert (first.prob, first.rank, first.entropy) == (None, None, None)
    for i, t in enumerate(score.tokens[1:]):
        assert t.prob == pytest.approx(math.exp(ref[i]), rel=1e-5)
        assert t.rank == 1 + int((logp[i] > logp[i, ids[i + 1]]).sum())
        p = np.exp(logp[i])
        assert t.entropy == pytest.approx(float(-(p * logp[i]).sum() / math.log(2)), rel=1e-4)
        assert t.greedy_id == int(np.argmax(logp[i]))
    assert score.log_prob == pytest.approx(float(ref.sum()), rel=1e-6)
    assert score.perplexity == pytest.approx(math.exp(-ref.mean()), rel=1e-6)
    # the distribution after the text is the next-token panel's
    np.testing.assert_allclose(score.next.probs_raw, np.exp(logp[-1]), rtol=1e-4, atol=1e-9)


def test_appended_ids_are_scored_after_the_text(tiny: Engine) -> None:
    base = tiny.score("The capital of")
    chosen = [base.next.candidates[1].id, base.next.candidates[0].id]
    longer = tiny.score("The capital of", chosen)
    assert [t.id for t in longer.tokens] == [t.id for t in base.tokens] + chosen
    assert longer.tokens[len(base.tokens)].prob == pytest.approx(
        float(base.next.probs_raw[chosen[0]]), rel=1e-5)
    assert longer.text.startswith("The capital of")


def test_one_token_has_no_perplexity(tiny: Engine) -> None:
    score = tiny.score("The")
    assert len(score.tokens) == 1 and score.perplexity is None and score.log_prob == 0


def test_bad_lens_requests_are_sentences(tiny: Engine) -> None:
    with pytest.raises(BadInput, match="empty"):
        tiny.lens("  ")
    with pytest.raises(BadInput, match="at least 1"):
        tiny.lens(TEXT, top=0)
    with pytest.raises(BadInput, match="out of range"):
        tiny.lens(TEXT, [999])
    with pytest.raises(BadInput, match="does not apply"):
        Engine("tiny-bert", device="cpu").lens(TEXT)


def test_the_lens_does_not_apply_to_other_architectures() -> None:
    from transformers import GPT2Config, GPT2LMHeadModel

    from tutor.engine.lens import applies, require_llama

    gpt2 = GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=16, n_head=2, vocab_size=50))
    assert not applies(gpt2)
    with pytest.raises(BadInput, match="does not apply"):
        require_llama(gpt2, "tiny-gpt2")
