"""Exercises of notebook 20 (convolution): output size, one patch, max pooling, a Conv2D's parameters."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer

# ---------------------------------------------------------------------------------------------
# Exercise 1: the output-size formula
# ---------------------------------------------------------------------------------------------


def _output_size(n: int, f: int, p: int, s: int) -> int:
    return (n + 2 * p - f) // s + 1


@guarded
def evaluate_output_size(output_size: Callable[[int, int, int, int], Any]) -> Result:
    """Evaluate a learner's ``output_size(n, f, p, s)`` = floor((n + 2p − f) / s) + 1."""
    cases = [Case(args) for args in [
        # first: 9×9 kernel, 'same' padding 4, stride 2, where every modelled mistake gives its own number
        (32, 9, 4, 2), (9, 3, 3, 1), (8, 3, 0, 2), (11, 4, 1, 3), (32, 5, 2, 2), (224, 7, 3, 2),
        (5, 5, 0, 1), (6, 2, 0, 2),
    ]]
    mistakes = [
        Mistake("count the windows, not the steps between them: add 1 after dividing by the stride.",
                lambda n, f, p, s: (n + 2 * p - f) // s),
        Mistake("padding adds p zeros on BOTH sides, so the padded length is n + 2p.",
                lambda n, f, p, s: (n + p - f) // s + 1),
        Mistake("padding makes the input longer: it is n + 2p, not n − 2p.",
                lambda n, f, p, s: (n - 2 * p - f) // s + 1),
        Mistake("a window that would hang over the edge is dropped: round DOWN (floor, or // in Python) "
                "before adding 1.", lambda n, f, p, s: (n + 2 * p - f) / s + 1),
        Mistake("round down (floor), not up: a partial window at the end does not count.",
                lambda n, f, p, s: -(-(n + 2 * p - f) // s) + 1),
        Mistake("divide by the stride s: with s = 2 the window jumps two cells at a time.",
                lambda n, f, p, s: n + 2 * p - f + 1),
    ]
    return evaluate_function(
        output_size, _output_size, cases, name="output_size", mistakes=mistakes, check_dtype=False,
        integer=True, success="That one formula gives every layer's output size in this course.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: one patch times one kernel
# ---------------------------------------------------------------------------------------------


def _convolve_patch(patch: Any, kernel: Any) -> float:
    return float(np.sum(np.asarray(patch, dtype=np.float64) * np.asarray(kernel, dtype=np.float64)))


@guarded
def evaluate_convolve_patch(convolve_patch: Callable[[Any, Any], Any]) -> Result:
    """Evaluate a learner's ``convolve_patch(patch, kernel)``: element-wise product, then the sum."""
    rng = np.random.default_rng(20)
    cases = [
        Case((np.arange(9.0).reshape(3, 3), np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]))),
        Case((rng.integers(0, 10, size=(3, 3)).astype(float), rng.normal(size=(3, 3)))),
        Case((rng.normal(size=(2, 2)), np.array([[1.0, 2.0], [3.0, 4.0]]))),
        Case((rng.uniform(size=(5, 5)), rng.normal(size=(5, 5)))),
    ]
    mistakes = [
        Mistake("you flipped the kernel: that is the textbook convolution. Deep-learning layers (and this "
                "notebook) use cross-correlation: multiply each pixel by the kernel entry at the SAME position.",
                lambda x, k: float(np.sum(x * k[::-1, ::-1]))),
        Mistake("take the sum of the products, not their mean (a blur kernel already holds the 1/9).",
                lambda x, k: float(np.mean(x * k))),
        Mistake("multiply element-wise (*), not with the matrix product (@).", lambda x, k: x @ k),
        Mistake("multiply element-wise (*), not with the matrix product (@), then sum.",
                lambda x, k: float(np.sum(x @ k))),
        Mistake("add the products up: the result is one number.", lambda x, k: x * k),
        Mistake("you transposed the kernel: entry (i, j) of the kernel meets pixel (i, j) of the patch.",
                lambda x, k: float(np.sum(x * k.T))),
    ]
    return evaluate_function(
        convolve_patch, _convolve_patch, cases, name="convolve_patch", mistakes=mistakes, check_dtype=False,
        success="Slide this over every position and you have a feature map.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: max pooling
# ---------------------------------------------------------------------------------------------


def _windows(x: Any, size: int, stride: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.lib.stride_tricks.sliding_window_view(x, (size, size))[::stride, ::stride]


def _max_pool(feature_map: Any, size: int = 2, stride: int = 2) -> np.ndarray:
    return _windows(feature_map, size, stride).max(axis=(2, 3))


def _ceil_mode_pool(x: Any, size: int, stride: int) -> np.ndarray:
    """Pooling that keeps partial windows at the edges (a mistake in this course's convention)."""
    x = np.asarray(x, dtype=np.float64)
    rows = -(-(x.shape[0] - size) // stride) + 1
    cols = -(-(x.shape[1] - size) // stride) + 1
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = x[i * stride : i * stride + size, j * stride : j * stride + size].max()
    return out


@guarded
def evaluate_max_pool(max_pool: Callable[..., Any]) -> Result:
    """Evaluate a learner's ``max_pool(feature_map, size, stride)`` on one 2-D feature map, no padding."""
    rng = np.random.default_rng(7)
    cases = [
        # first: negatives larger in size than the maxima, and stride ≠ size, so each mistake shows
        Case((np.array([[-8.0, -8, -1, -1, -3], [-2, -2, -4, -3, -3], [-6, -5, -4, 1, -1], [1, -1, 0, 1, 0],
                        [0, 4, -1, -4, 2]]),), {"size": 3, "stride": 2}),
        Case((np.arange(16.0).reshape(4, 4) % 7,), {"size": 2, "stride": 2}),
        Case((rng.normal(size=(6, 6)),), {"size": 2, "stride": 2}),
        Case((rng.normal(size=(5, 5)),), {"size": 2, "stride": 2}),
        Case((rng.normal(size=(5, 7)),), {"size": 3, "stride": 1}),
        Case((rng.normal(size=(7, 7)),), {"size": 3, "stride": 2}),
        Case((-rng.uniform(1, 2, size=(4, 4)),), {"size": 2, "stride": 2}),
    ]
    mistakes = [
        Mistake("that is average pooling: take the largest value in each window (np.max), not the mean.",
                lambda x, size, stride: _windows(x, size, stride).mean(axis=(2, 3))),
        Mistake("take the largest value (max), not the smallest (min).",
                lambda x, size, stride: _windows(x, size, stride).min(axis=(2, 3))),
        Mistake("take the largest value in each window, not the sum.",
                lambda x, size, stride: _windows(x, size, stride).sum(axis=(2, 3))),
        Mistake("take the largest value, not the largest magnitude: do not use abs().",
                lambda x, size, stride: np.abs(_windows(x, size, stride)).max(axis=(2, 3))),
        Mistake("a window of negative numbers has a negative maximum: did you start the running maximum at 0 "
                "instead of at the first value (or -inf)?",
                lambda x, size, stride: np.maximum(_max_pool(x, size, stride), 0.0)),
        Mistake("move the window by `stride` cells, not one cell at a time.",
                lambda x, size, stride: _max_pool(x, size, 1)),
        Mistake("move the window by `stride`, which may differ from the window `size`.",
                lambda x, size, stride: _max_pool(x, size, size)),
        Mistake("windows that would hang over the edge are dropped (no padding): the output has "
                "floor((n − size) / stride) + 1 rows and columns.", _ceil_mode_pool),
    ]
    return evaluate_function(
        max_pool, _max_pool, cases, name="max_pool", mistakes=mistakes, check_dtype=False,
        success="Each output keeps the strongest response in its window.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 4: the parameters of a Conv2D layer
# ---------------------------------------------------------------------------------------------


def _conv_parameters(f: int, in_channels: int, filters: int) -> int:
    return (f * f * in_channels + 1) * filters


@guarded
def evaluate_conv_parameters(conv_parameters: Callable[[int, int, int], Any]) -> Result:
    """Evaluate a learner's ``conv_parameters(f, in_channels, filters)`` = (f·f·in_channels + 1)·filters."""
    cases = [Case(args) for args in [(5, 16, 32), (3, 3, 16), (3, 1, 8), (1, 64, 32), (7, 3, 64), (2, 5, 3)]]
    mistakes = [
        Mistake("each filter also has one bias: add 1 per filter.", lambda f, c, k: f * f * c * k),
        Mistake("each filter spans ALL input channels: it has f·f·in_channels weights.",
                lambda f, c, k: (f * f + 1) * k),
        Mistake("a filter has one bias, not one per input channel.", lambda f, c, k: (f * f + 1) * c * k),
        Mistake("a kernel is f × f, so it has f² weights per input channel, not f.",
                lambda f, c, k: (f * c + 1) * k),
        Mistake("there is one bias per filter, not one for the whole layer.", lambda f, c, k: f * f * c * k + 1),
        Mistake("that is one filter: multiply by the number of filters.", lambda f, c, k: f * f * c + 1),
    ]
    return evaluate_function(
        conv_parameters, _conv_parameters, cases, name="conv_parameters", mistakes=mistakes, check_dtype=False,
        integer=True, success="Notice that the image size does not appear: a filter's weights are shared by every position.",
    )


check_output_size = printer(evaluate_output_size)
check_convolve_patch = printer(evaluate_convolve_patch)
check_max_pool = printer(evaluate_max_pool)
check_conv_parameters = printer(evaluate_conv_parameters)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"convolve_patch": 1, "output_size": 2, "max_pool": 3, "conv_parameters": 1}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "convolve_patch": ("convolution.conv2d", "scipy.signal", "scipy.ndimage", "tf.nn.conv2d"),
    "max_pool": (
        "convolution.pool2d", "keras.layers", "tf.nn.max_pool", "tf.nn.max_pool2d", "tf.nn.pool",
        "skimage.measure", "scipy.ndimage",
    ),
    "conv_parameters": ("count_params", "keras.layers"),
}
