"""Optimizers written out in NumPy in Keras 3's exact form, checked step by step against Keras.

Each ``*_step`` function takes the parameters ``w``, the gradient ``g`` and the optimizer's state,
and returns the new parameters and state; nothing is changed in place. The forms follow Keras 3
(``keras.optimizers``): momentum keeps a *velocity* ``v = μv − lr·g`` that is added to ``w``;
RMSprop puts ε *inside* the square root; Adam folds both bias corrections into the step size
and adds ε to ``√v`` afterwards; AdamW shrinks ``w`` by ``lr·λ·w`` before the Adam step.
Introduced in notebook 14.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from utils.plots import PALETTE

OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
LABELS: dict[str, str] = {
    "sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov",
    "rmsprop": "RMSprop", "adam": "Adam", "adamw": "AdamW",
}
# Settings that make the ravine instructive: plain SGD zigzags, the others each show their idea.
RAVINE_SETTINGS: dict[str, dict[str, float]] = {
    "sgd": {"learning_rate": 0.4},
    "momentum": {"learning_rate": 0.05, "momentum": 0.9},
    "nesterov": {"learning_rate": 0.05, "momentum": 0.9},
    "rmsprop": {"learning_rate": 0.3, "rho": 0.9},
    "adam": {"learning_rate": 0.6},
    "adamw": {"learning_rate": 0.6, "weight_decay": 0.1},
}
RAVINE_CURVATURE = (0.1, 4.0)  # second derivatives along w₁ and w₂: a long, narrow valley
RAVINE_START = (-9.0, 1.5)
Array = np.ndarray


def _vector(value: Any, name: str) -> Array:
    """A finite float64 array, or a ValueError naming the argument."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a number or an array of numbers ({error})") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _same_shape(reference: Array, **arrays: Array) -> None:
    for name, array in arrays.items():
        if array.shape != reference.shape:
            raise ValueError(f"{name} has shape {array.shape}; expected {reference.shape}, the shape of w")


def _float32(value: float) -> float:
    """``value`` rounded to the nearest float32, as Keras stores it."""
    return float(np.float32(value))


def _positive(value: float, name: str, upper: float | None = None) -> float:
    value = float(value)
    if not np.isfinite(value) or value < 0 or (upper is not None and value >= upper):
        limit = f" and below {upper}" if upper is not None else ""
        raise ValueError(f"{name} must be a non-negative number{limit}, got {value!r}")
    return value


# ---------------------------------------------------------------------------------------------
# One step of each optimizer (Keras 3's formulas)
# ---------------------------------------------------------------------------------------------

def sgd_step(w: Any, g: Any, learning_rate: float) -> Array:
    """Plain gradient descent, w − lr·g. Introduced in notebook 14."""
    w, g = _vector(w, "w"), _vector(g, "g")
    _same_shape(w, g=g)
    return w - _positive(learning_rate, "learning_rate") * g


def momentum_step(
    w: Any, g: Any, velocity: Any, learning_rate: float, momentum: float = 0.9
) -> tuple[Array, Array]:
    """Keras' momentum: v ← μv − lr·g, then w ← w + v; returns (w, v). Introduced in notebook 14."""
    w, g, velocity = _vector(w, "w"), _vector(g, "g"), _vector(velocity, "velocity")
    _same_shape(w, g=g, velocity=velocity)
    lr, mu = _positive(learning_rate, "learning_rate"), _positive(momentum, "momentum", 1.0)
    velocity = mu * velocity - lr * g
    return w + velocity, velocity


def nesterov_step(
    w: Any, g: Any, velocity: Any, learning_rate: float, momentum: float = 0.9
) -> tuple[Array, Array]:
    """Keras' Nesterov: v ← μv − lr·g, then w ← w + μv − lr·g; returns (w, v). Introduced in notebook 14."""
    w, g, velocity = _vector(w, "w"), _vector(g, "g"), _vector(velocity, "velocity")
    _same_shape(w, g=g, velocity=velocity)
    lr, mu = _positive(learning_rate, "learning_rate"), _positive(momentum, "momentum", 1.0)
    velocity = mu * velocity - lr * g
    return w + mu * velocity - lr * g, velocity


def rmsprop_step(
    w: Any, g: Any, mean_square: Any, learning_rate: float, rho: float = 0.9, epsilon: float = 1e-7
) -> tuple[Array, Array]:
    """RMSprop: s ← ρs + (1 − ρ)g², w ← w − lr·g/√(s + ε); returns (w, s). Introduced in notebook 14."""
    w, g, mean_square = _vector(w, "w"), _vector(g, "g"), _vector(mean_square, "mean_square")
    _same_shape(w, g=g, mean_square=mean_square)
    lr, rho = _positive(learning_rate, "learning_rate"), _positive(rho, "rho", 1.0)
    epsilon = _positive(epsilon, "epsilon")
    mean_square = rho * mean_square + (1 - rho) * g**2
    return w - lr * g / np.sqrt(mean_square + epsilon), mean_square


def adam_step(
    w: Any, g: Any, m: Any, v: Any, t: int, learning_rate: float,
    beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7, *, keras_rounding: bool = False,
) -> tuple[Array, Array, Array]:
    """Keras' Adam at step t = 1, 2, ...: bias corrections folded into the step size; returns (w, m, v).

    With ``keras_rounding`` the β's inside the bias corrections are first rounded to float32, as
    Keras does (it casts the Python floats to tensors through float32). Introduced in notebook 14.
    """
    w, g, m, v = _vector(w, "w"), _vector(g, "g"), _vector(m, "m"), _vector(v, "v")
    _same_shape(w, g=g, m=m, v=v)
    if isinstance(t, bool) or not float(t).is_integer() or t < 1:
        raise ValueError(f"t must be the step number 1, 2, 3, ..., got {t!r}")
    lr = _positive(learning_rate, "learning_rate")
    beta_1, beta_2 = _positive(beta_1, "beta_1", 1.0), _positive(beta_2, "beta_2", 1.0)
    epsilon = _positive(epsilon, "epsilon")
    m = m + (g - m) * (1 - beta_1)
    v = v + (g**2 - v) * (1 - beta_2)
    power_1, power_2 = (_float32(beta_1), _float32(beta_2)) if keras_rounding else (beta_1, beta_2)
    step_size = lr * np.sqrt(1 - power_2**t) / (1 - power_1**t)
    return w - step_size * m / (np.sqrt(v) + epsilon), m, v


def adamw_step(
    w: Any, g: Any, m: Any, v: Any, t: int, learning_rate: float, weight_decay: float = 0.004,
    beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7, *, keras_rounding: bool = False,
) -> tuple[Array, Array, Array]:
    """AdamW: decoupled decay w ← w − lr·λ·w first, then the Adam step; returns (w, m, v). Introduced in notebook 14."""
    w = _vector(w, "w")
    decay = _positive(weight_decay, "weight_decay")
    decay = _float32(decay) if keras_rounding else decay
    w = w - w * decay * _positive(learning_rate, "learning_rate")
    return adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon, keras_rounding=keras_rounding)


# ---------------------------------------------------------------------------------------------
# Whole paths, in NumPy and in Keras
# ---------------------------------------------------------------------------------------------

def _check_name(name: str) -> str:
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {list(OPTIMIZERS)}")
    return name


def numpy_path(
    name: str, start: Any, gradient: Callable[[Array], Array], steps: int,
    learning_rate: float | Callable[[int], float], keras_rounding: bool = False, **settings: float,
) -> Array:
    """Parameters before and after each of ``steps`` updates, shape (steps + 1, d); lr may be a schedule.

    ``keras_rounding`` reproduces Keras' float32 roundings (its learning rate is a float32
    variable; momentum, weight decay and the β's of the bias corrections are cast through
    float32), so a float64 Keras run is matched to the last few bits. Introduced in notebook 14.
    """
    _check_name(name)
    w = _vector(start, "start").ravel().copy()
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if not callable(gradient):
        raise ValueError("gradient must be a function of the parameters")
    schedule = learning_rate if callable(learning_rate) else (lambda step: learning_rate)
    first, second = np.zeros_like(w), np.zeros_like(w)  # velocity or m, and v
    momentum = settings.get("momentum", 0.9)
    momentum = _float32(momentum) if keras_rounding else momentum
    path = [w.copy()]
    for step in range(steps):
        lr = float(schedule(step))  # Keras asks its schedule for the rate at iterations = step
        lr = _float32(lr) if keras_rounding else lr
        g = _vector(gradient(w.copy()), "gradient(w)").ravel()
        if name == "sgd":
            w = sgd_step(w, g, lr)
        elif name == "momentum":
            w, first = momentum_step(w, g, first, lr, momentum)
        elif name == "nesterov":
            w, first = nesterov_step(w, g, first, lr, momentum)
        elif name == "rmsprop":
            w, second = rmsprop_step(w, g, second, lr, settings.get("rho", 0.9), settings.get("epsilon", 1e-7))
        else:
            shared = dict(beta_1=settings.get("beta_1", 0.9), beta_2=settings.get("beta_2", 0.999),
                          epsilon=settings.get("epsilon", 1e-7), keras_rounding=keras_rounding)
            if name == "adam":
                w, first, second = adam_step(w, g, first, second, step + 1, lr, **shared)
            else:
                w, first, second = adamw_step(w, g, first, second, step + 1, lr,
                                              settings.get("weight_decay", 0.004), **shared)
        path.append(w.copy())
    return np.array(path)


def keras_optimizer(name: str, learning_rate: Any, **settings: float) -> Any:
    """The ``keras.optimizers`` object that matches ``numpy_path(name, ...)``. Introduced in notebook 14."""
    import keras

    _check_name(name)
    momentum = settings.get("momentum", 0.9)
    adam_settings = dict(beta_1=settings.get("beta_1", 0.9), beta_2=settings.get("beta_2", 0.999),
                         epsilon=settings.get("epsilon", 1e-7))
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=learning_rate)
    if name in ("momentum", "nesterov"):
        return keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum, nesterov=name == "nesterov")
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=learning_rate, rho=settings.get("rho", 0.9),
                                        epsilon=settings.get("epsilon", 1e-7))
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=learning_rate, **adam_settings)
    return keras.optimizers.AdamW(learning_rate=learning_rate, weight_decay=settings.get("weight_decay", 0.004),
                                  **adam_settings)


def keras_path(
    name: str, start: Any, gradient: Callable[[Array], Array], steps: int,
    learning_rate: Any, dtype: str = "float64", **settings: float,
) -> Array:
    """The same path taken by the Keras optimizer on a ``keras.Variable`` (float64 by default). Introduced in notebook 14."""
    import keras

    start = _vector(start, "start").ravel()
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    variable = keras.Variable(start.astype(dtype), dtype=dtype, name="w")
    optimizer = keras_optimizer(name, learning_rate, **settings)
    path = [np.asarray(variable.numpy(), dtype=np.float64)]
    for _ in range(steps):
        g = _vector(gradient(np.asarray(variable.numpy(), dtype=np.float64)), "gradient(w)").ravel()
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g.astype(dtype)), variable)])
        path.append(np.asarray(variable.numpy(), dtype=np.float64))
    return np.array(path)


# ---------------------------------------------------------------------------------------------
# The ravine
# ---------------------------------------------------------------------------------------------

def ravine_loss(w: Any) -> Array:
    """f(w) = ½(0.1·w₁² + 4·w₂²): a valley 6× longer than wide; works on (..., 2) arrays. Introduced in notebook 14."""
    w = _vector(w, "w")
    if w.shape[-1:] != (2,):
        raise ValueError(f"w must end in an axis of length 2 (w₁, w₂), got shape {w.shape}")
    a, b = RAVINE_CURVATURE
    return 0.5 * (a * w[..., 0] ** 2 + b * w[..., 1] ** 2)


def ravine_gradient(w: Any) -> Array:
    """The gradient (0.1·w₁, 4·w₂) of :func:`ravine_loss`. Introduced in notebook 14."""
    w = _vector(w, "w")
    if w.shape[-1:] != (2,):
        raise ValueError(f"w must end in an axis of length 2 (w₁, w₂), got shape {w.shape}")
    return w * np.array(RAVINE_CURVATURE)


def ravine_paths(steps: int = 60, names: tuple[str, ...] = OPTIMIZERS) -> dict[str, Array]:
    """Every optimizer's NumPy path on the ravine from :data:`RAVINE_START`. Introduced in notebook 14."""
    return {name: numpy_path(name, RAVINE_START, ravine_gradient, steps, **RAVINE_SETTINGS[name])
            for name in names}


def ravine_frames(
    paths: dict[str, Array], steps_per_frame: int = 4, figsize: tuple[float, float] = (8.4, 4.2)
) -> tuple[Figure, Callable[[int], None]]:
    """A figure with one panel per optimizer and ``draw(frame)`` that shows each path up to that frame.

    Pass both to ``animation.player(fig, draw, frames=...)``; frame k shows step k·steps_per_frame.
    Introduced in notebook 14.
    """
    if not isinstance(steps_per_frame, int) or steps_per_frame < 1:
        raise ValueError(f"steps_per_frame must be a positive integer, got {steps_per_frame!r}")
    if not paths:
        raise ValueError("paths must hold at least one optimizer's path")
    for name, path in paths.items():
        if np.ndim(path) != 2 or np.shape(path)[1] != 2:
            raise ValueError(f"the path of {name!r} must have shape (steps + 1, 2), got {np.shape(path)}")
    columns = min(3, len(paths))
    rows = int(np.ceil(len(paths) / columns))
    grid_1, grid_2 = np.meshgrid(np.linspace(-10, 10, 120), np.linspace(-3, 3, 90))
    surface = ravine_loss(np.stack([grid_1, grid_2], axis=-1))
    levels = np.geomspace(0.05, surface.max(), 8)
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)  # renders off-screen, whatever backend the notebook uses
    axes = np.atleast_1d(fig.subplots(rows, columns, sharex=True, sharey=True)).ravel()
    lines, heads = {}, {}
    for index, (ax, (name, path)) in enumerate(zip(axes, paths.items())):
        ax.contour(grid_1, grid_2, surface, levels=levels, colors="0.7", linewidths=0.6, antialiased=False)
        ax.grid(False)  # the contours are the grid; fewer lines also keep each frame's PNG small
        ax.plot([0], [0], marker="*", color="k", markersize=9)
        (lines[name],) = ax.plot([], [], color=PALETTE[index % len(PALETTE)], linewidth=1.4, marker=".",
                                 markersize=3)
        (heads[name],) = ax.plot([], [], marker="o", color=PALETTE[index % len(PALETTE)], markersize=6)
        ax.set_title(LABELS.get(name, name), fontsize=10)
        ax.set_xlim(-10, 10)
        ax.set_ylim(-3, 3)
        if index % columns == 0:
            ax.set_ylabel("$w_2$ (steep)")
        if index >= (rows - 1) * columns:
            ax.set_xlabel("$w_1$ (shallow)")
    for ax in axes[len(paths):]:
        ax.axis("off")
    title = fig.suptitle("")

    def draw(frame: int) -> None:
        upto = min(frame * steps_per_frame, min(len(p) for p in paths.values()) - 1)
        for name, path in paths.items():
            lines[name].set_data(path[: upto + 1, 0], path[: upto + 1, 1])
            heads[name].set_data([path[upto, 0]], [path[upto, 1]])
        title.set_text(f"Optimizers on the ravine ½(0.1·w₁² + 4·w₂²): step {upto}")

    return fig, draw


# ---------------------------------------------------------------------------------------------
# Learning-rate schedules (keras.optimizers.schedules' formulas)
# ---------------------------------------------------------------------------------------------

def exponential_decay(
    step: Any, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False
) -> Array:
    """lr₀·rate^(step/decay_steps), the exponent floored with ``staircase``. Introduced in notebook 14."""
    step = _vector(step, "step")
    if decay_steps <= 0:
        raise ValueError(f"decay_steps must be positive, got {decay_steps!r}")
    exponent = step / decay_steps
    if staircase:
        exponent = np.floor(exponent)
    return initial_learning_rate * decay_rate**exponent


def piecewise_constant(step: Any, boundaries: list[int], values: list[float]) -> Array:
    """values[0] up to and including boundaries[0], values[1] up to boundaries[1], .... Introduced in notebook 14."""
    step = _vector(step, "step")
    if len(values) != len(boundaries) + 1:
        raise ValueError(f"values needs one more entry than boundaries, got {len(values)} and {len(boundaries)}")
    if list(boundaries) != sorted(boundaries):
        raise ValueError(f"boundaries must increase, got {boundaries}")
    return np.asarray(values, dtype=np.float64)[np.searchsorted(np.asarray(boundaries, float), step, side="left")]


def cosine_decay(step: Any, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0) -> Array:
    """lr₀·((1 − α)·½(1 + cos(π·min(step, T)/T)) + α), without warm-up. Introduced in notebook 14."""
    step = _vector(step, "step")
    if decay_steps <= 0:
        raise ValueError(f"decay_steps must be positive, got {decay_steps!r}")
    progress = np.minimum(step, decay_steps) / decay_steps
    return initial_learning_rate * ((1 - alpha) * 0.5 * (1 + np.cos(np.pi * progress)) + alpha)
