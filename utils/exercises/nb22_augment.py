"""Exercises of notebook 22 (data augmentation): a shift with zero fill, the rotation's coordinate map, contrast."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.vision import cnn

# ---------------------------------------------------------------------------------------------
# Exercise 1: shift an image, filling with zeros
# ---------------------------------------------------------------------------------------------


def _shift_image(image: Any, down: int, right: int) -> np.ndarray:
    return cnn.shift_image(np.asarray(image, dtype=np.float64), right, down)


@guarded
def evaluate_shift_image(shift_image: Callable[[Any, int, int], Any]) -> Result:
    """Evaluate a learner's ``shift_image(image, down, right)``: move the content, zeros where nothing comes in."""
    rng = np.random.default_rng(22)
    cases = [
        # first: not square, ink at every border, one shift down and one to the LEFT, so wrapping,
        # a flipped sign and swapped axes each give a different picture
        Case((np.arange(1.0, 31.0).reshape(5, 6) / 30, 2, -1)),
        Case((rng.uniform(size=(6, 6)), -1, 3)),
        Case((rng.uniform(size=(7, 5)), 3, 0)),
        Case((rng.uniform(size=(4, 8)), 0, -2)),
        Case((rng.uniform(size=(5, 5)), 0, 0)),
        Case((rng.uniform(size=(28, 28)), -4, 2)),
    ]
    mistakes = [
        Mistake("np.roll wraps the pixels that leave one side around to the other side; a shift must "
                "fill the uncovered rows and columns with zeros (black) instead.",
                lambda x, d, r: np.roll(x, (d, r), axis=(0, 1))),
        Mistake("the content moves the wrong way: a positive `down` moves it towards the bottom (higher "
                "row numbers), a positive `right` towards higher column numbers.",
                lambda x, d, r: _shift_image(x, -d, -r)),
        Mistake("rows and columns are swapped: `down` moves along axis 0 (rows), `right` along axis 1 "
                "(columns).", lambda x, d, r: _shift_image(x, r, d)),
        Mistake("only one direction was applied: shift by `down` rows AND by `right` columns.",
                lambda x, d, r: _shift_image(x, d, 0)),
    ]
    return evaluate_function(
        shift_image, _shift_image, cases, name="shift_image", mistakes=mistakes, check_dtype=False,
        axes=("row", "column"),
        success="A digit moved by a few pixels is still the same digit: that is a free new training example.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: where to read the input for a rotated output pixel
# ---------------------------------------------------------------------------------------------


def _source_coordinates(row: Any, col: Any, angle: float, centre: Any) -> np.ndarray:
    row, col = np.asarray(row, dtype=np.float64), np.asarray(col, dtype=np.float64)
    centre_row, centre_col = (float(value) for value in centre)
    theta = np.deg2rad(angle)
    dr, dc = row - centre_row, col - centre_col
    return np.stack([centre_row + np.cos(theta) * dr + np.sin(theta) * dc,
                     centre_col - np.sin(theta) * dr + np.cos(theta) * dc])


def _about_origin(row: Any, col: Any, angle: float, centre: Any) -> np.ndarray:
    return _source_coordinates(row, col, angle, (0.0, 0.0))


def _not_moved_back(row: Any, col: Any, angle: float, centre: Any) -> np.ndarray:
    return _source_coordinates(row, col, angle, centre) - np.asarray(centre, dtype=np.float64).reshape(2, *[1] * np.ndim(row))


@guarded
def evaluate_source_coordinates(source_coordinates: Callable[..., Any]) -> Result:
    """Evaluate a learner's ``source_coordinates(row, col, angle, centre)``: the input (row, col) each output pixel reads."""
    rng = np.random.default_rng(2)
    cases = [
        # first: 30° about the middle of a 28×28 image, points away from the centre and off its axes
        Case((np.array([0.0, 5.0, 20.0, 27.0]), np.array([3.0, 24.0, 8.0, 27.0]), 30.0, (13.5, 13.5))),
        Case((np.array([[0.0, 0.0], [4.0, 4.0]]), np.array([[0.0, 4.0], [0.0, 4.0]]), -45.0, (2.0, 2.0))),
        Case((rng.uniform(0, 27, 6), rng.uniform(0, 27, 6), 12.5, (13.5, 13.5))),
        Case((rng.uniform(0, 9, 5), rng.uniform(0, 15, 5), 90.0, (4.0, 7.0))),
        Case((np.arange(5.0), np.arange(5.0)[::-1], -170.0, (2.0, 2.0))),
    ]
    mistakes = [
        Mistake("np.cos and np.sin take radians: convert the angle first (np.deg2rad(angle), or angle·π/180).",
                lambda r, c, a, ctr: _source_coordinates(r, c, np.rad2deg(a), ctr)),
        Mistake("that turns the picture clockwise: the input is read at the output position turned BACK by "
                "the angle, so the signs of the sin terms are the other way round.",
                lambda r, c, a, ctr: _source_coordinates(r, c, -a, ctr)),
        Mistake("rotate about the centre: subtract it from (row, col) before turning, and add it back after.",
                _about_origin),
        Mistake("after turning the offsets from the centre, add the centre back to get image coordinates.",
                _not_moved_back),
        Mistake("the two results are swapped: return the input row first, then the input column.",
                lambda r, c, a, ctr: _source_coordinates(r, c, a, ctr)[::-1]),
    ]
    return evaluate_function(
        source_coordinates, _source_coordinates, cases, name="source_coordinates", mistakes=mistakes,
        check_dtype=False, rtol=1e-6, atol=1e-6,
        success="Sample the input there (bilinearly, zeros outside) and you have rotated the image.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: contrast around the mean
# ---------------------------------------------------------------------------------------------


def _adjust_contrast(image: Any, factor: float) -> np.ndarray:
    image = np.asarray(image, dtype=np.float64)
    mean = image.mean()
    return np.clip((image - mean) * factor + mean, 0.0, 1.0)


@guarded
def evaluate_adjust_contrast(adjust_contrast: Callable[[Any, float], Any]) -> Result:
    """Evaluate a learner's ``adjust_contrast(image, factor)``: (x − mean)·factor + mean, clipped to [0, 1]."""
    rng = np.random.default_rng(3)
    digit_like = np.zeros((6, 6))
    digit_like[1:5, 2] = [0.7, 1.0, 0.9, 0.6]
    digit_like[1, 3], digit_like[4, 1:4] = 0.5, [0.4, 0.8, 0.3]
    cases = [
        # first: a dark, digit-like image (mean far from 0.5, rows with different means), stretched
        # 1.5× so that some pixels must be clipped
        Case((digit_like, 1.5)),
        Case((rng.uniform(size=(5, 7)), 0.6)),
        Case((rng.uniform(0.2, 0.6, size=(4, 4)), 1.3)),
        Case((rng.uniform(size=(28, 28)) ** 3, 2.0)),
        Case((rng.uniform(size=(3, 5)), 1.0)),
    ]
    mistakes = [
        Mistake("scale the distance from the image's MEAN, not from 0: x·factor also changes the overall "
                "brightness. Compute (x − mean)·factor + mean.",
                lambda x, f: np.clip(np.asarray(x) * f, 0, 1)),
        Mistake("scale around the image's own mean brightness, not around 0.5 (a digit is mostly black, "
                "its mean is far below 0.5).",
                lambda x, f: np.clip((np.asarray(x) - 0.5) * f + 0.5, 0, 1)),
        Mistake("clip the result to [0, 1] (np.clip): a stretched pixel cannot be brighter than white or "
                "darker than black.",
                lambda x, f: (np.asarray(x) - np.mean(x)) * f + np.mean(x)),
        Mistake("multiply the distance from the mean by the factor; do not divide by it.",
                lambda x, f: np.clip((np.asarray(x) - np.mean(x)) / f + np.mean(x), 0, 1)),
        Mistake("use ONE mean, over the whole image (np.mean(image)), not a mean per row or per column.",
                lambda x, f: np.clip((np.asarray(x) - np.mean(x, axis=1, keepdims=True)) * f
                                     + np.mean(x, axis=1, keepdims=True), 0, 1)),
        Mistake("use ONE mean, over the whole image (np.mean(image)), not a mean per column or per row.",
                lambda x, f: np.clip((np.asarray(x) - np.mean(x, axis=0, keepdims=True)) * f
                                     + np.mean(x, axis=0, keepdims=True), 0, 1)),
        Mistake("add the mean back after scaling: (x − mean)·factor + mean.",
                lambda x, f: np.clip((np.asarray(x) - np.mean(x)) * f, 0, 1)),
    ]
    return evaluate_function(
        adjust_contrast, _adjust_contrast, cases, name="adjust_contrast", mistakes=mistakes, check_dtype=False,
        axes=("row", "column"),
        success="This is what keras.layers.RandomContrast does, with a random factor per image.",
    )


check_shift_image = printer(evaluate_shift_image)
check_source_coordinates = printer(evaluate_source_coordinates)
check_adjust_contrast = printer(evaluate_adjust_contrast)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"shift_image": 1, "source_coordinates": 2, "adjust_contrast": 1}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "shift_image": ("augment.affine", "scipy.ndimage", "ndimage.shift", "keras.layers", "tf.image"),
    "source_coordinates": ("augment.inverse_affine", "augment.affine", "scipy.ndimage", "skimage.transform",
                           "keras.layers"),
    "adjust_contrast": ("augment.contrast", "tf.image", "keras.layers"),
}
