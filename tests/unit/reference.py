"""Independent numpy versions of the sampling maths, to check the engine against."""

from __future__ import annotations

import numpy as np


def softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    e = np.exp(x - x[np.isfinite(x)].max())
    e[~np.isfinite(x)] = 0.0
    return e / e.sum()


def apply_settings(logits: np.ndarray, temperature: float, top_k: int, top_p: float) -> np.ndarray:
    """The final distribution: temperature, then top-k, then top-p (nucleus), renormalised."""
    if temperature == 0:
        out = np.zeros(len(logits))
        out[int(np.argmax(logits))] = 1.0
        return out
    scores = logits.astype(np.float64) / temperature
    if top_k > 0:
        kth = np.sort(scores)[-top_k]
        scores = np.where(scores >= kth, scores, -np.inf)
    if top_p < 1:
        p = softmax(scores)
        order = np.argsort(-p, kind="stable")
        mass_before = np.cumsum(p[order]) - p[order]
        keep = np.zeros(len(p), dtype=bool)
        keep[order[mass_before < top_p]] = True
        keep[order[0]] = True
        scores = np.where(keep, scores, -np.inf)
    return softmax(scores)


def chi_square(observed: np.ndarray, expected_probs: np.ndarray, n: int) -> tuple[float, int]:
    """Pearson's statistic over the outcomes with expected count >= 5 (others pooled)."""
    expected = expected_probs * n
    big = expected >= 5
    obs = np.append(observed[big], observed[~big].sum())
    exp = np.append(expected[big], expected[~big].sum())
    mask = exp > 0
    stat = float((((obs - exp) ** 2)[mask] / exp[mask]).sum())
    return stat, int(mask.sum() - 1)


def chi_square_critical(df: int) -> float:
    """Upper 0.1% point of chi-square with df degrees of freedom (Wilson-Hilferty)."""
    z = 3.090232306167813  # standard normal 0.999 quantile
    return df * (1 - 2 / (9 * df) + z * np.sqrt(2 / (9 * df))) ** 3
