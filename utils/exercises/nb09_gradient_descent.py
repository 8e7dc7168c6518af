"""Exercises of notebook 09 (gradient descent): the gradients, the training loop, accuracy."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer, with_references
from utils.foundations.networks import sigmoid as _sigmoid


def _flat(pair: Any, what: str) -> np.ndarray:
    """A learner's ``(w, b)``-style pair as one vector [w..., b]; a clear error for anything else."""
    if pair is None:
        raise ValueError(f"it returned None; return the pair {what} (did you forget `return`?)")
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise ValueError(f"it should return two values, {what}, e.g. `return dw, db`; got {type(pair).__name__}")
    first, second = np.asarray(pair[0], dtype=np.float64), np.asarray(pair[1], dtype=np.float64)
    if second.size != 1:
        raise ValueError(f"the second value of {what} should be one number, got shape {second.shape}")
    return np.append(first.ravel(), second.ravel())


def _as_pair_function(answer: Callable[..., Any], what: str) -> Callable[..., np.ndarray]:
    def run(*args: Any) -> np.ndarray:
        result = answer(*args)
        first = np.asarray(result[0]) if isinstance(result, (tuple, list)) and len(result) == 2 else None
        if first is not None and first.shape != np.shape(args[2]):
            raise ValueError(f"the first value of {what} should have the shape of w, {np.shape(args[2])}, got {first.shape}")
        return _flat(result, what)

    return run


def _gradients(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    error = _sigmoid(X @ w + b) - y
    return X.T @ error / y.size, float(np.mean(error))


def _cases() -> list[Case]:
    rng = np.random.default_rng(9)
    cases = []
    for rows, features in [(6, 2), (9, 3), (5, 1)]:
        X = rng.normal(size=(rows, features))
        y = (rng.random(rows) < 0.5).astype(float)
        y[:2] = [0.0, 1.0]
        cases.append(Case((X, y, rng.normal(size=features), float(rng.normal()))))
    return cases


def _pair(dw: Any, db: Any) -> np.ndarray:
    return np.append(np.ravel(dw), db)


@guarded
def evaluate_gradients(gradients: Callable[..., Any]) -> Result:
    """Evaluate ``gradients(X, y, w, b) -> (dw, db)`` of the mean log loss of σ(X·w + b)."""
    if not callable(gradients):
        return Result(False, f"❌ gradients should be a function, but it is a {type(gradients).__name__}.")
    reference = lambda X, y, w, b: _pair(*_gradients(X, y, w, b))  # noqa: E731
    mistakes = [
        Mistake("the error is p − y (prediction minus truth); y − p points uphill.",
                lambda X, y, w, b: -reference(X, y, w, b)),
        Mistake("average over the m samples: divide the sums by m (or use np.mean).",
                lambda X, y, w, b: reference(X, y, w, b) * y.size),
        Mistake("compute the error with the probability p = σ(X·w + b), not with z = X·w + b.",
                lambda X, y, w, b: _pair(X.T @ (X @ w + b - y) / y.size, np.mean(X @ w + b - y))),
        Mistake("z = X·w + b: you left the bias out of the forward pass.",
                lambda X, y, w, b: reference(X, y, w, 0.0)),
        Mistake("∂J/∂b is the mean error itself; it has no factor x (the bias's 'input' is always 1).",
                lambda X, y, w, b: _pair(_gradients(X, y, w, b)[0], np.mean(_gradients(X, y, w, b)[0]))),
        Mistake("∂J/∂w needs the inputs: Xᵀ(p − y)/m, one number per weight, not the mean error repeated.",
                lambda X, y, w, b: _pair(np.full(w.shape, _gradients(X, y, w, b)[1]), _gradients(X, y, w, b)[1])),
        Mistake("for the log loss the σ′ factors cancel: the gradient is Xᵀ(p − y)/m with no extra p(1 − p).",
                lambda X, y, w, b: _pair(X.T @ ((_sigmoid(X @ w + b) - y) * _sigmoid(X @ w + b) * (1 - _sigmoid(X @ w + b))) / y.size,
                                         np.mean((_sigmoid(X @ w + b) - y) * _sigmoid(X @ w + b) * (1 - _sigmoid(X @ w + b))))),
    ]
    return evaluate_function(_as_pair_function(gradients, "(dw, db)"), reference, _cases(), name="gradients",
                             mistakes=mistakes, success="That is the backward pass of one neuron.")


def _train(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, learning_rate: float, epochs: int,
           sequential: bool = False, ascent: bool = False, fixed_bias: bool = False, no_rate: bool = False) -> np.ndarray:
    w = np.array(w, dtype=np.float64)
    sign = 1.0 if ascent else -1.0
    rate = 1.0 if no_rate else learning_rate
    for _ in range(epochs):
        dw, db = _gradients(X, y, w, b)
        w = w + sign * rate * dw
        if sequential:
            db = _gradients(X, y, w, b)[1]  # bias gradient taken after w already moved
        if not fixed_bias:
            b = b + sign * rate * db
    return _pair(w, b)


def _train_cases() -> list[Case]:
    cases = []
    for case, (rate, epochs) in zip(_cases(), [(0.5, 3), (0.1, 7), (1.0, 1)]):
        X, y, w, b = case.args
        cases.append(Case((X, y, w, b, rate, epochs)))
    cases.append(Case((*_cases()[0].args[:4], 0.3, 0)))
    return cases


@guarded
def evaluate_train(train: Callable[..., Any]) -> Result:
    """Evaluate ``train(X, y, w, b, learning_rate, epochs) -> (w, b)``: full-batch gradient descent."""
    if not callable(train):
        return Result(False, f"❌ train should be a function, but it is a {type(train).__name__}.")
    mistakes = [
        Mistake("the update subtracts: w ← w − lr·∂J/∂w. Adding the gradient climbs the loss.",
                lambda *a: _train(*a, ascent=True)),
        Mistake("run exactly `epochs` updates: your loop does one too few.",
                lambda X, y, w, b, lr, e: _train(X, y, w, b, lr, max(e - 1, 0))),
        Mistake("run exactly `epochs` updates: your loop does one too many.",
                lambda X, y, w, b, lr, e: _train(X, y, w, b, lr, e + 1)),
        Mistake("update the bias too: b ← b − lr·∂J/∂b.", lambda *a: _train(*a, fixed_bias=True)),
        Mistake("compute both gradients from the same (old) w and b before changing either; you took ∂J/∂b after "
                "w had already moved.", lambda *a: _train(*a, sequential=True)),
        Mistake("multiply the gradient by the learning rate.", lambda *a: _train(*a, no_rate=True)),
        Mistake("return the trained (w, b), not the starting values.", lambda X, y, w, b, lr, e: _pair(w, b)),
    ]
    own_gradients = with_references(train, {"gradients": _gradients})  # exercise 1's reference
    return evaluate_function(_as_pair_function(own_gradients, "(w, b)"), _train, _train_cases(), name="train",
                             mistakes=mistakes, success="Forward, backward, update, repeated for every epoch.")


def _accuracy(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    return float(np.mean((_sigmoid(X @ w + b) >= 0.5) == (y == 1)))


def _accuracy_cases() -> list[Case]:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(12, 2))
    y = (rng.random(12) < 0.5).astype(float)
    X_edge = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [-1.0, 0.0]])  # first row sits exactly on p = 0.5
    return [
        Case((X, y, np.array([0.5, 0.5]), -0.4)),
        Case((X, y, np.array([0.4, -1.5]), 0.6)),
        Case((X_edge, np.array([1.0, 0.0, 1.0, 0.0]), np.array([1.0, 0.5]), -1.0)),
    ]


@guarded
def evaluate_accuracy(accuracy: Callable[..., Any]) -> Result:
    """Evaluate ``accuracy(X, y, w, b)``: share of rows where σ(X·w + b) ≥ 0.5 matches the 0/1 label."""
    mistakes = [
        Mistake("p = 0.5 counts as 'yes': use >= 0.5, as Keras does.",
                lambda X, y, w, b: float(np.mean((_sigmoid(X @ w + b) > 0.5) == (y == 1)))),
        Mistake("return the share of correct answers (a number between 0 and 1), not their count.",
                lambda X, y, w, b: float(np.sum((_sigmoid(X @ w + b) >= 0.5) == (y == 1)))),
        Mistake("that is the error rate: accuracy counts the rows that are right.",
                lambda X, y, w, b: 1 - _accuracy(X, y, w, b)),
        Mistake("z = X·w + b: include the bias before thresholding.", lambda X, y, w, b: _accuracy(X, y, w, 0.0)),
        Mistake("threshold the probability into 0/1 predictions first, then compare them with y.",
                lambda X, y, w, b: float(np.mean(_sigmoid(X @ w + b) == y))),
        Mistake("threshold the probability at 0.5 (or z at 0), not z at 0.5.",
                lambda X, y, w, b: float(np.mean(((X @ w + b) >= 0.5) == (y == 1)))),
    ]
    return evaluate_function(accuracy, _accuracy, _accuracy_cases(), name="accuracy", mistakes=mistakes,
                             check_dtype=False, success="Now you can grade any (w, b).")


check_gradients = printer(evaluate_gradients)
check_train = printer(evaluate_train)
check_accuracy = printer(evaluate_accuracy)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"gradients": 2, "train": 3, "accuracy": 1}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "gradients": ("tf.GradientTape",),
    "train": ("descent.gradient_descent", "batching.gradient_descent", "keras.optimizers"),
    "accuracy": ("keras.metrics", "sklearn.metrics", "networks.accuracy"),
}
