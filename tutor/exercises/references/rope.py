"""Reference solution for `rope`."""

import numpy as np


def rotate(x: np.ndarray, positions: np.ndarray, base: float = 10000.0) -> np.ndarray:
    d = x.shape[-1]
    inv_freq = 1.0 / base ** (np.arange(0, d, 2, dtype=np.float64) / d)
    angles = np.asarray(positions, dtype=np.float64)[:, None] * inv_freq[None, :]
    angles = np.concatenate([angles, angles], axis=-1)
    half = d // 2
    rotated_half = np.concatenate([-x[:, half:], x[:, :half]], axis=-1)
    return x * np.cos(angles) + rotated_half * np.sin(angles)
