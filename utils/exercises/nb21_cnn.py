"""Exercises of notebook 21 (a CNN classifier): the output shape of a conv/pool stack, the parameters of
a whole CNN, and shifting an image with zeros filling in."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.vision import cnn
from utils.vision.convolution import conv_parameters

# ---------------------------------------------------------------------------------------------
# Exercise 1: the output shape of a conv/pool stack
# ---------------------------------------------------------------------------------------------


def _output_shape(input_shape: Any, layers: Any) -> tuple[int, int, int]:
    return cnn.output_shapes(tuple(input_shape), [tuple(spec) for spec in layers])[-1]


def _walk(input_shape: Any, layers: Any, conv: Callable, pool: Callable) -> tuple[int, int, int]:
    """A shape walk with its own (possibly mistaken) rules for conv and pool layers."""
    h, w, c = input_shape
    for spec in layers:
        if spec[0] == "conv":
            h, w, c = conv(h, w, c, *spec[1:])
        else:
            h, w, c = pool(h, w, c, spec[1])
    return h, w, c


def _right_conv(h: int, w: int, c: int, k: int, f: int, padding: str) -> tuple[int, int, int]:
    return (h, w, k) if padding == "same" else (h - f + 1, w - f + 1, k)


def _right_pool(h: int, w: int, c: int, size: int) -> tuple[int, int, int]:
    return h // size, w // size, c


SHAPE_MISTAKES = [
    Mistake("'same' padding keeps the height and width (stride 1); only a 'valid' convolution shrinks them.",
            lambda s, layers: _walk(s, layers, lambda h, w, c, k, f, p: (h - f + 1, w - f + 1, k), _right_pool)),
    Mistake("a 'valid' convolution has no padding: an f×f kernel fits n − f + 1 times along an axis of n.",
            lambda s, layers: _walk(s, layers, lambda h, w, c, k, f, p: (h, w, k), _right_pool)),
    Mistake("a 'valid' f×f convolution gives n − f + 1 positions, not n − f: count the windows.",
            lambda s, layers: _walk(s, layers, lambda h, w, c, k, f, p: (h, w, k) if p == "same"
                                    else (h - f, w - f, k), _right_pool)),
    Mistake("the depth after a convolution is its number of filters, not the depth of its input.",
            lambda s, layers: _walk(s, layers, lambda h, w, c, k, f, p: _right_conv(h, w, c, k, f, p)[:2] + (c,),
                                    _right_pool)),
    Mistake("pooling works on each channel separately: it keeps the depth and only shrinks height and width.",
            lambda s, layers: _walk(s, layers, _right_conv, lambda h, w, c, size: (h // size, w // size, c // size))),
    Mistake("a pooling window that would hang over the edge is dropped: round DOWN (// in Python).",
            lambda s, layers: _walk(s, layers, _right_conv, lambda h, w, c, size: (-(-h // size), -(-w // size), c))),
    Mistake("a pooling layer divides height and width by its own size, which is not always 2.",
            lambda s, layers: _walk(s, layers, _right_conv, lambda h, w, c, size: (h // 2, w // 2, c))),
    Mistake("keep the order (height, width, channels): you swapped height and width.",
            lambda s, layers: (lambda r: (r[1], r[0], r[2]))(_output_shape(s, layers))),
]


@guarded
def evaluate_output_shape(output_shape: Callable[[Any, Any], Any]) -> Result:
    """Evaluate a learner's ``output_shape(input_shape, layers)``: (height, width, channels) after the stack."""
    cases = [
        # first: every modelled mistake gives its own shape here (odd sizes, a 3×3 pool, 3 channels)
        Case(((29, 24, 3), [("conv", 8, 5, "same"), ("pool", 2), ("conv", 16, 3, "valid"), ("pool", 3)])),
        Case(((28, 28, 1), [("conv", 16, 3, "valid"), ("pool", 2), ("conv", 32, 3, "valid"), ("pool", 2)])),
        Case(((28, 28, 1), [("conv", 32, 3, "same"), ("pool", 2), ("conv", 64, 3, "same"), ("pool", 2)])),
        Case(((64, 48, 3), [("conv", 8, 7, "valid"), ("pool", 3), ("conv", 12, 1, "valid")])),
        Case(((32, 32, 3), [("pool", 2), ("pool", 2)])),
        Case(((9, 11, 2), [("conv", 4, 3, "same"), ("conv", 5, 3, "valid"), ("pool", 2)])),
        Case(((5, 5, 1), [("conv", 1, 5, "valid")])),
    ]
    return evaluate_function(
        output_shape, _output_shape, cases, name="output_shape", mistakes=SHAPE_MISTAKES, check_dtype=False,
        integer=True, axes=("height, width or channels",),
        success="With this you can size the Flatten layer before you build anything.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: the parameters of a whole CNN
# ---------------------------------------------------------------------------------------------


def _count_parameters(input_shape: Any, layers: Any, classes: int) -> int:
    return cnn.stack_parameters(tuple(input_shape), [tuple(spec) for spec in layers], classes)


def _count(input_shape: Any, layers: Any, classes: int, conv: Callable, dense: Callable,
           flatten_from_input: bool = False) -> int:
    """A parameter count with its own (possibly mistaken) per-layer formulas."""
    shapes = cnn.output_shapes(tuple(input_shape), [tuple(spec) for spec in layers])
    total = sum(conv(spec[2], shape[2], spec[1], input_shape) for shape, spec in zip(shapes, layers)
                if spec[0] == "conv")
    h, w, c = shapes[0] if flatten_from_input else shapes[-1]
    return total + dense(h, w, c, classes)


def _right_dense(h: int, w: int, c: int, classes: int) -> int:
    return (h * w * c + 1) * classes


def _right(f: int, c: int, k: int, _: Any) -> int:
    return conv_parameters(f, c, k)


PARAMETER_MISTAKES = [
    Mistake("each convolution filter has one bias too: (f·f·C_in + 1)·K.",
            lambda s, layers, n: _count(s, layers, n, lambda f, c, k, _: f * f * c * k, _right_dense)),
    Mistake("the Dense layer has one bias per class: (inputs + 1)·classes.",
            lambda s, layers, n: _count(s, layers, n, _right, lambda h, w, c, m: h * w * c * m)),
    Mistake("every layer with weights also has biases: one per filter and one per output unit.",
            lambda s, layers, n: _count(s, layers, n, lambda f, c, k, _: f * f * c * k,
                                        lambda h, w, c, m: h * w * c * m)),
    Mistake("a filter spans ALL the channels of its input: f·f·C_in weights, not f·f.",
            lambda s, layers, n: _count(s, layers, n, lambda f, c, k, _: (f * f + 1) * k, _right_dense)),
    Mistake("each convolution's input depth is the previous layer's number of filters, not the image's channels.",
            lambda s, layers, n: _count(s, layers, n, lambda f, c, k, start: conv_parameters(f, start[2], k),
                                        _right_dense)),
    Mistake("the Dense layer sees the flattened output of the LAST pooling layer, not the input image.",
            lambda s, layers, n: _count(s, layers, n, _right, _right_dense, flatten_from_input=True)),
    Mistake("Flatten gives height · width · channels inputs: you left out the channels.",
            lambda s, layers, n: _count(s, layers, n, _right, lambda h, w, c, m: (h * w + 1) * m)),
]


@guarded
def evaluate_count_parameters(count_parameters: Callable[[Any, Any, int], Any]) -> Result:
    """Evaluate a learner's ``count_parameters(input_shape, layers, classes)``: conv stack + Flatten + Dense."""
    cases = [
        # first: 3 channels and two convolutions, so every modelled mistake gives its own count
        Case(((29, 24, 3), [("conv", 8, 5, "same"), ("pool", 2), ("conv", 16, 3, "valid"), ("pool", 3)], 10)),
        Case(((28, 28, 1), [("conv", 16, 3, "valid"), ("pool", 2), ("conv", 32, 3, "valid"), ("pool", 2)], 10)),
        Case(((28, 28, 1), [("conv", 32, 3, "same"), ("pool", 2), ("conv", 64, 3, "same"), ("pool", 2)], 10)),
        Case(((64, 48, 3), [("conv", 8, 7, "valid"), ("pool", 3), ("conv", 12, 1, "valid")], 5)),
        Case(((32, 32, 3), [("pool", 2), ("pool", 2)], 2)),
        Case(((9, 11, 2), [("conv", 4, 3, "same"), ("conv", 5, 3, "valid"), ("pool", 2)], 3)),
    ]
    return evaluate_function(
        count_parameters, _count_parameters, cases, name="count_parameters", mistakes=PARAMETER_MISTAKES,
        check_dtype=False, integer=True, references={"output_shape": _output_shape},
        success="Most of a small CNN's parameters sit in its last Dense layer.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: shift an image, zeros filling in
# ---------------------------------------------------------------------------------------------


def _shift(image: Any, dx: int, dy: int) -> np.ndarray:
    return cnn.shift_image(np.asarray(image), dx, dy)


def _roll(image: Any, dx: int, dy: int) -> np.ndarray:
    return np.roll(np.asarray(image), (dy, dx), axis=(0, 1))


SHIFT_MISTAKES = [
    Mistake("that moves the image the wrong way: a positive dx moves the picture RIGHT (to larger columns) "
            "and a positive dy moves it DOWN (to larger rows), so out[r, c] = image[r − dy, c − dx].",
            lambda image, dx, dy: _shift(image, -dx, -dy)),
    Mistake("rows count downwards in an image array: a positive dy moves the picture DOWN, to larger row numbers.",
            lambda image, dx, dy: _shift(image, dx, -dy)),
    Mistake("a positive dx moves the picture RIGHT, to larger column numbers.",
            lambda image, dx, dy: _shift(image, -dx, dy)),
    Mistake("dx moves along the columns (axis 1) and dy along the rows (axis 0): you swapped them.",
            lambda image, dx, dy: _shift(image, dy, dx)),
    Mistake("np.roll wraps around: what leaves on one side comes back on the other. Fill the uncovered "
            "pixels with zeros instead.", _roll),
    Mistake("np.roll wraps around, and it moves the picture the wrong way here: fill with zeros, and move "
            "right/down for positive dx/dy.", lambda image, dx, dy: _roll(image, -dx, -dy)),
    Mistake("keep the image's size: pad with zeros on one side and cut the same number of pixels off the other.",
            lambda image, dx, dy: np.pad(np.asarray(image), ((max(dy, 0), max(-dy, 0)), (max(dx, 0), max(-dx, 0))))),
]


@guarded
def evaluate_shift_image(shift_image: Callable[[Any, int, int], Any]) -> Result:
    """Evaluate a learner's ``shift_image(image, dx, dy)``: move right by dx, down by dy, zeros filling in."""
    rng = np.random.default_rng(21)
    digit = np.zeros((8, 8))
    digit[1:7, 3:5], digit[1, 2] = 200.0, 120.0  # a small "1" with a flag
    cases = [
        # first: a non-square image of distinct values; dx ≠ ±dy so direction, axis and wrap all show
        Case((rng.integers(1, 255, size=(6, 7)).astype(float), 2, -1)),
        Case((digit, 3, 2)),
        Case((digit, -2, 0)),
        Case((digit, 0, -3)),
        Case((rng.uniform(0, 1, size=(5, 5)), 0, 0)),
        Case((rng.uniform(0, 1, size=(4, 6)), -1, 2)),
        Case((rng.uniform(0, 1, size=(4, 4)), 4, 1)),
        Case((rng.integers(0, 256, size=(28, 28)).astype(np.uint8), 5, -4)),
    ]
    return evaluate_function(
        shift_image, _shift, cases, name="shift_image", mistakes=SHIFT_MISTAKES, check_dtype=False,
        axes=("row", "column"), success="Now you can ask what a network makes of a digit that is off-centre.",
    )


check_output_shape = printer(evaluate_output_shape)
check_count_parameters = printer(evaluate_count_parameters)
check_shift_image = printer(evaluate_shift_image)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"output_shape": 2, "count_parameters": 2, "shift_image": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "output_shape": ("cnn.output_shapes", "cnn.layer_output_shape", "compute_output_shape", "keras.layers",
                     "keras.Sequential"),
    "count_parameters": ("cnn.stack_parameters", "cnn.parameter_rows", "cnn.output_shapes", "count_params",
                         "keras.layers", "keras.Sequential"),
    "shift_image": ("cnn.transformed", "scipy.ndimage", "ndimage.shift", "tf.roll", "keras.layers"),
}
