"""What both trainers share: batches, the training clock, held-out evaluation."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from transformers import PreTrainedTokenizerFast

from train import data

SEED = 20261123
HELD_OUT_PER_FORMAT = 500  # 8 formats x 500 = 4 000 held-out examples


@dataclass
class Batch:
    source: torch.Tensor  # [batch, source_len], padded with pad_id
    source_mask: torch.Tensor  # 1 for real tokens
    target: torch.Tensor  # [batch, target_len]: ISO characters then </s>, padded with -100


def make_batch(tokenizer: PreTrainedTokenizerFast, examples: Sequence[data.Example],
               max_len: int) -> Batch:
    src = tokenizer([e.source for e in examples], padding=True, truncation=True,
                    max_length=max_len, return_tensors="pt")
    tgt = tokenizer([e.target for e in examples], padding=True, return_tensors="pt")
    labels = tgt["input_ids"].masked_fill(tgt["attention_mask"] == 0, -100)
    return Batch(src["input_ids"], src["attention_mask"], labels)


def train_batches(tokenizer: PreTrainedTokenizerFast, batch_size: int, max_len: int,
                  rng: random.Random) -> Callable[[], Batch]:
    """Fresh random training examples for every batch: the data never repeats exactly."""
    def next_batch() -> Batch:
        return make_batch(tokenizer, [data.example(rng, "train") for _ in range(batch_size)],
                          max_len)
    return next_batch


def held_out(seed: int = SEED + 1, per_format: int = HELD_OUT_PER_FORMAT) -> list[data.Example]:
    return list(data.all_formats(per_format, seed, split="held_out"))


@dataclass
class Scores:
    exact: float  # exact match over all examples
    by_group: dict[str, float]  # "short" / "long"
    by_format: dict[str, float]

    def to_dict(self) -> dict[str, object]:
        return {"exact_match": self.exact, "by_group": self.by_group, "by_format": self.by_format}


def score(examples: Sequence[data.Example], outputs: Sequence[str]) -> Scores:
    hits: dict[str, list[bool]] = {}
    groups: dict[str, list[bool]] = {}
    for ex, out in zip(examples, outputs, strict=True):
        ok = out == ex.target
        hits.setdefault(ex.format, []).append(ok)
        groups.setdefault(ex.group, []).append(ok)
    everything = [h for v in hits.values() for h in v]
    return Scores(
        exact=sum(everything) / len(everything),
        by_group={k: sum(v) / len(v) for k, v in sorted(groups.items())},
        by_format={k: sum(v) / len(v) for k, v in hits.items()},
    )


def lr_at(step: int, steps: int, peak: float, warmup: int) -> float:
    """Linear warm-up, then linear decay to zero."""
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * max(0.0, (steps - step) / max(1, steps - warmup))
