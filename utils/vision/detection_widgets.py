"""Explorer for object detection: confidence-threshold and NMS-IoU sliders over a detector's predicted boxes.

The pure computation (:func:`threshold_detections`) is separate from the widget, so it is tested
without a browser. Introduced in notebook 26.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure

from utils.vision import boxes as bx
from utils.widgets import Explorer, slider


def threshold_detections(
    grids: Any,
    true_boxes: Sequence[Any],
    true_labels: Sequence[Any],
    image_size: float,
    confidence_threshold: float,
    iou_threshold: float,
) -> dict[str, Any]:
    """Decode each predicted grid with the two thresholds and count correct, false and missed boxes (IoU ≥ 0.5, same class).

    Returns ``detections`` (per image: boxes, scores, labels, and a correct/false flag per box) and
    the totals ``correct``, ``false``, ``missed`` and ``raw`` (boxes before NMS). Introduced in notebook 26.
    """
    grids = np.asarray(grids, dtype=np.float64)
    if grids.ndim != 4:
        raise ValueError(f"grids must have shape (n_images, S, S, 5 + num_classes), got {grids.shape}")
    if len(true_boxes) != len(grids) or len(true_labels) != len(grids):
        raise ValueError(f"need ground truth for each of the {len(grids)} images, got {len(true_boxes)} and {len(true_labels)}")
    detections, correct, false, missed, raw = [], 0, 0, 0, 0
    for grid, t_boxes, t_labels in zip(grids, true_boxes, true_labels):
        boxes, scores, labels = bx.decode_grid(grid, image_size, confidence_threshold)
        raw += len(boxes)
        keep = bx.non_max_suppression(boxes, scores, iou_threshold, labels=labels)
        boxes, scores, labels = boxes[keep], scores[keep], labels[keep]
        t_boxes = bx.as_boxes(t_boxes, "true_boxes").reshape(-1, 4)
        t_labels = np.asarray(t_labels).reshape(-1)
        hits = np.zeros(len(boxes), dtype=bool)
        found = 0
        for class_id in np.unique(np.concatenate([labels, t_labels])):
            mine = labels == class_id
            class_hits = bx.match_detections(boxes[mine], scores[mine], t_boxes[t_labels == class_id])
            hits[mine] = class_hits
            found += int(class_hits.sum())
        correct += found
        false += int((~hits).sum())
        missed += len(t_boxes) - found
        detections.append({"boxes": boxes, "scores": scores, "labels": labels, "correct": hits})
    return {"detections": detections, "correct": correct, "false": false, "missed": missed, "raw": raw}


def nms_sensitive_images(
    grids: Any, true_boxes: Sequence[Any], image_size: float, count: int = 4, confidence: float = 0.5,
    low_iou: float = 0.3, high_iou: float = 0.7, min_objects: int = 2,
) -> list[int]:
    """Indices of up to ``count`` images with ``min_objects``+ objects where NMS keeps more boxes at ``high_iou`` than at ``low_iou``.

    These are the images on which the explorer's NMS slider visibly changes something. If fewer
    than ``count`` qualify, other images with several objects fill the list. Introduced in notebook 26.
    """
    grids = np.asarray(grids, dtype=np.float64)
    if grids.ndim != 4 or len(true_boxes) != len(grids):
        raise ValueError(f"need grids (n, S, S, 5 + C) and true boxes for each image, got {grids.shape} and {len(true_boxes)}")
    if not 0.0 <= low_iou < high_iou <= 1.0:
        raise ValueError(f"need 0 <= low_iou < high_iou <= 1, got {low_iou} and {high_iou}")
    busy = [i for i in range(len(grids)) if len(np.asarray(true_boxes[i]).reshape(-1, 4)) >= min_objects]

    def kept(index: int, iou: float) -> int:
        boxes, scores, labels = bx.decode_grid(grids[index], image_size, confidence)
        return len(bx.non_max_suppression(boxes, scores, iou, labels=labels))

    sensitive = [i for i in busy if kept(i, high_iou) > kept(i, low_iou)]
    return (sensitive + [i for i in busy if i not in sensitive])[:count]


def detection_explorer(
    images: Any,
    grids: Any,
    true_boxes: Sequence[Any],
    true_labels: Sequence[Any],
    class_names: Sequence[str],
    confidence: float = 0.5,
    nms_iou: float = 0.5,
) -> Explorer:
    """Sliders for the confidence threshold and the NMS IoU threshold, redrawing predicted boxes on a few images.

    Solid boxes are predictions (red dotted when wrong), dashed white boxes the ground truth.
    Introduced in notebook 26.
    """
    images = np.asarray(images)
    if images.ndim != 4 or len(images) == 0 or len(images) > 8:
        raise ValueError(f"images must have shape (n, height, width, 3) with 1 <= n <= 8, got {images.shape}")
    if len(grids) != len(images):
        raise ValueError(f"got {len(images)} images but {len(grids)} grids")
    image_size = images.shape[1]

    def draw(fig: Figure, confidence: float, nms_iou: float) -> str:
        state = threshold_detections(grids, true_boxes, true_labels, image_size, confidence, nms_iou)
        axes = np.atleast_1d(fig.subplots(1, len(images)))
        for ax, image, found, t_boxes in zip(axes, images, state["detections"], true_boxes):
            bx.draw_boxes(ax, t_boxes, image=image, colour="white", linestyle="--", linewidth=1.0)
            hits = found["correct"]
            bx.draw_boxes(ax, found["boxes"][hits], found["labels"][hits], found["scores"][hits], class_names)
            bx.draw_boxes(ax, found["boxes"][~hits], found["labels"][~hits], found["scores"][~hits], class_names,
                          colour="red", linestyle=":")
            ax.set_xticks([])
            ax.set_yticks([])
        fig.suptitle("Predicted boxes (solid; red dotted = wrong) and ground truth (white dashed)", fontsize=10)
        return (f"confidence ≥ {confidence:.2f}, NMS suppresses IoU above {nms_iou:.2f}: {state['raw']} boxes before NMS → "
                f"{state['correct'] + state['false']} kept: {state['correct']} correct, {state['false']} false, "
                f"{state['missed']} objects missed")

    controls = {
        "confidence": slider("confidence", 0.01, 0.99, value=confidence, step=0.01),
        "nms_iou": slider("nms_iou", 0.0, 1.0, value=nms_iou, step=0.05),
    }
    return Explorer(controls, draw, figsize=(2.4 * len(images) + 0.4, 2.9))
