"""Exercise `top-k-top-p`: keep only the likely tokens before sampling.

Run the checks with ctrl+r in the tutor, or `tutor exercise check top-k-top-p`.
"""

import numpy as np


def filter_probs(probs: np.ndarray, top_k: int = 0, top_p: float = 1.0) -> np.ndarray:
    """The renormalised distribution after top-k, then top-p; removed tokens exactly 0.

    top_k = 0 and top_p = 1.0 mean off. Top-k keeps the k most probable tokens. Top-p then
    keeps, of what is left (renormalised), the smallest set of most probable tokens whose
    sum reaches top_p, and always at least one token.
    """
    ...
