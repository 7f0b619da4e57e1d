"""What the engine returns: frozen dataclasses of plain Python values and numpy arrays.

Nothing here imports torch, so the UI can hold and render these freely.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

StopReason = Literal["eos", "max_new_tokens", "context_full", "cancelled"]


@dataclass(frozen=True, slots=True)
class ModelFacts:
    """Numbers read off the loaded model's config, never typed in by hand."""

    name: str
    title: str
    kind: Literal["decoder", "encoder", "seq2seq"]
    architecture: str
    layers: int
    heads: int
    kv_heads: int
    hidden_size: int
    vocab_size: int
    context_length: int
    parameters: int
    device: str
    dtype: str
    has_chat_template: bool = False
    decoder_layers: int = 0  # seq2seq only: layers of the decoder (``layers`` is the encoder's)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Token:
    id: int
    text: str  # the piece as a learner should see it: "␣capital" for "Ġcapital"
    start: int  # character span in the input text; start == end for special tokens
    end: int
    special: bool
    raw: str = ""  # the tokenizer's own string for the piece ("Ġcapital", "##ing")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "start": self.start, "end": self.end,
                "special": self.special}


@dataclass(frozen=True, slots=True)
class Tokenization:
    model: str
    text: str
    tokens: list[Token]
    truncated: bool = False
    notice: str | None = None  # shown to the learner when the input was cut

    @property
    def count(self) -> int:
        return len(self.tokens)

    @property
    def chars_per_token(self) -> float:
        n = sum(1 for t in self.tokens if not t.special)
        return len(self.text) / n if n else 0.0

    @property
    def ids(self) -> list[int]:
        return [t.id for t in self.tokens]


@dataclass(frozen=True, slots=True)
class AttentionMaps:
    """Attention weights of every layer and head.

    ``weights[layer, head, query, key]``; each query row sums to 1. For a seq2seq model
    ``weights`` is the encoder's self-attention and ``decoder``/``cross`` hold the rest.
    """

    model: str
    facts: ModelFacts
    tokens: list[str]
    weights: np.ndarray
    causal: bool
    truncated: bool = False
    notice: str | None = None
    target_tokens: list[str] = field(default_factory=list)  # seq2seq: decoder input labels
    decoder: np.ndarray | None = None  # seq2seq: [layer, head, target, target]
    cross: np.ndarray | None = None  # seq2seq: [layer, head, target, source]

    @property
    def layers(self) -> int:
        return int(self.weights.shape[0])

    @property
    def heads(self) -> int:
        return int(self.weights.shape[1])


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    text: str
    logit: float
    prob: float  # final probability after temperature, top-k and top-p

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "logit": self.logit, "prob": self.prob}


@dataclass(frozen=True, slots=True)
class NextToken:
    """The next-token distribution of a prompt, stage by stage, as generate() applies them."""

    model: str
    prompt_tokens: int
    temperature: float
    top_k: int
    top_p: float
    logits: np.ndarray  # raw logits of the last position, float32 [vocab]
    probs_raw: np.ndarray  # softmax(logits)
    probs_temperature: np.ndarray  # softmax(logits / T)
    probs_top_k: np.ndarray  # after top-k, renormalised
    probs_final: np.ndarray  # after top-p, renormalised: what sampling draws from
    removed_by_top_k: list[int]  # ids (among the top `top` candidates) that top-k removed
    removed_by_top_p: list[int]  # ids (among the top `top` candidates) that top-p removed
    candidates: list[Candidate]  # top tokens by raw logit, prob = final probability
    greedy: Candidate
    entropy: float  # of probs_final, in bits
    entropy_raw: float  # of probs_raw, in bits
    truncated: bool = False
    notice: str | None = None

    def to_dict(self) -> dict[str, Any]:
        final = sorted(self.candidates, key=lambda c: (-c.prob, -c.logit))
        return {
            "model": self.model,
            "prompt_tokens": self.prompt_tokens,
            "temperature": self.temperature,
            "top_k": self.top_k,
            "top_p": self.top_p,
            "candidates": [c.to_dict() for c in final],
            "removed_by_top_k": self.removed_by_top_k,
            "removed_by_top_p": self.removed_by_top_p,
            "greedy": self.greedy.to_dict(),
            "entropy_bits": self.entropy,
            "entropy_raw_bits": self.entropy_raw,
            "truncated": self.truncated,
            "notice": self.notice,
        }


@dataclass(frozen=True, slots=True)
class GenerationSettings:
    max_new_tokens: int = 32
    temperature: float = 0.0  # 0 means greedy
    top_k: int = 0  # 0 means off
    top_p: float = 1.0  # 1 means off
    seed: int | None = None
    use_cache: bool = True
    chat: bool = False  # wrap the prompt in the model's chat template
    candidates: int = 5  # how many top candidates each step reports

    @property
    def greedy(self) -> bool:
        return self.temperature == 0


@dataclass(frozen=True, slots=True)
class GeneratedToken:
    index: int
    id: int
    text: str
    ms: float  # wall time of this step, in milliseconds
    candidates: list[Candidate] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "ms": round(self.ms, 3)}


@dataclass(frozen=True, slots=True)
class Generation:
    model: str
    prompt: str  # the text actually fed to the model (after chat template / truncation)
    text: str  # the generated continuation, detokenised
    tokens: list[GeneratedToken]
    stop_reason: StopReason
    prompt_tokens: int
    use_cache: bool
    device: str
    ttft_ms: float  # time to first token
    total_ms: float
    truncated: bool = False
    notice: str | None = None

    @property
    def tokens_per_s(self) -> float:
        return len(self.tokens) / (self.total_ms / 1000) if self.total_ms > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "text": self.text,
            "tokens": [t.to_dict() for t in self.tokens],
            "stop_reason": self.stop_reason,
            "prompt_tokens": self.prompt_tokens,
            "use_cache": self.use_cache,
            "device": self.device,
            "ttft_ms": round(self.ttft_ms, 3),
            "tokens_per_s": round(self.tokens_per_s, 3),
            "truncated": self.truncated,
            "notice": self.notice,
        }


@dataclass(frozen=True, slots=True)
class Embeddings:
    model: str
    texts: list[str]
    vectors: np.ndarray  # [n, hidden], mean-pooled over tokens, L2-normalised
    similarity: np.ndarray  # [n, n] cosine similarities
    tokens: list[list[str]]
    token_vectors: list[np.ndarray]  # per text: [tokens, hidden], before pooling
    # one word compared in context: its contextual vector in each text (the mean of its
    # word pieces' last hidden states) and their cosine similarities; None when no word
    # was given or it is missing from a text (`token_missing` lists those texts' indices)
    token: str = ""
    token_similarity: np.ndarray | None = None
    token_missing: list[int] = field(default_factory=list)

    def nearest(self, i: int, k: int = 3) -> list[tuple[int, float]]:
        """The k texts most similar to text i (excluding itself), most similar first."""
        order = [j for j in np.argsort(-self.similarity[i], kind="stable") if j != i]
        return [(int(j), float(self.similarity[i, j])) for j in order[:k]]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model": self.model,
            "texts": self.texts,
            "similarity": np.round(self.similarity, 6).tolist(),
            "dimensions": int(self.vectors.shape[1]),
        }
        if self.token:
            out["token"] = self.token
            out["token_similarity"] = (None if self.token_similarity is None
                                       else np.round(self.token_similarity, 6).tolist())
            out["token_missing"] = self.token_missing
        return out


@dataclass(frozen=True, slots=True)
class LoopStep:
    """One turn of the autoregressive prediction loop, for the prediction-loop panel.

    For a decoder-only model the input is the prompt plus everything generated so far.
    For a seq2seq model the encoder reads ``source_tokens`` and the decoder input starts
    from the start token; ``cross_attention`` is this step's row over the source,
    ``[layer, head, source]`` (each row sums to 1).
    """

    index: int
    input_ids: list[int]
    input_tokens: list[str]
    logits_top: list[Candidate]  # top candidates, prob = softmax at temperature 1
    chosen: Candidate  # the greedy pick
    is_eos: bool
    context_full: bool = False
    source_tokens: list[str] = field(default_factory=list)
    cross_attention: np.ndarray | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "input_tokens": self.input_tokens,
            "chosen": self.chosen.to_dict(),
            "candidates": [c.to_dict() for c in self.logits_top],
            "is_eos": self.is_eos,
        }
        if self.cross_attention is not None:
            out["cross_attention"] = np.round(self.cross_attention.mean(axis=(0, 1)), 6).tolist()
        return out


@dataclass(frozen=True, slots=True)
class Translation:
    """A seq2seq model's greedy output with every decoder step."""

    model: str
    source: str
    source_tokens: list[str]
    output: str
    steps: list[LoopStep]
    stop_reason: StopReason
    valid_date: bool | None = None  # for the dates model: is the output a real ISO date

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "source": self.source,
            "source_tokens": self.source_tokens,
            "output": self.output,
            "stop_reason": self.stop_reason,
            "valid_date": self.valid_date,
            "steps": [s.to_dict() for s in self.steps],
        }


@dataclass(frozen=True, slots=True)
class LogitLens:
    """What the model would predict after each block, at some positions of a prompt.

    Layer 0 is the embeddings, layer ``n_layers`` the last block's output (its lens is the
    model's own next-token distribution). Arrays are ``[n_layers + 1, len(positions), ...]``;
    the "final" token of a position is the last layer's top-1 there.
    """

    model: str
    tokens: list[str]  # every token the model read, as shown
    ids: list[int]
    positions: list[int]  # the positions computed, ascending, indexes into ``tokens``
    n_layers: int
    top_ids: np.ndarray  # [layer, position, top] int64
    top_probs: np.ndarray  # [layer, position, top] float32
    final_ids: np.ndarray  # [position]
    final_rank: np.ndarray  # [layer, position], 1-based rank of the final token
    final_prob: np.ndarray  # [layer, position]
    texts: dict[int, str]  # the shown text of every id above
    truncated: bool = False
    notice: str | None = None

    def column(self, position: int) -> int:
        """Where a prompt position sits in the arrays; KeyError if it was not computed."""
        try:
            return self.positions.index(position)
        except ValueError:
            raise KeyError(position) from None

    def first_top1_layer(self, position: int) -> int:
        """The first layer whose top-1 at `position` is already the final token."""
        ranks = self.final_rank[:, self.column(position)]
        return int(np.argmax(ranks == 1))

    def to_dict(self, position: int) -> dict[str, Any]:
        c = self.column(position)
        return {
            "tokens": self.tokens,
            "position": position,
            "layers": [
                {"layer": layer,
                 "top": [{"id": int(i), "text": self.texts[int(i)], "prob": float(p)}
                         for i, p in zip(self.top_ids[layer, c], self.top_probs[layer, c],
                                         strict=True)],
                 "final_rank": int(self.final_rank[layer, c]),
                 "final_prob": float(self.final_prob[layer, c])}
                for layer in range(self.n_layers + 1)
            ],
        }


@dataclass(frozen=True, slots=True)
class ScoredToken:
    """One token of a scored text, with the distribution the model gave it after the tokens
    before it (all None for the first token: nothing came before it)."""

    id: int
    text: str
    prob: float | None
    rank: int | None  # 1-based, in the whole vocabulary
    entropy: float | None  # bits, of the distribution this token was drawn from
    greedy_id: int | None = None  # what greedy decoding would have put here
    greedy_text: str | None = None
    greedy_prob: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "prob": self.prob, "rank": self.rank,
                "entropy": self.entropy}


@dataclass(frozen=True, slots=True)
class TextScore:
    """How likely a model finds a text, token by token, and what it predicts next."""

    model: str
    text: str  # the scored ids decoded (the text, plus any appended tokens)
    tokens: list[ScoredToken]
    log_prob: float  # natural log, summed over tokens 2..n
    perplexity: float | None  # exp(-log_prob / (n - 1)); None for a one-token text
    next: NextToken  # the distribution after the last token
    truncated: bool = False
    notice: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"tokens": [t.to_dict() for t in self.tokens], "perplexity": self.perplexity}
