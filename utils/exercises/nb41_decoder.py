"""Exercises of notebook 41 (the transformer decoder): the decoder's mask, top-k sampling, shift-right."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.attention import core, decoder
from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer

# ---------------------------------------------------------------------------------------------
# Exercise 1: the decoder's self-attention mask, causal AND key padding
# ---------------------------------------------------------------------------------------------


def _ids(ids: Any) -> np.ndarray:
    return np.asarray(ids)


def _tril(ids: Any, k: int = 0) -> np.ndarray:
    length = _ids(ids).shape[1]
    return np.tril(np.ones((length, length), dtype=bool), k)[None]


def _real(ids: Any, pad_id: int) -> np.ndarray:
    return _ids(ids) != pad_id  # (batch, T)


def _decoder_mask(ids: Any, pad_id: int) -> np.ndarray:
    ids = _ids(ids)
    return core.causal_mask(ids.shape[1])[None] & core.padding_mask(ids, pad_id)


def _full(mask: np.ndarray, ids: Any) -> np.ndarray:
    ids = _ids(ids)
    return np.broadcast_to(mask, (len(ids), ids.shape[1], ids.shape[1]))


@guarded
def evaluate_decoder_mask(decoder_mask: Callable[[Any, int], Any]) -> Result:
    """Evaluate ``decoder_mask(ids, pad_id)`` → booleans (batch, T, T): key j ≤ query i and not padding."""
    cases = [  # right-padded; id 0 is a real token here (the padding is pad_id 3)
        Case((np.array([[5, 0, 7, 1, 3, 3], [4, 2, 6, 3, 3, 3]]), 3)),
        Case((np.array([[1, 2, 3, 4, 0], [7, 8, 0, 0, 0]]), 0)),
        Case((np.array([[9, 4, 2, 8, 6, 5, 1]]), 0)),
        Case((np.array([[2, 0, 5, 1, 1], [6, 1, 1, 1, 1], [3, 4, 0, 2, 1]]), 1)),
    ]
    mistakes = [
        Mistake("np.triu keeps the FUTURE (keys after the query); a decoder may look only at the past "
                "and itself: np.tril, ones on and below the diagonal.",
                lambda ids, pad: np.swapaxes(_tril(ids), 1, 2) & _real(ids, pad)[:, None, :]),
        Mistake("a position may attend to ITSELF: keep the diagonal (np.tril with k=0, not k=-1).",
                lambda ids, pad: _tril(ids, -1) & _real(ids, pad)[:, None, :]),
        Mistake("padding hides KEYS, the columns: index the padding as [:, None, :] (batch, 1, T), "
                "not [:, :, None], which hides query rows; a padded query still looks at the real "
                "tokens before it (its output is simply ignored by the loss).",
                lambda ids, pad: _tril(ids) & _real(ids, pad)[:, :, None]),
        Mistake("both conditions must hold: combine them with & (AND), not | (OR).",
                lambda ids, pad: _tril(ids) | _real(ids, pad)[:, None, :]),
        Mistake("the padding is missing: also hide the keys whose id is pad_id.",
                lambda ids, pad: _full(_tril(ids), ids)),
        Mistake("the causal part is missing: a query must not see keys after it (np.tril).",
                lambda ids, pad: _full(_real(ids, pad)[:, None, :], ids)),
        Mistake("compare the ids with pad_id, the argument, not with 0: here id 0 is a real token.",
                lambda ids, pad: _tril(ids) & (_ids(ids) != 0)[:, None, :]),
        Mistake("return True/False (True = may attend), the form Keras's attention_mask takes; the "
                "additive form (0 or -inf, added to the scores) comes later, inside the softmax.",
                lambda ids, pad: np.where(_decoder_mask(ids, pad), 0.0, -np.inf)),
    ]
    return evaluate_function(
        decoder_mask, _decoder_mask, cases, name="decoder_mask", mistakes=mistakes,
        check_dtype=False, axes=("example", "query", "key"),
        success="Each row is one query's view: the real tokens up to and including itself.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: top-k sampling probabilities with a temperature
# ---------------------------------------------------------------------------------------------


def _z(logits: Any) -> np.ndarray:
    return np.asarray(logits, dtype=np.float64)


def _softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _top_k(logits: Any, k: int, temperature: float) -> np.ndarray:
    return decoder.next_token_probabilities(_z(logits), temperature, int(k))


def _kept_softmax(z: np.ndarray, kept: np.ndarray, temperature: float) -> np.ndarray:
    scaled = np.where(kept, z / temperature, -np.inf)
    return _softmax(scaled)


def _rank_mask(logits: Any, k: int, smallest: bool = False) -> np.ndarray:
    z = _z(logits)
    order = np.argsort(z if smallest else -z, axis=-1)[..., :k]
    kept = np.zeros(z.shape, dtype=bool)
    np.put_along_axis(kept, order, True, axis=-1)
    return kept


def _flat_top_k(logits: Any, k: int, temperature: float) -> np.ndarray:
    z = _z(logits)
    kept = (z >= np.sort(z, axis=None)[-k]) if z.size >= k else np.ones(z.shape, bool)
    return np.where(kept, np.exp((z - z.max()) / temperature), 0.0) / np.where(
        kept, np.exp((z - z.max()) / temperature), 0.0).sum(axis=-1, keepdims=True)


@guarded
def evaluate_top_k_probabilities(top_k_probabilities: Callable[[Any, int, float], Any]) -> Result:
    """Evaluate ``top_k_probabilities(logits, k, temperature)`` → softmax(z / T) over each row's k largest, 0 elsewhere."""
    rng = np.random.default_rng(41)
    cases = [
        Case((np.array([[2.0, -1.0, 0.5, 3.1, 1.2, -0.4], [0.3, 2.2, -1.5, 0.9, 1.7, 0.0]]), 3, 0.7)),
        Case((np.array([1.5, 0.2, -0.8, 2.4, 0.9]), 2, 1.0)),
        Case((rng.normal(size=(3, 8)) * 2, 4, 1.6)),
        Case((np.array([[400.0, 396.0, 399.5, 390.0, 398.0]]), 3, 0.25)),  # exp(1600) overflows
    ]
    mistakes = [
        Mistake("keep the k LARGEST logits (np.argsort(-z) or the last k of np.argsort(z)), not the smallest.",
                lambda z, k, t: _kept_softmax(_z(z), _rank_mask(z, k, smallest=True), t)),
        Mistake("keep exactly k tokens: an off-by-one keeps k + 1 (check your slice, e.g. [-k:]).",
                lambda z, k, t: _kept_softmax(_z(z), _rank_mask(z, k + 1), t)),
        Mistake("keep exactly k tokens: an off-by-one keeps k - 1 (check your slice, e.g. [-k:]).",
                lambda z, k, t: _kept_softmax(_z(z), _rank_mask(z, max(k - 1, 1)), t)),
        Mistake("after zeroing the tokens outside the top k, renormalise: the k kept probabilities must "
                "sum to 1 (or set the other logits to -inf BEFORE the softmax).",
                lambda z, k, t: np.where(_rank_mask(z, k), _softmax(_z(z) / t), 0.0)),
        Mistake("the temperature is missing: divide the kept logits by T before the softmax.",
                lambda z, k, t: _kept_softmax(_z(z), _rank_mask(z, k), 1.0)),
        Mistake("DIVIDE the logits by T (softmax(z / T)); multiplying sharpens where it should flatten.",
                lambda z, k, t: _kept_softmax(_z(z) * t * t, _rank_mask(z, k), t)),
        Mistake("choose the top k in EACH ROW (along the last axis), not among all the logits at once.",
                _flat_top_k),
        Mistake("the tokens outside the top k get probability 0, the kept ones softmax(z / T): setting "
                "the others to 0 in the LOGITS still leaves them exp(0) > 0 in the softmax.",
                lambda z, k, t: _softmax(np.where(_rank_mask(z, k), _z(z), 0.0) / t)),
    ]
    return evaluate_function(
        top_k_probabilities, _top_k, cases, name="top_k_probabilities", mistakes=mistakes,
        check_dtype=False, axes=("example", "token"),
        success="Only the k likeliest tokens can be drawn; the temperature shapes the odds among them.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: shift right, the decoder's input under teacher forcing
# ---------------------------------------------------------------------------------------------


def _t(targets: Any) -> np.ndarray:
    return np.asarray(targets)


def _start(targets: Any, start_id: int) -> np.ndarray:
    return np.full((len(_t(targets)), 1), start_id, dtype=_t(targets).dtype)


@guarded
def evaluate_shift_right(shift_right: Callable[[Any, int], Any]) -> Result:
    """Evaluate ``shift_right(targets, start_id)`` → start_id, then each row without its last token."""
    rng = np.random.default_rng(4141)
    cases = [
        Case((np.array([[3, 8, 5, 2, 9], [6, 1, 4, 7, 2]]), 11)),
        Case((np.array([[2, 10, 1, 1, 11, 1, 2]]), 0)),
        Case((rng.integers(1, 12, size=(4, 6)), 12)),
    ]
    mistakes = [
        Mistake("np.roll wraps the LAST token round to the front; the first input must be start_id.",
                lambda y, s: np.roll(_t(y), 1, axis=1)),
        Mistake("drop the last target: the input has as many steps as the targets (start_id plus the "
                "first T - 1 targets).", lambda y, s: np.concatenate([_start(y, s), _t(y)], axis=1)),
        Mistake("shift to the RIGHT: start_id comes first, and step t sees the target of step t - 1; "
                "you shifted left (the decoder would be shown the answer of the next step).",
                lambda y, s: np.concatenate([_t(y)[:, 1:], _start(y, s)], axis=1)),
        Mistake("drop the LAST target, not the first: [start_id, y_1, ..., y_(T-1)].",
                lambda y, s: np.concatenate([_start(y, s), _t(y)[:, 1:]], axis=1)),
        Mistake("shift along the time axis (axis=1), not along the batch axis (axis 0).",
                lambda y, s: np.concatenate([np.full((1, _t(y).shape[1]), s), _t(y)[:-1]], axis=0)),
        Mistake("use the start_id you are given, not 0.",
                lambda y, s: np.concatenate([np.zeros_like(_start(y, s)), _t(y)[:, :-1]], axis=1)),
        Mistake("the decoder input must not be the targets themselves: at step t the model would read "
                "the very token it must predict. Shift them right by one.", lambda y, s: _t(y)),
    ]
    return evaluate_function(
        shift_right, lambda y, s: decoder.shift_right(_t(y), s), cases, name="shift_right",
        mistakes=mistakes, integer=True, axes=("example", "step"),
        success="At every step the decoder reads the true previous token and predicts the next one.",
    )


check_decoder_mask = printer(evaluate_decoder_mask)
check_top_k_probabilities = printer(evaluate_top_k_probabilities)
check_shift_right = printer(evaluate_shift_right)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"decoder_mask": 2, "top_k_probabilities": 2, "shift_right": 1}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "decoder_mask": ("attention.decoder", "core.padding_mask", "keras.ops", "keras.layers"),
    "top_k_probabilities": (
        "decoder.next_token_probabilities", "decoder.top_k_logits", "tf.math.top_k", "tf.nn.top_k",
        "keras.ops", "tf.nn.softmax", "scipy.special", "language_model.softmax_with_temperature",
    ),
    "shift_right": ("decoder.shift_right", "keras.ops", "tf.roll"),
}
