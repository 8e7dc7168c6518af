"""Exercises of notebook 05 (matrices and vectorization): a dense layer, centring columns, distances."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer


def _dense(X: Any, W: Any, b: Any) -> np.ndarray:
    return np.asarray(X, dtype=np.float64) @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64)


@guarded
def evaluate_dense_forward(dense_forward: Callable[[Any, Any, Any], Any]) -> Result:
    """Evaluate a learner's ``dense_forward(X, W, b)`` = X @ W + b (one row per example, no loops needed)."""
    rng = np.random.default_rng(5)
    cases = [
        Case((rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=3))),  # square first: W.T, W @ X and * also run
        Case((rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2))),
        Case((rng.normal(size=(1, 2)), rng.normal(size=(2, 5)), rng.normal(size=5))),
    ]
    mistakes = [
        Mistake("add the bias b after the matrix product: X @ W + b.", lambda X, W, b: X @ W),
        Mistake("the weights are already (inputs, units): use X @ W, not X @ W.T.", lambda X, W, b: X @ W.T + b),
        Mistake("the bias is added, not subtracted: X @ W + b.", lambda X, W, b: X @ W - b),
        Mistake("`*` multiplies element by element; a dense layer needs the matrix product `@`.",
                lambda X, W, b: X * W + b),
        Mistake("the examples are the rows of X, so X comes first: X @ W, not W @ X.", lambda X, W, b: W @ X + b),
        Mistake("a plain dense layer has no activation here: return X @ W + b itself.",
                lambda X, W, b: np.maximum(X @ W + b, 0)),
    ]
    return evaluate_function(
        dense_forward, _dense, cases, name="dense_forward", mistakes=mistakes,
        success="One matrix product computes every unit for every example at once.",
    )


def _center(X: Any) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    return X - X.mean(axis=0)


@guarded
def evaluate_center_columns(center_columns: Callable[[Any], Any]) -> Result:
    """Evaluate a learner's ``center_columns(X)``: subtract each column's mean (broadcasting, no loop)."""
    rng = np.random.default_rng(6)
    cases = [
        Case((np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]]),)),
        Case((rng.normal(3.0, 2.0, size=(5, 3)),)),
        Case((rng.normal(-1.0, 4.0, size=(4, 4)),)),
    ]
    mistakes = [
        Mistake("axis=1 gives each row's mean; a column's mean runs down the rows: X.mean(axis=0).",
                lambda X: X - X.mean(axis=1, keepdims=True)),
        Mistake("X.mean() with no axis is one number for the whole table; each column needs its own mean (axis=0).",
                lambda X: X - X.mean()),
        Mistake("you returned the column means; subtract them from X.", lambda X: X.mean(axis=0)),
        Mistake("centring subtracts the mean: X − mean, not mean − X.", lambda X: X.mean(axis=0) - X),
        Mistake("only subtract the mean; dividing by the standard deviation is standardising, a different step.",
                lambda X: (X - X.mean(axis=0)) / X.std(axis=0)),
    ]
    return evaluate_function(
        center_columns, _center, cases, name="center_columns", mistakes=mistakes,
        success="The (n, d) table minus a (d,) row of means: broadcasting stretched the row down every example.",
    )


def _distances(X: Any, point: Any) -> np.ndarray:
    X, point = np.asarray(X, dtype=np.float64), np.asarray(point, dtype=np.float64)
    return np.sqrt(((X - point) ** 2).sum(axis=1))


@guarded
def evaluate_distances(distances: Callable[[Any, Any], Any]) -> Result:
    """Evaluate a learner's ``distances(X, point)``: Euclidean distance from every row of X to ``point``."""
    rng = np.random.default_rng(7)
    cases = [
        Case((np.array([[1.0, 2.0], [4.0, 6.0], [2.0, 3.0]]), np.array([1.0, 2.0]))),  # point ≠ 0
        Case((rng.normal(size=(5, 3)), rng.normal(size=3))),
        Case((rng.normal(size=(4, 4)), rng.normal(size=4))),
    ]
    mistakes = [
        Mistake("take the square root of the summed squares: a distance, not a squared distance.",
                lambda X, p: ((X - p) ** 2).sum(axis=1)),
        Mistake("sum over axis=1 (the coordinates of each row); axis=0 sums over the examples.",
                lambda X, p: np.sqrt(((X - p) ** 2).sum(axis=0))),
        Mistake("square the differences before summing: √Σ(xᵢ − pᵢ)², not Σ|xᵢ − pᵢ| (that is the Manhattan distance).",
                lambda X, p: np.abs(X - p).sum(axis=1)),
        Mistake("return one distance per row: sum each row's squared differences (axis=1), not the whole table.",
                lambda X, p: np.sqrt(((X - p) ** 2).sum())),
        Mistake("Euclidean distance sums the squares, not their mean.", lambda X, p: np.sqrt(((X - p) ** 2).mean(axis=1))),
    ]
    return evaluate_function(
        distances, _distances, cases, name="distances", mistakes=mistakes,
        success="(n, d) minus (d,) broadcasts, and one sum over axis 1 does the rest: no loop.",
    )


check_dense_forward = printer(evaluate_dense_forward)
check_center_columns = printer(evaluate_center_columns)
check_distances = printer(evaluate_distances)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"dense_forward": 2, "center_columns": 1, "distances": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "dense_forward": ("networks.forward_pass", "keras.layers"),
    "center_columns": ("sklearn.preprocessing", "StandardScaler", "batching.standardize"),
    "distances": ("scipy.spatial", "cdist", "sklearn.metrics"),
}
