"""The float32 llama decode step on the CPU, with each matrix read at memory speed.

A decode step reads every weight once to multiply it by one vector: its speed is that of
a matrix-vector product over 540 MB. On the 2-core machines this project runs on, torch's
`F.linear` does that at about 7 GB/s with `nn.Linear`'s `[out, in]` weights; OpenBLAS
(numpy's) streams them at 15-28 GB/s as `[in, out]`, except the MLP's down projection
(1 536 inputs long), fastest as `[out, in]`. `lay_out` stores each matrix in its faster
layout, fusing q/k/v and gate/up so a layer is four long reads, not seven short ones; the
step runs in numpy, whose calls cost a few times less than torch's for vectors this small.

`lay_out` runs once, at load (`loading.load`, for decode "auto" or "blas"). The model's
`nn.Linear` weights become views of the new memory, so the transformers forward reads the
same numbers and no memory is added but a transposed copy of a tied output layer. Loaded
with decode "torch" or "transformers", a model keeps transformers' layout (a stock model).

For weights in the model cache the layout is a file beside them (`store`), written by the
first load and memory-mapped by every later one: all tutor processes on a machine then
share one copy in the page cache instead of each holding ~510 MiB of its own. The file's
header records `LAYOUT_VERSION`, the identity of the weights it came from and each
matrix's shape; a mismatch, or a size that disagrees with the header, rebuilds it. One
process builds at a time (a lock file beside it), so a class that loads at once after a
fetch builds it once. Where it cannot be written (a read-only or full cache) the layout
stays in memory, as without a store.

The arithmetic is float32, in the order of the transformers eager llama code; only the
summation order inside each product differs (another BLAS), so greedy output is the same
unless two candidates tie within float32 rounding.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from tutor.engine.decode import llama

try:
    import fcntl
except ImportError:  # Windows: no lock, so concurrent first loads may each build the file
    fcntl = None  # type: ignore[assignment]

_ALIGN = 16  # floats: each matrix starts on a 64-byte cache line
# Bump when the arena changes (which matrices, their order, layout or alignment): every
# layout file written before is then rebuilt at its next load.
LAYOUT_VERSION = 1
_PAGE = 4096  # the file's matrices start on a page, so the mapping keeps their alignment
_MAX_HEADER = 1 << 20
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Layer:
    ln1: np.ndarray
    eps1: float
    qkv: np.ndarray  # [hidden, (heads + 2 kv heads) * head_dim]
    o: np.ndarray  # [heads * head_dim, hidden]
    scaling: float
    ln2: np.ndarray
    eps2: float
    gate_up: np.ndarray  # [hidden, 2 * intermediate]
    down: np.ndarray  # [hidden, intermediate], as nn.Linear keeps it


@dataclass(frozen=True)
class BlasWeights:
    """A llama's weights in the BLAS step's layout (see the module docstring)."""

    layers: list[_Layer]
    embed: np.ndarray  # [vocab, hidden]
    norm: np.ndarray
    norm_eps: float
    lm_head: np.ndarray  # [hidden, vocab]
    intermediate: int


def supports(model: Any, device: torch.device) -> bool:
    """A plain float32 llama on the CPU (not quantised, no biases, default rotary)."""
    if device.type != "cpu" or not llama.supports(model):
        return False
    modules = [model.lm_head]
    for layer in model.model.layers:
        a, m = layer.self_attn, layer.mlp
        modules += [a.q_proj, a.k_proj, a.v_proj, a.o_proj, m.gate_proj, m.up_proj, m.down_proj]
    return all(type(mod) is nn.Linear and mod.bias is None
               and mod.weight.dtype == torch.float32 and mod.weight.device.type == "cpu"
               for mod in modules)


# an `[out, in]` matrix as the rows of its parts stacked (q/k/v, gate/up fused), and
# whether it keeps `[out, in]` (True) or is stored transposed, `[in, out]`
_Matrix = tuple[list[torch.Tensor], bool]


def _matrices(model: Any) -> list[_Matrix]:
    """Every matrix of the arena, in the order a step reads them. Only shapes are read
    here: the weights themselves are read only when an arena is filled."""
    matrices: list[_Matrix] = []
    for layer in model.model.layers:
        a, m = layer.self_attn, layer.mlp
        matrices += [([a.q_proj.weight, a.k_proj.weight, a.v_proj.weight], False),
                     ([a.o_proj.weight], False),
                     ([m.gate_proj.weight, m.up_proj.weight], False),
                     ([m.down_proj.weight], True)]
    matrices.append(([model.lm_head.weight], False))
    return matrices


def _shape(matrix: _Matrix) -> tuple[int, int]:
    parts, keep_rows = matrix
    rows, cols = sum(int(p.shape[0]) for p in parts), int(parts[0].shape[1])
    return (rows, cols) if keep_rows else (cols, rows)


def _offsets(shapes: list[tuple[int, int]]) -> tuple[list[int], int]:
    """Where each matrix starts in the arena, and the arena's length, in floats."""
    offsets, end = [], 0
    for rows, cols in shapes:
        offsets.append(end)
        end += (rows * cols + _ALIGN - 1) // _ALIGN * _ALIGN
    return offsets, end


def _views(arena: np.ndarray, shapes: list[tuple[int, int]]) -> list[np.ndarray]:
    offsets, _ = _offsets(shapes)
    return [arena[o: o + r * c].reshape(r, c) for o, (r, c) in zip(offsets, shapes, strict=True)]


def _filled(matrices: list[_Matrix]) -> np.ndarray:
    """A new arena in memory holding every matrix in its layout."""
    shapes = [_shape(m) for m in matrices]
    _, length = _offsets(shapes)
    buffer = np.empty(length + _ALIGN, dtype=np.float32)
    start = (-buffer.ctypes.data // 4) % _ALIGN
    arena = buffer[start: start + length]
    for (parts, keep_rows), view in zip(matrices, _views(arena, shapes), strict=True):
        data = (torch.cat(parts) if len(parts) > 1 else parts[0]).detach().numpy()
        view[...] = data if keep_rows else data.T
    return arena


def _header(shapes: list[tuple[int, int]], source: str) -> dict[str, Any]:
    return {"layout": LAYOUT_VERSION, "source": source, "shapes": [list(s) for s in shapes]}


def _data_offset(header_length: int) -> int:
    return (8 + header_length + _PAGE - 1) // _PAGE * _PAGE


def _mapped(store: Path, shapes: list[tuple[int, int]], source: str) -> np.ndarray | None:
    """The arena mapped from `store`, or None when the file is missing, stale or damaged.

    Mapped copy-on-write from a file opened read-only: pages no process writes (the
    weights are never written) are the page cache's, one copy for every process, and the
    arrays are writable as torch expects, so nothing warns."""
    try:
        size = store.stat().st_size
        with store.open("rb") as f:
            length = int.from_bytes(f.read(8), "little")
            if not 0 < length <= min(size, _MAX_HEADER):
                reason = "its header is damaged"
            elif json.loads(f.read(length)) != _header(shapes, source):
                reason = "it is of another layout version or other weights"
            else:
                reason = ""
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        reason = f"it cannot be read ({err})"
    if not reason:
        offset, (_, floats) = _data_offset(length), _offsets(shapes)
        reason = f"it is {size} bytes, not {offset + 4 * floats}"
        if size == offset + 4 * floats:
            try:
                return np.memmap(store, dtype=np.float32, mode="c", offset=offset,
                                 shape=(floats,)).view(np.ndarray)
            except (OSError, ValueError) as err:
                reason = f"it cannot be mapped ({err})"
    log.info("rebuilding the BLAS layout in %s: %s", store, reason)
    return None


def _write(store: Path, arena: np.ndarray, shapes: list[tuple[int, int]], source: str) -> None:
    """Write the layout file whole or not at all: a temporary file, then a rename."""
    header = json.dumps(_header(shapes, source)).encode()
    fd, name = tempfile.mkstemp(prefix=f".{store.name}.", suffix=".partial", dir=store.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(len(header).to_bytes(8, "little") + header)
            f.write(bytes(_data_offset(len(header)) - 8 - len(header)))
            f.write(memoryview(arena))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(name, 0o644)  # other users' tutors may map it too
        os.replace(name, store)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


@contextmanager
def _building(store: Path) -> Iterator[None]:
    """One builder at a time (a whole class may load at once after a fetch): an exclusive
    lock on a file beside the store; the others wait, then find the file built. Holding
    it, any temporary file left is a killed builder's, so it goes."""
    with open(store.with_name(f".{store.name}.lock"), "ab") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        for left in store.parent.glob(f".{store.name}.*.partial"):
            left.unlink(missing_ok=True)
        yield


def _arena(matrices: list[_Matrix], store: Path | None, source: str) -> np.ndarray:
    """The arena: mapped from `store` (built and written there first when it is missing or
    stale), or in memory without a store or when the store cannot be written."""
    if store is None:
        return _filled(matrices)
    shapes = [_shape(m) for m in matrices]
    mapped = _mapped(store, shapes, source)
    if mapped is not None:
        return mapped
    arena = None
    try:
        with _building(store):
            mapped = _mapped(store, shapes, source)  # built while this process waited
            if mapped is None:
                arena = _filled(matrices)
                _write(store, arena, shapes, source)
                mapped = _mapped(store, shapes, source)
    except OSError as err:
        log.warning("the BLAS layout stays in this process's memory: cannot write %s (%s)",
                    store, err)
    if mapped is not None:
        return mapped  # the private copy, if this process built one, is freed on return
    return _filled(matrices) if arena is None else arena


def _rebind(module: nn.Linear, view: np.ndarray, keep_rows: bool = False) -> None:
    """Point the module's weight at the arena: the same numbers, shared memory."""
    weight = torch.from_numpy(view)
    module.weight = nn.Parameter(weight if keep_rows else weight.t(), requires_grad=False)


def lay_out(model: Any, store: Path | None = None, source: str = "") -> BlasWeights:
    """Move the model's matrices into the BLAS layout, in place (call once, at load).

    `store`: the layout file to map, beside cached weights whose identity is `source`
    (see the module docstring); None keeps the layout in memory."""
    inner = model.model
    tied = model.lm_head.weight.data_ptr() == inner.embed_tokens.weight.data_ptr()
    matrices = _matrices(model)
    views = _views(_arena(matrices, store, source), [_shape(m) for m in matrices])
    layers = []
    for i, layer in enumerate(inner.layers):
        a, m = layer.self_attn, layer.mlp
        qkv, o, gate_up, down = views[4 * i: 4 * i + 4]
        q_out, k_out, inter = a.q_proj.out_features, a.k_proj.out_features, m.gate_proj.out_features
        _rebind(a.q_proj, qkv[:, :q_out])
        _rebind(a.k_proj, qkv[:, q_out: q_out + k_out])
        _rebind(a.v_proj, qkv[:, q_out + k_out:])
        _rebind(a.o_proj, o)
        _rebind(m.gate_proj, gate_up[:, :inter])
        _rebind(m.up_proj, gate_up[:, inter:])
        _rebind(m.down_proj, down, keep_rows=True)
        layers.append(_Layer(
            ln1=layer.input_layernorm.weight.detach().numpy(),
            eps1=float(layer.input_layernorm.variance_epsilon), qkv=qkv, o=o,
            scaling=float(a.scaling), ln2=layer.post_attention_layernorm.weight.detach().numpy(),
            eps2=float(layer.post_attention_layernorm.variance_epsilon), gate_up=gate_up,
            down=down))
    if not tied:
        _rebind(model.lm_head, views[-1])
    return BlasWeights(
        layers=layers, embed=inner.embed_tokens.weight.detach().numpy(),
        norm=inner.norm.weight.detach().numpy(), norm_eps=float(inner.norm.variance_epsilon),
        lm_head=views[-1], intermediate=int(inner.layers[0].mlp.gate_proj.out_features))


def _rms(h: np.ndarray, weight: np.ndarray, eps: float) -> np.ndarray:
    return weight * (h / np.sqrt(np.dot(h, h) / h.shape[0] + eps))


class BlasLlamaStepper:
    """The lean llama step of `llama.TorchLlamaStepper`, in numpy over BLAS."""

    def __init__(self, model: Any, device: torch.device, max_positions: int,
                 weights: BlasWeights) -> None:
        self.model, self.device, self.w = model, device, weights
        self.n_heads, self.n_kv, self.head_dim = llama.head_shape(model.config)
        cos, sin = llama.rotary_tables(model, max_positions, device)
        self.cos = cos.numpy()
        # rotate_half(x) * sin, as one gather and one product: the first half of
        # rotate_half(x) is -x[half:], and (-a) * b == a * (-b) exactly in floating point
        half = self.head_dim // 2
        self.sin_signed = sin.numpy()
        self.sin_signed[:, :half] *= -1
        self.rotate = np.r_[half:self.head_dim, 0:half]
        # the prompt's keys and values are written through the torch tensors, each step's
        # through the numpy views of the same memory: [layer, kv heads, position, dim]
        self._keys, self._values = llama.kv_cache(model, max_positions, torch.float32, device)
        self.keys, self.values = self._keys.numpy()[:, 0], self._values.numpy()[:, 0]
        self.max_positions = max_positions
        self.position = 0

    def prefill(self, ids: list[int]) -> torch.Tensor:
        logits = llama.prefill_cache(self.model, ids, self.device, self._keys, self._values)
        self.position = len(ids)
        return logits

    def step(self, token_id: int) -> torch.Tensor:
        p = self.position
        if p >= self.max_positions:
            raise ValueError("the stepper's cache is full")
        w = self.w
        nh, nkv, hd = self.n_heads, self.n_kv, self.head_dim
        q_dim, kv_dim, inter, g = nh * hd, nkv * hd, w.intermediate, nh // nkv
        cos, sin, rotate, end = self.cos[p], self.sin_signed[p], self.rotate, p + 1
        h = w.embed[token_id].copy()
        # silu's exp(-x) overflows to inf for very negative x, and x / inf is the right 0
        with np.errstate(over="ignore"):
            for i, layer in enumerate(w.layers):
                y = _rms(h, layer.ln1, layer.eps1) @ layer.qkv
                qk = y[:q_dim + kv_dim].reshape(nh + nkv, hd)  # rotary: queries and keys
                qk = qk * cos + qk[:, rotate] * sin
                self.keys[i, :, p] = qk[nh:]
                self.values[i, :, p] = y[q_dim + kv_dim:].reshape(nkv, hd)
                # query head j reads key/value head j // g, as repeat_kv arranges them
                scores = np.matmul(qk[:nh].reshape(nkv, g, hd),
                                   self.keys[i, :, :end].transpose(0, 2, 1)) * layer.scaling
                scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
                scores /= scores.sum(axis=-1, keepdims=True)
                h = h + np.matmul(scores, self.values[i, :, :end]).reshape(q_dim) @ layer.o
                z = _rms(h, layer.ln2, layer.eps2) @ layer.gate_up
                gate = z[:inter]
                h = h + layer.down @ (gate / (1.0 + np.exp(-gate)) * z[inter:])
        self.position = end
        return torch.from_numpy(_rms(h, w.norm, w.norm_eps) @ w.lm_head)
