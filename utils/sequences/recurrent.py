"""A simple recurrent network (Elman RNN) in NumPy: forward pass, backpropagation through time.

The cell is h_t = tanh(x_t · W_xh + h_{t-1} · W_hh + b), the same as ``keras.layers.SimpleRNN``
with Keras's weight layout: ``kernel`` W_xh (features, units), ``recurrent_kernel`` W_hh
(units, units), ``bias`` b (units,). Sequences are batch-major: x has shape
(batch, time, features) and the hidden states come back as (batch, time, units).
Everything is computed in float64. Introduced in notebook 30.
"""

from __future__ import annotations

from typing import Any

import numpy as np

GRAD_NAMES: tuple[str, ...] = ("W_xh", "W_hh", "b", "x", "h0")


def _float_array(value: Any, name: str, ndim: int) -> np.ndarray:
    """A finite float64 array with ``ndim`` dimensions, or a ValueError naming the argument."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}") from error
    if array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def check_rnn_inputs(
    x: Any, W_xh: Any, W_hh: Any, b: Any, h0: Any = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validate a sequence batch and SimpleRNN weights; return them (and h0) as float64. Introduced in notebook 30."""
    x = _float_array(x, "x", 3)
    batch, time, features = x.shape
    if batch == 0:
        raise ValueError(f"x must hold at least one sequence, got shape {x.shape} (batch, time, features)")
    if time == 0:
        raise ValueError(f"x holds empty sequences (0 time steps), got shape {x.shape} (batch, time, features)")
    if features == 0:
        raise ValueError(f"x must have at least one feature, got shape {x.shape} (batch, time, features)")
    W_xh = _float_array(W_xh, "W_xh", 2)
    W_hh = _float_array(W_hh, "W_hh", 2)
    b = _float_array(b, "b", 1)
    units = W_hh.shape[0]
    if units == 0 or W_hh.shape != (units, units):
        raise ValueError(f"W_hh must be square (units, units), got shape {W_hh.shape}")
    if W_xh.shape != (features, units):
        raise ValueError(
            f"W_xh must have shape (features, units) = ({features}, {units}), got {W_xh.shape}"
            + ("; it looks transposed" if W_xh.shape == (units, features) else "")
        )
    if b.shape != (units,):
        raise ValueError(f"b must have shape (units,) = ({units},), got {b.shape}")
    if h0 is None:
        h0 = np.zeros((batch, units))
    else:
        h0 = _float_array(h0, "h0", np.ndim(h0))
        if h0.shape == (units,):
            h0 = np.broadcast_to(h0, (batch, units)).copy()
        if h0.shape != (batch, units):
            raise ValueError(f"h0 must have shape (batch, units) = ({batch}, {units}) or ({units},), got {h0.shape}")
    return x, W_xh, W_hh, b, h0


def simple_rnn_step(x_t: Any, h_prev: Any, W_xh: Any, W_hh: Any, b: Any) -> np.ndarray:
    """One SimpleRNN step: tanh(x_t · W_xh + h_prev · W_hh + b) for x_t (batch, features). Introduced in notebook 30."""
    x_t = _float_array(x_t, "x_t", 2)
    h_prev = _float_array(h_prev, "h_prev", 2)
    x, W_xh, W_hh, b, h0 = check_rnn_inputs(x_t[:, None, :], W_xh, W_hh, b, h_prev)
    return np.tanh(x[:, 0] @ W_xh + h0 @ W_hh + b)


def simple_rnn_forward(x: Any, W_xh: Any, W_hh: Any, b: Any, h0: Any = None) -> np.ndarray:
    """All hidden states (batch, time, units) of a tanh SimpleRNN over x (batch, time, features). Introduced in notebook 30."""
    x, W_xh, W_hh, b, h = check_rnn_inputs(x, W_xh, W_hh, b, h0)
    states = np.empty((x.shape[0], x.shape[1], W_hh.shape[0]))
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b)
        states[:, t] = h
    return states


def simple_rnn_bptt(
    x: Any, W_xh: Any, W_hh: Any, b: Any, dL_dh: Any, h0: Any = None
) -> dict[str, np.ndarray]:
    """Backpropagation through time: gradients of L w.r.t. W_xh, W_hh, b, x and h0. Introduced in notebook 30.

    ``dL_dh`` (batch, time, units) holds ∂L/∂h_t, the loss's *direct* dependence on each hidden
    state (zeros except the last step for a many-to-one loss); the recurrence h_{t+1}(h_t) is
    added here. For example L = sum(h_T) has dL_dh = 0 everywhere except dL_dh[:, -1] = 1.
    """
    x, W_xh, W_hh, b, h0 = check_rnn_inputs(x, W_xh, W_hh, b, h0)
    batch, time, _ = x.shape
    units = W_hh.shape[0]
    dL_dh = _float_array(dL_dh, "dL_dh", 3)
    if dL_dh.shape != (batch, time, units):
        raise ValueError(f"dL_dh must have the hidden states' shape (batch, time, units) = {(batch, time, units)}, got {dL_dh.shape}")
    states = simple_rnn_forward(x, W_xh, W_hh, b, h0)
    previous = np.concatenate([h0[:, None, :], states[:, :-1]], axis=1)  # h_{t-1} for each t
    grads = {"W_xh": np.zeros_like(W_xh), "W_hh": np.zeros_like(W_hh), "b": np.zeros_like(b),
             "x": np.zeros_like(x)}
    carry = np.zeros((batch, units))  # ∂L/∂h_t arriving from step t+1
    for t in reversed(range(time)):
        dz = (dL_dh[:, t] + carry) * (1.0 - states[:, t] ** 2)  # through tanh
        grads["W_xh"] += x[:, t].T @ dz
        grads["W_hh"] += previous[:, t].T @ dz
        grads["b"] += dz.sum(axis=0)
        grads["x"][:, t] = dz @ W_xh.T
        carry = dz @ W_hh.T
    grads["h0"] = carry
    return grads


def init_rnn_weights(features: int, units: int, seed: int = 0, scale: float = 0.5) -> dict[str, np.ndarray]:
    """Seeded SimpleRNN weights {W_xh, W_hh, b} with entries ~ N(0, scale²/fan_in). Introduced in notebook 30."""
    if features < 1 or units < 1:
        raise ValueError(f"features and units must be positive, got {features} and {units}")
    rng = np.random.default_rng(seed)
    return {
        "W_xh": rng.normal(0.0, scale / np.sqrt(features), size=(features, units)),
        "W_hh": rng.normal(0.0, scale / np.sqrt(units), size=(units, units)),
        "b": rng.normal(0.0, 0.1, size=units),
    }


def dense_parameter_count(time: int, features: int, units: int) -> int:
    """Weights of a dense layer reading a whole flattened sequence (time·features → units). Introduced in notebook 30."""
    if min(time, features, units) < 1:
        raise ValueError(f"time, features and units must be positive, got {time}, {features}, {units}")
    return time * features * units + units


def rnn_parameter_count(features: int, units: int) -> int:
    """Weights of a SimpleRNN layer (W_xh, W_hh, b), the same for every sequence length. Introduced in notebook 30."""
    if min(features, units) < 1:
        raise ValueError(f"features and units must be positive, got {features} and {units}")
    return features * units + units * units + units
