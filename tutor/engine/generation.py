"""Our own decode loop: each step yields its token, its top candidates and its timing.

With the KV cache each step feeds only the newest token and reuses the keys and values of
earlier positions; without it each step runs the whole sequence again, which is what the
KV-cache lesson measures.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import torch

from tutor.engine.sampling import processor_list
from tutor.engine.tokenize import token_text
from tutor.engine.types import (
    Candidate,
    GeneratedToken,
    Generation,
    GenerationSettings,
    StopReason,
)


def eos_ids(model: Any, tokenizer: Any) -> set[int]:
    """The ids that end generation, as generate() reads them from the generation config."""
    ids: set[int] = set()
    cfg = getattr(model, "generation_config", None)
    value = getattr(cfg, "eos_token_id", None) if cfg is not None else None
    if value is None:
        value = getattr(model.config, "eos_token_id", None)
    if isinstance(value, int):
        ids.add(value)
    elif value:
        ids.update(int(v) for v in value)
    if not ids and tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    return ids


class GenerationStream:
    """Iterate to receive GeneratedTokens as they are made; `result` is set at the end."""

    def __init__(self, *, name: str, model: Any, tokenizer: Any, prompt_text: str,
                 input_ids: list[int], settings: GenerationSettings, context_length: int,
                 device: torch.device, truncated: bool, notice: str | None,
                 lock: Any, cancelled: Callable[[], bool] | None = None) -> None:
        self.name = name
        self.model = model
        self.tokenizer = tokenizer
        self.prompt_text = prompt_text
        self.input_ids = input_ids
        self.settings = settings
        self.context_length = context_length
        self.device = device
        self.truncated = truncated
        self.notice = notice
        self.lock = lock
        self.cancelled = cancelled or (lambda: False)
        self.result: Generation | None = None

    def __iter__(self) -> Iterator[GeneratedToken]:
        with self.lock, torch.inference_mode():
            yield from self._run()

    def _run(self) -> Iterator[GeneratedToken]:
        s = self.settings
        model = self.model
        stop_ids = eos_ids(model, self.tokenizer)
        processors = processor_list(s.temperature, s.top_k, s.top_p)
        generator = torch.Generator(device="cpu")
        if s.seed is not None:
            generator.manual_seed(s.seed)
        else:
            generator.seed()
        ids = torch.tensor([self.input_ids], dtype=torch.long, device=self.device)
        past: Any = None
        made: list[GeneratedToken] = []
        stop: StopReason = "max_new_tokens"
        start = time.perf_counter()
        ttft = 0.0
        next_input = ids
        for index in range(s.max_new_tokens):
            if self.cancelled():
                stop = "cancelled"
                break
            if ids.shape[1] >= self.context_length:
                stop = "context_full"
                break
            t0 = time.perf_counter()
            if s.use_cache:
                out = model(input_ids=next_input, past_key_values=past, use_cache=True)
                past = out.past_key_values
            else:
                out = model(input_ids=ids, use_cache=False)
            logits = out.logits[:, -1, :].float()
            if s.greedy:
                chosen = torch.argmax(logits, dim=-1)
                probs = torch.softmax(logits, dim=-1)
            else:
                scores = processors(ids, logits)
                probs = torch.softmax(scores, dim=-1)
                chosen = torch.multinomial(probs.cpu(), 1, generator=generator)[:, 0]
                chosen = chosen.to(self.device)
            tid = int(chosen[0])
            candidates: list[Candidate] = []
            if s.candidates > 0:
                top = torch.topk(probs[0], s.candidates)
                candidates = [
                    Candidate(id=int(i), text=token_text(self.tokenizer, int(i)),
                              logit=float(logits[0, int(i)]), prob=float(p))
                    for p, i in zip(top.values.tolist(), top.indices.tolist(), strict=True)
                ]
            if self.device.type == "cuda":
                torch.cuda.synchronize()
            ms = (time.perf_counter() - t0) * 1000
            if index == 0:
                ttft = (time.perf_counter() - start) * 1000
            token = GeneratedToken(index=index, id=tid, text=token_text(self.tokenizer, tid),
                                   ms=ms, candidates=candidates)
            made.append(token)
            ids = torch.cat([ids, chosen.view(1, 1)], dim=1)
            next_input = chosen.view(1, 1)
            yield token
            if tid in stop_ids:
                stop = "eos"
                break
        total = (time.perf_counter() - start) * 1000
        text_ids = [t.id for t in made if t.id not in stop_ids]
        self.result = Generation(
            model=self.name,
            prompt=self.prompt_text,
            text=self.tokenizer.decode(text_ids, skip_special_tokens=False),
            tokens=made,
            stop_reason=stop,
            prompt_tokens=len(self.input_ids),
            use_cache=s.use_cache,
            device=str(self.device),
            ttft_ms=ttft,
            total_ms=total,
            truncated=self.truncated,
            notice=self.notice,
        )
