"""Exercise `attention`: scaled dot-product attention, as every layer of the model does it.

Run the checks with ctrl+r in the tutor, or `tutor exercise check attention`.
"""

import numpy as np


def attention(q: np.ndarray, k: np.ndarray, v: np.ndarray,
              causal: bool) -> tuple[np.ndarray, np.ndarray]:
    """Attention for each head: q, k, v are [heads, seq, head_dim].

    Returns (output [heads, seq, head_dim], weights [heads, seq, seq]), where
    weights[h, i, j] is how much query i attends to key j. With causal=True a query
    may not attend to later keys (SmolLM2); with causal=False it sees all (MiniLM).
    The checks also put your function inside both models, in every layer.
    """
    ...
