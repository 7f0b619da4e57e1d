"""Attention weights of every layer and head, as numpy arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


def stack(attentions: Any) -> np.ndarray:
    """A tuple of [batch, heads, q, k] tensors per layer -> [layer, head, q, k] float32."""
    return torch.stack([a[0] for a in attentions]).float().cpu().numpy()


def self_attention(model: Any, ids: list[int], device: torch.device) -> np.ndarray:
    x = torch.tensor([ids], dtype=torch.long, device=device)
    # the transformer body only: a causal LM's output layer (a [tokens, vocabulary]
    # product, a fifth of SmolLM2's forward) makes logits nobody looks at here
    body = getattr(model, "base_model", model)
    out = body(input_ids=x, output_attentions=True, use_cache=False)
    return stack(out.attentions)
