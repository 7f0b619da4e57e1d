"""Train the tutor's own encoder-decoder: human-written dates to ISO dates.

    python -m train.dates            # the shipped model (about 15 minutes on a busy 2-core CPU)
    python -m train.dates --steps 300 --out /tmp/dates-try   # a quick try

A BART-style transformer (learned positions, so the cross-attention is easy to read) with a
character tokenizer, trained on freshly generated examples every batch with a fixed seed.
Writes model.safetensors, config.json, generation_config.json, the tokenizer files and
metrics.json to --out, then renders the model card (README.md) from the metrics.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path

import torch
from tqdm import tqdm
from transformers import (
    BartConfig,
    BartForConditionalGeneration,
    GenerationConfig,
    PreTrainedTokenizerFast,
)

from train import common
from train.card import write_card
from train.tokenizer import build_tokenizer

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tutor" / "models" / "dates"
MAX_SOURCE = 64  # the longest format is 29 characters; longer input is cut to this
MAX_TARGET = 12  # "2026-11-23" and </s>, with room to spare


def build_model(vocab_size: int, pad: int, start: int, eos: int, d_model: int = 64,
                layers: int = 2, heads: int = 4, ffn: int = 256,
                positions: int = MAX_SOURCE) -> BartForConditionalGeneration:
    config = BartConfig(
        vocab_size=vocab_size, d_model=d_model,
        encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads,
        encoder_ffn_dim=ffn, decoder_ffn_dim=ffn,
        max_position_embeddings=positions,
        # The data is generated afresh every batch, so nothing to regularise against.
        dropout=0.0, attention_dropout=0.0, activation_dropout=0.0,
        pad_token_id=pad, bos_token_id=start, eos_token_id=eos,
        decoder_start_token_id=start, forced_bos_token_id=None, forced_eos_token_id=None,
        scale_embedding=False, tie_word_embeddings=True,
    )
    return BartForConditionalGeneration(config)


def generation_config(pad: int, start: int, eos: int) -> GenerationConfig:
    return GenerationConfig(
        decoder_start_token_id=start, bos_token_id=start, eos_token_id=eos, pad_token_id=pad,
        max_new_tokens=MAX_TARGET, do_sample=False, num_beams=1,
    )


@torch.inference_mode()
def translate_batch(model: BartForConditionalGeneration, tokenizer: PreTrainedTokenizerFast,
                    sources: list[str], batch_size: int = 500) -> list[str]:
    model.eval()
    out: list[str] = []
    for i in range(0, len(sources), batch_size):
        enc = tokenizer(sources[i:i + batch_size], padding=True, truncation=True,
                        max_length=MAX_SOURCE, return_tensors="pt")
        ids = model.generate(**enc, max_new_tokens=MAX_TARGET, do_sample=False, num_beams=1)
        out.extend(tokenizer.batch_decode(ids, skip_special_tokens=True))
    model.train()
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    p.add_argument("--steps", type=int, default=1600)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--d-model", type=int, default=64)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--eval-every", type=int, default=200)
    # The matrices are small: a second thread mostly waits on the first, and on a busy
    # machine it waits on other jobs too (measured: 1 thread was ~5x faster under load).
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=common.SEED)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    tokenizer = build_tokenizer(MAX_SOURCE)
    pad, start, eos = (tokenizer.convert_tokens_to_ids(t) for t in ("<pad>", "<s>", "</s>"))
    model = build_model(len(tokenizer), pad, start, eos, d_model=args.d_model,
                        layers=args.layers, heads=4, ffn=4 * args.d_model)
    model.generation_config = generation_config(pad, start, eos)
    params = sum(p.numel() for p in model.parameters())
    print(f"{params:,} parameters; {args.steps} steps of {args.batch} examples")

    held = common.held_out()
    probe = held[::8]  # 500 held-out examples, all formats, for the progress bar
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    next_batch = common.train_batches(tokenizer, args.batch, MAX_SOURCE, rng)
    model.train()
    held_exact = float("nan")
    curve: list[dict[str, float]] = []  # the probe's accuracy as training goes
    t0 = time.perf_counter()
    bar = tqdm(range(args.steps), desc="training", unit="step")
    for step in bar:
        for group in opt.param_groups:
            group["lr"] = common.lr_at(step, args.steps, args.lr, args.warmup)
        b = next_batch()
        out = model(input_ids=b.source, attention_mask=b.source_mask, labels=b.target)
        opt.zero_grad(set_to_none=True)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        last = step == args.steps - 1
        if (step + 1) % args.eval_every == 0 or last:
            got = translate_batch(model, tokenizer, [e.source for e in probe])
            held_exact = common.score(probe, got).exact
            curve.append({"step": step + 1, "seconds": round(time.perf_counter() - t0),
                          "probe_exact": held_exact})
        if step % 20 == 0 or (step + 1) % args.eval_every == 0 or last:
            # Teacher-forced: every character of the batch right, given the right prefix.
            with torch.no_grad():
                mask = b.target != -100
                right = (out.logits.argmax(-1) == b.target) | ~mask
                seq_acc = right.all(-1).float().mean().item()
            bar.set_postfix(loss=f"{out.loss.item():.4f}", acc=f"{seq_acc:.3f}",
                            held_out=f"{held_exact:.3f}")
    train_s = time.perf_counter() - t0

    print(f"evaluating on {len(held)} held-out examples (dates never seen in training)")
    scores = common.score(held, translate_batch(model, tokenizer, [e.source for e in held]))
    print(json.dumps(scores.to_dict(), indent=2))

    args.out.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.save_pretrained(args.out)
    tokenizer.save_pretrained(args.out)
    metrics = {
        "parameters": params,
        "steps": args.steps, "batch": args.batch, "lr": args.lr, "warmup": args.warmup,
        "d_model": args.d_model, "layers": args.layers, "seed": args.seed,
        "threads": args.threads, "cpus": os.cpu_count(),
        # Other jobs on the machine slow training down; the load average says how busy it was.
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "train_seconds": round(train_s, 1),
        "examples_seen": args.steps * args.batch,
        "held_out_examples": len(held),
        "probe_examples": len(probe), "curve": curve,
        "torch": torch.__version__,
        **scores.to_dict(),
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    write_card(args.out)
    print(f"saved to {args.out} after {train_s / 60:.1f} minutes of training")


if __name__ == "__main__":
    main()
