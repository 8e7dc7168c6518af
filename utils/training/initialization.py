"""Weight initialisation in a deep ReLU net, batch normalisation from scratch, and the init explorer.

A plain stack of ``Dense`` layers without biases, a = relu(a·W) per layer, weights stored
(inputs × units) like a Keras kernel. The backward pass sends back the gradient of a random
linear read-out of the last layer, so every scheme is judged with the same upstream signal.
Batch normalisation follows ``keras.layers.BatchNormalization``: batch mean and *biased*
variance in training mode, moving averages in inference mode, and Keras' momentum convention
``moving ← momentum·moving + (1 − momentum)·batch`` (momentum 0.99: the OLD value keeps 99 %).
Introduced in notebook 15.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as ipw
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from utils.plots import PALETTE
from utils.widgets import Explorer, slider

SCHEMES: tuple[str, ...] = ("zero", "too_large", "xavier", "he")
LABELS: dict[str, str] = {
    "zero": "zeros", "too_large": "too large, N(0, 1)", "xavier": "Xavier/Glorot", "he": "He",
}
TARGET_BAND = (0.5, 2.0)  # a healthy activation std stays inside this band at every depth


def _matrix(value: Any, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows × features), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def init_std(scheme: str, fan_in: int, fan_out: int) -> float:
    """The weight standard deviation of a scheme: 0, 1, √(2/(fan_in + fan_out)) or √(2/fan_in). Introduced in notebook 15."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; expected one of {list(SCHEMES)}")
    if int(fan_in) < 1 or int(fan_out) < 1:
        raise ValueError(f"fan_in and fan_out must be positive integers, got {fan_in} and {fan_out}")
    return {"zero": 0.0, "too_large": 1.0, "xavier": float(np.sqrt(2.0 / (fan_in + fan_out))),
            "he": float(np.sqrt(2.0 / fan_in))}[scheme]


def deep_weights(scheme: str, depth: int = 20, width: int = 256, seed: int = 0) -> list[np.ndarray]:
    """``depth`` square (width × width) weight matrices drawn from N(0, init_std²). Introduced in notebook 15."""
    if not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth must be a positive integer, got {depth!r}")
    rng = np.random.default_rng(seed)
    std = init_std(scheme, width, width)
    return [rng.standard_normal((width, width)) * std for _ in range(depth)]


@dataclass(frozen=True)
class DeepPass:
    """Per-layer activations (after the non-linearity) and the gradients that reach them."""

    activations: list[np.ndarray]  # layer 1 ... L
    gradients: list[np.ndarray]  # dJ/da for layer 1 ... L

    @property
    def activation_stds(self) -> np.ndarray:
        """Standard deviation of each layer's activations."""
        return np.array([a.std() for a in self.activations])

    @property
    def gradient_stds(self) -> np.ndarray:
        """Standard deviation of the gradient at each layer's activations."""
        return np.array([g.std() for g in self.gradients])


def forward_backward(X: Any, weights: list[Any], activation: str = "relu", seed: int = 1) -> DeepPass:
    """Forward X through a = act(a·W) per layer, then back-propagate a random read-out's gradient. Introduced in notebook 15."""
    X = _matrix(X, "X")
    if activation not in ("relu", "tanh"):
        raise ValueError(f"activation must be 'relu' or 'tanh', got {activation!r}")
    if not weights:
        raise ValueError("weights must hold at least one matrix")
    a, activations, pre = X, [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for index, W in enumerate(weights):
            W = _matrix(W, f"weights[{index}]")
            if W.shape[0] != a.shape[1]:
                raise ValueError(f"weights[{index}] has {W.shape[0]} rows; the layer before has {a.shape[1]} units")
            z = a @ W
            a = np.maximum(z, 0.0) if activation == "relu" else np.tanh(z)
            pre.append(z)
            activations.append(a)
        grad = np.random.default_rng(seed).standard_normal(a.shape)  # the gradient a random read-out sends back
        gradients = [grad]
        for index in range(len(weights) - 1, 0, -1):
            slope = (pre[index] > 0).astype(float) if activation == "relu" else 1 - activations[index] ** 2
            grad = (grad * slope) @ np.asarray(weights[index], dtype=np.float64).T
            gradients.append(grad)
    return DeepPass(activations, gradients[::-1])


def scheme_passes(
    X: Any, depth: int = 20, width: int = 256, seed: int = 0, schemes: tuple[str, ...] = SCHEMES
) -> dict[str, DeepPass]:
    """:func:`forward_backward` of a fresh ``depth``-layer ReLU net for every scheme. Introduced in notebook 15."""
    return {scheme: forward_backward(X, deep_weights(scheme, depth, width, seed)) for scheme in schemes}


def within_band(stds: Any, band: tuple[float, float] = TARGET_BAND) -> bool:
    """Whether every standard deviation lies inside ``band`` (finite and in [low, high]). Introduced in notebook 15."""
    stds = np.asarray(stds, dtype=np.float64)
    return bool(np.all(np.isfinite(stds)) and np.all((stds >= band[0]) & (stds <= band[1])))


def layer_histograms(fig: Figure, passes: dict[str, DeepPass], layers: tuple[int, ...] = (1, 5, 10, 15, 20),
                     kind: str = "activations", max_rows: int = 200) -> Figure:
    """A grid of histograms: one row per scheme, one column per layer (1-based), of the first ``max_rows`` examples.

    Titles give each layer's std over all examples. Introduced in notebook 15.
    """
    if kind not in ("activations", "gradients"):
        raise ValueError(f"kind must be 'activations' or 'gradients', got {kind!r}")
    # one x-axis per row: a shrinking signal becomes a spike at 0, a growing one spreads out
    axes = fig.subplots(len(passes), len(layers), squeeze=False, sharex="row")
    for row, (scheme, deep) in enumerate(passes.items()):
        values = deep.activations if kind == "activations" else deep.gradients
        panels = []
        for layer in layers:
            if not 1 <= layer <= len(values):
                raise ValueError(f"layer {layer} is outside 1 ... {len(values)}")
            data = values[layer - 1][:max_rows].ravel()  # a few hundred rows draw the same shape
            if kind == "activations" and np.any(data > 0):
                data = data[data > 0]  # the ReLU's exact zeros would swamp the bars
            panels.append(data[np.isfinite(data)])
        everything = np.concatenate(panels)
        low, high = (float(everything.min()), float(everything.max())) if everything.size else (0.0, 0.0)
        # the same bins along the row: a layer far smaller than the others becomes one tall bar
        bins = np.linspace(low, high, 41) if high > low else np.linspace(-1.0, 1.0, 41)
        for column, (layer, data) in enumerate(zip(layers, panels)):
            ax = axes[row, column]
            ax.hist(data, bins=bins, color=PALETTE[row % len(PALETTE)])
            ax.set_yticks([])
            ax.tick_params(axis="x", labelsize=7)
            ax.xaxis.get_offset_text().set_fontsize(7)
            ax.set_title(f"layer {layer}: std {float(values[layer - 1].std()):.2g}", fontsize=8)
            if column == 0:
                ax.set_ylabel(LABELS.get(scheme, scheme), fontsize=8)
    return fig


def std_profile(ax: Axes, passes: dict[str, DeepPass], kind: str = "activations") -> Axes:
    """Each scheme's std per layer on a log scale, with the [0.5, 2] band shaded. Introduced in notebook 15."""
    for index, (scheme, deep) in enumerate(passes.items()):
        stds = deep.activation_stds if kind == "activations" else deep.gradient_stds
        layers = np.arange(1, len(stds) + 1)
        if np.all(stds == 0):
            ax.plot([], [], color=PALETTE[index], label=f"{LABELS.get(scheme, scheme)} (all exactly 0)")
            continue
        ax.plot(layers, stds, marker="o", markersize=3, color=PALETTE[index], label=LABELS.get(scheme, scheme))
    ax.axhspan(*TARGET_BAND, color=PALETTE[2], alpha=0.12, label="[0.5, 2]")
    ax.set_yscale("log")
    what = "activation" if kind == "activations" else "gradient dJ/da"
    ax.set(xlabel="layer", ylabel=f"{what} std (log scale)")
    ax.legend(fontsize=7)
    return ax


# ---------------------------------------------------------------------------------------------
# Batch normalisation, Keras' conventions
# ---------------------------------------------------------------------------------------------

def batchnorm_train(x: Any, gamma: Any, beta: Any, epsilon: float = 1e-3) -> np.ndarray:
    """γ·(x − μ_B)/√(σ²_B + ε) + β with the batch mean and biased variance per feature. Introduced in notebook 15."""
    x = _matrix(x, "x")
    mean, variance = x.mean(axis=0), x.var(axis=0)
    return np.asarray(gamma, dtype=np.float64) * (x - mean) / np.sqrt(variance + epsilon) + np.asarray(beta, float)


def batchnorm_inference(x: Any, gamma: Any, beta: Any, moving_mean: Any, moving_var: Any,
                        epsilon: float = 1e-3) -> np.ndarray:
    """The same normalisation with the moving averages instead of the batch's statistics. Introduced in notebook 15."""
    x = _matrix(x, "x")
    mean, variance = np.asarray(moving_mean, dtype=np.float64), np.asarray(moving_var, dtype=np.float64)
    return np.asarray(gamma, dtype=np.float64) * (x - mean) / np.sqrt(variance + epsilon) + np.asarray(beta, float)


def update_moving_stats(moving_mean: Any, moving_var: Any, x: Any, momentum: float = 0.99) -> tuple[np.ndarray, np.ndarray]:
    """Keras' moving averages: momentum·old + (1 − momentum)·batch, biased batch variance. Introduced in notebook 15."""
    x = _matrix(x, "x")
    if not 0 <= momentum <= 1:
        raise ValueError(f"momentum must be between 0 and 1, got {momentum!r}")
    mean = momentum * np.asarray(moving_mean, dtype=np.float64) + (1 - momentum) * x.mean(axis=0)
    variance = momentum * np.asarray(moving_var, dtype=np.float64) + (1 - momentum) * x.var(axis=0)
    return mean, variance


class BatchNorm:
    """A from-scratch batch-normalisation layer with Keras' defaults (momentum 0.99, ε = 1e-3). Introduced in notebook 15."""

    def __init__(self, features: int, momentum: float = 0.99, epsilon: float = 1e-3) -> None:
        if int(features) < 1:
            raise ValueError(f"features must be a positive integer, got {features!r}")
        self.gamma, self.beta = np.ones(features), np.zeros(features)
        self.moving_mean, self.moving_var = np.zeros(features), np.ones(features)
        self.momentum, self.epsilon = float(momentum), float(epsilon)

    def __call__(self, x: Any, training: bool = False) -> np.ndarray:
        """Normalise a batch; in training mode also update the moving averages."""
        x = _matrix(x, "x")
        if x.shape[1] != self.gamma.size:
            raise ValueError(f"x has {x.shape[1]} features; this layer was made for {self.gamma.size}")
        if training:
            self.moving_mean, self.moving_var = update_moving_stats(self.moving_mean, self.moving_var, x, self.momentum)
            return batchnorm_train(x, self.gamma, self.beta, self.epsilon)
        return batchnorm_inference(x, self.gamma, self.beta, self.moving_mean, self.moving_var, self.epsilon)


def forward_with_batchnorm(X: Any, weights: list[Any]) -> np.ndarray:
    """Activation std per layer of a = relu(BN(a·W)) in training mode (γ = 1, β = 0). Introduced in notebook 15."""
    a, stds = _matrix(X, "X"), []
    with np.errstate(over="ignore", invalid="ignore"):
        for W in weights:
            z = a @ np.asarray(W, dtype=np.float64)
            a = np.maximum(batchnorm_train(z, 1.0, 0.0), 0.0)
            stds.append(a.std())
    return np.array(stds)


# ---------------------------------------------------------------------------------------------
# The explorer: weight scale and depth
# ---------------------------------------------------------------------------------------------

GAIN_NOTES = {"relu": (np.sqrt(2.0), "He"), "tanh": (1.0, "Xavier/LeCun")}


def gain_profile(gain: float, depth: int, activation: str = "relu", width: int = 128, batch: int = 256,
                 seed: int = 0) -> DeepPass:
    """The deep pass of a net whose weights have std gain/√width (He is gain √2 for ReLU). Introduced in notebook 15."""
    if not np.isfinite(gain) or gain < 0:
        raise ValueError(f"gain must be a non-negative number, got {gain!r}")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, width))
    weights = [rng.standard_normal((width, width)) * gain / np.sqrt(width) for _ in range(int(depth))]
    return forward_backward(X, weights, activation, seed=seed + 1)


def init_explorer(gain: float = 1.4, depth: int = 20, activation: str = "relu") -> Explorer:
    """Sliders for the weight scale and the depth: per-layer std curves and the last layer's histogram. Introduced in notebook 15."""
    if activation not in GAIN_NOTES:
        raise ValueError(f"activation must be 'relu' or 'tanh', got {activation!r}")
    if not 2 <= int(depth) <= 50:
        raise ValueError(f"depth must be between 2 and 50, got {depth!r}")

    parts: dict[str, Any] = {}  # the artists, made on the first redraw and then only updated

    def build(fig: Figure) -> None:
        left, right = fig.subplots(1, 2, width_ratios=[1.3, 1])
        (parts["activations"],) = left.plot([], [], marker="o", markersize=3, color=PALETTE[0],
                                            label="activations")
        (parts["gradients"],) = left.plot([], [], marker="s", markersize=3, color=PALETTE[1],
                                          label="gradients dJ/da")
        left.axhspan(*TARGET_BAND, color=PALETTE[2], alpha=0.12, label="[0.5, 2]")
        left.set(yscale="log", ylim=(1e-12, 1e12), xlabel="layer", ylabel="std (log scale)")
        left.legend(fontsize=8, loc="upper left")
        parts["histogram"] = right.stairs(np.zeros(40), np.linspace(0.0, 1.0, 41), fill=True, color=PALETTE[0])
        parts["note"] = right.text(0.5, 0.5, "", ha="center", va="center", transform=right.transAxes)
        right.set(xlabel="activation value", ylabel="count")
        right.xaxis.set_major_locator(MaxNLocator(5))  # long tick labels stay inside the fixed layout
        parts["left"], parts["right"] = left, right

    def draw(fig: Figure, gain: float, depth: int, activation: str) -> str:
        if not parts:
            build(fig)
        deep = gain_profile(gain, int(depth), activation)
        left, right = parts["left"], parts["right"]
        layers = np.arange(1, int(depth) + 1)
        floor = 1e-30  # an all-zero layer is drawn at the bottom of the log axis
        parts["activations"].set_data(layers, np.maximum(deep.activation_stds, floor))
        parts["gradients"].set_data(layers, np.maximum(deep.gradient_stds, floor))
        left.set_xlim(0.5, int(depth) + 0.5)
        left.set_title(f"Weight std = {gain:.2f}/√fan_in, {activation}")
        last = deep.activations[-1].ravel()
        shown = last[last > 0] if activation == "relu" and np.any(last > 0) else last
        spread = shown.size and np.all(np.isfinite(shown)) and np.ptp(shown) > 0
        counts, edges = np.histogram(shown, bins=40) if spread else (np.zeros(40), np.linspace(-1.0, 1.0, 41))
        parts["histogram"].set_data(counts, edges)
        parts["note"].set_text("" if spread else "all activations equal")
        right.set_xlim(edges[0], edges[-1])
        right.set_ylim(0, max(float(counts.max()), 1.0) * 1.08)
        right.set_title(f"Layer {int(depth)} activations" + (" (> 0)" if activation == "relu" else ""))
        ideal, name = GAIN_NOTES[activation]
        verdict = "stays in [0.5, 2]" if within_band(deep.activation_stds) else "leaves [0.5, 2]"
        return (f"gain {gain:.2f} ({name} is {ideal:.2f} for {activation}): activation std at layer {int(depth)} "
                f"= {deep.activation_stds[-1]:.3g}, gradient std at layer 1 = {deep.gradient_stds[0]:.3g}; "
                f"the activation std {verdict}")

    controls = {
        "gain": slider("gain", 0.0, 3.0, float(gain), 0.05),
        "depth": ipw.IntSlider(value=int(depth), min=2, max=50, step=1, description="depth",
                               continuous_update=False),
        "activation": ipw.Dropdown(options=["relu", "tanh"], value=activation, description="activation"),
    }
    return Explorer(controls, draw, figsize=(9.5, 3.8), rebuild=False)
