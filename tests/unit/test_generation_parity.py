"""Every stepper, driven by the one decode loop, makes exactly what `model.generate` makes,
greedily, at 32, 128 and 512 new tokens; and the engine's stream around that loop."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from tutor.engine import Engine
from tutor.engine.decode import (
    CacheStepper,
    DecodeLoop,
    FullStepper,
    Seq2SeqStepper,
    blas,
    eos_ids,
    llama,
    picker,
)
from tutor.engine.tiny import tiny_decoder
from tutor.engine.types import GenerationSettings

PROMPTS = ["The capital of France is", "Once upon a time there was", "Tokens are pieces of"]
WINDOW = 1024  # a tiny llama with room for a 512-token run


@pytest.fixture(scope="module", autouse=True)
def _one_thread() -> Any:
    # a tiny model's products are too small to share out: on a busy machine torch's thread
    # pool makes each of the thousands of steps here dozens of times slower
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def stock() -> tuple[Any, Any]:
    model, tokenizer = tiny_decoder(max_positions=WINDOW)
    model.config._attn_implementation = "eager"
    return model.eval(), tokenizer


@pytest.fixture(scope="module")
def laid_out() -> tuple[Any, blas.BlasWeights]:
    """The same weights (same seed), laid out for the BLAS step as loading does."""
    model, _ = tiny_decoder(max_positions=WINDOW)
    model.config._attn_implementation = "eager"
    model.eval()
    return model, blas.lay_out(model)


def reference(model: Any, ids: list[int], n: int, use_cache: bool, pad: int) -> list[int]:
    x = torch.tensor([ids])
    with torch.inference_mode():
        # min_new_tokens: a random tiny model soon emits its end token; generate() then
        # rules it out, and so does the engine's picker (GenerationSettings.min_new_tokens)
        out = model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=n,
                             min_new_tokens=n, do_sample=False, use_cache=use_cache,
                             pad_token_id=pad)
    return [int(t) for t in out[0, len(ids):]]


def decoded(stepper: Any, model: Any, tokenizer: Any, ids: list[int], n: int) -> list[int]:
    eos = eos_ids(model, tokenizer)
    pick = picker(GenerationSettings(max_new_tokens=n, min_new_tokens=n), eos)
    with torch.inference_mode():
        return [s.id for s in DecodeLoop(stepper, ids, pick, n, eos, WINDOW)]


STEPPERS = {
    "transformers cache": lambda m, lo: CacheStepper(m, torch.device("cpu")),
    "full forward": lambda m, lo: FullStepper(m, torch.device("cpu")),
    "torch llama": lambda m, lo: llama.TorchLlamaStepper(m, torch.device("cpu"), WINDOW),
    "blas llama": lambda m, lo: blas.BlasLlamaStepper(lo[0], torch.device("cpu"), WINDOW, lo[1]),
}


@pytest.mark.parametrize("n", [32, 128, 512])
@pytest.mark.parametrize("kind", list(STEPPERS))
def test_every_stepper_matches_generate(stock: tuple[Any, Any], laid_out: Any, kind: str,
                                        n: int) -> None:
    model, tokenizer = stock
    ids = list(tokenizer(PROMPTS[n % len(PROMPTS)])["input_ids"])
    expected = reference(model, ids, n, use_cache=kind != "full forward",
                         pad=tokenizer.pad_token_id)
    made = decoded(STEPPERS[kind](model, laid_out), model, tokenizer, ids, n)
    assert len(made) == n
    assert made == expected


def test_the_seq2seq_step_matches_generate() -> None:
    dates = Engine("dates", device="cpu")
    m = dates._get()
    for source in ["Monday, November 23, 2026", "the 3rd of March 2021", "12/25/1999"]:
        src = m.text.ids(source)
        x = torch.tensor([src])
        with torch.inference_mode():
            out = m.model.generate(x, attention_mask=torch.ones_like(x), do_sample=False,
                                   max_new_tokens=32)
        expected = [int(t) for t in out[0, 1:]]  # after the decoder's start token
        made = [s.chosen.id for s in dates.translate(source, max_steps=32).steps]
        assert made == expected[: len(made)] and len(made) >= 10
        stepper = Seq2SeqStepper(m.model, m.device, src)
        with torch.inference_mode():
            first = int(torch.argmax(stepper.prefill([int(out[0, 0])])))
        assert first == expected[0]


@pytest.fixture(scope="module")
def engine() -> Engine:
    e = Engine("tiny-llama")
    e.load()
    return e


@pytest.mark.parametrize("use_cache", [True, False])
def test_the_engine_stream_matches_generate(engine: Engine, use_cache: bool) -> None:
    m = engine._get()
    for prompt in PROMPTS:
        run = engine.stream(prompt, GenerationSettings(max_new_tokens=40, min_new_tokens=40,
                                                       use_cache=use_cache))
        tokens = [t.id for t in run]
        assert run.result is not None and run.result.stop_reason == "max_new_tokens"
        assert tokens == reference(m.model, run.input_ids, 40, use_cache,
                                   m.tokenizer.pad_token_id)


def test_the_engine_lays_its_llama_out_for_blas_at_load(engine: Engine) -> None:
    from tutor.engine.decode import make_stepper
    from tutor.settings import Settings

    m = engine._get()
    assert m.blas is not None
    assert not m.model.model.layers[0].self_attn.q_proj.weight.is_contiguous()  # laid out
    assert isinstance(make_stepper(m, "auto", True, 64), blas.BlasLlamaStepper)
    assert isinstance(make_stepper(m, "torch", True, 64), llama.TorchLlamaStepper)
    assert isinstance(make_stepper(m, "transformers", True, 64), CacheStepper)
    assert isinstance(make_stepper(m, "auto", False, 64), FullStepper)
    stock = Engine("tiny-llama", Settings.build({"decode": "torch"}))._get()
    assert stock.blas is None  # decode torch: the model as transformers loads it
    assert stock.model.model.layers[0].self_attn.q_proj.weight.is_contiguous()


def test_blas_layout_keeps_the_models_numbers() -> None:
    """The transformers forward reads the same weights after they are laid out for BLAS."""
    model, tokenizer = tiny_decoder()
    model.eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.tensor([tokenizer("The river bank was")["input_ids"]])
    with torch.inference_mode():
        expected = model(input_ids=x).logits
        blas.lay_out(model)
        after = model(input_ids=x).logits
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name]), name
    torch.testing.assert_close(after, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("lean", ["torch llama", "blas llama"])
def test_lean_step_logits_match_the_model_forward(stock: tuple[Any, Any], laid_out: Any,
                                                  lean: str) -> None:
    """Step by step, the lean llama steps give the logits of the transformers forward."""
    model, tokenizer = stock
    ids = list(tokenizer("The river bank was")["input_ids"])
    fast, plain = STEPPERS[lean](model, laid_out), CacheStepper(model, torch.device("cpu"))
    with torch.inference_mode():
        a, b = fast.prefill(ids), plain.prefill(ids)
        torch.testing.assert_close(a, b, rtol=0, atol=0)
        token = int(torch.argmax(a))
        for _ in range(20):
            a, b = fast.step(token), plain.step(token)
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
        # greedy draws from a distribution with everything on the top token; raw_prob is
        # the model's own softmax
        assert [c.prob for c in step.candidates] == [1.0, 0.0, 0.0, 0.0]
        raw = [c.raw_prob for c in step.candidates]
        assert raw == sorted(raw, reverse=True) and 0 < sum(raw) <= 1 + 1e-6
    assert run.result.ttft_ms > 0 and run.result.tokens_per_s > 0
    assert run.result.text == "".join(t.added for t in steps)


def test_sampled_candidates_carry_the_sampling_distribution(engine: Engine) -> None:
    s = GenerationSettings(max_new_tokens=6, temperature=0.7, top_k=3, seed=1, candidates=5)
    for step in engine.stream("Once upon a time", s):
        kept = [c for c in step.candidates if c.prob > 0]
        assert len(kept) <= 3 and abs(sum(c.prob for c in kept) - 1) < 1e-5
        assert step.id in {c.id for c in kept}


def test_sampling_is_reproducible_with_a_seed(engine: Engine) -> None:
    settings = GenerationSettings(max_new_tokens=12, temperature=1.0, top_k=20, seed=7)
    first = [t.id for t in engine.stream("Once upon a time", settings)]
    second = [t.id for t in engine.stream("Once upon a time", settings)]
    assert first == second
