"""Checks for `attention`: directly on random tensors, then inside SmolLM2 and MiniLM.

Inside a model, the learner's function replaces the attention of every layer: the
harness repeats SmolLM2's grouped key/value heads, and hands MiniLM's sentences over
without their padding, so the function only ever sees real tokens.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from tutor.exercises.checks import Check, Fail, as_array, close, expect_shape, worst
from tutor.i18n import N_, _

NO_SCALE = N_("did you scale by 1/√d? Your weights match softmax(q·kᵀ) with no 1/√d scaling: "
            "divide the scores by the square root of head_dim before the softmax")
MASK_AFTER = N_("the mask is applied after the softmax: your rows no longer sum to 1. Set the "
              "scores above the diagonal to -inf BEFORE the softmax")
NO_MASK = N_("your weights are not zero above the diagonal: with causal=True query i may not "
           "attend to keys after i (no mask applied). Set those scores to -inf before the "
           "softmax")
MASKED_BOTH_WAYS = N_("with causal=False every query attends to every key (MiniLM reads in both "
                    "directions): apply the mask only when causal is True")


def _softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _later(n: int) -> np.ndarray:
    return np.triu(np.ones((n, n), dtype=bool), k=1)


def reference(q: np.ndarray, k: np.ndarray, v: np.ndarray, causal: bool,
              scale: bool = True, mask: str = "before") -> np.ndarray:
    """Weights, optionally with a known mistake: no scaling, mask "after" or "none"."""
    s = q @ k.transpose(0, 2, 1)
    if scale:
        s = s / np.sqrt(q.shape[-1])
    later = _later(q.shape[1])
    if causal and mask == "before":
        s = np.where(later, -np.inf, s)
    w = _softmax(s)
    if causal and mask == "after":
        w = np.where(later, 0.0, w)
    return w


def _tensors(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return tuple(rng.normal(size=(3, 6, 16)) for _i in range(3))  # type: ignore[return-value]


def _call(fn: Callable[..., Any], q: np.ndarray, k: np.ndarray, v: np.ndarray,
          causal: bool) -> tuple[np.ndarray, np.ndarray]:
    result = fn(q.copy(), k.copy(), v.copy(), causal)
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise Fail(_("return a pair (output, weights), not {type}").format(
            type=type(result).__name__))
    out, weights = as_array(result[0], _("the output")), as_array(result[1], _("the weights"))
    heads, seq, dim = q.shape
    expect_shape(out, (heads, seq, dim), _("the output [heads, seq, head_dim]"))
    expect_shape(weights, (heads, seq, k.shape[1]), _("the weights [heads, seq, seq]"))
    return out, weights


def _diagnose(weights: np.ndarray, q: np.ndarray, k: np.ndarray, v: np.ndarray,
              causal: bool) -> str:
    if not np.all(np.isfinite(weights)):
        return _("your weights contain nan or inf")
    if causal:
        if close(weights, reference(q, k, v, True, mask="after"), atol=1e-6):
            return _(MASK_AFTER)
        if np.any(np.abs(weights[:, _later(q.shape[1])]) > 1e-9):
            return _(NO_MASK)
    elif np.all(np.abs(weights[:, _later(q.shape[1])]) < 1e-12):
        return _(MASKED_BOTH_WAYS)
    if close(weights, reference(q, k, v, causal, scale=False), atol=1e-6):
        return _(NO_SCALE)
    sums = weights.sum(axis=-1)
    if not np.allclose(sums, 1, atol=1e-6):
        return _("each row of the weights must sum to 1 (softmax over the keys, the last "
                 "axis); yours sum to {low}..{high}").format(low=f"{sums.min():.4g}",
                                                            high=f"{sums.max():.4g}")
    return _("your weights are not softmax(q·kᵀ / √d)")


def _check_weights(fn: Callable[..., Any], causal: bool, seed: int) -> tuple[np.ndarray, ...]:
    q, k, v = _tensors(seed)
    out, weights = _call(fn, q, k, v, causal)
    want = reference(q, k, v, causal)
    if not close(weights, want, atol=1e-6):
        raise Fail(f"causal={causal}: {_diagnose(weights, q, k, v, causal)} "
                   f"({worst(weights, want)})")
    return q, k, v, out, weights


def scaled(fn: Callable[..., Any], models: Any) -> str:
    _check_weights(fn, False, 0)
    return _("softmax(q·kᵀ / √d) over the keys, every query sees every key")


def causal_mask(fn: Callable[..., Any], models: Any) -> str:
    _check_weights(fn, True, 1)
    return _("with causal=True the weights are 0 above the diagonal and rows sum to 1")


def output(fn: Callable[..., Any], models: Any) -> str:
    for causal, seed in ((False, 2), (True, 3)):
        q, k, v, out, weights = _check_weights(fn, causal, seed)
        want = reference(q, k, v, causal) @ v
        if not close(out, want, atol=1e-6):
            raise Fail(f"causal={causal}: " + _("the output should be weights @ v, the "
                                                "weighted sum of the value vectors")
                       + f" ({worst(out, want)})")
    return "output = weights @ v"


# -- inside the models ---------------------------------------------------------------------
def _valid_keys(mask: Any, b: int, n: int) -> np.ndarray:
    if mask is None:
        return np.ones(n, dtype=bool)
    row = mask[b, 0, -1] if mask.dim() == 4 else mask[b]
    if row.dtype == torch.bool:
        return row.numpy().astype(bool)
    return (row == 0).numpy()


def plugged(fn: Callable[..., Any], causal: bool) -> Callable[..., Any]:
    """An attention function for transformers' layers that calls the learner's numpy one."""

    def forward(module: Any, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                attention_mask: Any, scaling: float | None = None, dropout: float = 0.0,
                **kwargs: Any) -> tuple[torch.Tensor, torch.Tensor]:
        groups = query.shape[1] // key.shape[1]  # SmolLM2 shares each k/v head with 3 q heads
        key = key.repeat_interleave(groups, dim=1)
        value = value.repeat_interleave(groups, dim=1)
        q, k, v = (t.detach().double().numpy() for t in (query, key, value))
        batch, heads, n_q, dim = q.shape
        n_k = k.shape[2]
        if causal and n_q != n_k:
            raise RuntimeError("the check runs SmolLM2 without a cache: expected n_q == n_k")
        out = np.zeros((batch, heads, n_q, dim))
        weights = np.zeros((batch, heads, n_q, n_k))
        for b in range(batch):
            keep = (np.ones(n_k, dtype=bool) if causal
                    else _valid_keys(attention_mask, b, n_k))
            idx = np.flatnonzero(keep)
            o, w = _call(fn, q[b][:, idx], k[b][:, idx], v[b][:, idx], causal)
            out[b][:, idx] = o
            weights[b][np.ix_(range(heads), idx, idx)] = w
        return (torch.from_numpy(out).to(query.dtype).transpose(1, 2).contiguous(),
                torch.from_numpy(weights).to(query.dtype))

    return forward


@contextlib.contextmanager
def replaced(module: Any, fn: Callable[..., Any]) -> Iterator[None]:
    stock = module.eager_attention_forward
    module.eager_attention_forward = fn
    try:
        yield
    finally:
        module.eager_attention_forward = stock


PROMPTS = ("The capital of France is", "Attention lets every token look at")


@torch.no_grad()
def _greedy(model: Any, ids: list[int], n: int) -> list[int]:
    seq = list(ids)
    for _step in range(n):
        logits = model(input_ids=torch.tensor([seq]), use_cache=False).logits[0, -1]
        seq.append(int(torch.argmax(logits)))
    return seq[len(ids):]


GREEDY = 8


@torch.no_grad()
def _probs(model: Any, ids: list[int]) -> torch.Tensor:
    return torch.softmax(model(input_ids=torch.tensor([ids]), use_cache=False).logits[0, -1], -1)


def prepare(models: Any) -> None:
    model = models.decoder.model
    models.memo["probs"] = {p: _probs(model, models.ids(p)) for p in PROMPTS}
    models.memo["greedy"] = _greedy(model, models.ids(PROMPTS[0]), GREEDY)
    models.encode_batch(ENCODER_TEXTS)


@torch.no_grad()
def in_decoder(fn: Callable[..., Any], models: Any) -> str:
    from transformers.models.llama import modeling_llama

    model = models.decoder.model
    worst_diff = 0.0
    with replaced(modeling_llama, plugged(fn, causal=True)):
        for prompt in PROMPTS:
            diff = float((_probs(model, models.ids(prompt)) - models.memo["probs"][prompt])
                         .abs().max())
            worst_diff = max(worst_diff, diff)
            if not diff < 1e-4:
                raise Fail(_("with your attention in every layer of SmolLM2 (causal=True), "
                             "the next-token probabilities for {prompt} moved by up to "
                             "{diff}").format(prompt=repr(prompt), diff=f"{diff:.3g}"))
        your_tokens = _greedy(model, models.ids(PROMPTS[0]), GREEDY)
    stock_tokens = models.memo["greedy"]
    if your_tokens != stock_tokens:
        at = next(i for i, (a, b) in enumerate(zip(your_tokens, stock_tokens, strict=True))
                  if a != b)
        raise Fail(_("with your attention in SmolLM2, greedy decoding of {prompt} picked a "
                     "different token at step {step} of {total}").format(
                         prompt=repr(PROMPTS[0]), step=at + 1, total=GREEDY))
    return _("inside all {layers} layers of SmolLM2: probabilities within {diff}, the same "
             "{count} greedy tokens").format(layers=model.config.num_hidden_layers,
                                             diff=f"{worst_diff:.1g}", count=GREEDY)


ENCODER_TEXTS = ["A man is playing a guitar.", "Someone plays music.",
                 "The bank raised its interest rates again this year."]


@torch.no_grad()
def in_encoder(fn: Callable[..., Any], models: Any) -> str:
    from transformers.models.bert import modeling_bert

    from tutor.engine.embedding import embed

    stock = models.encode_batch(ENCODER_TEXTS)[2]
    pair = models.encoder
    with replaced(modeling_bert, plugged(fn, causal=False)):
        yours = embed(pair.model, pair.tokenizer, ENCODER_TEXTS, torch.device("cpu"), 512)[0]
    diff = float(np.abs(yours - stock).max())
    if not diff < 1e-4:
        raise Fail(_("with your attention in every layer of MiniLM (causal=False), the "
                     "sentence embeddings moved by up to {diff}").format(diff=f"{diff:.3g}"))
    return _("inside MiniLM on a padded batch of {count}: sentence embeddings within "
             "{diff}").format(count=len(ENCODER_TEXTS), diff=f"{diff:.1g}")


CHECKS: list[Check] = [
    (N_("scaled by 1/√d"), scaled),
    (N_("causal mask before the softmax"), causal_mask),
    ("output = weights @ v", output),
    (N_("inside SmolLM2"), in_decoder),
    (N_("inside MiniLM"), in_encoder),
]
