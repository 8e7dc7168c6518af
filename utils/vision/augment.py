"""Data augmentation in NumPy/SciPy: affine maps (rotate, zoom, shift), flips, contrast, and an explorer.

The transforms work on greyscale images as floats in [0, 1], shape ``(height, width)`` or a batch
``(n, height, width)``, and compute what Keras' ``RandomRotation``, ``RandomZoom``,
``RandomTranslation``, ``RandomFlip`` and ``RandomContrast`` layers compute (bilinear sampling,
zeros outside the image, the centre of rotation at the middle of the image). The same seeded
draws build the transformed test set on which notebook 22 compares a plain and an augmented
CNN. Introduced in notebook 22.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure
from scipy import ndimage

from utils.widgets import Explorer, slider


@dataclass(frozen=True)
class Ranges:
    """Largest rotation (degrees), zoom (fraction of the size), shift (pixels) and contrast change (fraction)."""

    rotation: float = 0.0
    zoom: float = 0.0
    shift: float = 0.0
    contrast: float = 0.0

    def __post_init__(self) -> None:
        for name in ("rotation", "zoom", "shift", "contrast"):
            value = getattr(self, name)
            if not isinstance(value, (int, float, np.integer, np.floating)) or not np.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        if self.zoom >= 1:
            raise ValueError(f"zoom must be below 1 (a fraction of the size), got {self.zoom!r}")
        if self.contrast >= 1:
            raise ValueError(f"contrast must be below 1 (a factor between 1 - c and 1 + c), got {self.contrast!r}")


def as_images(images: Any, name: str = "images") -> np.ndarray:
    """``images`` as float64 in [0, 1]: uint8 values are divided by 255; shape (h, w) or (n, h, w) kept."""
    array = np.asarray(images)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {array.dtype}")
    if array.ndim not in (2, 3) or min(array.shape[-2:]) < 2:
        raise ValueError(f"{name} must have shape (height, width) or (n, height, width), got {array.shape}")
    if array.dtype == np.uint8:
        return array.astype(np.float64) / 255.0
    array = array.astype(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contain NaN or infinite values")
    if array.size and (array.min() < 0 or array.max() > 1):
        raise ValueError(f"{name} must be in [0, 1] (or uint8 0-255), got values from {array.min():g} to {array.max():g}")
    return array


def inverse_affine(shape: Sequence[int], angle: float = 0.0, zoom: float = 1.0,
                   shift: Sequence[float] = (0.0, 0.0)) -> tuple[np.ndarray, np.ndarray]:
    """``(matrix, offset)`` with input (row, col) = matrix @ output (row, col) + offset.

    The forward map turns the picture ``angle`` degrees counter-clockwise about its centre, scales
    it by ``zoom`` (> 1 makes it larger) and then moves it by ``shift`` = (down, right) pixels.
    Sampling needs the inverse, which is what ``scipy.ndimage.affine_transform`` takes.
    Introduced in notebook 22.
    """
    if len(shape) != 2 or min(shape) < 2:
        raise ValueError(f"shape must be (height, width), got {tuple(shape)}")
    if not np.isfinite(angle):
        raise ValueError(f"angle must be a finite number of degrees, got {angle!r}")
    if not (np.isfinite(zoom) and zoom > 0):
        raise ValueError(f"zoom must be a positive scale factor, got {zoom!r}")
    shift = np.asarray(shift, dtype=np.float64)
    if shift.shape != (2,) or not np.all(np.isfinite(shift)):
        raise ValueError(f"shift must be two finite numbers (down, right), got {shift!r}")
    theta = np.deg2rad(angle)
    cos, sin = np.cos(theta), np.sin(theta)
    # (row, col) with rows pointing down: a counter-clockwise turn reads the input at R(-θ)
    matrix = np.array([[cos, sin], [-sin, cos]]) / zoom
    centre = (np.asarray(shape, dtype=np.float64) - 1) / 2
    offset = centre - matrix @ (centre + shift)
    return matrix, offset


def affine(image: Any, angle: float = 0.0, zoom: float = 1.0, shift: Sequence[float] = (0.0, 0.0)) -> np.ndarray:
    """One image rotated (degrees, counter-clockwise), zoomed and shifted; bilinear, zeros outside. Introduced in notebook 22."""
    image = as_images(image, "image")
    if image.ndim != 2:
        raise ValueError(f"image must be one (height, width) image, got shape {image.shape}")
    matrix, offset = inverse_affine(image.shape, angle, zoom, shift)
    return ndimage.affine_transform(image, matrix, offset=offset, order=1, mode="constant", cval=0.0)


def flip(image: Any, horizontal: bool = True) -> np.ndarray:
    """The mirror image: left-right (``horizontal``) or upside down. Introduced in notebook 22."""
    image = as_images(image, "image")
    return image[..., :, ::-1].copy() if horizontal else image[..., ::-1, :].copy()


def contrast(image: Any, factor: float) -> np.ndarray:
    """Stretch (factor > 1) or squeeze (< 1) each image around its own mean, clipped to [0, 1], as RandomContrast does.

    Introduced in notebook 22.
    """
    image = as_images(image, "image")
    if not (np.isfinite(factor) and factor >= 0):
        raise ValueError(f"factor must be a finite number >= 0, got {factor!r}")
    mean = image.mean(axis=(-2, -1), keepdims=True)
    return np.clip((image - mean) * factor + mean, 0.0, 1.0)


def draw_parameters(n: int, ranges: Ranges, seed: int = 0) -> dict[str, np.ndarray]:
    """Seeded per-image draws, uniform in ``ranges``: angle (degrees), zoom (scale), shift (n, 2) pixels, contrast factor.

    Introduced in notebook 22.
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not isinstance(ranges, Ranges):
        raise ValueError(f"ranges must be an augment.Ranges, got {type(ranges).__name__}")
    unit = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, 5))
    return {"angle": ranges.rotation * unit[:, 0], "zoom": 1.0 + ranges.zoom * unit[:, 1],
            "shift": ranges.shift * unit[:, 2:4], "contrast": 1.0 + ranges.contrast * unit[:, 4]}


def apply(images: Any, parameters: dict[str, np.ndarray]) -> np.ndarray:
    """Each image of a batch (n, h, w) transformed with its own drawn parameters. Introduced in notebook 22."""
    images = as_images(images)
    if images.ndim != 3:
        raise ValueError(f"images must be a batch (n, height, width), got shape {images.shape}")
    missing = {"angle", "zoom", "shift", "contrast"} - set(parameters)
    if missing:
        raise ValueError(f"parameters lack {sorted(missing)}; use augment.draw_parameters")
    if any(len(parameters[key]) != len(images) for key in ("angle", "zoom", "shift", "contrast")):
        raise ValueError(f"need parameters for each of the {len(images)} images")
    out = np.empty_like(images)
    for index, image in enumerate(images):
        moved = affine(image, float(parameters["angle"][index]), float(parameters["zoom"][index]),
                       parameters["shift"][index])
        out[index] = contrast(moved, float(parameters["contrast"][index]))
    return out


def transformed_test_set(images: Any, ranges: Ranges, seed: int = 22) -> np.ndarray:
    """The test images, each rotated, zoomed, shifted and contrast-changed by a seeded draw in ``ranges``.

    Introduced in notebook 22.
    """
    images = as_images(images)
    if images.ndim != 3:
        raise ValueError(f"images must be a batch (n, height, width), got shape {images.shape}")
    return apply(images, draw_parameters(len(images), ranges, seed))


def plot_rows(fig: Figure, rows: Sequence[Any], row_titles: Sequence[str],
              column_titles: Sequence[str] | None = None) -> np.ndarray:
    """A grid of greyscale images on ``fig``, one list of images per row, a title on the left of each row.

    Returns the axes (rows × columns). Introduced in notebook 22.
    """
    rows = [as_images(row) for row in rows]
    if not rows or any(row.ndim != 3 for row in rows) or len({len(row) for row in rows}) != 1:
        raise ValueError("rows must be one or more batches (n, height, width) of the same length n")
    if len(row_titles) != len(rows):
        raise ValueError(f"got {len(rows)} rows but {len(row_titles)} row titles")
    columns = len(rows[0])
    if column_titles is not None and len(column_titles) != columns:
        raise ValueError(f"got {columns} columns but {len(column_titles)} column titles")
    axes = np.asarray(fig.subplots(len(rows), columns, squeeze=False))
    for r, row in enumerate(rows):
        for c, image in enumerate(row):
            ax = axes[r, c]
            ax.imshow(image, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
            if c == 0:
                ax.set_ylabel(row_titles[r], fontsize=9)
            if r == 0 and column_titles is not None:
                ax.set_title(column_titles[c], fontsize=9)
    return axes


FLIPS = ("no flip", "mirror left-right")


def augmentation_explorer(images: Any, labels: Sequence[Any] | None = None, rotation: float = 20.0,
                          zoom: float = 0.15, shift: float = 3.0, contrast_change: float = 0.3,
                          copies: int = 4, seed: int = 0) -> Explorer:
    """Sliders for the largest rotation, zoom, shift and contrast change over a grid of augmented copies.

    Row 0 shows the originals; each later row holds one random augmented copy of every image, drawn
    with fixed uniform numbers scaled by the sliders (so a slider makes the same copies stronger).
    Introduced in notebook 22.
    """
    images = as_images(images)
    if images.ndim != 3 or not 1 <= len(images) <= 8:
        raise ValueError(f"images must be a batch (n, height, width) with 1 <= n <= 8, got shape {images.shape}")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels")
    if not isinstance(copies, (int, np.integer)) or not 1 <= copies <= 6:
        raise ValueError(f"copies must be an integer from 1 to 6, got {copies!r}")
    Ranges(rotation, zoom, shift, contrast_change)  # validates the starting values
    n = len(images)
    unit = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(copies, n, 5))
    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        axes = plot_rows(fig, [images] * (copies + 1), ["original"] + [f"copy {k + 1}" for k in range(copies)],
                         None if labels is None else [f"label {label}" for label in labels])
        parts["pictures"] = [[ax.images[0] for ax in row] for row in axes[1:]]
        for row in parts["pictures"]:
            for picture in row:
                picture.set_animated(True)  # the originals and the frame are drawn once and cached

    def draw(fig: Figure, rotation: float, zoom: float, shift: float, contrast_change: float,
             mirror: str) -> str:
        if not parts:
            build(fig)
        for k, row in enumerate(parts["pictures"]):
            for i, picture in enumerate(row):
                u = unit[k, i]
                image = images[i][:, ::-1] if mirror == FLIPS[1] else images[i]
                moved = affine(image, rotation * u[0], 1.0 + zoom * u[1], (shift * u[2], shift * u[3]))
                picture.set_data(contrast(moved, 1.0 + contrast_change * u[4]))
        return (f"rotation ±{rotation:.0f}°, zoom ×{1 - zoom:.2f} to ×{1 + zoom:.2f}, shift ±{shift:.1f} px, "
                f"contrast ×{1 - contrast_change:.2f} to ×{1 + contrast_change:.2f}"
                + (", every copy mirrored" if mirror == FLIPS[1] else ""))

    controls = {
        "rotation": slider("rotation (°)", 0.0, 60.0, value=float(rotation), step=1.0),
        "zoom": slider("zoom (±fraction)", 0.0, 0.5, value=float(zoom), step=0.01),
        "shift": slider("shift (± pixels)", 0.0, 8.0, value=float(shift), step=0.5),
        "contrast_change": slider("contrast (±fraction)", 0.0, 0.9, value=float(contrast_change), step=0.05),
        "mirror": ipw.Dropdown(options=list(FLIPS), value=FLIPS[0], description="flip"),
    }
    return Explorer(controls, draw, figsize=(1.15 * n + 0.9, 1.15 * (copies + 1) + 0.2), rebuild=False)
