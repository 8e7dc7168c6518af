"""Notebooks 25 and 26: exercise checks accept the solutions and reject plausible wrong answers with a hint."""

import numpy as np
import pytest

from utils.exercises import nb25_localization as loc
from utils.exercises import nb26_yolo as yolo


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


# ---------------------------------------------------------------- notebook 25


def iou(a, b):
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = width * height
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def iou_unclamped(a, b):
    inter = (min(a[2], b[2]) - max(a[0], b[0])) * (min(a[3], b[3]) - max(a[1], b[1]))
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def iou_sum_union(a, b):
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return width * height / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]))


def iou_plus_one(a, b):
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]) + 1)
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]) + 1)
    inter = width * height
    area_a = (a[2] - a[0] + 1) * (a[3] - a[1] + 1)
    area_b = (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
    return inter / (area_a + area_b - inter)


def test_iou_solution_passes():
    assert loc.evaluate_iou(iou).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (iou_unclamped, "clamp the intersection"),
        (iou_sum_union, "counts the overlap once"),
        (iou_plus_one, "no '+ 1'"),
        (lambda a, b: max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1])),
         "divide the intersection"),
        (lambda a, b: max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
         / min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])), "smaller box"),
        (lambda a, b: max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
         / ((a[2] - a[0]) * (a[3] - a[1])), "first box"),
    ],
)
def test_iou_mistakes_get_hints(wrong, hint):
    result = loc.evaluate_iou(wrong)
    assert not result.passed and hint in result.message, result.message


def corners_to_centre(boxes):
    b = np.asarray(boxes, float)
    return np.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], axis=1)


def test_corners_to_centre_solution_and_mistakes():
    assert loc.evaluate_corners_to_centre(corners_to_centre).passed
    for wrong, hint in [
        (lambda b: corners_to_centre(b) * [2, 2, 1, 1], "*average*"),
        (lambda b: corners_to_centre(b)[:, [0, 1, 0, 1]] * [1, 1, 2, 2], "difference"),
        (lambda b: corners_to_centre(b) / [1, 1, 2, 2], "not half"),
        (lambda b: corners_to_centre(b)[:, [1, 0, 3, 2]], "x before y"),
        (lambda b: corners_to_centre(b)[:, [2, 3, 0, 1]], "centre comes first"),
        (lambda b: np.concatenate([np.asarray(b, float)[:, :2], corners_to_centre(b)[:, 2:]], axis=1), "top-left corner"),
    ]:
        result = loc.evaluate_corners_to_centre(wrong)
        assert not result.passed and hint in result.message, result.message


def nms(boxes, scores, threshold):
    order = list(np.argsort(-np.asarray(scores), kind="stable"))
    kept = []
    while order:
        best = order.pop(0)
        kept.append(int(best))
        order = [i for i in order if iou(boxes[best], boxes[i]) <= threshold]
    return np.array(kept)


def nms_inverted(boxes, scores, threshold):
    order = list(np.argsort(-np.asarray(scores), kind="stable"))
    kept = []
    while order:
        best = order.pop(0)
        kept.append(int(best))
        order = [i for i in order if iou(boxes[best], boxes[i]) > threshold]
    return np.array(kept)


def nms_one_step(boxes, scores, threshold):
    order = list(np.argsort(-np.asarray(scores), kind="stable"))
    best = order[0]
    return np.array([best] + [i for i in order[1:] if iou(boxes[best], boxes[i]) <= threshold])


def test_nms_solution_and_mistakes():
    assert loc.evaluate_non_max_suppression(nms).passed
    for wrong, hint in [
        (lambda b, s, t: nms(b, -np.asarray(s), t), "*highest* score"),
        (nms_inverted, "you did the opposite"),
        (nms_one_step, "repeat"),
        (lambda b, s, t: np.array([int(np.argmax(s))]), "one box per object"),
        (lambda b, s, t: np.sort(nms(b, s, t)), "order you kept them"),
    ]:
        result = loc.evaluate_non_max_suppression(wrong)
        assert not result.passed and hint in result.message, result.message


def test_nms_returning_lists_is_fine():
    assert loc.evaluate_non_max_suppression(lambda b, s, t: nms(b, s, t).tolist()).passed


# ---------------------------------------------------------------- notebook 26


def cell_of(box, grid_size, image_size):
    cell = image_size / grid_size
    return int((box[1] + box[3]) / 2 // cell), int((box[0] + box[2]) / 2 // cell)


def test_cell_of_solution_and_mistakes():
    assert yolo.evaluate_cell_of(cell_of).passed
    for wrong, hint in [
        (lambda b, S, size: cell_of(b, S, size)[::-1], "(column, row)"),
        (lambda b, S, size: (int(b[1] // (size / S)), int(b[0] // (size / S))), "*centre*"),
        (lambda b, S, size: (round((b[1] + b[3]) / 2 / (size / S)), round((b[0] + b[2]) / 2 / (size / S))), "not round"),
        (lambda b, S, size: (int((b[1] + b[3]) / 2 // S), int((b[0] + b[2]) / 2 // S)), "*cell size*"),
    ]:
        result = yolo.evaluate_cell_of(wrong)
        assert not result.passed and hint in result.message, result.message


def encode_box(box, label, S, size, C, relative_to_image=False, swap=False, cell_sizes=False):
    target = np.zeros((S, S, 5 + C))
    row, column = cell_of(box, S, size)
    cell = size / S
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    x, y = (cx / size, cy / size) if relative_to_image else (cx / cell - column, cy / cell - row)
    scale = cell if cell_sizes else size
    r, c = (column, row) if swap else (row, column)
    target[r, c, :5] = [1, x, y, (box[2] - box[0]) / scale, (box[3] - box[1]) / scale]
    target[r, c, 5 + label] = 1
    return target


def test_encode_box_solution_and_mistakes():
    assert yolo.evaluate_encode_box(encode_box).passed
    for wrong, hint in [
        (lambda *a: encode_box(*a, swap=True), "target[row, column]"),
        (lambda *a: encode_box(*a, relative_to_image=True), "fraction of the whole image"),
        (lambda *a: encode_box(*a, cell_sizes=True), "not of a cell"),
        (lambda *a: encode_box(*a) * np.array([0, 1, 1, 1, 1] + [1] * (a[4])), "objectness"),
        (lambda *a: np.concatenate([encode_box(*a)[..., :5], np.zeros(encode_box(*a).shape[:2] + (a[4],))], -1), "one-hot"),
    ]:
        result = yolo.evaluate_encode_box(wrong)
        assert not result.passed and hint in result.message, result.message


@pytest.mark.parametrize("mistake", yolo._encode_mistakes(), ids=lambda m: m.hint[:30])
def test_every_modelled_encoding_mistake_gets_its_own_hint(mistake):
    result = yolo.evaluate_encode_box(mistake.wrong)
    assert not result.passed and mistake.hint in result.message, result.message


def test_encode_box_wrong_shape_is_explained():
    result = yolo.evaluate_encode_box(lambda box, label, S, size, C: encode_box(box, label, S, size, C)[0])
    assert not result.passed and "shape" in result.message


def average_precision(recall, precision):
    recall = np.concatenate([[0.0], recall])
    return float(np.sum(np.diff(recall) * np.maximum.accumulate(np.asarray(precision)[::-1])[::-1]))


def test_average_precision_solution_and_mistakes():
    assert yolo.evaluate_average_precision(average_precision).passed
    for wrong, hint in [
        (lambda r, p: float(np.sum(np.diff(np.concatenate([[0.0], r])) * p)), "interpolate first"),
        (lambda r, p: float(np.mean(p)), "plain mean"),
        (lambda r, p: float(np.mean([np.max(p[r >= t], initial=0) for t in np.linspace(0, 1, 11)])), "11-point"),
        (lambda r, p: float(np.sum(np.diff(np.concatenate([[0.0], r])) * np.maximum.accumulate(p))), "*right*"),
    ]:
        result = yolo.evaluate_average_precision(wrong)
        assert not result.passed and hint in result.message, result.message


# ---------------------------------------------------------------- every check: not attempted, crashing, printing


@pytest.mark.parametrize(
    "evaluate",
    [loc.evaluate_iou, loc.evaluate_corners_to_centre, loc.evaluate_non_max_suppression,
     yolo.evaluate_cell_of, yolo.evaluate_encode_box, yolo.evaluate_average_precision],
)
def test_not_attempted_crashing_and_not_a_function(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    crashed = evaluate(crash).message
    assert crashed.startswith("❌") and "ZeroDivisionError" in crashed
    assert evaluate(lambda *a: None).message.startswith("❌") and "return" in evaluate(lambda *a: None).message
    assert evaluate(42).message.startswith("❌")


def test_checks_print(capsys):
    loc.check_iou(iou)
    yolo.check_average_precision(todo)
    out = capsys.readouterr().out
    assert "✅ iou" in out and "⏳" in out
