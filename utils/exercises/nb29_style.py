"""Exercises of notebook 29 (neural style transfer): the Gram matrix, one layer's style loss and
the total-variation loss."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.vision import style

# ---------------------------------------------------------------------------------------------
# Exercise 1: the Gram matrix of feature maps (H, W, C)
# ---------------------------------------------------------------------------------------------


def _flat(features: Any) -> np.ndarray:
    array = np.asarray(features, dtype=np.float64)
    return array.reshape(-1, array.shape[-1])


def _positions(features: Any) -> int:
    shape = np.shape(features)
    return int(shape[0] * shape[1])


def _scrambled(features: Any) -> np.ndarray:
    array = np.asarray(features, dtype=np.float64)
    flat = array.reshape(array.shape[-1], -1)  # channels and positions mixed up
    return flat @ flat.T / _positions(features)


GRAM_MISTAKES = [
    Mistake("divide by the number of positions H·W, so that the Gram matrix does not grow with the "
            "image's size: G = FᵀF / (H·W).",
            lambda f: _flat(f).T @ _flat(f)),
    Mistake("divide by the number of positions H·W only, not by H·W·C: the channels are the rows and "
            "columns of G.",
            lambda f: _flat(f).T @ _flat(f) / np.size(f)),
    Mistake("FFᵀ compares positions with positions, an (H·W × H·W) matrix; the Gram matrix compares "
            "channels with channels: FᵀF, (C × C).",
            lambda f: _flat(f) @ _flat(f).T / _positions(f)),
    Mistake("reshape to (H·W, C), one row per position: features.reshape(C, -1) cuts the array in "
            "the wrong places and mixes positions with channels.",
            _scrambled),
    Mistake("the Gram matrix does not subtract each channel's mean (that would be a covariance, as "
            "np.cov computes): use the raw products.",
            lambda f: np.cov(_flat(f).T, bias=True)),
]


def _gram_cases() -> list[Case]:
    rng = np.random.default_rng(29)
    relu = lambda a: np.maximum(a, 0.0)  # noqa: E731 - features after a ReLU are non-negative
    return [
        Case((relu(rng.normal(0.3, 1.0, size=(5, 4, 3))),)),  # H ≠ W, positive mean
        Case((rng.normal(size=(6, 6, 4)),)),
        Case((relu(rng.normal(size=(3, 7, 5))),)),
        Case((rng.uniform(0, 2, size=(2, 2, 2)),)),
        Case((relu(rng.normal(1.0, 1.0, size=(8, 5, 6))),)),
    ]


@guarded
def evaluate_gram_matrix(gram_matrix: Callable[[Any], Any]) -> Result:
    """Evaluate ``gram_matrix(features)``: G = FᵀF / (H·W) for feature maps (H, W, C)."""
    return evaluate_function(
        gram_matrix, style.gram_matrix, _gram_cases(), name="gram_matrix", mistakes=GRAM_MISTAKES,
        check_dtype=False, axes=("channel", "channel"),
        success="G[i, j] is how much channels i and j fire together, averaged over the image.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: the style loss of one layer
# ---------------------------------------------------------------------------------------------


def _gram_gap(features: Any, target: Any) -> tuple[np.ndarray, int]:
    gap = style.gram_matrix(features) - np.asarray(target, dtype=np.float64)
    return gap, gap.shape[0]


def _raw_gram(features: Any) -> np.ndarray:
    return _flat(features).T @ _flat(features)


STYLE_MISTAKES = [
    Mistake("Gatys et al.'s layer loss has the factor 1/4: Σ (G − A)² / (4 C²); yours is four times too big.",
            lambda f, a: float(np.mean(_gram_gap(f, a)[0] ** 2))),
    Mistake("normalise the sum of squares by 4 C² (C = number of channels); you returned the bare sum.",
            lambda f, a: float(np.sum(_gram_gap(f, a)[0] ** 2))),
    Mistake("divide by 4 C², the number of entries of G times 4, not by 4 C.",
            lambda f, a: float(np.sum(_gram_gap(f, a)[0] ** 2) / (4 * _gram_gap(f, a)[1]))),
    Mistake("square the differences G − A before adding them up (absolute values give another loss).",
            lambda f, a: float(np.sum(np.abs(_gram_gap(f, a)[0])) / (4 * _gram_gap(f, a)[1] ** 2))),
    Mistake("the loss is the SQUARED distance Σ (G − A)², not its square root (the Frobenius norm).",
            lambda f, a: float(np.sqrt(np.sum(_gram_gap(f, a)[0] ** 2)) / (4 * _gram_gap(f, a)[1] ** 2))),
    Mistake("compare the Gram matrix of the features, G = gram_matrix(features), with target_gram; "
            "FᵀF without the 1/(H·W) is on another scale.",
            lambda f, a: float(np.sum((_raw_gram(f) - np.asarray(a)) ** 2) / (4 * np.shape(f)[-1] ** 2))),
]


def _style_cases() -> list[Case]:
    rng = np.random.default_rng(290)
    relu = lambda a: np.maximum(a, 0.0)  # noqa: E731
    cases = []
    for shape in ((4, 6, 3), (5, 5, 4), (3, 3, 2), (6, 4, 5), (2, 7, 3)):
        features = relu(rng.normal(0.5, 1.0, size=shape))
        target = style.gram_matrix(relu(rng.normal(0.2, 1.2, size=(7, 7, shape[-1]))))
        cases.append(Case((features, target)))
    return cases


@guarded
def evaluate_style_layer_loss(style_layer_loss: Callable[[Any, Any], Any]) -> Result:
    """Evaluate ``style_layer_loss(features, target_gram)``: Σ (G − A)² / (4 C²)."""
    return evaluate_function(
        style_layer_loss, style.style_layer_loss, _style_cases(), name="style_layer_loss",
        mistakes=STYLE_MISTAKES, check_dtype=False, references={"gram_matrix": style.gram_matrix},
        success="Summed over the style layers, this is what the optimisation drives down.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: total variation, as tf.image.total_variation
# ---------------------------------------------------------------------------------------------


def _rows(x: Any) -> float:
    return float(np.abs(np.diff(np.asarray(x, dtype=np.float64), axis=0)).sum())


def _columns(x: Any) -> float:
    return float(np.abs(np.diff(np.asarray(x, dtype=np.float64), axis=1)).sum())


def _wrapped(x: Any) -> float:
    x = np.asarray(x, dtype=np.float64)
    return float(np.abs(np.roll(x, -1, axis=0) - x).sum() + np.abs(np.roll(x, -1, axis=1) - x).sum())


def _squared(x: Any) -> float:
    x = np.asarray(x, dtype=np.float64)
    return float((np.diff(x, axis=0) ** 2).sum() + (np.diff(x, axis=1) ** 2).sum())


def _mean(x: Any) -> float:
    x = np.asarray(x, dtype=np.float64)
    return float(np.abs(np.diff(x, axis=0)).mean() + np.abs(np.diff(x, axis=1)).mean())


def _with_channels(x: Any) -> float:
    x = np.asarray(x, dtype=np.float64)
    return _rows(x) + _columns(x) + float(np.abs(np.diff(x, axis=2)).sum())


TV_MISTAKES = [
    Mistake("add both directions: the differences between vertical neighbours (axis 0) AND between "
            "horizontal neighbours (axis 1).", _rows),
    Mistake("add both directions: you have the horizontal neighbours (axis 1) but not the vertical "
            "ones (axis 0).", _columns),
    Mistake("take absolute differences |x[i+1, j] − x[i, j]|, not squared ones (tf.image.total_variation "
            "sums absolute values).", _squared),
    Mistake("SUM the absolute differences over the image, as tf.image.total_variation does; you averaged them.",
            _mean),
    Mistake("np.roll wraps around: the last row is compared with the first. Use np.diff (or slices "
            "x[1:] − x[:-1]) so that only real neighbours count.", _wrapped),
    Mistake("only neighbouring PIXELS count (axes 0 and 1); the colour channels (axis 2) are not "
            "neighbours.", _with_channels),
]


def _tv_cases() -> list[Case]:
    rng = np.random.default_rng(2916)
    return [
        Case((rng.uniform(0, 1, size=(5, 4, 3)),)),  # H ≠ W
        Case((rng.uniform(0, 1, size=(6, 6, 3)),)),
        Case((np.linspace(0, 1, 24).reshape(4, 2, 3),)),
        Case((rng.uniform(0, 1, size=(3, 8, 1)),)),
        Case((rng.uniform(0, 1, size=(7, 3, 3)),)),
    ]


@guarded
def evaluate_total_variation(total_variation: Callable[[Any], Any]) -> Result:
    """Evaluate ``total_variation(image)``: Σ of absolute differences between neighbours, both directions."""
    return evaluate_function(
        total_variation, style.total_variation, _tv_cases(), name="total_variation", mistakes=TV_MISTAKES,
        check_dtype=False, success="It equals tf.image.total_variation: a small weight of it smooths the pixels.",
    )


check_gram_matrix = printer(evaluate_gram_matrix)
check_style_layer_loss = printer(evaluate_style_layer_loss)
check_total_variation = printer(evaluate_total_variation)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"gram_matrix": 2, "style_layer_loss": 2, "total_variation": 1}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "gram_matrix": ("style.gram_matrix", "gram_matrix_tf", "gram_matrix_matmul", "tf.einsum", "tf.linalg"),
    "style_layer_loss": ("style.style_layer_loss",),
    "total_variation": ("style.total_variation", "tf.image", "image.total_variation"),
}
