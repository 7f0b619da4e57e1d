"""The dates character tokenizer: round trips, specials, and loading through AutoTokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from train.tokenizer import CHARS, build_tokenizer


@pytest.fixture(scope="module")
def tok() -> PreTrainedTokenizerFast:
    return build_tokenizer(64)


def test_one_token_per_character_then_end(tok: PreTrainedTokenizerFast) -> None:
    enc = tok("Nov 23, 2026")["input_ids"]
    assert len(enc) == len("Nov 23, 2026") + 1
    assert enc[-1] == tok.eos_token_id
    assert tok.convert_ids_to_tokens(enc[:3]) == ["n", "o", "v"]


@pytest.mark.parametrize("text", ["monday, november 23, 2026", "23/11/2026", "2026-11-23",
                                  "1900 jan 01", CHARS])
def test_round_trip(tok: PreTrainedTokenizerFast, text: str) -> None:
    ids = tok(text)["input_ids"]
    assert tok.decode(ids, skip_special_tokens=True) == text


def test_case_is_folded(tok: PreTrainedTokenizerFast) -> None:
    assert tok("MONDAY Nov")["input_ids"] == tok("monday nov")["input_ids"]


def test_unknown_characters_become_unk_not_errors(tok: PreTrainedTokenizerFast) -> None:
    ids = tok("23 Novémbre!")["input_ids"]
    assert ids.count(tok.unk_token_id) == 2
    assert len(ids) == len("23 Novémbre!") + 1


def test_specials_are_distinct(tok: PreTrainedTokenizerFast) -> None:
    ids = {tok.pad_token_id, tok.bos_token_id, tok.eos_token_id, tok.unk_token_id}
    assert len(ids) == 4 and None not in ids


def test_saved_tokenizer_loads_with_auto_tokenizer(tok: PreTrainedTokenizerFast,
                                                   tmp_path: Path) -> None:
    tok.save_pretrained(tmp_path)
    again = AutoTokenizer.from_pretrained(tmp_path)
    text = "Monday, November 23, 2026"
    assert again(text)["input_ids"] == tok(text)["input_ids"]
    assert again.bos_token == "<s>" and again.eos_token == "</s>" and again.pad_token == "<pad>"
    assert again.decode(again("2026-11-23")["input_ids"], skip_special_tokens=True) == "2026-11-23"


def test_shipped_tokenizer_matches_the_builder(tok: PreTrainedTokenizerFast) -> None:
    shipped = Path(__file__).resolve().parents[2] / "tutor" / "models" / "dates"
    if not (shipped / "tokenizer.json").exists():
        pytest.skip("the dates model is not trained yet")
    again = AutoTokenizer.from_pretrained(shipped)
    assert again.get_vocab() == tok.get_vocab()
