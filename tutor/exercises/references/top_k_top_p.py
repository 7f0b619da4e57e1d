"""Reference solution for `top-k-top-p`."""

import numpy as np


def filter_probs(probs: np.ndarray, top_k: int = 0, top_p: float = 1.0) -> np.ndarray:
    p = np.asarray(probs, dtype=np.float64).copy()
    order = np.argsort(-p, kind="stable")
    if top_k > 0:
        p[order[top_k:]] = 0.0
        p = p / p.sum()
    if top_p < 1.0:
        cumulative = np.cumsum(p[order])
        # the token whose cumulative sum first reaches top_p is kept, and all before it
        keep = int(np.searchsorted(cumulative, top_p)) + 1
        p[order[keep:]] = 0.0
    return p / p.sum()
