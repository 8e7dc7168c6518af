"""Handwritten digits with dense networks: pixels to vectors, a NumPy forward pass, confusion counts.

Also a timed comparison of classifiers on the same pixels and the confusion-cell explorer, which
shows the test digits behind any cell of the confusion matrix. Introduced in notebook 12.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.widgets import Explorer

N_CLASSES = 10
PIXEL_MAX = 255.0


def flatten_and_scale(images: Any) -> np.ndarray:
    """Images (n, h, w) of 0-255 grey levels -> float32 rows (n, h·w) in [0, 1]. Introduced in notebook 12."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[0] == 0:
        raise ValueError(f"images must have shape (n, height, width), got {images.shape}")
    if images.dtype.kind not in "biuf":
        raise ValueError(f"images must hold numbers (grey levels 0-255), got dtype {images.dtype}")
    return (images.reshape(len(images), -1) / PIXEL_MAX).astype(np.float32)


def softmax(z: Any) -> np.ndarray:
    """Row-wise softmax, shifted by each row's maximum so exp never overflows. Introduced in notebook 12."""
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"z must have shape (n, classes), got {z.shape}")
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def forward_probabilities(x: Any, W1: Any, b1: Any, W2: Any, b2: Any) -> np.ndarray:
    """Class probabilities of the net softmax(relu(x·W1 + b1)·W2 + b2), in NumPy. Introduced in notebook 12."""
    x = np.asarray(x, dtype=np.float64)
    W1, W2 = np.asarray(W1, dtype=np.float64), np.asarray(W2, dtype=np.float64)
    if x.ndim != 2 or W1.ndim != 2 or W2.ndim != 2:
        raise ValueError(f"x, W1 and W2 must be 2-D, got shapes {x.shape}, {W1.shape}, {W2.shape}")
    if x.shape[1] != W1.shape[0] or W1.shape[1] != W2.shape[0]:
        raise ValueError(f"shapes do not chain: x {x.shape}, W1 {W1.shape}, W2 {W2.shape}")
    hidden = np.maximum(0.0, x @ W1 + np.asarray(b1, dtype=np.float64))
    return softmax(hidden @ W2 + np.asarray(b2, dtype=np.float64))


def _labels(values: Any, name: str, n_classes: int) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {array.shape}")
    if array.size and (array.dtype.kind not in "iu" or array.min() < 0 or array.max() >= n_classes):
        raise ValueError(f"{name} must hold integer labels 0..{n_classes - 1}")
    return array.astype(np.int64)


def confusion_counts(y_true: Any, y_pred: Any, n_classes: int = N_CLASSES) -> np.ndarray:
    """Counts (n_classes × n_classes), row = true class, column = predicted. Introduced in notebook 12."""
    if not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    y_true, y_pred = _labels(y_true, "y_true", n_classes), _labels(y_pred, "y_pred", n_classes)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}")
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def most_confused(matrix: Any, k: int = 5) -> list[tuple[int, int, int]]:
    """The k largest off-diagonal cells as (true, predicted, count), largest first. Introduced in notebook 12."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square, got shape {matrix.shape}")
    off = matrix.astype(np.int64).copy()
    np.fill_diagonal(off, -1)
    order = np.argsort(-off, axis=None, kind="stable")[: max(0, int(k))]
    cells = [(int(i // matrix.shape[1]), int(i % matrix.shape[1])) for i in order]
    return [(t, p, int(matrix[t, p])) for t, p in cells if matrix[t, p] > 0]


def cell_examples(y_true: Any, y_pred: Any, true: int, predicted: int, limit: int = 12) -> np.ndarray:
    """Indices of the examples with this true and predicted class (at most ``limit``). Introduced in notebook 12."""
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}")
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")
    return np.flatnonzero((y_true == true) & (y_pred == predicted))[:limit]


def compare_classifiers(
    models: Mapping[str, Any],
    x_train: Any,
    y_train: Any,
    x_test: Any,
    y_test: Any,
    clock: Callable[[], float] = time.perf_counter,
) -> "Any":
    """Fit each scikit-learn-style model; a table of test accuracy and training seconds. Introduced in notebook 12."""
    import pandas as pd

    if not models:
        raise ValueError("models must name at least one classifier")
    rows = []
    for name, model in models.items():
        if not (hasattr(model, "fit") and hasattr(model, "predict")):
            raise ValueError(f"model {name!r} needs fit and predict methods")
        start = clock()
        model.fit(x_train, y_train)
        seconds = clock() - start
        accuracy = float(np.mean(np.asarray(model.predict(x_test)).ravel() == np.asarray(y_test).ravel()))
        rows.append({"model": name, "test accuracy": accuracy, "training seconds": seconds})
    return pd.DataFrame(rows).set_index("model")


def confusion_explorer(
    images: Any, y_true: Any, y_pred: Any, y_prob: Any | None = None, true: int = 4, predicted: int = 9
) -> Explorer:
    """Pick a cell of the confusion matrix; see the test digits in it. Introduced in notebook 12."""
    images = np.asarray(images)
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if images.ndim != 3 or len(images) != len(y_true):
        raise ValueError(f"images must have shape (n, h, w) with n = {len(y_true)}, got {images.shape}")
    matrix = confusion_counts(y_true, y_pred)
    prob = None if y_prob is None else np.asarray(y_prob, dtype=np.float64)
    if prob is not None and prob.shape != (len(y_true), N_CLASSES):
        raise ValueError(f"y_prob must have shape ({len(y_true)}, {N_CLASSES}), got {prob.shape}")
    columns, rows = 6, 2

    blank = np.zeros(images.shape[1:])
    artists: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        grid = fig.add_gridspec(rows, columns + 3)
        ax = fig.add_subplot(grid[:, :3])
        shown = np.log1p(matrix)
        ax.imshow(shown, cmap="Blues")
        ax.grid(False)
        for (row, col), value in np.ndenumerate(matrix):
            ax.text(col, row, str(value), ha="center", va="center", fontsize=6,
                    color="white" if shown[row, col] > shown.max() / 2 else "black")
        artists["square"] = ax.add_patch(_square(0, 0))
        ax.set(title="Test confusion matrix", xlabel="predicted digit", ylabel="true digit",
               xticks=range(N_CLASSES), yticks=range(N_CLASSES))
        artists["cells"] = []
        for slot in range(rows * columns):
            cell = fig.add_subplot(grid[slot // columns, 3 + slot % columns])
            cell.set_axis_off()
            picture = cell.imshow(blank, cmap="gray_r", vmin=0, vmax=max(float(images.max()), 1.0))
            artists["cells"].append((cell, picture, cell.set_title("", fontsize=7, fontweight="normal")))

    def draw(fig: Figure, true: int, predicted: int) -> str:
        if not artists:
            build(fig)
        artists["square"].set_xy((predicted - 0.5, true - 0.5))
        chosen = cell_examples(y_true, y_pred, true, predicted, limit=rows * columns)
        for slot, (cell, picture, title) in enumerate(artists["cells"]):
            visible = slot < len(chosen)
            picture.set_visible(visible)
            if visible:
                index = chosen[slot]
                picture.set_data(images[index])
                label = f"#{index}"
                if prob is not None:
                    label += f"\nP={prob[index, predicted]:.2f}"
                title.set_text(label)
            else:
                title.set_text("")
        count = int(matrix[true, predicted])
        kind = "correct" if true == predicted else "mistakes"
        return (f"true {true}, predicted {predicted}: {count} test digits ({kind}); "
                f"showing {len(chosen)}")

    def choice(name: str, value: int) -> ipw.Dropdown:
        return ipw.Dropdown(options=list(range(N_CLASSES)), value=value, description=name,
                            layout=ipw.Layout(width="200px"))

    for name, value in (("true", true), ("predicted", predicted)):
        if value not in range(N_CLASSES):
            raise ValueError(f"{name} must be a digit 0-9, got {value!r}")
    controls = {"true": choice("true digit", true), "predicted": choice("predicted", predicted)}
    return Explorer(controls, draw, figsize=(10.0, 4.2), rebuild=False)


def _square(col: int, row: int) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="#D55E00", linewidth=2.5)


def accuracy(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray) -> float:
    """Fraction of labels predicted right. Introduced in notebook 12."""
    y_true, y_pred = np.asarray(y_true).ravel(), np.asarray(y_pred).ravel()
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(f"y_true and y_pred must be non-empty and the same length, got {y_true.size}, {y_pred.size}")
    return float(np.mean(y_true == y_pred))
