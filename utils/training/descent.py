"""Gradient descent for logistic regression in NumPy, the learning-rate explorer and the descent animation.

The model is one neuron, p = σ(X·w + b), trained on the mean log loss (binary cross-entropy).
Full-batch gradient descent: forward pass, backward pass (the gradient), update, once per epoch.
Introduced in notebook 09.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from utils import animation
from utils.training.losses import binary_cross_entropy
from utils.foundations.networks import sigmoid  # re-exported: notebook 09 writes it, then uses this one
from utils.plots import PALETTE
from utils.widgets import Explorer, slider


@dataclass(frozen=True)
class DescentHistory:
    """Parameters and cost before the first update and after every epoch (``epochs + 1`` rows)."""

    weights: np.ndarray  # shape (epochs + 1, features)
    biases: np.ndarray  # shape (epochs + 1,)
    costs: np.ndarray  # shape (epochs + 1,)

    @property
    def w(self) -> np.ndarray:
        """The final weights."""
        return self.weights[-1]

    @property
    def b(self) -> float:
        """The final bias."""
        return float(self.biases[-1])


def _features(X: Any) -> np.ndarray:
    array = np.asarray(X, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"X must have shape (samples, features), got {np.shape(X)}")
    if not np.all(np.isfinite(array)):
        raise ValueError("X contains NaN or infinite values")
    return array


def _labels(y: Any, rows: int) -> np.ndarray:
    array = np.asarray(y, dtype=np.float64).ravel()
    if array.size != rows:
        raise ValueError(f"y has {array.size} labels but X has {rows} rows; they must match")
    if not np.all(np.isin(array, (0.0, 1.0))):
        raise ValueError("y must hold 0/1 labels")
    return array


def _weights(w: Any, features: int) -> np.ndarray:
    array = np.atleast_1d(np.asarray(w, dtype=np.float64)).ravel()
    if array.size != features:
        raise ValueError(f"w has {array.size} weights but X has {features} feature columns; they must match")
    if not np.all(np.isfinite(array)):
        raise ValueError("w contains NaN or infinite values")
    return array


def _bias(b: Any) -> float:
    value = float(np.squeeze(b))
    if not np.isfinite(value):
        raise ValueError(f"b must be a finite number, got {b!r}")
    return value


def forward(X: Any, w: Any, b: float) -> np.ndarray:
    """Forward pass: probabilities σ(X·w + b), one per row of ``X``. Introduced in notebook 09."""
    features = _features(X)
    return sigmoid(features @ _weights(w, features.shape[1]) + _bias(b))


def cost(X: Any, y: Any, w: Any, b: float) -> float:
    """Mean log loss of the neuron σ(X·w + b) on labels ``y``. Introduced in notebook 09."""
    features = _features(X)
    return float(binary_cross_entropy(_labels(y, features.shape[0]), forward(features, w, b)))


def gradients(X: Any, y: Any, w: Any, b: float) -> tuple[np.ndarray, float]:
    """Backward pass: ∂J/∂w = Xᵀ(p − y)/m and ∂J/∂b = mean(p − y) of the mean log loss. Introduced in notebook 09."""
    features = _features(X)
    labels = _labels(y, features.shape[0])
    error = forward(features, w, b) - labels
    return features.T @ error / labels.size, float(np.mean(error))


def accuracy(X: Any, y: Any, w: Any, b: float) -> float:
    """Share of rows where σ(X·w + b) ≥ 0.5 agrees with the 0/1 label. Introduced in notebook 09."""
    features = _features(X)
    labels = _labels(y, features.shape[0])
    return float(np.mean((forward(features, w, b) >= 0.5) == (labels == 1)))


def gradient_descent(X: Any, y: Any, w0: Any, b0: float, learning_rate: float, epochs: int) -> DescentHistory:
    """Full-batch gradient descent w ← w − lr·∂J/∂w, b ← b − lr·∂J/∂b for ``epochs`` epochs. Introduced in notebook 09."""
    features = _features(X)
    labels = _labels(y, features.shape[0])
    w, b = _weights(w0, features.shape[1]).copy(), _bias(b0)
    if not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    weights, biases, costs = [w.copy()], [b], [cost(features, labels, w, b)]
    for _ in range(int(epochs)):
        dw, db = gradients(features, labels, w, b)  # both from the same (old) parameters
        w, b = w - learning_rate * dw, b - learning_rate * db
        weights.append(w.copy())
        biases.append(b)
        costs.append(cost(features, labels, w, b))
    return DescentHistory(np.array(weights), np.array(biases), np.array(costs))


def cost_surface(
    x: Any, y: Any, w_range: tuple[float, float], b_range: tuple[float, float], points: int = 80,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean log loss of σ(w·x + b) (one feature) over a (w, b) grid: ``W, B, J`` for contours. Introduced in notebook 09."""
    features = _features(x)
    if features.shape[1] != 1:
        raise ValueError(f"x must hold exactly one feature, got {features.shape[1]} columns")
    labels = _labels(y, features.shape[0])
    if not (w_range[0] < w_range[1] and b_range[0] < b_range[1]):
        raise ValueError(f"w_range and b_range must be (low, high) with low < high, got {w_range} and {b_range}")
    if not isinstance(points, (int, np.integer)) or points < 2:
        raise ValueError(f"points must be an integer >= 2, got {points!r}")
    W, B = np.meshgrid(np.linspace(*w_range, points), np.linspace(*b_range, points))
    p = np.clip(sigmoid(W[..., None] * features[:, 0] + B[..., None]), 1e-7, 1 - 1e-7)
    J = -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p), axis=-1)
    return W, B, J


def _draw_surface(
    ax: Axes, surface: tuple[np.ndarray, np.ndarray, np.ndarray], minimum: tuple[float, float], colorbar: bool = True,
) -> None:
    W, B, J = surface
    levels = np.concatenate([[0.0], np.unique(np.round(np.geomspace(J.min() * 1.01, J.max(), 14), 3))])  # dense near the floor
    filled = ax.contourf(W, B, J, levels=levels, cmap="Blues_r")  # flat bands: small PNG frames
    if colorbar:
        ax.figure.colorbar(filled, ax=ax, label="cost (mean log loss)", format="%.2f")
    ax.plot(*minimum, marker="*", markersize=15, color=PALETTE[4], markeredgecolor="k", linestyle="none",
            label="minimum of the cost")
    ax.set(xlabel="weight w (on age / 100)", ylabel="bias b", xlim=(W.min(), W.max()), ylim=(B.min(), B.max()))
    ax.grid(False)


def _minimum(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(w, b) at the floor of the cost, found with Newton's method (a few exact second-order steps)."""
    design = np.c_[x[:, 0], np.ones(x.shape[0])]
    theta = np.zeros(2)
    for _ in range(50):
        p = sigmoid(design @ theta)
        hessian = design.T @ (design * (p * (1 - p))[:, None]) / y.size
        step = np.linalg.solve(hessian + 1e-12 * np.eye(2), design.T @ (p - y) / y.size)
        theta -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(theta[0]), float(theta[1])


def learning_rate_explorer(
    x: Any, y: Any, learning_rate: float = 5.0, epochs: int = 300, w0: float = 0.0, b0: float = 0.0,
    w_range: tuple[float, float] = (-5.0, 80.0), b_range: tuple[float, float] = (-32.0, 10.0),
) -> Explorer:
    """A learning-rate slider: the cost per epoch and the path of (w, b) on the cost surface. Introduced in notebook 09."""
    features = _features(x)
    labels = _labels(y, features.shape[0])
    surface = cost_surface(features, labels, w_range, b_range)
    floor = _minimum(features, labels)
    floor_cost = cost(features, labels, [floor[0]], floor[1])

    parts: dict[str, Any] = {}
    start_cost = cost(features, labels, [w0], b0)  # every run starts here, so the left panel's scale is fixed

    def build(fig: Figure) -> None:
        left, right = fig.subplots(1, 2, width_ratios=[1, 1.25])
        (parts["costs"],) = left.plot(np.arange(epochs + 1), np.full(epochs + 1, np.nan), color=PALETTE[0],
                                      linewidth=2, label="learning rate")
        left.axhline(floor_cost, color="grey", linestyle="--", linewidth=1, label=f"lowest possible cost {floor_cost:.3f}")
        left.set(title="Cost after each epoch", xlabel="epoch", ylabel="mean log loss",
                 xlim=(-0.05 * epochs, 1.05 * epochs), ylim=(0, max(1.0, start_cost * 1.1)))
        parts["legend"] = left.legend(loc="upper right", fontsize=8)
        _draw_surface(right, surface, floor)
        (parts["path"],) = right.plot([], [], color=PALETTE[1], linewidth=1.2, marker=".", markersize=3,
                                      label="path of gradient descent")
        right.plot([w0], [b0], marker="o", color="white", markeredgecolor="k", linestyle="none", label="start")
        right.set_title("The path on the cost surface")
        right.legend(loc="upper right", fontsize=8)
        for artist in (parts["costs"], parts["legend"], parts["path"]):
            artist.set_animated(True)  # redrawn over the cached surface and axes

    def draw(fig: Figure, learning_rate: float) -> str:
        if not parts:
            build(fig)
        history = gradient_descent(features, labels, [w0], b0, learning_rate, epochs)
        parts["costs"].set_ydata(history.costs)
        parts["legend"].get_texts()[0].set_text(f"learning rate {learning_rate:g}")
        parts["path"].set_data(history.weights[:, 0], history.biases)
        rises = int(np.sum(np.diff(history.costs) > 0))
        return (f"learning rate {learning_rate:g}: after {epochs} epochs w = {history.w[0]:.1f}, b = {history.b:.1f}, "
                f"cost {history.costs[-1]:.3f} (floor {floor_cost:.3f}); the cost went up in {rises} of {epochs} epochs")

    controls = {"learning_rate": slider("learning rate", 0.5, 100.0, value=learning_rate, step=0.5)}
    return Explorer(controls, draw, figsize=(11.0, 4.0), rebuild=False)


def descent_frames(epochs: int, frames: int) -> np.ndarray:
    """Which epochs to show in an animation of ``frames`` frames: dense at the start, where steps are big. Introduced in notebook 09."""
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if not isinstance(frames, (int, np.integer)) or not 2 <= frames <= 60:
        raise ValueError(f"frames must be an integer between 2 and 60, got {frames!r}")
    spaced = np.unique(np.round(np.linspace(0, 1, frames) ** 2 * epochs).astype(int))
    return spaced


def descent_animation(
    x: Any, y: Any, learning_rate: float = 20.0, epochs: int = 300, w0: float = 0.0, b0: float = 0.0,
    frames: int = 18, w_range: tuple[float, float] = (-5.0, 80.0), b_range: tuple[float, float] = (-32.0, 10.0),
) -> Any:
    """Animation of gradient descent on the (w, b) cost surface, beside the model's probability curve. Introduced in notebook 09."""
    features = _features(x)
    labels = _labels(y, features.shape[0])
    history = gradient_descent(features, labels, [w0], b0, learning_rate, epochs)
    shown = descent_frames(epochs, frames)
    surface = cost_surface(features, labels, w_range, b_range)
    floor = _minimum(features, labels)
    scale_back = 100.0  # the model sees age / 100; the left panel speaks in years
    ages = np.linspace(features.min(), features.max(), 200)
    jitter = np.random.default_rng(0).uniform(-0.03, 0.03, size=labels.size)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.6), width_ratios=[1, 1.2])
    left.scatter(features[:, 0] * scale_back, labels + jitter, s=10, alpha=0.5, color=PALETTE[0])
    (curve,) = left.plot([], [], color="k", linewidth=2, label="σ(w · age/100 + b)")
    left.set(xlabel="age (years)", ylabel="P(bought insurance)", ylim=(-0.1, 1.1))
    left.legend(loc="lower right", fontsize=8)
    _draw_surface(right, surface, floor, colorbar=False)  # darker = lower cost; fewer artists = faster frames
    (path,) = right.plot([], [], color=PALETTE[1], linewidth=1.2, label="path of gradient descent")
    (point,) = right.plot([], [], marker="o", markersize=9, color=PALETTE[1], markeredgecolor="k", linestyle="none")
    right.legend(loc="upper right", fontsize=8)

    def draw_frame(index: int) -> None:
        epoch = int(shown[index])
        w, b = float(history.weights[epoch, 0]), float(history.biases[epoch])
        curve.set_data(ages * scale_back, sigmoid(w * ages + b))
        left.set_title(f"Epoch {epoch}: cost {history.costs[epoch]:.3f}")
        path.set_data(history.weights[: epoch + 1, 0], history.biases[: epoch + 1])
        point.set_data([w], [b])
        right.set_title(f"w = {w:.1f}, b = {b:.1f} (learning rate {learning_rate:g})")

    return animation.player(fig, draw_frame, frames=len(shown), interval_ms=150)
