"""The torch decode step for llama-architecture models, and the helpers both llama steps share.

A small model's decode step on a CPU is a few hundred small matrix-vector products, which
the transformers forward wraps in module calls, masks and a cache re-concatenated every
step: together about as costly as the arithmetic. `TorchLlamaStepper` runs the same
operations in the same order and precision as the transformers eager llama code (greedy
output is unchanged) on the model's own weights, into a cache allocated once. The prompt
goes through the transformers forward, whose keys and values are copied into that cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

Linear = Callable[[torch.Tensor], torch.Tensor]


def supports(model: Any) -> bool:
    """True for the llama modules the lean steps reproduce exactly (default rotary only)."""
    cfg = model.config
    if type(model).__name__ != "LlamaForCausalLM" or cfg.model_type != "llama":
        return False
    rope = getattr(cfg, "rope_parameters", None) or getattr(cfg, "rope_scaling", None) or {}
    rope_type = rope.get("rope_type", rope.get("type", "default")) if rope else "default"
    return bool(rope_type == "default" and not getattr(cfg, "attention_bias", False)
                and not getattr(cfg, "mlp_bias", False)
                and getattr(cfg, "pretraining_tp", 1) == 1)


def head_shape(cfg: Any) -> tuple[int, int, int]:
    """Query heads, key/value heads and head size of a llama config."""
    n_heads = int(cfg.num_attention_heads)
    n_kv = int(cfg.num_key_value_heads or n_heads)
    return n_heads, n_kv, int(getattr(cfg, "head_dim", None) or cfg.hidden_size // n_heads)


def rotary_tables(model: Any, max_positions: int,
                  device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin (float32) of every position, computed exactly as the rotary module does."""
    rotary = model.model.rotary_emb
    positions = torch.arange(max_positions, device=device, dtype=torch.long)
    freqs = positions[:, None].float() * rotary.inv_freq.to(device=device, dtype=torch.float)
    emb = torch.cat((freqs, freqs), dim=-1)
    scale = float(getattr(rotary, "attention_scaling", 1.0))
    return emb.cos() * scale, emb.sin() * scale


def kv_cache(model: Any, max_positions: int, dtype: torch.dtype,
             device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Keys and values of every layer, allocated once: [layer, 1, kv heads, position, dim]."""
    _, n_kv, head_dim = head_shape(model.config)
    shape = (int(model.config.num_hidden_layers), 1, n_kv, max_positions, head_dim)
    return (torch.zeros(shape, dtype=dtype, device=device),
            torch.zeros(shape, dtype=dtype, device=device))


def prefill_cache(model: Any, ids: list[int], device: torch.device, keys: torch.Tensor,
                  values: torch.Tensor) -> torch.Tensor:
    """Read the prompt with the transformers forward and copy its keys and values into a
    `kv_cache`; return the last position's logits."""
    if len(ids) >= keys.shape[3]:
        raise ValueError(f"prompt of {len(ids)} tokens does not fit {keys.shape[3]}")
    x = torch.tensor([ids], dtype=torch.long, device=device)
    out = model(input_ids=x, use_cache=True, logits_to_keep=1)
    for i, layer in enumerate(out.past_key_values.layers):
        keys[i, :, :, :len(ids)] = layer.keys
        values[i, :, :, :len(ids)] = layer.values
    return out.logits[0, -1]


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def _call(module: Any) -> Linear:
    # the module's forward skips nn.Module.__call__'s hook handling (~5 µs a call); it is
    # also what makes dynamically quantised int8 linears work here unchanged
    forward: Linear = module.forward
    return forward


def _rms(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    dtype = x.dtype
    h = x.to(torch.float32)
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return weight * h.to(dtype)


class TorchLlamaStepper:
    """A lean decode step for llama-architecture models (SmolLM2, Llama, TinyLlama)."""

    def __init__(self, model: Any, device: torch.device, max_positions: int) -> None:
        cfg = model.config
        self.model = model
        self.device = device
        inner = model.model
        self.n_heads, self.n_kv, self.head_dim = head_shape(cfg)
        self.embed = inner.embed_tokens.weight
        self.dtype = self.embed.dtype if self.embed.is_floating_point() else torch.float32
        self.layers = [
            (layer.input_layernorm.weight, float(layer.input_layernorm.variance_epsilon),
             _call(layer.self_attn.q_proj), _call(layer.self_attn.k_proj),
             _call(layer.self_attn.v_proj), _call(layer.self_attn.o_proj),
             float(layer.self_attn.scaling), layer.post_attention_layernorm.weight,
             float(layer.post_attention_layernorm.variance_epsilon), _call(layer.mlp.gate_proj),
             _call(layer.mlp.up_proj), _call(layer.mlp.down_proj), layer.mlp.act_fn)
            for layer in inner.layers[: cfg.num_hidden_layers]]
        self.norm_w, self.norm_eps = inner.norm.weight, float(inner.norm.variance_epsilon)
        self.lm_head = _call(model.lm_head)
        cos, sin = rotary_tables(model, max_positions, device)
        self.cos, self.sin = cos.to(self.dtype), sin.to(self.dtype)
        self.keys, self.values = kv_cache(model, max_positions, self.dtype, device)
        self.max_positions = max_positions
        self.position = 0
        self._token = torch.zeros((1, 1), dtype=torch.long, device=device)

    def prefill(self, ids: list[int]) -> torch.Tensor:
        logits = prefill_cache(self.model, ids, self.device, self.keys, self.values)
        self.position = len(ids)
        return logits

    def step(self, token_id: int) -> torch.Tensor:
        p = self.position
        if p >= self.max_positions:
            raise ValueError("the stepper's cache is full")
        self._token.fill_(token_id)
        h = F.embedding(self._token, self.embed)  # [1, 1, hidden]
        cos, sin = self.cos[p].view(1, 1, 1, -1), self.sin[p].view(1, 1, 1, -1)
        nh, nkv, hd = self.n_heads, self.n_kv, self.head_dim
        g, end = nh // nkv, p + 1
        for i, (ln1, eps1, q_proj, k_proj, v_proj, o_proj, scaling, ln2, eps2,
                gate, up, down, act) in enumerate(self.layers):
            x = _rms(h, ln1, eps1)
            q = q_proj(x).view(1, 1, nh, hd).transpose(1, 2)
            k = k_proj(x).view(1, 1, nkv, hd).transpose(1, 2)
            v = v_proj(x).view(1, 1, nkv, hd).transpose(1, 2)
            q = q * cos + _rotate_half(q) * sin
            self.keys[i, :, :, p: end] = k * cos + _rotate_half(k) * sin
            self.values[i, :, :, p: end] = v
            keys, values = self.keys[i, :, :, :end], self.values[i, :, :, :end]
            if g > 1:
                # what repeat_kv does: each key/value head serves `g` query heads
                keys = keys[:, :, None].expand(1, nkv, g, end, hd).reshape(1, nh, end, hd)
                values = values[:, :, None].expand(1, nkv, g, end, hd).reshape(1, nh, end, hd)
            scores = torch.matmul(q, keys.transpose(2, 3)) * scaling
            weights = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
            attn = torch.matmul(weights, values).transpose(1, 2).reshape(1, 1, nh * hd)
            h = h + o_proj(attn)
            x = _rms(h, ln2, eps2)
            h = h + down(act(gate(x)) * up(x))
        self.position = end
        return self.lm_head(_rms(h, self.norm_w, self.norm_eps))[0, -1]
