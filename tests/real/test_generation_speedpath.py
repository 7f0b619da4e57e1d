"""On SmolLM2 the fast decode path (lean llama step, static cache) changes no greedy token."""

from __future__ import annotations

import pytest
import torch

from tutor.engine import Engine
from tutor.engine.blasdecode import BlasLlamaStepper
from tutor.engine.fastdecode import LlamaStepper, make_stepper
from tutor.engine.types import GenerationSettings

pytestmark = pytest.mark.real

PROMPTS = ["The capital of France is", "def fibonacci(n):", "Once upon a time, a small robot"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    e = Engine("smollm2")
    e.load()
    return e


def test_smollm2_takes_the_blas_step(engine: Engine) -> None:
    m = engine._get()
    assert isinstance(make_stepper(m.model, m.device, 32), BlasLlamaStepper)


def test_torch_step_on_request(engine: Engine) -> None:
    m = engine._get()
    assert isinstance(make_stepper(m.model, m.device, 32, "torch"), LlamaStepper)


@pytest.mark.parametrize("decode", ["blas", "torch"])
@pytest.mark.parametrize("prompt", PROMPTS)
def test_greedy_tokens_equal_model_generate(engine: Engine, prompt: str, decode: str) -> None:
    n = 48
    engine.settings = engine.settings.with_flags(decode=decode)
    run = engine.stream(prompt, GenerationSettings(max_new_tokens=n))
    tokens = [t.id for t in run]
    assert run.result is not None
    m = engine._get()
    x = torch.tensor([run.input_ids])
    with torch.inference_mode():
        out = m.model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=len(tokens),
                               do_sample=False, pad_token_id=m.tokenizer.pad_token_id)
    expected = [int(t) for t in out[0, x.shape[1]:]]
    assert tokens == expected
    assert len(tokens) == n or run.result.stop_reason == "eos"


def test_chat_answer_equal_model_generate(engine: Engine) -> None:
    run = engine.stream("What is the capital of France?",
                        GenerationSettings(max_new_tokens=24, chat=True))
    tokens = [t.id for t in run]
    assert run.result is not None and "Paris" in run.result.text
    m = engine._get()
    x = torch.tensor([run.input_ids])
    with torch.inference_mode():
        out = m.model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=24,
                               do_sample=False, pad_token_id=m.tokenizer.pad_token_id)
    assert tokens == [int(t) for t in out[0, x.shape[1]:]][: len(tokens)]
