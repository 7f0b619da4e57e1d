"""The models a check run needs, loaded once in the child process from the paths it was given.

Always on the CPU in float32 with eager attention: the learner's numpy code runs there
anyway, and the checks compare against the stock model computed the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import torch

TINY = {"tiny-llama", "tiny-bert"}


@dataclass
class Pair:
    model: Any
    tokenizer: Any


def _load(where: str, kind: str) -> Pair:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    if where in TINY:
        from tutor.engine.tiny import tiny_decoder, tiny_encoder

        model, tokenizer = tiny_decoder() if kind == "decoder" else tiny_encoder()
        model.config._attn_implementation = "eager"
    else:
        from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

        cls = AutoModelForCausalLM if kind == "decoder" else AutoModel
        model = cls.from_pretrained(where, attn_implementation="eager", dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(where)
    model.eval()
    return Pair(model, tokenizer)


class Models:
    def __init__(self, decoder: str | None, encoder: str | None) -> None:
        self.paths = {"decoder": decoder, "encoder": encoder}
        self._loaded: dict[str, Pair] = {}
        self.memo: dict[str, Any] = {}  # the stock model's answers, computed in `prepare`

    def load(self, needs: tuple[str, ...]) -> None:
        for kind in needs:
            where = self.paths.get(kind)
            if not where:
                raise RuntimeError(f"no {kind} model was given to the check run")
            self._loaded[kind] = _load(where, kind)

    @property
    def tiny(self) -> bool:
        return any(p in TINY for p in self.paths.values() if p)

    @property
    def decoder(self) -> Pair:
        return self._loaded["decoder"]

    @property
    def encoder(self) -> Pair:
        return self._loaded["encoder"]

    # -- helpers the checks share ------------------------------------------------------------
    def ids(self, prompt: str) -> list[int]:
        return list(self.decoder.tokenizer(prompt)["input_ids"])

    def last_logits(self, prompt: str) -> np.ndarray:
        """The stock model's next-token logits (computed once per prompt; a fresh copy)."""
        return self._last_logits(prompt).copy()

    @lru_cache(maxsize=64)  # noqa: B019 -- one Models per child process, never freed early
    @torch.no_grad()
    def _last_logits(self, prompt: str) -> np.ndarray:
        ids = torch.tensor([self.ids(prompt)])
        out = self.decoder.model(input_ids=ids, use_cache=False)
        return out.logits[0, -1].float().numpy()

    def encode_batch(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Token vectors [b, seq, hidden], the padding mask [b, seq], and the engine's
        sentence embeddings, computed once per batch (fresh copies)."""
        return tuple(a.copy() for a in self._encode_batch(tuple(texts)))  # type: ignore[return-value]

    @lru_cache(maxsize=16)  # noqa: B019 -- one Models per child process
    @torch.no_grad()
    def _encode_batch(self, texts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Token vectors [b, seq, hidden], the padding mask [b, seq], and the engine's
        sentence embeddings (mean pooling + L2 norm) for a padded batch."""
        from tutor.engine.embedding import embed

        pair = self.encoder
        batch = pair.tokenizer(list(texts), padding=True, return_tensors="pt")
        hidden = pair.model(**batch).last_hidden_state.float().numpy()
        sentences, _, _ = embed(pair.model, pair.tokenizer, list(texts), torch.device("cpu"), 512)
        return hidden, batch["attention_mask"].numpy(), sentences
