"""Checks for `mean-pool`: against MiniLM's sentence embeddings on padded batches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tutor.exercises.checks import Check, Fail, as_array, close, expect_shape, worst
from tutor.i18n import N_, _

PADDING = N_("padding included in the mean: average only the positions where mask is 1 "
           "(divide by the number of real tokens, not by seq)")
NOT_UNIT = N_("L2-normalise each sentence vector: divide it by its length (np.linalg.norm)")

ONE = ["Mean pooling turns token vectors into one sentence vector."]
BATCH = ["Hi.", "A man is playing a guitar on the stage tonight.", "Someone plays music.",
         "The bank raised its interest rates again this year, the third time in a row."]


def _compare(fn: Callable[..., Any], models: Any, texts: list[str]) -> str | None:
    hidden, mask, want = models.encode_batch(texts)
    got = as_array(fn(hidden.astype(np.float64), mask.copy()), _("the result"))
    expect_shape(got, want.shape, _("the result [batch, hidden]"))
    if close(got, want, atol=1e-5):
        return None
    all_mean = hidden.mean(axis=1)
    if close(got, all_mean / np.linalg.norm(all_mean, axis=-1, keepdims=True), atol=1e-5):
        return _(PADDING)
    norms = np.linalg.norm(got, axis=-1)
    if not np.allclose(norms, 1, atol=1e-4):
        if close(got / norms[:, None], want, atol=1e-5):
            return _(NOT_UNIT)
        if close(got, all_mean, atol=1e-5):
            return _("{padding}; then {norm}").format(padding=_(PADDING), norm=_(NOT_UNIT))
    return _("not MiniLM's sentence embedding") + f" ({worst(got, want)})"


def one(fn: Callable[..., Any], models: Any) -> str:
    problem = _compare(fn, models, ONE)
    if problem:
        raise Fail(_("one sentence, no padding") + f": {problem}")
    return _("one sentence matches MiniLM's sentence embedding")


def padded(fn: Callable[..., Any], models: Any) -> str:
    problem = _compare(fn, models, BATCH)
    if problem:
        raise Fail(_("a padded batch of {count} sentences").format(count=len(BATCH))
                   + f": {problem}")
    return _("a padded batch of {count} sentences of different lengths matches "
             "MiniLM").format(count=len(BATCH))


def prepare(models: Any) -> None:
    models.encode_batch(ONE)
    models.encode_batch(BATCH)


CHECKS: list[Check] = [
    (N_("one sentence"), one),
    (N_("padded batch"), padded),
]
