"""Checks for `softmax`: against the engine's probabilities for real next-token logits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from tutor.exercises.checks import Check, Fail, as_array, close, expect_shape, worst
from tutor.i18n import N_, _

PROMPTS = ("The capital of France is", "def add(a, b):\n    return", "Once upon a time")
TEMPERATURES = (0.7, 1.5, 0.3)

NO_MAX = N_("your probabilities contain nan or inf: exp overflows for large logits. "
            "Subtract the largest logit before exp (no max-subtraction): "
            "softmax(x) = softmax(x - max(x))")
NO_MAX_1E4 = N_("your probabilities contain nan or inf: exp overflows for logits around 1e4. "
                "Subtract the largest logit before exp (no max-subtraction): "
                "softmax(x) = softmax(x - max(x))")
ON_PROBS = N_("temperature applied to probabilities: divide the logits by the temperature "
              "before the softmax, softmax(logits / T), not the probabilities after it")
NOT_ENGINE = N_("not the engine's probabilities")


def engine_probs(logits: np.ndarray, temperature: float) -> np.ndarray:
    from tutor.engine.sampling import stages

    return stages(torch.from_numpy(logits.copy()), temperature, 0, 1.0)[1].astype(np.float64)


def _plain(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def _diagnose(out: np.ndarray, logits: np.ndarray, t: float) -> str | None:
    if not np.all(np.isfinite(out)):
        return _(NO_MAX)
    p = _plain(logits.astype(np.float64))
    wrong = [p, p / t, _plain(p / t), p ** t / (p ** t).sum()]
    if t != 1 and any(close(out, w, atol=1e-6) for w in wrong):
        return _(ON_PROBS)
    return None


def _call(fn: Callable[..., Any], logits: np.ndarray, t: float | None) -> np.ndarray:
    args = (logits.copy(),) if t is None else (logits.copy(), t)
    out = as_array(fn(*args), _("the result"))
    expect_shape(out, logits.shape, _("the result"))
    return out


def _compare(fn: Callable[..., Any], logits: np.ndarray, t: float, what: str) -> None:
    out = _call(fn, logits, t)
    expected = engine_probs(logits, t)
    if close(out, expected, atol=1e-6, rtol=1e-4):
        return
    reason = _diagnose(out, logits, t)
    if reason is None and abs(float(out.sum()) - 1) > 1e-4:
        reason = _("your probabilities sum to {total}, not 1: divide by the sum of exp").format(
            total=f"{out.sum():.6g}")
    raise Fail(f"{what}: {reason or _(NOT_ENGINE)} ({worst(out, expected)})")


def distribution(fn: Callable[..., Any], models: Any) -> str:
    for prompt in PROMPTS:
        logits = models.last_logits(prompt)
        out = _call(fn, logits, None)  # the default temperature must be 1
        expected = engine_probs(logits, 1.0)
        if not close(out, expected, atol=1e-6, rtol=1e-4):
            reason = _diagnose(out, logits, 1.0)
            raise Fail(_("for {prompt} at temperature 1").format(prompt=repr(prompt))
                       + f": {reason or _(NOT_ENGINE)} ({worst(out, expected)})")
    return _("matches the engine's probabilities for {count} real prompts").format(
        count=len(PROMPTS))


def temperature(fn: Callable[..., Any], models: Any) -> str:
    for prompt in PROMPTS:
        logits = models.last_logits(prompt)
        for t in TEMPERATURES:
            _compare(fn, logits, t, _("for {prompt} at temperature {t}").format(
                prompt=repr(prompt), t=t))
    return _("matches the engine at temperatures {values}").format(
        values=", ".join(map(str, TEMPERATURES)))


def stability(fn: Callable[..., Any], models: Any) -> str:
    logits = models.last_logits(PROMPTS[0]).astype(np.float64) + 1e4
    for t in (1.0, 0.5):
        out = _call(fn, logits, t)
        if not np.all(np.isfinite(out)):
            raise Fail(_(NO_MAX_1E4))
        expected = engine_probs(logits, t)
        if not close(out, expected, atol=1e-6, rtol=1e-3):
            raise Fail(_("logits around 1e4 at temperature {t}").format(t=t)
                       + f": {worst(out, expected)}")
    return _("logits around 1e4 give finite, correct probabilities")


def prepare(models: Any) -> None:
    for prompt in PROMPTS:
        models.last_logits(prompt)


CHECKS: list[Check] = [
    (N_("probabilities at temperature 1"), distribution),
    (N_("temperature divides the logits"), temperature),
    (N_("numerically stable"), stability),
]
