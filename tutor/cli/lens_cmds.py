"""`tutor lens` (the model's guess after each layer) and `tutor score` (how likely the model
finds each token of a text): the layers and explore panels, for scripts and notebooks."""

from __future__ import annotations

import click

from tutor.cli.engine_cmds import _common, _engine, _nonempty, _notice
from tutor.cli.output import fail, print_json
from tutor.i18n import _, ngettext


@click.command()
@click.argument("text")
@click.option("--top-k", "-k", "top_k", type=int, default=5, show_default=True,
              help="Tokens shown per layer.")
@click.option("--position", "-p", type=int, default=None,
              help="Token position to look at, from 0 (default: the last).")
@_common("decoder")
def lens(text: str, top_k: int, position: int | None, model: str | None, device: str | None,
         as_json: bool) -> None:
    """The logit lens of TEXT: the next-token guess after each layer (0 = the embeddings)."""
    _nonempty(text)
    if top_k <= 0:
        fail(_("--top-k must be at least 1, not {value}").format(value=top_k))
    engine = _engine(model, device)
    result = (engine.lens(text, top=top_k) if position is None
              else engine.lens(text, [position], top=top_k))
    at = result.positions[0]
    data = result.to_dict(at)
    if as_json:
        print_json(data)
        return
    from rich.console import Console
    from rich.table import Table

    final = result.texts[int(result.final_ids[0])]
    table = Table(title=_("logit lens at position {position} ({token}); final prediction "
                          "{final}").format(position=at, token=repr(result.tokens[at]),
                                            final=repr(final)))
    for col in (_("layer"), _("top tokens"), _("rank of final"), _("prob of final")):
        table.add_column(col, justify="left" if col == _("top tokens") else "right")
    for row in data["layers"]:
        tops = "  ".join(f"{t['text']!r} {t['prob']:.1%}" for t in row["top"])
        table.add_row(str(row["layer"]), tops, str(row["final_rank"]),
                      f"{row['final_prob']:.1%}")
    Console().print(table)
    _notice(result.notice)


@click.command()
@click.argument("text")
@_common("decoder")
def score(text: str, model: str | None, device: str | None, as_json: bool) -> None:
    """Score TEXT under the model: each token's probability, rank and entropy (no special
    tokens added), and the perplexity over tokens 2..n."""
    _nonempty(text)
    result = _engine(model, device).score(text)
    if as_json:
        print_json(result.to_dict())
        return
    from rich.console import Console
    from rich.table import Table

    ppl = _("n/a (one token)") if result.perplexity is None else f"{result.perplexity:.2f}"
    title = ngettext("{count} token; perplexity {perplexity}",
                     "{count} tokens; perplexity {perplexity}", len(result.tokens))
    table = Table(title=title.format(count=len(result.tokens), perplexity=ppl))
    columns = ("#", _("token"), "id", _("prob"), _("rank"), _("entropy (bits)"), _("greedy"))
    for k, col in enumerate(columns):
        table.add_column(col, justify="left" if k in (1, 6) else "right")
    for i, t in enumerate(result.tokens):
        if t.prob is None:
            table.add_row(str(i), repr(t.text), str(t.id), "-", "-", "-", "")
            continue
        greedy = "" if t.greedy_id == t.id else repr(t.greedy_text)
        table.add_row(str(i), repr(t.text), str(t.id), f"{t.prob:.2%}", str(t.rank),
                      f"{t.entropy:.2f}", greedy)
    Console().print(table)
    _notice(result.notice)


COMMANDS: list[click.Command] = [lens, score]
