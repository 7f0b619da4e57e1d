"""On SmolLM2 the fast decode steps change no greedy token: the BLAS step and the torch
step, through the one decode loop, make exactly what `model.generate` makes at 32, 128
and 512 new tokens."""

from __future__ import annotations

import pytest
import torch

from tutor.engine import Engine
from tutor.engine.decode import blas, llama, make_stepper
from tutor.engine.types import GenerationSettings
from tutor.settings import Settings

pytestmark = pytest.mark.real

PROMPTS = ["The capital of France is", "def fibonacci(n):", "Once upon a time, a small robot"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    e = Engine("smollm2", Settings.build({"device": "cpu"}))
    e.load()
    return e


@pytest.fixture(scope="module")
def stock() -> Engine:
    """decode torch: the model as transformers lays it out (the reference for generate)."""
    e = Engine("smollm2", Settings.build({"device": "cpu", "decode": "torch"}))
    e.load()
    return e


def test_smollm2_takes_the_blas_step(engine: Engine, stock: Engine) -> None:
    assert isinstance(make_stepper(engine._get(), "auto", True, 32), blas.BlasLlamaStepper)
    assert isinstance(make_stepper(stock._get(), "torch", True, 32), llama.TorchLlamaStepper)


@pytest.mark.parametrize("n", [32, 128, 512])
@pytest.mark.parametrize("which", ["blas", "torch"])
def test_greedy_tokens_equal_model_generate(engine: Engine, stock: Engine, which: str,
                                            n: int) -> None:
    prompt = PROMPTS[[32, 128, 512].index(n)]
    runner = engine if which == "blas" else stock
    run = runner.stream(prompt, GenerationSettings(max_new_tokens=n, min_new_tokens=n,
                                                   candidates=0))
    tokens = [t.id for t in run]
    m = stock._get()
    x = torch.tensor([run.input_ids])
    with torch.inference_mode():
        out = m.model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=n,
                               min_new_tokens=n, do_sample=False,
                               pad_token_id=m.tokenizer.pad_token_id)
    assert tokens == [int(t) for t in out[0, x.shape[1]:]]
    assert len(tokens) == n


def test_chat_answer_equal_model_generate(engine: Engine, stock: Engine) -> None:
    run = engine.stream("What is the capital of France?",
                        GenerationSettings(max_new_tokens=24, chat=True))
    tokens = [t.id for t in run]
    assert run.result is not None and "Paris" in run.result.text
    m = stock._get()
    x = torch.tensor([run.input_ids])
    with torch.inference_mode():
        out = m.model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=24,
                               do_sample=False, pad_token_id=m.tokenizer.pad_token_id)
    assert tokens == [int(t) for t in out[0, x.shape[1]:]][: len(tokens)]
