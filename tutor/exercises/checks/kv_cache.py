"""Checks for `kv-cache`: the learner's greedy loop against `model.generate`, counting
the positions it feeds the model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from tutor.exercises.checks import Check, Fail
from tutor.i18n import N_, _

PROMPTS = ("The capital of France is", "def fibonacci(n):", "Once upon a time, a robot")
NEW_TOKENS = 8

NO_CACHE = N_("a decode loop without the cache: after the prompt, feed only the newest token, "
            "together with the cache that step returned")


class Step:
    """`step(ids, cache)` for the learner: runs the model, counts what it is fed.

    With a `budget` it stops the learner's loop as soon as it has fed more positions than a
    cached loop ever needs, so a slow loop without the cache fails at once, by name."""

    def __init__(self, model: Any, budget: int | None = None, prompt_len: int = 0) -> None:
        self.model = model
        self.fed = 0
        self.calls = 0
        self.budget = budget
        self.prompt_len = prompt_len

    @torch.no_grad()
    def __call__(self, ids: list[int], cache: Any) -> tuple[np.ndarray, Any]:
        ids = [int(i) for i in np.asarray(ids).reshape(-1)]
        if not ids:
            raise ValueError("step() needs at least one token id")
        self.fed += len(ids)
        self.calls += 1
        if self.budget is not None and self.fed > self.budget:
            raise Fail(_(NO_CACHE) + ". " + _(
                "After a {prompt}-token prompt your loop had fed the model {fed} positions in "
                "{calls} calls; {new} new tokens need at most {budget} in all").format(
                    prompt=self.prompt_len, fed=self.fed, calls=self.calls, new=NEW_TOKENS,
                    budget=self.budget))
        out = self.model(input_ids=torch.tensor([ids]), past_key_values=cache, use_cache=True)
        return out.logits[0].float().numpy(), out.past_key_values


@torch.no_grad()
def expected(model: Any, ids: list[int], n: int) -> list[int]:
    x = torch.tensor([ids])
    out = model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=n,
                         do_sample=False, pad_token_id=model.config.eos_token_id)
    return [int(t) for t in out[0, len(ids):]]


def prepare(models: Any) -> None:
    models.memo["generate"] = {
        p: expected(models.decoder.model, models.ids(p), NEW_TOKENS) for p in PROMPTS}


def _run(fn: Callable[..., Any], models: Any, prompt: str,
         budget: bool = False) -> tuple[list[int], Step]:
    ids = models.ids(prompt)
    step = Step(models.decoder.model, len(ids) + NEW_TOKENS if budget else None, len(ids))
    got = fn(step, list(ids), NEW_TOKENS)
    if not isinstance(got, list | tuple) or len(got) != NEW_TOKENS:
        raise Fail(_("return a list of {count} token ids, not {got}").format(
            count=NEW_TOKENS, got=repr(got)[:80]))
    try:
        return [int(t) for t in got], step
    except (TypeError, ValueError):
        raise Fail(_("return token ids (ints), not {got}").format(got=repr(got)[:80])) from None


def tokens(fn: Callable[..., Any], models: Any) -> str:
    for prompt in PROMPTS:
        got, _step = _run(fn, models, prompt)
        want = models.memo["generate"][prompt]
        if got[:len(want)] != want:  # generate() may stop early at end-of-sequence
            at = next(i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b)
            raise Fail(_("for {prompt}, token {number} is {got}, greedy generate() gives "
                         "{want}: take the argmax of the LAST row of logits").format(
                             prompt=repr(prompt), number=at + 1, got=got[at], want=want[at]))
    return _("the same tokens as model.generate (greedy) for {count} prompts").format(
        count=len(PROMPTS))


def cached(fn: Callable[..., Any], models: Any) -> str:
    for prompt in PROMPTS:
        _got, step = _run(fn, models, prompt, budget=True)
        prompt_len = len(models.ids(prompt))
        after = step.fed - prompt_len
        if after > NEW_TOKENS:
            raise Fail(_(NO_CACHE) + ". " + _(
                "For {new} new tokens after a {prompt}-token prompt your loop fed the model "
                "{fed} positions in {calls} calls; with the cache it needs {needed}").format(
                    new=NEW_TOKENS, prompt=prompt_len, fed=step.fed, calls=step.calls,
                    needed=prompt_len + NEW_TOKENS - 1))
    return _("the prompt is fed once, then one token at a time")


CHECKS: list[Check] = [
    (N_("uses the KV cache"), cached),  # first: it stops a loop without the cache early
    (N_("greedy tokens"), tokens),
]
