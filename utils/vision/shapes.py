"""Seeded synthetic-shapes images with ground-truth boxes and labels, for detection lessons.

Every image is a small RGB picture (64×64 by default) of a noisy background with one or several
filled shapes (rectangle, ellipse, triangle) in random sizes and colours. Colour never depends on
the class, so a model must read the *shape*. Boxes are corners ``(x_min, y_min, x_max, y_max)`` in
pixels, with the image's top-left corner at (0, 0) and pixel ``(row, col)`` covering
``[col, col + 1] × [row, row + 1]``. NumPy only, a few milliseconds per hundred images.
Introduced in notebook 25.
"""

from __future__ import annotations

from typing import Any

import numpy as np

CLASS_NAMES: tuple[str, ...] = ("rectangle", "ellipse", "triangle")


def _check_positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _shape_mask(kind: int, box: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Boolean mask of the pixels (centres ``xs``, ``ys``) inside shape ``kind`` filling ``box``."""
    x0, y0, x1, y1 = box
    if kind == 0:  # rectangle: fills its box
        return (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)
    cx, cy, half_w, half_h = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    if kind == 1:  # ellipse inscribed in the box
        return ((xs - cx) / half_w) ** 2 + ((ys - cy) / half_h) ** 2 <= 1.0
    # triangle: apex at the top centre, base along the bottom edge
    depth = (ys - y0) / (y1 - y0)
    return (ys >= y0) & (ys <= y1) & (np.abs(xs - cx) <= depth * half_w)


def render_shape(image: np.ndarray, kind: int, box: Any, colour: Any) -> np.ndarray:
    """Paint shape ``kind`` (index into CLASS_NAMES) filling ``box`` onto ``image`` (H, W, 3) in place; return it."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must have shape (height, width, 3), got {image.shape}")
    if not 0 <= int(kind) < len(CLASS_NAMES):
        raise ValueError(f"kind must be an index into {CLASS_NAMES}, got {kind!r}")
    box = np.asarray(box, dtype=np.float64)
    if box.shape != (4,) or not np.all(np.isfinite(box)) or box[2] <= box[0] or box[3] <= box[1]:
        raise ValueError(f"box must be (x_min, y_min, x_max, y_max) with positive width and height, got {box}")
    height, width = image.shape[:2]
    col0, row0 = max(int(np.floor(box[0])), 0), max(int(np.floor(box[1])), 0)
    col1, row1 = min(int(np.ceil(box[2])), width), min(int(np.ceil(box[3])), height)
    ys, xs = np.mgrid[row0:row1, col0:col1] + 0.5  # pixel centres
    mask = _shape_mask(int(kind), box, xs, ys)
    image[row0:row1, col0:col1][mask] = np.asarray(colour, dtype=image.dtype)
    return image


def _background(rng: np.random.Generator, size: int, noise: float) -> np.ndarray:
    base = rng.uniform(0.0, 0.35, size=3)
    image = base + rng.normal(0.0, noise, size=(size, size, 3)) if noise > 0 else np.tile(base, (size, size, 1))
    return image.astype(np.float32)


def _colour(rng: np.random.Generator) -> np.ndarray:
    colour = rng.uniform(0.15, 1.0, size=3)
    colour[rng.integers(3)] = rng.uniform(0.75, 1.0)  # one bright channel: stands out from the dark background
    return colour


def _overlaps(box: np.ndarray, others: list[np.ndarray], gap: float) -> bool:
    for other in others:
        if not (box[2] + gap <= other[0] or other[2] + gap <= box[0] or box[3] + gap <= other[1] or other[3] + gap <= box[1]):
            return True
    return False


def make_shapes(
    n_images: int,
    image_size: int = 64,
    objects: int | tuple[int, int] = (1, 3),
    size_range: tuple[float, float] = (12.0, 28.0),
    noise: float = 0.05,
    classes: tuple[str, ...] = CLASS_NAMES,
    seed: int = 0,
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Images (n, size, size, 3) in [0, 1], and per image its boxes (k, 4) and labels (k,); shapes never overlap.

    ``objects`` is a fixed count or an inclusive (low, high) range per image. Introduced in notebook 25.
    """
    n_images = _check_positive_int(n_images, "n_images")
    image_size = _check_positive_int(image_size, "image_size")
    low_objects, high_objects = (objects, objects) if isinstance(objects, (int, np.integer)) else tuple(objects)
    low_objects, high_objects = _check_positive_int(low_objects, "objects"), _check_positive_int(high_objects, "objects")
    if low_objects > high_objects:
        raise ValueError(f"objects must be a count or a (low, high) range with low <= high, got {objects!r}")
    low_size, high_size = (float(v) for v in size_range)
    if not 2 <= low_size <= high_size <= image_size:
        raise ValueError(f"size_range must satisfy 2 <= low <= high <= image_size ({image_size}), got {size_range!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a non-negative number, got {noise!r}")
    unknown = [name for name in classes if name not in CLASS_NAMES]
    if not classes or unknown:
        raise ValueError(f"classes must be a non-empty subset of {CLASS_NAMES}, got {classes!r}")
    kinds = np.array([CLASS_NAMES.index(name) for name in classes])
    rng = np.random.default_rng(seed)
    images = np.empty((n_images, image_size, image_size, 3), dtype=np.float32)
    all_boxes: list[np.ndarray] = []
    all_labels: list[np.ndarray] = []
    for index in range(n_images):
        image = _background(rng, image_size, noise)
        boxes: list[np.ndarray] = []
        labels: list[int] = []
        for _ in range(int(rng.integers(low_objects, high_objects + 1))):
            for _attempt in range(50):  # rejection sampling: place the shape where it touches no other
                w, h = rng.uniform(low_size, high_size, size=2)
                x0, y0 = rng.uniform(0, image_size - w), rng.uniform(0, image_size - h)
                box = np.array([x0, y0, x0 + w, y0 + h])
                if not _overlaps(box, boxes, gap=1.0):
                    label = int(rng.integers(len(kinds)))
                    render_shape(image, int(kinds[label]), box, _colour(rng))
                    boxes.append(box)
                    labels.append(label)
                    break
        images[index] = np.clip(image, 0.0, 1.0)
        all_boxes.append(np.array(boxes, dtype=np.float32).reshape(-1, 4))
        all_labels.append(np.array(labels, dtype=np.int64))
    return images, all_boxes, all_labels


def make_single_shapes(
    n_images: int,
    image_size: int = 64,
    size_range: tuple[float, float] = (12.0, 40.0),
    noise: float = 0.05,
    classes: tuple[str, ...] = CLASS_NAMES,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One shape per image: images (n, size, size, 3), boxes (n, 4) and labels (n,). Introduced in notebook 25."""
    images, boxes, labels = make_shapes(n_images, image_size, 1, size_range, noise, classes, seed)
    return images, np.stack(boxes)[:, 0], np.concatenate(labels)


def segmentation_mask(boxes: Any, labels: Any, image_size: int = 64, classes: tuple[str, ...] = CLASS_NAMES) -> np.ndarray:
    """Per-pixel class map (size, size): -1 for background, else the label of the shape covering the pixel.

    Rebuilds the shapes of one image from its boxes and labels (as made by :func:`make_shapes` with
    the same ``classes``). Introduced in notebook 25.
    """
    image_size = _check_positive_int(image_size, "image_size")
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4) if np.size(boxes) else np.zeros((0, 4))
    labels = np.asarray(labels).reshape(-1)
    if labels.shape != (len(boxes),):
        raise ValueError(f"labels must have one class per box, shape ({len(boxes)},), got {labels.shape}")
    unknown = [name for name in classes if name not in CLASS_NAMES]
    if unknown:
        raise ValueError(f"classes must be a subset of {CLASS_NAMES}, got {classes!r}")
    if len(labels) and (labels.min() < 0 or labels.max() >= len(classes)):
        raise ValueError(f"labels must be in [0, {len(classes)}), got {labels}")
    canvas = np.zeros((image_size, image_size, 3))
    for box, label in zip(boxes, labels):
        render_shape(canvas, CLASS_NAMES.index(classes[int(label)]), box, [float(label) + 1.0] * 3)
    return canvas[..., 0].astype(np.int64) - 1
