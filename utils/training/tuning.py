"""Hyperparameter search: log-scale sampling, grid vs random, successive halving, short real runs.

Introduced in notebook 17.
"""

from __future__ import annotations

import math
import time
from typing import Any, Mapping, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer

BATCH_SIZES: tuple[int, ...] = (64, 128, 256)
SPACE: dict[str, tuple] = {  # name -> (kind, low, high) or ("choice", options)
    "learning_rate": ("log", 1e-4, 0.3),
    "units": ("log_int", 16, 256),
    "layers": ("int", 1, 3),
    "batch_size": ("choice", BATCH_SIZES),
}
DEFAULT_CONFIG: dict[str, Any] = {"learning_rate": 1e-3, "units": 32, "layers": 1, "batch_size": 32}


def log_uniform(u: Any, low: float, high: float) -> np.ndarray:
    """Map uniform numbers u in [0, 1] to [low, high] evenly on a log scale: low·(high/low)^u."""
    if not (isinstance(low, (int, float)) and isinstance(high, (int, float)) and 0 < low < high):
        raise ValueError(f"need 0 < low < high, got low={low!r}, high={high!r}")
    u = np.asarray(u, dtype=np.float64)
    if np.any((u < 0) | (u > 1)) or not np.all(np.isfinite(u)):
        raise ValueError("u must hold numbers in [0, 1]")
    return low * (high / low) ** u


def trials_needed(top_fraction: float, confidence: float) -> int:
    """Random trials needed so that P(at least one lands in the best ``top_fraction``) ≥ confidence."""
    if not 0 < top_fraction < 1 or not 0 < confidence < 1:
        raise ValueError(f"top_fraction and confidence must lie in (0, 1), got {top_fraction}, {confidence}")
    return int(math.ceil(math.log(1 - confidence) / math.log(1 - top_fraction) - 1e-12))


def halving_schedule(n_configs: int, min_epochs: int, eta: int) -> np.ndarray:
    """Successive halving: rows (configurations alive, epochs each) per round, until one is left."""
    for name, value, low in (("n_configs", n_configs, 1), ("min_epochs", min_epochs, 1), ("eta", eta, 2)):
        if not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    rounds, alive, epochs = [], int(n_configs), int(min_epochs)
    while True:
        rounds.append((alive, epochs))
        if alive <= 1:
            break
        alive, epochs = max(alive // eta, 1), epochs * eta
    return np.array(rounds, dtype=int)


def sample_config(rng: np.random.Generator, space: Mapping[str, tuple] = SPACE) -> dict[str, Any]:
    """One random configuration from ``space`` (log-uniform where the kind says "log")."""
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    config: dict[str, Any] = {}
    for name, (kind, *bounds) in space.items():
        if kind == "log":
            config[name] = float(log_uniform(rng.random(), *bounds))
        elif kind == "log_int":
            config[name] = int(round(float(log_uniform(rng.random(), *bounds))))
        elif kind == "int":
            config[name] = int(rng.integers(bounds[0], bounds[1] + 1))
        elif kind == "choice":
            config[name] = bounds[0][int(rng.integers(len(bounds[0])))]
        else:
            raise ValueError(f"unknown kind {kind!r} for {name!r}; use log, log_int, int or choice")
    return config


def build_mlp(config: Mapping[str, Any], n_inputs: int, n_classes: int) -> Any:
    """A compiled Keras MLP: ``layers`` ReLU layers of ``units``, softmax output, Adam(``learning_rate``)."""
    import keras

    missing = {"learning_rate", "units", "layers"} - set(config)
    if missing:
        raise ValueError(f"config is missing {sorted(missing)}")
    model = keras.Sequential([keras.Input(shape=(n_inputs,))])
    for _ in range(int(config["layers"])):
        model.add(keras.layers.Dense(int(config["units"]), activation="relu"))
    model.add(keras.layers.Dense(n_classes, activation="softmax"))
    model.compile(optimizer=keras.optimizers.Adam(float(config["learning_rate"])),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train_and_score(
    config: Mapping[str, Any], x_train: Any, y_train: Any, x_val: Any, y_val: Any,
    epochs: int = 8, seed: int = 0,
) -> tuple[float, Any, float]:
    """Train one configuration briefly; return (validation accuracy, trained model, seconds)."""
    import keras

    start = time.perf_counter()
    keras.utils.set_random_seed(seed)
    n_classes = int(np.max(y_train)) + 1
    model = build_mlp(config, np.shape(x_train)[1], n_classes)
    model.fit(x_train, y_train, epochs=epochs, batch_size=int(config.get("batch_size", 32)), verbose=0)
    probabilities = np.asarray(model(np.asarray(x_val, dtype=np.float32), training=False))
    accuracy = float(np.mean(probabilities.argmax(axis=1) == np.asarray(y_val)))
    return accuracy, model, time.perf_counter() - start


# ----------------------------------------------------------------------------------------------
# Grid versus random search on a toy objective where one of two hyperparameters matters
# ----------------------------------------------------------------------------------------------

def toy_objective(x: Any, y: Any, importance: float = 0.1) -> np.ndarray:
    """A score in [0, 1+importance] of two hyperparameters in [0, 1]: x matters, y only by ``importance``."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return np.exp(-((x - 0.71) / 0.12) ** 2) + importance * np.exp(-((y - 0.35) / 0.3) ** 2)


def grid_points(n_trials: int) -> np.ndarray:
    """An evenly spaced k × k grid in the unit square (k = ⌊√n_trials⌋), points inside the cells."""
    if not isinstance(n_trials, (int, np.integer)) or n_trials < 1:
        raise ValueError(f"n_trials must be an int >= 1, got {n_trials!r}")
    k = max(1, int(math.isqrt(int(n_trials))))
    axis = (np.arange(k) + 0.5) / k
    xx, yy = np.meshgrid(axis, axis)
    return np.column_stack([xx.ravel(), yy.ravel()])


def random_points(n_trials: int, rng: np.random.Generator) -> np.ndarray:
    """``n_trials`` uniform random points in the unit square."""
    if not isinstance(n_trials, (int, np.integer)) or n_trials < 1:
        raise ValueError(f"n_trials must be an int >= 1, got {n_trials!r}")
    return rng.random((int(n_trials), 2))


def search_simulation(n_trials: int, repeats: int = 200, importance: float = 0.1,
                      seed: int = 0) -> dict[str, np.ndarray]:
    """Best toy score found by grid and by random search with the same budget, ``repeats`` times.

    The grid is shifted at random each time (so it is not lucky or unlucky by construction).
    """
    rng = np.random.default_rng(seed)
    base = grid_points(n_trials)
    k = int(math.isqrt(int(n_trials)))
    grid_best, random_best = np.empty(repeats), np.empty(repeats)
    for r in range(repeats):
        shifted = (base + rng.uniform(-0.5, 0.5, size=2) / k) % 1.0
        grid_best[r] = toy_objective(shifted[:, 0], shifted[:, 1], importance).max()
        points = random_points(k * k, rng)
        random_best[r] = toy_objective(points[:, 0], points[:, 1], importance).max()
    return {"grid": grid_best, "random": random_best}


def draw_grid_vs_random(axes: Sequence[Axes], n_trials: int, importance: float, seed: int = 0) -> str:
    """Draw both layouts over the toy objective with the score along x under each; return a summary."""
    k = int(math.isqrt(int(n_trials)))
    layouts = {"grid": grid_points(n_trials), "random": random_points(k * k, np.random.default_rng(seed))}
    grid = np.linspace(0, 1, 121)
    xx, yy = np.meshgrid(grid, grid)
    summary = []
    for ax, (name, points) in zip(axes, layouts.items()):
        ax.contourf(xx, yy, toy_objective(xx, yy, importance), levels=12, cmap="Greys", alpha=0.6)
        scores = toy_objective(points[:, 0], points[:, 1], importance)
        best = int(np.argmax(scores))
        ax.scatter(points[:, 0], points[:, 1], color=PALETTE[0 if name == "grid" else 1], s=28, zorder=3)
        ax.scatter(*points[best], marker="*", s=220, color=PALETTE[4], edgecolor="k", zorder=4)
        ax.plot(points[:, 0], np.full(len(points), -0.06), "|", color="k", markersize=9, clip_on=False)
        distinct = len(np.unique(np.round(points[:, 0], 9)))
        ax.set(title=f"{name} search: {len(points)} trials, {distinct} distinct x",
               xlabel="x: matters (e.g. learning rate)", ylabel="y: barely matters", xlim=(0, 1), ylim=(-0.09, 1), aspect="equal")
        summary.append(f"{name} best {scores.max():.3f}")
    return f"{k * k} trials, importance of y {importance:.2f}: " + ", ".join(summary)


def grid_vs_random_explorer(n_trials: int = 9, importance: float = 0.1) -> Explorer:
    """Sliders for the budget (a square number of trials) and the weight of the unimportant parameter."""
    controls = {
        "n_trials": ipw.SelectionSlider(options=[4, 9, 16, 25, 36], value=n_trials, description="trials",
                                        continuous_update=False),
        "importance": ipw.FloatSlider(value=importance, min=0.0, max=1.0, step=0.05,
                                      description="importance of y", continuous_update=False,
                                      layout=ipw.Layout(width="320px")),
    }

    def draw(fig: Figure, n_trials: int, importance: float) -> str:
        return draw_grid_vs_random(fig.subplots(1, 2), n_trials, importance)

    return Explorer(controls, draw, figsize=(10.0, 4.6))


def parallel_coordinates(ax: Axes, table: Any, columns: Sequence[str], score: str,
                         log_columns: Sequence[str] = ()) -> Axes:
    """One line per trial across the hyperparameter axes (each scaled to [0, 1]), coloured by score."""
    import matplotlib as mpl

    missing = [c for c in [*columns, score] if c not in table]
    if missing:
        raise ValueError(f"table has no column(s) {missing}; it has {list(table)}")
    values = np.column_stack([np.asarray(table[c], dtype=np.float64) for c in columns])
    for i, column in enumerate(columns):
        if column in log_columns:
            values[:, i] = np.log10(values[:, i])
    low, high = values.min(axis=0), values.max(axis=0)
    scaled = (values - low) / np.where(high > low, high - low, 1.0)
    scores = np.asarray(table[score], dtype=np.float64)
    norm = mpl.colors.Normalize(scores.min(), scores.max())
    cmap = mpl.colormaps["viridis"]
    for row in np.argsort(scores):
        ax.plot(range(len(columns)), scaled[row], color=cmap(norm(scores[row])), lw=2, alpha=0.85)
    labels = [f"{c}\n(log₁₀ {lo:.1f} to {hi:.1f})" if c in log_columns else f"{c}\n({lo:g} to {hi:g})"
              for c, lo, hi in zip(columns, low, high)]
    ax.set_xticks(range(len(columns)), labels)
    ax.set(ylabel="position on each axis (0 = lowest tried)", ylim=(-0.05, 1.05))
    ax.figure.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=score)
    return ax
