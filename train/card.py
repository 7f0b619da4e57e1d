"""Render the model card (README.md) from what the trainers measured.

Every number in the card comes from metrics.json (train.dates), gru_baseline.json
(train.gru_baseline) or config.json, so re-running the scripts re-writes a true card.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from train import data

# 23 November 2026, written once in each format.
FORMAT_EXAMPLES = {
    name: fmt(date(2026, 11, 23), random.Random(1)) for name, (fmt, _) in data.FORMATS.items()
}


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


def _load(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


def _formats_table(m: dict[str, Any], gru: dict[str, Any] | None) -> list[str]:
    head = "| format | example | group | transformer |" + (" GRU, no attention |" if gru else "")
    rule = "|---|---|---|---|" + ("---|" if gru else "")
    rows = [head, rule]
    for name, (_, group) in data.FORMATS.items():
        row = (f"| `{name}` | {FORMAT_EXAMPLES[name]} | {group} | "
               f"{_pct(m['by_format'][name])} |")
        if gru:
            row += f" {_pct(gru['by_format'][name])} |"
        rows.append(row)
    return rows


def _baseline(m: dict[str, Any], gru: dict[str, Any] | None) -> list[str]:
    if gru is None:
        return ["The GRU baseline (`python -m train.gru_baseline`) has not been run for these",
                "weights, so there is no measured comparison yet."]
    return [
        "The same data through a recurrent seq2seq model without attention (a bidirectional",
        "GRU encoder whose two final states are the only thing the GRU decoder sees;",
        "`train/gru_baseline.py`), trained for the same wall-clock time on the same machine.",
        "Short formats use numbers or abbreviations; long ones spell the month (and weekday) out.",
        "",
        "| model | parameters | training | steps x batch | held-out exact | short | long |",
        "|---|---|---|---|---|---|---|",
        (f"| transformer (this model) | {m['parameters']:,} | {_minutes(m['train_seconds'])} | "
         f"{m['steps']} x {m['batch']} | {_pct(m['exact_match'])} | "
         f"{_pct(m['by_group']['short'])} | {_pct(m['by_group']['long'])} |"),
        (f"| GRU, no attention | {gru['parameters']:,} | {_minutes(gru['train_seconds'])} | "
         f"{gru['steps']} x {gru['batch']} | {_pct(gru['exact_match'])} | "
         f"{_pct(gru['by_group']['short'])} | {_pct(gru['by_group']['long'])} |"),
        "",
        _reading(m, gru),
        *_curves(m, gru),
    ]


def _first_at(curve: list[dict[str, float]], level: float) -> dict[str, float] | None:
    return next((c for c in curve if c["probe_exact"] >= level), None)


def _curves(m: dict[str, Any], gru: dict[str, Any]) -> list[str]:
    if not (m.get("curve") and gru.get("curve")):
        return []
    lines = [
        "",
        f"How quickly each got there: during training each script checked "
        f"{m.get('probe_examples', 500)} of the held-out",
        "examples now and then (exact match, greedy). Each model's learning rate decays over",
        "its own budget and the machine's load changed while they ran, so read the clock",
        "loosely:",
        "",
        "| model | step | minutes | held-out sample exact |",
        "|---|---|---|---|",
    ]
    for name, run in (("transformer", m), ("GRU, no attention", gru)):
        lines += [f"| {name} | {c['step']} | {c['seconds'] / 60:.1f} | {_pct(c['probe_exact'])} |"
                  for c in run["curve"]]
    reached = []
    for name, run in (("the transformer", m), ("the GRU", gru)):
        hit = _first_at(run["curve"], 0.99)
        reached.append(f"{name} first reached 99% on that sample after {hit['seconds'] / 60:.1f} "
                       f"minutes ({hit['step']} steps)" if hit else f"{name} never reached 99%")
    lines += ["", f"Here {reached[0]}; {reached[1]}."]
    return lines


def _reading(m: dict[str, Any], gru: dict[str, Any]) -> str:
    """One sentence on what the two rows show, worded from the numbers themselves."""
    gap = 100 * (m["exact_match"] - gru["exact_match"])
    long_gap = 100 * (gru["by_group"]["short"] - gru["by_group"]["long"])
    if abs(gap) < 0.005:
        head = ("Measured here, the GRU without attention matches the transformer: a date is "
                "at most 29 characters, short enough for one vector to carry.")
    elif abs(gap) < 1:
        head = (f"Measured here, the GRU without attention comes within {abs(gap):.2f} points "
                "of the transformer: a date is at most 29 characters, short enough for one "
                "vector to carry.")
    elif gap > 0:
        head = f"Measured here, the transformer is {gap:.2f} points ahead of the GRU."
    else:
        head = f"Measured here, the GRU is {-gap:.2f} points ahead of the transformer."
    if abs(long_gap) < 0.005:
        return f"{head} The GRU is as accurate on long-written dates as on short ones."
    return (f"{head} The GRU's accuracy on long-written dates is {abs(long_gap):.2f} points "
            f"{'below' if long_gap > 0 else 'above'} its accuracy on short ones.")


def render(out: Path) -> str:
    m = json.loads((out / "metrics.json").read_text())
    gru = _load(out / "gru_baseline.json")
    c = json.loads((out / "config.json").read_text())
    held = sum(data.is_held_out(data.FIRST + timedelta(days=i)) for i in range(data.SPAN_DAYS))
    lines = [
        "# tutor-dates: the tutor's own encoder-decoder",
        "",
        "A small transformer encoder-decoder that translates dates written by people into ISO",
        'dates: "Monday, November 23, 2026" -> "2026-11-23". It exists so the course can show',
        "the classic translation loop (encoder reads, decoder writes one token at a time from",
        "the start token, cross-attention looks back at the source, stop at the end token) on a",
        "real model whose alignments are easy to read. Trained from scratch by",
        "`train/dates.py` (`make train`); no pretrained weights are involved.",
        "",
        "## Model",
        "",
        f"- architecture: BART-style (`{c['architectures'][0]}`), learned positions",
        f"- encoder layers {c['encoder_layers']}, decoder layers {c['decoder_layers']}, "
        f"heads {c['encoder_attention_heads']}, d_model {c['d_model']}, "
        f"feed-forward {c['encoder_ffn_dim']}",
        f"- parameters: {m['parameters']:,}; vocabulary: {c['vocab_size']} tokens",
        f"- positions: {c['max_position_embeddings']} (longer sources are cut to their first "
        f"{c['max_position_embeddings'] - 1} characters plus the end token)",
        "- tokenizer: one token per character (`tokenizers` WordLevel), lower-cased by its",
        "  normalizer, so case variants are the same tokens; other characters become `<unk>`.",
        "  Specials: `<pad>`, `<s>` (the decoder's start token), `</s>` (end), `<unk>`.",
        "",
        "## Data",
        "",
        "Generated by `train/data.py` from Python's `calendar` and `datetime`: a uniformly",
        "random date from 1900-01-01 to 2099-12-31, written in one of the formats below",
        "(days with and without a leading zero), in one of four cases (as written, lower,",
        "UPPER, Title). Every batch is fresh. About 5% of all dates (those whose ISO string's",
        f"MD5 digest starts with a byte below 13: {held:,} of {data.SPAN_DAYS:,} dates) are held "
        "out: training never sees them in any format. The held-out test set is "
        f"{m['held_out_examples']:,} examples, the same number in every format.",
        "",
        "## Training",
        "",
        f"- {m['steps']} steps of {m['batch']} examples ({m['examples_seen']:,} examples), "
        f"AdamW, peak learning rate {m['lr']}, {m['warmup']} warm-up steps then linear decay, "
        f"seed {m['seed']}",
        f"- measured training time: {_minutes(m['train_seconds'])} on CPU "
        f"({m['threads']} torch thread(s), {m.get('cpus', '?')} cores, torch {m['torch']}); "
        "the machine was shared with other jobs (1-minute load average "
        f"{m.get('load_average_1min_at_end', '?')} when training ended), so an idle machine "
        "is faster",
        "- reproduce: `python -m train.dates`, whose defaults are these options: "
        f"`--steps {m['steps']} --batch {m['batch']} --lr {m['lr']} --warmup {m['warmup']} "
        f"--d-model {m['d_model']} --layers {m['layers']} --threads {m['threads']}`;",
        "  the data and initialisation follow the seed, so accuracy reproduces (weights can",
        "  differ in the last bits with a different thread count or CPU).",
        "",
        "## Accuracy on held-out dates (greedy decoding, exact match)",
        "",
        f"**{_pct(m['exact_match'])}** over all {m['held_out_examples']:,} held-out examples "
        f"(short formats {_pct(m['by_group']['short'])}, long formats "
        f"{_pct(m['by_group']['long'])}).",
        "",
        *_formats_table(m, gru),
        "",
        "## Baseline: a GRU seq2seq without attention",
        "",
        *_baseline(m, gru),
        "",
        "## Limitations",
        "",
        "- Only the formats above, English month and weekday names, years 1900-2099.",
        '- It always writes something: "32 November 2026" or noise still comes out as a',
        "  date-shaped string, which may not be a real date; `tutor translate` says so.",
        "- The weekday is ignored: a wrong weekday is not detected.",
        "",
    ]
    return "\n".join(lines)


def write_card(out: Path) -> None:
    (out / "README.md").write_text(render(out))
