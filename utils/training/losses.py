"""Loss functions written in NumPy (the same formulas as ``keras.losses``) and the loss explorer.

Every loss returns the **cost**, the mean of the per-sample losses, unless ``per_sample=True``.
Probabilities are clipped into ``[EPSILON, 1 - EPSILON]`` before a logarithm, as Keras does.
Introduced in notebook 08.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer, slider

EPSILON = 1e-7  # Keras' default fuzz factor (keras.config.epsilon())


def _array(value: Any, name: str) -> np.ndarray:
    """``value`` as a non-empty, finite float64 array, or a ValueError naming the argument."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numbers, got {type(value).__name__}: {error}") from None
    if array.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _pair(y_true: Any, y_pred: Any, pred_name: str = "y_pred") -> tuple[np.ndarray, np.ndarray]:
    """Targets and predictions as float arrays of the same shape."""
    truth, prediction = _array(y_true, "y_true"), _array(y_pred, pred_name)
    if truth.shape != prediction.shape:
        raise ValueError(f"y_true has shape {truth.shape} but {pred_name} has shape {prediction.shape}; they must match")
    return truth, prediction


def _probabilities(array: np.ndarray, name: str) -> np.ndarray:
    if np.any(array < 0) or np.any(array > 1):
        raise ValueError(f"{name} must hold probabilities in [0, 1], got values from {array.min():.3g} to {array.max():.3g}")
    return array


def _reduce(per_value: np.ndarray, per_sample: bool) -> np.ndarray | float:
    """Average 2-D (samples, outputs) over outputs; then the cost is the mean over samples."""
    losses = per_value.mean(axis=-1) if per_value.ndim == 2 else per_value
    return losses if per_sample else float(np.mean(losses))


def mean_absolute_error(y_true: Any, y_pred: Any, per_sample: bool = False) -> np.ndarray | float:
    """MAE: mean of |y − ŷ| (per-sample |y − ŷ| with ``per_sample=True``). Introduced in notebook 08."""
    truth, prediction = _pair(y_true, y_pred)
    return _reduce(np.abs(truth - prediction), per_sample)


def mean_squared_error(y_true: Any, y_pred: Any, per_sample: bool = False) -> np.ndarray | float:
    """MSE: mean of (y − ŷ)² (per-sample (y − ŷ)² with ``per_sample=True``). Introduced in notebook 08."""
    truth, prediction = _pair(y_true, y_pred)
    return _reduce((truth - prediction) ** 2, per_sample)


def binary_cross_entropy(y_true: Any, y_prob: Any, per_sample: bool = False) -> np.ndarray | float:
    """Log loss −[y·log p + (1−y)·log(1−p)] with p clipped; mean unless ``per_sample``. Introduced in notebook 08."""
    truth, probability = _pair(y_true, y_prob, "y_prob")
    _probabilities(truth, "y_true")
    p = np.clip(_probabilities(probability, "y_prob"), EPSILON, 1 - EPSILON)
    return _reduce(-(truth * np.log(p) + (1 - truth) * np.log(1 - p)), per_sample)


def one_hot(labels: Any, classes: int) -> np.ndarray:
    """Integer class labels (shape ``(m,)``) as one-hot rows of shape ``(m, classes)``. Introduced in notebook 08."""
    array = np.asarray(labels)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array of class indices, got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"labels must be integers (class indices), got dtype {array.dtype}")
    if not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(f"classes must be an integer >= 2, got {classes!r}")
    if array.min() < 0 or array.max() >= classes:
        raise ValueError(f"labels must lie in 0..{classes - 1}, got values from {array.min()} to {array.max()}")
    return np.eye(classes)[array]


def _class_probabilities(y_prob: Any, rows: int | None = None) -> np.ndarray:
    probability = _probabilities(_array(y_prob, "y_prob"), "y_prob")
    if probability.ndim != 2 or probability.shape[1] < 2:
        raise ValueError(f"y_prob must have shape (samples, classes) with >= 2 classes, got {probability.shape}")
    if rows is not None and probability.shape[0] != rows:
        raise ValueError(f"y_prob has {probability.shape[0]} rows but there are {rows} labels; they must match")
    return probability


def categorical_cross_entropy(y_true: Any, y_prob: Any, per_sample: bool = False) -> np.ndarray | float:
    """−Σ_k y_k·log p_k per row (one-hot ``y_true``), p clipped; mean unless ``per_sample``. Introduced in notebook 08."""
    probability = _class_probabilities(y_prob)
    truth = _probabilities(_array(y_true, "y_true"), "y_true")
    if truth.shape != probability.shape:
        raise ValueError(f"y_true has shape {truth.shape} but y_prob has shape {probability.shape}; "
                         "y_true must be one-hot rows (use sparse_categorical_cross_entropy for integer labels)")
    losses = -np.sum(truth * np.log(np.clip(probability, EPSILON, 1 - EPSILON)), axis=1)
    return losses if per_sample else float(np.mean(losses))


def sparse_categorical_cross_entropy(labels: Any, y_prob: Any, per_sample: bool = False) -> np.ndarray | float:
    """−log p[label] per row for integer ``labels``, p clipped; mean unless ``per_sample``. Introduced in notebook 08."""
    array = np.asarray(labels)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array of class indices, got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"labels must be integers (class indices), got dtype {array.dtype}")
    probability = _class_probabilities(y_prob, rows=array.size)
    if array.min() < 0 or array.max() >= probability.shape[1]:
        raise ValueError(f"labels must lie in 0..{probability.shape[1] - 1}, got values from {array.min()} to {array.max()}")
    chosen = probability[np.arange(array.size), array]
    losses = -np.log(np.clip(chosen, EPSILON, 1 - EPSILON))
    return losses if per_sample else float(np.mean(losses))


LOSSES = {
    "MAE": mean_absolute_error,
    "MSE": mean_squared_error,
    "binary cross-entropy": binary_cross_entropy,
}


def single_prediction_losses(label: float, prediction: float) -> dict[str, float]:
    """MAE, MSE and binary cross-entropy of one prediction in [0, 1] against a 0/1 label. Introduced in notebook 08."""
    if label not in (0, 1):
        raise ValueError(f"label must be 0 or 1, got {label!r}")
    if not np.isfinite(prediction) or not 0.0 <= prediction <= 1.0:
        raise ValueError(f"prediction must be a number in [0, 1], got {prediction!r}")
    return {name: float(loss([float(label)], [float(prediction)])) for name, loss in LOSSES.items()}


def loss_explorer(label: int = 1, prediction: float = 0.3) -> Explorer:
    """Move one prediction and watch MAE, MSE and binary cross-entropy against the true label. Introduced in notebook 08."""
    single_prediction_losses(label, prediction)  # validates the starting values
    grid = np.linspace(0.0, 1.0, 401)
    colours = dict(zip(LOSSES, PALETTE))

    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        axes = fig.subplots(1, 3, sharex=True)
        parts["axes"] = axes
        for ax, name in zip(axes, LOSSES):
            (curve,) = ax.plot(grid, np.zeros_like(grid), color=colours[name], linewidth=2)
            (point,) = ax.plot([0.5], [0.0], marker="o", markersize=9, color="k")
            line = ax.axvline(0, color="grey", linestyle=":", linewidth=1)
            ax.set(title=f"{name} = 0.000  (true y = 0)", xlabel="prediction ŷ (or probability p)", xlim=(-0.05, 1.05),
                   ylim=(0, 6 if name.startswith("binary") else 1.1))
            parts[name] = (curve, point, line)
            for artist in (curve, point, line, ax.title):
                artist.set_animated(True)  # redrawn over the cached axes
        axes[0].set_ylabel("loss of this one sample")

    def draw(fig: Figure, label: int, prediction: float) -> str:
        if not parts:
            build(fig)
        values = single_prediction_losses(label, prediction)
        for ax, (name, loss) in zip(parts["axes"], LOSSES.items()):
            curve, point, line = parts[name]
            curve.set_ydata(loss(np.full(grid.shape, float(label)), grid, per_sample=True))
            point.set_data([prediction], [values[name]])
            line.set_xdata([label, label])
            ax.set_title(f"{name} = {values[name]:.3f}  (true y = {label})")
        return (f"y = {label}, prediction = {prediction:.2f}  →  MAE {values['MAE']:.3f},  MSE {values['MSE']:.3f},  "
                f"binary cross-entropy {values['binary cross-entropy']:.3f}")

    controls = {
        "label": ipw.ToggleButtons(options=[0, 1], value=label, description="true y"),
        "prediction": slider("prediction", 0.0, 1.0, value=prediction, step=0.01),
    }
    return Explorer(controls, draw, figsize=(11.0, 3.5), rebuild=False)
