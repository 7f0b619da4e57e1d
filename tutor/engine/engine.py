"""The engine facade: one object per model answering every question the panels ask.

This module imports no torch at import time; the first call that needs the model loads it
(in the caller's thread, so the UI calls it from a worker). Every answer is plain data from
`tutor.engine.types`.

Threads: once `loaded`, `tokens`, `token_text` and `detokenize` may run on the UI thread
(they use the `TextTokenizer`, which nothing reconfigures). All else runs in workers; model
calls and the transformers tokenizer (it reconfigures itself to pad) hold `lock`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tutor.engine import limits
from tutor.engine.errors import BadInput
from tutor.engine.registry import ModelSpec, get_spec
from tutor.engine.types import (
    AttentionMaps,
    Embeddings,
    GeneratedToken,
    Generation,
    GenerationSettings,
    GenerationStream,
    LogitLens,
    LoopStep,
    ModelFacts,
    NextToken,
    ScoredToken,
    TextScore,
    Tokenization,
    Translation,
)
from tutor.i18n import _
from tutor.settings import Settings

if TYPE_CHECKING:
    from tutor.engine.loading import Loaded

# Attention for every layer and head grows with the square of the length; past this many
# tokens the panel would show an unreadable grid and the arrays would take gigabytes.
MAX_ATTENTION_TOKENS = 256
# inputs longer than this are read with SDPA instead of the eager attention (see `logits`)
EAGER_TOKENS = 1024
# The lens projects every layer at every asked position onto the whole vocabulary: about
# a forward pass's arithmetic per eight positions of SmolLM2, so a call asks for a window.
MAX_LENS_POSITIONS = 64
# Prompts up to this long keep their residual stream between lens calls, so a panel that
# scrolls to other positions of the same prompt pays only for the projections.
_LENS_CACHE_TOKENS = 512


class Engine:
    def __init__(self, model: str = "smollm2", settings: Settings | None = None,
                 device: str | None = None) -> None:
        """`settings` gives the device, precision, decode step and cache directory
        (default: the built-in defaults, not the environment); `device` overrides its
        device, for scripts."""
        self.spec: ModelSpec = get_spec(model)
        self.settings = settings or Settings()
        if device is not None:  # checked by limits.check_device, through the settings
            self.settings = self.settings.with_flags(device=device)
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

                    self._loaded = load(self.spec, self.settings)
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
            raise BadInput(_("{what} needs a {kinds} model; {model} is {kind}").format(
                what=what, kinds=" / ".join(kinds), model=self.name, kind=m.kind))
        return m

    # -- input preparation -------------------------------------------------------------
    def _encode(self, text: str, limit: int | None = None) -> tuple[list[int], bool, str | None]:
        """Token ids of `text` (with the model's special tokens), cut from the left to `limit`."""
        m = self._get()
        ids = m.text.ids(text)
        limit = limit or m.facts.context_length
        if len(ids) <= limit:
            return ids, False, None
        specials = m.text.specials
        head = [ids[0]] if ids[0] in specials else []
        tail = [ids[-1]] if m.kind == "encoder" and ids[-1] in specials else []
        body = ids[len(head): len(ids) - len(tail)]
        keep = limit - len(head) - len(tail)
        ids = head + body[len(body) - keep:] + tail
        notice = _("the input was {count} tokens, more than {limit}; only the last {keep} are "
                   "used").format(count=len(body) + len(head) + len(tail), limit=limit, keep=keep)
        return ids, True, notice

    @staticmethod
    def _nonempty(text: str, what: str | None = None) -> None:
        limits.check_text(text, what)

    # -- tokens --------------------------------------------------------------------------
    def tokens(self, text: str) -> Tokenization:
        """The text's tokens; safe on the UI thread once the model is loaded."""
        limits.check_text(text, allow_empty=True)
        return self._get().text.tokenize(text)

    def detokenize(self, ids: Sequence[int]) -> str:
        """The text of `ids`, through the same incremental detokenizer as generation."""
        from tutor.engine.decode.detok import Detokenizer

        return Detokenizer(self._get().text.decode).text(ids)

    def token_text(self, token_id: int) -> str:
        """How one id is shown to a learner ("␣Paris")."""
        return self._get().text.piece(token_id)

    # -- attention -----------------------------------------------------------------------
    def attention(self, text: str, target: str | None = None) -> AttentionMaps:
        """Every layer's and head's attention. For a seq2seq model `text` is the source and
        `target` the decoder's output so far (default: the model's own translation)."""
        import torch

        from tutor.engine import attention as attn

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
            tokens=[m.text.piece(i) for i in ids],
            weights=weights, causal=m.kind == "decoder", truncated=truncated, notice=notice,
        )

    # -- next token ----------------------------------------------------------------------
    def logits(self, prompt: str) -> tuple[Any, list[int], bool, str | None]:
        """Raw last-position logits (a CPU float tensor) and the ids the model read."""
        import torch

        from tutor.engine.decode import FullStepper

        m = self._require_kind("decoder", what=_("next-token prediction"))
        self._nonempty(prompt, _("prompt"))
        ids, truncated, notice = self._encode(prompt)
        # the model is loaded with eager attention for the attention maps; over a long input
        # its n² weight tensors per head make one forward minutes long (8 192 tokens: about
        # 5x SDPA's time on two cores), so long inputs take SDPA, which short prompts (and
        # every number a lesson quotes) never reach
        impl = "sdpa" if len(ids) > EAGER_TOKENS and m.kind == "decoder" else None
        with self.lock, torch.inference_mode(), self._attention_impl(m, impl):
            logits = FullStepper(m.model, m.device).prefill(ids).float().cpu()
        return logits, ids, truncated, notice

    @staticmethod
    def _attention_impl(m: Loaded, impl: str | None) -> AbstractContextManager[None]:
        from tutor.engine.loading import attention_impl

        return attention_impl(m.model, impl) if impl else nullcontext()

    def next_token(self, prompt: str, temperature: float = 1.0, top_k: int = 0,
                   top_p: float = 1.0, top: int = 10) -> NextToken:
        from tutor.engine import sampling

        temperature, cooled = limits.effective_temperature(temperature)
        sampling.check_settings(temperature, top_k, top_p)
        if top < 1:
            raise BadInput(_("--top must be at least 1, not {value}").format(value=top))
        logits, ids, truncated, notice = self.logits(prompt)
        notice = limits.join_notices(notice, cooled)
        return self._next_from_logits(logits, len(ids), temperature, top_k, top_p, top,
                                      truncated, notice)

    def _next_from_logits(self, logits: Any, prompt_tokens: int, temperature: float,
                          top_k: int, top_p: float, top: int, truncated: bool = False,
                          notice: str | None = None) -> NextToken:
        """The NextToken of raw last-position logits (a CPU float tensor) under the settings."""
        from tutor.engine import sampling
        from tutor.engine.decode import candidates

        raw, after_t, after_k, final = sampling.stages(logits, temperature, top_k, top_p)
        lg = logits.numpy()
        shown = candidates(lg, top, self._get().text.piece, final)
        ids_shown = [c.id for c in shown]
        return NextToken(
            model=self.name, prompt_tokens=prompt_tokens, temperature=temperature, top_k=top_k,
            top_p=top_p, logits=lg, probs_raw=raw, probs_temperature=after_t,
            probs_top_k=after_k, probs_final=final,
            removed_by_top_k=[i for i in ids_shown if after_t[i] > 0 and after_k[i] == 0],
            removed_by_top_p=[i for i in ids_shown if after_k[i] > 0 and final[i] == 0],
            candidates=shown, greedy=shown[0],
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

        self._nonempty(text)
        m = self._get()
        lens_maths.require_llama(m.model, self.name)  # an encoder is told plainly too
        if top < 1:
            raise BadInput(_("the number of top tokens must be at least 1, not {value}").format(
                value=top))
        ids, truncated, notice = self._encode(text)
        n = len(ids)
        if positions is None:
            if last < 1:
                raise BadInput(_("the number of positions must be at least 1, not {value}")
                               .format(value=last))
            positions = range(max(0, n - last), n)
        picked = sorted({int(p) for p in positions})
        for p in picked:
            if not 0 <= p < n:
                raise BadInput(_("position {position} is out of range: the text is {count} "
                                 "tokens, positions 0 to {last}").format(position=p, count=n,
                                                                         last=n - 1))
        if not picked or len(picked) > MAX_LENS_POSITIONS:
            raise BadInput(_("the lens looks at 1 to {most} positions at a time, not {count}")
                           .format(most=MAX_LENS_POSITIONS, count=len(picked)))
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
            model=self.name, tokens=[m.text.piece(i) for i in ids], ids=ids,
            positions=picked, n_layers=int(stream.shape[0]) - 1,
            texts={int(i): m.text.piece(int(i)) for i in shown},
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

        self._nonempty(text)
        temperature, cooled = limits.effective_temperature(temperature)
        sampling.check_settings(temperature, top_k, top_p)
        m = self._require_kind("decoder", what=_("scoring a text"))
        ids = m.text.ids(text, add_special_tokens=False) + list(appended)
        limit = m.facts.context_length
        truncated, notice = len(ids) > limit, None
        if truncated:
            notice = _("the text is {count} tokens, more than {limit}; only the last {limit} are "
                       "scored").format(count=len(ids), limit=limit)
            ids = ids[-limit:]
        with self.lock, torch.inference_mode():
            a = lens_maths.score(m.model, ids, m.device)
        piece = m.text.piece
        tokens = [ScoredToken(id=ids[0], text=piece(ids[0]), prob=None, rank=None,
                              entropy=None)]
        for i in range(1, len(ids)):
            g = int(a["greedy"][i - 1])
            tokens.append(ScoredToken(
                id=ids[i], text=piece(ids[i]),
                prob=math.exp(float(a["log_prob"][i - 1])), rank=int(a["rank"][i - 1]),
                entropy=float(a["entropy"][i - 1]), greedy_id=g,
                greedy_text=piece(g),
                greedy_prob=math.exp(float(a["greedy_log_prob"][i - 1]))))
        log_prob = float(a["log_prob"].sum())
        return TextScore(
            model=self.name, text=self.detokenize(ids), tokens=tokens, log_prob=log_prob,
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
            raise BadInput(_("the number of samples must be at least 1, not {value}").format(
                value=n))
        return sample_ids(next_token.probs_final, n, seed)

    # -- generation ----------------------------------------------------------------------
    def chat_prompt(self, prompt: str) -> str:
        tok = self._get().tokenizer
        if not getattr(tok, "chat_template", None):
            raise BadInput(_("{model} has no chat template").format(model=self.name))
        return tok.apply_chat_template([{"role": "user", "content": prompt}],
                                       add_generation_prompt=True, tokenize=False)

    def stream(self, prompt: str, settings: GenerationSettings | None = None,
               cancelled: Callable[[], bool] | None = None) -> GenerationStream:
        from tutor.engine import sampling

        s = settings or GenerationSettings()
        temperature, cooled = limits.effective_temperature(s.temperature)
        sampling.check_settings(temperature, s.top_k, s.top_p)
        limits.check_seed(s.seed)
        limits.check_count(s.max_new_tokens, _("max new tokens"))
        self._nonempty(prompt, _("prompt"))
        m = self._require_kind("decoder", what=_("generation"))
        s = replace(s, temperature=temperature)
        text = self.chat_prompt(prompt) if s.chat else prompt
        room = limits.prompt_room(s.max_new_tokens, m.facts.context_length)
        if s.chat:
            ids = m.text.ids(text, add_special_tokens=False)
            truncated, notice = False, None
            if len(ids) > room:
                ids, truncated = ids[-room:], True
                notice = _("the chat was longer than {room} tokens; only the last {room} are "
                           "used").format(room=room)
        else:
            ids, truncated, notice = self._encode(text, room)
        # the decode loop stops itself when the window is full ("context_full"); say so now
        _room, clamped = limits.clamp_new_tokens(s.max_new_tokens, m.facts.context_length, len(ids))
        notice = limits.join_notices(cooled, clamped, notice)
        run = self._generate(m, text, ids, s, truncated, notice, cancelled or (lambda: False))
        return GenerationStream(text, ids, truncated, notice, run)

    def _generate(self, m: Loaded, prompt: str, ids: list[int], s: GenerationSettings,
                  truncated: bool, notice: str | None, cancelled: Callable[[], bool],
                  ) -> Generator[GeneratedToken, None, Generation]:
        """The decode loop's steps as GeneratedTokens, each with its candidates, its piece
        and the text it adds; returns the whole Generation."""
        import torch

        from tutor.engine import decode as d

        context = m.facts.context_length
        with self.lock, torch.inference_mode():
            eos = d.eos_ids(m.model, m.tokenizer)
            stepper = d.make_stepper(m, self.settings.decode, s.use_cache,
                                     max(min(context, len(ids) + s.max_new_tokens), len(ids) + 1))
            loop = d.DecodeLoop(stepper, ids, d.picker(s, eos), s.max_new_tokens, eos, context,
                                cancelled)
            detok = d.Detokenizer(m.text.decode, skip=eos)
            made: list[GeneratedToken] = []
            start = time.perf_counter()
            for step in loop:
                shown = (d.candidates(step.logits, s.candidates, m.text.piece, step.probs)
                         if s.candidates > 0 else [])
                made.append(GeneratedToken(step.index, step.id, m.text.piece(step.id),
                                           detok.add(step.id), step.ms, shown))
                yield made[-1]
            total = (time.perf_counter() - start) * 1000
            text = "".join(t.added for t in made) + detok.flush()
        return Generation(
            model=self.name, prompt=prompt, text=text, tokens=made,
            stop_reason=loop.stop, prompt_tokens=len(ids), use_cache=s.use_cache,
            device=str(m.device), ttft_ms=made[0].ms if made else 0.0, total_ms=total,
            truncated=truncated, notice=notice,
        )

    def generate(self, prompt: str, settings: GenerationSettings | None = None) -> Generation:
        run = self.stream(prompt, settings)
        for _token in run:
            pass
        assert run.result is not None
        return run.result

    # -- prediction loop -----------------------------------------------------------------
    def loop_step(self, text: str, generated: Sequence[int] = (), top: int = 5) -> LoopStep:
        """One greedy step of the prediction loop, recomputed from scratch so each step
        shows the whole input the model reads. For seq2seq, `text` is the source."""
        import torch

        from tutor.engine.decode import Detokenizer, FullStepper, candidates, eos_ids

        self._nonempty(text)
        m = self._get()
        if m.kind == "seq2seq":
            from tutor.engine import seq2seq

            with self.lock, torch.inference_mode():
                return seq2seq.loop_step(m, text, list(generated), top)
        self._require_kind("decoder", what=_("the prediction loop"))
        prompt_ids, _cut, _notice = self._encode(text, m.facts.context_length - len(generated) - 1)
        ids = prompt_ids + list(generated)
        with self.lock, torch.inference_mode():
            logits = FullStepper(m.model, m.device).prefill(ids).float()
            eos = eos_ids(m.model, m.tokenizer)
        cands = candidates(logits, top, m.text.piece)
        chosen = cands[0]
        written = list(generated) if chosen.id in eos else [*generated, chosen.id]
        return LoopStep(
            index=len(generated), input_ids=ids, input_tokens=[m.text.piece(i) for i in ids],
            logits_top=cands, chosen=chosen, is_eos=chosen.id in eos,
            context_full=len(ids) + 1 >= m.facts.context_length,
            output=Detokenizer(m.text.decode, skip=eos).text(written),
        )

    def translate(self, text: str, max_steps: int = 32) -> Translation:
        import torch

        from tutor.engine import seq2seq

        self._nonempty(text)
        limits.check_count(max_steps, "--max-steps")
        m = self._require_kind("seq2seq", what=_("translation"))
        with self.lock, torch.inference_mode():
            return seq2seq.translate(m, text, max_steps)

    # -- embeddings ----------------------------------------------------------------------
    def embed(self, texts: Sequence[str], token: str = "") -> Embeddings:
        """Sentence vectors and their similarities; with `token`, also the similarities of
        that word's contextual vectors across the texts (the "bank" comparison)."""
        import torch

        from tutor.engine import embedding

        texts = list(texts)
        if not texts:
            raise BadInput(_("give at least one text to embed"))
        for t in texts:
            self._nonempty(t)
        m = self._require_kind("encoder", what=_("sentence embeddings"))
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
            tokens=[[m.text.piece(i) for i in ids] for ids in token_ids],
            token_vectors=token_vectors, token=token, token_similarity=token_similarity,
            token_missing=missing,
        )
