"""Temperature, top-k and top-p, applied with transformers' own logits processors in the
order generate() applies them, with the distribution recorded after each stage."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from transformers import (
    LogitsProcessorList,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from tutor.engine.errors import BadInput
from tutor.i18n import _


def check_settings(temperature: float, top_k: int, top_p: float) -> None:
    if not np.isfinite(temperature) or temperature < 0:
        raise BadInput(_("temperature must be 0 (greedy) or positive, not {value}").format(
            value=temperature))
    if top_k < 0:
        raise BadInput(_("top-k must be 0 (off) or a positive number of tokens, not {value}")
                       .format(value=top_k))
    if not (0 < top_p <= 1):
        raise BadInput(_("top-p must be in (0, 1], not {value}").format(value=top_p))


def warpers(temperature: float, top_k: int, top_p: float) -> list[Any]:
    """The processors generate() would build for these settings (temperature > 0)."""
    out: list[Any] = []
    if temperature != 1.0:
        # transformers refuses an int temperature ("2"), which the CLI and YAML can produce
        out.append(TemperatureLogitsWarper(float(temperature)))
    if top_k > 0:
        out.append(TopKLogitsWarper(top_k=top_k))
    if top_p < 1.0:
        out.append(TopPLogitsWarper(top_p=top_p))
    return out


def processor_list(temperature: float, top_k: int, top_p: float) -> LogitsProcessorList:
    return LogitsProcessorList(warpers(temperature, top_k, top_p) if temperature > 0 else [])


def stages(logits: torch.Tensor, temperature: float, top_k: int,
           top_p: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Probabilities raw, after temperature, after top-k, after top-p (each renormalised).

    Temperature 0 is greedy: all the mass on the argmax from the temperature stage on.
    """
    scores = logits.float().reshape(1, -1)
    raw = torch.softmax(scores, dim=-1)
    if temperature == 0:
        onehot = torch.zeros_like(raw)
        onehot[0, int(torch.argmax(scores))] = 1.0
        arr = onehot[0].numpy()
        return raw[0].numpy(), arr, arr.copy(), arr.copy()
    dummy_ids = torch.zeros((1, 1), dtype=torch.long)
    t = (TemperatureLogitsWarper(float(temperature))(dummy_ids, scores) if temperature != 1
         else scores)
    after_t = torch.softmax(t, dim=-1)
    k = TopKLogitsWarper(top_k=top_k)(dummy_ids, t) if top_k > 0 else t
    after_k = torch.softmax(k, dim=-1)
    p = TopPLogitsWarper(top_p=top_p)(dummy_ids, k) if top_p < 1 else k
    after_p = torch.softmax(p, dim=-1)
    return raw[0].numpy(), after_t[0].numpy(), after_k[0].numpy(), after_p[0].numpy()


def entropy_bits(probs: np.ndarray) -> float:
    p = probs[probs > 0].astype(np.float64)
    return float(-(p * np.log2(p)).sum()) + 0.0  # a one-hot gives 0.0, not -0.0


def sample_ids(probs: np.ndarray, n: int, seed: int | None = None) -> list[int]:
    """Draw n token ids from a distribution, reproducibly for a given seed."""
    p = probs.astype(np.float64)
    p = p / p.sum()
    rng = np.random.default_rng(seed)
    return [int(i) for i in rng.choice(len(p), size=n, p=p)]
