"""Steppers turn "the tokens so far" into the next position's logits, through one protocol
(`Stepper`): `prefill(ids)` reads the input, `step(id)` one more token; each returns the
last position's logits. `make_stepper` picks one; the decode loop never knows which.

- `CacheStepper`: the transformers forward with its KV cache (any decoder).
- `FullStepper`: no cache, the whole sequence again each step (the KV-cache lesson's
  comparison; the prediction loop, which shows each step reading everything).
- `llama.TorchLlamaStepper`, `blas.BlasLlamaStepper`: lean llama steps (same numbers).
- `Seq2SeqStepper`: an encoder-decoder's decoder, rerun on its whole input so each step
  reports the cross-attention row the learner sees.
"""

from __future__ import annotations

from typing import Any, Protocol

import torch

from tutor.engine.decode import blas, llama


class Stepper(Protocol):
    def prefill(self, ids: list[int]) -> torch.Tensor:
        """Read the input; return the last position's logits, shape [vocab]."""
        ...

    def step(self, token_id: int) -> torch.Tensor:
        """Read one more token; return its logits, shape [vocab]."""
        ...


class CacheStepper:
    """The transformers forward with its dynamic cache: works for every decoder."""

    def __init__(self, model: Any, device: torch.device) -> None:
        self.model, self.device, self.past = model, device, None
        self._token = torch.zeros((1, 1), dtype=torch.long, device=device)

    def prefill(self, ids: list[int]) -> torch.Tensor:
        x = torch.tensor([ids], dtype=torch.long, device=self.device)
        out = self.model(input_ids=x, use_cache=True, logits_to_keep=1)
        self.past = out.past_key_values
        return out.logits[0, -1]

    def step(self, token_id: int) -> torch.Tensor:
        self._token.fill_(token_id)
        out = self.model(input_ids=self._token, past_key_values=self.past, use_cache=True)
        self.past = out.past_key_values
        return out.logits[0, -1]


class FullStepper:
    """No cache: each step reads the whole sequence again (only the last position's
    logits are made)."""

    def __init__(self, model: Any, device: torch.device) -> None:
        self.model, self.device = model, device
        self.ids: list[int] = []

    def prefill(self, ids: list[int]) -> torch.Tensor:
        self.ids = list(ids)
        x = torch.tensor([self.ids], dtype=torch.long, device=self.device)
        return self.model(input_ids=x, use_cache=False, logits_to_keep=1).logits[0, -1]

    def step(self, token_id: int) -> torch.Tensor:
        return self.prefill([*self.ids, token_id])


class Seq2SeqStepper:
    """The decoder of an encoder-decoder, over a source the encoder reads once. `ids` are
    the decoder's input (its start token, then what it wrote); after each call `cross`
    holds that position's cross-attention, [layer, head, source]."""

    def __init__(self, model: Any, device: torch.device, source_ids: list[int]) -> None:
        self.model, self.device = model, device
        x = torch.tensor([source_ids], dtype=torch.long, device=device)
        self.mask = torch.ones_like(x)
        self.encoded = model.get_encoder()(input_ids=x, attention_mask=self.mask,
                                           output_attentions=True)
        self.ids: list[int] = []
        self.out: Any = None

    def prefill(self, ids: list[int]) -> torch.Tensor:
        self.ids = list(ids)
        y = torch.tensor([self.ids], dtype=torch.long, device=self.device)
        self.out = self.model(encoder_outputs=self.encoded, attention_mask=self.mask,
                              decoder_input_ids=y, output_attentions=True, use_cache=False)
        return self.out.logits[0, -1]

    def step(self, token_id: int) -> torch.Tensor:
        return self.prefill([*self.ids, token_id])

    @property
    def cross(self) -> Any:
        """This position's row of every layer's and head's cross-attention (numpy)."""
        from tutor.engine.attention import stack

        return stack(self.out.cross_attentions)[:, :, -1, :]


def make_stepper(loaded: Any, decode: str, use_cache: bool, max_positions: int) -> Stepper:
    """The stepper for a loaded decoder (`tutor.engine.loading.Loaded`) and `decode` setting:
    "auto" is the fastest step that reproduces the model's forward."""
    from tutor.engine.errors import BadInput

    model, device = loaded.model, loaded.device
    if not use_cache:
        return FullStepper(model, device)
    if decode in ("auto", "blas") and loaded.blas is not None:
        return blas.BlasLlamaStepper(model, device, max_positions, loaded.blas)
    if decode == "blas":
        raise BadInput("the blas decode step needs a float32 llama model on the CPU, loaded "
                       "with decode auto or blas")
    if decode in ("auto", "torch") and llama.supports(model):
        return llama.TorchLlamaStepper(model, device, max_positions)
    return CacheStepper(model, device)
