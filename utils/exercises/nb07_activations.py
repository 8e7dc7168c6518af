"""Exercises of notebook 07 (activation functions): collapse linear layers, tanh's derivative, a stable softmax."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import FAIL, PASS, Case, Mistake, Result, evaluate_function, evaluate_value, guarded, printer
from utils.foundations.networks import sigmoid as _sigmoid

# ---------------------------------------------------------------------------------------------
# Exercise 1: two linear layers are one linear layer
# ---------------------------------------------------------------------------------------------


def _collapse_cases() -> list[tuple[np.ndarray, ...]]:
    rng = np.random.default_rng(7)
    # The first case is square so that multiplying in the wrong order still gives a matrix to compare.
    return [
        (rng.normal(size=(3, 3)), rng.normal(size=3), rng.normal(size=(3, 3)), rng.normal(size=3)),
        (rng.normal(size=(2, 4)), rng.normal(size=4), rng.normal(size=(4, 3)), rng.normal(size=3)),
        (rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=(3, 1)), rng.normal(size=1)),
    ]


@guarded
def evaluate_collapse(collapse: Callable[..., Any]) -> Result:
    """Evaluate ``collapse(W1, b1, W2, b2) -> (W, b)`` with (x @ W1 + b1) @ W2 + b2 == x @ W + b."""
    if not callable(collapse):
        return Result(False, f"{FAIL} collapse should be a function, but it is a {type(collapse).__name__}.")
    for W1, b1, W2, b2 in _collapse_cases():
        where = f" (W1 {W1.shape}, W2 {W2.shape})"
        try:
            answer = collapse(W1.copy(), b1.copy(), W2.copy(), b2.copy())
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - the learner sees the error, not a traceback
            return Result(False, f"{FAIL} collapse raised {type(error).__name__}: {error}{where}.")
        if not isinstance(answer, (tuple, list)) or len(answer) != 2:
            return Result(False, f"{FAIL} collapse should return two things, `return W, b`; got {type(answer).__name__}.")
        W, b = answer
        square = W1.shape == W2.shape
        w_mistakes = []
        if square:  # these wrong answers only have the right shape when the matrices are square
            w_mistakes += [Mistake("x meets W1 first: the combined matrix is W1 @ W2, not W2 @ W1.", W2 @ W1),
                           Mistake("`*` multiplies element by element; compose layers with the matrix product `@`.", W1 * W2)]
        result = evaluate_value(W, W1 @ W2, name="W" + where, mistakes=w_mistakes, rtol=1e-9, atol=1e-9)
        if not result:
            return result
        b_mistakes = [
            Mistake("you dropped b1: it goes through W2, giving b1 @ W2, and then b2 is added.", b2),
            Mistake("you dropped b2: after b1 @ W2, the second layer still adds its own bias b2.", b1 @ W2),
        ]
        if square:  # these wrong answers only have the right shape when the matrices are square
            b_mistakes += [
                Mistake("b1 also passes through the second layer: b = b1 @ W2 + b2, not b1 + b2.", b1 + b2),
                Mistake("b1 is a row like x, so it is multiplied as b1 @ W2, not W2 @ b1.", W2 @ b1 + b2),
            ]
        result = evaluate_value(b, b1 @ W2 + b2, name="b" + where, mistakes=b_mistakes, rtol=1e-9, atol=1e-9)
        if not result:
            return result
    return Result(True, f"{PASS} collapse is right on all 3 hidden layer pairs. Two linear layers are one "
                        "linear layer: depth buys nothing without a non-linearity.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: the derivative of tanh
# ---------------------------------------------------------------------------------------------


@guarded
def evaluate_tanh_derivative(tanh_derivative: Callable[[Any], Any]) -> Result:
    """Evaluate a learner's ``tanh_derivative(x)`` = 1 − tanh(x)², element-wise."""
    cases = [
        Case((0.5,)),
        Case((np.array([-3.0, -1.0, 0.0, 0.25, 2.0]),)),
        Case((np.array([[-0.5, 1.5], [4.0, -6.0]]),)),
    ]
    mistakes = [
        Mistake("square tanh: the derivative is 1 − tanh(x)², not 1 − tanh(x).", lambda x: 1 - np.tanh(x)),
        Mistake("tanh(x)·(1 − tanh(x)) is the *sigmoid's* pattern; for tanh it is 1 − tanh(x)².",
                lambda x: np.tanh(x) * (1 - np.tanh(x))),
        Mistake("mind the sign: 1 − tanh(x)², not 1 + tanh(x)².", lambda x: 1 + np.tanh(x) ** 2),
        Mistake("that is the sigmoid's derivative σ(x)(1 − σ(x)); tanh's is 1 − tanh(x)².",
                lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
        Mistake("you returned tanh itself, not its slope.", np.tanh),
    ]
    return evaluate_function(
        tanh_derivative, lambda x: 1 - np.tanh(np.asarray(x, dtype=np.float64)) ** 2, cases,
        name="tanh_derivative", mistakes=mistakes,
        success="Its peak is 1 at x = 0 (four times the sigmoid's 0.25), and it still vanishes at the flat ends.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: a numerically stable, row-wise softmax
# ---------------------------------------------------------------------------------------------

def _softmax(z: Any) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@guarded
def evaluate_softmax(softmax: Callable[[Any], Any]) -> Result:
    """Evaluate a learner's row-wise ``softmax(z)`` on ordinary scores, then on huge ones (overflow)."""
    ordinary = [
        Case((np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]),)),  # two rows: per-row sums show
        Case((np.array([[2.0, 1.0, 0.1], [0.5, 0.5, 3.0], [-1.0, 0.0, 1.0]]),)),
        Case((np.array([[1.0, -2.0, 0.3, 0.0], [3.0, 1.0, 1.0, -1.0]]),)),
    ]
    mistakes = [
        Mistake("normalise each *row* (one sample's scores): sum with axis=1, keepdims=True.",
                lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True)),
        Mistake("normalise each row separately, not the whole matrix at once (sum with axis=1, keepdims=True).",
                lambda z: np.exp(z) / np.exp(z).sum()),
        Mistake("exponentiate first: softmax is e^z / Σ e^z, not z / Σ z.",
                lambda z: z / z.sum(axis=1, keepdims=True)),
        Mistake("the sigmoid squashes each score on its own; softmax makes each row sum to 1.", _sigmoid),
    ]
    result = evaluate_function(softmax, _softmax, ordinary, name="softmax", mistakes=mistakes,
                               success="")
    if not result:
        return result
    huge = Case((np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]]),))
    result = evaluate_function(softmax, _softmax, [huge], name="softmax", mistakes=[])
    if not result:
        return Result(False, (
            f"{result.message} Hint: e^1000 overflows to inf. Subtract each row's maximum before exp "
            "(z - z.max(axis=1, keepdims=True)): the result is the same, and the largest exponent is e^0 = 1."
        ))
    return Result(True, f"{PASS} softmax passes all 4 hidden tests, including scores of 1000 that overflow a naive exp. "
                        "Each row is now a probability distribution.")


check_collapse = printer(evaluate_collapse)
check_tanh_derivative = printer(evaluate_tanh_derivative)
check_softmax = printer(evaluate_softmax)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"collapse": 3, "tanh_derivative": 1, "softmax": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "tanh_derivative": ("tf.GradientTape", "np.gradient", "numpy.gradient"),
    "softmax": (
        "scipy.special", "tf.nn.softmax", "tf.math.softmax", "keras.activations", "keras.ops",
        "keras.layers",
    ),
}
