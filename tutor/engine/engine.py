"""The engine facade: one object per model answering every question the panels ask.

This module imports no torch at import time; the first call that needs the model loads it
(in the caller's thread, so the UI calls it from a worker). Every answer is plain data from
`tutor.engine.types`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tutor.engine import limits
from tutor.engine.errors import BadInput
from tutor.engine.registry import ModelSpec, get_spec
from tutor.engine.types import (
    AttentionMaps,
    Candidate,
    Embeddings,
    Generation,
    GenerationSettings,
    LogitLens,
    LoopStep,
    ModelFacts,
    NextToken,
    ScoredToken,
    TextScore,
    Tokenization,
    Translation,
)

if TYPE_CHECKING:
    from tutor.engine.generation import GenerationStream
    from tutor.engine.loading import Loaded

# Attention for every layer and head grows with the square of the length; past this many
# tokens the panel would show an unreadable grid and the arrays would take gigabytes.
MAX_ATTENTION_TOKENS = 256
# The lens projects every layer at every asked position onto the whole vocabulary: about
# a forward pass's arithmetic per eight positions of SmolLM2, so a call asks for a window.
MAX_LENS_POSITIONS = 64
# Prompts up to this long keep their residual stream between lens calls, so a panel that
# scrolls to other positions of the same prompt pays only for the projections.
_LENS_CACHE_TOKENS = 512


class Engine:
    def __init__(self, model: str = "smollm2", device: str | None = None) -> None:
        self.spec: ModelSpec = get_spec(model)
        self.requested_device = limits.check_device(device)
        self._loaded: Loaded | None = None
        self._load_lock = threading.Lock()
        # One model call at a time: calls from several workers queue here instead of
        # competing for the same cores and KV caches.
        self.lock = threading.RLock()
        self._lens_stream: tuple[tuple[int, ...], Any] | None = None

    # -- loading -----------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def load(self) -> ModelFacts:
        return self._get().facts

    def _get(self) -> Loaded:
        if self._loaded is None:
            with self._load_lock:
                if self._loaded is None:
                    from tutor.engine.loading import load

                    self._loaded = load(self.spec, self.requested_device)
        return self._loaded

    @property
    def facts(self) -> ModelFacts:
        return self._get().facts

    @property
    def kind(self) -> str:
        return self._get().kind

    def _require_kind(self, *kinds: str, what: str) -> Loaded:
        m = self._get()
        if m.kind not in kinds:
            raise BadInput(f"{what} needs a {' or '.join(kinds)} model; {self.name} is {m.kind}")
        return m

    # -- input preparation -------------------------------------------------------------
    def _encode(self, text: str, limit: int | None = None) -> tuple[list[int], bool, str | None]:
        """Token ids of `text` (with the model's special tokens), cut from the left to `limit`."""
        m = self._get()
        ids: list[int] = list(m.tokenizer(text, add_special_tokens=True)["input_ids"])
        limit = limit or m.facts.context_length
        if len(ids) <= limit:
            return ids, False, None
        specials = set(m.tokenizer.all_special_ids)
        head = [ids[0]] if ids[0] in specials else []
        tail = [ids[-1]] if m.kind == "encoder" and ids[-1] in specials else []
        body = ids[len(head): len(ids) - len(tail)]
        keep = limit - len(head) - len(tail)
        ids = head + body[len(body) - keep:] + tail
        notice = (f"the input was {len(body) + len(head) + len(tail)} tokens, more than "
                  f"{limit}; only the last {keep} are used")
        return ids, True, notice

    @staticmethod
    def _nonempty(text: str, what: str = "text") -> None:
        limits.check_text(text, what)

    # -- tokens --------------------------------------------------------------------------
    def tokens(self, text: str) -> Tokenization:
        from tutor.engine.tokenize import tokenize

        limits.check_text(text, allow_empty=True)
        m = self._get()
        return tokenize(self.name, m.tokenizer, text, m.facts.context_length)

    def detokenize(self, ids: Sequence[int]) -> str:
        return self._get().tokenizer.decode(list(ids), skip_special_tokens=False)

    def token_text(self, token_id: int) -> str:
        from tutor.engine.tokenize import token_text

        return token_text(self._get().tokenizer, token_id)

    # -- attention -----------------------------------------------------------------------
    def attention(self, text: str, target: str | None = None) -> AttentionMaps:
        """Every layer's and head's attention. For a seq2seq model `text` is the source and
        `target` the decoder's output so far (default: the model's own translation)."""
        import torch

        from tutor.engine import attention as attn
        from tutor.engine.tokenize import token_text

        self._nonempty(text)
        m = self._get()
        if m.kind == "seq2seq":
            from tutor.engine import seq2seq

            with self.lock, torch.inference_mode():
                return seq2seq.attention(m, text, target)
        limit = min(MAX_ATTENTION_TOKENS, m.facts.context_length)
        ids, truncated, notice = self._encode(text, limit)
        with self.lock, torch.inference_mode():
            weights = attn.self_attention(m.model, ids, m.device)
        return AttentionMaps(
            model=self.name, facts=m.facts,
            tokens=[token_text(m.tokenizer, i) for i in ids],
            weights=weights, causal=m.kind == "decoder", truncated=truncated, notice=notice,
        )

    # -- next token ----------------------------------------------------------------------
    def logits(self, prompt: str) -> tuple[Any, list[int], bool, str | None]:
        """Raw last-position logits (a CPU float tensor) and the ids the model read."""
        import torch

        m = self._require_kind("decoder", what="next-token prediction")
        self._nonempty(prompt, "prompt")
        ids, truncated, notice = self._encode(prompt)
        with self.lock, torch.inference_mode():
            x = torch.tensor([ids], dtype=torch.long, device=m.device)
            out = m.model(input_ids=x, use_cache=False, logits_to_keep=1)
            return out.logits[0, -1].float().cpu(), ids, truncated, notice

    def next_token(self, prompt: str, temperature: float = 1.0, top_k: int = 0,
                   top_p: float = 1.0, top: int = 10) -> NextToken:
        from tutor.engine import sampling

        temperature, cooled = limits.effective_temperature(temperature)
        sampling.check_settings(temperature, top_k, top_p)
        if top < 1:
            raise BadInput(f"--top must be at least 1, not {top}")
        logits, ids, truncated, notice = self.logits(prompt)
        notice = limits.join_notices(notice, cooled)
        return self._next_from_logits(logits, len(ids), temperature, top_k, top_p, top,
                                      truncated, notice)

    def _next_from_logits(self, logits: Any, prompt_tokens: int, temperature: float,
                          top_k: int, top_p: float, top: int, truncated: bool = False,
                          notice: str | None = None) -> NextToken:
        """The NextToken of raw last-position logits (a CPU float tensor) under the settings."""
        import numpy as np

        from tutor.engine import sampling
        from tutor.engine.tokenize import token_text

        raw, after_t, after_k, final = sampling.stages(logits, temperature, top_k, top_p)
        tok = self._get().tokenizer
        lg = logits.numpy()
        order = np.argsort(-lg, kind="stable")[:top]
        shown = [int(i) for i in order]

        def cand(i: int) -> Candidate:
            return Candidate(id=i, text=token_text(tok, i), logit=float(lg[i]),
                             prob=float(final[i]))

        greedy_id = int(order[0])
        return NextToken(
            model=self.name, prompt_tokens=prompt_tokens, temperature=temperature, top_k=top_k,
            top_p=top_p, logits=lg, probs_raw=raw, probs_temperature=after_t,
            probs_top_k=after_k, probs_final=final,
            removed_by_top_k=[i for i in shown if after_t[i] > 0 and after_k[i] == 0],
            removed_by_top_p=[i for i in shown if after_k[i] > 0 and final[i] == 0],
            candidates=[cand(i) for i in shown], greedy=cand(greedy_id),
            entropy=sampling.entropy_bits(final), entropy_raw=sampling.entropy_bits(raw),
            truncated=truncated, notice=notice,
        )

    # -- the logit lens and text scores ---------------------------------------------------
    def lens(self, text: str, positions: Sequence[int] | None = None, *, last: int = 1,
             top: int = 10) -> LogitLens:
        """The logit lens of `text` (read as `next_token` reads a prompt) at `positions`
        (default: the last `last` positions), with each layer's top `top` tokens."""
        import torch

        from tutor.engine import lens as lens_maths
        from tutor.engine.tokenize import token_text

        self._nonempty(text)
        m = self._get()
        lens_maths.require_llama(m.model, self.name)  # an encoder is told plainly too
        if top < 1:
            raise BadInput(f"the number of top tokens must be at least 1, not {top}")
        ids, truncated, notice = self._encode(text)
        n = len(ids)
        if positions is None:
            if last < 1:
                raise BadInput(f"the number of positions must be at least 1, not {last}")
            positions = range(max(0, n - last), n)
        picked = sorted({int(p) for p in positions})
        for p in picked:
            if not 0 <= p < n:
                raise BadInput(f"position {p} is out of range: the text is {n} tokens, "
                               f"positions 0 to {n - 1}")
        if not picked or len(picked) > MAX_LENS_POSITIONS:
            raise BadInput(f"the lens looks at 1 to {MAX_LENS_POSITIONS} positions at a time, "
                           f"not {len(picked)}")
        top = min(top, m.facts.vocab_size)
        with self.lock, torch.inference_mode():
            cached = self._lens_stream
            if cached is not None and cached[0] == tuple(ids):
                stream = cached[1]
            else:
                stream = lens_maths.residual_stream(m.model, ids, m.device)
                self._lens_stream = (tuple(ids), stream) if n <= _LENS_CACHE_TOKENS else None
            arrays = lens_maths.lens(m.model, stream, picked, top)
        shown = set(arrays["top_ids"].ravel().tolist()) | set(arrays["final_ids"].tolist())
        return LogitLens(
            model=self.name, tokens=[token_text(m.tokenizer, i) for i in ids], ids=ids,
            positions=picked, n_layers=int(stream.shape[0]) - 1,
            texts={int(i): token_text(m.tokenizer, int(i)) for i in shown},
            truncated=truncated, notice=notice, **arrays,
        )

    def score(self, text: str, appended: Sequence[int] = (), temperature: float = 1.0,
              top_k: int = 0, top_p: float = 1.0, top: int = 10) -> TextScore:
        """How likely the model finds `text` (tokenized without special tokens) followed by
        the token ids `appended`, token by token; and its next-token distribution after
        them under the settings."""
        import math

        import torch

        from tutor.engine import lens as lens_maths
        from tutor.engine import sampling
        from tutor.engine.tokenize import token_text

        self._nonempty(text)
        temperature, cooled = limits.effective_temperature(temperature)
        sampling.check_settings(temperature, top_k, top_p)
        m = self._require_kind("decoder", what="scoring a text")
        ids = list(m.tokenizer(text, add_special_tokens=False)["input_ids"]) + list(appended)
        limit = m.facts.context_length
        truncated, notice = len(ids) > limit, None
        if truncated:
            notice = f"the text is {len(ids)} tokens, more than {limit}; only the last {limit} are scored"
            ids = ids[-limit:]
        with self.lock, torch.inference_mode():
            a = lens_maths.score(m.model, ids, m.device)
        tok = m.tokenizer
        tokens = [ScoredToken(id=ids[0], text=token_text(tok, ids[0]), prob=None, rank=None,
                              entropy=None)]
        for i in range(1, len(ids)):
            g = int(a["greedy"][i - 1])
            tokens.append(ScoredToken(
                id=ids[i], text=token_text(tok, ids[i]),
                prob=math.exp(float(a["log_prob"][i - 1])), rank=int(a["rank"][i - 1]),
                entropy=float(a["entropy"][i - 1]), greedy_id=g,
                greedy_text=token_text(tok, g),
                greedy_prob=math.exp(float(a["greedy_log_prob"][i - 1]))))
        log_prob = float(a["log_prob"].sum())
        return TextScore(
            model=self.name, text=tok.decode(ids, skip_special_tokens=False), tokens=tokens, log_prob=log_prob,
            perplexity=math.exp(-log_prob / (len(ids) - 1)) if len(ids) > 1 else None,
            next=self._next_from_logits(a["last_logits"], len(ids), temperature, top_k,
                                        top_p, max(1, top), truncated,
                                        limits.join_notices(notice, cooled)),
            truncated=truncated, notice=notice,
        )

    @staticmethod
    def sample(next_token: NextToken, n: int = 1, seed: int | None = None) -> list[int]:
        """Draw ids from a NextToken's final distribution (no model call)."""
        from tutor.engine.sampling import sample_ids

        if n < 1:
            raise BadInput(f"the number of samples must be at least 1, not {n}")
        return sample_ids(next_token.probs_final, n, seed)

    # -- generation ----------------------------------------------------------------------
    def chat_prompt(self, prompt: str) -> str:
        tok = self._get().tokenizer
        if not getattr(tok, "chat_template", None):
            raise BadInput(f"{self.name} has no chat template")
        return tok.apply_chat_template([{"role": "user", "content": prompt}],
                                       add_generation_prompt=True, tokenize=False)

    def stream(self, prompt: str, settings: GenerationSettings | None = None,
               cancelled: Callable[[], bool] | None = None) -> GenerationStream:
        from tutor.engine import sampling
        from tutor.engine.generation import GenerationStream

        s = settings or GenerationSettings()
        temperature, cooled = limits.effective_temperature(s.temperature)
        sampling.check_settings(temperature, s.top_k, s.top_p)
        limits.check_seed(s.seed)
        limits.check_count(s.max_new_tokens, "max new tokens")
        self._nonempty(prompt, "prompt")
        m = self._require_kind("decoder", what="generation")
        s = replace(s, temperature=temperature)
        text = self.chat_prompt(prompt) if s.chat else prompt
        room = limits.prompt_room(s.max_new_tokens, m.facts.context_length)
        if s.chat:
            ids: list[int] = list(m.tokenizer(text, add_special_tokens=False)["input_ids"])
            truncated, notice = False, None
            if len(ids) > room:
                ids, truncated = ids[-room:], True
                notice = f"the chat was longer than {room} tokens; only the last {room} are used"
        else:
            ids, truncated, notice = self._encode(text, room)
        # the decode loop stops itself when the window is full ("context_full"); say so now
        _, clamped = limits.clamp_new_tokens(s.max_new_tokens, m.facts.context_length, len(ids))
        return GenerationStream(
            name=self.name, model=m.model, tokenizer=m.tokenizer, prompt_text=text,
            input_ids=ids, settings=s, context_length=m.facts.context_length,
            device=m.device, truncated=truncated,
            notice=limits.join_notices(cooled, clamped, notice), lock=self.lock,
            cancelled=cancelled,
        )

    def generate(self, prompt: str, settings: GenerationSettings | None = None) -> Generation:
        run = self.stream(prompt, settings)
        for _ in run:
            pass
        assert run.result is not None
        return run.result

    # -- prediction loop -----------------------------------------------------------------
    def loop_step(self, text: str, generated: Sequence[int] = (), top: int = 5) -> LoopStep:
        """One greedy step of the prediction loop, recomputed from scratch so each step
        shows the whole input the model reads. For seq2seq, `text` is the source."""
        import torch

        from tutor.engine.generation import eos_ids
        from tutor.engine.tokenize import token_text

        self._nonempty(text)
        m = self._get()
        if m.kind == "seq2seq":
            from tutor.engine import seq2seq

            with self.lock, torch.inference_mode():
                return seq2seq.loop_step(m, text, list(generated), top)
        self._require_kind("decoder", what="the prediction loop")
        prompt_ids, _, _ = self._encode(text, m.facts.context_length - len(generated) - 1)
        ids = prompt_ids + list(generated)
        with self.lock, torch.inference_mode():
            x = torch.tensor([ids], dtype=torch.long, device=m.device)
            logits = m.model(input_ids=x, use_cache=False, logits_to_keep=1).logits[0, -1]
            logits = logits.float().cpu()
        probs = torch.softmax(logits, -1)
        topv = torch.topk(probs, top)
        cands = [Candidate(id=int(i), text=token_text(m.tokenizer, int(i)),
                           logit=float(logits[int(i)]), prob=float(p))
                 for p, i in zip(topv.values.tolist(), topv.indices.tolist(), strict=True)]
        chosen = cands[0]
        return LoopStep(
            index=len(generated), input_ids=ids,
            input_tokens=[token_text(m.tokenizer, i) for i in ids],
            logits_top=cands, chosen=chosen,
            is_eos=chosen.id in eos_ids(m.model, m.tokenizer),
            context_full=len(ids) + 1 >= m.facts.context_length,
        )

    def translate(self, text: str, max_steps: int = 32) -> Translation:
        import torch

        from tutor.engine import seq2seq

        self._nonempty(text)
        limits.check_count(max_steps, "--max-steps")
        m = self._require_kind("seq2seq", what="translation")
        with self.lock, torch.inference_mode():
            return seq2seq.translate(m, text, max_steps)

    # -- embeddings ----------------------------------------------------------------------
    def embed(self, texts: Sequence[str], token: str = "") -> Embeddings:
        """Sentence vectors and their similarities; with `token`, also the similarities of
        that word's contextual vectors across the texts (the "bank" comparison)."""
        import torch

        from tutor.engine import embedding
        from tutor.engine.tokenize import token_text

        texts = list(texts)
        if not texts:
            raise BadInput("give at least one text to embed")
        for t in texts:
            self._nonempty(t)
        m = self._require_kind("encoder", what="sentence embeddings")
        with self.lock, torch.inference_mode():
            vectors, token_vectors, token_ids = embedding.embed(
                m.model, m.tokenizer, texts, m.device, m.facts.context_length)
        token = token.strip()
        token_similarity, missing = (
            embedding.word_vectors(m.tokenizer, token, token_vectors, token_ids)
            if token else (None, []))
        return Embeddings(
            model=self.name, texts=texts, vectors=vectors,
            similarity=embedding.cosine_matrix(vectors),
            tokens=[[token_text(m.tokenizer, i) for i in ids] for ids in token_ids],
            token_vectors=token_vectors, token=token, token_similarity=token_similarity,
            token_missing=missing,
        )
