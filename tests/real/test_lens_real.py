"""The logit lens and text scores on SmolLM2, against a plain transformers forward, and
`tutor lens` / `tutor score` answering on the real model."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tests.unit.lens_reference import lens_log_probs, log_softmax_scores
from tests.unit.test_cli_json import run
from tutor.engine import Engine

pytestmark = pytest.mark.real

PARIS = "The capital of France is"


@pytest.fixture(scope="module")
def smol() -> Engine:
    return Engine("smollm2")


def test_last_layer_lens_is_the_next_token_distribution(smol: Engine) -> None:
    lens = smol.lens(PARIS, top=10)
    nt = smol.next_token(PARIS, 1.0, 0, 1.0, top=10)
    assert lens.n_layers == 30
    assert lens.top_ids[-1, 0].tolist() == [c.id for c in nt.candidates]
    np.testing.assert_allclose(lens.top_probs[-1, 0], [c.prob for c in nt.candidates],
                               rtol=1e-4, atol=1e-7)
    assert lens.texts[int(lens.final_ids[0])] == "␣Paris"


def test_lens_agrees_with_hidden_states(smol: Engine) -> None:
    lens = smol.lens(PARIS, last=5, top=5)
    ref = lens_log_probs(smol._get().model, lens.ids)
    for c, p in enumerate(lens.positions):
        final = int(np.argmax(ref[-1, p]))
        assert lens.final_ids[c] == final
        for layer in range(31):
            logp = ref[layer, p]
            row = np.exp(logp)
            order = np.argsort(-row, kind="stable")[:5]
            np.testing.assert_allclose(lens.top_probs[layer, c], row[order], rtol=1e-3,
                                       atol=1e-6)
            assert lens.final_prob[layer, c] == pytest.approx(row[final], rel=1e-3, abs=1e-7)
            # float32 sums in another order may swap near-ties, never more
            assert abs(int(lens.final_rank[layer, c]) - (1 + int((logp > logp[final]).sum()))) <= 2


def test_scores_agree_with_log_softmax(smol: Engine) -> None:
    text = "The capital of France is Paris. Colorless green ideas sleep furiously."
    score = smol.score(text)
    ids = [t.id for t in score.tokens]
    assert ids == smol._get().tokenizer(text, add_special_tokens=False)["input_ids"]
    ref, _ = log_softmax_scores(smol._get().model, ids)
    got = np.log([t.prob for t in score.tokens[1:]])
    np.testing.assert_allclose(got, ref, atol=1e-4)
    assert score.perplexity == pytest.approx(math.exp(-ref.mean()), rel=1e-4)
    paris = next(t for t in score.tokens if t.text == "␣Paris")
    assert paris.rank == 1 and paris.greedy_id == paris.id


def test_cli_answers_on_the_real_model() -> None:
    code, out, _ = run("lens", PARIS, "--top-k", "3", "--json")
    assert code == 0
    data = json.loads(out)
    assert len(data["layers"]) == 31 and data["layers"][-1]["top"][0]["text"] == "␣Paris"
    assert data["layers"][-1]["final_rank"] == 1 and data["layers"][0]["final_rank"] > 1
    code, out, _ = run("score", "The capital of France is Paris.", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["tokens"][0]["prob"] is None and 1 < data["perplexity"] < 100
