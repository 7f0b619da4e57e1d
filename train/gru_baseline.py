"""The contrast for the first lesson: a recurrent seq2seq model without attention.

    python -m train.gru_baseline             # same data, same clock as train.dates

A GRU encoder squeezes the whole source into one vector; a GRU decoder writes the ISO date
from that vector alone (Sutskever et al., 2014, without the attention Bahdanau et al. added).
Same character tokenizer, same freshly generated training data, same held-out dates and the
same wall-clock budget as the transformer. Only the numbers are kept (gru_baseline.json
beside the shipped model; the card reports them); the weights are not shipped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm
from transformers import PreTrainedTokenizerFast

from train import common
from train.card import write_card
from train.dates import MAX_SOURCE, MAX_TARGET, OUT
from train.tokenizer import build_tokenizer


class GruSeq2Seq(nn.Module):
    def __init__(self, vocab: int, pad: int, embed: int = 64, hidden: int = 128) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, embed, padding_idx=pad)
        self.encoder = nn.GRU(embed, hidden, batch_first=True, bidirectional=True)
        self.decoder = nn.GRU(embed, 2 * hidden, batch_first=True)
        self.out = nn.Linear(2 * hidden, vocab)

    def encode(self, source: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The one vector the decoder gets: both directions' final states, [1, batch, 2h]."""
        lengths = mask.sum(-1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(self.embed(source), lengths,
                                                   batch_first=True, enforce_sorted=False)
        _, h = self.encoder(packed)
        return torch.cat([h[0], h[1]], -1).unsqueeze(0)

    def forward(self, source: torch.Tensor, mask: torch.Tensor,
                decoder_in: torch.Tensor) -> torch.Tensor:
        y, _ = self.decoder(self.embed(decoder_in), self.encode(source, mask))
        return self.out(y)

    @torch.no_grad()
    def greedy(self, source: torch.Tensor, mask: torch.Tensor, start: int,
               steps: int) -> torch.Tensor:
        h = self.encode(source, mask)
        tok = torch.full((source.shape[0], 1), start, dtype=torch.long)
        out = []
        for _ in range(steps):
            y, h = self.decoder(self.embed(tok), h)
            tok = self.out(y).argmax(-1)
            out.append(tok)
        return torch.cat(out, 1)


def shift_right(labels: torch.Tensor, start: int, pad: int) -> torch.Tensor:
    x = labels.masked_fill(labels == -100, pad)
    return torch.cat([torch.full_like(x[:, :1], start), x[:, :-1]], 1)


def translate_batch(model: GruSeq2Seq, tokenizer: PreTrainedTokenizerFast,
                    sources: list[str], start: int, eos: int) -> list[str]:
    model.eval()
    enc = tokenizer(sources, padding=True, truncation=True, max_length=MAX_SOURCE,
                    return_tensors="pt")
    ids = model.greedy(enc["input_ids"], enc["attention_mask"], start, MAX_TARGET).tolist()
    model.train()
    texts = []
    for row in ids:
        row = row[: row.index(eos)] if eos in row else row
        texts.append(tokenizer.decode(row, skip_special_tokens=True))
    return texts


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    p.add_argument("--minutes", type=float, default=None,
                   help="Wall-clock budget (default: the transformer's measured training time).")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--threads", type=int, default=1)  # as train.dates
    p.add_argument("--seed", type=int, default=common.SEED)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)

    budget = args.minutes * 60 if args.minutes else json.loads(
        (args.out / "metrics.json").read_text())["train_seconds"]
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    tokenizer = build_tokenizer(MAX_SOURCE)
    pad, start, eos = (tokenizer.convert_tokens_to_ids(t) for t in ("<pad>", "<s>", "</s>"))
    model = GruSeq2Seq(len(tokenizer), pad, hidden=args.hidden)
    params = sum(p.numel() for p in model.parameters())
    print(f"GRU seq2seq without attention: {params:,} parameters, {budget / 60:.1f} minutes")

    held = common.held_out()
    probe = held[::8]
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
    next_batch = common.train_batches(tokenizer, args.batch, MAX_SOURCE, rng)
    loss_fn = nn.CrossEntropyLoss(ignore_index=-100)
    held_exact = float("nan")
    curve: list[dict[str, float]] = []
    t0 = time.perf_counter()
    step = 0
    bar = tqdm(desc="GRU baseline", unit="step")
    while (elapsed := time.perf_counter() - t0) < budget:
        # Linear decay over the clock, as the transformer decays over its steps.
        for group in opt.param_groups:
            group["lr"] = args.lr * (1 - elapsed / budget)
        b = next_batch()
        logits = model(b.source, b.source_mask, shift_right(b.target, start, pad))
        loss = loss_fn(logits.flatten(0, 1), b.target.flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        bar.update()
        if step % 250 == 0:
            got = translate_batch(model, tokenizer, [e.source for e in probe], start, eos)
            held_exact = common.score(probe, got).exact
            curve.append({"step": step, "seconds": round(time.perf_counter() - t0),
                          "probe_exact": held_exact})
        if step % 20 == 0:
            right = (logits.argmax(-1) == b.target) | (b.target == -100)
            bar.set_postfix(loss=f"{loss.item():.4f}",
                            acc=f"{right.all(-1).float().mean().item():.3f}",
                            held_out=f"{held_exact:.3f}")
    bar.close()
    train_s = time.perf_counter() - t0

    scores = common.score(held, translate_batch(model, tokenizer, [e.source for e in held],
                                                start, eos))
    print(json.dumps(scores.to_dict(), indent=2))
    metrics = {
        "parameters": params, "steps": step, "batch": args.batch, "lr": args.lr,
        "hidden": args.hidden, "seed": args.seed, "threads": args.threads,
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "train_seconds": round(train_s, 1), "examples_seen": step * args.batch,
        "held_out_examples": len(held), "probe_examples": len(probe), "curve": curve,
        **scores.to_dict(),
    }
    (args.out / "gru_baseline.json").write_text(json.dumps(metrics, indent=2) + "\n")
    write_card(args.out)


if __name__ == "__main__":
    main()
