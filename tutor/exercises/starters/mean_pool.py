"""Exercise `mean-pool`: one vector per sentence, the way all-MiniLM-L6-v2 makes it.

Run the checks with ctrl+r in the tutor, or `tutor exercise check mean-pool`.
"""

import numpy as np


def sentence_embedding(token_vectors: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Sentence vectors [batch, hidden] from token vectors [batch, seq, hidden].

    mask is [batch, seq]: 1 for a real token, 0 for padding. Take the mean over the real
    tokens only, then scale each sentence vector to length 1 (L2 normalisation).
    """
    ...
