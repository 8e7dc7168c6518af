"""Exercises of notebook 06 (TensorFlow fundamentals): accuracy from logits, MSE with shapes, gradients with a tape."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import FAIL, Case, Mistake, Result, evaluate_function, guarded, printer


def _float(a: Any) -> np.ndarray:
    if hasattr(a, "numpy") and callable(a.numpy):
        a = a.numpy()
    return np.asarray(a, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Exercise 1: accuracy from logits (argmax, cast, reduce_mean)
# ---------------------------------------------------------------------------------------------

def _accuracy(logits: Any, labels: Any) -> float:
    return float(np.mean(np.argmax(_float(logits), axis=1) == np.asarray(labels)))


def _accuracy_cases() -> list[Case]:
    rng = np.random.default_rng(6)
    # The first case is square (4 samples, 4 classes) so that a wrong axis still gives a number.
    square = np.array([[2.0, 0.1, -1.0, 0.3], [0.2, 0.1, 3.0, -0.5], [1.5, 2.5, 0.0, 0.1], [0.0, -1.0, 0.5, 0.4]],
                      dtype=np.float32)
    cases = [Case((square, np.array([0, 2, 2, 2])))]
    for n, k in ((10, 3), (25, 5)):
        logits = rng.normal(size=(n, k)).astype(np.float32)
        labels = np.argmax(logits, axis=1)
        flip = rng.choice(n, size=n // 3, replace=False)
        labels[flip] = (labels[flip] + 1) % k
        cases.append(Case((logits, labels)))
    return cases


@guarded
def evaluate_accuracy_from_logits(accuracy_from_logits: Callable[[Any, Any], Any]) -> Result:
    """Evaluate a learner's ``accuracy_from_logits(logits, labels)``: share of rows whose argmax is the label."""
    mistakes = [
        Mistake("take the argmax along axis 1 (over the classes of each row), not axis 0.",
                lambda logits, labels: float(np.mean(np.argmax(logits, axis=0) == labels))),
        Mistake("the mean of integers is an integer in TensorFlow (0 here): tf.cast the matches to float32 "
                "before tf.reduce_mean.",
                lambda logits, labels: np.int64(np.mean(np.argmax(logits, axis=1) == labels) // 1)),
        Mistake("accuracy is the *share* of correct rows: use tf.reduce_mean, not tf.reduce_sum.",
                lambda logits, labels: float(np.sum(np.argmax(logits, axis=1) == labels))),
        Mistake("the predicted class has the *largest* score: tf.argmax, not tf.argmin.",
                lambda logits, labels: float(np.mean(np.argmin(logits, axis=1) == labels))),
        Mistake("return one number, the mean of the per-row matches, not the matches themselves.",
                lambda logits, labels: (np.argmax(logits, axis=1) == labels).astype(np.float64)),
    ]
    return evaluate_function(
        accuracy_from_logits, _accuracy, _accuracy_cases(), name="accuracy_from_logits", mistakes=mistakes,
        rtol=1e-6, atol=1e-6, success="argmax picks each row's class; the mean of the matches is the accuracy.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: mean squared error when the model outputs shape (n, 1)
# ---------------------------------------------------------------------------------------------

def _mse(y_true: Any, y_pred: Any) -> float:
    return float(np.mean((_float(y_true).ravel() - _float(y_pred).ravel()) ** 2))


def _mse_cases() -> list[Case]:
    rng = np.random.default_rng(16)
    cases = [Case((np.array([1.0, 2.0, 3.0], dtype=np.float32), np.array([[1.5], [1.0], [3.0]], dtype=np.float32)))]
    for n in (8, 20):
        y = rng.normal(3.0, 1.0, size=n).astype(np.float32)
        cases.append(Case((y, (y + rng.normal(0.5, 0.8, size=n)).astype(np.float32)[:, None])))
    return cases


@guarded
def evaluate_mse(mse: Callable[[Any, Any], Any]) -> Result:
    """Evaluate a learner's ``mse(y_true, y_pred)`` with y_true of shape (n,) and y_pred of shape (n, 1)."""
    mistakes = [
        Mistake("y_true has shape (n,) and y_pred (n, 1): subtracting them broadcasts to an (n, n) table of "
                "every pair. Reshape y_pred to (n,) first (tf.reshape(y_pred, [-1]) or tf.squeeze(y_pred, axis=1)).",
                lambda y, p: float(np.mean((y[None, :] - p) ** 2))),
        Mistake("the cost is the mean of the squared errors (tf.reduce_mean), not their sum.",
                lambda y, p: float(np.sum((y - p.ravel()) ** 2))),
        Mistake("square the errors (tf.square): positive and negative errors must not cancel.",
                lambda y, p: float(np.mean(y - p.ravel()))),
        Mistake("that is the mean *absolute* error; the MSE squares the errors.",
                lambda y, p: float(np.mean(np.abs(y - p.ravel())))),
        Mistake("that is the root of the MSE (RMSE): leave out the square root.",
                lambda y, p: float(np.sqrt(np.mean((y - p.ravel()) ** 2)))),
        Mistake("return one number (reduce over all samples), not one squared error per sample.",
                lambda y, p: (y - p.ravel()) ** 2),
    ]
    return evaluate_function(
        mse, _mse, _mse_cases(), name="mse", mistakes=mistakes, rtol=1e-5, atol=1e-6,
        success="Shapes matched, errors squared, then averaged.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: gradients of a line's MSE with tf.GradientTape
# ---------------------------------------------------------------------------------------------

def _line_gradients(w: float, b: float, x: Any, y: Any) -> np.ndarray:
    x, y = _float(x), _float(y)
    error = w * x + b - y
    return np.array([np.mean(2 * error * x), np.mean(2 * error)])


def _as_pair(result: Any) -> Any:
    """A learner's (dL/dw, dL/db) as a float array (a missing gradient, None, shows as NaN)."""
    if isinstance(result, (tuple, list)):
        return np.array([np.nan if g is None else float(np.squeeze(_float(g))) for g in result])
    return None if result is None else _float(result)


def _gradient_cases() -> list[Case]:
    rng = np.random.default_rng(26)
    x = rng.uniform(0.5, 4.0, size=12).astype(np.float32)
    y = (1.2 * x + 0.4 + rng.normal(0, 0.2, size=12)).astype(np.float32)
    return [
        Case((0.5, 0.25, np.array([1.0, 2.0, 3.0], dtype=np.float32), np.array([2.0, 2.5, 4.0], dtype=np.float32))),
        Case((-0.3, 1.0, x, y)),
        Case((2.0, -0.5, x, y)),
    ]


@guarded
def evaluate_line_gradients(line_gradients: Callable[[float, float, Any, Any], Any]) -> Result:
    """Evaluate a learner's ``line_gradients(w, b, x, y)``: (∂L/∂w, ∂L/∂b) of L = mean((w·x + b − y)²)."""
    if not callable(line_gradients):
        return Result(False, f"{FAIL} line_gradients should be a function, but it is a {type(line_gradients).__name__}.")
    first = _gradient_cases()[0]
    try:
        probe = line_gradients(*first.args)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - the learner sees the error, not a traceback
        return Result(False, f"{FAIL} line_gradients raised {type(error).__name__}: {error}.")
    if isinstance(probe, (tuple, list)) and len(probe) == 2 and any(g is None for g in probe):
        return Result(False, (
            f"{FAIL} a gradient came back as None. Hint: the tape only tracks tf.Variable objects (or tensors "
            "you tape.watch), and only operations run *inside* the `with tf.GradientTape()` block."
        ))

    def adapted(*args: Any) -> Any:
        return _as_pair(line_gradients(*args))

    mistakes = [
        Mistake("the gradient points uphill; you returned its negative (the update direction).",
                lambda *a: -_line_gradients(*a)),
        Mistake("the derivative of e² is 2e: you lost the factor 2 (or used half the squared error).",
                lambda *a: _line_gradients(*a) / 2),
        Mistake("the loss is the mean of the squared errors, so its gradient is a mean too, not a sum.",
                lambda w, b, x, y: _line_gradients(w, b, x, y) * len(x)),
        Mistake("return (∂L/∂w, ∂L/∂b) in that order: yours are swapped.",
                lambda *a: _line_gradients(*a)[::-1]),
    ]
    return evaluate_function(
        adapted, _line_gradients, _gradient_cases(), name="line_gradients", mistakes=mistakes,
        rtol=1e-4, atol=1e-5, success="The tape recorded the forward pass and played it back for the gradients.",
    )


check_accuracy_from_logits = printer(evaluate_accuracy_from_logits)
check_mse = printer(evaluate_mse)
check_line_gradients = printer(evaluate_line_gradients)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"accuracy_from_logits": 2, "mse": 1, "line_gradients": 3}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "accuracy_from_logits": ("keras.metrics", "tf.metrics", "sklearn.metrics"),
    "mse": (
        "keras.losses", "keras.metrics", "tf.losses", "tf.metrics", "sklearn.metrics",
        "batching.mse_cost",
    ),
}
