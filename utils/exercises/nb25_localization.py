"""Exercises of notebook 25 (object localization): IoU, box format conversion, non-max suppression."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.vision import boxes as bx
from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer

# ---------------------------------------------------------------------------------------------
# Exercise 1: IoU of two boxes
# ---------------------------------------------------------------------------------------------


def _area(box: np.ndarray) -> float:
    return float((box[2] - box[0]) * (box[3] - box[1]))


def _intersection(a: np.ndarray, b: np.ndarray, clamp: bool = True) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if clamp:
        width, height = max(width, 0.0), max(height, 0.0)
    return float(width * height)


def _iou_unclamped(a: Any, b: Any) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    inter = _intersection(a, b, clamp=False)
    return inter / (_area(a) + _area(b) - inter)


def _iou_sum_union(a: Any, b: Any) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return _intersection(a, b) / (_area(a) + _area(b))


def _iou_plus_one(a: Any, b: Any) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    w = max(min(a[2], b[2]) - max(a[0], b[0]) + 1, 0.0)
    h = max(min(a[3], b[3]) - max(a[1], b[1]) + 1, 0.0)
    area_a = (a[2] - a[0] + 1) * (a[3] - a[1] + 1)
    area_b = (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
    return w * h / (area_a + area_b - w * h)


def _intersection_only(a: Any, b: Any) -> float:
    return _intersection(np.asarray(a, float), np.asarray(b, float))


def _over_smaller(a: Any, b: Any) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return _intersection(a, b) / min(_area(a), _area(b))


def _over_first(a: Any, b: Any) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return _intersection(a, b) / _area(a)


def _iou_reference(a: Any, b: Any) -> float:
    return bx.iou(a, b)


@guarded
def evaluate_iou(iou: Callable[[Any, Any], float]) -> Result:
    """Evaluate a learner's ``iou(box_a, box_b)`` for corner boxes (x_min, y_min, x_max, y_max)."""
    cases = [
        Case((np.array([0.0, 0.0, 4.0, 4.0]), np.array([2.0, 2.0, 5.0, 5.0]))),  # 4 / 21
        Case((np.array([0.0, 0.0, 3.0, 3.0]), np.array([5.0, 0.5, 9.0, 2.5]))),  # apart in x only
        Case((np.array([10.0, 10.0, 30.0, 20.0]), np.array([15.0, 5.0, 25.0, 40.0]))),  # a cross
        Case((np.array([0.0, 0.0, 10.0, 10.0]), np.array([2.0, 3.0, 6.0, 8.0]))),  # one inside the other
        Case((np.array([0.0, 0.0, 2.0, 2.0]), np.array([5.0, 6.0, 9.0, 9.0]))),  # apart in x and y
        Case((np.array([1.0, 1.0, 5.0, 5.0]), np.array([1.0, 1.0, 5.0, 5.0]))),  # identical
    ]
    mistakes = [
        Mistake("clamp the intersection's width and height at zero (max(0, ...)): boxes that do not touch "
                "have IoU 0, but two negative sides multiply to a positive 'overlap'.", _iou_unclamped),
        Mistake("the union counts the overlap once: area_a + area_b − intersection, not area_a + area_b.", _iou_sum_union),
        Mistake("the coordinates are continuous: width = x_max − x_min, with no '+ 1' (that convention is for "
                "inclusive integer pixel indices).", _iou_plus_one),
        Mistake("divide the intersection by the union to get a number between 0 and 1.", _intersection_only),
        Mistake("divide by the union, not by the smaller box's area.", _over_smaller),
        Mistake("divide by the union of both boxes, not by the first box's area.", _over_first),
    ]
    return evaluate_function(
        iou, _iou_reference, cases, name="iou", mistakes=mistakes, check_dtype=False,
        success="0 for boxes that do not touch, 1 for identical boxes, symmetric in between.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: corners -> centre format
# ---------------------------------------------------------------------------------------------


def _centre_reference(boxes: Any) -> np.ndarray:
    return bx.corners_to_centre(boxes)


def _centre_no_half(boxes: Any) -> np.ndarray:
    b = np.asarray(boxes, float)
    return np.stack([b[:, 0] + b[:, 2], b[:, 1] + b[:, 3], b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], axis=1)


def _centre_sum_size(boxes: Any) -> np.ndarray:
    b = np.asarray(boxes, float)
    return np.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, b[:, 2] + b[:, 0], b[:, 3] + b[:, 1]], axis=1)


def _centre_half_size(boxes: Any) -> np.ndarray:
    b = np.asarray(boxes, float)
    return np.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, (b[:, 2] - b[:, 0]) / 2, (b[:, 3] - b[:, 1]) / 2], axis=1)


def _centre_diff(boxes: Any) -> np.ndarray:
    b = np.asarray(boxes, float)
    return np.stack([(b[:, 2] - b[:, 0]) / 2, (b[:, 3] - b[:, 1]) / 2, b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], axis=1)


def _centre_xy_swapped(boxes: Any) -> np.ndarray:
    return _centre_reference(boxes)[:, [1, 0, 3, 2]]


def _centre_size_first(boxes: Any) -> np.ndarray:
    return _centre_reference(boxes)[:, [2, 3, 0, 1]]


def _centre_corner(boxes: Any) -> np.ndarray:
    b = np.asarray(boxes, float)
    return np.stack([b[:, 0], b[:, 1], b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], axis=1)


@guarded
def evaluate_corners_to_centre(corners_to_centre: Callable[[Any], Any]) -> Result:
    """Evaluate a learner's ``corners_to_centre(boxes)``: (n, 4) corners → (n, 4) (x_centre, y_centre, width, height)."""
    cases = [
        Case((np.array([[2.0, 1.0, 6.0, 4.0]]),)),  # not at the origin: x_max + x_min ≠ x_max − x_min
        Case((np.array([[10.0, 20.0, 30.0, 26.0], [5.0, 1.0, 9.0, 15.0]]),)),
        Case((np.array([[12.5, 3.0, 40.0, 33.5], [0.0, 0.0, 64.0, 64.0], [30.0, 40.0, 31.0, 52.0]]),)),
    ]
    mistakes = [
        Mistake("the centre is the *average* of the two corners: (x_min + x_max) / 2.", _centre_no_half),
        Mistake("the width is x_max − x_min (a difference), not a sum.", _centre_sum_size),
        Mistake("the width is the full x_max − x_min, not half of it.", _centre_half_size),
        Mistake("the centre is (x_min + x_max) / 2; (x_max − x_min) / 2 is half the width.", _centre_diff),
        Mistake("keep the order (x_centre, y_centre, width, height): x before y.", _centre_xy_swapped),
        Mistake("the centre comes first: (x_centre, y_centre, width, height).", _centre_size_first),
        Mistake("the first two numbers are the centre, not the top-left corner.", _centre_corner),
    ]
    return evaluate_function(
        corners_to_centre, _centre_reference, cases, name="corners_to_centre", mistakes=mistakes, check_dtype=False,
        success="This is the format the localization head predicts.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: non-max suppression
# ---------------------------------------------------------------------------------------------


def _nms_reference(boxes: Any, scores: Any, iou_threshold: float) -> np.ndarray:
    return bx.non_max_suppression(boxes, scores, iou_threshold)


def _nms_ascending(boxes: Any, scores: Any, iou_threshold: float) -> np.ndarray:
    return bx.non_max_suppression(boxes, -np.asarray(scores, float), iou_threshold, score_threshold=-np.inf)


def _nms_inverted(boxes: Any, scores: Any, iou_threshold: float) -> np.ndarray:
    boxes, scores = np.asarray(boxes, float), np.asarray(scores, float)
    order = list(np.argsort(-scores, kind="stable"))
    overlaps = bx.iou_matrix(boxes, boxes)
    kept = []
    while order:
        best = order.pop(0)
        kept.append(best)
        order = [i for i in order if overlaps[best, i] > iou_threshold]
    return np.array(kept, dtype=np.int64)


def _nms_one_step(boxes: Any, scores: Any, iou_threshold: float) -> np.ndarray:
    steps = bx.nms_steps(boxes, scores, iou_threshold)
    return np.array([steps[0]["kept"], *steps[0]["remaining"]], dtype=np.int64)


def _nms_top_only(boxes: Any, scores: Any, iou_threshold: float) -> np.ndarray:
    return np.array([int(np.argmax(scores))], dtype=np.int64)


def _nms_unsorted(boxes: Any, scores: Any, iou_threshold: float) -> np.ndarray:
    return np.sort(_nms_reference(boxes, scores, iou_threshold))


def _nms_cases() -> list[Case]:
    cluster = np.array([
        [10, 10, 30, 30], [12, 11, 31, 32], [40, 40, 60, 58], [9, 12, 28, 29], [41, 38, 62, 60], [0, 45, 15, 60],
    ], dtype=float)
    chain = np.array([[0, 0, 10, 10], [4, 0, 14, 10], [8, 0, 18, 10], [30, 30, 40, 40]], dtype=float)
    return [
        Case((cluster, np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.85]), 0.5)),  # keeps 0, 5, 2: not index order
        Case((cluster, np.array([0.9, 0.75, 0.8, 0.6, 0.7, 0.3]), 0.5)),
        Case((cluster, np.array([0.2, 0.5, 0.85, 0.4, 0.6, 0.95]), 0.5)),
        Case((chain, np.array([0.9, 0.8, 0.7, 0.6]), 0.3)),  # B overlaps A and C, but A and C do not overlap
        Case((chain, np.array([0.6, 0.9, 0.8, 0.7]), 0.3)),
    ]


@guarded
def evaluate_non_max_suppression(non_max_suppression: Callable[[Any, Any, float], Any]) -> Result:
    """Evaluate a learner's ``non_max_suppression(boxes, scores, iou_threshold)``: kept indices, best score first."""
    mistakes = [
        Mistake("start from the *highest* score (sort in descending order: np.argsort(-scores)).", _nms_ascending),
        Mistake("remove the boxes whose IoU with the kept box is *above* the threshold, keep the rest; "
                "you did the opposite.", _nms_inverted),
        Mistake("repeat: after removing the boxes that overlap the best one, pick the best of the remaining "
                "boxes and suppress again, until none are left.", _nms_one_step),
        Mistake("NMS keeps one box per object, not just the single best box overall.", _nms_top_only),
        Mistake("return the kept indices in the order you kept them (best score first), not sorted by index.", _nms_unsorted),
    ]
    return evaluate_function(
        non_max_suppression, _nms_reference, _nms_cases(), name="non_max_suppression", mistakes=mistakes,
        check_dtype=False, integer=True, references={"iou": _iou_reference}, success="One box per object survives.",
    )


check_iou = printer(evaluate_iou)
check_corners_to_centre = printer(evaluate_corners_to_centre)
check_non_max_suppression = printer(evaluate_non_max_suppression)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"corners_to_centre": 1, "iou": 2, "non_max_suppression": 3}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "iou": ("boxes.iou_matrix", "tf.image", "torchvision"),
    "non_max_suppression": ("boxes.nms_steps", "tf.image", "torchvision"),
}
