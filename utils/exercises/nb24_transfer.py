"""Exercises of notebook 24 (transfer learning): renumber the target classes, count trainable parameters
after freezing, and pick k labelled examples per class."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.vision import transfer

# ---------------------------------------------------------------------------------------------
# Exercise 1: renumber the target classes 0, 1, ...
# ---------------------------------------------------------------------------------------------


def _relabel(labels: Any, classes: Any) -> np.ndarray:
    return transfer.relabel(np.asarray(labels), list(classes))


RELABEL_MISTAKES = [
    Mistake("subtracting the first class only works when the classes are consecutive and in order: "
            "look up each label's POSITION in classes.",
            lambda y, classes: np.asarray(y) - classes[0]),
    Mistake("subtracting the smallest class only works when the classes are consecutive and sorted: "
            "use each label's position in classes.",
            lambda y, classes: np.asarray(y) - min(classes)),
    Mistake("positions count from 0: the first class in classes becomes 0, not 1.",
            lambda y, classes: _relabel(y, classes) + 1),
    Mistake("keep the order of classes as given: the first listed class is 0, even if it is not the smallest.",
            lambda y, classes: transfer.relabel(np.asarray(y), sorted(classes))),
    Mistake("return one new label per input label (same length), not the list of classes.",
            lambda y, classes: np.arange(len(classes))),
]


@guarded
def evaluate_relabel(relabel: Callable[[Any, Any], Any]) -> Result:
    """Evaluate ``relabel(labels, classes)``: each label's position in ``classes``."""
    rng = np.random.default_rng(24)
    cases = [
        Case((np.array([7, 2, 9, 9, 2, 7, 4]), [9, 2, 7, 4])),  # not consecutive, not sorted
        Case((rng.integers(5, 10, size=20), [5, 6, 7, 8, 9])),
        Case((np.array([3, 1, 3, 8]), [8, 3, 1])),
        Case((np.array([6]), [6])),
        Case((rng.integers(0, 10, size=30), [3, 0, 9, 1, 4, 5, 8, 2, 7, 6])),
    ]
    return evaluate_function(
        relabel, _relabel, cases, name="relabel", mistakes=RELABEL_MISTAKES, check_dtype=False, integer=True,
        axes=("label",), success="The target task now looks like any 5-class problem to Keras.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: trainable and frozen parameters after freezing
# ---------------------------------------------------------------------------------------------


def _size(variable: Any) -> int:
    return int(np.prod(variable.shape))


def _leaves(model: Any) -> list[Any]:
    out = []
    for layer in model.layers:
        out.extend(_leaves(layer) if hasattr(layer, "layers") else [layer])
    return out


def _counts(model: Any, respect_layer: bool = True, respect_variable: bool = True) -> tuple[int, int]:
    trainable = frozen = 0
    for layer in _leaves(model):
        for variable in layer.weights:
            ok = (layer.trainable or not respect_layer) and (variable.trainable or not respect_variable)
            if ok:
                trainable += _size(variable)
            else:
                frozen += _size(variable)
    return trainable, frozen


def _reference_counts(model: Any) -> tuple[int, int]:
    return transfer.trainable_counts(model)


COUNT_MISTAKES = [
    Mistake("a BatchNormalization layer's moving mean and variance are never trained by gradient descent: "
            "they are non-trainable even in a trainable layer (check each weight's .trainable).",
            lambda m: _counts(m, respect_variable=False)),
    Mistake("return (trainable, non-trainable) in that order: you swapped them.",
            lambda m: _counts(m)[::-1]),
    Mistake("a frozen layer's weights still exist: count them as non-trainable, do not drop them.",
            lambda m: (_counts(m)[0], sum(_size(v) for layer in _leaves(m) if layer.trainable
                                          for v in layer.weights if not v.trainable))),
    Mistake("count the number of VALUES in each weight tensor (the product of its shape), not the tensors.",
            lambda m: (len(m.trainable_weights), len(m.non_trainable_weights))),
]


def _models() -> list[Any]:
    import keras

    def frozen_base_model(trainable: tuple[str, ...]) -> Any:
        base = transfer.build_base()
        model = transfer.build_classifier(base, 5)
        transfer.set_trainable(model, trainable)
        return model

    small = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, name="a"),
                              keras.layers.BatchNormalization(name="bn"), keras.layers.Dense(3, name="b")])
    small.get_layer("a").trainable = False
    plain = keras.Sequential([keras.Input((5,)), keras.layers.Dense(2, name="only")])
    # first: a trainable BatchNorm among frozen layers, so every modelled mistake shows
    return [frozen_base_model(("bn1", "conv2", "head")), frozen_base_model(("head",)),
            frozen_base_model(("conv2", "head")), small, plain]


@guarded
def evaluate_count_trainable(count_trainable: Callable[[Any], Any]) -> Result:
    """Evaluate ``count_trainable(model)``: (trainable, non-trainable) parameter counts."""
    cases = [Case((model,)) for model in _models()]
    return evaluate_function(
        count_trainable, _reference_counts, cases, name="count_trainable", mistakes=COUNT_MISTAKES,
        check_dtype=False, integer=True, axes=("(trainable, non-trainable)",),
        success="Your numbers are the ones model.summary() prints under 'Trainable params'.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: k labelled examples per class, seeded
# ---------------------------------------------------------------------------------------------


def _pick(labels: Any, k: int, seed: int) -> np.ndarray:
    return transfer.pick_per_class(np.asarray(labels), k, seed)


def _pick_with(labels: Any, k: int, seed: int, replace: bool = False, sort: bool = True,
               one_rng: bool = True, total: bool = False) -> np.ndarray:
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    picked = []
    for c in np.unique(labels):
        r = rng if one_rng else np.random.default_rng(seed)
        where = np.flatnonzero(labels == c)
        size = max(1, k // len(np.unique(labels))) if total else k
        picked.append(r.choice(where, size=size, replace=replace))
    out = np.concatenate(picked)
    return np.sort(out) if sort else out


PICK_MISTAKES = [
    Mistake("draw WITHOUT replacement (replace=False): an image must not be picked twice.",
            lambda y, k, s: _pick_with(y, k, s, replace=True)),
    Mistake("return the indices sorted (np.sort) so that the order does not depend on the class order.",
            lambda y, k, s: _pick_with(y, k, s, sort=False)),
    Mistake("make ONE generator np.random.default_rng(seed) before the loop and draw every class from it; "
            "a new generator per class repeats the same random positions in every class.",
            lambda y, k, s: _pick_with(y, k, s, one_rng=False)),
    Mistake("k is the number of examples PER CLASS, not in total.",
            lambda y, k, s: _pick_with(y, k, s, total=True)),
    Mistake("return the positions (indices) of the picked examples, not their labels.",
            lambda y, k, s: np.asarray(y)[_pick(y, k, s)]),
    Mistake("draw from the positions of each class (np.flatnonzero(labels == c)), not from 0..count-1.",
            lambda y, k, s: np.sort(np.concatenate([
                np.random.default_rng(s).choice(np.sum(np.asarray(y) == c), size=k, replace=False)
                for c in np.unique(y)]))),
]


@guarded
def evaluate_pick_per_class(pick_per_class: Callable[[Any, int, int], Any]) -> Result:
    """Evaluate ``pick_per_class(labels, k, seed)``: sorted indices, k per class, seeded, no repeats."""
    rng = np.random.default_rng(2024)
    shuffled = rng.permutation(np.repeat(np.arange(5), 30))
    cases = [
        Case((shuffled, 4, 7)),
        Case((np.repeat(np.arange(3), 10), 2, 0)),
        Case((rng.integers(0, 4, size=200), 10, 3)),
        Case((np.array([2, 0, 1, 0, 2, 1, 1, 0, 2]), 3, 5)),
        Case((rng.permutation(np.repeat(np.arange(10), 8)), 1, 11)),
    ]
    return evaluate_function(
        pick_per_class, _pick, cases, name="pick_per_class", mistakes=PICK_MISTAKES, check_dtype=False,
        integer=True, axes=("index",), success="Balanced, seeded and repeatable: every run sees the same few labels.",
    )


check_relabel = printer(evaluate_relabel)
check_count_trainable = printer(evaluate_count_trainable)
check_pick_per_class = printer(evaluate_pick_per_class)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"relabel": 2, "count_trainable": 2, "pick_per_class": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "relabel": ("transfer.relabel", "transfer.class_subset"),
    "count_trainable": ("transfer.trainable_counts", "count_params", "trainable_weights", "non_trainable_weights",
                        "summary"),
    "pick_per_class": ("transfer.pick_per_class",),
}
