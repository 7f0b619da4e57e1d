"""Encoder-decoder models (the project's own dates model): attention maps and the greedy loop.

The encoder reads the source once; the decoder starts from the start token and reads
everything it has written so far, attending to the encoder through cross-attention. The
decoder's steps go through the same decode loop as every decoder (`decode.DecodeLoop`),
with a `Seq2SeqStepper` that reruns the decoder on its whole input rather than using a KV
cache, so every step can report the full cross-attention row the learner sees, and a step
computed on its own (`loop_step`) is exactly the step `translate` took.
"""

from __future__ import annotations

from typing import Any

from tutor.engine.attention import stack
from tutor.engine.decode import DecodeLoop, Detokenizer, Seq2SeqStepper, candidates, eos_ids, greedy
from tutor.engine.isodate import is_iso_date
from tutor.engine.types import AttentionMaps, LoopStep, Translation
from tutor.i18n import _


def _start_id(loaded: Any) -> int:
    start = getattr(loaded.model.config, "decoder_start_token_id", None)
    return int(loaded.tokenizer.bos_token_id if start is None else start)


def _source(loaded: Any, source: str) -> tuple[list[int], bool, str | None]:
    """Source ids (ending in the end token), cut to the model's learned positions."""
    limit = loaded.facts.context_length
    full = loaded.text.ids(source)
    if len(full) <= limit:
        return full, False, None
    # Keep the start of the text and the end token: the encoder was trained on </s> last.
    notice = _("the source was {count} tokens, more than the model's {limit}; only the first "
               "{read} characters are read").format(count=len(full), limit=limit, read=limit - 1)
    return full[: limit - 1] + [full[-1]], True, notice


def _steps(loaded: Any, source: str, max_steps: int,
           top: int) -> tuple[list[LoopStep], DecodeLoop, Detokenizer]:
    """The greedy loop, each step as the prediction-loop panel shows it."""
    source_ids, _, _ = _source(loaded, source)
    source_tokens = [loaded.text.piece(i) for i in source_ids]
    stepper = Seq2SeqStepper(loaded.model, loaded.device, source_ids)
    eos = eos_ids(loaded.model, loaded.tokenizer)
    detok = Detokenizer(loaded.text.decode, skip=loaded.text.specials)
    positions = loaded.facts.context_length
    loop = DecodeLoop(stepper, [_start_id(loaded)], greedy, max(0, max_steps), eos, positions)
    steps: list[LoopStep] = []
    output = ""
    for step in loop:
        cands = candidates(step.logits, max(1, top), loaded.text.piece)
        decoder_ids = list(stepper.ids)
        output += detok.add(step.id)
        steps.append(LoopStep(
            index=step.index, input_ids=decoder_ids,
            input_tokens=[loaded.text.piece(i) for i in decoder_ids], logits_top=cands,
            chosen=cands[0], is_eos=step.id in eos,
            context_full=len(decoder_ids) + 1 >= positions, output=output,
            source_tokens=source_tokens, cross_attention=stepper.cross))
    return steps, loop, detok


def attention(loaded: Any, source: str, target: str | None) -> AttentionMaps:
    """Encoder self-attention, decoder self-attention and cross-attention.

    The decoder reads the start token then `target` (default: the model's own greedy
    translation of `source`), so row i of `cross` is the step that wrote target token i.
    """
    source_ids, truncated, notice = _source(loaded, source)
    if target is None:
        steps, _, _ = _steps(loaded, source, loaded.facts.context_length - 1, top=1)
        written = [s.chosen.id for s in steps if not s.is_eos]
    else:
        written = loaded.text.ids(target, add_special_tokens=False)
    decoder_ids = [_start_id(loaded), *written][: loaded.facts.context_length]
    stepper = Seq2SeqStepper(loaded.model, loaded.device, source_ids)
    stepper.prefill(decoder_ids)
    return AttentionMaps(
        model=loaded.spec.name, facts=loaded.facts,
        tokens=[loaded.text.piece(i) for i in source_ids],
        weights=stack(stepper.encoded.attentions), causal=False, truncated=truncated,
        notice=notice, target_tokens=[loaded.text.piece(i) for i in decoder_ids],
        decoder=stack(stepper.out.decoder_attentions), cross=stack(stepper.out.cross_attentions),
    )


def loop_step(loaded: Any, source: str, generated: list[int], top: int) -> LoopStep:
    """The decoder's next greedy step after writing `generated` (ids, no start token)."""
    source_ids, _, _ = _source(loaded, source)
    written = list(generated)[: loaded.facts.context_length - 1]
    stepper = Seq2SeqStepper(loaded.model, loaded.device, source_ids)
    decoder_ids = [_start_id(loaded), *written]
    cands = candidates(stepper.prefill(decoder_ids).float(), max(1, top), loaded.text.piece)
    is_eos = cands[0].id in eos_ids(loaded.model, loaded.tokenizer)
    return LoopStep(
        index=len(written), input_ids=decoder_ids,
        input_tokens=[loaded.text.piece(i) for i in decoder_ids], logits_top=cands,
        chosen=cands[0], is_eos=is_eos,
        context_full=len(decoder_ids) + 1 >= loaded.facts.context_length,
        output=Detokenizer(loaded.text.decode, skip=loaded.text.specials).text(
            written if is_eos else [*written, cands[0].id]),
        source_tokens=[loaded.text.piece(i) for i in source_ids], cross_attention=stepper.cross)


def translate(loaded: Any, source: str, max_steps: int) -> Translation:
    """Greedy decoding until the end token, `max_steps` or the decoder's last position."""
    steps, loop, detok = _steps(loaded, source, max_steps, top=5)
    output = (steps[-1].output if steps else "") + detok.flush()
    source_ids, _, _ = _source(loaded, source)
    return Translation(
        model=loaded.spec.name, source=source,
        source_tokens=[loaded.text.piece(i) for i in source_ids], output=output, steps=steps,
        stop_reason=loop.stop, valid_date=is_iso_date(output),
    )
