"""Wrong solutions, one for each common mistake the checks must name.

Each is a complete learner file; `check` is the check that must fail and `says` a phrase
its message must contain.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    exercise: str
    name: str
    source: str
    check: str
    says: str


MISTAKES = [
    Mistake("softmax", "no-max-subtraction", '''
import numpy as np

def softmax(logits, temperature=1.0):
    e = np.exp(np.asarray(logits, dtype=np.float64) / temperature)
    return e / e.sum()
''', "numerically stable", "no max-subtraction"),
    Mistake("softmax", "temperature-on-probabilities", '''
import numpy as np

def softmax(logits, temperature=1.0):
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max())
    p = e / e.sum()
    p = p / temperature
    return p / p.sum()
''', "temperature divides the logits", "temperature applied to probabilities"),
    Mistake("top-k-top-p", "top-p-drops-crossing-token", '''
import numpy as np

def filter_probs(probs, top_k=0, top_p=1.0):
    p = np.asarray(probs, dtype=np.float64).copy()
    order = np.argsort(-p)
    if top_k > 0:
        p[order[top_k:]] = 0.0
        p = p / p.sum()
    if top_p < 1.0:
        cumulative = np.cumsum(p[order])
        p[order[cumulative > top_p]] = 0.0
    return p / p.sum()
''', "top-p keeps the crossing token", "the token that crosses p included"),
    Mistake("top-k-top-p", "top-p-before-top-k", '''
import numpy as np

def filter_probs(probs, top_k=0, top_p=1.0):
    p = np.asarray(probs, dtype=np.float64).copy()
    order = np.argsort(-p)
    if top_p < 1.0:
        keep = int(np.searchsorted(np.cumsum(p[order]), top_p)) + 1
        p[order[keep:]] = 0.0
        p = p / p.sum()
    if top_k > 0:
        p[order[top_k:]] = 0.0
    return p / p.sum()
''', "top-k, then top-p", "top-p before top-k"),
    Mistake("attention", "no-scaling", '''
import numpy as np

def attention(q, k, v, causal):
    scores = q @ k.transpose(0, 2, 1)
    if causal:
        n = scores.shape[-1]
        scores = np.where(np.triu(np.ones((n, n), dtype=bool), 1), -np.inf, scores)
    w = np.exp(scores - scores.max(-1, keepdims=True))
    w = w / w.sum(-1, keepdims=True)
    return w @ v, w
''', "scaled by 1/√d", "did you scale by 1/√d?"),
    Mistake("attention", "mask-after-softmax", '''
import numpy as np

def attention(q, k, v, causal):
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    w = np.exp(scores - scores.max(-1, keepdims=True))
    w = w / w.sum(-1, keepdims=True)
    if causal:
        n = scores.shape[-1]
        w = np.where(np.triu(np.ones((n, n), dtype=bool), 1), 0.0, w)
    return w @ v, w
''', "causal mask before the softmax", "mask is applied after the softmax"),
    Mistake("attention", "no-mask", '''
import numpy as np

def attention(q, k, v, causal):
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
    w = np.exp(scores - scores.max(-1, keepdims=True))
    w = w / w.sum(-1, keepdims=True)
    return w @ v, w
''', "causal mask before the softmax", "not zero above the diagonal"),
    Mistake("bpe", "merges-in-order-of-appearance", '''
def bpe_merge(symbols, ranks):
    parts = list(symbols)
    merged = True
    while merged:
        merged = False
        for i in range(len(parts) - 1):
            if (parts[i], parts[i + 1]) in ranks:
                parts[i:i + 2] = [parts[i] + parts[i + 1]]
                merged = True
                break
    return parts
''', "English words", "order of appearance instead of rank"),
    Mistake("kv-cache", "no-cache", '''
import numpy as np

def generate(step, prompt_ids, n):
    ids = list(prompt_ids)
    for _ in range(n):
        logits, _ = step(ids, None)
        ids.append(int(np.argmax(logits[-1])))
    return ids[len(prompt_ids):]
''', "uses the KV cache", "without the cache"),
    Mistake("rope", "interleaved", '''
import numpy as np

def rotate(x, positions, base=10000.0):
    d = x.shape[-1]
    angles = np.asarray(positions, dtype=np.float64)[:, None] * (
        1.0 / base ** (np.arange(0, d, 2) / d))[None]
    out = np.empty_like(x, dtype=np.float64)
    out[:, 0::2] = x[:, 0::2] * np.cos(angles) - x[:, 1::2] * np.sin(angles)
    out[:, 1::2] = x[:, 0::2] * np.sin(angles) + x[:, 1::2] * np.cos(angles)
    return out
''', "matches the model (rotate-half)", "interleaved instead of rotate-half"),
    Mistake("mean-pool", "padding-in-the-mean", '''
import numpy as np

def sentence_embedding(token_vectors, mask):
    mean = token_vectors.mean(axis=1)
    return mean / np.linalg.norm(mean, axis=-1, keepdims=True)
''', "padded batch", "padding included in the mean"),
]
