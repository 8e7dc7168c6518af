"""Exercises of notebook 08 (loss functions): MSE, categorical and sparse categorical cross-entropy."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer

EPSILON = 1e-7  # the clipping Keras uses for probabilities


def _mse(y_true: Any, y_pred: Any) -> float:
    return float(np.mean((np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)) ** 2))


@guarded
def evaluate_mse(mse: Callable[[Any, Any], float]) -> Result:
    """Evaluate a learner's ``mse(y_true, y_pred)``: the mean of the squared errors, one number."""
    cases = [
        Case((np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.5, 2.0, 9.0]))),
        Case((np.array([1.0, 2.0, 3.0]), np.array([4.0, 0.0, 3.5]))),
        Case((np.array([10.0, 20.0, 30.0, 40.0, 50.0]), np.array([12.0, 18.0, 33.0, 40.0, 45.0]))),
    ]
    mistakes = [
        Mistake("square the errors: you computed the mean *absolute* error (MAE).",
                lambda y, p: float(np.mean(np.abs(y - p)))),
        Mistake("the cost is the *mean* of the squared errors, not their sum.", lambda y, p: float(np.sum((y - p) ** 2))),
        Mistake("no square root: that would be the RMSE.", lambda y, p: float(np.sqrt(np.mean((y - p) ** 2)))),
        Mistake("square each error first, then average: you squared the mean error, so errors of opposite sign cancel.",
                lambda y, p: float(np.mean(y - p) ** 2)),
        Mistake("return one number, the mean over samples, not one squared error per sample.", lambda y, p: (y - p) ** 2),
        Mistake("you divided by m − 1 (a sample variance); the MSE divides by m.",
                lambda y, p: float(np.sum((y - p) ** 2) / (y.size - 1))),
        Mistake("you forgot the square and the absolute value: signed errors cancel.", lambda y, p: float(np.mean(y - p))),
    ]
    return evaluate_function(mse, _mse, cases, name="mse", mistakes=mistakes,
                             success="Big errors now count much more than small ones.")


def _per_row(y_onehot: Any, probabilities: Any) -> np.ndarray:
    p = np.clip(np.asarray(probabilities, dtype=np.float64), EPSILON, 1 - EPSILON)
    return -np.sum(np.asarray(y_onehot, dtype=np.float64) * np.log(p), axis=1)


def _cce(y_onehot: Any, probabilities: Any) -> float:
    return float(np.mean(_per_row(y_onehot, probabilities)))


def _probability_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """Probability tables (rows sum to 1) and integer labels, including a confident mistake."""
    rng = np.random.default_rng(8)
    logits = rng.normal(scale=1.5, size=(6, 4))
    table = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return [
        (np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]]), np.array([0, 1, 0])),
        (table, np.array([3, 0, 1, 1, 2, 0])),
        (np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.35, 0.65]]), np.array([1, 0, 1, 1, 0])),
    ]


@guarded
def evaluate_categorical_cross_entropy(categorical_cross_entropy: Callable[[Any, Any], float]) -> Result:
    """Evaluate ``categorical_cross_entropy(y_onehot, probabilities)``: mean over rows of −Σ y·log p, clipped."""
    cases = [Case((np.eye(p.shape[1])[labels], p)) for p, labels in _probability_cases()]
    cases.append(Case((np.eye(3)[[0, 1, 2]], np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])), finite_only=True))
    mistakes = [
        Mistake("the cost is the mean over samples (rows), not the sum.", lambda y, p: float(np.sum(_per_row(y, p)))),
        Mistake("sum over the classes of each row first (axis=1), then average over rows; np.mean over the whole "
                "table also divides by the number of classes.",
                lambda y, p: float(np.mean(y * -np.log(np.clip(p, EPSILON, 1 - EPSILON))))),
        Mistake("log of a probability is negative, so the formula starts with a minus sign.", lambda y, p: -_cce(y, p)),
        Mistake("use the natural logarithm (np.log), not log10.", lambda y, p: _cce(y, p) / np.log(10)),
        Mistake("return one number, the mean of the per-sample losses, not one loss per row.", _per_row),
        Mistake("one loss per *sample* means summing over classes with axis=1; axis=0 gives one number per class.",
                lambda y, p: -np.sum(y * np.log(np.clip(p, EPSILON, 1 - EPSILON)), axis=0)),
        Mistake("only the true class counts: multiply log p by the one-hot y, not by (1 − y).",
                lambda y, p: float(np.mean(-np.sum((1 - y) * np.log(np.clip(p, EPSILON, 1 - EPSILON)), axis=1)))),
        Mistake("you added the binary-style (1 − y)·log(1 − p) term; categorical cross-entropy only has −Σ y·log p.",
                lambda y, p: float(np.mean(-np.sum(y * np.log(np.clip(p, EPSILON, 1 - EPSILON))
                                                   + (1 - y) * np.log(1 - np.clip(p, EPSILON, 1 - EPSILON)), axis=1)))),
    ]
    return evaluate_function(categorical_cross_entropy, _cce, cases, name="categorical_cross_entropy", mistakes=mistakes,
                             success="Only the probability given to the true class matters.")


def _sparse(labels: Any, probabilities: Any) -> float:
    labels = np.asarray(labels)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    chosen = probabilities[np.arange(labels.size), labels]
    return float(np.mean(-np.log(np.clip(chosen, EPSILON, 1 - EPSILON))))


@guarded
def evaluate_sparse_categorical_cross_entropy(sparse_categorical_cross_entropy: Callable[[Any, Any], float]) -> Result:
    """Evaluate ``sparse_categorical_cross_entropy(labels, probabilities)``: mean of −log p[row, label], clipped."""
    cases = [Case((labels, p)) for p, labels in _probability_cases()]
    cases.append(Case((np.array([2, 0]), np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]])), finite_only=True))
    clip = lambda p: np.clip(p, EPSILON, 1 - EPSILON)  # noqa: E731
    mistakes = [
        Mistake("the cost is the mean over samples, not the sum.",
                lambda k, p: float(np.sum(-np.log(clip(p[np.arange(k.size), k]))))),
        Mistake("log of a probability is negative, so the formula starts with a minus sign.", lambda k, p: -_sparse(k, p)),
        Mistake("pick one probability per row, p[np.arange(m), labels]: you averaged −log p over every entry of the table.",
                lambda k, p: float(np.mean(-np.log(clip(p))))),
        Mistake("p[labels] picks whole rows: index with two arrays, p[np.arange(m), labels], to get one "
                "probability per sample.", lambda k, p: float(np.mean(-np.log(clip(p[k]))))),
        Mistake("labels already count from 0: p[row, label] needs no − 1 or + 1.",
                lambda k, p: _sparse((k - 1) % p.shape[1], p)),
        Mistake("labels already count from 0: p[row, label] needs no − 1 or + 1.",
                lambda k, p: _sparse((k + 1) % p.shape[1], p)),
        Mistake("use the natural logarithm (np.log), not log10.", lambda k, p: _sparse(k, p) / np.log(10)),
        Mistake("return one number, the mean of the per-sample losses.", lambda k, p: -np.log(clip(p[np.arange(k.size), k]))),
        Mistake("−log of the probability given to the true class, not −log(1 − p).",
                lambda k, p: float(np.mean(-np.log(1 - clip(p[np.arange(k.size), k]))))),
        Mistake("you took the largest probability of each row (the predicted class) instead of the true class's.",
                lambda k, p: float(np.mean(-np.log(clip(p.max(axis=1)))))),
    ]
    return evaluate_function(sparse_categorical_cross_entropy, _sparse, cases, name="sparse_categorical_cross_entropy",
                             mistakes=mistakes, success="Same number as with one-hot labels, without building them.")


check_mse = printer(evaluate_mse)
check_categorical_cross_entropy = printer(evaluate_categorical_cross_entropy)
check_sparse_categorical_cross_entropy = printer(evaluate_sparse_categorical_cross_entropy)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"mse": 1, "categorical_cross_entropy": 2, "sparse_categorical_cross_entropy": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "mse": (
        "keras.losses", "keras.metrics", "tf.losses", "tf.metrics", "sklearn.metrics",
        "batching.mse_cost",
    ),
    "categorical_cross_entropy": (
        "keras.losses", "keras.metrics", "tf.losses", "sklearn.metrics",
        "tf.nn.softmax_cross_entropy_with_logits", "losses.sparse_categorical_cross_entropy",
    ),
    "sparse_categorical_cross_entropy": (
        "keras.losses", "keras.metrics", "tf.losses", "sklearn.metrics",
        "tf.nn.sparse_softmax_cross_entropy_with_logits", "losses.categorical_cross_entropy",
    ),
}
