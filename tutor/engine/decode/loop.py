"""The one decode loop, and what every caller of it shares: how a token is picked, the
candidates shown beside it, and the ids that end generation.

The loop is nanoGPT's `generate` one token at a time: prefill; then, per step, check
cancellation, pick from the logits, yield, stop at EOS, step. Which stepper computes the
logits (cache or not, torch or BLAS, decoder or encoder-decoder) is the stepper's business.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from tutor.engine.decode.steppers import Stepper
from tutor.engine.types import Candidate, GenerationSettings, StopReason

# logits, step index -> the chosen id, and the distribution it was drawn from (None: greedy)
Pick = Callable[[torch.Tensor, int], tuple[int, torch.Tensor | None]]


@dataclass(frozen=True, slots=True)
class Step:
    index: int
    id: int
    logits: torch.Tensor  # float32 [vocab]: the scores the id was picked from
    probs: torch.Tensor | None  # the distribution it was drawn from; None when greedy
    ms: float  # wall time of the forward and the pick


@dataclass
class DecodeLoop:
    """Iterate for the Steps; `stop` says why it ended."""

    stepper: Stepper
    prompt: list[int]
    pick: Pick
    max_new_tokens: int
    eos: set[int]
    context: int  # the window: as in generate(), input and output never grow past it
    cancelled: Callable[[], bool] = lambda: False
    stop: StopReason = field(default="max_new_tokens", init=False)

    def __iter__(self) -> Iterator[Step]:
        token = -1
        for index in range(self.max_new_tokens):
            if self.cancelled():
                self.stop = "cancelled"
                return
            if len(self.prompt) + index >= self.context:
                self.stop = "context_full"
                return
            t0 = time.perf_counter()
            logits = (self.stepper.prefill(self.prompt) if index == 0
                      else self.stepper.step(token)).float()
            token, probs = self.pick(logits, index)
            if logits.device.type == "cuda":
                torch.cuda.synchronize()
            yield Step(index, token, logits, probs, (time.perf_counter() - t0) * 1000)
            if token in self.eos:
                self.stop = "eos"
                return


def greedy(logits: torch.Tensor, index: int = 0) -> tuple[int, None]:
    # numpy on the CPU: a torch reduction here wakes torch's thread pool, whose spinning
    # threads then compete with the BLAS threads of the next step
    on_cpu = logits.device.type == "cpu"
    return int(np.argmax(logits.numpy()) if on_cpu else torch.argmax(logits)), None


def picker(s: GenerationSettings, eos: set[int]) -> Pick:
    """How `s` picks: greedy at temperature 0, else a draw after temperature, top-k and top-p
    (transformers' own processors, as generate() applies them), seeded when `s.seed` is.
    Before `s.min_new_tokens` tokens the end ids are ruled out, as generate() does."""
    from tutor.engine.sampling import processor_list

    processors = processor_list(s.temperature, s.top_k, s.top_p)
    generator = None if s.greedy else torch.Generator(device="cpu")
    if generator is not None and s.seed is not None:
        generator.manual_seed(s.seed)
    elif generator is not None:
        generator.seed()
    banned = torch.tensor(sorted(eos), dtype=torch.long)
    no_input = torch.zeros((1, 1), dtype=torch.long)

    def pick(logits: torch.Tensor, index: int) -> tuple[int, torch.Tensor | None]:
        if index < s.min_new_tokens and len(banned):
            logits = logits.clone()
            logits[banned.to(logits.device)] = -float("inf")
        if generator is None:
            return greedy(logits)
        probs = torch.softmax(processors(no_input, logits.view(1, -1)), dim=-1)[0]
        return int(torch.multinomial(probs.cpu(), 1, generator=generator)[0]), probs

    return pick


def candidates(logits: Any, k: int, text: Callable[[int], str],
               final: Any = None) -> list[Candidate]:
    """The k highest-scoring tokens: `prob` is the probability in `final`, the distribution
    the token is drawn from (None: greedy, all of it on the top token); `raw_prob` the
    softmax of the logits (temperature 1)."""
    lg = logits.float().cpu().numpy() if isinstance(logits, torch.Tensor) else logits
    k = min(k, lg.shape[0])
    top = np.argpartition(lg, -k)[-k:]
    top = top[np.argsort(-lg[top], kind="stable")]
    peak = lg.max()
    log_total = peak + np.log(np.exp(lg - peak).sum(dtype=np.float64))
    probs = np.exp(lg[top].astype(np.float64) - log_total)
    if final is None:
        best = int(np.argmax(lg))
        finals = [1.0 if int(i) == best else 0.0 for i in top]
    else:
        f = final.float().cpu().numpy() if isinstance(final, torch.Tensor) else final
        finals = [float(f[i]) for i in top]
    return [Candidate(id=int(i), text=text(int(i)), logit=float(lg[i]), prob=fp,
                      raw_prob=float(p))
            for i, p, fp in zip(top, probs, finals, strict=True)]


def eos_ids(model: Any, tokenizer: Any) -> set[int]:
    """The ids that end generation, as generate() reads them from the generation config."""
    value = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
    if value is None:
        value = getattr(model.config, "eos_token_id", None)
    ids = {value} if isinstance(value, int) else {int(v) for v in value or ()}
    if not ids and tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    return ids
