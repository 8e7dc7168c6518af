"""Backpropagation by hand through a 2-layer network, gradient checking, and the ε explorer.

The network: inputs X (m × n) → hidden layer a₁ = tanh(X·W₁ + b₁) → output a₂ = σ(a₁·W₂ + b₂),
scored with the mean binary cross-entropy. Weight matrices are stored (inputs × units), the
same layout as a Keras ``Dense`` kernel. Introduced in notebook 11.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer, slider

PARAM_NAMES: tuple[str, ...] = ("W1", "b1", "W2", "b2")
THRESHOLD = 1e-7  # a gradient check passes when the relative difference is below this
BUGS: dict[str, str] = {
    "none": "the correct backward pass",
    "activation_derivative": "tanh′ written as 1 − a instead of 1 − a²",
    "bias_mean": "the hidden bias gradient averaged over the batch a second time",
}
Params = dict[str, np.ndarray]


def _array(value: Any, name: str, ndim: int) -> np.ndarray:
    """A finite float array with ``ndim`` dimensions (keeps float32, else float64), or a ValueError."""
    array = np.asarray(value)
    if array.dtype != np.float32:
        array = array.astype(np.float64)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _check_params(params: Mapping[str, Any]) -> Params:
    """Validate a parameter dict (names, shapes that fit together); return it as arrays."""
    if not isinstance(params, Mapping) or set(params) != set(PARAM_NAMES):
        got = sorted(params) if isinstance(params, Mapping) else type(params).__name__
        raise ValueError(f"params must be a dict with keys {list(PARAM_NAMES)}, got {got}")
    clean = {name: _array(params[name], f"params[{name!r}]", 2 if name.startswith("W") else 1) for name in PARAM_NAMES}
    W1, b1, W2, b2 = (clean[n] for n in PARAM_NAMES)
    if b1.shape != (W1.shape[1],) or W2.shape[0] != W1.shape[1] or b2.shape != (W2.shape[1],):
        raise ValueError(
            f"params shapes do not fit together: W1 {W1.shape}, b1 {b1.shape}, W2 {W2.shape}, b2 {b2.shape}; "
            "expected W1 (n_in, h), b1 (h,), W2 (h, n_out), b2 (n_out,)"
        )
    return clean


def _targets(y: Any, m: int, dtype: Any) -> np.ndarray:
    """Labels as an (m, 1) column of 0/1 values."""
    y = np.asarray(y, dtype=np.float64).reshape(-1, 1) if np.ndim(y) == 1 else np.asarray(y, dtype=np.float64)
    if y.shape != (m, 1):
        raise ValueError(f"y must hold one label per row of X ({m}), got shape {y.shape}")
    if not np.all(np.isin(y, (0.0, 1.0))):
        raise ValueError("y must hold 0/1 labels")
    return y.astype(dtype)


def init_params(n_inputs: int, n_hidden: int, seed: int = 0) -> Params:
    """Small random weights (Glorot-style scale) and zero biases for n_inputs → n_hidden → 1. Introduced in notebook 11."""
    if n_inputs < 1 or n_hidden < 1:
        raise ValueError(f"n_inputs and n_hidden must be positive, got {n_inputs} and {n_hidden}")
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(0, np.sqrt(2.0 / (n_inputs + n_hidden)), size=(n_inputs, n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": rng.normal(0, np.sqrt(2.0 / (n_hidden + 1)), size=(n_hidden, 1)),
        "b2": np.zeros(1),
    }


def forward(params: Mapping[str, Any], X: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Forward pass; returns the probabilities a₂ (m, 1) and the cache (X, z₁, a₁, z₂, a₂) backward needs. Introduced in notebook 11."""
    params = _check_params(params)
    dtype = params["W1"].dtype
    X = _array(X, "X", 2).astype(dtype)
    if X.shape[1] != params["W1"].shape[0]:
        raise ValueError(f"X has {X.shape[1]} columns but W1 expects {params['W1'].shape[0]} inputs")
    Z1 = X @ params["W1"] + params["b1"]
    A1 = np.tanh(Z1)
    Z2 = A1 @ params["W2"] + params["b2"]
    A2 = 1.0 / (1.0 + np.exp(-Z2))
    return A2, {"X": X, "Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def loss(params: Mapping[str, Any], X: Any, y: Any) -> float:
    """Mean binary cross-entropy of the network's probabilities (computed in the params' dtype). Introduced in notebook 11."""
    A2, _ = forward(params, X)
    Y = _targets(y, len(A2), A2.dtype)
    return float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))


def _fast_loss(params: Params, X: np.ndarray, Y: np.ndarray) -> float:
    """The loss without input validation, for the inner loop of numerical_gradient (inputs already checked)."""
    A1 = np.tanh(X @ params["W1"] + params["b1"])
    A2 = 1.0 / (1.0 + np.exp(-(A1 @ params["W2"] + params["b2"])))
    return float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)))


def backward(params: Mapping[str, Any], cache: Mapping[str, np.ndarray], y: Any, bug: str = "none") -> Params:
    """Backpropagation: the gradient of the mean cross-entropy for every parameter; ``bug`` plants a mistake. Introduced in notebook 11."""
    params = _check_params(params)
    if bug not in BUGS:
        raise ValueError(f"unknown bug {bug!r}; choose one of: {', '.join(BUGS)}")
    missing = {"X", "A1", "A2"} - set(cache)
    if missing:
        raise ValueError(f"cache is missing {sorted(missing)}; pass the cache that forward() returned")
    X, A1, A2 = cache["X"], cache["A1"], cache["A2"]
    m = len(X)
    Y = _targets(y, m, A2.dtype)
    dZ2 = (A2 - Y) / m  # sigmoid + cross-entropy: the derivative simplifies to (a₂ − y), /m for the mean
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0)
    dA1 = dZ2 @ params["W2"].T
    tanh_slope = 1 - A1 if bug == "activation_derivative" else 1 - A1**2
    dZ1 = dA1 * tanh_slope
    dW1 = X.T @ dZ1
    db1 = dZ1.mean(axis=0) if bug == "bias_mean" else dZ1.sum(axis=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def flatten(params: Mapping[str, Any]) -> np.ndarray:
    """All parameters (or gradients) as one vector, in the order W1, b1, W2, b2. Introduced in notebook 11."""
    return np.concatenate([np.asarray(params[name]).ravel() for name in PARAM_NAMES])


def numerical_gradient(
    params: Mapping[str, Any], X: Any, y: Any, epsilon: float = 1e-6, dtype: Any = np.float64,
) -> Params:
    """Two-sided differences (J(θ+ε) − J(θ−ε)) / 2ε for every parameter, computed in ``dtype``. Introduced in notebook 11."""
    params = _check_params(params)
    if not (isinstance(epsilon, (int, float, np.floating)) and np.isfinite(epsilon) and epsilon > 0):
        raise ValueError(f"epsilon must be a positive number, got {epsilon!r}")
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    base = {name: value.astype(dtype) for name, value in params.items()}
    X = _array(X, "X", 2).astype(dtype)
    if X.shape[1] != base["W1"].shape[0]:
        raise ValueError(f"X has {X.shape[1]} columns but W1 expects {base['W1'].shape[0]} inputs")
    Y = _targets(y, len(X), dtype)
    step = dtype.type(epsilon)
    gradient: Params = {}
    with np.errstate(all="ignore"):
        for name in PARAM_NAMES:
            slopes = np.zeros(base[name].shape, dtype=np.float64)
            for index in np.ndindex(base[name].shape):
                original = base[name][index]
                base[name][index] = original + step
                up = _fast_loss(base, X, Y)
                base[name][index] = original - step
                down = _fast_loss(base, X, Y)
                base[name][index] = original
                slopes[index] = (up - down) / (2 * float(step))
            gradient[name] = slopes
    return gradient


def relative_difference(a: Any, b: Any) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖) of two gradients (dicts or arrays); 0 means identical. Introduced in notebook 11."""
    a = flatten(a) if isinstance(a, Mapping) else np.asarray(a, dtype=np.float64).ravel()
    b = flatten(b) if isinstance(b, Mapping) else np.asarray(b, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"a and b must hold the same number of values, got {a.size} and {b.size}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("a and b must not contain NaN or infinite values")
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


@dataclass(frozen=True)
class GradientCheck:
    """Outcome of a gradient check: the overall relative difference and one per parameter."""

    relative_difference: float
    per_parameter: dict[str, float]
    epsilon: float
    threshold: float = THRESHOLD

    @property
    def passed(self) -> bool:
        """True when the relative difference is below the threshold."""
        return self.relative_difference < self.threshold


def gradient_check(
    params: Mapping[str, Any], X: Any, y: Any, bug: str = "none", epsilon: float = 1e-6,
    dtype: Any = np.float64, threshold: float = THRESHOLD,
) -> GradientCheck:
    """Compare backprop's gradient with two-sided differences; passes below ``threshold``. Introduced in notebook 11."""
    params = _check_params(params)
    if not threshold > 0:
        raise ValueError(f"threshold must be positive, got {threshold!r}")
    _, cache = forward(params, X)
    analytic = backward(params, cache, y, bug=bug)
    numeric = numerical_gradient(params, X, y, epsilon=epsilon, dtype=dtype)
    per_parameter = {name: relative_difference(analytic[name], numeric[name]) for name in PARAM_NAMES}
    return GradientCheck(relative_difference(analytic, numeric), per_parameter, float(epsilon), float(threshold))


def epsilon_sweep(
    params: Mapping[str, Any], X: Any, y: Any, epsilons: Any, bug: str = "none", dtype: Any = np.float64,
) -> np.ndarray:
    """The gradient check's relative difference for each step size ε. Introduced in notebook 11."""
    epsilons = np.asarray(epsilons, dtype=np.float64).ravel()
    if epsilons.size == 0 or np.any(epsilons <= 0):
        raise ValueError("epsilons must be a non-empty list of positive step sizes")
    return np.array([gradient_check(params, X, y, bug=bug, epsilon=float(e), dtype=dtype).relative_difference
                     for e in epsilons])


def train(params: Mapping[str, Any], X: Any, y: Any, learning_rate: float = 0.5, steps: int = 500) -> tuple[Params, np.ndarray]:
    """Full-batch gradient descent with our own backward pass; returns the new params and the loss per step. Introduced in notebook 11."""
    params = {name: value.copy() for name, value in _check_params(params).items()}
    if not learning_rate > 0 or steps < 1:
        raise ValueError(f"learning_rate and steps must be positive, got {learning_rate!r} and {steps!r}")
    losses = []
    for _ in range(int(steps)):
        A2, cache = forward(params, X)
        Y = _targets(y, len(A2), A2.dtype)
        losses.append(float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))))
        grads = backward(params, cache, y)
        params = {name: params[name] - learning_rate * grads[name] for name in PARAM_NAMES}
    return params, np.array(losses)


def epsilon_explorer(params: Mapping[str, Any], X: Any, y: Any, log10_epsilon: float = -6.0) -> Explorer:
    """Slide the step ε, pick float32/float64 and a backward pass: the check's error on a log-log plot. Introduced in notebook 11."""
    params = _check_params(params)
    X = _array(X, "X", 2)
    _targets(y, len(X), np.float64)
    exponents = np.arange(-12.0, -0.5 + 1e-9, 0.5)
    epsilons = 10.0**exponents
    sweeps: dict[tuple[str, str], np.ndarray] = {}

    def sweep(bug: str, precision: str) -> np.ndarray:
        if (bug, precision) not in sweeps:
            sweeps[bug, precision] = epsilon_sweep(params, X, y, epsilons, bug=bug, dtype=precision)
        return sweeps[bug, precision]

    def draw(fig: Figure, log10_epsilon: float, precision: str, backward_pass: str) -> str:
        ax = fig.subplots()
        for index, dtype in enumerate(("float64", "float32")):
            chosen = dtype == precision
            ax.plot(epsilons, np.maximum(sweep(backward_pass, dtype), 1e-17), marker="o", markersize=3 if chosen else 2,
                    color=PALETTE[index], linewidth=2.2 if chosen else 1.0, alpha=1.0 if chosen else 0.4,
                    label=f"{dtype}" + (" (chosen)" if chosen else ""))
        ax.axhspan(1e-17, THRESHOLD, color=PALETTE[2], alpha=0.12, label="passes (< 1e-7)")
        ax.axhline(THRESHOLD, color=PALETTE[2], linestyle="--", linewidth=1)
        epsilon = 10.0**log10_epsilon
        result = gradient_check(params, X, y, bug=backward_pass, epsilon=epsilon, dtype=precision)
        shown = max(result.relative_difference, 1e-17)
        ax.plot([epsilon], [shown], marker="*", markersize=16, color="k", linestyle="none", label=f"ε = {epsilon:.0e}")
        ax.set(xscale="log", yscale="log", ylim=(1e-13, 2.0), xlabel="finite-difference step ε",
               ylabel="relative difference (log scale)",
               title=f"Gradient check of {BUGS[backward_pass]}")
        ax.legend(fontsize=8, loc="lower left" if backward_pass == "none" else "center left")
        verdict = "passes" if result.passed else "fails"
        return (f"ε = {epsilon:.0e}, {precision}: relative difference {result.relative_difference:.2e} → "
                f"{verdict} the 1e-7 test")

    if not -12.0 <= log10_epsilon <= -1.0:
        raise ValueError(f"log10_epsilon must be between -12 and -1, got {log10_epsilon!r}")
    controls = {
        "log10_epsilon": slider("log₁₀ ε", -12.0, -1.0, log10_epsilon, 0.5),
        "precision": ipw.Dropdown(options=["float64", "float32"], value="float64", description="precision"),
        "backward_pass": ipw.Dropdown(options=[(BUGS[k], k) for k in BUGS], value="none", description="backward",
                                      layout=ipw.Layout(width="420px")),
    }
    return Explorer(controls, draw, figsize=(8.5, 4.2))
