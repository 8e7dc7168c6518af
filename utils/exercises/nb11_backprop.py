"""Exercises of notebook 11 (backpropagation and gradient checking)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer


def _hidden_delta(dA1: Any, A1: Any) -> np.ndarray:
    return np.asarray(dA1, dtype=np.float64) * (1 - np.asarray(A1, dtype=np.float64) ** 2)


@guarded
def evaluate_hidden_delta(hidden_delta: Callable[[Any, Any], Any]) -> Result:
    """Evaluate ``hidden_delta(dA1, A1)``: dZ₁ = dA₁ ⊙ (1 − a₁²), the chain rule through tanh."""
    rng = np.random.default_rng(11)
    cases = [
        Case((np.array([[0.5, -1.0]]), np.array([[0.2, -0.7]]))),
        Case((rng.normal(size=(4, 3)), np.tanh(rng.normal(size=(4, 3))))),
        Case((rng.normal(size=(6, 5)), np.tanh(rng.normal(size=(6, 5))))),
    ]
    mistakes = [
        Mistake("tanh′(z) = 1 − tanh²(z) = 1 − a²: you forgot to square a.", lambda d, a: d * (1 - a)),
        Mistake("that is the sigmoid's derivative a(1 − a); the hidden layer uses tanh, whose derivative is 1 − a².",
                lambda d, a: d * a * (1 - a)),
        Mistake("the chain rule MULTIPLIES the incoming gradient dA1 by the local slope 1 − a²; you returned the slope alone.",
                lambda d, a: 1 - a**2),
        Mistake("the local slope is 1 − a², not 1 + a².", lambda d, a: d * (1 + a**2)),
        Mistake("multiply element by element (*), not with a matrix product: each unit has its own slope.",
                lambda d, a: d @ (1 - a**2).T),
        Mistake("the slope is 1 − a² (a = tanh(z) is already given); you applied tanh to a again.",
                lambda d, a: d * (1 - np.tanh(a) ** 2)),
    ]
    return evaluate_function(
        hidden_delta, _hidden_delta, cases, name="hidden_delta", mistakes=mistakes,
        success="The cached activation a₁ is all the backward pass needs: no need to keep z₁ for tanh.",
    )


class _Function:
    """A scalar test function with a readable name (shown in hints instead of a lambda's address)."""

    def __init__(self, label: str, function: Callable[[np.ndarray], float]) -> None:
        self.label, self.function = label, function

    def __call__(self, x: np.ndarray) -> float:
        return float(self.function(np.asarray(x, dtype=np.float64)))

    def __repr__(self) -> str:
        return self.label

    def __deepcopy__(self, memo: dict) -> "_Function":
        return self


CUBE = _Function("f(x) = Σ x³", lambda x: np.sum(x**3))
MIXED = _Function("f(x) = sin(x₀)·x₁ + exp(x₀ − x₁)", lambda x: np.sin(x[0]) * x[1] + np.exp(x[0] - x[1]))
QUARTIC = _Function("f(x) = (Σ x²)²", lambda x: np.sum(x**2) ** 2)


def _two_sided(f: Callable[[np.ndarray], float], x: Any, epsilon: float) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += epsilon
        down[index] -= epsilon
        gradient[index] = (f(up) - f(down)) / (2 * epsilon)
    return gradient


def _one_sided(f: Callable[[np.ndarray], float], x: Any, epsilon: float) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up = x.copy()
        up[index] += epsilon
        gradient[index] = (f(up) - f(x)) / epsilon
    return gradient


def _all_at_once(f: Callable[[np.ndarray], float], x: Any, epsilon: float) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.full_like(x, (f(x + epsilon) - f(x - epsilon)) / (2 * epsilon))


@guarded
def evaluate_two_sided_difference(two_sided_difference: Callable[[Any, Any, float], Any]) -> Result:
    """Evaluate ``two_sided_difference(f, x, epsilon)``: (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε for every i."""
    cases = [
        Case((CUBE, np.array([1.0, -2.0, 0.5]), 1e-3)),
        Case((MIXED, np.array([0.3, -0.8]), 1e-2)),
        Case((QUARTIC, np.array([[0.5, -1.0], [1.5, 0.2]]), 1e-2)),
    ]
    mistakes = [
        Mistake("divide by 2ε: the two points x + ε and x − ε are 2ε apart.", lambda f, x, e: 2 * _two_sided(f, x, e)),
        Mistake("that is the one-sided difference (f(x + ε) − f(x)) / ε; use both sides, f(x + ε) − f(x − ε), "
                "over 2ε. Its error shrinks like ε² instead of ε.", _one_sided),
        Mistake("nudge ONE coordinate at a time (copy x, change entry i only); moving all of them together "
                "measures a directional slope, not each partial derivative.", _all_at_once),
        Mistake("the order is f(x + ε) − f(x − ε); swapping it flips the sign.", lambda f, x, e: -_two_sided(f, x, e)),
    ]
    return evaluate_function(
        two_sided_difference, _two_sided, cases, name="two_sided_difference", mistakes=mistakes, rtol=1e-7, atol=1e-9,
        success="Slow (two loss evaluations per parameter) but needs no calculus: the perfect referee.",
    )


def _relative_difference(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


@guarded
def evaluate_relative_difference(relative_difference: Callable[[Any, Any], float]) -> Result:
    """Evaluate ``relative_difference(a, b)``: ‖a − b‖ / (‖a‖ + ‖b‖) with Euclidean norms."""
    rng = np.random.default_rng(7)
    base = rng.normal(size=6)
    cases = [
        Case((np.array([3.0, 4.0]), np.array([-1.0, 4.5]))),  # not parallel: ‖a + b‖ ≠ ‖a‖ + ‖b‖
        Case((base * 1000, base * 1000 + rng.normal(size=6))),
        Case((base * 1e-4, -base * 1e-4)),
        Case((rng.normal(size=(2, 3)), rng.normal(size=(2, 3)))),
        Case((np.zeros(3), np.zeros(3)), finite_only=True),
    ]
    norm = np.linalg.norm
    mistakes = [
        Mistake("divide by ‖a‖ + ‖b‖: without it the number depends on the scale of the gradient.",
                lambda a, b: float(norm(np.ravel(a) - np.ravel(b)))),
        Mistake("the denominator is ‖a‖ + ‖b‖, the SUM of the two norms, not ‖a + b‖.",
                lambda a, b: float(norm(np.ravel(a) - np.ravel(b)) / norm(np.ravel(a) + np.ravel(b)))),
        Mistake("use the Euclidean norm (np.linalg.norm), not squared norms.",
                lambda a, b: float(np.sum((np.ravel(a) - np.ravel(b)) ** 2)
                                   / (np.sum(np.ravel(a) ** 2) + np.sum(np.ravel(b) ** 2)))),
        Mistake("the denominator is ‖a‖ + ‖b‖, not ‖a‖ alone (the check must not depend on which you call a).",
                lambda a, b: float(norm(np.ravel(a) - np.ravel(b)) / norm(np.ravel(a)))),
        Mistake("take the norm of the whole difference, not the mean of the element-wise differences.",
                lambda a, b: float(np.mean(np.abs(np.ravel(a) - np.ravel(b)))
                                   / (norm(np.ravel(a)) + norm(np.ravel(b))))),
    ]
    return evaluate_function(
        relative_difference, _relative_difference, cases, name="relative_difference", mistakes=mistakes,
        rtol=1e-6, atol=1e-12, check_dtype=False,
        success="Scale-free: 1e-7 means the same thing for tiny and huge gradients. (0/0 counts as 0.)",
    )


check_hidden_delta = printer(evaluate_hidden_delta)
check_two_sided_difference = printer(evaluate_two_sided_difference)
check_relative_difference = printer(evaluate_relative_difference)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"hidden_delta": 2, "two_sided_difference": 1, "relative_difference": 1}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "hidden_delta": ("backprop.backward", "tf.GradientTape"),
    "two_sided_difference": (
        "backprop.numerical_gradient", "calculus.numeric_gradient", "np.gradient", "numpy.gradient",
    ),
}
