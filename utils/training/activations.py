"""Activation functions and their derivatives in NumPy, and the explorer that shows them.

Every function works element-wise on a number or an array (``softmax`` along an axis) and returns
float64. The pure computations are separate from the widget (:func:`activation_explorer`) so
they can be tested and compared with Keras/TensorFlow. Introduced in notebook 07.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer, slider
from utils.widgets import background_changed as widgets_background_changed

LEAKY_SLOPE = 0.1  # the course's leaky ReLU is max(0.1·x, x)


def _as_float_array(x: Any, name: str = "x") -> np.ndarray:
    """``x`` as a float64 array; a clear ValueError for text, objects or NaN."""
    try:
        array = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a number or an array of numbers, got {type(x).__name__}") from error
    if np.any(np.isnan(array)):
        raise ValueError(f"{name} contains NaN; activations need real numbers")
    return array


def step(x: Any) -> np.ndarray:
    """The step (Heaviside) function: 1 where x > 0, else 0. Introduced in notebook 07."""
    return (_as_float_array(x) > 0).astype(np.float64)


def step_derivative(x: Any) -> np.ndarray:
    """Derivative of the step: 0 everywhere (undefined at x = 0, where we use 0). Introduced in notebook 07."""
    return np.zeros_like(_as_float_array(x))


def sigmoid(x: Any) -> np.ndarray:
    """σ(x) = 1 / (1 + e^(−x)), computed without overflow for large |x|. Introduced in notebook 07."""
    x = _as_float_array(x)
    # e^(−|x|) never overflows; the two branches are the same formula rearranged.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(x: Any) -> np.ndarray:
    """σ'(x) = σ(x)·(1 − σ(x)). Introduced in notebook 07."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x: Any) -> np.ndarray:
    """tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)) = 2σ(2x) − 1. Introduced in notebook 07."""
    return 2.0 * sigmoid(2.0 * _as_float_array(x)) - 1.0


def tanh_derivative(x: Any) -> np.ndarray:
    """tanh'(x) = 1 − tanh(x)². Introduced in notebook 07."""
    return 1.0 - tanh(x) ** 2


def relu(x: Any) -> np.ndarray:
    """ReLU(x) = max(0, x). Introduced in notebook 07."""
    return np.maximum(0.0, _as_float_array(x))


def relu_derivative(x: Any) -> np.ndarray:
    """ReLU'(x) = 1 for x > 0, else 0 (TensorFlow's choice at x = 0). Introduced in notebook 07."""
    return (_as_float_array(x) > 0).astype(np.float64)


def leaky_relu(x: Any, slope: float = LEAKY_SLOPE) -> np.ndarray:
    """Leaky ReLU max(slope·x, x) for 0 < slope < 1 (default 0.1). Introduced in notebook 07."""
    _check_slope(slope)
    x = _as_float_array(x)
    return np.maximum(slope * x, x)


def leaky_relu_derivative(x: Any, slope: float = LEAKY_SLOPE) -> np.ndarray:
    """Leaky ReLU derivative: 1 for x > 0, else ``slope`` (TensorFlow's choice at 0). Introduced in notebook 07."""
    _check_slope(slope)
    return np.where(_as_float_array(x) > 0, 1.0, slope)


def linear(x: Any) -> np.ndarray:
    """The identity ('no activation'). Introduced in notebook 07."""
    return _as_float_array(x).copy()


def linear_derivative(x: Any) -> np.ndarray:
    """Derivative of the identity: 1 everywhere. Introduced in notebook 07."""
    return np.ones_like(_as_float_array(x))


def softmax(z: Any, axis: int = -1) -> np.ndarray:
    """e^(z_i) / Σ_j e^(z_j) along ``axis``, shifted by the maximum so exp never overflows. Introduced in notebook 07."""
    z = _as_float_array(z, "z")
    if z.ndim == 0:
        raise ValueError("z must have at least one axis: softmax turns a vector of scores into probabilities")
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis {axis} is out of range for z with {z.ndim} dimension(s)")
    if np.any(np.isinf(z)):
        raise ValueError("z contains an infinite value")
    shifted = np.exp(z - z.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def softmax_jacobian(z: Any) -> np.ndarray:
    """The Jacobian ∂s_i/∂z_j = s_i·(δ_ij − s_j) of the softmax of one vector ``z``. Introduced in notebook 07."""
    z = _as_float_array(z, "z")
    if z.ndim != 1:
        raise ValueError(f"z must be one vector of scores (1-D), got shape {z.shape}")
    s = softmax(z)
    return np.diag(s) - np.outer(s, s)


def _check_slope(slope: float) -> None:
    if not 0.0 < float(slope) < 1.0:
        raise ValueError(f"slope must be between 0 and 1, got {slope!r}")


@dataclass(frozen=True)
class Activation:
    """An element-wise activation with its derivative, a formula for labels and advice on where it is used."""

    name: str
    function: Callable[[Any], np.ndarray]
    derivative: Callable[[Any], np.ndarray]
    formula: str
    derivative_formula: str
    use: str


ACTIVATIONS: dict[str, Activation] = {
    "step": Activation("step", step, step_derivative, r"$1$ if $x>0$ else $0$", r"$0$ (undefined at 0)",
                       "historical (perceptron); no gradient, so it cannot be trained by gradient descent"),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative, r"$\sigma(x)=1/(1+e^{-x})$",
                          r"$\sigma(x)(1-\sigma(x))$", "output layer for yes/no (binary) problems"),
    "tanh": Activation("tanh", tanh, tanh_derivative, r"$\tanh x$", r"$1-\tanh^2 x$",
                       "hidden layers of small or recurrent networks (zero-centred)"),
    "relu": Activation("relu", relu, relu_derivative, r"$\max(0, x)$", r"$1$ if $x>0$ else $0$",
                       "the default for hidden layers"),
    "leaky_relu": Activation("leaky_relu", leaky_relu, leaky_relu_derivative, r"$\max(0.1x, x)$",
                             r"$1$ if $x>0$ else $0.1$", "hidden layers, when many ReLUs go silent ('die')"),
    "linear": Activation("linear", linear, linear_derivative, r"$x$", r"$1$",
                         "output layer for regression (any real number)"),
}


def activation(name: str) -> Activation:
    """The named element-wise activation (one of :data:`ACTIVATIONS`). Introduced in notebook 07."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation name {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def activation_state(name: str, x: float) -> dict[str, float | bool]:
    """Value, slope and tangent line of an activation at one point, and whether it is saturated there."""
    chosen = activation(name)
    point = float(_as_float_array(x))
    if not np.isfinite(point):
        raise ValueError(f"x must be finite, got {x!r}")
    value = float(chosen.function(point))
    slope = float(chosen.derivative(point))
    return {
        "x": point,
        "value": value,
        "slope": slope,
        "intercept": value - slope * point,
        # "saturated": a unit whose slope is this small passes back almost no gradient
        "saturated": abs(slope) < 0.01,
    }


def activation_explorer(name: str = "sigmoid", x: float = 2.0, limit: float = 8.0) -> Explorer:
    """Pick an activation and slide x: the curve, its derivative and the tangent at x. Introduced in notebook 07."""
    activation(name)  # validates the name
    if not limit > 0:
        raise ValueError(f"limit must be positive, got {limit!r}")
    if not -limit <= x <= limit:
        raise ValueError(f"x = {x} is outside [-{limit}, {limit}]")
    chooser = ipw.Dropdown(options=list(ACTIVATIONS), value=name, description="activation",
                           layout=ipw.Layout(width="230px"))
    position = slider("x", -limit, limit, value=float(x), step=0.1)
    grid = np.linspace(-limit, limit, 801)

    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        left, right = fig.subplots(1, 2)
        (parts["curve"],) = left.plot(grid, np.zeros_like(grid), color=PALETTE[0], linewidth=2.2, label=" ")
        (parts["tangent"],) = left.plot([0, 1], [0, 0], color=PALETTE[1], linewidth=1.8, label=" ")
        (parts["point"],) = left.plot([0], [0], "o", color="k", markersize=7, zorder=3)
        left.set(xlabel="input x (pre-activation)", ylabel="output", xlim=(-limit, limit))
        (parts["slopes"],) = right.plot(grid, np.zeros_like(grid), color=PALETTE[2], linewidth=2.2, label=" ")
        (parts["slope_point"],) = right.plot([0], [0], "o", color="k", markersize=7, zorder=3)
        right.axhline(0, color="grey", linewidth=0.8)
        right.set(xlabel="input x (pre-activation)", ylabel="slope (gradient factor)", xlim=(-limit, limit))
        parts["axes"] = (left, right)
        parts["left_legend"] = left.legend(loc="upper left", fontsize=8)
        parts["right_legend"] = right.legend(loc="upper left", fontsize=8)
        for name in ("tangent", "point", "slope_point", "left_legend"):
            parts[name].set_animated(True)  # x moves these; the curves change only with the activation

    def show_activation(fig: Figure, activation: str) -> None:
        chosen = ACTIVATIONS[activation]
        left, right = parts["axes"]
        values, slopes = chosen.function(grid), chosen.derivative(grid)
        parts["curve"].set_ydata(values)
        parts["left_legend"].get_texts()[0].set_text(chosen.formula)
        low, high = float(values.min()), float(values.max())
        pad = 0.15 * max(high - low, 1.0)
        left.set(title=f"{activation}(x)", ylim=(low - pad, high + pad))
        parts["slopes"].set_ydata(slopes)
        parts["right_legend"].get_texts()[0].set_text(chosen.derivative_formula)
        top = max(float(slopes.max()), 0.3)
        right.set(title=f"its derivative {activation}'(x)", ylim=(-0.08 * top, 1.2 * top))
        parts["shown"] = activation
        widgets_background_changed(fig)

    def draw(fig: Figure, activation: str, x: float) -> str:
        if not parts:
            build(fig)
        if parts.get("shown") != activation:
            show_activation(fig, activation)
        state = activation_state(activation, x)
        near = np.array([x - 1.5, x + 1.5])
        parts["tangent"].set_data(near, state["slope"] * near + state["intercept"])
        parts["left_legend"].get_texts()[1].set_text(f"tangent, slope {state['slope']:.3f}")
        parts["point"].set_data([x], [state["value"]])
        parts["slope_point"].set_data([x], [state["slope"]])
        note = "  →  saturated: almost no gradient flows back" if state["saturated"] else ""
        return (f"{activation} at x = {x:.2f}: value {state['value']:.4f}, "
                f"derivative {state['slope']:.4f}{note}")

    return Explorer({"activation": chooser, "x": position}, draw, figsize=(10.0, 3.8), rebuild=False)
