"""Exercises of notebook 10 (batch, stochastic and mini-batch gradient descent)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import FAIL, PASS, TODO, Case, Mistake, Result, evaluate_function, guarded, printer


def _design(rows: int, features: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Xb = np.column_stack([np.ones(rows), rng.normal(size=(rows, features))])
    y = Xb @ rng.normal(size=features + 1) * 3 + rng.normal(size=rows)
    theta = rng.normal(size=features + 1)
    return Xb, y, theta


def _normal_equation(Xb: Any, y: Any) -> np.ndarray:
    Xb, y = np.asarray(Xb, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return np.linalg.solve(Xb.T @ Xb, Xb.T @ y)


@guarded
def evaluate_normal_equation(normal_equation: Callable[[Any, Any], Any]) -> Result:
    """Evaluate a learner's ``normal_equation(Xb, y)``: θ* = (X_bᵀX_b)⁻¹X_bᵀy."""
    cases = [Case(_design(6, 1, 1)[:2]), Case(_design(20, 2, 2)[:2]), Case(_design(12, 3, 3)[:2])]
    mistakes = [
        Mistake("you multiplied by X_bᵀX_b instead of inverting it: θ* = (X_bᵀX_b)⁻¹X_bᵀy (np.linalg.inv or solve).",
                lambda X, y: X.T @ X @ X.T @ y),
        Mistake("you dropped the (X_bᵀX_b)⁻¹ factor: X_bᵀ·y alone is not the solution.", lambda X, y: X.T @ y),
        Mistake("divide by nothing: θ* = (X_bᵀX_b)⁻¹X_bᵀy has no 1/m (it would cancel anyway).",
                lambda X, y: _normal_equation(X, y) / len(y)),
        Mistake("the bias column is already inside X_b: solve with X_b as given, do not drop its first column.",
                lambda X, y: np.concatenate([[0.0], np.linalg.lstsq(X[:, 1:], y, rcond=None)[0]])),
    ]
    return evaluate_function(
        normal_equation, _normal_equation, cases, name="normal_equation", mistakes=mistakes, rtol=1e-6, atol=1e-8,
        success="No learning rate, no epochs: one linear solve gives the exact optimum.",
    )


def _mse_gradient(Xb: Any, y: Any, theta: Any) -> np.ndarray:
    Xb, y, theta = (np.asarray(v, dtype=np.float64) for v in (Xb, y, theta))
    return 2.0 / len(y) * Xb.T @ (Xb @ theta - y)


@guarded
def evaluate_mse_gradient(mse_gradient: Callable[[Any, Any, Any], Any]) -> Result:
    """Evaluate a learner's ``mse_gradient(Xb, y, theta)``: (2/m)·X_bᵀ(X_b·θ − y)."""
    cases = [Case(_design(5, 1, 4)), Case(_design(16, 2, 5)), Case(_design(1, 2, 6)), Case(_design(9, 3, 7))]
    mistakes = [
        Mistake("the residual is prediction − target (X_b·θ − y); with y − X_b·θ the gradient points uphill.",
                lambda X, y, t: -_mse_gradient(X, y, t)),
        Mistake("the derivative of (ŷ − y)² is 2(ŷ − y): you are missing the factor 2.",
                lambda X, y, t: _mse_gradient(X, y, t) / 2),
        Mistake("the cost is a MEAN over the m examples, so its gradient is divided by m too.",
                lambda X, y, t: _mse_gradient(X, y, t) * len(y)),
        Mistake("you are missing the factor 2 and the division by m: the gradient is (2/m)·X_bᵀ(X_b·θ − y).",
                lambda X, y, t: _mse_gradient(X, y, t) * len(y) / 2),
        Mistake("the gradient multiplies the residuals by X_bᵀ; you left out y (X_bᵀ·X_b·θ alone).",
                lambda X, y, t: 2.0 / len(y) * X.T @ (X @ t)),
    ]
    return evaluate_function(
        mse_gradient, _mse_gradient, cases, name="mse_gradient", mistakes=mistakes,
        success="One vectorised line gives the gradient for any batch size, from 1 row to all of them.",
    )


def _describe(batches: list[np.ndarray]) -> str:
    sizes = [len(b) for b in batches]
    return f"{len(batches)} batches of sizes {sizes[:8]}{' …' if len(sizes) > 8 else ''}"


@guarded
def evaluate_minibatch_indices(minibatch_indices: Callable[[int, int, np.random.Generator], Any]) -> Result:
    """Evaluate ``minibatch_indices(n, batch_size, rng)``: a list of index arrays, one shuffled epoch."""
    name = "minibatch_indices"
    for n, batch_size in [(10, 4), (12, 3), (7, 7), (5, 1), (100, 32)]:
        where = f" for n={n}, batch_size={batch_size}"
        try:
            batches = minibatch_indices(n, batch_size, np.random.default_rng(n + batch_size))
        except NotImplementedError:
            return Result(False, f"{TODO} {name} is not written yet: replace `raise NotImplementedError` with your code.")
        except Exception as error:  # noqa: BLE001 - shown as a hint, never as a traceback
            return Result(False, f"{FAIL} {name} raised {type(error).__name__}: {error}{where}.")
        if batches is None:
            return Result(False, f"{FAIL} {name} gave None{where}. Did you forget the `return` statement?")
        try:
            batches = [np.asarray(b).ravel() for b in batches]
        except TypeError:
            return Result(False, f"{FAIL} {name} gave a {type(batches).__name__}{where}; expected a list of index arrays.")
        if not batches or any(b.dtype.kind not in "iu" for b in batches):
            return Result(False, f"{FAIL} {name} should return a list of integer index arrays{where}.")
        expected_count = -(-n // batch_size)
        sizes = [len(b) for b in batches]
        together = np.concatenate(batches)
        if len(batches) == n // batch_size and n % batch_size and sum(sizes) < n:
            return Result(False, f"{FAIL} {name} gave {_describe(batches)}{where}. Hint: you dropped the last, "
                          "smaller batch: an epoch must visit every example once (range(0, n, batch_size)).")
        if len(np.unique(together)) < len(together):
            return Result(False, f"{FAIL} {name} repeated some examples{where}. Hint: shuffle ONCE per epoch "
                          "with rng.permutation(n), before the loop, and cut that one order into slices; a new "
                          "permutation per batch, or sampling with replacement, repeats some rows and skips others.")
        if sorted(together.tolist()) != list(range(n)):
            return Result(False, f"{FAIL} {name}{where} does not cover every row index 0..{n - 1} exactly once "
                          f"({_describe(batches)}).")
        if len(batches) != expected_count or max(sizes) > batch_size:
            return Result(False, f"{FAIL} {name} gave {_describe(batches)}{where}; expected {expected_count} batches "
                          f"of at most {batch_size}. Hint: slice order[start:start + batch_size] for start in "
                          "range(0, n, batch_size).")
        if n >= 10 and np.array_equal(together, np.arange(n)):
            return Result(False, f"{FAIL} {name} gave the rows in their original order{where}. Hint: shuffle the "
                          "indices every epoch (rng.permutation(n)), otherwise every epoch sees the same batches.")
    rng = np.random.default_rng(0)
    first, second = (np.concatenate(minibatch_indices(50, 10, rng)) for _ in range(2))
    if np.array_equal(first, second):
        return Result(False, f"{FAIL} two epochs drawn with the same generator gave the same order. Hint: use the "
                      "rng you are given (rng.permutation), not a freshly seeded one, so each epoch is shuffled anew.")
    return Result(True, f"{PASS} {name} passes all hidden tests. Every example once per epoch, in a new order each time.")


check_normal_equation = printer(evaluate_normal_equation)
check_mse_gradient = printer(evaluate_mse_gradient)
check_minibatch_indices = printer(evaluate_minibatch_indices)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"normal_equation": 2, "mse_gradient": 2, "minibatch_indices": 3}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "normal_equation": ("lstsq", "batching.least_squares", "sklearn.linear_model"),
    "mse_gradient": ("tf.GradientTape",),
    "minibatch_indices": ("batching.minibatches", "keras.utils", "tf.data"),
}
