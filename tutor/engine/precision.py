"""Reduced precision on request (`Settings.dtype`, TUTOR_DTYPE), for speed at a measured cost in accuracy.

float32 is the default because it is the only setting whose greedy output is exactly that
of the reference weights; bench/RESULTS.md measures what the others gain and how many
greedy tokens they change. int8 is dynamic quantisation of the linear layers (weights
stored as int8, activations quantised on the fly; the output layer stays float32), CPU
only.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch

from tutor.engine.errors import EngineError
from tutor.i18n import _


def apply(model: Any, kind: str, device: torch.device, name: str) -> tuple[Any, str | None]:
    """The model at precision `name` (one of `tutor.settings.DTYPES`, checked there), and a
    dtype label when parameters don't tell it.

    Only decoders change: the encoder panels compare vectors to several decimals."""
    if name == "float32" or kind != "decoder":
        return model, None
    if name in ("bfloat16", "float16"):
        return model.to(getattr(torch, name)), None
    if device.type != "cpu":
        raise EngineError(_("dtype int8 is a CPU path; use bfloat16 or float16 on {device}")
                          .format(device=device))
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        # torch.ao's eager quantisation warns that it is moving to torchao; it still works
        warnings.simplefilter("ignore")
        # the output layer stays float32: its one per-tensor scale over the whole
        # vocabulary flattens the logits enough to change the very first greedy token
        names = {n for n, m in model.named_modules()
                 if isinstance(m, torch.nn.Linear) and m is not model.get_output_embeddings()}
        quantised = quantize_dynamic(model, names, dtype=torch.qint8)
    return quantised, "int8 (dynamic, linear layers but the output layer)"
