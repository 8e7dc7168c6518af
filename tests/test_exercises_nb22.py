"""Notebook 22's exercise checks accept the solutions (in several valid forms) and give each plausible mistake its hint."""

import numpy as np
import pytest
from scipy import ndimage

from utils.exercises import nb22_augment as ex


def todo(*args, **kwargs):
    raise NotImplementedError


def crash(*args, **kwargs):
    return 1 / 0


# --- exercise 1: shift with zero fill ---------------------------------------------------------

def slice_shift(image, down, right):
    height, width = image.shape
    out = np.zeros_like(image)
    out[max(down, 0):height + min(down, 0), max(right, 0):width + min(right, 0)] = \
        image[max(-down, 0):height - max(down, 0), max(-right, 0):width - max(right, 0)]
    return out


def pad_shift(image, down, right):
    height, width = image.shape
    padded = np.pad(image, ((abs(down), abs(down)), (abs(right), abs(right))))
    top, left = abs(down) - down, abs(right) - right
    return padded[top:top + height, left:left + width]


def loop_shift(image, down, right):
    out = [[0.0] * image.shape[1] for _ in range(image.shape[0])]
    for r in range(image.shape[0]):
        for c in range(image.shape[1]):
            if 0 <= r - down < image.shape[0] and 0 <= c - right < image.shape[1]:
                out[r][c] = float(image[r - down, c - right])
    return out


@pytest.mark.parametrize("answer", [
    slice_shift, pad_shift, loop_shift,
    lambda x, d, r: ndimage.shift(x, (d, r), order=0, mode="constant", cval=0.0),
])
def test_shift_image_valid_answers_pass(answer):
    result = ex.evaluate_shift_image(answer)
    assert result.passed, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, d, r: np.roll(x, (d, r), axis=(0, 1)), "np.roll wraps"),
    (lambda x, d, r: slice_shift(x, -d, -r), "the wrong way"),
    (lambda x, d, r: slice_shift(x, r, d), "rows and columns are swapped"),
    (lambda x, d, r: slice_shift(x, d, 0), "only one direction"),
])
def test_shift_image_mistakes_get_their_hints(wrong, hint):
    result = ex.evaluate_shift_image(wrong)
    assert not result.passed and "Hint" in result.message and hint in result.message, result.message


def test_shift_image_message_names_row_and_column():
    result = ex.evaluate_shift_image(lambda x, d, r: slice_shift(x, d, r) + (np.arange(x.size).reshape(x.shape) == 7))
    assert not result.passed and "row" in result.message and "column" in result.message, result.message


# --- exercise 2: the rotation's coordinate map ------------------------------------------------

def reference_source(row, col, angle, centre):
    theta = np.deg2rad(angle)
    d_row, d_col = row - centre[0], col - centre[1]
    return (centre[0] + np.cos(theta) * d_row + np.sin(theta) * d_col,
            centre[1] - np.sin(theta) * d_row + np.cos(theta) * d_col)


def matrix_source(row, col, angle, centre):
    theta = angle * np.pi / 180
    backward = np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
    points = np.stack([np.ravel(row), np.ravel(col)]) - np.reshape(centre, (2, 1))
    source = backward @ points + np.reshape(centre, (2, 1))
    return source.reshape(2, *np.shape(row))


def tf_source(row, col, angle, centre):
    import tensorflow as tf

    theta = tf.constant(np.deg2rad(angle))
    d_row, d_col = tf.constant(row) - centre[0], tf.constant(col) - centre[1]
    return tf.stack([centre[0] + tf.cos(theta) * d_row + tf.sin(theta) * d_col,
                     centre[1] - tf.sin(theta) * d_row + tf.cos(theta) * d_col])


@pytest.mark.parametrize("answer", [reference_source, matrix_source, tf_source,
                                    lambda r, c, a, ctr: list(reference_source(r, c, a, ctr))])
def test_source_coordinates_valid_answers_pass(answer):
    result = ex.evaluate_source_coordinates(answer)
    assert result.passed, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda r, c, a, ctr: reference_source(r, c, np.rad2deg(a), ctr), "take radians"),
    (lambda r, c, a, ctr: reference_source(r, c, -a, ctr), "clockwise"),
    (lambda r, c, a, ctr: reference_source(r, c, a, (0.0, 0.0)), "rotate about the centre"),
    (lambda r, c, a, ctr: tuple(v - m for v, m in zip(reference_source(r, c, a, ctr), ctr)), "add the centre back"),
    (lambda r, c, a, ctr: reference_source(r, c, a, ctr)[::-1], "swapped"),
])
def test_source_coordinates_mistakes_get_their_hints(wrong, hint):
    result = ex.evaluate_source_coordinates(wrong)
    assert not result.passed and "Hint" in result.message and hint in result.message, result.message


def test_source_coordinates_agrees_with_the_helper():
    from utils.vision import augment

    matrix, offset = augment.inverse_affine((28, 28), angle=30.0)
    row, col = np.array([0.0, 5.0, 20.0]), np.array([3.0, 24.0, 8.0])
    np.testing.assert_allclose(np.stack(reference_source(row, col, 30.0, (13.5, 13.5))),
                               matrix @ np.stack([row, col]) + offset[:, None])


# --- exercise 3: contrast ---------------------------------------------------------------------

@pytest.mark.parametrize("answer", [
    lambda x, f: np.clip((x - x.mean()) * f + x.mean(), 0, 1),
    lambda x, f: np.minimum(np.maximum(f * x + (1 - f) * np.mean(x), 0.0), 1.0),
    lambda x, f: np.clip((x - x.mean()) * f + x.mean(), 0, 1).tolist(),
    lambda x, f: np.clip((x - x.mean()) * f + x.mean(), 0, 1).astype(np.float32),
])
def test_adjust_contrast_valid_answers_pass(answer):
    result = ex.evaluate_adjust_contrast(answer)
    assert result.passed, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, f: np.clip(x * f, 0, 1), "not from 0"),
    (lambda x, f: np.clip((x - 0.5) * f + 0.5, 0, 1), "not around 0.5"),
    (lambda x, f: (x - x.mean()) * f + x.mean(), "clip the result"),
    (lambda x, f: np.clip((x - x.mean()) / f + x.mean(), 0, 1), "do not divide"),
    (lambda x, f: np.clip((x - x.mean(axis=1, keepdims=True)) * f + x.mean(axis=1, keepdims=True), 0, 1),
     "not a mean per row"),
    (lambda x, f: np.clip((x - x.mean(axis=0, keepdims=True)) * f + x.mean(axis=0, keepdims=True), 0, 1),
     "not a mean per column"),
    (lambda x, f: np.clip((x - x.mean()) * f, 0, 1), "add the mean back"),
])
def test_adjust_contrast_mistakes_get_their_hints(wrong, hint):
    result = ex.evaluate_adjust_contrast(wrong)
    assert not result.passed and "Hint" in result.message and hint in result.message, result.message


def test_adjust_contrast_agrees_with_the_helper():
    from utils.vision import augment

    image = np.random.default_rng(0).uniform(size=(5, 5))
    assert ex.evaluate_adjust_contrast(lambda x, f: augment.contrast(x, f)).passed
    np.testing.assert_allclose(augment.contrast(image, 1.7), ex._adjust_contrast(image, 1.7))


# --- every check ------------------------------------------------------------------------------

EVALUATES = [ex.evaluate_shift_image, ex.evaluate_source_coordinates, ex.evaluate_adjust_contrast]


@pytest.mark.parametrize("evaluate", EVALUATES)
def test_not_attempted_says_so(evaluate):
    result = evaluate(todo)
    assert not result.passed and result.message.startswith("⏳"), result.message


@pytest.mark.parametrize("evaluate", EVALUATES)
@pytest.mark.parametrize("broken", [crash, lambda *a: None, lambda *a: "image", 3.0])
def test_broken_answers_get_a_message_not_a_traceback(evaluate, broken):
    result = evaluate(broken)
    assert not result.passed and result.message.startswith("❌") and "Traceback" not in result.message


def test_points_cover_every_exercise():
    assert ex.POINTS == {"shift_image": 1, "source_coordinates": 2, "adjust_contrast": 1}
    assert set(ex.NOT_ALLOWED) <= set(ex.POINTS)
