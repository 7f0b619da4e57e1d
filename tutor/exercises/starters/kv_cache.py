"""Exercise `kv-cache`: greedy generation that feeds each token to the model only once.

Run the checks with ctrl+r in the tutor, or `tutor exercise check kv-cache`.
"""

import numpy as np


def generate(step, prompt_ids: list[int], n: int) -> list[int]:
    """The n token ids greedy decoding picks after prompt_ids.

    step(ids, cache) runs the real model on the new ids given the cache (None at first) and
    returns (logits [len(ids), vocab], cache). Feed the prompt once, then one token at a
    time with the cache step returned; the checks count the positions you feed.
    """
    ...
