"""Subcommands that print the engine's answers: tokens, attention, next, generate, embed.

Human-readable by default; `--json` prints the same answer as JSON for scripts and notebooks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from tutor.cli.output import engine_errors, fail, print_json


def _common(default_model: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func = click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)
        func = click.option("--device", default=None,
                            help="cpu, cuda, cuda:N or mps (default: CUDA when available).")(func)
        func = click.option("--model", "-m", default=default_model, show_default=True,
                            help="A model name from `tutor models`, a hub id or a directory.")(func)
        return engine_errors(func)

    return decorate


def _engine(model: str, device: str | None) -> Any:
    from tutor.engine import Engine

    return Engine(model, device=device)


def _nonempty(text: str, what: str = "text") -> None:
    """The text policy at the command line, before any model loads: valid UTF-8, not blank."""
    from tutor.engine.limits import check_text

    check_text(text, what)


def _notice(notice: str | None) -> None:
    if notice:
        click.echo(f"note: {notice}", err=True)


@click.command()
@click.argument("text")
@_common("smollm2")
def tokens(text: str, model: str, device: str | None, as_json: bool) -> None:
    """Split TEXT into tokens: id, piece, character span, special."""
    _nonempty(text)
    result = _engine(model, device).tokens(text)
    if as_json:
        print_json([t.to_dict() for t in result.tokens])
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{result.count} tokens, {result.chars_per_token:.2f} characters per token")
    for col in ("#", "id", "piece", "span", "special"):
        table.add_column(col)
    for i, t in enumerate(result.tokens):
        table.add_row(str(i), str(t.id), t.text, f"{t.start}-{t.end}", "yes" if t.special else "")
    Console().print(table)
    _notice(result.notice)


@click.command()
@click.argument("text")
@click.option("--layer", "-l", type=int, default=0, show_default=True)
@click.option("--head", "-H", type=int, default=0, show_default=True)
@_common("smollm2")
def attention(text: str, layer: int, head: int, model: str, device: str | None,
              as_json: bool) -> None:
    """Attention weights of one layer and head for TEXT (rows: queries, columns: keys)."""
    _nonempty(text)
    maps = _engine(model, device).attention(text)
    if not 0 <= layer < maps.layers:
        fail(f"--layer must be in 0..{maps.layers - 1} for {model}, not {layer}")
    if not 0 <= head < maps.heads:
        fail(f"--head must be in 0..{maps.heads - 1} for {model}, not {head}")
    w = maps.weights[layer, head]
    if as_json:
        print_json({
            "model": maps.model, "tokens": maps.tokens, "layers": maps.layers,
            "heads": maps.heads, "layer": layer, "head": head, "causal": maps.causal,
            "facts": maps.facts.to_dict(), "weights": w.round(6).tolist(),
            "truncated": maps.truncated, "notice": maps.notice,
        })
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{maps.model} layer {layer} head {head} "
                        f"({'causal' if maps.causal else 'bidirectional'})")
    table.add_column("query \\ key")
    for t in maps.tokens:
        table.add_column(t, justify="right")
    for q, row in zip(maps.tokens, w, strict=True):
        table.add_row(q, *(f"{v:.2f}" for v in row))
    Console().print(table)
    _notice(maps.notice)


@click.command(name="next")
@click.argument("prompt")
@click.option("--temperature", "-t", type=float, default=1.0, show_default=True,
              help="0 means greedy.")
@click.option("--top-k", type=int, default=0, show_default=True, help="0 means off.")
@click.option("--top-p", type=float, default=1.0, show_default=True, help="1 means off.")
@click.option("--top", type=int, default=10, show_default=True, help="Candidates to show.")
@_common("smollm2")
def next_cmd(prompt: str, temperature: float, top_k: int, top_p: float, top: int, model: str,
             device: str | None, as_json: bool) -> None:
    """The next-token distribution of PROMPT under temperature, top-k and top-p."""
    _nonempty(prompt, "prompt")
    result = _engine(model, device).next_token(prompt, temperature, top_k, top_p, top)
    data = result.to_dict()
    if as_json:
        print_json(data)
        return
    from rich.console import Console
    from rich.table import Table

    removed = set(result.removed_by_top_k) | set(result.removed_by_top_p)
    table = Table(title=f"next token (T={temperature}, top-k={top_k}, top-p={top_p}); "
                        f"entropy {result.entropy:.2f} bits")
    for col in ("token", "id", "logit", "prob", ""):
        table.add_column(col)
    for c in data["candidates"]:
        mark = "greedy" if c["id"] == result.greedy.id else ""
        if c["id"] in removed:
            mark = "removed by top-k" if c["id"] in result.removed_by_top_k else "removed by top-p"
        table.add_row(repr(c["text"]), str(c["id"]), f"{c['logit']:.3f}", f"{c['prob']:.4f}",
                      mark)
    Console().print(table)
    _notice(result.notice)


@click.command()
@click.argument("prompt")
@click.option("--max-new-tokens", "-n", type=int, default=32, show_default=True)
@click.option("--temperature", "-t", type=float, default=0.0, show_default=True,
              help="0 means greedy.")
@click.option("--top-k", type=int, default=0, show_default=True)
@click.option("--top-p", type=float, default=1.0, show_default=True)
@click.option("--seed", type=int, default=None,
              help="A whole number from 0 to 2**64 - 1; the same seed draws the same text.")
@click.option("--no-cache", is_flag=True, help="Recompute every position at every step.")
@click.option("--chat", is_flag=True, help="Wrap the prompt in the model's chat template.")
@_common("smollm2")
def generate(prompt: str, max_new_tokens: int, temperature: float, top_k: int, top_p: float,
             seed: int | None, no_cache: bool, chat: bool, model: str, device: str | None,
             as_json: bool) -> None:
    """Generate a continuation of PROMPT, streaming it token by token."""
    from tutor.engine.limits import check_seed
    from tutor.engine.types import GenerationSettings

    _nonempty(prompt, "prompt")
    check_seed(seed)
    settings = GenerationSettings(max_new_tokens=max_new_tokens, temperature=temperature,
                                  top_k=top_k, top_p=top_p, seed=seed, use_cache=not no_cache,
                                  chat=chat)
    run = _engine(model, device).stream(prompt, settings)
    if as_json:
        for _ in run:
            pass
        assert run.result is not None
        print_json(run.result.to_dict())
        return
    from tutor.engine.generation import eos_ids

    eng = run
    stop = eos_ids(eng.model, eng.tokenizer)
    shown: list[int] = []
    printed = ""
    for token in run:
        if token.id in stop:
            continue
        shown.append(token.id)
        # decode the whole continuation each time so multi-byte characters come out whole
        text = eng.tokenizer.decode(shown)
        click.echo(text[len(printed):], nl=False)
        printed = text
    click.echo()
    r = run.result
    assert r is not None
    click.echo(f"[{len(r.tokens)} tokens, stop: {r.stop_reason}, {r.tokens_per_s:.1f} tokens/s, "
               f"first token {r.ttft_ms:.0f} ms, {'with' if r.use_cache else 'without'} "
               f"KV cache, {r.device}]", err=True)
    _notice(r.notice)


@click.command()
@click.argument("texts", nargs=-1, required=True)
@_common("minilm")
def embed(texts: tuple[str, ...], model: str, device: str | None, as_json: bool) -> None:
    """Sentence embeddings of TEXTS and their cosine similarities."""
    for i, t in enumerate(texts):
        _nonempty(t, f"text number {i + 1}" if len(texts) > 1 else "text")
    result = _engine(model, device).embed(list(texts))
    if as_json:
        print_json(result.to_dict())
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"cosine similarity ({result.vectors.shape[1]} dimensions)")
    table.add_column("")
    for i in range(len(texts)):
        table.add_column(str(i), justify="right")
    for i, (t, row) in enumerate(zip(texts, result.similarity, strict=True)):
        table.add_row(f"{i}: {t}", *(f"{v:.3f}" for v in row))
    Console().print(table)


COMMANDS: list[click.Command] = [tokens, attention, next_cmd, generate, embed]
