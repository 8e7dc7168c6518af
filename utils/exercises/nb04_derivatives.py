"""Exercises of notebook 04 (derivatives): a finite-difference slope, a gradient, the chain rule."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer


def _cube(x: Any) -> Any:
    return np.asarray(x, dtype=np.float64) ** 3


def _central(f: Callable[[Any], Any], x: float, h: float) -> Any:
    return (f(x + h) - f(x - h)) / (2 * h)


@guarded
def evaluate_central_difference(central_difference: Callable[[Callable, float, float], Any]) -> Result:
    """Evaluate a learner's ``central_difference(f, x, h)`` = (f(x + h) − f(x − h)) / 2h."""
    # Large steps on curved functions, so every mistaken formula gives a visibly different number.
    cases = [
        Case((_cube, 2.0, 0.25)),  # 2h ≠ 1, so a missing / 2h shows
        Case((np.exp, 1.0, 0.25)),
        Case((np.sin, 0.3, 0.4)),
        Case((_cube, np.array([-1.0, 0.5, 3.0]), 0.1)),
    ]
    mistakes = [
        Mistake("that is the forward difference (f(x + h) − f(x)) / h; step both ways: f(x + h) − f(x − h).",
                lambda f, x, h: (f(x + h) - f(x)) / h),
        Mistake("that is the backward difference; the central one uses f(x + h) − f(x − h).",
                lambda f, x, h: (f(x) - f(x - h)) / h),
        Mistake("the two points are 2h apart, so divide by 2h, not h.", lambda f, x, h: (f(x + h) - f(x - h)) / h),
        Mistake("the sign is flipped: it is f(x + h) − f(x − h), the later point first.",
                lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h)),
        Mistake("divide by 2h as a whole: `/ 2 * h` multiplies by h; write `/ (2 * h)`.",
                lambda f, x, h: (f(x + h) - f(x - h)) / 2 * h),
        Mistake("a slope is rise over run: divide the difference by 2h.", lambda f, x, h: f(x + h) - f(x - h)),
    ]
    return evaluate_function(
        central_difference, _central, cases, name="central_difference", mistakes=mistakes, rtol=1e-9, atol=1e-12,
        success="Its error shrinks like h², much faster than the one-sided difference.",
    )


def _gradient(x: Any, y: Any) -> np.ndarray:
    return np.array([3.0 * np.asarray(x, dtype=np.float64) ** 2, 2.0 * np.asarray(y, dtype=np.float64)])


@guarded
def evaluate_gradient(gradient: Callable[[float, float], Any]) -> Result:
    """Evaluate a learner's ``gradient(x, y)`` of f(x, y) = x³ + y²: the array [∂f/∂x, ∂f/∂y]."""
    cases = [Case((2.0, -3.0)), Case((1.0, 1.0)), Case((-1.5, 0.5)), Case((0.0, 4.0))]
    mistakes = [
        Mistake("the order is [∂f/∂x, ∂f/∂y]: the x-derivative comes first.", lambda x, y: _gradient(x, y)[::-1]),
        Mistake("the power rule brings the exponent down: d(x³)/dx = 3x², not x².", lambda x, y: np.array([x**2, 2.0 * y])),
        Mistake("the power rule lowers the exponent by one: d(x³)/dx = 3x², not 3x³.", lambda x, y: np.array([3.0 * x**3, 2.0 * y])),
        Mistake("d(y²)/dy = 2y: the 2 comes down and y stays (to the power 1).", lambda x, y: np.array([3.0 * x**2, 2.0])),
        Mistake("d(y²)/dy = 2y, not y.", lambda x, y: np.array([3.0 * x**2, float(y)])),
        Mistake("d(y²)/dy = 2y, not y²: differentiate, don't copy the term.", lambda x, y: np.array([3.0 * x**2, float(y) ** 2])),
        Mistake("a partial derivative treats the other input as a constant, and a constant term's derivative is 0: "
                "∂f/∂x does not contain y.", lambda x, y: np.array([3.0 * x**2 + y**2, 2.0 * y + x**3])),
        Mistake("you returned f(x, y) itself; return its two partial derivatives.", lambda x, y: x**3 + y**2),
    ]
    return evaluate_function(
        gradient, _gradient, cases, name="gradient", mistakes=mistakes,
        success="[3x², 2y]: one partial derivative per input, each with the other input held fixed.",
    )


def _loss_slope(x: Any, y: Any, w: Any) -> Any:
    return 2.0 * (w * x - y) * x


@guarded
def evaluate_loss_slope(loss_slope: Callable[[float, float, float], Any]) -> Result:
    """Evaluate a learner's ``loss_slope(x, y, w)`` = d/dw (w·x − y)² = 2(w·x − y)·x."""
    cases = [
        Case((1.5, 3.0, 0.5)),
        Case((-1.5, 2.0, 1.2)),
        Case((3.0, -4.0, -0.7)),
        Case((np.array([1.0, 2.0, -0.5]), np.array([0.5, 1.0, 2.0]), 0.8)),
    ]
    mistakes = [
        Mistake("the chain rule multiplies by the inner derivative: d(w·x − y)/dw = x. You left out the factor x.",
                lambda x, y, w: 2.0 * (w * x - y)),
        Mistake("the outer derivative of u² is 2u: you left out the 2.", lambda x, y, w: (w * x - y) * x),
        Mistake("the sign is flipped: the error is (w·x − y), prediction minus target.",
                lambda x, y, w: 2.0 * (y - w * x) * x),
        Mistake("the inner derivative is with respect to w, so it is x, not w.", lambda x, y, w: 2.0 * (w * x - y) * w),
        Mistake("you returned the loss (w·x − y)², not its slope.", lambda x, y, w: (w * x - y) ** 2),
        Mistake("the outer derivative of u² is 2u, to the power 1: 2(w·x − y), not 2(w·x − y)².",
                lambda x, y, w: 2.0 * (w * x - y) ** 2 * x),
    ]
    return evaluate_function(
        loss_slope, _loss_slope, cases, name="loss_slope", mistakes=mistakes,
        success="Outer derivative times inner derivative: this is the step gradient descent takes in notebook 09.",
    )


check_central_difference = printer(evaluate_central_difference)
check_gradient = printer(evaluate_gradient)
check_loss_slope = printer(evaluate_loss_slope)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"central_difference": 2, "gradient": 2, "loss_slope": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "central_difference": (
        "np.gradient", "numpy.gradient", "calculus.numeric_gradient", "scipy.differentiate",
        "scipy.misc",
    ),
    "gradient": (
        "tf.GradientTape", "calculus.numeric_gradient", "calculus.bowl_gradient", "np.gradient",
        "numpy.gradient",
    ),
    "loss_slope": ("tf.GradientTape", "calculus.numeric_gradient", "np.gradient", "numpy.gradient"),
}
