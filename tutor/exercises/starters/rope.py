"""Exercise `rope`: rotary position embeddings, as llama models apply them to q and k.

Run the checks with ctrl+r in the tutor, or `tutor exercise check rope`.
"""

import numpy as np


def rotate(x: np.ndarray, positions: np.ndarray, base: float = 10000.0) -> np.ndarray:
    """Rotate each row of x ([seq, head_dim]) by angles set by its position.

    Frequencies: inv_freq[i] = 1 / base ** (2i / head_dim), for i < head_dim / 2.
    Use llama's rotate-half convention (as in transformers): dimension i is paired with
    dimension i + head_dim / 2.
    """
    ...
