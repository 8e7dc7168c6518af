"""Bounding boxes from scratch: IoU, format conversion, non-max suppression, YOLO grids, mAP, drawing.

Boxes are **corners** ``(x_min, y_min, x_max, y_max)`` in pixels unless a name says ``centre``:
``(x_centre, y_centre, width, height)``. The image's top-left corner is (0, 0), x grows to the
right and y grows downwards, so a box's area is simply ``(x_max - x_min) * (y_max - y_min)``
(continuous coordinates: no "+1"). Introduced in notebook 25.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from utils.plots import PALETTE

# ---------------------------------------------------------------------------------------------
# Validation and conversion
# ---------------------------------------------------------------------------------------------


def as_boxes(boxes: Any, name: str = "boxes") -> np.ndarray:
    """Validate corner boxes: a (4,) box or an (n, 4) array, finite, x_max >= x_min and y_max >= y_min."""
    array = np.asarray(boxes, dtype=np.float64)
    if array.ndim not in (1, 2) or array.shape[-1] != 4:
        raise ValueError(f"{name} must be one box of 4 numbers or an array of shape (n, 4), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite coordinates")
    flat = array.reshape(-1, 4)
    if np.any(flat[:, 2] < flat[:, 0]):
        raise ValueError(f"{name} has a box with negative width (x_max < x_min); expected corners (x_min, y_min, x_max, y_max)")
    if np.any(flat[:, 3] < flat[:, 1]):
        raise ValueError(f"{name} has a box with negative height (y_max < y_min); expected corners (x_min, y_min, x_max, y_max)")
    return array


def box_area(boxes: Any) -> np.ndarray:
    """Area (width × height) of each corner box. Introduced in notebook 25."""
    boxes = as_boxes(boxes)
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])


def corners_to_centre(boxes: Any) -> np.ndarray:
    """Corners (x_min, y_min, x_max, y_max) → centre format (x_centre, y_centre, width, height). Introduced in notebook 25."""
    boxes = as_boxes(boxes)
    x0, y0, x1, y1 = (boxes[..., i] for i in range(4))
    return np.stack([(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0], axis=-1)


def centre_to_corners(boxes: Any) -> np.ndarray:
    """Centre format (x_centre, y_centre, width, height) → corners (x_min, y_min, x_max, y_max). Introduced in notebook 25."""
    array = np.asarray(boxes, dtype=np.float64)
    if array.ndim not in (1, 2) or array.shape[-1] != 4:
        raise ValueError(f"boxes must be one box of 4 numbers or an array of shape (n, 4), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError("boxes contains NaN or infinite values")
    if np.any(array[..., 2:] < 0):
        raise ValueError("boxes has a negative width or height; expected (x_centre, y_centre, width, height)")
    cx, cy, w, h = (array[..., i] for i in range(4))
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1)


# ---------------------------------------------------------------------------------------------
# Intersection over union
# ---------------------------------------------------------------------------------------------


def iou(box_a: Any, box_b: Any) -> float:
    """Intersection over union of two corner boxes (0 when they do not touch). Introduced in notebook 25."""
    a, b = as_boxes(box_a, "box_a"), as_boxes(box_b, "box_b")
    if a.shape != (4,) or b.shape != (4,):
        raise ValueError(f"box_a and box_b must each be one box of 4 numbers, got shapes {a.shape} and {b.shape}")
    return float(iou_matrix(a[None], b[None])[0, 0])


def iou_matrix(boxes_a: Any, boxes_b: Any) -> np.ndarray:
    """IoU of every box in ``boxes_a`` (n, 4) with every box in ``boxes_b`` (m, 4): an (n, m) array. Introduced in notebook 25."""
    a = as_boxes(boxes_a, "boxes_a").reshape(-1, 4)
    b = as_boxes(boxes_b, "boxes_b").reshape(-1, 4)
    left = np.maximum(a[:, None, 0], b[None, :, 0])
    top = np.maximum(a[:, None, 1], b[None, :, 1])
    right = np.minimum(a[:, None, 2], b[None, :, 2])
    bottom = np.minimum(a[:, None, 3], b[None, :, 3])
    intersection = np.clip(right - left, 0, None) * np.clip(bottom - top, 0, None)  # 0 when they do not overlap
    union = box_area(a)[:, None] + box_area(b)[None, :] - intersection
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, intersection / np.where(union > 0, union, 1.0), 0.0)


# ---------------------------------------------------------------------------------------------
# Non-max suppression
# ---------------------------------------------------------------------------------------------


def _check_scores(scores: Any, n: int, name: str = "scores") -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (n,):
        raise ValueError(f"{name} must have one value per box, shape ({n},), got {scores.shape}")
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return scores


def _check_threshold(value: float, name: str) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")
    return value


def nms_steps(boxes: Any, scores: Any, iou_threshold: float = 0.5) -> list[dict[str, Any]]:
    """Greedy NMS, one step per kept box: {'kept', 'suppressed', 'remaining'} as indices. Introduced in notebook 25."""
    boxes = as_boxes(boxes).reshape(-1, 4)
    scores = _check_scores(scores, len(boxes))
    iou_threshold = _check_threshold(iou_threshold, "iou_threshold")
    order = list(np.argsort(-scores, kind="stable"))
    overlaps = iou_matrix(boxes, boxes)
    steps = []
    while order:
        best, rest = order[0], order[1:]
        suppressed = [int(i) for i in rest if overlaps[best, i] > iou_threshold]
        order = [i for i in rest if overlaps[best, i] <= iou_threshold]
        steps.append({"kept": int(best), "suppressed": suppressed, "remaining": [int(i) for i in order]})
    return steps


def non_max_suppression(
    boxes: Any,
    scores: Any,
    iou_threshold: float = 0.5,
    score_threshold: float = 0.0,
    labels: Any | None = None,
) -> np.ndarray:
    """Indices of the boxes NMS keeps, best score first; with ``labels``, boxes only suppress their own class.

    Drops boxes scoring below ``score_threshold``, then repeatedly keeps the best remaining box and
    removes every box whose IoU with it exceeds ``iou_threshold``. Introduced in notebook 25.
    """
    boxes = as_boxes(boxes).reshape(-1, 4)
    scores = _check_scores(scores, len(boxes))
    iou_threshold = _check_threshold(iou_threshold, "iou_threshold")
    candidates = np.flatnonzero(scores >= float(score_threshold))
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (len(boxes),):
            raise ValueError(f"labels must have one class per box, shape ({len(boxes)},), got {labels.shape}")
        kept_all = []
        for class_id in np.unique(labels[candidates]):
            mine = candidates[labels[candidates] == class_id]
            kept_all += [int(mine[s["kept"]]) for s in nms_steps(boxes[mine], scores[mine], iou_threshold)]
        kept_all = np.array(kept_all, dtype=np.int64)
        return kept_all[np.argsort(-scores[kept_all], kind="stable")].astype(np.int64)
    steps = nms_steps(boxes[candidates], scores[candidates], iou_threshold)
    return candidates[[s["kept"] for s in steps]].astype(np.int64)


# ---------------------------------------------------------------------------------------------
# YOLO grid targets
# ---------------------------------------------------------------------------------------------


def grid_cell(box: Any, grid_size: int, image_size: float) -> tuple[int, int]:
    """(row, column) of the grid cell that owns the box's centre. Introduced in notebook 26."""
    box = as_boxes(box, "box")
    if box.shape != (4,):
        raise ValueError(f"box must be one box of 4 numbers, got shape {box.shape}")
    grid_size, image_size = _check_grid(grid_size, image_size)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    if not (0 <= cx <= image_size and 0 <= cy <= image_size):
        raise ValueError(f"the box's centre ({cx:.3g}, {cy:.3g}) lies outside the {image_size:g}×{image_size:g} image")
    cell = image_size / grid_size
    row = min(int(cy // cell), grid_size - 1)  # a centre exactly on the far edge belongs to the last cell
    column = min(int(cx // cell), grid_size - 1)
    return row, column


def _check_grid(grid_size: Any, image_size: Any) -> tuple[int, float]:
    if isinstance(grid_size, bool) or not isinstance(grid_size, (int, np.integer)) or grid_size < 1:
        raise ValueError(f"grid_size must be a positive integer, got {grid_size!r}")
    if not np.isfinite(image_size) or image_size <= 0:
        raise ValueError(f"image_size must be a positive number of pixels, got {image_size!r}")
    return int(grid_size), float(image_size)


def encode_grid(boxes: Any, labels: Any, grid_size: int, image_size: float, num_classes: int) -> np.ndarray:
    """YOLO target of one image: an (S, S, 5 + C) array; per cell [objectness, x, y, w, h, one-hot class].

    The cell that owns a box's centre gets objectness 1, the centre's offset inside the cell
    (x, y in [0, 1), in cell units), the box's width and height as fractions of the image, and the
    class one-hot. Every other cell is all zeros. If two centres fall in the same cell, the larger box
    is kept (YOLO v1's limit: one object per cell). Introduced in notebook 26.
    """
    grid_size, image_size = _check_grid(grid_size, image_size)
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    boxes = as_boxes(boxes).reshape(-1, 4)
    labels = np.asarray(labels).reshape(-1)
    if labels.shape != (len(boxes),):
        raise ValueError(f"labels must have one class per box, shape ({len(boxes)},), got {labels.shape}")
    if len(labels) and (labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must be integer classes in [0, {num_classes}), got {labels}")
    target = np.zeros((grid_size, grid_size, 5 + num_classes), dtype=np.float32)
    cell = image_size / grid_size
    for index in np.argsort(box_area(boxes), kind="stable"):  # small first, so a larger box overwrites
        row, column = grid_cell(boxes[index], grid_size, image_size)
        cx, cy, w, h = corners_to_centre(boxes[index])
        target[row, column, :5] = [1.0, cx / cell - column, cy / cell - row, w / image_size, h / image_size]
        target[row, column, 5:] = 0.0
        target[row, column, 5 + labels[index]] = 1.0
    return target


def encode_grids(
    boxes: Sequence[Any], labels: Sequence[Any], grid_size: int, image_size: float, num_classes: int,
) -> np.ndarray:
    """Stack :func:`encode_grid` over many images: (n, S, S, 5 + C). Introduced in notebook 26."""
    if len(boxes) != len(labels):
        raise ValueError(f"got boxes for {len(boxes)} images but labels for {len(labels)}")
    return np.stack([encode_grid(b, l, grid_size, image_size, num_classes) for b, l in zip(boxes, labels)])


def decode_grid(
    grid: Any, image_size: float, confidence_threshold: float = 0.5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boxes (k, 4), scores (k,) and labels (k,) from one (S, S, 5 + C) grid; score = objectness × class probability.

    Cells whose score is below ``confidence_threshold`` are dropped. The grid holds *probabilities*
    (objectness in [0, 1], class probabilities that sum to 1), as in :func:`encode_grid`'s output or a
    trained model's after sigmoid/softmax. Introduced in notebook 26.
    """
    grid = np.asarray(grid, dtype=np.float64)
    if grid.ndim != 3 or grid.shape[0] != grid.shape[1] or grid.shape[2] < 6:
        raise ValueError(f"grid must have shape (S, S, 5 + num_classes), got {grid.shape}")
    if not np.all(np.isfinite(grid)):
        raise ValueError("grid contains NaN or infinite values")
    grid_size, image_size = _check_grid(grid.shape[0], image_size)
    confidence_threshold = _check_threshold(confidence_threshold, "confidence_threshold")
    cell = image_size / grid_size
    class_probability = grid[..., 5:]
    labels = class_probability.argmax(axis=-1)
    scores = grid[..., 0] * class_probability.max(axis=-1)
    rows, columns = np.nonzero(scores >= confidence_threshold)
    offsets = grid[rows, columns]
    centres = np.stack([
        (columns + offsets[:, 1]) * cell,
        (rows + offsets[:, 2]) * cell,
        np.clip(offsets[:, 3], 0, None) * image_size,
        np.clip(offsets[:, 4], 0, None) * image_size,
    ], axis=-1)
    order = np.argsort(-scores[rows, columns], kind="stable")
    return (centre_to_corners(centres.reshape(-1, 4))[order], scores[rows, columns][order],
            labels[rows, columns][order].astype(np.int64))


def detect(
    grid: Any, image_size: float, confidence_threshold: float = 0.5, iou_threshold: float = 0.5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode a predicted grid, then class-wise NMS: the final boxes, scores and labels. Introduced in notebook 26."""
    boxes, scores, labels = decode_grid(grid, image_size, confidence_threshold)
    keep = non_max_suppression(boxes, scores, iou_threshold, labels=labels)
    return boxes[keep], scores[keep], labels[keep]


# ---------------------------------------------------------------------------------------------
# Mean average precision
# ---------------------------------------------------------------------------------------------


def interpolated_precision(precision: Any) -> np.ndarray:
    """Precision made non-increasing from the right: the best precision at each recall or beyond. Introduced in notebook 26."""
    precision = np.asarray(precision, dtype=np.float64).ravel()
    if not np.all(np.isfinite(precision)):
        raise ValueError("precision must not contain NaN or infinite values")
    return np.maximum.accumulate(precision[::-1])[::-1]


def average_precision(recall: Any, precision: Any) -> float:
    """Area under the all-point interpolated precision–recall curve (PASCAL VOC 2010+). Introduced in notebook 26.

    ``recall`` and ``precision`` are the running values after each detection, best score first.
    Precision is first made non-increasing from the right (at each recall, the best precision at
    that recall or any higher one), then summed over the recall steps.
    """
    recall = np.asarray(recall, dtype=np.float64).ravel()
    precision = np.asarray(precision, dtype=np.float64).ravel()
    if recall.shape != precision.shape:
        raise ValueError(f"recall and precision must have the same length, got {recall.size} and {precision.size}")
    if not (np.all(np.isfinite(recall)) and np.all(np.isfinite(precision))):
        raise ValueError("recall and precision must not contain NaN")
    if np.any(np.diff(recall) < 0):
        raise ValueError("recall must be non-decreasing (detections sorted by score, best first)")
    r = np.concatenate([[0.0], recall, [recall[-1] if recall.size else 0.0]])
    p = np.concatenate([[0.0], precision, [0.0]])
    p = np.maximum.accumulate(p[::-1])[::-1]  # the interpolation: best precision at this recall or beyond
    return float(np.sum((r[1:] - r[:-1]) * p[1:]))


def match_detections(
    pred_boxes: Any, pred_scores: Any, true_boxes: Any, iou_threshold: float = 0.5,
) -> np.ndarray:
    """For one image and one class: a boolean per detection, True if it is a true positive.

    Detections are matched best score first; each takes the unmatched ground-truth box it overlaps
    most, if that IoU is at least ``iou_threshold``. A second detection of an already-matched object
    is a false positive. Introduced in notebook 26.
    """
    pred_boxes = as_boxes(pred_boxes, "pred_boxes").reshape(-1, 4)
    pred_scores = _check_scores(pred_scores, len(pred_boxes), "pred_scores")
    true_boxes = as_boxes(true_boxes, "true_boxes").reshape(-1, 4)
    overlaps = iou_matrix(pred_boxes, true_boxes)
    taken = np.zeros(len(true_boxes), dtype=bool)
    hits = np.zeros(len(pred_boxes), dtype=bool)
    for index in np.argsort(-pred_scores, kind="stable"):
        if not len(true_boxes):
            break
        candidates = np.where(taken, -1.0, overlaps[index])
        best = int(np.argmax(candidates))
        if candidates[best] >= iou_threshold:
            taken[best] = hits[index] = True
    return hits


def precision_recall(
    predictions: Sequence[tuple[Any, Any, Any]],
    truths: Sequence[tuple[Any, Any]],
    class_id: int,
    iou_threshold: float = 0.5,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Running precision and recall of one class over a data set, best score first, and its number of objects.

    ``predictions[i] = (boxes, scores, labels)`` and ``truths[i] = (boxes, labels)`` for image i.
    Introduced in notebook 26.
    """
    if len(predictions) != len(truths):
        raise ValueError(f"got predictions for {len(predictions)} images but ground truth for {len(truths)}")
    all_scores, all_hits, n_objects = [], [], 0
    for (p_boxes, p_scores, p_labels), (t_boxes, t_labels) in zip(predictions, truths):
        p_boxes, t_boxes = as_boxes(p_boxes, "predicted boxes").reshape(-1, 4), as_boxes(t_boxes, "true boxes").reshape(-1, 4)
        p_scores, p_labels, t_labels = (np.asarray(v).reshape(-1) for v in (p_scores, p_labels, t_labels))
        if len(p_scores) != len(p_boxes) or len(p_labels) != len(p_boxes) or len(t_labels) != len(t_boxes):
            raise ValueError("each image needs one score and one label per predicted box, and one label per true box")
        mine, theirs = p_labels == class_id, t_labels == class_id
        n_objects += int(theirs.sum())
        all_scores.append(p_scores[mine].astype(np.float64))
        all_hits.append(match_detections(p_boxes[mine], p_scores[mine], t_boxes[theirs], iou_threshold))
    scores, hits = np.concatenate(all_scores), np.concatenate(all_hits)
    order = np.argsort(-scores, kind="stable")
    true_positives = np.cumsum(hits[order])
    precision = true_positives / np.arange(1, len(order) + 1)
    recall = true_positives / max(n_objects, 1)
    return precision, recall, n_objects


def mean_average_precision(
    predictions: Sequence[tuple[Any, Any, Any]],
    truths: Sequence[tuple[Any, Any]],
    num_classes: int,
    iou_threshold: float = 0.5,
) -> tuple[float, dict[int, float]]:
    """mAP at ``iou_threshold`` and the AP of each class that has objects (all-point interpolation).

    ``predictions[i] = (boxes, scores, labels)`` and ``truths[i] = (boxes, labels)`` for image i.
    Introduced in notebook 26.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    _check_threshold(iou_threshold, "iou_threshold")
    per_class: dict[int, float] = {}
    for class_id in range(num_classes):
        precision, recall, n_objects = precision_recall(predictions, truths, class_id, iou_threshold)
        if n_objects:
            per_class[class_id] = average_precision(recall, precision)
    if not per_class:
        raise ValueError("the ground truth holds no objects, so mAP is undefined")
    return float(np.mean(list(per_class.values()))), per_class


# ---------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------


def draw_boxes(
    ax: Axes,
    boxes: Any,
    labels: Any | None = None,
    scores: Any | None = None,
    class_names: Sequence[str] | None = None,
    image: Any | None = None,
    colour: str | None = None,
    linestyle: str = "-",
    linewidth: float = 1.8,
    fontsize: float = 7,
) -> Axes:
    """Draw corner boxes (optionally over ``image``) with 'class score' captions; returns ``ax``. Introduced in notebook 25."""
    boxes = as_boxes(boxes).reshape(-1, 4)
    for values, name in ((labels, "labels"), (scores, "scores")):
        if values is not None and np.asarray(values).reshape(-1).shape != (len(boxes),):
            raise ValueError(f"{name} must have one entry per box ({len(boxes)}), got {np.asarray(values).shape}")
    if image is not None:
        image = np.asarray(image)
        if image.ndim not in (2, 3):
            raise ValueError(f"image must have shape (height, width) or (height, width, channels), got {image.shape}")
        ax.imshow(image, extent=(0, image.shape[1], image.shape[0], 0), cmap="gray" if image.ndim == 2 else None)
        ax.set_xlim(0, image.shape[1])
        ax.set_ylim(image.shape[0], 0)
        ax.grid(False)
    labels_ = None if labels is None else np.asarray(labels).reshape(-1)
    scores_ = None if scores is None else np.asarray(scores, dtype=np.float64).reshape(-1)
    # lowest score first, so the best box (the one NMS keeps) is drawn last and its caption stays on top
    order = np.argsort(scores_, kind="stable") if scores_ is not None else np.arange(len(boxes))
    for layer, index in enumerate(order):
        x0, y0, x1, y1 = boxes[index]
        label = None if labels_ is None else int(labels_[index])
        edge = colour or (PALETTE[(label or 0) % len(PALETTE)] if label is not None else PALETTE[0])
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor=edge,
                               linewidth=linewidth, linestyle=linestyle, zorder=2 + layer / (len(boxes) + 1)))
        caption = []
        if label is not None:
            caption.append(class_names[label] if class_names is not None and label < len(class_names) else str(label))
        if scores_ is not None:
            caption.append(f"{scores_[index]:.2f}")
        if caption:
            ax.text(x0, y0 - 0.5, " ".join(caption), color="white", fontsize=fontsize, va="bottom",
                    bbox=dict(facecolor=edge, edgecolor="none", pad=1.0, alpha=0.85), clip_on=True,
                    zorder=4 + layer / (len(boxes) + 1))
    return ax
