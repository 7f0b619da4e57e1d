"""Independent computations of the logit lens and of text scores, straight from a plain
transformers forward: what the engine's answers are checked against."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


def lens_log_probs(model: Any, ids: list[int]) -> np.ndarray:
    """Log-softmax of each layer's residual stream through the final norm and the head:
    [layers + 1, tokens, vocabulary]. transformers reports the stream before each block and,
    last, the normed output of the whole stack; so the last layer is the model's own logits."""
    with torch.inference_mode():
        out = model(input_ids=torch.tensor([ids]), output_hidden_states=True, use_cache=False)
        before_norm = out.hidden_states[:-1]  # embeddings, blocks 1 .. L-1
        logits = [model.lm_head(model.model.norm(h[0])) for h in before_norm]
        logits.append(out.logits[0])
        return torch.log_softmax(torch.stack(logits).float(), -1).numpy()


def log_softmax_scores(model: Any, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """log p(token i | tokens before it) for i >= 1, and every position's log-distribution."""
    with torch.inference_mode():
        logits = model(input_ids=torch.tensor([ids]), use_cache=False).logits[0].float()
        logp = torch.log_softmax(logits, -1).double().numpy()
    return logp[np.arange(len(ids) - 1), ids[1:]], logp
