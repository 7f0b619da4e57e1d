"""Checks for `top-k-top-p`: against transformers' own warpers on real distributions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from tutor.exercises.checks import Check, Fail, as_array, expect_shape
from tutor.i18n import N_, _

PROMPTS = ("The capital of France is", "My favourite food is", "Once upon a time")

CROSSING = N_("top-p must keep the smallest set whose sum reaches p, the token that crosses p "
            "included (you dropped the crossing token: keep tokens while the sum BEFORE them "
            "is below p)")
ORDER = N_("top-p before top-k: apply top-k first, renormalise what is left, then top-p on "
         "that (the order generate() uses)")


def expected(probs: np.ndarray, top_k: int, top_p: float) -> np.ndarray:
    from transformers import TopKLogitsWarper, TopPLogitsWarper

    with np.errstate(divide="ignore"):
        scores = torch.from_numpy(np.log(probs.astype(np.float64)))[None]
    ids = torch.zeros((1, 1), dtype=torch.long)
    if top_k > 0:
        scores = TopKLogitsWarper(top_k=top_k)(ids, scores)
    if top_p < 1.0:
        scores = TopPLogitsWarper(top_p=top_p)(ids, scores)
    return torch.softmax(scores, dim=-1)[0].numpy()


def _renorm(p: np.ndarray) -> np.ndarray:
    return p / p.sum()


def _top_k(p: np.ndarray, k: int) -> np.ndarray:
    if k <= 0:
        return p
    q = p.copy()
    q[np.argsort(-p, kind="stable")[k:]] = 0
    return _renorm(q)


def _top_p(p: np.ndarray, top_p: float, crossing: bool = True) -> np.ndarray:
    if top_p >= 1:
        return p
    order = np.argsort(-p, kind="stable")
    cumulative = np.cumsum(p[order])
    keep = (int(np.searchsorted(cumulative, top_p)) + 1 if crossing
            else int(np.sum(cumulative <= top_p)))
    q = p.copy()
    q[order[max(keep, 1) if crossing else keep:]] = 0
    return _renorm(q) if q.sum() > 0 else q


def variants(p: np.ndarray, k: int, top_p: float) -> dict[str, np.ndarray]:
    return {
        CROSSING: _top_p(_top_k(p, k), top_p, crossing=False),
        ORDER: _top_k(_top_p(p, top_p), k),
    }


def _support(p: np.ndarray) -> set[int]:
    return set(np.flatnonzero(p > 0).tolist())


def compare(fn: Callable[..., Any], probs: np.ndarray, k: int, top_p: float, where: str) -> None:
    out = as_array(fn(probs.copy(), k, top_p), _("the result"))
    expect_shape(out, probs.shape, _("the result"))
    want = expected(probs, k, top_p)
    settings = _("{prompt} with top_k={k}, top_p={p}").format(prompt=where, k=k, p=top_p)
    got_set, want_set = _support(out), _support(want)
    if got_set == want_set and np.allclose(out, want, atol=1e-6, rtol=1e-4):
        return
    for message, wrong in variants(probs.astype(np.float64), k, top_p).items():
        if _support(wrong) != want_set and got_set == _support(wrong):
            raise Fail(f"{settings}: {_(message)}")
    if not np.all(np.isfinite(out)):
        raise Fail(f"{settings}: " + _("your result contains nan or inf (did you keep at "
                                       "least one token?)"))
    if got_set != want_set:
        tiny = [i for i in got_set - want_set if out[i] < 1e-12]
        if tiny and not (want_set - got_set):
            raise Fail(f"{settings}: " + _("removed tokens must be exactly 0, not tiny values"))
        raise Fail(f"{settings}: " + _("you kept {got} tokens, the expected result keeps "
                                       "{want}").format(got=len(got_set), want=len(want_set)))
    raise Fail(f"{settings}: " + _("you kept the right tokens but with the wrong "
                                   "probabilities (they sum to {total}: renormalise what you "
                                   "keep so it sums to 1)").format(total=f"{out.sum():.6g}"))


def _distributions(models: Any) -> list[tuple[str, np.ndarray]]:
    out = []
    for prompt in PROMPTS:
        logits = torch.from_numpy(models.last_logits(prompt))
        out.append((repr(prompt), torch.softmax(logits.double(), -1).numpy()))
    return out


def off(fn: Callable[..., Any], models: Any) -> str:
    for where, probs in _distributions(models):
        compare(fn, probs, 0, 1.0, where)
    return _("top_k=0, top_p=1.0 leave the distribution as it is")


def top_k(fn: Callable[..., Any], models: Any) -> str:
    for where, probs in _distributions(models):
        for k in (1, 5, 40):
            compare(fn, probs, k, 1.0, where)
    return _("top-k keeps exactly the k most probable tokens, renormalised")


def _p_values(probs: np.ndarray) -> list[float]:
    # p just above a cumulative sum, and the top token's own probability halved (so that
    # one token alone crosses p), plus common settings
    cumulative = np.cumsum(np.sort(probs)[::-1])
    return [0.5, 0.9, float(cumulative[2]) + 1e-4, float(cumulative[0]) / 2]


def top_p(fn: Callable[..., Any], models: Any) -> str:
    for where, probs in _distributions(models):
        for p in _p_values(probs):
            compare(fn, probs, 0, round(p, 6), where)
    return _("top-p keeps the smallest set that reaches p, crossing token included")


def order(fn: Callable[..., Any], models: Any) -> str:
    for where, probs in _distributions(models):
        for k, p in ((3, 0.6), (10, 0.8), (20, 0.5), (2, 0.9)):
            compare(fn, probs, k, p, where)
    return _("top-k first, then top-p on what is left, as generate() does")


def prepare(models: Any) -> None:
    for prompt in PROMPTS:
        models.last_logits(prompt)


CHECKS: list[Check] = [
    (N_("off means off"), off),
    ("top-k", top_k),
    (N_("top-p keeps the crossing token"), top_p),
    (N_("top-k, then top-p"), order),
]
