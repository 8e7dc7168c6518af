"""Exercises of notebook 32 (the LSTM echo task)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer

FILL = -1


def _echo_targets(x: Any, k: int) -> np.ndarray:
    x = np.asarray(x)
    y = np.full(x.shape, FILL, dtype=np.int64)
    y[:, k:] = x[:, :-k]
    return y


def _shifted(x: Any, k: int, fill: int = FILL) -> np.ndarray:
    """Targets k steps back with another fill (or k ≤ 0 for other shifts)."""
    x = np.asarray(x)
    y = np.full(x.shape, fill, dtype=np.int64)
    if k > 0:
        y[:, k:] = x[:, :-k]
    elif k == 0:
        y[:] = x
    return y


def _forward_looking(x: Any, k: int) -> np.ndarray:
    x = np.asarray(x)
    y = np.full(x.shape, FILL, dtype=np.int64)
    y[:, :-k] = x[:, k:]
    return y


@guarded
def evaluate_echo_targets(echo_targets: Callable[[Any, int], Any]) -> Result:
    """Evaluate ``echo_targets(x, k)``: y[:, t] = x[:, t − k] for t ≥ k, −1 on the first k steps."""
    rng = np.random.default_rng(32)
    cases = [
        Case((np.array([[3, 1, 2, 0, 2, 1, 3], [1, 1, 0, 3, 2, 0, 2]]), 3)),
        Case((rng.integers(0, 4, size=(4, 12)), 5)),
        Case((rng.integers(0, 8, size=(3, 9)), 1)),
        Case((rng.integers(0, 4, size=(2, 6)), 5)),
    ]
    mistakes = [
        Mistake("off by one: the echo is x[t − k], so the first defined target is at t = k and equals x[0]; "
                "you shifted by k − 1.", lambda x, k: _shifted(x, k - 1)),
        Mistake("off by one: the echo is x[t − k], so the first defined target is at t = k and equals x[0]; "
                "you shifted by k + 1.", lambda x, k: _shifted(x, k + 1)),
        Mistake("the first k steps have nothing k steps earlier: fill them with −1 (which the loss and the "
                "accuracy skip), not 0, which is a real symbol.", lambda x, k: _shifted(x, k, fill=0)),
        Mistake("np.roll wraps around: the first k steps got the LAST k symbols of the sequence. Those steps "
                "have no echo yet; fill them with −1.", lambda x, k: np.roll(np.asarray(x), k, axis=1)),
        Mistake("shifted the wrong way: y[t] must be the symbol seen k steps EARLIER, x[t − k], not the one "
                "k steps later (the model cannot see the future).", _forward_looking),
        Mistake("shift along time (axis 1), not across sequences (axis 0).",
                lambda x, k: np.roll(np.asarray(x), k, axis=0)),
        Mistake("you returned the inputs unchanged: the target is the input delayed by k steps.",
                lambda x, k: np.asarray(x)),
    ]
    return evaluate_function(
        echo_targets, _echo_targets, cases, name="echo_targets", mistakes=mistakes, integer=True,
        axes=("sequence", "time step"),
        success="The target is the input delayed by k steps; the first k steps are left out of the loss.",
    )


def _one_hot(x: Any, n_symbols: int) -> np.ndarray:
    return np.eye(n_symbols)[np.asarray(x)]


@guarded
def evaluate_one_hot(one_hot: Callable[[Any, int], Any]) -> Result:
    """Evaluate ``one_hot(x, n_symbols)``: (n, T) integer symbols to (n, T, n_symbols) 0/1 vectors."""
    rng = np.random.default_rng(320)
    cases = [
        Case((np.array([[2, 0, 1], [1, 1, 0]]), 4)),  # symbol 3 never appears
        Case((rng.integers(0, 5, size=(3, 7)), 5)),
        Case((rng.integers(0, 3, size=(1, 4)), 6)),
    ]
    mistakes = [
        Mistake("use n_symbols for the length of each vector, not x.max() + 1: a batch need not contain "
                "every symbol, and the model's input width must not change from batch to batch.",
                lambda x, n: np.eye(int(np.max(x)) + 1)[np.asarray(x)]),
        Mistake("symbol s sets position s (symbols start at 0); you set position s − 1.",
                lambda x, n: np.eye(n)[(np.asarray(x) - 1) % n]),
        Mistake("symbol s sets position s; you set position s + 1.",
                lambda x, n: np.eye(n)[(np.asarray(x) + 1) % n]),
        Mistake("the symbols axis goes last: shape (sequences, time steps, n_symbols), as Keras expects "
                "(batch, time, features).", lambda x, n: np.moveaxis(np.eye(n)[np.asarray(x)], -1, 1)),
    ]
    return evaluate_function(
        one_hot, _one_hot, cases, name="one_hot", mistakes=mistakes, check_dtype=False,
        axes=("sequence", "time step", "symbol"),
        success="Each symbol becomes a row of the identity matrix: no order or size implied between symbols.",
    )


def _defined_step_accuracy(y: Any, y_prob: Any) -> float:
    y, y_prob = np.asarray(y), np.asarray(y_prob)
    defined = y != FILL
    return float(np.mean(y_prob.argmax(axis=-1)[defined] == y[defined]))


def _probabilities(n: int, length: int, n_symbols: int, seed: int, right: float) -> tuple[np.ndarray, np.ndarray]:
    """Echo-like targets (k = 2) and predictions that are right on about ``right`` of the steps."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, n_symbols, size=(n, length))
    y = _echo_targets(x, 2)
    logits = rng.normal(size=(n, length, n_symbols))
    hit = rng.random((n, length)) < right
    best = np.where(y == FILL, rng.integers(0, n_symbols, size=y.shape), y)
    logits[hit, best[hit]] += 5.0
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    return y, probabilities


@guarded
def evaluate_defined_step_accuracy(defined_step_accuracy: Callable[[Any, Any], float]) -> Result:
    """Evaluate ``defined_step_accuracy(y, y_prob)``: mean of argmax == y over the steps where y ≠ −1."""
    y_small, p_small = _probabilities(3, 6, 3, 2, 0.7)
    cases = [
        Case((y_small, p_small)),
        Case(_probabilities(20, 10, 4, 2, 0.8)),
        Case(_probabilities(5, 12, 5, 3, 0.4)),
    ]

    def everywhere(y: Any, p: Any) -> float:
        return float(np.mean(np.asarray(p).argmax(axis=-1) == np.asarray(y)))

    def undefined_right(y: Any, p: Any) -> float:
        y, predicted = np.asarray(y), np.asarray(p).argmax(axis=-1)
        return float(np.mean((predicted == y) | (y == FILL)))

    mistakes = [
        Mistake("count only the steps where the echo is defined (y ≠ −1): the first k steps have no right "
                "answer and must not enter the mean.", everywhere),
        Mistake("the undefined steps must be left OUT of the mean, not counted as right.", undefined_right),
        Mistake("that is the error rate; the accuracy is the share of RIGHT predictions.",
                lambda y, p: 1.0 - _defined_step_accuracy(y, p)),
        Mistake("divide by the number of defined steps (a share between 0 and 1), not return the count.",
                lambda y, p: float(np.sum(np.asarray(p).argmax(axis=-1)[np.asarray(y) != FILL]
                                          == np.asarray(y)[np.asarray(y) != FILL]))),
        Mistake("symbol 0 is a real symbol: the defined steps are those with y != -1 (or y >= 0), not y > 0.",
                lambda y, p: float(np.mean(np.asarray(p).argmax(axis=-1)[np.asarray(y) > 0]
                                           == np.asarray(y)[np.asarray(y) > 0]))),
    ]
    return evaluate_function(
        defined_step_accuracy, _defined_step_accuracy, cases, name="defined_step_accuracy", mistakes=mistakes,
        rtol=1e-6, atol=1e-9, check_dtype=False,
        success="Scored only where an echo exists: chance is 1/n_symbols, not inflated by free steps.",
    )


check_echo_targets = printer(evaluate_echo_targets)
check_one_hot = printer(evaluate_one_hot)
check_defined_step_accuracy = printer(evaluate_defined_step_accuracy)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"echo_targets": 2, "one_hot": 1, "defined_step_accuracy": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "echo_targets": ("echo.echo_targets", "echo.make_echo_data"),
    "one_hot": ("echo.one_hot", "keras.utils.to_categorical", "tf.one_hot", "keras.ops.one_hot"),
    "defined_step_accuracy": ("echo.defined_step_accuracy", "keras.metrics"),
}
