"""Semantic segmentation: pixel masks for the synthetic shapes, transposed convolution, pixel metrics, explorer.

The scenes are those of :mod:`utils.vision.shapes` (notebook 25's generator); their masks are
rebuilt from the generator's boxes and labels with :func:`utils.vision.shapes.segmentation_mask`,
so the generator itself is unchanged. Class 0 is the background, classes 1-3 the shapes.
Transposed convolution is written as "each input number stamps a scaled copy of the kernel onto
the output" (scatter-add), in Keras's weight layout, so it can be checked against
``keras.layers.Conv2DTranspose``. Introduced in notebook 27.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from utils.vision import shapes
from utils.widgets import Explorer

SEGMENT_CLASSES: tuple[str, ...] = ("background",) + shapes.CLASS_NAMES
# background dark grey, then one colour per shape class (colour-blind safe: blue, orange, green)
MASK_COLOURS: np.ndarray = np.array(
    [[0.15, 0.15, 0.15], [0.0, 0.45, 0.70], [0.90, 0.62, 0.0], [0.0, 0.62, 0.45]]
)
MASK_CMAP = ListedColormap(MASK_COLOURS, name="segmentation")


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------------------------
# Data: scenes and their masks
# ---------------------------------------------------------------------------------------------


def masks_from_boxes(boxes: Sequence[Any], labels: Sequence[Any], image_size: int) -> np.ndarray:
    """Class maps (n, size, size) of int64: 0 background, 1 + label where a shape covers the pixel. Introduced in notebook 27."""
    image_size = _positive_int(image_size, "image_size")
    if len(boxes) != len(labels):
        raise ValueError(f"need one label array per box array, got {len(boxes)} boxes and {len(labels)} labels")
    if len(boxes) == 0:
        return np.zeros((0, image_size, image_size), dtype=np.int64)
    return np.stack([shapes.segmentation_mask(b, lab, image_size) + 1 for b, lab in zip(boxes, labels)])


def make_segmentation_data(
    n_images: int,
    image_size: int = 32,
    objects: int | tuple[int, int] = (1, 3),
    size_range: tuple[float, float] = (8.0, 16.0),
    noise: float = 0.05,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Scenes (n, size, size, 3) in [0, 1] from :func:`shapes.make_shapes` and their class maps (n, size, size). Introduced in notebook 27."""
    images, boxes, labels = shapes.make_shapes(n_images, image_size, objects, size_range, noise, seed=seed)
    return images, masks_from_boxes(boxes, labels, image_size)


# ---------------------------------------------------------------------------------------------
# Transposed convolution
# ---------------------------------------------------------------------------------------------


def transposed_output_size(n: int, kernel_size: int, stride: int = 1, padding: str | int = "valid") -> int:
    """Output length of a transposed convolution as Keras computes it (``padding`` "valid", "same" or a crop per side). Introduced in notebook 27."""
    n, kernel_size, stride = (_positive_int(v, name) for v, name in ((n, "n"), (kernel_size, "kernel_size"),
                                                                      (stride, "stride")))
    if padding == "same":
        return n * stride
    if padding == "valid":
        return n * stride + max(kernel_size - stride, 0)  # = (n - 1) * stride + kernel_size when kernel >= stride
    if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
        raise ValueError(f"padding must be 'valid', 'same' or a non-negative integer, got {padding!r}")
    size = (n - 1) * stride + kernel_size - 2 * int(padding)
    if size < 1:
        raise ValueError(f"padding {padding} crops away the whole output of length {(n - 1) * stride + kernel_size}")
    return size


def conv_transpose2d(x: Any, kernel: Any, stride: int = 1, padding: str = "valid", bias: Any = None) -> np.ndarray:
    """Transposed convolution by scatter-add: each input pixel adds value × kernel to the output.

    ``x`` is (H, W, C_in) or (N, H, W, C_in); ``kernel`` is (k_h, k_w, C_out, C_in), the layout of
    ``keras.layers.Conv2DTranspose``; ``padding`` is "valid" or "same" (Keras's cropping).
    Introduced in notebook 27.
    """
    x = np.asarray(x, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    batched = x.ndim == 4
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4:
        raise ValueError(f"x must have shape (H, W, C_in) or (N, H, W, C_in), got {x.shape}")
    if kernel.ndim != 4 or kernel.shape[3] != x.shape[3]:
        raise ValueError(f"kernel must have shape (k_h, k_w, C_out, C_in={x.shape[3]}), got {kernel.shape}")
    if not np.all(np.isfinite(x)) or not np.all(np.isfinite(kernel)):
        raise ValueError("x and kernel must be finite (no NaN or infinity)")
    stride = _positive_int(stride, "stride")
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    n, height, width, _ = x.shape
    k_h, k_w, c_out, _ = kernel.shape
    full_h, full_w = (height - 1) * stride + k_h, (width - 1) * stride + k_w
    out_h = transposed_output_size(height, k_h, stride, padding)
    out_w = transposed_output_size(width, k_w, stride, padding)
    canvas = np.zeros((n, max(full_h, out_h), max(full_w, out_w), c_out))
    for row in range(height):
        for col in range(width):
            # every input pixel stamps its own copy of the kernel, scaled by its values
            patch = np.einsum("nc,hwoc->nhwo", x[:, row, col, :], kernel)
            canvas[:, row * stride:row * stride + k_h, col * stride:col * stride + k_w, :] += patch
    top = max(k_h - stride, 0) // 2 if padding == "same" else 0
    left = max(k_w - stride, 0) // 2 if padding == "same" else 0
    out = canvas[:, top:top + out_h, left:left + out_w, :]
    if bias is not None:
        bias = np.asarray(bias, dtype=np.float64)
        if bias.shape != (c_out,):
            raise ValueError(f"bias must have shape ({c_out},), got {bias.shape}")
        out = out + bias
    return out if batched else out[0]


def overlap_counts(size: int, kernel_size: int, stride: int) -> np.ndarray:
    """How many kernel copies land on each output pixel of a transposed convolution of a (size, size) input: the checkerboard. Introduced in notebook 27."""
    ones = np.ones((_positive_int(size, "size"), size, 1))
    kernel = np.ones((_positive_int(kernel_size, "kernel_size"), kernel_size, 1, 1))
    return conv_transpose2d(ones, kernel, stride)[..., 0]


# ---------------------------------------------------------------------------------------------
# Pixel metrics
# ---------------------------------------------------------------------------------------------


def _label_maps(y_true: Any, y_pred: Any, num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape, got {y_true.shape} and {y_pred.shape}")
    if y_true.size == 0:
        raise ValueError("y_true and y_pred are empty")
    for name, value in (("y_true", y_true), ("y_pred", y_pred)):
        if not np.issubdtype(value.dtype, np.integer):
            raise ValueError(f"{name} must hold integer class ids (e.g. argmax of the scores), got dtype {value.dtype}")
        if value.min() < 0 or value.max() >= num_classes:
            raise ValueError(f"{name} must hold class ids in [0, {num_classes}), got {value.min()} to {value.max()}")
    return y_true.ravel(), y_pred.ravel()


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int) -> np.ndarray:
    """Pixel counts (num_classes, num_classes): row = true class, column = predicted class. Introduced in notebook 27."""
    num_classes = _positive_int(num_classes, "num_classes")
    y_true, y_pred = _label_maps(y_true, y_pred, num_classes)
    return np.bincount(y_true * num_classes + y_pred, minlength=num_classes**2).reshape(num_classes, num_classes)


def pixel_accuracy(y_true: Any, y_pred: Any) -> float:
    """Share of pixels whose predicted class is the true one. Introduced in notebook 27."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(f"y_true and y_pred must be non-empty and of the same shape, got {y_true.shape} and {y_pred.shape}")
    return float(np.mean(y_true == y_pred))


def iou_per_class(y_true: Any, y_pred: Any, num_classes: int) -> np.ndarray:
    """IoU = TP / (TP + FP + FN) of each class over all pixels; NaN for a class in neither map. Introduced in notebook 27."""
    matrix = confusion_matrix(y_true, y_pred, num_classes).astype(np.float64)
    true_positive = np.diag(matrix)
    union = matrix.sum(axis=0) + matrix.sum(axis=1) - true_positive
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, true_positive / union, np.nan)


def mean_iou(y_true: Any, y_pred: Any, num_classes: int) -> float:
    """Mean of the per-class IoUs over the classes present (as ``keras.metrics.MeanIoU``). Introduced in notebook 27."""
    return float(np.nanmean(iou_per_class(y_true, y_pred, num_classes)))


# ---------------------------------------------------------------------------------------------
# Pictures and the explorer
# ---------------------------------------------------------------------------------------------


def colour_mask(mask: Any) -> np.ndarray:
    """RGB picture (H, W, 3) of a class map, one colour per class of SEGMENT_CLASSES. Introduced in notebook 27."""
    mask = np.asarray(mask)
    if mask.ndim != 2 or not np.issubdtype(mask.dtype, np.integer):
        raise ValueError(f"mask must be a 2-D array of integer class ids, got shape {mask.shape} and dtype {mask.dtype}")
    if mask.size and (mask.min() < 0 or mask.max() >= len(MASK_COLOURS)):
        raise ValueError(f"mask must hold class ids in [0, {len(MASK_COLOURS)}), got {mask.min()} to {mask.max()}")
    return MASK_COLOURS[mask]


def error_picture(y_true: Any, y_pred: Any, class_id: int | None = None) -> np.ndarray:
    """RGB picture of the errors: white where right, red where wrong (for one class: green TP, red FP, blue FN). Introduced in notebook 27."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 2:
        raise ValueError(f"y_true and y_pred must be 2-D maps of the same shape, got {y_true.shape} and {y_pred.shape}")
    picture = np.full(y_true.shape + (3,), 0.93)
    if class_id is None:
        picture[y_true != y_pred] = (0.84, 0.15, 0.16)
        return picture
    truth, guess = y_true == class_id, y_pred == class_id
    picture[truth & guess] = (0.17, 0.63, 0.17)
    picture[~truth & guess] = (0.84, 0.15, 0.16)
    picture[truth & ~guess] = (0.12, 0.47, 0.71)
    return picture


def scene_summaries(y_true: Any, y_pred: Any, num_classes: int) -> list[dict[str, Any]]:
    """Per scene: pixel accuracy and IoU of each class (NaN where absent), precomputed for the explorer. Introduced in notebook 27."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 3 or y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must be (n, H, W) class maps of the same shape, got {y_true.shape} and {y_pred.shape}")
    return [{"accuracy": pixel_accuracy(t, p), "iou": iou_per_class(t, p, num_classes)} for t, p in zip(y_true, y_pred)]


def segmentation_explorer(
    images: Any,
    y_true: Any,
    y_pred: Any,
    class_names: Sequence[str] = SEGMENT_CLASSES,
    scene: int = 0,
    focus: str = "all classes",
) -> Explorer:
    """Pick a held-out scene and a class: the scene, its true and predicted masks, the errors, and the IoU.

    ``y_pred`` holds the predicted class maps (argmax of the network's scores). Everything is
    precomputed; a redraw only swaps four pictures and a title. Introduced in notebook 27.
    """
    import ipywidgets as ipw

    images, y_true, y_pred = np.asarray(images), np.asarray(y_true), np.asarray(y_pred)
    if images.ndim != 4 or images.shape[-1] != 3 or len(images) == 0:
        raise ValueError(f"images must have shape (n, H, W, 3) with n >= 1, got {images.shape}")
    if y_true.shape != images.shape[:3] or y_pred.shape != images.shape[:3]:
        raise ValueError(f"y_true and y_pred must be (n, H, W) = {images.shape[:3]}, got {y_true.shape} and {y_pred.shape}")
    num_classes = len(class_names)
    choices = ["all classes", *class_names]
    if focus not in choices:
        raise ValueError(f"focus must be one of {choices}, got {focus!r}")
    if not 0 <= int(scene) < len(images):
        raise ValueError(f"scene must be in [0, {len(images)}), got {scene!r}")
    summaries = scene_summaries(y_true, y_pred, num_classes)
    overall = iou_per_class(y_true, y_pred, num_classes)
    true_pictures = [colour_mask(m) for m in y_true]
    pred_pictures = [colour_mask(m) for m in y_pred]
    artists: dict[str, Any] = {}

    def pictures(index: int, focus: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if focus == "all classes":
            return true_pictures[index], pred_pictures[index], error_picture(y_true[index], y_pred[index])
        class_id = list(class_names).index(focus)
        on, off = MASK_COLOURS[class_id], np.array([0.93, 0.93, 0.93])
        truth = np.where((y_true[index] == class_id)[..., None], on, off)
        guess = np.where((y_pred[index] == class_id)[..., None], on, off)
        return truth, guess, error_picture(y_true[index], y_pred[index], class_id)

    def draw(fig: Figure, scene: int, focus: str) -> str:
        truth, guess, errors = pictures(scene, focus)
        if not artists:
            axes = fig.subplots(1, 4)
            titles = ("scene", "true mask", "predicted mask", "errors")
            for ax, title, picture in zip(axes, titles, (images[scene], truth, guess, errors)):
                # animated: the explorer redraws only these over a cached background
                artists[title] = ax.imshow(picture, interpolation="nearest", animated=True)
                ax.set_title(title, fontsize=10)
                ax.set_xticks([])
                ax.set_yticks([])
            artists["suptitle"] = fig.suptitle("", fontsize=10)
            artists["suptitle"].set_animated(True)
        else:
            for title, picture in zip(("scene", "true mask", "predicted mask", "errors"),
                                      (images[scene], truth, guess, errors)):
                artists[title].set_data(picture)
        summary = summaries[scene]
        if focus == "all classes":
            present = [f"{name} {iou:.2f}" for name, iou in zip(class_names, summary["iou"]) if not np.isnan(iou)]
            heading = "all classes, wrong pixels in red"
            text = (f"scene {scene}: pixel accuracy {summary['accuracy']:.3f}; IoU " + ", ".join(present)
                    + f" (mean {np.nanmean(summary['iou']):.2f})")
        else:
            class_id = list(class_names).index(focus)
            iou = summary["iou"][class_id]
            heading = f"{focus}, green = found, red = false alarm, blue = missed"
            scene_text = "absent from this scene and not predicted" if np.isnan(iou) else f"IoU {iou:.2f}"
            text = f"scene {scene}, {focus}: {scene_text}; over all shown scenes IoU {overall[class_id]:.2f}"
        artists["suptitle"].set_text(f"Scene {scene}, {heading}")
        return text

    controls = {
        "scene": ipw.IntSlider(value=int(scene), min=0, max=len(images) - 1, step=1, description="scene",
                               continuous_update=False),
        "focus": ipw.Dropdown(options=choices, value=focus, description="class"),
    }
    return Explorer(controls, draw, figsize=(9.0, 2.9), rebuild=False)
