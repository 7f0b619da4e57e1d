"""The engine's temperature / top-k / top-p stages against an independent numpy version."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.unit.reference import apply_settings, chi_square, chi_square_critical, softmax
from tutor.engine import sampling
from tutor.engine.errors import BadInput

SETTINGS = [
    (1.0, 0, 1.0),
    (0.5, 0, 1.0),
    (2.0, 0, 1.0),
    (1.0, 5, 1.0),
    (1.0, 0, 0.9),
    (0.7, 20, 0.8),
    (1.3, 3, 0.5),
    (0.0, 0, 1.0),
    (0.0, 7, 0.3),
]


@pytest.mark.parametrize(("temperature", "top_k", "top_p"), SETTINGS)
def test_stages_match_numpy(temperature: float, top_k: int, top_p: float) -> None:
    rng = np.random.default_rng(42)
    logits = rng.normal(0, 3, size=500).astype(np.float32)
    raw, after_t, after_k, final = sampling.stages(torch.from_numpy(logits), temperature,
                                                   top_k, top_p)
    np.testing.assert_allclose(raw, softmax(logits), atol=1e-6)
    np.testing.assert_allclose(final, apply_settings(logits, temperature, top_k, top_p),
                               atol=1e-6)
    assert final.sum() == pytest.approx(1.0, abs=1e-5)
    if temperature > 0:
        np.testing.assert_allclose(after_t, softmax(logits / temperature), atol=1e-6)
    if top_k > 0 and temperature > 0:
        assert (after_k > 0).sum() == top_k


def test_top_p_keeps_the_smallest_nucleus() -> None:
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05], dtype=np.float32))
    *_, final = sampling.stages(torch.from_numpy(logits), 1.0, 0, 0.75)
    # 0.5 alone is below 0.75, 0.5 + 0.3 reaches it: exactly two tokens survive
    assert (final > 0).tolist() == [True, True, False, False]
    assert final[0] == pytest.approx(0.5 / 0.8, abs=1e-6)


def test_temperature_sharpens_and_flattens() -> None:
    logits = torch.tensor([2.0, 1.0, 0.0, -1.0])
    cold = sampling.stages(logits, 0.5, 0, 1.0)[1]
    hot = sampling.stages(logits, 2.0, 0, 1.0)[1]
    assert sampling.entropy_bits(cold) < sampling.entropy_bits(softmax(logits.numpy()))
    assert sampling.entropy_bits(hot) > sampling.entropy_bits(softmax(logits.numpy()))


def test_integer_temperature_is_accepted() -> None:
    logits = torch.tensor([2.0, 1.0, 0.0])
    np.testing.assert_allclose(sampling.stages(logits, 2, 0, 1.0)[1],
                               sampling.stages(logits, 2.0, 0, 1.0)[1])
    assert len(sampling.processor_list(2, 0, 1.0)) == 1


def test_entropy_in_bits() -> None:
    assert sampling.entropy_bits(np.full(8, 1 / 8)) == pytest.approx(3.0)
    assert sampling.entropy_bits(np.array([1.0, 0, 0])) == pytest.approx(0.0)


def test_seeded_samples_follow_the_distribution() -> None:
    probs = softmax(np.random.default_rng(1).normal(0, 1.5, size=30))
    n = 20_000
    draws = sampling.sample_ids(probs, n, seed=7)
    assert draws == sampling.sample_ids(probs, n, seed=7)
    observed = np.bincount(draws, minlength=len(probs))
    stat, df = chi_square(observed, probs, n)
    assert stat < chi_square_critical(df)
    # and the test has teeth: the same draws do not fit a different distribution
    wrong = softmax(np.log(probs) * 1.3)
    assert chi_square(observed, wrong, n)[0] > chi_square_critical(df)


@pytest.mark.parametrize(("t", "k", "p"), [(-0.1, 0, 1.0), (1.0, -1, 1.0), (1.0, 0, 0.0),
                                           (1.0, 0, 1.5), (float("nan"), 0, 1.0)])
def test_bad_settings_are_refused(t: float, k: int, p: float) -> None:
    with pytest.raises(BadInput):
        sampling.check_settings(t, k, p)
