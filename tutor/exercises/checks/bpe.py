"""Checks for `bpe`: the learner's merges against SmolLM2's own tokenizer, word by word."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

from tutor.exercises.checks import Check, Fail
from tutor.i18n import N_, _

ENGLISH = """\
The quick brown fox jumps over the lazy dog while the children watched from the window.
Tokenization splits unbelievably long words into smaller pieces that appear often in text,
so a model with a fixed vocabulary can still read anything: names, misspellings, rare
technical terms such as electroencephalography, antidisestablishmentarianism and
photosynthesis. Researchers compared transformers, recurrent networks and convolutional
models; attention weights showed which tokens each position considered important.
She said hello, asked how everyone was doing, and then everybody laughed together loudly.
"""
CODE = """\
def forward(self, input_ids, attention_mask=None):
    hidden_states = self.embed_tokens(input_ids)
    for layer in self.layers:
        hidden_states = layer(hidden_states, attention_mask=attention_mask)
    return self.norm(hidden_states)
import numpy as np; x = np.zeros((3, 4), dtype=np.float32)  # TODO: refactor_this_later
console.log(`value: ${obj.fieldName}`); if (a !== b && c <= 0x1F) { return null; }
"""
NUMBERS = """\
3.14159 2026 1,000,000 42 -17 0.001 1e-5 98.6% 12:45 2024-11-23 +44 20 7946 0958
$19.99 €250 1st 2nd 3rd 100km 365 9876543210 007 3/4 2^10
"""
KOREAN = """\
안녕하세요 토큰화는 텍스트를 작은 조각으로 나눕니다 한국어 문장도 바이트 단위로 처리됩니다
서울은 대한민국의 수도입니다 인공지능 언어 모델
"""
EMOJI = """\
I love pizza 🍕 and coffee ☕ 😀 🎉🎉 👍🏽 ❤️ 🚀 family: 👨‍👩‍👧 flags 🇫🇷 🇰🇷 ok 👌 done ✅
"""
# keyed by the group's name in the messages (an N_() message, translated where it is used)
GROUPS = {N_("English"): ENGLISH, N_("code and numbers"): CODE + NUMBERS,
          N_("Korean and emoji"): KOREAN + EMOJI}

ORDER = N_("merges applied in order of appearance instead of rank: always merge the adjacent "
         "pair with the LOWEST rank anywhere in the word, not the first mergeable pair from "
         "the left")


@cache
def _tokenizer_parts(models: Any) -> tuple[Any, dict[tuple[str, str], int]]:
    backend = models.decoder.tokenizer.backend_tokenizer
    merges = json.loads(backend.to_str())["model"]["merges"]
    ranks: dict[tuple[str, str], int] = {}
    for rank, merge in enumerate(merges):
        a, b = merge.split(" ", 1) if isinstance(merge, str) else merge
        ranks.setdefault((a, b), rank)
    return backend, ranks


def words(models: Any, text: str) -> list[tuple[str, list[str]]]:
    """Each distinct pre-tokenised word and the tokens SmolLM2's tokenizer makes of it."""
    backend, _ranks = _tokenizer_parts(models)
    seen: dict[str, list[str]] = {}
    for piece, _span in backend.pre_tokenizer.pre_tokenize_str(text):
        if piece not in seen:
            seen[piece] = [t.value for t in backend.model.tokenize(piece)]
    return list(seen.items())


def leftmost_first(symbols: list[str], ranks: dict[tuple[str, str], int]) -> list[str]:
    parts = list(symbols)
    while True:
        at = next((i for i in range(len(parts) - 1) if (parts[i], parts[i + 1]) in ranks), None)
        if at is None:
            return parts
        parts[at:at + 2] = [parts[at] + parts[at + 1]]


def _group(fn: Callable[..., Any], models: Any, name: str) -> str:
    _backend, ranks = _tokenizer_parts(models)
    cases = words(models, GROUPS[name])
    wrong = []
    for piece, want in cases:
        got = fn(list(piece), ranks)
        if not isinstance(got, list) or not all(isinstance(s, str) for s in got):
            raise Fail(_("return a list of strings, not {type}").format(type=type(got).__name__))
        if got != want:
            wrong.append((piece, got, want))
    if not wrong:
        return _("{count} {group} words split exactly as SmolLM2's tokenizer splits "
                 "them").format(count=len(cases), group=_(name))
    piece, got, want = wrong[0]
    if all(g == leftmost_first(list(p), ranks) for p, g, _w in wrong):
        reason = _(ORDER)
    elif "".join(got) != piece:
        reason = _("your symbols no longer spell the word: a merge must join two neighbours")
    else:
        reason = _("not the tokenizer's merges")
    raise Fail(_("{wrong} of {count} {group} words differ: {reason}. For {word} you gave "
                 "{got}, the tokenizer gives {want}").format(
                     wrong=len(wrong), count=len(cases), group=_(name), reason=reason,
                     word=repr(piece), got=got, want=want))


def english(fn: Callable[..., Any], models: Any) -> str:
    return _group(fn, models, "English")


def code(fn: Callable[..., Any], models: Any) -> str:
    return _group(fn, models, "code and numbers")


def other_scripts(fn: Callable[..., Any], models: Any) -> str:
    return _group(fn, models, "Korean and emoji")


def prepare(models: Any) -> None:
    for text in GROUPS.values():
        words(models, text)


CHECKS: list[Check] = [
    (N_("English words"), english),
    (N_("code and numbers"), code),
    (N_("Korean and emoji"), other_scripts),
]
