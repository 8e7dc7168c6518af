"""Exercises of notebook 12 (handwritten digits with dense networks)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.training import digits


def _images(seed: int, n: int, size: int, top: int = 255) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, top + 1, size=(n, size, size)).astype(np.uint8)


def _flatten(images: Any) -> np.ndarray:
    return digits.flatten_and_scale(images)


@guarded
def evaluate_flatten_and_scale(flatten_and_scale: Callable[[Any], Any]) -> Result:
    """Evaluate ``flatten_and_scale(images)``: (n, h, w) grey levels -> (n, h·w) floats in [0, 1]."""
    first = np.array([[[0, 51, 102], [153, 204, 250], [10, 20, 30]],
                      [[250, 0, 5], [60, 70, 80], [90, 100, 110]]], dtype=np.uint8)
    cases = [Case((first,)), Case((_images(1, 4, 5),)), Case((_images(2, 3, 28),))]
    n = len
    mistakes = [
        Mistake("divide the grey levels by 255 so the pixels lie in [0, 1]; you flattened but did not scale.",
                lambda im: np.asarray(im).reshape(n(im), -1)),
        Mistake("use true division (/ 255): integer division (//) turns every pixel below 255 into 0.",
                lambda im: np.asarray(im).reshape(n(im), -1) // 255),
        Mistake("the largest grey level is 255, so divide by 255, not 256.",
                lambda im: np.asarray(im).reshape(n(im), -1) / 256),
        Mistake("divide by 255, the largest possible grey level, not by this batch's maximum: "
                "then every batch (and every test image) is scaled the same way.",
                lambda im: np.asarray(im).reshape(n(im), -1) / np.asarray(im).max()),
        Mistake("keep one row per image: reshape to (n, height·width), e.g. images.reshape(len(images), -1); "
                "reshape(-1) flattens the whole batch into one long vector.",
                lambda im: np.asarray(im).reshape(-1) / 255),
        Mistake("flatten each image row by row (NumPy's default order); you flattened column by column "
                "(a transposed image).",
                lambda im: np.asarray(im).transpose(0, 2, 1).reshape(n(im), -1) / 255),
    ]
    return evaluate_function(
        flatten_and_scale, _flatten, cases, name="flatten_and_scale", mistakes=mistakes,
        success="784 numbers in [0, 1] per digit: the input a Dense layer expects.",
    )


def _weights(seed: int, n: int, n_in: int, n_hidden: int, n_out: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, n_in)), rng.normal(size=(n_in, n_hidden)), rng.normal(size=n_hidden),
            rng.normal(size=(n_hidden, n_out)), rng.normal(size=n_out))


def _forward(x: Any, W1: Any, b1: Any, W2: Any, b2: Any) -> np.ndarray:
    return digits.forward_probabilities(x, W1, b1, W2, b2)


def _logits(x: Any, W1: Any, b1: Any, W2: Any, b2: Any, hidden: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    return hidden(np.asarray(x) @ W1 + b1) @ W2 + b2


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, z)


@guarded
def evaluate_forward_probabilities(forward_probabilities: Callable[..., Any]) -> Result:
    """Evaluate ``forward_probabilities(x, W1, b1, W2, b2)``: softmax(relu(x·W1 + b1)·W2 + b2)."""
    cases = [Case(_weights(12, 3, 4, 5, 3)), Case(_weights(5, 6, 8, 4, 10)), Case(_weights(7, 2, 3, 6, 4))]
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    mistakes = [
        Mistake("apply ReLU, max(0, z), to the hidden layer: without it the two layers collapse into one "
                "linear layer.", lambda x, W1, b1, W2, b2: digits.softmax(_logits(x, W1, b1, W2, b2, lambda z: z))),
        Mistake("the hidden layer uses ReLU, max(0, z), not the sigmoid.",
                lambda x, W1, b1, W2, b2: digits.softmax(_logits(x, W1, b1, W2, b2, sigmoid))),
        Mistake("turn the output scores into probabilities with softmax: each row should sum to 1.",
                lambda x, W1, b1, W2, b2: _logits(x, W1, b1, W2, b2, _relu)),
        Mistake("softmax runs over each ROW (one example's 10 scores, axis=1); you normalised each column.",
                lambda x, W1, b1, W2, b2: digits.softmax(_logits(x, W1, b1, W2, b2, _relu).T).T),
        Mistake("with 10 classes the output is softmax, not a sigmoid per class (rows must sum to 1).",
                lambda x, W1, b1, W2, b2: sigmoid(_logits(x, W1, b1, W2, b2, _relu))),
        Mistake("add the hidden bias b1 before the ReLU.",
                lambda x, W1, b1, W2, b2: digits.softmax(_relu(np.asarray(x) @ W1) @ W2 + b2)),
        Mistake("add the output bias b2 before the softmax.",
                lambda x, W1, b1, W2, b2: digits.softmax(_relu(np.asarray(x) @ W1 + b1) @ W2)),
        Mistake("return the probabilities, one row of class probabilities per example, not the predicted labels "
                "(argmax comes later).", lambda x, W1, b1, W2, b2: np.argmax(_forward(x, W1, b1, W2, b2), axis=1)),
    ]
    return evaluate_function(
        forward_probabilities, _forward, cases, name="forward_probabilities", mistakes=mistakes, check_dtype=False,
        success="That is all a trained Dense network does at prediction time: two matrix products, ReLU, softmax.",
    )


def _confusion(y_true: Any, y_pred: Any, n_classes: int) -> np.ndarray:
    return digits.confusion_counts(np.asarray(y_true), np.asarray(y_pred), n_classes)


def _loop_counts(y_true: Any, y_pred: Any, n_classes: int, step: Callable[[np.ndarray, int, int], None]) -> np.ndarray:
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    for t, p in zip(np.asarray(y_true), np.asarray(y_pred)):
        step(matrix, int(t), int(p))
    return matrix


def _set_one(matrix: np.ndarray, t: int, p: int) -> None:
    matrix[t, p] = 1


@guarded
def evaluate_confusion_counts(confusion_counts: Callable[[Any, Any, int], Any]) -> Result:
    """Evaluate ``confusion_counts(y_true, y_pred, n_classes)``: row = true class, column = predicted."""
    rng = np.random.default_rng(3)
    cases = [
        Case((np.array([0, 0, 1, 2, 2, 2, 1, 0]), np.array([0, 1, 1, 2, 0, 2, 2, 1]), 4)),
        Case((rng.integers(0, 10, 50), rng.integers(0, 10, 50), 10)),
        Case((np.array([1, 1, 0]), np.array([1, 1, 1]), 2)),
    ]
    mistakes = [
        Mistake("rows are the TRUE class and columns the PREDICTED one; your matrix is transposed.",
                lambda t, p, k: _confusion(t, p, k).T),
        Mistake("add 1 for every example (+= 1): setting the cell to 1 forgets repeated pairs.",
                lambda t, p, k: _loop_counts(t, p, k, _set_one)),
        Mistake("return counts, not fractions of each row (normalise later, for plotting).",
                lambda t, p, k: _confusion(t, p, k) / np.maximum(_confusion(t, p, k).sum(axis=1, keepdims=True), 1)),
        Mistake("make the matrix n_classes × n_classes: a class that never occurs in this batch still gets "
                "its row and column (of zeros).",
                lambda t, p, k: _confusion(t, p, int(max(np.max(t), np.max(p))) + 1)),
    ]
    return evaluate_function(
        confusion_counts, _confusion, cases, name="confusion_counts", mistakes=mistakes, integer=True,
        axes=("true class", "predicted class"),
        success="The diagonal holds the right answers; every other cell names a specific confusion.",
    )


check_flatten_and_scale = printer(evaluate_flatten_and_scale)
check_forward_probabilities = printer(evaluate_forward_probabilities)
check_confusion_counts = printer(evaluate_confusion_counts)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"flatten_and_scale": 1, "forward_probabilities": 2, "confusion_counts": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "flatten_and_scale": (),
    "forward_probabilities": ("keras", "tensorflow", "scipy.special.softmax"),
    "confusion_counts": ("sklearn.metrics", "tensorflow.math.confusion_matrix"),
}
