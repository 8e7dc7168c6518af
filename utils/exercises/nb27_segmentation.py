"""Exercises of notebook 27 (segmentation): a transposed convolution by hand, its output size, the IoU of one class."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.vision import segmentation as sg

# ---------------------------------------------------------------------------------------------
# Exercise 1: a transposed convolution of a tiny input
# ---------------------------------------------------------------------------------------------


def _transposed_reference(x: Any, kernel: Any, stride: int) -> np.ndarray:
    x, kernel = np.asarray(x, float), np.asarray(kernel, float)
    full = sg.conv_transpose2d(x[..., None], kernel[..., None, None], stride)[..., 0]
    # the whole output, every stamp kept: Keras pads it further when the kernel is smaller than the stride
    return full[:(x.shape[0] - 1) * stride + kernel.shape[0], :(x.shape[1] - 1) * stride + kernel.shape[1]]


def _scatter(x: Any, kernel: Any, step: int, add: bool = True, size_step: int | None = None) -> np.ndarray:
    """Stamp value × kernel at (row · step, column · step) on an output sized for ``size_step`` (default ``step``).

    With ``add=False`` later stamps overwrite earlier ones.
    """
    x, kernel = np.asarray(x, float), np.asarray(kernel, float)
    k_h, k_w = kernel.shape
    size_step = step if size_step is None else size_step
    out = np.zeros(((x.shape[0] - 1) * size_step + k_h, (x.shape[1] - 1) * size_step + k_w))
    for row in range(x.shape[0]):
        for col in range(x.shape[1]):
            window = out[row * step:row * step + k_h, col * step:col * step + k_w]
            window[...] = window + x[row, col] * kernel if add else x[row, col] * kernel
    return out


def _transposed_flipped(x: Any, kernel: Any, stride: int) -> np.ndarray:
    return _transposed_reference(x, np.asarray(kernel, float)[::-1, ::-1], stride)


def _transposed_overwrite(x: Any, kernel: Any, stride: int) -> np.ndarray:
    return _scatter(x, kernel, stride, add=False)


def _transposed_no_stride(x: Any, kernel: Any, stride: int) -> np.ndarray:
    return _scatter(x, kernel, 1)


def _transposed_stride_in_size_only(x: Any, kernel: Any, stride: int) -> np.ndarray:
    return _scatter(x, kernel, 1, size_step=stride)


def _transposed_kernel_step(x: Any, kernel: Any, stride: int) -> np.ndarray:
    return _scatter(x, kernel, np.asarray(kernel).shape[0])


def _transposed_cropped(x: Any, kernel: Any, stride: int) -> np.ndarray:
    x = np.asarray(x)
    return _transposed_reference(x, kernel, stride)[:x.shape[0] * stride, :x.shape[1] * stride]


def _transposed_x_transposed(x: Any, kernel: Any, stride: int) -> np.ndarray:
    return _transposed_reference(np.asarray(x, float).T, kernel, stride)


TRANSPOSED_MISTAKES = [
    Mistake("do not flip the kernel: input pixel (i, j) adds value × kernel, as it is, to the output.",
            _transposed_flipped),
    Mistake("add (+=) each stamped patch to the output: where patches overlap, their values sum; "
            "assigning (=) keeps only the last one.", _transposed_overwrite),
    Mistake("the stride moves the stamp: input pixel (i, j) lands at output (i·stride, j·stride), "
            "not at (i, j).", _transposed_no_stride),
    Mistake("the output has the right size, but each stamp must start at (i·stride, j·stride): "
            "multiply the input position by the stride when you place its patch.",
            _transposed_stride_in_size_only),
    Mistake("the stamp moves by the stride, not by the kernel size: patches overlap when the "
            "kernel is larger than the stride.", _transposed_kernel_step),
    Mistake("keep the whole output, (h − 1)·stride + k rows and (w − 1)·stride + k columns; "
            "cropping to h·stride is what Keras's padding='same' does.", _transposed_cropped),
    Mistake("rows of x are its first axis: loop over x.shape[0] for rows and x.shape[1] for columns "
            "(you transposed x).", _transposed_x_transposed),
]


@guarded
def evaluate_transposed_conv(transposed_conv: Callable[[Any, Any, int], Any]) -> Result:
    """Evaluate a learner's ``transposed_conv(x, kernel, stride)``: one channel, no padding."""
    cases = [
        Case((np.array([[1.0, 2.0, -1.0], [3.0, 0.5, 2.0]]),
              np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [2.0, 0.0, 1.0]]), 2)),
        Case((np.array([[2.0, -1.0], [1.0, 3.0]]), np.array([[1.0, -2.0], [3.0, 1.0]]), 1)),
        Case((np.array([[1.0, 2.0], [-2.0, 1.0], [0.5, 1.0]]),
              np.array([[0.5, 1.0, 2.0, 1.0], [1.0, 0.0, 1.0, 0.0], [2.0, 1.0, 0.0, -1.0],
                        [1.0, 0.0, -1.0, 1.0]]), 2)),
        Case((np.array([[1.5, -1.0, 2.0]]), np.array([[1.0, 2.0], [3.0, -1.0]]), 3)),
    ]
    return evaluate_function(
        transposed_conv, _transposed_reference, cases, name="transposed_conv", mistakes=TRANSPOSED_MISTAKES,
        check_dtype=False, axes=("row", "column"),
        success="Each input number became a scaled copy of the kernel, overlapping copies summed.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: the output size of a transposed convolution
# ---------------------------------------------------------------------------------------------


def _size_reference(n: int, kernel_size: int, stride: int, padding: int) -> int:
    return sg.transposed_output_size(n, kernel_size, stride, padding)


SIZE_MISTAKES = [
    Mistake("that is the size of an ordinary convolution, (n + 2p − k) // s + 1; a transposed convolution "
            "goes the other way: it makes its input larger.",
            lambda n, k, s, p: (n + 2 * p - k) // s + 1),
    Mistake("the stride separates n stamps, so there are n − 1 gaps: (n − 1)·s, not n·s.",
            lambda n, k, s, p: n * s + k - 2 * p),
    Mistake("padding p *crops* p pixels from each side of a transposed convolution's output: subtract, "
            "do not add.", lambda n, k, s, p: (n - 1) * s + k + 2 * p),
    Mistake("p pixels are cropped from *each* side, so the output loses 2p.",
            lambda n, k, s, p: (n - 1) * s + k - p),
    Mistake("you forgot the padding: it crops p pixels from each side.",
            lambda n, k, s, p: (n - 1) * s + k),
    Mistake("the stamps are stride apart and each is kernel_size long: (n − 1)·stride + kernel_size "
            "(you swapped kernel size and stride).", lambda n, k, s, p: (n - 1) * k + s - 2 * p),
]


@guarded
def evaluate_transposed_size(transposed_size: Callable[[int, int, int, int], Any]) -> Result:
    """Evaluate a learner's ``transposed_size(n, kernel_size, stride, padding)`` → output length."""
    cases = [
        Case((6, 5, 3, 1)),
        Case((4, 3, 2, 0)),
        Case((7, 5, 2, 2)),
        Case((16, 2, 2, 0)),
        Case((3, 3, 1, 1)),
    ]
    return evaluate_function(
        transposed_size, _size_reference, cases, name="transposed_size", mistakes=SIZE_MISTAKES,
        check_dtype=False, integer=True,
        success="With it you can plan a decoder that lands exactly on the input's size.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: the IoU of one class
# ---------------------------------------------------------------------------------------------


def _counts(y_true: Any, y_pred: Any, class_id: int) -> tuple[float, float, float]:
    truth, guess = np.asarray(y_true) == class_id, np.asarray(y_pred) == class_id
    return float(np.sum(truth & guess)), float(np.sum(~truth & guess)), float(np.sum(truth & ~guess))


def _iou_reference(y_true: Any, y_pred: Any, class_id: int) -> float:
    tp, fp, fn = _counts(y_true, y_pred, class_id)
    return tp / (tp + fp + fn)


IOU_MISTAKES = [
    Mistake("divide by the *union* (pixels in either mask), not only by the true pixels: that is recall.",
            lambda t, p, c: _counts(t, p, c)[0] / (_counts(t, p, c)[0] + _counts(t, p, c)[2])),
    Mistake("divide by the *union* (pixels in either mask), not only by the predicted pixels: that is "
            "precision.", lambda t, p, c: _counts(t, p, c)[0] / (_counts(t, p, c)[0] + _counts(t, p, c)[1])),
    Mistake("that is the Dice coefficient, 2·|A ∩ B| / (|A| + |B|); IoU is |A ∩ B| / |A ∪ B|.",
            lambda t, p, c: 2 * _counts(t, p, c)[0] / (2 * _counts(t, p, c)[0] + _counts(t, p, c)[1]
                                                         + _counts(t, p, c)[2])),
    Mistake("|A| + |B| counts the intersection twice: the union is |A| + |B| − |A ∩ B|.",
            lambda t, p, c: _counts(t, p, c)[0] / (2 * _counts(t, p, c)[0] + _counts(t, p, c)[1]
                                                   + _counts(t, p, c)[2])),
    Mistake("IoU is a ratio in [0, 1]: divide the intersection's pixel count by the union's.",
            lambda t, p, c: _counts(t, p, c)[0]),
    Mistake("that is the pixel accuracy of the whole map; IoU looks only at the pixels of class_id "
            "(in either map).", lambda t, p, c: float(np.mean(np.asarray(t) == np.asarray(p)))),
    Mistake("compare each map with class_id (y_true == class_id), not the two maps with each other: "
            "the intersection is the pixels where *both* are class_id.",
            lambda t, p, c: float(np.sum(np.asarray(t) == np.asarray(p)))
            / float(np.sum((np.asarray(t) == c) | (np.asarray(p) == c)))),
]


@guarded
def evaluate_class_iou(class_iou: Callable[[Any, Any, int], Any]) -> Result:
    """Evaluate a learner's ``class_iou(y_true, y_pred, class_id)`` → IoU of one class in two class maps."""
    first_true = np.array([[0, 0, 1, 1, 1, 0],
                           [0, 1, 1, 1, 1, 0],
                           [0, 1, 1, 2, 2, 0],
                           [0, 0, 2, 2, 2, 3],
                           [0, 0, 0, 0, 3, 3]])
    first_pred = np.array([[0, 1, 1, 1, 0, 0],
                           [0, 1, 1, 1, 1, 1],
                           [0, 0, 1, 1, 2, 0],
                           [0, 0, 2, 2, 2, 3],
                           [0, 0, 0, 3, 3, 0]])
    rng = np.random.default_rng(27)
    noisy_true = rng.integers(0, 4, size=(8, 8))
    noisy_pred = np.where(rng.random((8, 8)) < 0.7, noisy_true, rng.integers(0, 4, size=(8, 8)))
    cases = [
        Case((first_true, first_pred, 1)),
        Case((first_true, first_pred, 2)),
        Case((first_true, first_pred, 3)),
        Case((noisy_true, noisy_pred, 0)),
        Case((noisy_true[None], noisy_pred[None], 2)),  # a batch of one map: count every pixel
    ]
    return evaluate_function(
        class_iou, _iou_reference, cases, name="class_iou", mistakes=IOU_MISTAKES, check_dtype=False,
        success="Averaged over the classes, this is the mean IoU that segmentation papers report.",
    )


check_transposed_conv = printer(evaluate_transposed_conv)
check_transposed_size = printer(evaluate_transposed_size)
check_class_iou = printer(evaluate_class_iou)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"transposed_conv": 2, "transposed_size": 1, "class_iou": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "transposed_conv": ("segmentation.conv_transpose2d", "Conv2DTranspose", "conv2d_transpose",
                        "conv_transpose"),
    "transposed_size": ("segmentation.transposed_output_size", "deconv_output_length"),
    "class_iou": ("segmentation.iou_per_class", "segmentation.mean_iou", "segmentation.confusion_matrix",
                  "keras.metrics", "jaccard_score", "sklearn.metrics"),
}
