"""The logit lens and text scoring: what the model would say after each block, and how
likely it found each token of a text.

The lens reads the residual stream after each block (layer 0 is the embeddings, layer L
the output of block L) and sends it through the model's own output path: the final norm,
the language-modelling head, a softmax. For the last layer that is exactly the model's
next-token distribution. It applies to llama-family decoders, whose output path is that
norm followed by that head and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch

from tutor.engine.errors import BadInput
from tutor.i18n import _

# Model types whose output is `lm_head(norm(residual))` with nothing in between (no logit
# soft-capping, no scaling): the lens is then the model's own last step at any depth.
LLAMA_FAMILY = frozenset({"llama", "mistral", "qwen2"})

# Rows of [rows, vocabulary] logits made at once: about 100 MB of float32 for SmolLM2.
_CHUNK_ROWS = 512


def applies(model: Any) -> bool:
    inner = getattr(model, "model", None)
    return (getattr(model.config, "model_type", "") in LLAMA_FAMILY
            and hasattr(model, "lm_head") and inner is not None
            and all(hasattr(inner, a) for a in ("embed_tokens", "layers", "norm")))


def require_llama(model: Any, name: str) -> None:
    if not applies(model):
        kind = getattr(model.config, "model_type", type(model).__name__)
        raise BadInput(_("the logit lens applies to llama-family decoders (such as SmolLM2); "
                         "{model} is a {kind} model, so it does not apply here").format(
            model=name, kind=kind))


def residual_stream(model: Any, ids: Sequence[int], device: torch.device) -> torch.Tensor:
    """The residual stream after each block, through the final norm: [layers + 1, tokens, hidden].

    Caught with hooks on the embedding and on each block, so row L is block L's own output
    whatever the library reports as hidden states (transformers replaces its last one by the
    normed stream); the final norm is then applied to every row, as the model does to the last.
    """
    inner = model.model
    caught: list[torch.Tensor] = []

    def keep(_module: Any, _inputs: Any, output: Any) -> None:
        caught.append(output[0] if isinstance(output, tuple) else output)

    hooks = [inner.embed_tokens.register_forward_hook(keep)]
    hooks += [layer.register_forward_hook(keep) for layer in inner.layers]
    try:
        inner(input_ids=torch.tensor([list(ids)], dtype=torch.long, device=device),
              use_cache=False)
    finally:
        for hook in hooks:
            hook.remove()
    stream = torch.stack([h[0] for h in caught])
    return inner.norm(stream)


def logit_chunks(model: Any, normed: torch.Tensor) -> Iterator[tuple[slice, torch.Tensor]]:
    """Float32 logits of the rows of `normed` ([rows, hidden]), a chunk of rows at a time."""
    head = model.get_output_embeddings()
    for start in range(0, normed.shape[0], _CHUNK_ROWS):
        rows = slice(start, min(start + _CHUNK_ROWS, normed.shape[0]))
        yield rows, head(normed[rows]).float()


def rank_of(logits: torch.Tensor, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1-based rank of each row's target token among the row's logits, and its logit.

    Counted in numpy: a comparison and count over [rows, vocabulary] there takes a tenth of
    torch's time on these CPUs (torch materialises the comparison and sums it as int64)."""
    a = logits.cpu().numpy()
    mine = a[np.arange(len(a)), targets]
    return np.count_nonzero(a > mine[:, None], axis=1) + 1, mine


def lens(model: Any, normed: torch.Tensor, positions: Sequence[int],
         top: int) -> dict[str, np.ndarray]:
    """Top-`top` tokens of every layer at `positions`, and the rank and probability there of
    the last layer's top-1 token (the model's final prediction at that position)."""
    layers = normed.shape[0]
    picked = normed[:, list(positions)]  # [layers, P, hidden]
    # the final tokens first (the last layer's rows), so one pass over every layer's
    # logits finds the top tokens and the final token's rank together
    final = model.get_output_embeddings()(picked[-1]).float().argmax(-1)
    flat = picked.reshape(-1, picked.shape[-1])
    n = flat.shape[0]
    targets = final.repeat(layers).cpu().numpy()
    top_ids = np.zeros((n, top), dtype=np.int64)
    top_probs = np.zeros((n, top), dtype=np.float32)
    final_rank = np.zeros(n, dtype=np.int64)
    final_prob = np.zeros(n, dtype=np.float32)
    for rows, logits in logit_chunks(model, flat):
        lse = torch.logsumexp(logits, -1, keepdim=True)
        values, idx = logits.topk(top, dim=-1)
        top_ids[rows] = idx.cpu().numpy()
        top_probs[rows] = torch.exp(values - lse).cpu().numpy()
        ranks, mine = rank_of(logits, targets[rows])
        final_rank[rows] = ranks
        final_prob[rows] = np.exp(mine - lse[:, 0].cpu().numpy())
    shape = (layers, len(positions))
    return {
        "top_ids": top_ids.reshape(*shape, top),
        "top_probs": top_probs.reshape(*shape, top),
        "final_ids": final.cpu().numpy().astype(np.int64),
        "final_rank": final_rank.reshape(shape),
        "final_prob": final_prob.reshape(shape),
    }


def score(model: Any, ids: Sequence[int], device: torch.device) -> dict[str, np.ndarray]:
    """For each token after the first: its log-probability given the tokens before it, its
    1-based rank, the entropy (bits) of that distribution and its top token; and the raw
    logits after the last token (the next-token distribution)."""
    inner = getattr(model, "base_model", model)
    x = torch.tensor([list(ids)], dtype=torch.long, device=device)
    hidden = inner(input_ids=x, use_cache=False).last_hidden_state[0]  # [tokens, hidden]
    n = len(ids)
    targets = x[0, 1:]
    log_prob = np.zeros(n - 1, dtype=np.float64)
    rank = np.zeros(n - 1, dtype=np.int64)
    entropy = np.zeros(n - 1, dtype=np.float64)
    greedy = np.zeros(n - 1, dtype=np.int64)
    greedy_log_prob = np.zeros(n - 1, dtype=np.float64)
    last = torch.empty(0)
    for rows, logits in logit_chunks(model, hidden):
        logp = torch.log_softmax(logits, -1)
        ent = -(logp.exp() * logp).sum(-1) / np.log(2)
        best = logits.argmax(-1)
        # row i predicts token i + 1; the last row predicts past the end of the text
        stop = min(rows.stop, n - 1)
        if rows.start < stop:
            k = slice(rows.start, stop)
            tgt = targets[k, None]
            log_prob[k] = logp[: stop - rows.start].gather(1, tgt)[:, 0].double().cpu().numpy()
            rank[k] = rank_of(logits[: stop - rows.start], tgt[:, 0].cpu().numpy())[0]
            entropy[k] = ent[: stop - rows.start].double().cpu().numpy()
            greedy[k] = best[: stop - rows.start].cpu().numpy()
            greedy_log_prob[k] = logp[: stop - rows.start].max(-1).values.double().cpu().numpy()
        if rows.stop == n:
            last = logits[-1].cpu()
    return {"log_prob": log_prob, "rank": rank, "entropy": entropy, "greedy": greedy,
            "greedy_log_prob": greedy_log_prob, "last_logits": last}
