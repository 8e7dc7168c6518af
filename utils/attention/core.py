"""Attention from scratch in NumPy: softmax with a mask, scaled dot-product and multi-head attention.

Everything here works on plain arrays (float64 friendly) and is checked against Keras in the
tests: ``multi_head_attention`` with ``layer.get_weights()`` of a
``keras.layers.MultiHeadAttention`` gives that layer's output and attention scores. Masks are
boolean, **True = may attend**, as in Keras's ``attention_mask``. Introduced in notebook 39.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = [
    "softmax",
    "scaled_dot_product_attention",
    "causal_mask",
    "padding_mask",
    "sinusoidal_positions",
    "layer_norm",
    "multi_head_attention",
    "whole_number",
]


def _floats(x: Any, name: str, min_ndim: int = 0) -> np.ndarray:
    """``x`` as a finite float array with at least ``min_ndim`` axes, or a ValueError."""
    array = np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {array.dtype}")
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    if array.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} axes, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds NaN or infinite values (use a mask to exclude positions)")
    return array


def whole_number(value: Any, name: str, low: int) -> int:
    """``value`` as an int ≥ ``low``, or a ValueError naming the argument; shared by the attention modules. Introduced in notebook 39."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")
    return int(value)


def _mask(mask: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """``mask`` as a boolean array broadcast to ``shape``, or a ValueError saying why not."""
    array = np.asarray(mask)
    if array.dtype != bool:
        if array.dtype.kind in "iu" and np.all((array == 0) | (array == 1)):
            array = array.astype(bool)
        else:
            raise ValueError(f"mask must be boolean (True = may attend), got dtype {array.dtype}")
    try:
        full = np.broadcast_shapes(array.shape, shape)
    except ValueError:
        full = None
    if full != tuple(shape):
        raise ValueError(
            f"mask of shape {array.shape} does not broadcast to the {what} shape {tuple(shape)}"
        )
    return np.broadcast_to(array, shape)


def softmax(scores: Any, axis: int = -1, mask: Any = None) -> np.ndarray:
    """Numerically stable softmax along ``axis``; mask False gets weight 0, a fully masked row all zeros.

    Introduced in notebook 39. ``mask`` must broadcast to ``scores``'s shape. A row whose every
    position is masked has nothing to attend to: it returns zeros (Keras's softmax would return
    uniform weights there, since it only adds a large negative number).
    """
    s = _floats(scores, "scores", min_ndim=1)
    if not -s.ndim <= axis < s.ndim:
        raise ValueError(f"axis {axis} is out of range for scores of shape {s.shape}")
    if mask is None:
        shifted = s - s.max(axis=axis, keepdims=True)
        e = np.exp(shifted)
        return e / e.sum(axis=axis, keepdims=True)
    keep = _mask(mask, s.shape, "scores")
    lowest = np.where(keep, s, -np.inf).max(axis=axis, keepdims=True)
    lowest = np.where(np.isfinite(lowest), lowest, 0.0)
    e = np.where(keep, np.exp(np.where(keep, s, lowest) - lowest), 0.0)
    total = e.sum(axis=axis, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def scaled_dot_product_attention(
    q: Any, k: Any, v: Any, mask: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """softmax(q kᵀ / √d) v: returns (context (..., Tq, dv), weights (..., Tq, Tk)). Introduced in notebook 39.

    q is (..., Tq, d), k (..., Tk, d), v (..., Tk, dv); ``mask`` (True = may attend) broadcasts to
    (..., Tq, Tk). Leading axes (batch, heads) broadcast against each other.
    """
    q = _floats(q, "q", min_ndim=2)
    k = _floats(k, "k", min_ndim=2)
    v = _floats(v, "v", min_ndim=2)
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"q and k must share their last axis (the depth d), got {q.shape} and {k.shape}"
        )
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"k and v must have as many positions (axis -2), got {k.shape} and {v.shape}"
        )
    try:
        np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(
            f"leading axes of q {q.shape}, k {k.shape} and v {v.shape} do not broadcast"
        ) from None
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    weights = softmax(scores, axis=-1, mask=mask)
    return weights @ v, weights


def causal_mask(length: int) -> np.ndarray:
    """Boolean (length, length), True on and below the diagonal: step t sees steps ≤ t. Introduced in notebook 39."""
    n = whole_number(length, "length", 1)
    return np.tril(np.ones((n, n), dtype=bool))


def padding_mask(ids: Any, pad_id: int = 0) -> np.ndarray:
    """Boolean (batch, 1, T), True where the key is a real token (not ``pad_id``). Introduced in notebook 39."""
    array = np.asarray(ids)
    if array.ndim != 2:
        raise ValueError(f"ids must be 2-D (batch, time steps), got shape {array.shape}")
    if array.dtype.kind not in "iu":
        raise ValueError(f"ids must hold integer token ids, got dtype {array.dtype}")
    return (array != pad_id)[:, None, :]


def sinusoidal_positions(length: int, depth: int) -> np.ndarray:
    """(length, depth): sin(p / 10000^(2i/depth)) on even, cos on odd dimensions (Vaswani 2017). Introduced in notebook 39."""
    n = whole_number(length, "length", 1)
    d = whole_number(depth, "depth", 1)
    positions = np.arange(n, dtype=np.float64)[:, None]
    two_i = np.arange(0, d, 2, dtype=np.float64)
    angles = positions / np.power(10000.0, two_i / d)
    table = np.zeros((n, d))
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles[:, : d // 2])
    return table


def layer_norm(x: Any, gamma: Any, beta: Any, epsilon: float = 1e-3) -> np.ndarray:
    """(x − mean) / √(var + ε) · γ + β over the last axis, like keras.layers.LayerNormalization. Introduced in notebook 39."""
    x = _floats(x, "x", min_ndim=1)
    gamma = _floats(gamma, "gamma", min_ndim=0)
    beta = _floats(beta, "beta", min_ndim=0)
    for name, p in (("gamma", gamma), ("beta", beta)):
        if p.ndim > 1 or (p.ndim == 1 and p.shape[0] != x.shape[-1]):
            raise ValueError(
                f"{name} must have shape ({x.shape[-1]},) to match x's last axis, got {p.shape}"
            )
    if not (np.isfinite(epsilon) and epsilon > 0):
        raise ValueError(f"epsilon must be a positive number, got {epsilon!r}")
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + epsilon) * gamma + beta


def multi_head_attention(
    query: Any,
    value: Any,
    weights: Sequence[Any],
    num_heads: int,
    key: Any = None,
    mask: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """keras.layers.MultiHeadAttention in NumPy from ``layer.get_weights()``: (output, scores (B, H, Tq, Tk)).

    Introduced in notebook 39. ``weights`` is Keras's order: query kernel (d_model, H, key_dim)
    and bias (H, key_dim), key kernel/bias, value kernel (d_model, H, value_dim)/bias, output
    kernel (H, value_dim, d_out) and bias (d_out,); the four biases are left out when the layer
    has ``use_bias=False``. ``mask`` (True = may attend) broadcasts to (batch, Tq, Tk) like
    Keras's ``attention_mask``; a 4-D mask (batch, heads, Tq, Tk) is used as is.
    """
    heads = whole_number(num_heads, "num_heads", 1)
    query = _floats(query, "query", min_ndim=3)
    value = _floats(value, "value", min_ndim=3)
    key = value if key is None else _floats(key, "key", min_ndim=3)
    if query.ndim != 3 or value.ndim != 3 or key.ndim != 3:
        raise ValueError(
            "query, key and value must be 3-D (batch, time steps, features), got "
            f"{query.shape}, {key.shape} and {value.shape}"
        )
    if key.shape[:2] != value.shape[:2]:
        raise ValueError(f"key {key.shape} and value {value.shape} must share batch and length")
    if query.shape[0] != value.shape[0]:
        raise ValueError(f"query {query.shape} and value {value.shape} must share the batch axis")
    arrays = [np.asarray(w, dtype=np.float64) for w in weights]
    if len(arrays) == 8:
        wq, bq, wk, bk, wv, bv, wo, bo = arrays
    elif len(arrays) == 4:
        wq, wk, wv, wo = arrays
        bq = bk = bv = bo = None
    else:
        raise ValueError(
            f"weights must be the 8 arrays of layer.get_weights() (4 without biases), got {len(arrays)}"
        )
    for name, w, source in (("query", wq, query), ("key", wk, key), ("value", wv, value)):
        if w.ndim != 3 or w.shape[0] != source.shape[-1] or w.shape[1] != heads:
            raise ValueError(
                f"{name} kernel must be ({source.shape[-1]}, {heads}, dim) for {name} features "
                f"{source.shape[-1]} and {heads} heads, got {w.shape}"
            )
    if wq.shape[2] != wk.shape[2]:
        raise ValueError(f"query kernel {wq.shape} and key kernel {wk.shape} need the same key_dim")
    if wo.ndim != 3 or wo.shape[:2] != (heads, wv.shape[2]):
        raise ValueError(f"output kernel must be ({heads}, {wv.shape[2]}, d_out), got {wo.shape}")
    for name, b, want in (
        ("query", bq, wq.shape[1:]),
        ("key", bk, wk.shape[1:]),
        ("value", bv, wv.shape[1:]),
        ("output", bo, wo.shape[2:]),
    ):
        if b is not None and b.shape != want:
            raise ValueError(f"{name} bias must have shape {want}, got {b.shape}")

    q = np.einsum("btd,dhk->bhtk", query, wq)  # (B, H, Tq, key_dim)
    k = np.einsum("btd,dhk->bhtk", key, wk)  # (B, H, Tk, key_dim)
    v = np.einsum("btd,dhk->bhtk", value, wv)  # (B, H, Tk, value_dim)
    if bq is not None:
        q = q + bq[None, :, None, :]
        k = k + bk[None, :, None, :]
        v = v + bv[None, :, None, :]
    full = (query.shape[0], heads, query.shape[1], key.shape[1])
    if mask is not None:
        m = np.asarray(mask)
        if m.ndim > 4:
            raise ValueError(f"mask must have at most 4 axes, got shape {m.shape}")
        if m.ndim == 3:
            m = np.expand_dims(m, axis=-3)  # one (batch, Tq, Tk) mask shared by every head
        mask = _mask(m, full, "attention (batch, heads, Tq, Tk)")
    context, scores = scaled_dot_product_attention(q, k, v, mask=mask)
    output = np.einsum("bhtv,hvo->bto", context, wo)
    if bo is not None:
        output = output + bo
    return output, scores
