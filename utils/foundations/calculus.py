"""Derivatives three ways (exact, finite differences, automatic) and the explorers that show them.

The pure computations (:func:`numeric_derivative`, :func:`tangent_line`, :func:`numeric_gradient`,
...) are separate from the widgets (:func:`tangent_explorer`, :func:`gradient_explorer`) so they
can be tested and reused. Introduced in notebook 04.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import ipywidgets as ipw
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from utils.foundations.networks import sigmoid as _sigmoid
from utils.plots import PALETTE
from utils.widgets import Explorer, slider

Scalar = float | np.ndarray


@dataclass(frozen=True)
class Curve:
    """A one-variable function with its exact derivative, a LaTeX label and a sensible x-range."""

    f: Callable[[Any], Any]
    derivative: Callable[[Any], Any]
    label: str
    x_range: tuple[float, float]


CURVES: dict[str, Curve] = {
    "x^2": Curve(lambda x: x**2, lambda x: 2 * x, r"$y = x^2$", (-6.0, 6.0)),
    "x^3 - 3x": Curve(lambda x: x**3 - 3 * x, lambda x: 3 * x**2 - 3, r"$y = x^3 - 3x$", (-2.5, 2.5)),
    "sin(x)": Curve(np.sin, np.cos, r"$y = \sin x$", (-2 * np.pi, 2 * np.pi)),
    "sigmoid(x)": Curve(_sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x)), r"$y = \sigma(x)$", (-6.0, 6.0)),
    "exp(x)": Curve(np.exp, np.exp, r"$y = e^x$", (-3.0, 2.0)),
}


def curve(name: str) -> Curve:
    """The named function of :data:`CURVES` (e.g. ``"x^2"``). Introduced in notebook 04."""
    if name not in CURVES:
        raise ValueError(f"unknown function name {name!r}; choose one of {sorted(CURVES)}")
    return CURVES[name]


def _finite(value: Any, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return array


def numeric_derivative(f: Callable[[Any], Any], x: Scalar, h: float = 1e-5, method: str = "central") -> Scalar:
    """Finite-difference slope of ``f`` at ``x``: central (f(x+h)−f(x−h))/2h or forward. Introduced in notebook 04."""
    if not callable(f):
        raise ValueError("f must be a function of one number (or array)")
    if not (isinstance(h, (int, float, np.floating)) and np.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive finite step, got {h!r}")
    x = _finite(x, "x")
    if method == "central":
        return (f(x + h) - f(x - h)) / (2 * h)
    if method == "forward":
        return (f(x + h) - f(x)) / h
    raise ValueError(f"method must be 'central' or 'forward', got {method!r}")


def secant_slope(f: Callable[[Any], Any], x1: float, x2: float) -> float:
    """Slope (rise over run) of the straight line through (x1, f(x1)) and (x2, f(x2)). Introduced in notebook 04."""
    x1, x2 = float(_finite(x1, "x1")), float(_finite(x2, "x2"))
    if x1 == x2:
        raise ValueError("x1 and x2 must differ: a slope needs two different points")
    return float((f(x2) - f(x1)) / (x2 - x1))


def tangent_line(f: Callable[[Any], Any], x0: float, slope: float | None = None) -> tuple[float, float]:
    """(slope, intercept) of the tangent to ``f`` at ``x0``; the slope is numeric unless given. Introduced in notebook 04."""
    x0 = float(_finite(x0, "x0"))
    slope = float(numeric_derivative(f, x0)) if slope is None else float(_finite(slope, "slope"))
    return slope, float(f(x0)) - slope * x0


def numeric_gradient(f: Callable[..., Any], point: Any, h: float = 1e-5) -> np.ndarray:
    """Vector of partial derivatives of ``f(*point)`` by central differences, one per coordinate. Introduced in notebook 04."""
    point = _finite(point, "point")
    if point.ndim != 1 or point.size == 0:
        raise ValueError(f"point must be a non-empty 1-D list of coordinates, got shape {point.shape}")
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive finite step, got {h!r}")
    gradient = np.empty_like(point)
    for i in range(point.size):
        step = np.zeros_like(point)
        step[i] = h
        gradient[i] = (f(*(point + step)) - f(*(point - step))) / (2 * h)
    return gradient


def bowl(x: Any, y: Any) -> Any:
    """The notebook's two-input example f(x, y) = x³ + y². Introduced in notebook 04."""
    return np.asarray(x, dtype=np.float64) ** 3 + np.asarray(y, dtype=np.float64) ** 2


def bowl_gradient(x: Any, y: Any) -> np.ndarray:
    """Exact gradient (∂f/∂x, ∂f/∂y) = (3x², 2y) of f(x, y) = x³ + y². Introduced in notebook 04."""
    x, y = _finite(x, "x"), _finite(y, "y")
    return np.array([3 * x**2, 2 * y])


def relative_difference(a: Any, b: Any) -> float:
    """Largest |a − b| / max(|a|, |b|, 1e-12), element-wise: 0 means identical. Introduced in notebook 04."""
    a, b = _finite(a, "a"), _finite(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-12)
    return float(np.max(np.abs(a - b) / scale))


def secant_animation(function: str = "x^2", x: float = 2.0, frames: int = 20,
                     largest_step: float = 3.0) -> tuple[Figure, Callable[[int], None], int]:
    """(figure, draw_frame, frames) for ``animation.player``: secants through x and x + h as h shrinks. Introduced in notebook 04."""
    chosen = curve(function)
    low, high = chosen.x_range
    if not low <= x <= high:
        raise ValueError(f"x = {x} is outside the range [{low:.2f}, {high:.2f}] of {function!r}")
    if not isinstance(frames, int) or not 2 <= frames <= 60:
        raise ValueError(f"frames must be an integer between 2 and 60, got {frames!r}")
    if not largest_step > 0:
        raise ValueError(f"largest_step must be positive, got {largest_step!r}")
    steps = largest_step * 0.6 ** np.arange(frames)
    exact = float(chosen.derivative(x))
    grid = np.linspace(min(low, x - 1), max(high, x + largest_step + 0.5), 300)
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.0, 2.9), width_ratios=[1.3, 1])

    def draw(index: int) -> None:
        h = float(steps[index])
        slope = secant_slope(chosen.f, x, x + h)
        for ax in (left, right):
            ax.clear()
        left.plot(grid, chosen.f(grid), color=PALETTE[0], linewidth=2.2, label=chosen.label)
        left.plot(grid, chosen.f(x) + exact * (grid - x), color="grey", linestyle=":", label=f"tangent, slope {exact:.3g}")
        left.plot(grid, chosen.f(x) + slope * (grid - x), color=PALETTE[1], linewidth=1.8,
                  label=f"secant, slope {slope:.3f}")
        left.plot([x, x + h], [chosen.f(x), chosen.f(x + h)], "o", color="k")
        values = chosen.f(grid)
        left.set(title=f"Secant through x = {x:g} and x + h, h = {h:.3f}", xlabel="x", ylabel="y",
                 xlim=(grid[0], grid[-1]), ylim=(values.min() - 2, values.max() + 2))
        left.legend(loc="upper left", fontsize=8)
        right.plot(steps[: index + 1], [secant_slope(chosen.f, x, x + s) for s in steps[: index + 1]], "o-",
                   color=PALETTE[1], label="secant slope")
        right.axhline(exact, color="grey", linestyle=":", label=f"derivative {exact:.3g}")
        right.set(title="Secant slope as h shrinks", xlabel="step h", ylabel="slope (rise / run)",
                  xlim=(largest_step * 1.05, 0), ylim=(exact - 0.2 * abs(exact) - 0.5,
                                                        secant_slope(chosen.f, x, x + largest_step) + 0.5))
        right.legend(loc="upper right", fontsize=8)

    return fig, draw, frames


# ---------------------------------------------------------------------------------------------
# Explorers
# ---------------------------------------------------------------------------------------------

def tangent_explorer(function: str = "x^2", x: float = 2.0) -> Explorer:
    """Pick a function and slide x: the tangent line and its slope follow. Introduced in notebook 04."""
    curve(function)  # validates the name
    low, high = CURVES[function].x_range
    if not low <= x <= high:
        raise ValueError(f"x = {x} is outside the range [{low:.2f}, {high:.2f}] of {function!r}")
    chooser = ipw.Dropdown(options=list(CURVES), value=function, description="function",
                           layout=ipw.Layout(width="220px"))
    position = slider("x", -6.0, 6.0, value=float(x), step=0.05)

    def draw(fig: Figure, function: str, x: float) -> str:
        chosen = CURVES[function]
        low, high = chosen.x_range
        x0 = float(np.clip(x, low, high))
        grid = np.linspace(low, high, 400)
        exact = float(chosen.derivative(x0))
        slope, intercept = tangent_line(chosen.f, x0, slope=exact)
        ax = fig.subplots()
        values = chosen.f(grid)
        ax.plot(grid, values, color=PALETTE[0], linewidth=2.2, label=chosen.label)
        half_width = (high - low) / 5
        near = np.linspace(x0 - half_width, x0 + half_width, 2)
        ax.plot(near, slope * near + intercept, color=PALETTE[1], linewidth=2,
                label=f"tangent, slope {slope:.3f}")
        ax.plot([x0], [chosen.f(x0)], "o", color="k", markersize=7, zorder=3)
        span = float(values.max() - values.min()) or 1.0
        ax.set(title=f"Tangent to {chosen.label} at x = {x0:.2f}", xlabel="x", ylabel="y",
               xlim=(low, high), ylim=(values.min() - 0.15 * span, values.max() + 0.15 * span))
        ax.legend(loc="upper left")
        numeric = float(numeric_derivative(chosen.f, x0))
        clipped = "" if x0 == x else f" (x clipped to the range of {function})"
        return (f"at x = {x0:.2f}: f(x) = {float(chosen.f(x0)):.3f},  exact slope f'(x) = {exact:.4f},  "
                f"finite difference = {numeric:.4f}{clipped}")

    return Explorer({"function": chooser, "x": position}, draw, figsize=(7.5, 4.2))


def gradient_explorer(x: float = 1.0, y: float = 1.0, limit: float = 2.0) -> Explorer:
    """Contours of f(x, y) = x³ + y² with the gradient arrow at a chosen point. Introduced in notebook 04."""
    if not limit > 0:
        raise ValueError(f"limit must be positive, got {limit!r}")
    for name, value in (("x", x), ("y", y)):
        if not -limit <= value <= limit:
            raise ValueError(f"{name} = {value} is outside [-{limit}, {limit}]")
    grid = np.linspace(-limit, limit, 161)
    X, Y = np.meshgrid(grid, grid)
    Z = bowl(X, Y)

    def draw(fig: Figure, x: float, y: float) -> str:
        ax = fig.subplots()
        filled = ax.contourf(X, Y, Z, levels=24, cmap="viridis")
        ax.contour(X, Y, Z, levels=24, colors="white", linewidths=0.4, alpha=0.6)
        fig.colorbar(filled, ax=ax, label=r"$f(x, y) = x^3 + y^2$")
        gradient = bowl_gradient(x, y)
        length = float(np.hypot(*gradient))
        # Arrows are drawn at a fixed length so that they stay on the map; the status gives the size.
        direction = gradient / length if length > 0 else np.zeros(2)
        ax.annotate("", xy=(x + 0.6 * direction[0], y + 0.6 * direction[1]), xytext=(x, y),
                    arrowprops={"arrowstyle": "-|>", "color": PALETTE[1], "linewidth": 2.5, "mutation_scale": 18})
        ax.plot([x], [y], "o", color="white", markeredgecolor="k", markersize=8)
        ax.set(title="Gradient arrow: the direction of steepest ascent", xlabel="x", ylabel="y",
               xlim=(-limit, limit), ylim=(-limit, limit), aspect="equal")
        ax.grid(False)
        return (f"at (x, y) = ({x:.2f}, {y:.2f}): f = {float(bowl(x, y)):.3f},  "
                f"∂f/∂x = 3x² = {gradient[0]:.3f},  ∂f/∂y = 2y = {gradient[1]:.3f},  "
                f"steepness |∇f| = {length:.3f}")

    controls = {"x": slider("x", -limit, limit, float(x), step=0.05),
                "y": slider("y", -limit, limit, float(y), step=0.05)}
    return Explorer(controls, draw, figsize=(5.8, 4.5))
