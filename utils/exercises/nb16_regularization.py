"""Exercises of notebook 16 (regularization: L2, dropout, early stopping)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer


def _weights(weights: Any) -> list[np.ndarray]:
    if isinstance(weights, np.ndarray):
        return [weights]
    return [np.asarray(w, dtype=np.float64) for w in weights]


def _l2_penalty(weights: Any, strength: float) -> float:
    return float(strength) * float(sum(np.sum(w**2) for w in _weights(weights)))


@guarded
def evaluate_l2_penalty(l2_penalty: Callable[[Any, float], Any]) -> Result:
    """Evaluate ``l2_penalty(weights, strength)``: λ · Σ w² over every weight array in the list."""
    rng = np.random.default_rng(16)
    cases = [
        Case(([np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([[-1.5], [2.0]])], 0.1)),
        Case(([rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(2, 1))], 0.01)),
        Case(([rng.normal(size=(60, 30))], 1e-3)),
    ]
    mistakes = [
        Mistake("L2 squares each weight; summing |w| is the L1 penalty (keras.regularizers.L1).",
                lambda ws, lam: lam * sum(float(np.sum(np.abs(w))) for w in _weights(ws))),
        Mistake("Keras's L2(λ) SUMS the squares (λ·Σw²); you took a mean.",
                lambda ws, lam: lam * sum(float(np.mean(w**2)) for w in _weights(ws))),
        Mistake("Keras's L2(λ) is λ·Σw², with no factor ½ (some textbooks write λ/2·‖w‖²).",
                lambda ws, lam: 0.5 * _l2_penalty(ws, lam)),
        Mistake("the penalty uses the SQUARED norm Σw², not the norm √(Σw²).",
                lambda ws, lam: lam * sum(float(np.sqrt(np.sum(w**2))) for w in _weights(ws))),
        Mistake("add the penalty of EVERY weight array in the list, not just the first layer's.",
                lambda ws, lam: _l2_penalty(_weights(ws)[:1], lam)),
        Mistake("multiply by the strength λ: without it every network pays the same penalty.",
                lambda ws, lam: _l2_penalty(ws, 1.0)),
    ]
    return evaluate_function(
        l2_penalty, _l2_penalty, cases, name="l2_penalty", mistakes=mistakes, check_dtype=False,
        success="Its gradient 2λw pulls every weight towards zero: 'weight decay'.",
    )


def _inverted_dropout(a: Any, keep: Any, rate: float) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a * np.asarray(keep, dtype=bool) / (1.0 - rate)


@guarded
def evaluate_inverted_dropout(inverted_dropout: Callable[[Any, Any, float], Any]) -> Result:
    """Evaluate ``inverted_dropout(a, keep, rate)``: a · keep / (1 − rate) for a boolean keep mask."""
    rng = np.random.default_rng(61)
    big = rng.normal(size=(5, 8))
    cases = [
        Case((np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]]),
              np.array([[True, False, True], [True, True, False]]), 0.25)),
        Case((big, rng.random(big.shape) >= 0.6, 0.6)),
        Case((rng.normal(size=(3, 4)), rng.random((3, 4)) >= 0.1, 0.1)),
    ]
    mistakes = [
        Mistake("inverted dropout also SCALES the survivors by 1/(1 − rate), so that the expected "
                "activation stays the same and nothing changes at inference time.",
                lambda a, k, r: np.asarray(a) * np.asarray(k)),
        Mistake("divide by the KEEP probability 1 − rate, not by the rate.",
                lambda a, k, r: np.asarray(a) * np.asarray(k) / r),
        Mistake("multiplying by (1 − rate) is the old, non-inverted scheme, applied at TEST time; "
                "inverted dropout divides by (1 − rate) during training.",
                lambda a, k, r: np.asarray(a) * np.asarray(k) * (1 - r)),
        Mistake("keep the units where keep is True and zero the others; your mask is inverted.",
                lambda a, k, r: np.asarray(a) * ~np.asarray(k, dtype=bool) / (1 - r)),
        Mistake("you scaled by 1/(1 − rate) but forgot to multiply by the mask: nothing was dropped.",
                lambda a, k, r: np.asarray(a) / (1 - r)),
    ]
    return evaluate_function(
        inverted_dropout, _inverted_dropout, cases, name="inverted_dropout", mistakes=mistakes,
        check_dtype=False, success="E[output] = (1 − rate) · a / (1 − rate) = a: the scale is preserved.",
    )


def _early_stopping(val_losses: Any, patience: int) -> tuple[int, int]:
    losses = np.asarray(val_losses, dtype=np.float64).ravel()
    best = 0
    for epoch in range(1, losses.size):
        if losses[epoch] < losses[best]:
            best = epoch
        elif epoch - best >= patience:
            return epoch, best
    return losses.size - 1, best


def _stops_late(val_losses: Any, patience: int) -> tuple[int, int]:
    losses = np.asarray(val_losses, dtype=np.float64).ravel()
    best = 0
    for epoch in range(1, losses.size):
        if losses[epoch] < losses[best]:
            best = epoch
        elif epoch - best > patience:
            return epoch, best
    return losses.size - 1, best


def _ties_improve(val_losses: Any, patience: int) -> tuple[int, int]:
    losses = np.asarray(val_losses, dtype=np.float64).ravel()
    best = 0
    for epoch in range(1, losses.size):
        if losses[epoch] <= losses[best]:
            best = epoch
        elif epoch - best >= patience:
            return epoch, best
    return losses.size - 1, best


def _peeks(val_losses: Any, patience: int) -> tuple[int, int]:
    return _early_stopping(val_losses, patience)[0], int(np.argmin(val_losses))


def _one_based(val_losses: Any, patience: int) -> tuple[int, int]:
    stop, best = _early_stopping(val_losses, patience)
    return stop + 1, best + 1


@guarded
def evaluate_early_stopping(early_stopping: Callable[[Any, int], Any]) -> Result:
    """Evaluate ``early_stopping(val_losses, patience)``: (stop epoch, best epoch), 0-based."""
    rng = np.random.default_rng(3)
    noisy = np.exp(-np.linspace(0, 2, 40)) + np.linspace(0, 0.4, 40) ** 2 + rng.normal(0, 0.02, 40)
    cases = [
        Case((np.array([1.0, 0.8, 0.9, 0.8, 0.85, 0.95, 0.7, 0.6]), 3)),
        Case((noisy, 5)),
        Case((np.array([0.9, 0.7, 0.6, 0.65, 0.62, 0.55, 0.58, 0.6, 0.61, 0.64]), 2)),
        Case((np.array([1.0, 0.9, 0.8, 0.7]), 2)),  # never stops: trains to the last epoch
    ]
    mistakes = [
        Mistake("training stops as soon as `patience` epochs have passed without a new best "
                "(epoch − best ≥ patience); yours waits one epoch more.", _stops_late),
        Mistake("a tie is not an improvement: the loss must be strictly below the best so far "
                "(Keras: current < best − min_delta with min_delta = 0).", _ties_improve),
        Mistake("the best epoch must be the best SO FAR, when training stops: you looked at the "
                "whole list, including epochs that were never trained.", _peeks),
        Mistake("count epochs from 0, like Python indices and Keras's stopped_epoch.", _one_based),
    ]
    return evaluate_function(
        early_stopping, _early_stopping, cases, name="early_stopping", mistakes=mistakes,
        integer=True, success="With restore_best_weights=True, Keras hands back the weights of the best epoch.",
    )


check_l2_penalty = printer(evaluate_l2_penalty)
check_inverted_dropout = printer(evaluate_inverted_dropout)
check_early_stopping = printer(evaluate_early_stopping)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"l2_penalty": 1, "inverted_dropout": 2, "early_stopping": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "l2_penalty": ("keras.regularizers",),
    "inverted_dropout": ("keras.layers", "tf.nn.dropout", "keras.random.dropout"),
    "early_stopping": ("keras.callbacks",),
}
