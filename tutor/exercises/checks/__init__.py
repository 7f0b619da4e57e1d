"""The checks of each exercise. Imported only in the child process (they use torch).

A check is a function `(learner_function, models) -> str` that returns what it verified,
or raises `Fail` with a message naming the likely mistake. Each exercise's module lists
its checks in order as `CHECKS`, named with N_(): the names travel in English (they are the
checks' ids in the child's reports and in `--json`) and are translated where shown. The
messages are translated here, in the child, which runs in the learner's language.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

import numpy as np

from tutor.i18n import _


class Fail(Exception):
    """A check that did not pass; the message is for the learner."""


CheckFn = Callable[[Callable[..., Any], Any], str]
Check = tuple[str, CheckFn]


def checks_for(module: str) -> list[Check]:
    return list(import_module(f"tutor.exercises.checks.{module}").CHECKS)


def prepare_for(module: str, models: Any) -> None:
    """Compute the stock model's answers before the learner's clock starts (`prepare`)."""
    prepare = getattr(import_module(f"tutor.exercises.checks.{module}"), "prepare", None)
    if prepare is not None:
        prepare(models)


def as_array(value: Any, what: str) -> np.ndarray:
    """The learner's return value as a float array, or a Fail that says what came back."""
    if value is None:
        raise Fail(_("{what} is None: did you forget `return`?").format(what=what))
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise Fail(_("{what} should be a numpy array, not {type} ({error})").format(
            what=what, type=type(value).__name__, error=err)) from None
    return arr


def expect_shape(arr: np.ndarray, shape: tuple[int, ...], what: str) -> None:
    if arr.shape != shape:
        raise Fail(_("{what} has shape {shape}, expected {expected}").format(
            what=what, shape=arr.shape, expected=shape))


def close(a: np.ndarray, b: np.ndarray, atol: float, rtol: float = 1e-4) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, atol=atol, rtol=rtol))


def worst(a: np.ndarray, b: np.ndarray) -> str:
    """Where two arrays differ most, in words."""
    diff = np.abs(a - b)
    diff = np.where(np.isnan(diff), np.inf, diff)
    at = np.unravel_index(int(np.argmax(diff)), diff.shape)
    index = ", ".join(str(int(i)) for i in at)
    return _("at [{index}] you gave {got}, expected {expected}").format(
        index=index, got=f"{a[at]:.6g}", expected=f"{b[at]:.6g}")
