"""Whether generated text has fallen into a loop: the same span of tokens, back to back,
at least three times at the very end (greedy decoding's classic failure).

Torch-free: the generation panel checks its own output with it.
"""

from __future__ import annotations

from collections.abc import Sequence

MIN_REPEATS = 3


def ends_in_loop(ids: Sequence[int], times: int = MIN_REPEATS) -> bool:
    """True when the last `times` × L tokens are one span of L tokens repeated `times` times,
    for some L ≥ 1 ("a b c a b c a b c", or "! ! !")."""
    ids = list(ids)
    for span in range(1, len(ids) // times + 1):
        block = ids[-span:]
        if all(ids[-span * (k + 1):len(ids) - span * k] == block for k in range(1, times)):
            return True
    return False
