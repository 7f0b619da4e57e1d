"""The shipped dates model (tutor/models/dates) through the engine and `tutor translate`."""

from __future__ import annotations

import json
import random
import secrets
import subprocess
import sys

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from train import data
from tutor.cli import main
from tutor.engine import Engine
from tutor.engine.errors import BadInput

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def dates() -> Engine:
    return Engine("dates", device="cpu")


def _batch_translate(engine: Engine, sources: list[str]) -> list[str]:
    m = engine._get()
    out: list[str] = []
    with torch.inference_mode():
        for i in range(0, len(sources), 250):
            enc = m.tokenizer(sources[i:i + 250], padding=True, truncation=True,
                              return_tensors="pt")
            ids = m.model.generate(**enc, max_new_tokens=12, do_sample=False, num_beams=1)
            out.extend(m.tokenizer.batch_decode(ids, skip_special_tokens=True))
    return out


def test_facts(dates: Engine) -> None:
    f = dates.facts
    assert f.kind == "seq2seq" and f.layers >= 1 and f.decoder_layers >= 1
    assert f.parameters < 5_000_000  # "a few million parameters at most"


def test_the_issue_example(dates: Engine) -> None:
    out = dates.translate("Monday, November 23, 2026")
    assert out.output == "2026-11-23" and out.valid_date and out.stop_reason == "eos"


def test_accuracy_on_fresh_random_dates_in_every_format(dates: Engine) -> None:
    seed = secrets.randbits(32)  # fresh each run; printed on failure to reproduce it
    rng = random.Random(seed)
    examples = [data.example(rng, fmt=name) for name in data.FORMATS for _ in range(125)]
    got = _batch_translate(dates, [e.source for e in examples])
    wrong = [(e.source, e.target, g) for e, g in zip(examples, got, strict=True) if g != e.target]
    assert len(examples) == 1000
    assert len(wrong) <= 10, f"seed {seed}: {len(wrong)} wrong, e.g. {wrong[:5]}"


def test_engine_loop_agrees_with_generate(dates: Engine) -> None:
    rng = random.Random(5)
    examples = [data.example(rng) for _ in range(16)]
    batched = _batch_translate(dates, [e.source for e in examples])
    for ex, ref in zip(examples, batched, strict=True):
        assert dates.translate(ex.source).output == ref


def test_greedy_stops_at_the_end_token(dates: Engine) -> None:
    out = dates.translate("23 Nov 2026", max_steps=32)
    assert out.stop_reason == "eos" and out.steps[-1].is_eos
    assert not any(s.is_eos for s in out.steps[:-1])
    assert len(out.steps) == len("2026-11-23") + 1  # ten characters, then </s>


@pytest.mark.parametrize("text", ["32 November 2026", "%$#@!" * 100,
                                  "".join(random.Random(3).choice("abc xyz,/0123456789?")
                                          for _ in range(500)),
                                  "February 30, 2023", "Zzzz 99, 12345"])
def test_malformed_input_gives_output_never_a_crash(dates: Engine, text: str) -> None:
    out = dates.translate(text)
    assert isinstance(out.output, str) and out.steps
    assert out.valid_date in (True, False)
    assert out.stop_reason in ("eos", "max_new_tokens", "context_full")


@pytest.mark.parametrize("text", ["", "   \t "])
def test_empty_input_is_refused_with_a_sentence(dates: Engine, text: str) -> None:
    # blank text once came back as a confident date (1900-07-09); the input policy refuses it
    with pytest.raises(BadInput, match="empty"):
        dates.translate(text)


def test_cross_attention_rows_sum_to_one(dates: Engine) -> None:
    out = dates.translate("Friday, 1 January 2100")
    for step in out.steps:
        assert step.cross_attention is not None
        assert step.cross_attention.shape[-1] == len(out.source_tokens)
        np.testing.assert_allclose(step.cross_attention.sum(-1), 1.0, atol=1e-5)
    maps = dates.attention("23 November 2026")
    assert maps.target_tokens[0] == "<s>" and maps.cross is not None
    np.testing.assert_allclose(maps.cross.sum(-1), 1.0, atol=1e-5)


def test_cross_attention_finds_the_month_word(dates: Engine) -> None:
    # When the decoder writes the month digits, some head should look at the month's letters.
    src = "23 November 2026"
    maps = dates.attention(src, "2026-11-23")
    assert maps.tokens[3:11] == list("november")
    month = list(range(3, 11))
    assert maps.cross is not None
    # Row 5: the decoder has read "<s>2026-" and writes the first month digit.
    assert maps.target_tokens[5] == "-"
    row = maps.cross[:, :, 5, :]
    assert max(row[layer, head, month].sum() for layer in range(row.shape[0])
               for head in range(row.shape[1])) > 0.5


def test_cli_prints_the_iso_date() -> None:
    result = CliRunner().invoke(main, ["translate", "Monday, November 23, 2026"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "2026-11-23"


def test_cli_says_when_the_output_is_not_a_date() -> None:
    result = CliRunner().invoke(main, ["translate", "%$#@!" * 20])
    assert result.exit_code == 0
    out = result.stdout.strip()
    from tutor.engine.seq2seq import is_iso_date

    if not is_iso_date(out):
        assert "not a valid date" in result.stderr


def test_cli_json_has_every_step() -> None:
    result = CliRunner().invoke(main, ["translate", "23/11/2026", "--json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["output"] == "2026-11-23" and d["valid_date"] is True and d["stop_reason"] == "eos"
    assert d["source_tokens"][-1] == "</s>"
    assert "".join(s["chosen"]["text"] for s in d["steps"][:-1]) == "2026-11-23"
    assert d["steps"][-1]["chosen"]["text"] == "</s>" and d["steps"][-1]["is_eos"]
    for step in d["steps"]:
        assert len(step["cross_attention"]) == len(d["source_tokens"])
        assert abs(sum(step["cross_attention"]) - 1) < 1e-4
        assert step["candidates"][0] == step["chosen"]


def test_cli_in_a_fresh_process() -> None:
    out = subprocess.run([sys.executable, "-m", "tutor", "translate",
                          "Monday, November 23, 2026"], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.strip() == "2026-11-23"
