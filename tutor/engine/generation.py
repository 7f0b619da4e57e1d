"""Our own decode loop: each step yields its token, its top candidates and its timing.

With the KV cache each step feeds only the newest token and reuses the keys and values of
earlier positions (see `fastdecode` for how a step is kept cheap); without it each step runs
the whole sequence again, which is what the KV-cache lesson measures.

Per step the loop does one forward, one top-k over the vocabulary and one log-sum-exp for
the candidates' probabilities; everything else is a handful of scalars, so the loop keeps
pace with (and, with the lean llama step, overtakes) `model.generate`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from tutor.engine.fastdecode import Stepper, make_stepper
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


def _greedy_candidates(logits: np.ndarray, k: int, texts: _Texts) -> list[Candidate]:
    """The k most likely tokens with their softmax probabilities, from CPU logits."""
    k = min(k, logits.shape[0])
    top = np.argpartition(logits, -k)[-k:]
    top = top[np.argsort(-logits[top], kind="stable")]
    peak = logits.max()
    log_total = peak + np.log(np.exp(logits - peak).sum(dtype=np.float64))
    values = logits[top]
    probs = np.exp(values.astype(np.float64) - log_total)
    return [Candidate(id=int(i), text=texts(int(i)), logit=float(v), prob=float(p))
            for i, v, p in zip(top, values, probs, strict=True)]


class _Texts:
    """Token texts, looked up once per id: the same few ids come back step after step."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.seen: dict[int, str] = {}

    def __call__(self, token_id: int) -> str:
        text = self.seen.get(token_id)
        if text is None:
            text = self.seen[token_id] = token_text(self.tokenizer, token_id)
        return text


class GenerationStream:
    """Iterate to receive GeneratedTokens as they are made; `result` is set at the end."""

    def __init__(self, *, name: str, model: Any, tokenizer: Any, prompt_text: str,
                 input_ids: list[int], settings: GenerationSettings, context_length: int,
                 device: torch.device, truncated: bool, notice: str | None,
                 lock: Any, cancelled: Callable[[], bool] | None = None,
                 decode: str = "auto") -> None:
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
        self.decode = decode
        self.cancelled = cancelled or (lambda: False)
        self.result: Generation | None = None
        # benchmarks set this to time an exact number of tokens, as generate's min_new_tokens
        self.ignore_eos = False

    def __iter__(self) -> Iterator[GeneratedToken]:
        with self.lock, torch.inference_mode():
            yield from self._run()

    def _forward_full(self, ids: torch.Tensor) -> torch.Tensor:
        """The no-cache step: the whole sequence again, only the last position's logits."""
        out = self.model(input_ids=ids, use_cache=False, logits_to_keep=1)
        return out.logits[0, -1]

    def _candidates(self, logits: torch.Tensor, probs: torch.Tensor | None, k: int,
                    texts: _Texts) -> list[Candidate]:
        if probs is None and logits.device.type == "cpu":
            return _greedy_candidates(logits.numpy(), k, texts)
        top = torch.topk(logits, k)
        values = top.values.tolist()
        indices = top.indices.tolist()
        if probs is None:
            # softmax of the top-k only: exp(logit - logsumexp) over the whole vocabulary
            shown = torch.exp(top.values - torch.logsumexp(logits, dim=-1)).tolist()
        else:
            shown = probs[top.indices].tolist()
        return [Candidate(id=i, text=texts(i), logit=v, prob=p)
                for i, v, p in zip(indices, values, shown, strict=True)]

    def _run(self) -> Iterator[GeneratedToken]:
        s = self.settings
        n_prompt = len(self.input_ids)
        stop_ids = eos_ids(self.model, self.tokenizer)
        texts = _Texts(self.tokenizer)
        processors = processor_list(s.temperature, s.top_k, s.top_p)
        generator: torch.Generator | None = None
        if not s.greedy:
            generator = torch.Generator(device="cpu")
            if s.seed is not None:
                generator.manual_seed(s.seed)
            else:
                generator.seed()
        # every id the model has read or made, in one buffer allocated once
        room = min(self.context_length, n_prompt + s.max_new_tokens)
        ids = torch.zeros((1, max(room, n_prompt)), dtype=torch.long, device=self.device)
        ids[0, :n_prompt] = torch.tensor(self.input_ids, dtype=torch.long)
        length = n_prompt
        stepper: Stepper | None = None
        if s.use_cache:
            stepper = make_stepper(self.model, self.device, max(room, n_prompt + 1), self.decode)
        on_cuda = self.device.type == "cuda"
        made: list[GeneratedToken] = []
        stop: StopReason = "max_new_tokens"
        start = time.perf_counter()
        ttft = 0.0
        last_id = -1
        for index in range(s.max_new_tokens):
            if self.cancelled():
                stop = "cancelled"
                break
            if length >= self.context_length:
                stop = "context_full"
                break
            t0 = time.perf_counter()
            if stepper is None:
                logits = self._forward_full(ids[:, :length])
            elif index == 0:
                logits = stepper.prefill(self.input_ids)
            else:
                logits = stepper.step(last_id)
            logits = logits.float()
            probs: torch.Tensor | None = None
            if s.greedy:
                # numpy on the CPU: a torch reduction here wakes torch's thread pool, whose
                # spinning threads then compete with the BLAS threads of the next step
                tid = int(np.argmax(logits.numpy()) if logits.device.type == "cpu"
                          else torch.argmax(logits))
            else:
                scores = processors(ids[:, :length], logits.view(1, -1))
                probs = torch.softmax(scores, dim=-1)[0]
                tid = int(torch.multinomial(probs.cpu(), 1, generator=generator)[0])
            candidates = (self._candidates(logits, probs, s.candidates, texts)
                          if s.candidates > 0 else [])
            if on_cuda:
                torch.cuda.synchronize()
            now = time.perf_counter()
            if index == 0:
                ttft = (now - start) * 1000
            token = GeneratedToken(index=index, id=tid, text=texts(tid),
                                   ms=(now - t0) * 1000, candidates=candidates)
            made.append(token)
            if length < ids.shape[1]:
                ids[0, length] = tid
            length += 1
            last_id = tid
            yield token
            if tid in stop_ids and not self.ignore_eos:
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
            prompt_tokens=n_prompt,
            use_cache=s.use_cache,
            device=str(self.device),
            ttft_ms=ttft,
            total_ms=total,
            truncated=self.truncated,
            notice=self.notice,
        )
