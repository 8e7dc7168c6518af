"""Notebook 21's exercise checks accept the solutions and reject plausible wrong answers with a hint."""

import numpy as np
import pytest

from utils.exercises import nb21_cnn as ex


def todo(*args, **kwargs):
    raise NotImplementedError


def crash(*args, **kwargs):
    return 1 / 0


# --- exercise 1: output shape of a stack -------------------------------------------------------

def shape_loop(input_shape, layers):
    height, width, channels = input_shape
    for layer in layers:
        if layer[0] == "conv":
            _, filters, size, padding = layer
            if padding == "valid":
                height, width = height - size + 1, width - size + 1
            channels = filters
        else:
            height, width = height // layer[1], width // layer[1]
    return height, width, channels


def test_output_shape_solutions_pass():
    assert ex.evaluate_output_shape(shape_loop).passed
    assert ex.evaluate_output_shape(lambda s, layers: list(shape_loop(s, layers))).passed
    assert ex.evaluate_output_shape(lambda s, layers: np.array(shape_loop(s, layers))).passed


def test_output_shape_as_floats_is_told_ints_are_expected():
    result = ex.evaluate_output_shape(lambda s, layers: tuple(float(v) for v in shape_loop(s, layers)))
    assert not result.passed and "ints are expected" in result.message


def _same_as_valid(input_shape, layers):
    return shape_loop(input_shape, [(l[0], l[1], l[2], "valid") if l[0] == "conv" else l for l in layers])


def _keep_depth(input_shape, layers):
    return shape_loop(input_shape, layers)[:2] + (input_shape[2],)


def _ceil_pool(input_shape, layers):
    height, width, channels = input_shape
    for layer in layers:
        if layer[0] == "conv":
            if layer[3] == "valid":
                height, width = height - layer[2] + 1, width - layer[2] + 1
            channels = layer[1]
        else:
            height, width = -(-height // layer[1]), -(-width // layer[1])
    return height, width, channels


@pytest.mark.parametrize("wrong, hint", [
    (_same_as_valid, "'same' padding keeps"),
    (_keep_depth, "number of filters"),
    (_ceil_pool, "round DOWN"),
    (lambda s, layers: (lambda h, w, c: (w, h, c))(*shape_loop(s, layers)), "swapped height and width"),
])
def test_output_shape_mistakes_get_hints(wrong, hint):
    result = ex.evaluate_output_shape(wrong)
    assert not result.passed and "Hint" in result.message and hint in result.message, result.message


def test_output_shape_not_attempted_and_crashing():
    assert ex.evaluate_output_shape(todo).message.startswith("⏳")
    result = ex.evaluate_output_shape(crash)
    assert not result.passed and "ZeroDivisionError" in result.message and "Traceback" not in result.message


# --- exercise 2: parameters of the whole network ---------------------------------------------

def count_loop(input_shape, layers, classes):
    height, width, channels = input_shape
    total = 0
    for layer in layers:
        if layer[0] == "conv":
            _, filters, size, padding = layer
            total += (size * size * channels + 1) * filters
            if padding == "valid":
                height, width = height - size + 1, width - size + 1
            channels = filters
        else:
            height, width = height // layer[1], width // layer[1]
    return total + (height * width * channels + 1) * classes


def count_with_output_shape(input_shape, layers, classes):
    """An answer that calls exercise 1's function, as the prompt allows."""
    total, channels = 0, input_shape[2]
    for layer in layers:
        if layer[0] == "conv":
            total += (layer[2] ** 2 * channels + 1) * layer[1]
            channels = layer[1]
    height, width, depth = output_shape(input_shape, layers)  # noqa: F821 - the check supplies it
    return total + (height * width * depth + 1) * classes


def test_count_parameters_solutions_pass():
    assert ex.evaluate_count_parameters(count_loop).passed
    assert ex.evaluate_count_parameters(lambda *a: np.int64(count_loop(*a))).passed
    # a wrong output_shape of exercise 1 cannot mislead this check: its reference is used instead
    globals()["output_shape"] = lambda s, layers: (1, 1, 1)
    try:
        assert ex.evaluate_count_parameters(count_with_output_shape).passed
    finally:
        del globals()["output_shape"]


def _no_conv_bias(input_shape, layers, classes):
    total, channels = 0, input_shape[2]
    for layer in layers:
        if layer[0] == "conv":
            total += layer[2] ** 2 * channels * layer[1]
            channels = layer[1]
    return count_loop(input_shape, layers, classes) - sum(l[1] for l in layers if l[0] == "conv")


def _no_channels(input_shape, layers, classes):
    height, width, channels = shape_loop(input_shape, layers)
    convs = sum((l[2] ** 2 + 1) * l[1] for l in layers if l[0] == "conv")
    return convs + (height * width * channels + 1) * classes


def _flatten_input(input_shape, layers, classes):
    height, width, channels = shape_loop(input_shape, layers)
    dense = (height * width * channels + 1) * classes
    return count_loop(input_shape, layers, classes) - dense + (int(np.prod(input_shape)) + 1) * classes


@pytest.mark.parametrize("wrong, hint", [
    (_no_conv_bias, "one bias too"),
    (lambda s, layers, n: count_loop(s, layers, n) - n, "one bias per class"),
    (_no_channels, "ALL the channels"),
    (_flatten_input, "LAST pooling layer"),
])
def test_count_parameters_mistakes_get_hints(wrong, hint):
    result = ex.evaluate_count_parameters(wrong)
    assert not result.passed and "Hint" in result.message and hint in result.message, result.message


def test_count_parameters_not_attempted():
    assert ex.evaluate_count_parameters(todo).message.startswith("⏳")


# --- exercise 3: shift with zero fill --------------------------------------------------------

def shift_pad(image, dx, dy):
    image = np.asarray(image)
    height, width = image.shape
    padded = np.pad(image, ((abs(dy), abs(dy)), (abs(dx), abs(dx))))
    top, left = abs(dy) - dy, abs(dx) - dx
    return padded[top:top + height, left:left + width]


def shift_loop(image, dx, dy):
    out = np.zeros_like(image)
    for r in range(image.shape[0]):
        for c in range(image.shape[1]):
            if 0 <= r - dy < image.shape[0] and 0 <= c - dx < image.shape[1]:
                out[r, c] = image[r - dy, c - dx]
    return out


def test_shift_image_solutions_pass():
    assert ex.evaluate_shift_image(shift_pad).passed
    assert ex.evaluate_shift_image(shift_loop).passed
    assert ex.evaluate_shift_image(lambda image, dx, dy: shift_loop(image, dx, dy).tolist()).passed


@pytest.mark.parametrize("wrong, hint", [
    (lambda image, dx, dy: shift_loop(image, -dx, -dy), "the wrong way"),
    (lambda image, dx, dy: shift_loop(image, dx, -dy), "rows count downwards"),
    (lambda image, dx, dy: shift_loop(image, dy, dx), "swapped them"),
    (lambda image, dx, dy: np.roll(image, (dy, dx), axis=(0, 1)), "wraps around"),
    (lambda image, dx, dy: np.pad(image, ((max(dy, 0), max(-dy, 0)), (max(dx, 0), max(-dx, 0)))), "keep the image's size"),
])
def test_shift_image_mistakes_get_hints(wrong, hint):
    result = ex.evaluate_shift_image(wrong)
    assert not result.passed and "Hint" in result.message and hint in result.message, result.message


def test_shift_image_broken_answers_get_messages():
    assert ex.evaluate_shift_image(todo).message.startswith("⏳")
    for broken in (crash, lambda image, dx, dy: None, lambda image, dx, dy: image * np.nan):
        result = ex.evaluate_shift_image(broken)
        assert not result.passed and result.message.startswith("❌") and "Traceback" not in result.message


def test_points_and_bans_are_declared():
    assert ex.POINTS == {"output_shape": 2, "count_parameters": 2, "shift_image": 2}
    assert set(ex.NOT_ALLOWED) <= set(ex.POINTS)
