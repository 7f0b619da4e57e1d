"""Settings.dtype: reduced precision is opt-in, and the lean decode step follows it."""

from __future__ import annotations

import pytest
import torch

from tutor.engine import Engine
from tutor.engine.decode import CacheStepper
from tutor.engine.decode.llama import TorchLlamaStepper
from tutor.engine.types import GenerationSettings
from tutor.settings import Settings, SettingsError


def load(monkeypatch: pytest.MonkeyPatch, dtype: str | None) -> Engine:
    if dtype is None:
        monkeypatch.delenv("TUTOR_DTYPE", raising=False)
    else:
        monkeypatch.setenv("TUTOR_DTYPE", dtype)
    engine = Engine("tiny-llama", Settings.load())
    engine.load()
    return engine


def test_float32_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load(monkeypatch, None).facts.dtype == "float32"


@pytest.mark.parametrize("dtype", ["bf16", "int8"])
def test_reduced_precision_keeps_the_parameter_count(monkeypatch: pytest.MonkeyPatch,
                                                     dtype: str) -> None:
    reference = load(monkeypatch, None)
    expected = sum(p.numel() for p in reference._get().model.parameters())
    assert load(monkeypatch, dtype).facts.parameters == expected


def test_unknown_dtype_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="TUTOR_DTYPE"):
        load(monkeypatch, "float8")


@pytest.mark.parametrize(("dtype", "label"), [("bf16", "bfloat16"), ("int8", "int8")])
def test_lean_step_follows_the_reduced_precision_model(monkeypatch: pytest.MonkeyPatch,
                                                        dtype: str, label: str) -> None:
    engine = load(monkeypatch, dtype)
    assert engine.facts.dtype.startswith(label)
    m = engine._get()
    ids = m.text.ids("The capital of France")
    lean, plain = TorchLlamaStepper(m.model, m.device, 64), CacheStepper(m.model, m.device)
    with torch.inference_mode():
        a, b = lean.prefill(ids), plain.prefill(ids)
        token = int(torch.argmax(a))
        for _ in range(10):
            a, b = lean.step(token), plain.step(token)
            torch.testing.assert_close(a.float(), b.float(), rtol=1e-3, atol=1e-3)
            token = int(torch.argmax(b))
    steps = list(engine.stream("The capital of", GenerationSettings(max_new_tokens=6)))
    assert len(steps) >= 1 and all(s.candidates for s in steps)
