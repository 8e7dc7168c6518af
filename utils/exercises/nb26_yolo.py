"""Exercises of notebook 26 (YOLO): the cell that owns a box, encoding one box into a grid target, average precision."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.vision import boxes as bx
from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer

# ---------------------------------------------------------------------------------------------
# Exercise 1: which cell owns the box?
# ---------------------------------------------------------------------------------------------


def _centre(box: Any) -> tuple[float, float]:
    box = np.asarray(box, float)
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _cell_reference(box: Any, grid_size: int, image_size: float) -> tuple[int, int]:
    return bx.grid_cell(box, grid_size, image_size)


def _cell_swapped(box: Any, grid_size: int, image_size: float) -> tuple[int, int]:
    row, column = bx.grid_cell(box, grid_size, image_size)
    return column, row


def _cell_corner(box: Any, grid_size: int, image_size: float) -> tuple[int, int]:
    cell = image_size / grid_size
    return int(box[1] // cell), int(box[0] // cell)


def _cell_rounded(box: Any, grid_size: int, image_size: float) -> tuple[int, int]:
    cx, cy = _centre(box)
    cell = image_size / grid_size
    return int(np.round(cy / cell)), int(np.round(cx / cell))


def _cell_by_count(box: Any, grid_size: int, image_size: float) -> tuple[int, int]:
    cx, cy = _centre(box)
    return int(cy // grid_size), int(cx // grid_size)


@guarded
def evaluate_cell_of(cell_of: Callable[[Any, int, float], Any]) -> Result:
    """Evaluate a learner's ``cell_of(box, grid_size, image_size)`` → (row, column) of the cell owning the centre."""
    cases = [
        Case((np.array([40.0, 4.0, 56.0, 20.0]), 4, 64.0)),  # centre (48, 12): row 0, column 3
        Case((np.array([2.0, 30.0, 20.0, 60.0]), 8, 64.0)),  # centre (11, 45): row 5, column 1
        Case((np.array([50.0, 10.0, 90.0, 40.0]), 3, 96.0)),  # centre (70, 25): row 0, column 2
        Case((np.array([10.0, 70.0, 30.0, 90.0]), 3, 96.0)),  # centre (20, 80): row 2, column 0
        Case((np.array([17.0, 33.0, 29.0, 45.0]), 4, 64.0)),  # centre (23, 39): row 2, column 1
    ]
    mistakes = [
        Mistake("the row comes from y (down the image) and the column from x: return (row, column), "
                "you returned (column, row).", _cell_swapped),
        Mistake("the cell that owns an object is the one containing the box's *centre*, not its top-left corner.",
                _cell_corner),
        Mistake("use floor (//), not round: a centre at 1.7 cells lies inside cell 1.", _cell_rounded),
        Mistake("divide the centre by the *cell size* (image_size / grid_size), not by the number of cells.",
                _cell_by_count),
    ]
    return evaluate_function(
        cell_of, _cell_reference, cases, name="cell_of", mistakes=mistakes, check_dtype=False,
        integer=True, success="Each object now has exactly one cell responsible for it.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: encode one box into a grid target
# ---------------------------------------------------------------------------------------------


def _encode_reference(box: Any, label: int, grid_size: int, image_size: float, num_classes: int) -> np.ndarray:
    return bx.encode_grid(np.asarray(box, float)[None], np.array([label]), grid_size, image_size, num_classes)


def _encode_with(box: Any, label: int, grid_size: int, image_size: float, num_classes: int, *,
                 where: tuple[int, int] | None = None, x: float | None = None, y: float | None = None,
                 w: float | None = None, h: float | None = None, objectness: float = 1.0,
                 one_hot: bool = True) -> np.ndarray:
    """The reference target with one ingredient replaced: a model of a specific mistake."""
    target = np.zeros((grid_size, grid_size, 5 + num_classes), dtype=np.float32)
    row, column = bx.grid_cell(box, grid_size, image_size)
    cx, cy = _centre(box)
    cell = image_size / grid_size
    values = [objectness,
              cx / cell - column if x is None else x,
              cy / cell - row if y is None else y,
              (box[2] - box[0]) / image_size if w is None else w,
              (box[3] - box[1]) / image_size if h is None else h]
    r, c = where if where is not None else (row, column)
    target[r, c, :5] = values
    if one_hot:
        target[r, c, 5 + label] = 1.0
    return target


def _encode_mistakes() -> list[Mistake]:
    def swapped(box, label, S, size, C):
        row, column = bx.grid_cell(box, S, size)
        return _encode_with(box, label, S, size, C, where=(column, row))

    def image_offsets(box, label, S, size, C):
        cx, cy = _centre(box)
        return _encode_with(box, label, S, size, C, x=cx / size, y=cy / size)

    def absolute_cells(box, label, S, size, C):
        cx, cy = _centre(box)
        return _encode_with(box, label, S, size, C, x=cx / (size / S), y=cy / (size / S))

    def pixel_offsets(box, label, S, size, C):
        row, column = bx.grid_cell(box, S, size)
        cx, cy = _centre(box)
        return _encode_with(box, label, S, size, C, x=cx - column * size / S, y=cy - row * size / S)

    def corner_offsets(box, label, S, size, C):
        row, column = bx.grid_cell(box, S, size)
        cell = size / S
        return _encode_with(box, label, S, size, C, x=box[0] / cell - column, y=box[1] / cell - row)

    def cell_sizes(box, label, S, size, C):
        return _encode_with(box, label, S, size, C, w=(box[2] - box[0]) / (size / S), h=(box[3] - box[1]) / (size / S))

    def pixel_sizes(box, label, S, size, C):
        return _encode_with(box, label, S, size, C, w=box[2] - box[0], h=box[3] - box[1])

    def no_objectness(box, label, S, size, C):
        return _encode_with(box, label, S, size, C, objectness=0.0)

    def no_one_hot(box, label, S, size, C):
        return _encode_with(box, label, S, size, C, one_hot=False)

    return [
        Mistake("index the grid as target[row, column]: the row comes from y, the column from x.", swapped),
        Mistake("x and y are offsets inside the owning *cell* (cx / cell_size − column), in [0, 1); "
                "you gave the centre as a fraction of the whole image.", image_offsets),
        Mistake("subtract the cell's column (and row) index: x = cx / cell_size − column, so it lies in [0, 1).",
                absolute_cells),
        Mistake("measure the offset in cell units: divide the pixel offset by the cell size.", pixel_offsets),
        Mistake("x, y locate the box's *centre* inside its cell, not its top-left corner.", corner_offsets),
        Mistake("w and h are fractions of the whole *image* (width / image_size), not of a cell.", cell_sizes),
        Mistake("w and h are fractions of the image: divide the width and height in pixels by image_size.", pixel_sizes),
        Mistake("set the objectness (channel 0) of the owning cell to 1.", no_objectness),
        Mistake("channels 5 onwards hold the class one-hot: set channel 5 + label to 1.", no_one_hot),
    ]


@guarded
def evaluate_encode_box(encode_box: Callable[[Any, int, int, float, int], Any]) -> Result:
    """Evaluate a learner's ``encode_box(box, label, grid_size, image_size, num_classes)`` → (S, S, 5 + C) target."""
    cases = [
        Case((np.array([40.0, 4.0, 56.0, 20.0]), 2, 4, 64.0, 3)),
        Case((np.array([2.0, 30.0, 20.0, 60.0]), 0, 8, 64.0, 3)),
        Case((np.array([50.0, 10.0, 90.0, 40.0]), 1, 3, 96.0, 2)),
        Case((np.array([17.0, 33.0, 29.0, 45.0]), 1, 4, 64.0, 3)),
    ]
    return evaluate_function(
        encode_box, _encode_reference, cases, name="encode_box", mistakes=_encode_mistakes(), check_dtype=False,
        axes=("row", "column", "channel"), references={"cell_of": _cell_reference}, rtol=1e-4, atol=1e-5, success="This is exactly the target the tiny YOLO learns to predict.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: average precision (all-point interpolation)
# ---------------------------------------------------------------------------------------------


def _ap_reference(recall: Any, precision: Any) -> float:
    return bx.average_precision(recall, precision)


def _ap_raw(recall: Any, precision: Any) -> float:
    r = np.concatenate([[0.0], np.asarray(recall, float)])
    return float(np.sum(np.diff(r) * np.asarray(precision, float)))


def _ap_mean(recall: Any, precision: Any) -> float:
    return float(np.mean(precision))


def _ap_eleven(recall: Any, precision: Any) -> float:
    recall, precision = np.asarray(recall, float), np.asarray(precision, float)
    return float(np.mean([precision[recall >= t].max() if np.any(recall >= t) else 0.0 for t in np.linspace(0, 1, 11)]))


def _ap_trapezoid(recall: Any, precision: Any) -> float:
    r = np.concatenate([[0.0], np.asarray(recall, float)])
    p = np.concatenate([[1.0], np.asarray(precision, float)])
    return float(np.sum(np.diff(r) * (p[1:] + p[:-1]) / 2))


def _ap_left_max(recall: Any, precision: Any) -> float:
    """Interpolates with the running maximum from the left (the best precision seen *so far*)."""
    r = np.concatenate([[0.0], np.asarray(recall, float)])
    return float(np.sum(np.diff(r) * np.maximum.accumulate(np.asarray(precision, float))))


@guarded
def evaluate_average_precision(average_precision: Callable[[Any, Any], float]) -> Result:
    """Evaluate a learner's ``average_precision(recall, precision)``: all-point interpolated area."""
    cases = [
        Case((np.array([0.25, 0.25, 0.5, 0.75, 0.75]), np.array([1.0, 0.5, 2 / 3, 0.75, 0.6]))),
        Case((np.array([0.2, 0.4, 0.4, 0.4, 0.6, 0.8, 0.8]), np.array([1.0, 1.0, 2 / 3, 0.5, 0.6, 2 / 3, 4 / 7]))),
        Case((np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.5, 2 / 3]))),
        Case((np.array([1 / 3, 2 / 3, 1.0]), np.array([1.0, 1.0, 1.0]))),
    ]
    mistakes = [
        Mistake("interpolate first: replace each precision by the best precision at that recall *or any higher "
                "recall* (a running maximum from the right), then sum precision × recall step.", _ap_raw),
        Mistake("AP is an area: sum precision × (change in recall), not the plain mean of the precisions.", _ap_mean),
        Mistake("this is the older 11-point AP (PASCAL VOC 2007); use every recall step (all-point interpolation).",
                _ap_eleven),
        Mistake("use the interpolated precision as a step function (rectangles), not the trapezoidal rule.", _ap_trapezoid),
        Mistake("the running maximum goes from the *right* (higher recall), not from the left.", _ap_left_max),
    ]
    return evaluate_function(
        average_precision, _ap_reference, cases, name="average_precision", mistakes=mistakes, check_dtype=False,
        success="Averaged over the classes, this is mAP.",
    )


check_cell_of = printer(evaluate_cell_of)
check_encode_box = printer(evaluate_encode_box)
check_average_precision = printer(evaluate_average_precision)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"cell_of": 1, "encode_box": 3, "average_precision": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "cell_of": ("boxes.grid_cell",),
    "encode_box": ("boxes.encode_grid", "boxes.encode_grids"),
    "average_precision": ("boxes.interpolated_precision", "boxes.mean_average_precision", "sklearn.metrics"),
}
