"""Notebook 27's exercise checks accept the solutions and reject plausible wrong answers with a hint."""

import numpy as np
import pytest

from utils.exercises import nb27_segmentation as ex


def todo(*args, **kwargs):
    raise NotImplementedError


def crash(*args, **kwargs):
    return 1 / 0


# --- exercise 1: transposed convolution by hand ----------------------------------------------

def transposed_loop(x, kernel, stride):
    x, kernel = np.asarray(x, float), np.asarray(kernel, float)
    k = kernel.shape[0]
    out = np.zeros(((x.shape[0] - 1) * stride + k, (x.shape[1] - 1) * stride + k))
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i * stride:i * stride + k, j * stride:j * stride + k] += x[i, j] * kernel
    return out


def transposed_kron(x, kernel, stride):
    """Another valid way: dilate the input with zeros, then a full correlation with the flipped kernel."""
    from scipy.signal import convolve2d

    x = np.asarray(x, float)
    dilated = np.zeros(((x.shape[0] - 1) * stride + 1, (x.shape[1] - 1) * stride + 1))
    dilated[::stride, ::stride] = x
    return convolve2d(dilated, np.asarray(kernel, float), mode="full")


def test_transposed_solutions_pass():
    assert ex.evaluate_transposed_conv(transposed_loop).passed
    assert ex.evaluate_transposed_conv(transposed_kron).passed
    assert ex.evaluate_transposed_conv(lambda x, k, s: transposed_loop(x, k, s).tolist()).passed
    assert ex.evaluate_transposed_conv(lambda x, k, s: transposed_loop(x, k, s).astype(np.float32)).passed


@pytest.mark.parametrize("mistake", range(len(ex.TRANSPOSED_MISTAKES)))
def test_transposed_mistakes_get_their_hint(mistake):
    entry = ex.TRANSPOSED_MISTAKES[mistake]
    result = ex.evaluate_transposed_conv(entry.wrong)
    assert not result.passed and result.message.endswith(entry.hint)


def test_transposed_todo_crash_and_nan():
    assert "⏳" in ex.evaluate_transposed_conv(todo).message
    result = ex.evaluate_transposed_conv(crash)
    assert not result.passed and "ZeroDivisionError" in result.message
    assert not ex.evaluate_transposed_conv(lambda x, k, s: np.full((5, 7), np.nan)).passed
    assert not ex.evaluate_transposed_conv(lambda x, k, s: None).passed


# --- exercise 2: output size -----------------------------------------------------------------

def test_size_solutions_pass():
    assert ex.evaluate_transposed_size(lambda n, k, s, p: (n - 1) * s + k - 2 * p).passed
    assert ex.evaluate_transposed_size(lambda n, k, s, p: np.int64(n * s - s + k - p - p)).passed
    assert ex.evaluate_transposed_size(lambda n, k, s, p: np.array([(n - 1) * s + k - 2 * p])).passed


@pytest.mark.parametrize("mistake", range(len(ex.SIZE_MISTAKES)))
def test_size_mistakes_get_their_hint(mistake):
    entry = ex.SIZE_MISTAKES[mistake]
    result = ex.evaluate_transposed_size(entry.wrong)
    assert not result.passed and result.message.endswith(entry.hint)


def test_size_float_todo_and_crash():
    result = ex.evaluate_transposed_size(lambda n, k, s, p: (n - 1) * s + k - 2 * p + 0.5)
    assert not result.passed
    assert "⏳" in ex.evaluate_transposed_size(todo).message
    assert not ex.evaluate_transposed_size(crash).passed


# --- exercise 3: class IoU -------------------------------------------------------------------

def iou_sets(y_true, y_pred, class_id):
    truth, guess = np.asarray(y_true) == class_id, np.asarray(y_pred) == class_id
    return np.sum(truth & guess) / np.sum(truth | guess)


def iou_tf(y_true, y_pred, class_id):
    import tensorflow as tf

    truth = tf.equal(tf.constant(y_true), class_id)
    guess = tf.equal(tf.constant(y_pred), class_id)
    inter = tf.reduce_sum(tf.cast(truth & guess, tf.float64))
    return inter / tf.reduce_sum(tf.cast(truth | guess, tf.float64))


def test_iou_solutions_pass():
    assert ex.evaluate_class_iou(iou_sets).passed
    assert ex.evaluate_class_iou(iou_tf).passed
    assert ex.evaluate_class_iou(lambda t, p, c: np.array([iou_sets(t, p, c)])).passed
    assert ex.evaluate_class_iou(lambda t, p, c: float(iou_sets(t, p, c))).passed


@pytest.mark.parametrize("mistake", range(len(ex.IOU_MISTAKES)))
def test_iou_mistakes_get_their_hint(mistake):
    entry = ex.IOU_MISTAKES[mistake]
    result = ex.evaluate_class_iou(entry.wrong)
    assert not result.passed and result.message.endswith(entry.hint)


def test_iou_todo_crash_and_nan():
    assert "⏳" in ex.evaluate_class_iou(todo).message
    assert not ex.evaluate_class_iou(crash).passed
    assert not ex.evaluate_class_iou(lambda t, p, c: float("nan")).passed


def test_points_and_not_allowed_name_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"transposed_conv", "transposed_size", "class_iou"}
