"""Gated recurrent cells in NumPy with Keras's weight layouts, gradient norms through time, and a
long-range memory task.

Keras stores each recurrent layer's gates side by side in one matrix: an LSTM's ``kernel`` is
(features, 4·units) with the gates in the order i, f, c, o; a GRU's is (features, 3·units) in the
order z, r, h. Everything here uses those layouts, so ``layer.get_weights()`` plugs straight in.
Introduced in notebook 31.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure

from utils.sequences.recurrent import simple_rnn_forward

LSTM_GATES = ("i", "f", "c", "o")  # input, forget, candidate cell, output: Keras's column order
GRU_GATES = ("z", "r", "h")  # update, reset, candidate state: Keras's column order


def sigmoid(z: Any) -> np.ndarray:
    """The logistic function 1 / (1 + e^(−z)), computed without overflow."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -z))


def _matrix(name: str, value: Any, shape: tuple[int | None, ...]) -> np.ndarray:
    """``value`` as a float64 array of the given shape (None: any size), or a clear ValueError."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != len(shape) or any(s is not None and s != n for s, n in zip(shape, array.shape)):
        wanted = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {wanted}, got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return array


def split_gates(matrix: Any, names: Sequence[str]) -> dict[str, np.ndarray]:
    """Cut a Keras recurrent weight matrix (or bias) into its gates, along the last axis."""
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim == 0 or matrix.shape[-1] % len(names):
        raise ValueError(f"the last axis ({matrix.shape}) must split into {len(names)} equal gates {tuple(names)}")
    return dict(zip(names, np.split(matrix, len(names), axis=-1)))


def _units(recurrent_kernel: Any, gates: int, name: str) -> int:
    shape = np.shape(recurrent_kernel)
    if len(shape) != 2 or shape[1] != gates * shape[0]:
        raise ValueError(f"{name} recurrent_kernel must have shape (units, {gates}·units), got {shape}")
    return int(shape[0])


def _sequence(x: Any, features: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (batch, time, features), got {x.shape}")
    if x.shape[1] == 0:
        raise ValueError("x is an empty sequence (0 time steps): a recurrent layer needs at least one step")
    if x.shape[2] != features:
        raise ValueError(f"x has {x.shape[2]} features per step but the kernel expects {features}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x holds NaN or infinite values")
    return x


# ---------------------------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------------------------

def lstm_cell(x_t: Any, h_prev: Any, c_prev: Any, kernel: Any, recurrent_kernel: Any,
              bias: Any) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step as Keras computes it (gates i, f, c, o): returns the new (h, c)."""
    units = _units(recurrent_kernel, 4, "LSTM")
    x_t = _matrix("x_t", x_t, (None, None))
    kernel = _matrix("kernel", kernel, (x_t.shape[1], 4 * units))
    h_prev = _matrix("h_prev", h_prev, (x_t.shape[0], units))
    c_prev = _matrix("c_prev", c_prev, (x_t.shape[0], units))
    bias = _matrix("bias", bias, (4 * units,))
    z = split_gates(x_t @ kernel + h_prev @ np.asarray(recurrent_kernel, dtype=np.float64) + bias, LSTM_GATES)
    i, f, o = sigmoid(z["i"]), sigmoid(z["f"]), sigmoid(z["o"])
    candidate = np.tanh(z["c"])
    c = f * c_prev + i * candidate
    return o * np.tanh(c), c


def lstm_forward(x: Any, kernel: Any, recurrent_kernel: Any, bias: Any, h0: Any = None,
                 c0: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Run an LSTM over x (batch, time, features): every hidden state and every cell state, each (batch, time, units)."""
    units = _units(recurrent_kernel, 4, "LSTM")
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 2:
        raise ValueError(f"kernel must have shape (features, 4·units), got {kernel.shape}")
    x = _sequence(x, kernel.shape[0])
    h = np.zeros((x.shape[0], units)) if h0 is None else _matrix("h0", h0, (x.shape[0], units))
    c = np.zeros((x.shape[0], units)) if c0 is None else _matrix("c0", c0, (x.shape[0], units))
    hs, cs = [], []
    for t in range(x.shape[1]):
        h, c = lstm_cell(x[:, t], h, c, kernel, recurrent_kernel, bias)
        hs.append(h)
        cs.append(c)
    return np.stack(hs, axis=1), np.stack(cs, axis=1)


# ---------------------------------------------------------------------------------------------
# GRU
# ---------------------------------------------------------------------------------------------

def gru_cell(x_t: Any, h_prev: Any, kernel: Any, recurrent_kernel: Any, bias: Any,
             reset_after: bool = True) -> np.ndarray:
    """One GRU step as Keras computes it (gates z, r, h; bias (2, 3·units) when reset_after)."""
    units = _units(recurrent_kernel, 3, "GRU")
    x_t = _matrix("x_t", x_t, (None, None))
    kernel = _matrix("kernel", kernel, (x_t.shape[1], 3 * units))
    h_prev = _matrix("h_prev", h_prev, (x_t.shape[0], units))
    recurrent_kernel = np.asarray(recurrent_kernel, dtype=np.float64)
    if reset_after:
        bias = _matrix("bias (reset_after=True: input row, recurrent row)", bias, (2, 3 * units))
        from_input = split_gates(x_t @ kernel + bias[0], GRU_GATES)
        from_state = split_gates(h_prev @ recurrent_kernel + bias[1], GRU_GATES)
        z = sigmoid(from_input["z"] + from_state["z"])
        r = sigmoid(from_input["r"] + from_state["r"])
        candidate = np.tanh(from_input["h"] + r * from_state["h"])  # reset AFTER the product
    else:
        bias = _matrix("bias (reset_after=False)", bias, (3 * units,))
        from_input = split_gates(x_t @ kernel + bias, GRU_GATES)
        weights = split_gates(recurrent_kernel, GRU_GATES)
        z = sigmoid(from_input["z"] + h_prev @ weights["z"])
        r = sigmoid(from_input["r"] + h_prev @ weights["r"])
        candidate = np.tanh(from_input["h"] + (r * h_prev) @ weights["h"])  # reset BEFORE it
    return z * h_prev + (1 - z) * candidate


def gru_forward(x: Any, kernel: Any, recurrent_kernel: Any, bias: Any, h0: Any = None,
                reset_after: bool = True) -> np.ndarray:
    """Run a GRU over x (batch, time, features): every hidden state, (batch, time, units)."""
    units = _units(recurrent_kernel, 3, "GRU")
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 2:
        raise ValueError(f"kernel must have shape (features, 3·units), got {kernel.shape}")
    x = _sequence(x, kernel.shape[0])
    h = np.zeros((x.shape[0], units)) if h0 is None else _matrix("h0", h0, (x.shape[0], units))
    hs = []
    for t in range(x.shape[1]):
        h = gru_cell(x[:, t], h, kernel, recurrent_kernel, bias, reset_after=reset_after)
        hs.append(h)
    return np.stack(hs, axis=1)


# ---------------------------------------------------------------------------------------------
# SimpleRNN (notebook 30's forward pass)
# ---------------------------------------------------------------------------------------------

def simple_rnn_states(x: Any, W_xh: Any, W_hh: Any, b: Any) -> np.ndarray:
    """Hidden states h_1..h_T of a tanh SimpleRNN started at zero, (batch, time, units)."""
    W_hh = _matrix("W_hh", W_hh, (None, None))
    if W_hh.shape[0] != W_hh.shape[1]:
        raise ValueError(f"W_hh must be square (units, units), got {W_hh.shape}")
    W_xh = _matrix("W_xh", W_xh, (None, W_hh.shape[0]))
    b = _matrix("b", b, (W_hh.shape[0],))
    x = _sequence(x, W_xh.shape[0])
    return np.asarray(simple_rnn_forward(x, W_xh, W_hh, b), dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Gradient norms through time
# ---------------------------------------------------------------------------------------------

def _norms_of_products(jacobians: Sequence[np.ndarray], rows: int | None = None) -> np.ndarray:
    """‖J_T ⋯ J_{T−s+1}‖₂ for s = 0..T (s = 0: the identity), optionally of the first ``rows`` rows only."""
    size = jacobians[0].shape[0] if jacobians else 1
    product = np.eye(size)
    keep = slice(None) if rows is None else slice(0, rows)
    norms = [np.linalg.norm(product[keep], 2)]
    for jacobian in reversed(jacobians):
        product = product @ jacobian
        norms.append(np.linalg.norm(product[keep], 2))
    return np.array(norms)


def simple_rnn_jacobians(x: Any, W_xh: Any, W_hh: Any, b: Any) -> list[np.ndarray]:
    """The per-step Jacobians ∂h_t/∂h_{t−1} = diag(1 − h_t²) W_hhᵀ, t = 1..T, of one sequence x (time, features)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"x must be one sequence of shape (time, features), got {x.shape}")
    states = simple_rnn_states(x[None], W_xh, W_hh, b)[0]
    W_hh = np.asarray(W_hh, dtype=np.float64)
    # h_t = tanh(x_t W_xh + h_{t-1} W_hh + b), row vectors: the Jacobian holds W_hh transposed
    return [(1 - h**2)[:, None] * W_hh.T for h in states]


def simple_rnn_gradient_norms(x: Any, W_xh: Any, W_hh: Any, b: Any) -> np.ndarray:
    """‖∂h_T/∂h_{T−s}‖₂ for s = 0..T of one sequence x (time, features) through a SimpleRNN."""
    return _norms_of_products(simple_rnn_jacobians(x, W_xh, W_hh, b))


def lstm_state_jacobian(x_t: Any, h_prev: Any, c_prev: Any, kernel: Any, recurrent_kernel: Any,
                        bias: Any) -> np.ndarray:
    """∂(h_t, c_t)/∂(h_{t−1}, c_{t−1}) of one LSTM step for one example: a (2·units, 2·units) matrix."""
    units = _units(recurrent_kernel, 4, "LSTM")
    x_t, h_prev, c_prev = (np.asarray(v, dtype=np.float64).reshape(1, -1) for v in (x_t, h_prev, c_prev))
    recurrent = split_gates(recurrent_kernel, LSTM_GATES)
    z = split_gates(x_t @ np.asarray(kernel, dtype=np.float64)
                    + h_prev @ np.asarray(recurrent_kernel, dtype=np.float64) + np.asarray(bias), LSTM_GATES)
    i, f, o = (sigmoid(z[k])[0] for k in ("i", "f", "o"))
    g = np.tanh(z["c"])[0]
    c = f * c_prev[0] + i * g
    tanh_c = np.tanh(c)
    # rows: outputs (unit of c_t or h_t); columns: inputs (unit of h_{t-1}); Wᵀ turns x@W into a Jacobian
    dc_dh = ((c_prev[0] * f * (1 - f))[:, None] * recurrent["f"].T
             + (g * i * (1 - i))[:, None] * recurrent["i"].T
             + (i * (1 - g**2))[:, None] * recurrent["c"].T)
    dc_dc = np.diag(f)
    dh_dh = (tanh_c * o * (1 - o))[:, None] * recurrent["o"].T + (o * (1 - tanh_c**2))[:, None] * dc_dh
    dh_dc = (o * (1 - tanh_c**2))[:, None] * dc_dc
    jacobian = np.zeros((2 * units, 2 * units))
    jacobian[:units, :units], jacobian[:units, units:] = dh_dh, dh_dc
    jacobian[units:, :units], jacobian[units:, units:] = dc_dh, dc_dc
    return jacobian


def lstm_jacobians(x: Any, kernel: Any, recurrent_kernel: Any, bias: Any) -> list[np.ndarray]:
    """The per-step Jacobians ∂(h_t, c_t)/∂(h_{t−1}, c_{t−1}), t = 1..T, of one sequence x (time, features)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"x must be one sequence of shape (time, features), got {x.shape}")
    units = _units(recurrent_kernel, 4, "LSTM")
    hs, cs = lstm_forward(x[None], kernel, recurrent_kernel, bias)
    h_prev = np.vstack([np.zeros((1, units)), hs[0, :-1]])
    c_prev = np.vstack([np.zeros((1, units)), cs[0, :-1]])
    return [lstm_state_jacobian(x[t], h_prev[t], c_prev[t], kernel, recurrent_kernel, bias)
            for t in range(len(x))]


def _lstm_norms(jacobians: Sequence[np.ndarray]) -> np.ndarray:
    units = jacobians[0].shape[0] // 2
    norms = _norms_of_products(jacobians, rows=units)
    norms[0] = 1.0  # ∂h_T/∂(h_T, c_T): h_T itself, norm 1 by definition
    return norms


def lstm_gradient_norms(x: Any, kernel: Any, recurrent_kernel: Any, bias: Any) -> np.ndarray:
    """‖∂h_T/∂(h_{T−s}, c_{T−s})‖₂ for s = 0..T of one sequence x (time, features) through an LSTM."""
    return _lstm_norms(lstm_jacobians(x, kernel, recurrent_kernel, bias))


# ---------------------------------------------------------------------------------------------
# Weights initialised as Keras does
# ---------------------------------------------------------------------------------------------

def keras_like_weights(kind: str, features: int, units: int, seed: int = 0,
                       forget_bias: float = 1.0) -> list[np.ndarray]:
    """Seeded weights laid out and initialised as Keras's SimpleRNN/GRU/LSTM do (Glorot kernel, orthogonal recurrent)."""
    gates = {"simple_rnn": 1, "gru": 3, "lstm": 4}
    if kind not in gates:
        raise ValueError(f"kind must be one of {sorted(gates)}, got {kind!r}")
    if features < 1 or units < 1:
        raise ValueError(f"features and units must be positive, got {features} and {units}")
    rng = np.random.default_rng(seed)
    width = gates[kind] * units
    limit = np.sqrt(6.0 / (features + width))
    kernel = rng.uniform(-limit, limit, size=(features, width))
    blocks = []
    for _ in range(gates[kind]):
        q, r = np.linalg.qr(rng.normal(size=(units, units)))
        blocks.append(q * np.sign(np.diag(r)))
    recurrent = np.hstack(blocks)
    if kind == "simple_rnn":
        bias = np.zeros(units)
    elif kind == "gru":
        bias = np.zeros((2, width))
    else:
        bias = np.zeros(width)
        bias[units:2 * units] = forget_bias
    return [kernel, recurrent, bias]


class ForgetBias:
    """A Keras bias initializer for an LSTM: zeros, except ``value`` for the forget gate's block."""

    def __init__(self, value: float = 1.0) -> None:
        self.value = float(value)

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        """The bias vector (4·units,) with the forget block (second quarter) set to ``value``."""
        shape = tuple(int(s) for s in shape)
        if len(shape) != 1 or shape[0] % 4:
            raise ValueError(f"an LSTM bias has shape (4·units,), got {shape}")
        bias = np.zeros(shape, dtype=dtype or "float32")
        units = shape[0] // 4
        bias[units:2 * units] = self.value
        return bias

    def get_config(self) -> dict[str, float]:
        """What Keras stores when it saves the layer."""
        return {"value": self.value}


# ---------------------------------------------------------------------------------------------
# The long-range task
# ---------------------------------------------------------------------------------------------

SYMBOLS = ("A", "B", "c", "d", "e", "f")  # the two opening symbols, then four distractors


def first_symbol_task(n: int, length: int = 50, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sequences of one-hot symbols whose label is 1 when the FIRST symbol is A (balanced); the rest is noise.

    The first symbol is A or B; the other ``length − 1`` are distractors drawn uniformly from
    c, d, e, f and carry no information about the label. Returns X (n, length, 6) float32 and
    y (n,) float32.
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive number of sequences, got {n!r}")
    if not isinstance(length, (int, np.integer)) or length < 2:
        raise ValueError(f"length must be at least 2 (a first symbol and something to forget), got {length!r}")
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 2)  # exactly balanced: chance is 50%
    first = np.where(y == 1, 0, 1)
    rest = rng.integers(2, len(SYMBOLS), size=(n, length - 1))
    symbols = np.concatenate([first[:, None], rest], axis=1)
    return np.eye(len(SYMBOLS), dtype=np.float32)[symbols], y.astype(np.float32)


def decode(X: Any) -> list[str]:
    """The one-hot sequences of ``first_symbol_task`` as strings such as 'ABDC…'."""
    X = np.asarray(X)
    if X.ndim != 3 or X.shape[2] != len(SYMBOLS):
        raise ValueError(f"X must have shape (batch, time, {len(SYMBOLS)}), got {X.shape}")
    return ["".join(SYMBOLS[k] for k in row) for row in X.argmax(axis=2)]


# ---------------------------------------------------------------------------------------------
# The explorer
# ---------------------------------------------------------------------------------------------

def gradient_norm_table(x: Any, rnn_weights: Sequence[Any], lstm_weights: Sequence[Any],
                        lengths: Sequence[int]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """For each length T: (SimpleRNN norms, LSTM norms) through time over the first T steps of x."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(f"x must be one non-empty sequence (time, features), got {x.shape}")
    # a recurrent layer is causal: the first T steps of a longer run are the run over T steps,
    # so the per-step Jacobians are computed once and every length reuses them
    rnn = simple_rnn_jacobians(x, *rnn_weights)
    lstm = lstm_jacobians(x, *lstm_weights)
    table = {}
    for length in lengths:
        if not 1 <= length <= len(x):
            raise ValueError(f"length {length} is outside 1..{len(x)} (the sequence's length)")
        table[int(length)] = (_norms_of_products(rnn[:length]), _lstm_norms(lstm[:length]))
    return table


def gradient_norm_explorer(x: Any, rnn_weights: Sequence[Any], lstm_weights: Sequence[Any],
                           length: int = 50) -> Any:
    """Slide the sequence length: ‖∂h_T/∂h_{T−s}‖ against s for a SimpleRNN and an LSTM (precomputed)."""
    import ipywidgets as ipw

    from utils.plots import PALETTE
    from utils.widgets import Explorer

    x = np.asarray(x, dtype=np.float64)
    longest = len(x) if x.ndim == 2 else 0
    if not 2 <= length <= longest:
        raise ValueError(f"length must be in 2..{longest} (the sequence's length), got {length}")
    lengths = range(2, longest + 1)
    table = gradient_norm_table(x, rnn_weights, lstm_weights, lengths)
    floor = 1e-12
    top = max(max(a.max(), b.max()) for a, b in table.values())
    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        ax = fig.subplots()
        (parts["rnn"],) = ax.semilogy([], [], color=PALETTE[1], linewidth=2, label="SimpleRNN")
        (parts["lstm"],) = ax.semilogy([], [], color=PALETTE[0], linewidth=2, label="LSTM")
        ax.axhline(1.0, color="grey", linestyle=":", linewidth=1)
        ax.set(xlim=(0, longest), ylim=(floor, max(10.0, 3 * top)),
               title="How much the last state still depends on earlier states",
               xlabel="steps back in time s", ylabel=r"$\|\partial h_T / \partial h_{T-s}\|_2$")
        ax.legend(loc="lower left")
        parts["ax"] = ax
        for artist in (parts["rnn"], parts["lstm"]):
            artist.set_animated(True)

    def draw(fig: Figure, length: int) -> str:
        if not parts:
            build(fig)
        rnn, lstm = table[length]
        steps = np.arange(length + 1)
        parts["rnn"].set_data(steps, np.maximum(rnn, floor))
        parts["lstm"].set_data(steps, np.maximum(lstm, floor))
        return (f"T = {length} steps: back at the first step the gradient norm is "
                f"{rnn[-1]:.1e} for the SimpleRNN and {lstm[-1]:.1e} for the LSTM")

    control = ipw.IntSlider(value=length, min=2, max=longest, step=1, description="sequence length T",
                            continuous_update=False, layout=ipw.Layout(width="420px"))
    return Explorer({"length": control}, draw, figsize=(8.0, 3.8), rebuild=False)


def accuracy_tracker(X: Any, y: Any, every: int = 10) -> Any:
    """A Keras callback recording the accuracy on (X, y) every ``every`` training batches (``.steps``, ``.accuracy``)."""
    import keras

    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y).ravel()
    if X.ndim != 3 or len(X) != len(y) or len(y) == 0:
        raise ValueError(f"X must be (batch, time, features) with one label per sequence, got {X.shape} and {y.shape}")
    if not isinstance(every, (int, np.integer)) or every < 1:
        raise ValueError(f"every must be a positive number of batches, got {every!r}")

    class AccuracyTracker(keras.callbacks.Callback):
        """Accuracy of a sigmoid-output model on held-out sequences, during training."""

        def __init__(self) -> None:
            super().__init__()
            self.steps: list[int] = []
            self.accuracy: list[float] = []
            self.batches = 0

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            self.batches += 1
            if self.batches % every == 0:
                probability = np.asarray(self.model(X, training=False)).ravel()
                self.steps.append(self.batches)
                self.accuracy.append(float(np.mean((probability >= 0.5) == (y == 1))))

    return AccuracyTracker()
