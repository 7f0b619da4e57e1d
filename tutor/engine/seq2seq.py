"""Encoder-decoder models (the project's own dates model): attention maps and the greedy loop.

The encoder reads the source once; the decoder starts from the start token and reads
everything it has written so far, attending to the encoder through cross-attention. Each
step here reruns the decoder on its whole input rather than using a KV cache, so every step
can report the full cross-attention row the learner sees, and a step computed on its own
(`loop_step`) is exactly the step `translate` took.
"""

from __future__ import annotations

from typing import Any

import torch

from tutor.engine.attention import stack
from tutor.engine.isodate import is_iso_date
from tutor.engine.tokenize import token_text
from tutor.engine.types import AttentionMaps, Candidate, LoopStep, StopReason, Translation


def _positions(loaded: Any) -> int:
    return int(loaded.facts.context_length)


def _start_id(loaded: Any) -> int:
    start = getattr(loaded.model.config, "decoder_start_token_id", None)
    if start is None:
        start = loaded.tokenizer.bos_token_id
    return int(start)


def _eos_id(loaded: Any) -> int:
    eos = getattr(loaded.model.generation_config, "eos_token_id", None)
    if eos is None:
        eos = loaded.model.config.eos_token_id
    return int(eos[0] if isinstance(eos, list) else eos)


def _source(loaded: Any, source: str) -> tuple[list[int], bool, str | None]:
    """Source ids (ending in the end token), cut to the model's learned positions."""
    limit = _positions(loaded)
    full: list[int] = list(loaded.tokenizer(source, add_special_tokens=True)["input_ids"])
    if len(full) <= limit:
        return full, False, None
    # Keep the start of the text and the end token: the encoder was trained on </s> last.
    ids = full[: limit - 1] + [full[-1]]
    notice = (f"the source was {len(full)} tokens, more than the model's {limit}; "
              f"only the first {limit - 1} characters are read")
    return ids, True, notice


def _names(loaded: Any, ids: list[int]) -> list[str]:
    return [token_text(loaded.tokenizer, i) for i in ids]


def _encode(loaded: Any, source_ids: list[int]) -> tuple[Any, torch.Tensor]:
    x = torch.tensor([source_ids], dtype=torch.long, device=loaded.device)
    mask = torch.ones_like(x)
    encoder = loaded.model.get_encoder()
    return encoder(input_ids=x, attention_mask=mask, output_attentions=True), mask


def _decode(loaded: Any, encoded: Any, mask: torch.Tensor, decoder_ids: list[int]) -> Any:
    y = torch.tensor([decoder_ids], dtype=torch.long, device=loaded.device)
    return loaded.model(encoder_outputs=encoded, attention_mask=mask, decoder_input_ids=y,
                        output_attentions=True, use_cache=False)


def _candidates(loaded: Any, logits: torch.Tensor, top: int) -> list[Candidate]:
    logits = logits.float().cpu()
    probs = torch.softmax(logits, -1)
    best = torch.topk(probs, min(max(1, top), probs.numel()))
    return [Candidate(id=int(i), text=token_text(loaded.tokenizer, int(i)),
                      logit=float(logits[int(i)]), prob=float(p))
            for p, i in zip(best.values.tolist(), best.indices.tolist(), strict=True)]


def _step(loaded: Any, encoded: Any, mask: torch.Tensor, source_names: list[str],
          generated: list[int], top: int) -> LoopStep:
    decoder_ids = [_start_id(loaded), *generated]
    out = _decode(loaded, encoded, mask, decoder_ids)
    cands = _candidates(loaded, out.logits[0, -1], top)
    # This step's query row of every layer's and head's cross-attention: [layer, head, source].
    cross = stack(out.cross_attentions)[:, :, -1, :]
    return LoopStep(
        index=len(generated), input_ids=decoder_ids, input_tokens=_names(loaded, decoder_ids),
        logits_top=cands, chosen=cands[0], is_eos=cands[0].id == _eos_id(loaded),
        context_full=len(decoder_ids) + 1 > _positions(loaded),
        source_tokens=source_names, cross_attention=cross,
    )


def _greedy(loaded: Any, source: str, max_steps: int,
            top: int = 5) -> tuple[list[int], list[str], list[LoopStep], StopReason]:
    source_ids, _, _ = _source(loaded, source)
    source_names = _names(loaded, source_ids)
    encoded, mask = _encode(loaded, source_ids)
    generated: list[int] = []
    steps: list[LoopStep] = []
    reason: StopReason = "max_new_tokens"
    for _ in range(max(0, max_steps)):
        step = _step(loaded, encoded, mask, source_names, generated, top)
        steps.append(step)
        if step.is_eos:
            reason = "eos"
            break
        generated.append(step.chosen.id)
        if step.context_full:
            reason = "context_full"
            break
    return generated, source_names, steps, reason


def attention(loaded: Any, source: str, target: str | None) -> AttentionMaps:
    """Encoder self-attention, decoder self-attention and cross-attention.

    The decoder reads the start token then `target` (default: the model's own greedy
    translation of `source`), so row i of `cross` is the step that wrote target token i.
    """
    source_ids, truncated, notice = _source(loaded, source)
    encoded, mask = _encode(loaded, source_ids)
    if target is None:
        written, _, _, _ = _greedy(loaded, source, _positions(loaded) - 1, top=1)
    else:
        written = list(loaded.tokenizer(target, add_special_tokens=False)["input_ids"])
    decoder_ids = [_start_id(loaded), *written][: _positions(loaded)]
    out = _decode(loaded, encoded, mask, decoder_ids)
    return AttentionMaps(
        model=loaded.spec.name, facts=loaded.facts, tokens=_names(loaded, source_ids),
        weights=stack(encoded.attentions), causal=False, truncated=truncated, notice=notice,
        target_tokens=_names(loaded, decoder_ids), decoder=stack(out.decoder_attentions),
        cross=stack(out.cross_attentions),
    )


def loop_step(loaded: Any, source: str, generated: list[int], top: int) -> LoopStep:
    """The decoder's next greedy step after writing `generated` (ids, no start token)."""
    source_ids, _, _ = _source(loaded, source)
    encoded, mask = _encode(loaded, source_ids)
    room = _positions(loaded) - 1
    return _step(loaded, encoded, mask, _names(loaded, source_ids), list(generated)[:room], top)


def translate(loaded: Any, source: str, max_steps: int) -> Translation:
    """Greedy decoding until the end token, `max_steps` or the decoder's last position."""
    generated, source_names, steps, reason = _greedy(loaded, source, max_steps)
    output = loaded.tokenizer.decode(generated, skip_special_tokens=True)
    return Translation(
        model=loaded.spec.name, source=source, source_tokens=source_names, output=output,
        steps=steps, stop_reason=reason, valid_date=is_iso_date(output),
    )

