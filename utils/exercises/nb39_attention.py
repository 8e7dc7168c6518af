"""Exercises of notebook 39 (attention from scratch): scaled dot-product attention, a masked softmax, sinusoidal positions."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer

# ---------------------------------------------------------------------------------------------
# Exercise 1: scaled dot-product attention (the context vectors)
# ---------------------------------------------------------------------------------------------


def _softmax(scores: Any, axis: int = -1) -> np.ndarray:
    """Row-wise softmax with the maximum subtracted (the references' softmax)."""
    scores = np.asarray(scores, dtype=np.float64)
    e = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _attention(q: Any, k: Any, v: Any, *, scale: str = "sqrt_d", axis: int = -1,
               transposed: bool = False) -> np.ndarray:
    """softmax(q kᵀ / √d) v, and models of its mistakes (other scales, axes, q and k swapped)."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    scores = k @ q.T if transposed else q @ k.T  # transposed: (Tk, Tq), each key over the queries
    divisor = {"sqrt_d": np.sqrt(q.shape[-1]), "none": 1.0, "d": float(q.shape[-1]),
               "sqrt_dv": np.sqrt(v.shape[-1]), "sqrt_keys": np.sqrt(k.shape[0]),
               "times": 1.0 / np.sqrt(q.shape[-1])}[scale]
    weights = _softmax(scores / divisor, axis=axis)
    return weights @ v


@guarded
def evaluate_scaled_dot_product_attention(
        scaled_dot_product_attention: Callable[[Any, Any, Any], Any]) -> Result:
    """Evaluate ``scaled_dot_product_attention(q, k, v)`` → softmax(q kᵀ / √d) v, the (Tq, dv) context vectors."""
    rng = np.random.default_rng(39)
    cases = [
        Case((np.array([[1.0, 0.5, -0.3], [0.2, -1.1, 0.8], [-0.7, 0.4, 1.2], [0.9, 0.9, -0.5]]),
              np.array([[0.6, -0.2, 1.0], [-1.3, 0.7, 0.1], [0.4, 1.5, -0.6], [0.8, -0.9, 0.3]]),
              np.array([[1.0, -2.0], [0.5, 3.0], [-1.5, 0.5], [2.0, 1.0]]))),
        Case((rng.normal(size=(2, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 3)))),
        Case((rng.normal(size=(6, 8)), rng.normal(size=(6, 8)), rng.normal(size=(6, 5)))),
        # large scores: an exp without the row maximum subtracted overflows here
        Case((60 * rng.normal(size=(3, 4)), 60 * rng.normal(size=(4, 4)), rng.normal(size=(4, 2)))),
    ]
    mistakes = [
        Mistake("divide the scores by √d (d = q.shape[-1], the depth of queries and keys) before the "
                "softmax; you left them unscaled.", lambda q, k, v: _attention(q, k, v, scale="none")),
        Mistake("divide by the SQUARE ROOT of d, not by d itself: q·k has variance d, so √d brings it "
                "back to 1.", lambda q, k, v: _attention(q, k, v, scale="d")),
        Mistake("d is the depth of the queries and keys (q.shape[-1]), not of the values "
                "(v.shape[-1]).", lambda q, k, v: _attention(q, k, v, scale="sqrt_dv")),
        Mistake("d is the depth of each query and key vector (q.shape[-1]), not the number of keys "
                "(len(k)).", lambda q, k, v: _attention(q, k, v, scale="sqrt_keys")),
        Mistake("divide the scores by √d; you multiplied them by √d.",
                lambda q, k, v: _attention(q, k, v, scale="times")),
        Mistake("take the softmax along the LAST axis (over the keys, axis=-1): each query's weights "
                "must sum to 1; you normalised over the queries.",
                lambda q, k, v: _attention(q, k, v, axis=0)),
        Mistake("the scores are q @ k.T (one row per query, one column per key); you computed k @ q.T, "
                "the weights of each key over the queries.",
                lambda q, k, v: _attention(q, k, v, transposed=True)),
    ]
    return evaluate_function(
        scaled_dot_product_attention, _attention, cases, name="scaled_dot_product_attention",
        mistakes=mistakes, axes=("query", "value feature"), check_dtype=False,
        success="Each row is a weighted average of the value vectors, the weights set by q·k / √d.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: a softmax that never gives weight to a masked position
# ---------------------------------------------------------------------------------------------


def _masked_softmax(scores: Any, mask: Any) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    keep = np.broadcast_to(np.asarray(mask, dtype=bool), scores.shape)
    blocked = np.where(keep, scores, -np.inf)
    e = np.where(keep, np.exp(blocked - blocked.max(axis=-1, keepdims=True)), 0.0)
    return e / e.sum(axis=-1, keepdims=True)


def _masked_softmax_inverted(scores: Any, mask: Any) -> np.ndarray:
    return _masked_softmax(scores, ~np.asarray(mask, dtype=bool))


def _masked_to_zero(scores: Any, mask: Any) -> np.ndarray:
    return _softmax(np.where(np.asarray(mask, dtype=bool), scores, 0.0))


def _zeroed_after(scores: Any, mask: Any) -> np.ndarray:
    return _softmax(scores) * np.asarray(mask, dtype=np.float64)


def _added_mask(scores: Any, mask: Any) -> np.ndarray:
    return _softmax(np.asarray(scores, dtype=np.float64) + np.asarray(mask, dtype=np.float64))


def _masked_other_axis(scores: Any, mask: Any) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    keep = np.broadcast_to(np.asarray(mask, dtype=bool), scores.shape)
    e = np.where(keep, np.exp(scores - scores.max(axis=-2, keepdims=True)), 0.0)
    total = e.sum(axis=-2, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def _mixed_mask(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """A random boolean mask whose every row has at least one True and one False."""
    mask = rng.random(shape) > 0.5
    rows = np.arange(shape[0])
    mask[rows, rng.integers(shape[1], size=shape[0])] = True
    off = (rng.integers(1, shape[1], size=shape[0]) + mask.argmax(axis=1)) % shape[1]
    mask[rows, off] = False
    return mask


@guarded
def evaluate_masked_softmax(masked_softmax: Callable[[Any, Any], Any]) -> Result:
    """Evaluate ``masked_softmax(scores, mask)`` → a softmax over the last axis with weight 0 where ``mask`` is False."""
    rng = np.random.default_rng(3939)
    causal = np.tril(np.ones((5, 5), dtype=bool))
    padding = np.array([[True, True, True, False, False], [True, True, True, True, True]])[:, None, :]
    cases = [
        Case((np.array([[0.5, 2.0, -1.0, 0.3, 1.2], [1.5, -0.4, 0.8, 2.2, -0.9],
                        [-0.6, 0.9, 1.1, -1.4, 0.2], [2.1, 0.3, -0.2, 0.7, 1.6]]),
              np.array([[True, False, True, True, False], [False, True, True, False, True],
                        [True, True, False, False, True], [False, False, True, True, True]]))),
        Case((rng.normal(size=(5, 5)) * 2, causal)),
        Case((rng.normal(size=(2, 4, 5)) * 2, padding)),
        Case((rng.normal(size=(6, 7)) * 3, _mixed_mask(rng, (6, 7)))),
    ]
    mistakes = [
        Mistake("True in the mask means MAY attend: keep the scores where the mask is True and block "
                "them where it is False; you did the opposite.", _masked_softmax_inverted),
        Mistake("a masked score must become -inf (or a huge negative number such as -1e9) before the "
                "softmax; set to 0 it still gets weight e^0 / Σ. Use np.where(mask, scores, -np.inf).",
                _masked_to_zero),
        Mistake("zeroing the masked weights after the softmax leaves rows that no longer sum to 1: "
                "mask the scores before the softmax (or divide by the new row sums).", _zeroed_after),
        Mistake("the mask is boolean (True = may attend), not an additive mask: adding it to the scores "
                "adds 1 to the allowed positions and blocks nothing. Turn False into -inf.", _added_mask),
        Mistake("take the softmax along the last axis (over the keys, axis=-1): each row's weights must "
                "sum to 1; you normalised each column.", _masked_other_axis),
    ]
    return evaluate_function(
        masked_softmax, _masked_softmax, cases, name="masked_softmax", mistakes=mistakes,
        axes=None, check_dtype=False,
        success="Masked positions get exactly zero weight, and every row still sums to 1.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: sinusoidal position encodings
# ---------------------------------------------------------------------------------------------


def _positions(length: int, depth: int, *, start: int = 0, swap: bool = False, halves: bool = False,
               exponent: str = "pair", multiply: bool = False) -> np.ndarray:
    """Vaswani et al.'s table, and models of its mistakes."""
    p = np.arange(start, start + length, dtype=np.float64)[:, None]
    pairs = np.arange(depth // 2, dtype=np.float64)
    if exponent == "pair":
        rates = np.power(10000.0, 2 * pairs / depth)
        even_rates = odd_rates = rates
    elif exponent == "no_two":
        even_rates = odd_rates = np.power(10000.0, pairs / depth)
    else:  # each column j uses j / depth: the odd column of a pair gets its own frequency
        even_rates = np.power(10000.0, 2 * pairs / depth)
        odd_rates = np.power(10000.0, (2 * pairs + 1) / depth)
    even = p * even_rates if multiply else p / even_rates
    odd = p * odd_rates if multiply else p / odd_rates
    first, second = (np.cos(even), np.sin(odd)) if swap else (np.sin(even), np.cos(odd))
    if halves:
        return np.concatenate([first, second], axis=1)
    table = np.zeros((length, depth))
    table[:, 0::2], table[:, 1::2] = first, second
    return table


@guarded
def evaluate_sinusoidal_positions(sinusoidal_positions: Callable[[int, int], Any]) -> Result:
    """Evaluate ``sinusoidal_positions(length, depth)`` → (length, depth), sin on even and cos on odd columns."""
    cases = [Case((6, 8)), Case((10, 4)), Case((4, 16)), Case((50, 6))]
    mistakes = [
        Mistake("sin goes in the EVEN columns (0, 2, 4, …) and cos in the odd ones; you swapped them.",
                lambda n, d: _positions(n, d, swap=True)),
        Mistake("interleave the columns: column 2i is sin and column 2i + 1 is cos of the SAME angle; "
                "you put all the sines first and all the cosines after.",
                lambda n, d: _positions(n, d, halves=True)),
        Mistake("the exponent is 2i / depth, with i the index of the (sin, cos) pair: you used "
                "i / depth, so the frequencies fall too slowly.",
                lambda n, d: _positions(n, d, exponent="no_two")),
        Mistake("both columns of a pair share one frequency, 1 / 10000^(2i/depth); you gave the cos "
                "column j = 2i + 1 the exponent j / depth.",
                lambda n, d: _positions(n, d, exponent="column")),
        Mistake("positions count from 0: the first row is sin(0) = 0, cos(0) = 1; you started at 1.",
                lambda n, d: _positions(n, d, start=1)),
        Mistake("the angle is position / 10000^(2i/depth), a division; you multiplied.",
                lambda n, d: _positions(n, d, multiply=True)),
    ]
    return evaluate_function(
        sinusoidal_positions, _positions, cases, name="sinusoidal_positions", mistakes=mistakes,
        axes=("position", "dimension"), check_dtype=False,
        success="Each pair of columns is a clock turning at its own speed, from one turn every 2π "
                "positions to one every 2π·10000.",
    )


check_scaled_dot_product_attention = printer(evaluate_scaled_dot_product_attention)
check_masked_softmax = printer(evaluate_masked_softmax)
check_sinusoidal_positions = printer(evaluate_sinusoidal_positions)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"scaled_dot_product_attention": 2, "masked_softmax": 2, "sinusoidal_positions": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "scaled_dot_product_attention": ("core.scaled_dot_product_attention", "core.multi_head_attention",
                                     "MultiHeadAttention", "dot_product_attention",
                                     "keras.layers.Attention", "tf.nn.softmax", "keras.ops.softmax"),
    "masked_softmax": ("core.softmax", "keras.layers.Softmax", "tf.nn.softmax", "keras.ops.softmax",
                       "scipy.special.softmax"),
    "sinusoidal_positions": ("core.sinusoidal_positions", "SinusoidalPositionEncoding",
                             "positional_encoding"),
}
