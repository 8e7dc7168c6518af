"""Batch, stochastic and mini-batch gradient descent for linear regression, and their explorer.

The model is linear regression with a bias column, ŷ = X_b·θ, and the cost is the mean squared
error J(θ) = (1/m)·Σ(ŷ − y)². Introduced in notebook 10.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer, slider

VARIANTS: dict[str, int | None] = {"batch": None, "mini-batch": 16, "stochastic": 1}
"""Batch size of each variant; None means "the whole training set"."""


def _matrix(value: Any, name: str) -> np.ndarray:
    """A finite 2-D float64 array, or a ValueError naming the argument."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (rows = examples), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _vector(value: Any, name: str, length: int | None = None) -> np.ndarray:
    """A finite 1-D float64 array (of ``length`` if given), or a ValueError naming the argument."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {array.shape}")
    if length is not None and array.size != length:
        raise ValueError(f"{name} must have {length} entries, got {array.size}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def standardize(X_train: Any, X_other: Any | None = None) -> tuple[np.ndarray, ...]:
    """Scale every column to mean 0 and std 1 using the TRAINING statistics. Introduced in notebook 10.

    Returns ``(X_train_scaled, mean, std)``, or ``(X_train_scaled, X_other_scaled, mean, std)``.
    """
    X_train = _matrix(X_train, "X_train")
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    if np.any(std == 0):
        raise ValueError(f"X_train has a constant column (index {int(np.argmin(std))}); it cannot be scaled")
    if X_other is None:
        return (X_train - mean) / std, mean, std
    X_other = _matrix(X_other, "X_other")
    if X_other.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_other has {X_other.shape[1]} columns but X_train has {X_train.shape[1]}")
    return (X_train - mean) / std, (X_other - mean) / std, mean, std


def add_bias_column(X: Any) -> np.ndarray:
    """Prepend a column of ones so that θ[0] acts as the bias. Introduced in notebook 10."""
    X = _matrix(X, "X")
    return np.column_stack([np.ones(len(X)), X])


def mse_cost(Xb: Any, y: Any, theta: Any) -> float:
    """Mean squared error (1/m)·Σ(X_b·θ − y)². Introduced in notebook 10."""
    Xb = _matrix(Xb, "Xb")
    y = _vector(y, "y", len(Xb))
    theta = _vector(theta, "theta", Xb.shape[1])
    residual = Xb @ theta - y
    return float(np.mean(residual**2))


def mse_gradient(Xb: Any, y: Any, theta: Any) -> np.ndarray:
    """Gradient of the MSE, (2/m)·X_bᵀ(X_b·θ − y). Introduced in notebook 10."""
    Xb = _matrix(Xb, "Xb")
    y = _vector(y, "y", len(Xb))
    theta = _vector(theta, "theta", Xb.shape[1])
    return 2.0 / len(Xb) * Xb.T @ (Xb @ theta - y)


def least_squares(Xb: Any, y: Any) -> np.ndarray:
    """The closed-form optimum θ* that minimises the MSE (via np.linalg.lstsq). Introduced in notebook 10."""
    Xb = _matrix(Xb, "Xb")
    y = _vector(y, "y", len(Xb))
    theta, *_ = np.linalg.lstsq(Xb, y, rcond=None)
    return theta


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Yield the row indices of each mini-batch of one shuffled epoch; the last one may be smaller. Introduced in notebook 10."""
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    order = rng.permutation(int(n))
    for start in range(0, int(n), int(batch_size)):
        yield order[start : start + int(batch_size)]


def updates_per_epoch(n: int, batch_size: int) -> int:
    """Number of parameter updates in one epoch: ceil(n / batch_size). Introduced in notebook 10."""
    if n < 1 or batch_size < 1:
        raise ValueError(f"n and batch_size must be positive, got n={n!r}, batch_size={batch_size!r}")
    return -(-int(n) // int(batch_size))


@dataclass(frozen=True)
class DescentHistory:
    """What a gradient-descent run did: θ after every update and the full training cost there."""

    batch_size: int
    learning_rate: float
    epochs: int
    thetas: np.ndarray  # (updates + 1, parameters): the start, then after every update
    update_costs: np.ndarray  # (updates + 1,): full training cost at each θ
    epoch_costs: np.ndarray  # (epochs + 1,): full training cost at the start and after each epoch
    diverged: bool

    @property
    def theta(self) -> np.ndarray:
        """The final parameters."""
        return self.thetas[-1]

    @property
    def cost(self) -> float:
        """The final full training cost."""
        return float(self.update_costs[-1])

    @property
    def updates(self) -> int:
        """How many parameter updates were made."""
        return len(self.thetas) - 1


def gradient_descent(
    Xb: Any,
    y: Any,
    batch_size: int | None = None,
    learning_rate: float = 0.1,
    epochs: int = 50,
    seed: int = 0,
    theta0: Any | None = None,
) -> DescentHistory:
    """Mini-batch GD on the MSE; ``batch_size=None`` is batch GD, ``1`` is stochastic GD. Introduced in notebook 10."""
    Xb = _matrix(Xb, "Xb")
    y = _vector(y, "y", len(Xb))
    m, n_params = Xb.shape
    batch_size = m if batch_size is None else batch_size
    if not isinstance(batch_size, (int, np.integer)) or not 1 <= batch_size <= m:
        raise ValueError(f"batch_size must be an integer between 1 and {m} (the training-set size), got {batch_size!r}")
    if not (isinstance(learning_rate, (int, float)) and np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    theta = np.zeros(n_params) if theta0 is None else _vector(theta0, "theta0", n_params).copy()
    rng = np.random.default_rng(seed)

    def cost(t: np.ndarray) -> float:
        return float(np.mean((Xb @ t - y) ** 2))

    thetas, update_costs, epoch_costs = [theta.copy()], [cost(theta)], [cost(theta)]
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(int(epochs)):
            for rows in minibatches(m, int(batch_size), rng):
                batch = Xb[rows]
                gradient = 2.0 / len(rows) * batch.T @ (batch @ theta - y[rows])
                theta = theta - learning_rate * gradient
                thetas.append(theta.copy())
                update_costs.append(cost(theta))
                if not np.isfinite(update_costs[-1]) or update_costs[-1] > 1e12:
                    diverged = True
                    break
            epoch_costs.append(update_costs[-1])
            if diverged:
                break
    return DescentHistory(int(batch_size), float(learning_rate), int(epochs), np.array(thetas),
                          np.array(update_costs), np.array(epoch_costs), diverged)


def cost_grid(
    Xb: Any, y: Any, bias: float, w1_range: tuple[float, float], w2_range: tuple[float, float], points: int = 80,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MSE over a grid of the two weights (θ[1], θ[2]) with the bias fixed: ``W1, W2, cost``. Introduced in notebook 10."""
    Xb = _matrix(Xb, "Xb")
    if Xb.shape[1] != 3:
        raise ValueError(f"Xb must have 3 columns (bias, feature 1, feature 2), got {Xb.shape[1]}")
    y = _vector(y, "y", len(Xb))
    if points < 2:
        raise ValueError(f"points must be at least 2, got {points}")
    W1, W2 = np.meshgrid(np.linspace(*w1_range, points), np.linspace(*w2_range, points))
    # the MSE is a quadratic in (w1, w2): expanding the square needs six averages, not a pass over
    # every example at every grid point (the explorer redraws this on every move)
    r, x1, x2 = bias - y, Xb[:, 1], Xb[:, 2]
    cost = (np.mean(r * r) + 2 * W1 * np.mean(r * x1) + 2 * W2 * np.mean(r * x2)
            + W1 ** 2 * np.mean(x1 * x1) + 2 * W1 * W2 * np.mean(x1 * x2) + W2 ** 2 * np.mean(x2 * x2))
    return W1, W2, np.maximum(cost, 0.0)


def draw_weight_path(ax: Any, Xb: np.ndarray, y: np.ndarray, optimum: np.ndarray, paths: dict[str, np.ndarray],
                     feature_names: tuple[str, str] = ("area", "bedrooms")) -> None:
    """Contours of the cost over the two weights (bias at its optimum) with each θ path drawn on top. Introduced in notebook 10."""
    every = np.vstack([optimum[None, 1:]] + [path[:, 1:] for path in paths.values()])
    low, high = every.min(axis=0), every.max(axis=0)
    pad = 0.15 * (high - low) + 1.0
    W1, W2, costs = cost_grid(Xb, y, optimum[0], (low[0] - pad[0], high[0] + pad[0]), (low[1] - pad[1], high[1] + pad[1]))
    ax.contour(W1, W2, np.log10(costs), levels=18, cmap="viridis", linewidths=0.8)
    for index, (label, path) in enumerate(paths.items()):
        ax.plot(path[:, 1], path[:, 2], color=PALETTE[index % len(PALETTE)], linewidth=1.0, alpha=0.85, label=label)
        ax.plot(path[-1, 1], path[-1, 2], marker="o", color=PALETTE[index % len(PALETTE)], markersize=5)
    ax.plot(optimum[1], optimum[2], marker="*", color="k", markersize=13, linestyle="none", label="closed-form optimum")
    ax.set(xlabel=f"weight on scaled {feature_names[0]} (thousand $)",
           ylabel=f"weight on scaled {feature_names[1]} (thousand $)")
    ax.grid(False)


def minibatch_explorer(
    X_scaled: Any,
    y: Any,
    batch_size: int = 16,
    learning_rate: float = 0.05,
    epochs: int = 20,
    feature_names: tuple[str, str] = ("area", "bedrooms"),
) -> Explorer:
    """Batch-size and learning-rate sliders: the cost per update and the path in weight space. Introduced in notebook 10."""
    Xb = add_bias_column(X_scaled)
    y = _vector(y, "y", len(Xb))
    if Xb.shape[1] != 3:
        raise ValueError(f"X_scaled must have exactly 2 feature columns, got {Xb.shape[1] - 1}")
    m = len(Xb)
    sizes = sorted({1, 2, 4, 8, 16, 32, 64, m} & set(range(1, m + 1)))
    if batch_size not in sizes:
        raise ValueError(f"batch_size must be one of {sizes}, got {batch_size!r}")
    optimum = least_squares(Xb, y)
    best = mse_cost(Xb, y, optimum)

    def draw(fig: Figure, batch_size: int, learning_rate: float) -> str:
        history = gradient_descent(Xb, y, batch_size=int(batch_size), learning_rate=float(learning_rate),
                                   epochs=epochs, seed=0)
        left, right = fig.subplots(1, 2, width_ratios=[1.2, 1])
        per_epoch = updates_per_epoch(m, int(batch_size))
        progress = np.arange(len(history.update_costs)) / per_epoch
        costs = np.minimum(history.update_costs, 1e12)
        left.plot(progress, costs, color=PALETTE[0], linewidth=1.0, label="training cost after each update")
        left.axhline(best, color="k", linestyle="--", linewidth=1, label=f"closed-form optimum ({best:.0f})")
        left.axhline(1.1 * best, color="grey", linestyle=":", linewidth=1, label="optimum + 10%")
        left.set(yscale="log", xlabel="epochs (passes over the training set)", ylabel="MSE ((thousand $)²)",
                 title=f"Batch size {batch_size}: {per_epoch} update(s) per epoch", xlim=(0, epochs))
        left.legend(fontsize=8, loc="upper right")
        if history.diverged:
            right.text(0.5, 0.5, "diverged:\nthe learning rate is too large", ha="center", va="center",
                       transform=right.transAxes, fontsize=12, color=PALETTE[1])
            right.set(xticks=[], yticks=[], title="Path in weight space")
            return (f"batch size {batch_size}, learning rate {learning_rate:.3f}: the cost blew up after "
                    f"{history.updates} updates. Lower the learning rate.")
        draw_weight_path(right, Xb, y, optimum, {f"batch size {batch_size}": history.thetas}, feature_names)
        right.set_title("Path in weight space (bias at its optimum)")
        right.legend(fontsize=8, loc="lower right")
        ratio = history.cost / best
        verdict = "within 10% of the optimum" if ratio <= 1.1 else "not yet within 10% of the optimum"
        return (f"batch size {batch_size}, learning rate {learning_rate:.3f}: {history.updates} updates in {epochs} "
                f"epochs, final cost {history.cost:.1f} = {ratio:.3f} × optimum ({verdict})")

    batch_control = ipw.SelectionSlider(options=sizes, value=batch_size, description="batch size",
                                        continuous_update=False, layout=ipw.Layout(width="320px"))
    controls = {"batch_size": batch_control, "learning_rate": slider("learning rate", 0.005, 0.6, learning_rate, 0.005)}
    return Explorer(controls, draw, figsize=(10.5, 4.0))
