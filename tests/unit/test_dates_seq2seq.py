"""The encoder-decoder engine functions on a tiny untrained BART with the dates tokenizer."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from train.dates import build_model, generation_config
from train.tokenizer import build_tokenizer
from tutor.engine import seq2seq
from tutor.engine.loading import Loaded, _facts, parameter_count
from tutor.engine.registry import ModelSpec
from tutor.engine.tokenize import TextTokenizer

SOURCE = "Mon, Nov 23, 2026"  # shorter than the tiny model's 24 positions


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    torch.manual_seed(0)
    tok = build_tokenizer(24)
    pad, start, eos = tok.pad_token_id, tok.bos_token_id, tok.eos_token_id
    model = build_model(len(tok), pad, start, eos, d_model=16, layers=2, heads=2, ffn=32,
                        positions=24)
    model.generation_config = generation_config(pad, start, eos)
    model.config._attn_implementation = "eager"
    model.eval()
    spec = ModelSpec(name="tiny-dates", kind="seq2seq", title="tiny dates",
                     description="untrained", source="tiny")
    dev = torch.device("cpu")
    facts = _facts(spec, "seq2seq", model, tok, dev, parameter_count(model))
    return Loaded(spec=spec, kind="seq2seq", model=model, tokenizer=tok, device=dev,
                  text=TextTokenizer.from_transformers(tok, spec.name, facts.context_length),
                  facts=facts)


def test_facts_read_the_bart_config(loaded: Loaded) -> None:
    f = loaded.facts
    assert (f.layers, f.decoder_layers, f.heads, f.hidden_size) == (2, 2, 2, 16)
    assert f.vocab_size == len(loaded.tokenizer)


@torch.inference_mode()
def test_attention_shapes_and_rows(loaded: Loaded) -> None:
    maps = seq2seq.attention(loaded, "23/11/2026", "2026-11-23")
    s, t = len("23/11/2026") + 1, len("2026-11-23") + 1
    assert maps.tokens[-1] == "</s>" and maps.target_tokens[0] == "<s>"
    assert maps.weights.shape == (2, 2, s, s)
    assert maps.decoder is not None and maps.decoder.shape == (2, 2, t, t)
    assert maps.cross is not None and maps.cross.shape == (2, 2, t, s)
    for w in (maps.weights, maps.decoder, maps.cross):
        np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-5)
    # The decoder may not look ahead at what it has not written yet.
    assert np.all(np.triu(maps.decoder, k=1) == 0)
    assert maps.causal is False


@torch.inference_mode()
def test_attention_defaults_to_the_models_own_translation(loaded: Loaded) -> None:
    # attention() lets the decoder write until its input fills every position.
    out = seq2seq.translate(loaded, SOURCE, max_steps=loaded.facts.context_length - 1)
    written = [s.chosen.text for s in out.steps if not s.is_eos]
    maps = seq2seq.attention(loaded, SOURCE, None)
    assert maps.target_tokens == ["<s>", *written]


@torch.inference_mode()
def test_loop_step_matches_translate(loaded: Loaded) -> None:
    out = seq2seq.translate(loaded, SOURCE, max_steps=6)
    written: list[int] = []
    for step in out.steps:
        again = seq2seq.loop_step(loaded, SOURCE, written, top=5)
        assert again.index == step.index == len(written)
        assert again.chosen.id == step.chosen.id
        assert again.input_tokens[0] == "<s>" and len(again.input_ids) == len(written) + 1
        assert again.cross_attention is not None
        assert again.cross_attention.shape == (2, 2, len(SOURCE) + 1)
        np.testing.assert_allclose(again.cross_attention.sum(-1), 1.0, atol=1e-5)
        probs = [c.prob for c in again.logits_top]
        assert len(probs) == 5 and probs == sorted(probs, reverse=True)
        written.append(step.chosen.id)


@torch.inference_mode()
def test_greedy_loop_equals_generate(loaded: Loaded) -> None:
    for text in (SOURCE, "23/11/2026", "x"):
        out = seq2seq.translate(loaded, text, max_steps=10)
        enc = loaded.tokenizer(text, return_tensors="pt")
        ref = loaded.model.generate(**enc, max_new_tokens=10, do_sample=False, num_beams=1)
        ref_ids = [i for i in ref[0].tolist()[1:] if i != loaded.tokenizer.pad_token_id]
        ours = [s.chosen.id for s in out.steps]
        assert ours == ref_ids


@torch.inference_mode()
def test_stop_reasons(loaded: Loaded) -> None:
    out = seq2seq.translate(loaded, SOURCE, max_steps=3)
    if out.stop_reason == "eos":
        assert out.steps[-1].is_eos
    else:
        assert out.stop_reason == "max_new_tokens" and len(out.steps) == 3
    assert all(not s.is_eos for s in out.steps[:-1])


@torch.inference_mode()
def test_long_and_odd_sources_are_cut_not_crashed(loaded: Loaded) -> None:
    out = seq2seq.translate(loaded, "noise! " * 80, max_steps=4)
    assert len(out.source_tokens) == 24 and out.source_tokens[-1] == "</s>"
    maps = seq2seq.attention(loaded, "noise! " * 80, "2026")
    assert maps.truncated and maps.notice and maps.weights.shape[-1] == 24
    empty = seq2seq.translate(loaded, "", max_steps=4)
    assert empty.source_tokens == ["</s>"] and isinstance(empty.output, str)


def test_translation_json_has_each_step(loaded: Loaded) -> None:
    with torch.inference_mode():
        out = seq2seq.translate(loaded, SOURCE, max_steps=4)
    d = out.to_dict()
    assert d["output"] == out.output and len(d["steps"]) == len(out.steps)
    for step in d["steps"]:
        assert len(step["cross_attention"]) == len(SOURCE) + 1
        assert abs(sum(step["cross_attention"]) - 1) < 1e-4
        assert step["chosen"]["id"] == step["candidates"][0]["id"]


@pytest.mark.parametrize(("text", "valid"), [
    ("2026-11-23", True), ("2024-02-29", True), ("2023-02-29", False), ("2026-11-32", False),
    ("0900-00-09", False), ("2026-11-2", False), ("", False), ("2026-11-23x", False),
])
def test_is_iso_date(text: str, valid: bool) -> None:
    assert seq2seq.is_iso_date(text) is valid
