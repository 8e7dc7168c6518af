"""The course's plots, one style: each function draws on an ``ax`` it is given (or a new one) and returns it.

Nothing here changes matplotlib's global state except :func:`use_course_style`, which the set-up
call applies once.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

# Colour-blind-safe palette (Okabe & Ito, 2008), used for every class/series in the course.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
)

COURSE_STYLE: dict[str, Any] = {
    "figure.figsize": (7.0, 4.2),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "legend.frameon": False,
    "font.size": 10,
    "image.cmap": "viridis",
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
}


def use_course_style() -> None:
    """Apply the course's matplotlib style (called by ``course.setup``)."""
    mpl.rcParams.update(COURSE_STYLE)


def _axes(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    if ax is not None:
        return ax
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


def _as_2d_points(X: Any, name: str = "X") -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n_samples, 2), got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return X


def training_curves(
    history: Any,
    metrics: Sequence[str] = ("loss",),
    ax: Axes | None = None,
    title: str = "Training curves",
) -> Axes:
    """Plot a Keras ``History`` (or a dict of lists) per epoch; validation curves dashed."""
    logs: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise ValueError("history must be a keras History or a dict of metric name -> list of values")
    missing = [m for m in metrics if m not in logs]
    if missing:
        raise ValueError(f"metric(s) {missing} not in history; available: {', '.join(logs)}")
    ax = _axes(ax)
    for index, metric in enumerate(metrics):
        colour = PALETTE[index % len(PALETTE)]
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], color=colour, label=f"train {metric}")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], color=colour, linestyle="--", label=f"validation {metric}")
    ax.set(title=title, xlabel="epoch", ylabel=", ".join(metrics))
    ax.legend()
    return ax


def image_grid(
    images: Any,
    labels: Sequence[Any] | None = None,
    ncols: int = 8,
    cmap: str = "gray_r",
    title: str | None = None,
    axes: np.ndarray | None = None,
) -> np.ndarray:
    """Show images (n, h, w) or (n, h, w, 3) in a grid with optional labels; returns the axes array."""
    images = np.asarray(images)
    if images.ndim not in (3, 4) or len(images) == 0:
        raise ValueError(f"images must have shape (n, height, width) or (n, height, width, channels), got {images.shape}")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels")
    if ncols < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols}")
    ncols = min(ncols, len(images))
    nrows = int(np.ceil(len(images) / ncols))
    if axes is None:
        fig, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.45 * nrows), squeeze=False)
        if title:
            fig.suptitle(title)
    flat = np.asarray(axes).ravel()
    if len(flat) < len(images):
        raise ValueError(f"{len(images)} images do not fit in {len(flat)} axes")
    for index, ax in enumerate(flat):
        ax.set_axis_off()
        if index < len(images):
            ax.imshow(images[index], cmap=None if images.ndim == 4 else cmap)
            if labels is not None:
                ax.set_title(str(labels[index]), fontsize=9, fontweight="normal")
    return np.asarray(axes)


def decision_boundary(
    predict: Callable[[np.ndarray], Any],
    X: Any,
    y: Any,
    ax: Axes | None = None,
    resolution: int = 200,
    title: str = "Decision boundary",
    xlabel: str = "$x_1$",
    ylabel: str = "$x_2$",
) -> Axes:
    """Shade the regions a 2-D classifier assigns to each class and scatter the labelled points."""
    X = _as_2d_points(X)
    y = np.asarray(y).ravel()
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    if resolution < 2:
        raise ValueError(f"resolution must be >= 2, got {resolution}")
    ax = _axes(ax)
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0) + 1e-9)
    xs = np.linspace(X[:, 0].min() - pad[0], X[:, 0].max() + pad[0], resolution)
    ys = np.linspace(X[:, 1].min() - pad[1], X[:, 1].max() + pad[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    scores = np.asarray(predict(np.column_stack([grid_x.ravel(), grid_y.ravel()])))
    if scores.ndim == 2 and scores.shape[1] > 1:  # class probabilities -> class index
        scores = scores.argmax(axis=1)
    scores = scores.reshape(grid_x.shape)
    classes = np.unique(y)
    colours = mpl.colors.ListedColormap([PALETTE[i % len(PALETTE)] for i in range(max(len(classes), 2))])
    if len(classes) <= 2 and scores.dtype.kind == "f" and scores.min() >= 0 and scores.max() <= 1:
        ax.contourf(grid_x, grid_y, scores, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
        ax.contour(grid_x, grid_y, scores, levels=[0.5], colors="k", linewidths=1.5)
    else:
        ax.contourf(grid_x, grid_y, scores, levels=np.arange(len(classes) + 1) - 0.5, cmap=colours, alpha=0.25)
    for index, label in enumerate(classes):
        chosen = y == label
        ax.scatter(X[chosen, 0], X[chosen, 1], s=18, color=PALETTE[index % len(PALETTE)],
                   edgecolor="white", linewidth=0.5, label=f"class {label}")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend(loc="best")
    return ax


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    class_names: Sequence[str] | None = None,
    ax: Axes | None = None,
    normalize: bool = False,
    title: str = "Confusion matrix",
) -> Axes:
    """Draw the confusion matrix (rows: true class, columns: predicted) with counts or row fractions."""
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}")
    if y_true.size == 0:
        raise ValueError("y_true and y_pred are empty")
    labels = np.unique(np.concatenate([y_true, y_pred]))
    if class_names is not None and len(class_names) < len(labels):
        raise ValueError(f"{len(labels)} classes but only {len(class_names)} class_names")
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)))
    for true, pred in zip(y_true, y_pred):
        matrix[index[true], index[pred]] += 1
    if normalize:
        matrix = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    names = list(class_names[: len(labels)]) if class_names is not None else [str(label) for label in labels]
    ax = _axes(ax, figsize=(1.0 + 0.55 * len(labels), 0.8 + 0.5 * len(labels)))
    ax.imshow(matrix, cmap="Blues")
    ax.grid(False)
    threshold = matrix.max() / 2
    for (row, col), value in np.ndenumerate(matrix):
        text = f"{value:.2f}" if normalize else f"{int(value)}"
        ax.text(col, row, text, ha="center", va="center", fontsize=9,
                color="white" if value > threshold else "black")
    ax.set_xticks(range(len(labels)), names, rotation=45 if len(labels) > 4 else 0, ha="right" if len(labels) > 4 else "center")
    ax.set_yticks(range(len(labels)), names)
    ax.set(title=title, xlabel="predicted class", ylabel="true class")
    return ax


def function_curve(
    f: Callable[[np.ndarray], Any],
    x_range: tuple[float, float] = (-6.0, 6.0),
    ax: Axes | None = None,
    label: str | None = None,
    points: int = 400,
    **style: Any,
) -> Axes:
    """Plot y = f(x) over ``x_range``."""
    low, high = x_range
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range}")
    ax = _axes(ax)
    xs = np.linspace(low, high, points)
    ax.plot(xs, np.asarray(f(xs), dtype=np.float64), label=label, **style)
    return ax


def neuron_diagram(
    input_names: Sequence[str],
    ax: Axes | None = None,
    activation: str = r"$\sigma$",
    output_name: str = r"$\hat{y}$",
    title: str = "One neuron",
) -> Axes:
    """Draw inputs → weighted sum (Σ, plus bias) → activation → output, with weights on the arrows."""
    if not input_names:
        raise ValueError("input_names must name at least one input")
    ax = _axes(ax, figsize=(7.5, 2.8))
    n = len(input_names)
    ys = np.linspace(0.85, 0.15, n) if n > 1 else np.array([0.5])
    for index, (name, y) in enumerate(zip(input_names, ys)):
        ax.text(0.2, y, name, ha="center", va="center", fontsize=11,
                bbox=dict(boxstyle="round,pad=0.4", facecolor="#EAF2FB", edgecolor=PALETTE[0]))
        ax.annotate("", xy=(0.93, 0.5), xytext=(0.48, y), arrowprops=dict(arrowstyle="->", color="grey"))
        ax.text(0.66, 0.5 + (y - 0.5) * 0.55 + 0.05, f"$w_{{{index + 1}}}$", ha="center", fontsize=12, color=PALETTE[1])
    ax.add_patch(mpl.patches.Circle((1.05, 0.5), 0.12, facecolor="#FDF1E7", edgecolor=PALETTE[1], linewidth=1.5))
    ax.text(1.05, 0.5, r"$\Sigma$", ha="center", va="center", fontsize=16)
    ax.text(1.05, 0.3, r"$z = \sum_i w_i x_i + b$", ha="center", va="top", fontsize=10)
    ax.annotate("", xy=(1.38, 0.5), xytext=(1.18, 0.5), arrowprops=dict(arrowstyle="->", color="grey"))
    ax.add_patch(mpl.patches.Circle((1.5, 0.5), 0.11, facecolor="#E8F6F1", edgecolor=PALETTE[2], linewidth=1.5))
    ax.text(1.5, 0.5, activation, ha="center", va="center", fontsize=15)
    ax.text(1.5, 0.32, "activation", ha="center", va="top", fontsize=9, color="grey")
    ax.annotate("", xy=(1.8, 0.5), xytext=(1.62, 0.5), arrowprops=dict(arrowstyle="->", color="grey"))
    ax.text(1.88, 0.5, output_name, ha="center", va="center", fontsize=14)
    ax.set_xlim(0, 2)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    ax.set_title(title)
    return ax
