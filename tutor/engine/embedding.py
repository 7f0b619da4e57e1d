"""Sentence vectors by mean pooling over tokens (as all-MiniLM-L6-v2 is trained), cosine."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms == 0, 1, norms)
    return np.clip(unit @ unit.T, -1.0, 1.0)


def embed(model: Any, tokenizer: Any, texts: list[str], device: torch.device,
          max_length: int) -> tuple[np.ndarray, list[np.ndarray], list[list[int]]]:
    batch = tokenizer(texts, padding=True, truncation=True, max_length=max_length,
                      return_tensors="pt").to(device)
    out = model(**batch)
    hidden = out.last_hidden_state if hasattr(out, "last_hidden_state") else out.hidden_states[-1]
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
    pooled = torch.nn.functional.normalize(pooled, dim=-1)
    token_vectors, token_ids = [], []
    for i in range(len(texts)):
        n = int(batch["attention_mask"][i].sum())
        token_vectors.append(hidden[i, :n].float().cpu().numpy())
        token_ids.append(batch["input_ids"][i, :n].tolist())
    return pooled.float().cpu().numpy(), token_vectors, token_ids


def find_span(ids: list[int], pieces: list[int]) -> tuple[int, int] | None:
    """Where the word pieces first occur, whole, in a text's ids: (start, end), or None."""
    n = len(pieces)
    if n == 0:
        return None
    for start in range(len(ids) - n + 1):
        if ids[start:start + n] == pieces:
            return start, start + n
    return None


def word_vectors(tokenizer: Any, word: str, token_vectors: list[np.ndarray],
                 token_ids: list[list[int]]) -> tuple[np.ndarray | None, list[int]]:
    """The word's contextual vector in each text (the mean over its pieces) and the cosine
    matrix between them; plus the indices of texts where the word does not occur."""
    pieces = tokenizer(word, add_special_tokens=False)["input_ids"]
    vectors, missing = [], []
    for i, (ids, hidden) in enumerate(zip(token_ids, token_vectors, strict=True)):
        span = find_span(ids, pieces)
        if span is None:
            missing.append(i)
            continue
        vectors.append(hidden[span[0]:span[1]].mean(axis=0))
    if missing:
        return None, missing
    return cosine_matrix(np.stack(vectors)), []
