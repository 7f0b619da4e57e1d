"""Exercise `softmax`: turn a model's logits into next-token probabilities.

Run the checks with ctrl+r in the tutor, or `tutor exercise check softmax`.
"""

import numpy as np


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Probabilities from 1-D logits at a temperature > 0.

    Temperature divides the logits: below 1 sharpens the distribution, above 1 flattens it.
    The checks feed real SmolLM2 logits, and logits around 1e4: no nan, no inf.
    """
    ...
