"""The engine's own decode loop must make exactly what `model.generate` makes, greedily."""

from __future__ import annotations

import pytest
import torch

from tutor.engine import Engine
from tutor.engine.blasdecode import BlasLlamaStepper
from tutor.engine.fastdecode import LlamaStepper, ModelStepper, make_stepper
from tutor.engine.types import GenerationSettings

PROMPTS = ["The capital of France is", "Once upon a time there was", "Tokens are pieces of"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    e = Engine("tiny-llama")
    e.load()
    return e


def reference(engine: Engine, ids: list[int], n: int, use_cache: bool = True) -> list[int]:
    m = engine._get()
    x = torch.tensor([ids])
    with torch.inference_mode():
        out = m.model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=n,
                               min_new_tokens=n, do_sample=False, use_cache=use_cache,
                               pad_token_id=m.tokenizer.pad_token_id)
    return [int(t) for t in out[0, len(ids):]]


def made(engine: Engine, prompt: str, n: int, use_cache: bool = True) -> tuple[list[int], list[int]]:
    run = engine.stream(prompt, GenerationSettings(max_new_tokens=n, use_cache=use_cache))
    tokens = [t.id for t in run]
    assert run.result is not None
    assert len(tokens) == n or run.result.stop_reason == "eos"
    return run.input_ids, tokens


@pytest.mark.parametrize("prompt", PROMPTS)
@pytest.mark.parametrize("use_cache", [True, False])
def test_greedy_matches_generate(engine: Engine, prompt: str, use_cache: bool) -> None:
    # a random tiny model would soon emit its end token; generate() is told to ignore it
    # (min_new_tokens), so the engine is compared only up to the first end token it makes
    ids, tokens = made(engine, prompt, 40, use_cache)
    expected = reference(engine, ids, len(tokens), use_cache)
    assert tokens == expected[: len(tokens)]
    assert len(tokens) > 10


def test_tiny_llama_uses_the_blas_step(engine: Engine) -> None:
    m = engine._get()
    assert isinstance(make_stepper(m.model, m.device, 64), BlasLlamaStepper)
    assert isinstance(make_stepper(m.model, m.device, 64, "torch"), LlamaStepper)


def test_blas_layout_keeps_the_models_numbers(engine: Engine) -> None:
    """The transformers forward reads the same weights after they are laid out for BLAS."""
    from tutor.engine import blasdecode

    m = engine._get()
    fresh = Engine("tiny-llama")
    fresh.load()
    model = fresh._get().model
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.tensor([m.tokenizer("The river bank was")["input_ids"]])
    with torch.inference_mode():
        expected = model(input_ids=x).logits
        blasdecode.prepared(model)
        after = model(input_ids=x).logits
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name]), name
    assert not model.model.layers[0].self_attn.q_proj.weight.is_contiguous()  # laid out
    torch.testing.assert_close(after, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("lean_step", [LlamaStepper, BlasLlamaStepper])
def test_lean_step_logits_match_the_model_forward(engine: Engine, lean_step: type) -> None:
    """Step by step, the lean llama steps give the logits of the transformers forward."""
    m = engine._get()
    ids = list(m.tokenizer("The river bank was")["input_ids"])
    lean = lean_step(m.model, m.device, 64)
    plain = ModelStepper(m.model, m.device)
    with torch.inference_mode():
        a, b = lean.prefill(ids), plain.prefill(ids)
        torch.testing.assert_close(a, b, rtol=0, atol=0)
        token = int(torch.argmax(a))
        for _ in range(20):
            a, b = lean.step(token), plain.step(token)
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
            # the candidates' order must agree too, not only the winner
            assert torch.equal(torch.topk(a, 5).indices, torch.topk(b, 5).indices)
            token = int(torch.argmax(a))


def test_stream_reports_steps_and_probabilities(engine: Engine) -> None:
    run = engine.stream("The capital of", GenerationSettings(max_new_tokens=8, candidates=4))
    steps = list(run)
    assert run.result is not None and run.result.tokens == steps
    for step in steps:
        assert step.ms > 0
        assert len(step.candidates) == 4
        assert step.candidates[0].id == step.id  # greedy: the top candidate is chosen
        probs = [c.prob for c in step.candidates]
        assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-6
    assert run.result.ttft_ms > 0 and run.result.tokens_per_s > 0


def test_sampling_is_reproducible_with_a_seed(engine: Engine) -> None:
    settings = GenerationSettings(max_new_tokens=12, temperature=1.0, top_k=20, seed=7)
    first = [t.id for t in engine.stream("Once upon a time", settings)]
    second = [t.id for t in engine.stream("Once upon a time", settings)]
    assert first == second
