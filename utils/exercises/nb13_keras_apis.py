"""Exercises of notebook 13 (Keras' APIs, saving and reloading, TensorBoard)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.training import keras_io


def _pairs(sizes: Sequence[int]) -> list[tuple[int, int]]:
    sizes = [int(s) for s in sizes]
    return list(zip(sizes[:-1], sizes[1:]))


@guarded
def evaluate_dense_parameter_count(dense_parameter_count: Callable[[Sequence[int]], Any]) -> Result:
    """Evaluate ``dense_parameter_count(layer_sizes)``: Σ (n_in · n_out + n_out) over consecutive widths."""
    cases = [Case(((19, 16, 8, 1),)), Case(([784, 128, 10],)), Case(((3, 1),)), Case(([5, 7, 7, 7, 2],))]
    mistakes = [
        Mistake("each Dense layer also has one bias per unit: add n_out biases to the n_in · n_out weights.",
                lambda s: sum(i * o for i, o in _pairs(s))),
        Mistake("there is one bias per OUTPUT unit (n_out), not one per input.",
                lambda s: sum(i * o + i for i, o in _pairs(s))),
        Mistake("the input is not a layer: it has no weights and no biases.",
                lambda s: keras_io.dense_parameter_count(s) + int(s[0])),
        Mistake("that counts the units (neurons), not the parameters: each layer has n_in · n_out weights "
                "plus n_out biases.", lambda s: int(sum(s))),
        Mistake("add up EVERY layer (each consecutive pair of widths), not just the first one.",
                lambda s: int(s[0]) * int(s[1]) + int(s[1])),
    ]
    return evaluate_function(
        dense_parameter_count, keras_io.dense_parameter_count, cases, name="dense_parameter_count",
        mistakes=mistakes, integer=True,
        success="The same number as model.count_params(): the summary is no longer a mystery.",
    )


def _total(losses: Sequence[float], weights: Sequence[float]) -> float:
    return keras_io.weighted_total_loss(losses, weights)


@guarded
def evaluate_total_loss(total_loss: Callable[[Sequence[float], Sequence[float]], Any]) -> Result:
    """Evaluate ``total_loss(head_losses, loss_weights)``: Σ weightᵢ · lossᵢ."""
    cases = [
        Case(([0.5, 2.0], [1.0, 0.2])),
        Case(([0.31, 0.07, 1.4], [2.0, 1.0, 0.5])),
        Case(([0.69], [1.0])),
    ]
    as_arrays = lambda l, w: (np.asarray(l, dtype=float), np.asarray(w, dtype=float))  # noqa: E731
    mistakes = [
        Mistake("multiply each head's loss by its weight before adding: the weights say how much each "
                "task counts.", lambda l, w: float(np.sum(as_arrays(l, w)[0]))),
        Mistake("Keras ADDS the weighted losses; you took their mean.",
                lambda l, w: float(np.mean(np.prod(as_arrays(l, w), axis=0)))),
        Mistake("Keras does not divide by the sum of the weights: the total is Σ wᵢ·lossᵢ, not a weighted mean.",
                lambda l, w: float(np.sum(np.prod(as_arrays(l, w), axis=0)) / np.sum(as_arrays(l, w)[1]))),
        Mistake("pair each weight with its own head: the weights are in the same order as the losses.",
                lambda l, w: float(np.sum(as_arrays(l, w)[0] * as_arrays(l, w)[1][::-1]))),
        Mistake("that is the plain mean of the head losses; weight them and add.",
                lambda l, w: float(np.mean(as_arrays(l, w)[0]))),
    ]
    return evaluate_function(
        total_loss, _total, cases, name="total_loss", mistakes=mistakes, check_dtype=False,
        success="This is the single number a multi-output model minimises (and reports as 'loss').",
    )


@guarded
def evaluate_max_abs_difference(max_abs_difference: Callable[[Any, Any], Any]) -> Result:
    """Evaluate ``max_abs_difference(a, b)``: the largest |a − b| over all elements."""
    rng = np.random.default_rng(13)
    same = rng.normal(size=(3, 2))
    cases = [
        Case((np.array([1.0, 2.0, 3.0]), np.array([2.5, 1.75, 3.25]))),
        Case((rng.normal(size=(4, 2)), rng.normal(size=(4, 2)))),
        Case((same, same.copy())),
        Case((np.array([[0.25], [0.75]], dtype=np.float32), np.array([[0.25], [0.7500001]], dtype=np.float32))),
    ]
    d = lambda a, b: np.asarray(a, dtype=float) - np.asarray(b, dtype=float)  # noqa: E731
    mistakes = [
        Mistake("take the absolute value first: a large NEGATIVE difference is as bad as a positive one.",
                lambda a, b: float(np.max(d(a, b)))),
        Mistake("the MAXIMUM difference is asked for: a mean hides one prediction that changed a lot.",
                lambda a, b: float(np.mean(np.abs(d(a, b))))),
        Mistake("take the largest difference, not the sum of all of them.",
                lambda a, b: float(np.sum(np.abs(d(a, b))))),
        Mistake("the maximum absolute difference, not the root-mean-square one.",
                lambda a, b: float(np.sqrt(np.mean(d(a, b) ** 2)))),
        Mistake("an absolute difference is asked for, not a relative one (no division by b).",
                lambda a, b: float(np.max(np.abs(d(a, b)) / np.abs(np.asarray(b, dtype=float))))),
    ]
    return evaluate_function(
        max_abs_difference, keras_io.max_abs_difference, cases, name="max_abs_difference", mistakes=mistakes,
        rtol=1e-6, atol=1e-12, check_dtype=False,
        success="0.0 means bitwise identical predictions; anything up to about 1e-7 is float32 rounding.",
    )


check_dense_parameter_count = printer(evaluate_dense_parameter_count)
check_total_loss = printer(evaluate_total_loss)
check_max_abs_difference = printer(evaluate_max_abs_difference)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"dense_parameter_count": 1, "total_loss": 1, "max_abs_difference": 1}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "dense_parameter_count": ("keras",),
    "total_loss": (),
    "max_abs_difference": (),
}
