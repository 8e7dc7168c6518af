"""Exercises of notebook 02 (a single neuron): sigmoid, the neuron, log loss, decision boundary."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, evaluate_value, guarded, printer
from utils.foundations.networks import sigmoid as _sigmoid

AGE_SCALE = 100.0  # notebook 02 feeds the neuron age / 100
EPSILON = 1e-7  # the clipping Keras uses for probabilities


@guarded
def evaluate_sigmoid(sigmoid: Callable[[Any], Any]) -> Result:
    """Evaluate a learner's ``sigmoid(z)`` on scalars, vectors and matrices."""
    cases = [
        Case((0.8,)),  # not 0: σ(0) = 0.5 would hide a flipped sign
        Case((np.array([-2.0, 0.0, 0.5, 3.0]),)),
        Case((np.array([[-30.0, -1.0, 1.0], [4.0, 10.0, 30.0]]),)),
    ]
    mistakes = [
        Mistake("the exponent is e^(−z): with e^(+z) the curve runs the wrong way.", lambda z: 1 / (1 + np.exp(z))),
        Mistake("the denominator is 1 + e^(−z), not 1 − e^(−z).", lambda z: 1 / (1 - np.exp(-z))),
        Mistake("e^(−z) on its own is not squashed: divide 1 by (1 + e^(−z)).", lambda z: np.exp(-z)),
        Mistake("tanh ranges over (−1, 1); the sigmoid is 1 / (1 + e^(−z)).", np.tanh),
    ]
    return evaluate_function(
        sigmoid, _sigmoid, cases, name="sigmoid", mistakes=mistakes,
        success="It squashes any real number into (0, 1).",
    )


def _neuron(X: Any, w: Any, b: float) -> Any:
    return _sigmoid(np.asarray(X, dtype=np.float64) @ np.asarray(w, dtype=np.float64) + b)


@guarded
def evaluate_neuron(neuron: Callable[[Any, Any, float], Any]) -> Result:
    """Evaluate a learner's ``neuron(X, w, b)``: sigmoid of the weighted sum plus bias, one value per row."""
    rng = np.random.default_rng(2)
    cases = [
        Case((np.array([[1.0, 2.0]]), np.array([0.5, 0.25]), 0.1)),  # X·w = 1, not 0
        Case((rng.normal(size=(5, 2)), np.array([1.5, -2.0]), -0.3)),
        Case((rng.normal(size=(4, 3)), np.array([0.2, 0.7, -1.1]), 0.8)),
    ]
    mistakes = [
        Mistake("add the bias b to the weighted sum before the sigmoid.", lambda X, w, b: _sigmoid(X @ w)),
        Mistake("apply the sigmoid to z = X·w + b; you returned z itself.", lambda X, w, b: X @ w + b),
        Mistake("the bias goes inside the sigmoid: σ(X·w + b), not σ(X·w) + b.", lambda X, w, b: _sigmoid(X @ w) + b),
        Mistake("subtracting b flips the bias: z = X·w + b.", lambda X, w, b: _sigmoid(X @ w - b)),
    ]
    return evaluate_function(
        neuron, _neuron, cases, name="neuron", mistakes=mistakes,
        references={"sigmoid": _sigmoid},  # a wrong sigmoid (exercise 1) must not mislead this hint
        success="Weighted sum, plus bias, through the sigmoid: that is a neuron.",
    )


def _log_loss(y_true: Any, y_prob: Any) -> float:
    y = np.asarray(y_true, dtype=np.float64)
    p = np.clip(np.asarray(y_prob, dtype=np.float64), EPSILON, 1 - EPSILON)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _per_sample(y: Any, p: Any) -> Any:
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


@guarded
def evaluate_log_loss(log_loss: Callable[[Any, Any], float]) -> Result:
    """Evaluate a learner's ``log_loss(y_true, y_prob)``: mean binary cross-entropy, clipped."""
    cases = [
        Case((np.array([1, 0, 1, 1]), np.array([0.9, 0.2, 0.6, 0.3]))),
        Case((np.array([0, 0, 1]), np.array([0.4, 0.7, 0.55]))),
        Case((np.array([1, 1, 1, 0, 0]), np.array([0.99, 0.8, 0.51, 0.01, 0.45]))),
        Case((np.array([1, 0, 1, 0]), np.array([1.0, 0.0, 0.0, 1.0])), finite_only=True),
    ]
    mistakes = [
        Mistake("the cost is the mean of the per-sample losses, not their sum.", lambda y, p: float(np.sum(_per_sample(y, p)))),
        Mistake("log of a probability is negative, so the formula starts with a minus sign.", lambda y, p: -_log_loss(y, p)),
        Mistake(
            "you are missing the (1 − y)·log(1 − p) term, so confident wrong 'yes' answers cost nothing.",
            lambda y, p: float(-np.mean(y * np.log(p))),
        ),
        Mistake("you are missing the y·log(p) term.", lambda y, p: float(-np.mean((1 - y) * np.log(1 - p)))),
        Mistake("use the natural logarithm (np.log), not log10.", lambda y, p: _log_loss(y, p) / np.log(10)),
        Mistake("return a single number: the mean of the per-sample losses.", _per_sample),
        Mistake("the arguments are (y_true, y_prob): you used them the other way round.", lambda y, p: _log_loss(p, y)),
    ]
    return evaluate_function(
        log_loss, _log_loss, cases, name="log_loss", mistakes=mistakes,
        success="Confident wrong answers now cost a lot, confident right ones almost nothing.",
    )


@guarded
def evaluate_boundary_age(boundary_age: float, w: float, b: float) -> Result:
    """Evaluate the age (years) where the neuron with weight ``w`` (on age/100) and bias ``b`` says 50%."""
    w, b = float(np.squeeze(w)), float(np.squeeze(b))
    expected = -b / w * AGE_SCALE
    mistakes = [
        Mistake("the model sees age / 100, so multiply your answer by 100 to get years.", -b / w),
        Mistake("solve w·x + b = 0 for x: x = −b / w (mind the sign).", b / w * AGE_SCALE),
        Mistake("x = −b / w, not −w / b.", -w / b * AGE_SCALE),
        Mistake("the model sees age / 100: multiply by 100, don't divide.", -b / w / AGE_SCALE),
    ]
    return evaluate_value(
        boundary_age, expected, name="boundary_age", mistakes=mistakes, rtol=1e-3, atol=1e-6,
        success="Older than this, the neuron predicts 'bought'.",
    )


check_sigmoid = printer(evaluate_sigmoid)
check_neuron = printer(evaluate_neuron)
check_log_loss = printer(evaluate_log_loss)
check_boundary_age = printer(evaluate_boundary_age)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"sigmoid": 1, "neuron": 2, "log_loss": 2, "boundary_age": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "sigmoid": (
        "scipy.special", "expit", "tf.sigmoid", "tf.math.sigmoid", "tf.nn.sigmoid",
        "keras.activations", "keras.ops",
    ),
    "neuron": ("networks.dense_forward", "networks.forward_pass", "keras.layers"),
    "log_loss": (
        "keras.losses", "keras.metrics", "sklearn.metrics",
        "tf.nn.sigmoid_cross_entropy_with_logits",
    ),
}
