"""Checks for `rope`: against SmolLM2's own rotary embedding on its real query vectors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from tutor.exercises.checks import Check, Fail, as_array, close, expect_shape, worst
from tutor.i18n import N_, _

TEXT = "Rotary embeddings turn each position into an angle"
INTERLEAVED = N_("interleaved instead of rotate-half rotation: llama in transformers pairs "
               "dimension i with i + head_dim/2 (rotate_half), not neighbours 2i and 2i+1")


def base_of(config: Any) -> float:
    params = getattr(config, "rope_parameters", None) or {}
    return float(params.get("rope_theta") or getattr(config, "rope_theta", 10000.0))


@torch.no_grad()
def real_qk(models: Any, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                         np.ndarray]:
    """Head 0's query and key vectors of layer 0, before and after the model's rotation."""
    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

    model = models.decoder.model.model
    ids = torch.tensor([models.ids(TEXT)[:len(positions)]])
    attn = model.layers[0].self_attn
    h = model.layers[0].input_layernorm(model.embed_tokens(ids))
    shape = (1, ids.shape[1], -1, attn.head_dim)
    q = attn.q_proj(h).view(shape).transpose(1, 2)
    k = attn.k_proj(h).view(shape).transpose(1, 2)
    cos, sin = model.rotary_emb(h, torch.tensor([positions.tolist()]))
    q_rot, k_rot = apply_rotary_pos_emb(q, k, cos, sin)
    return (q[0, 0].double().numpy(), q_rot[0, 0].double().numpy(),
            k[0, 0].double().numpy(), k_rot[0, 0].double().numpy())


def interleaved(x: np.ndarray, positions: np.ndarray, base: float) -> np.ndarray:
    d = x.shape[-1]
    angles = positions[:, None] * (1.0 / base ** (np.arange(0, d, 2) / d))[None]
    even, odd = x[:, 0::2], x[:, 1::2]
    out = np.empty_like(x)
    out[:, 0::2] = even * np.cos(angles) - odd * np.sin(angles)
    out[:, 1::2] = even * np.sin(angles) + odd * np.cos(angles)
    return out


def _rotate(fn: Callable[..., Any], x: np.ndarray, positions: np.ndarray,
            base: float) -> np.ndarray:
    out = as_array(fn(x.copy(), positions.copy(), base), _("the result"))
    expect_shape(out, x.shape, _("the result [seq, head_dim]"))
    return out


def matches_model(fn: Callable[..., Any], models: Any) -> str:
    base = base_of(models.decoder.model.config)
    n = len(models.ids(TEXT))
    for positions in _positions(n):
        x, want, _k, _k_rot = models.memo["rope"][tuple(positions.tolist())]
        x, want = x[:len(positions)], want[:len(positions)]
        got = _rotate(fn, x, positions, base)
        if close(got, want, atol=1e-4):
            continue
        if close(got, interleaved(x, positions.astype(np.float64), base), atol=1e-4):
            raise Fail(_(INTERLEAVED))
        if close(got, interleaved(x, positions.astype(np.float64), 10000.0), atol=1e-4) or \
                close(got, _reference(x, positions, 10000.0), atol=1e-4):
            raise Fail(_("use the base you are given (SmolLM2's is {base}), not 10000").format(
                base=f"{base:g}"))
        raise Fail(_("at positions {positions}: not the model's rotation").format(
            positions=positions.tolist()) + f" ({worst(got, want)})")
    return _("matches SmolLM2's rotary embedding on its real query vectors")


def _reference(x: np.ndarray, positions: np.ndarray, base: float) -> np.ndarray:
    d = x.shape[-1]
    angles = positions[:, None] * (1.0 / base ** (np.arange(0, d, 2) / d))[None]
    angles = np.concatenate([angles, angles], axis=-1)
    rotated = np.concatenate([-x[:, d // 2:], x[:, :d // 2]], axis=-1)
    return x * np.cos(angles) + rotated * np.sin(angles)


def relative(fn: Callable[..., Any], models: Any) -> str:
    base = base_of(models.decoder.model.config)
    x, _q_rot, key, _k_rot = models.memo["rope"][(0,)]
    q_pos, k_pos = np.array([5, 9, 40, 3, 12]), np.array([2, 6, 37, 0, 2])
    q = _rotate(fn, np.repeat(x[:1], len(q_pos), 0), q_pos, base)
    k = _rotate(fn, np.repeat(key[:1], len(k_pos), 0), k_pos, base)
    dots = (q * k).sum(axis=-1)
    same, other = dots[:4], dots[4]
    if not np.allclose(same, same[0], rtol=1e-6, atol=1e-6):
        raise Fail(_("q·k at distance 3 should not depend on where the pair sits, but "
                     "positions (5,2), (9,6), (40,37), (3,0) give {values}").format(
                         values=np.round(same, 4).tolist()))
    if np.isclose(other, same[0], rtol=1e-6, atol=1e-9):
        raise Fail(_("q·k is the same at distance 3 and at distance 10: the rotation should "
                     "depend on the positions"))
    return _("the score of a rotated query and key depends only on their distance")


def prepare(models: Any) -> None:
    n = len(models.ids(TEXT))
    models.memo["rope"] = {tuple(p.tolist()): real_qk(models, p) for p in _positions(n)}
    models.memo["rope"][(0,)] = real_qk(models, np.arange(1))


def _positions(n: int) -> list[np.ndarray]:
    return [np.arange(n), np.arange(n) + 37, np.array([0, 3, 7, 100, 1000])[:n]]


CHECKS: list[Check] = [
    (N_("matches the model (rotate-half)"), matches_model),
    (N_("scores depend on distance only"), relative),
]
