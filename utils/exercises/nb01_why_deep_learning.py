"""Exercises of notebook 01 (why deep learning): counting parameters, counting FLOPs, accuracy."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer


def _pairs(sizes: Sequence[int]) -> list[tuple[int, int]]:
    sizes = [int(s) for s in sizes]
    return list(zip(sizes[:-1], sizes[1:]))


def _count_parameters(layer_sizes: Sequence[int]) -> int:
    return sum(n_in * n_out + n_out for n_in, n_out in _pairs(layer_sizes))


@guarded
def evaluate_count_parameters(count_parameters: Callable[[Sequence[int]], int]) -> Result:
    """Evaluate a learner's ``count_parameters(layer_sizes)``: weights plus biases of a dense stack."""
    cases = [Case(([3, 4, 2],)), Case(([2, 8, 1],)), Case(([2, 1],)), Case(([4, 16, 16, 3],)), Case(([784, 128, 10],))]
    mistakes = [
        Mistake("every unit also has a bias: add one parameter per unit of each layer after the inputs.",
                lambda sizes: sum(a * b for a, b in _pairs(sizes))),
        Mistake("the inputs are data, not units: they have no bias. Count a bias for each unit of the "
                "layers after the inputs only.", lambda sizes: _count_parameters(sizes) + int(sizes[0])),
        Mistake("there is one bias per unit (n_out of them), not one per input.",
                lambda sizes: sum(a * b + a for a, b in _pairs(sizes))),
        Mistake("a layer's weights form an n_in × n_out matrix: multiply the sizes of consecutive layers, "
                "do not add them.", lambda sizes: sum(a + b + b for a, b in _pairs(sizes))),
        Mistake("count every pair of consecutive layers, including the last one (the output layer).",
                lambda sizes: _count_parameters(list(sizes)[:-1]) if len(sizes) > 2 else 0),
    ]
    return evaluate_function(
        count_parameters, _count_parameters, cases, name="count_parameters", mistakes=mistakes,
        check_dtype=False, integer=True, success="Keras' model.summary() counts exactly the same way.",
    )


def _matmul_flops(n: int, k: int, m: int) -> int:
    return 2 * n * k * m


@guarded
def evaluate_matmul_flops(matmul_flops: Callable[[int, int, int], int]) -> Result:
    """Evaluate a learner's ``matmul_flops(n, k, m)``: operations in an (n×k) @ (k×m) product."""
    cases = [Case((2, 3, 7)), Case((1, 5, 1)), Case((64, 32, 16)), Case((1000, 1000, 1000))]
    mistakes = [
        Mistake("each of the k terms needs a multiplication AND an addition: that is 2 operations per term.",
                lambda n, k, m: n * k * m),
        Mistake("count k additions per entry (accumulating into a running total that starts at 0), "
                "as the prompt asks: 2·k operations per entry.", lambda n, k, m: (2 * k - 1) * n * m),
        Mistake("the result has n × m entries and each needs k multiply-adds; you forgot the factor k.",
                lambda n, k, m: 2 * n * m),
        Mistake("n·k + k·m counts the numbers in the two inputs, not the work: each of the n × m outputs "
                "needs k multiply-adds.", lambda n, k, m: n * k + k * m),
        Mistake("the operations multiply: n × m entries, each 2·k operations (you added them).",
                lambda n, k, m: 2 * (n + k + m)),
    ]
    return evaluate_function(
        matmul_flops, _matmul_flops, cases, name="matmul_flops", mistakes=mistakes, check_dtype=False,
        integer=True, success="A 1000 × 1000 product is two billion operations, independent of each other: ideal for parallel hardware.",
    )


def _accuracy(y_true: Any, y_prob: Any) -> float:
    y, p = np.asarray(y_true, dtype=np.float64), np.asarray(y_prob, dtype=np.float64)
    return float(np.mean((p >= 0.5) == (y == 1)))


@guarded
def evaluate_accuracy(accuracy: Callable[[Any, Any], float]) -> Result:
    """Evaluate a learner's ``accuracy(y_true, y_prob)``: share of correct 0/1 decisions at threshold 0.5."""
    cases = [
        Case((np.array([1, 0, 1, 0]), np.array([0.9, 0.2, 0.4, 0.3]))),  # 3 of 4 right: not 0.5
        Case((np.array([1, 1, 0, 0, 1]), np.array([0.5, 0.8, 0.1, 0.49, 0.95]))),
        Case((np.array([0, 1, 1, 0, 1, 0, 0]), np.array([0.3, 0.6, 0.2, 0.5, 0.99, 0.01, 0.45]))),
    ]
    mistakes = [
        Mistake("accuracy is a fraction: divide the number of correct answers by the number of examples "
                "(np.mean of the True/False array does both).",
                lambda y, p: float(np.sum((p >= 0.5) == (y == 1)))),
        Mistake("that is the error rate (the share of WRONG answers); accuracy is 1 minus it.",
                lambda y, p: 1 - _accuracy(y, p)),
        Mistake("a probability of exactly 0.5 counts as class 1: use >= 0.5, not > 0.5.",
                lambda y, p: float(np.mean((p > 0.5) == (y == 1)))),
        Mistake("turn probabilities into 0/1 decisions first (p >= 0.5), then compare with the labels.",
                lambda y, p: float(np.mean(y == p))),
        Mistake("the mean probability is not an accuracy: threshold at 0.5 and compare with the labels.",
                lambda y, p: float(np.mean(p))),
        Mistake("return one number for the whole data set, not one True/False per example.",
                lambda y, p: ((p >= 0.5) == (y == 1)).astype(float)),
    ]
    return evaluate_function(
        accuracy, _accuracy, cases, name="accuracy", mistakes=mistakes, check_dtype=False,
        success="This is what Keras reports as 'accuracy' for a sigmoid output.",
    )


check_count_parameters = printer(evaluate_count_parameters)
check_matmul_flops = printer(evaluate_matmul_flops)
check_accuracy = printer(evaluate_accuracy)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"count_parameters": 2, "matmul_flops": 2, "accuracy": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "count_parameters": ("count_params",),
    "accuracy": ("keras.metrics", "sklearn.metrics", "networks.accuracy"),
}
