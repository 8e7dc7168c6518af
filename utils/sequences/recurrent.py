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


# ---------------------------------------------------------------------------------------------
# A seeded many-to-one task and the notebook's pictures
# ---------------------------------------------------------------------------------------------


def sum_sign_sequences(n: int, length: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n sequences of ``length`` N(0, 1) numbers (n, length, 1) float32 and labels 1 where their sum > 0. Introduced in notebook 30."""
    if n < 1 or length < 1:
        raise ValueError(f"n and length must be positive, got n={n}, length={length}")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, length, 1)).astype(np.float32)
    return x, (x.sum(axis=(1, 2)) > 0).astype(np.int64)


def _grid(ax: Any, x0: float, y0: float, rows: int, cols: int, color: str, label: str, name: str) -> float:
    """A rows × cols block of cells with its top-left corner at (x0, y0), a name above and shape below."""
    from matplotlib.patches import Rectangle

    for i in range(rows):
        for j in range(cols):
            ax.add_patch(Rectangle((x0 + j, y0 - i - 1), 1, 1, facecolor=color, alpha=0.8,
                                   edgecolor="white", linewidth=1.5))
    ax.text(x0 + cols / 2, y0 + 0.3, name, ha="center", va="bottom", fontsize=11)
    ax.text(x0 + cols / 2, y0 - rows - 0.3, label, ha="center", va="top", fontsize=9, color="#333333")
    return float(cols)


def draw_cell_shapes(ax: Any, batch: int = 2, features: int = 3, units: int = 4) -> Any:
    """The SimpleRNN step drawn as blocks with their shapes: tanh(x_t W_xh + h_{t-1} W_hh + b). Introduced in notebook 30."""
    from utils.plots import PALETTE

    if min(batch, features, units) < 1 or max(batch, features, units) > 8:
        raise ValueError(f"batch, features and units must be between 1 and 8, got {batch}, {features}, {units}")
    pieces = [("x_t", batch, features, PALETTE[0], "(batch, features)"), ("@", 0, 0, "", ""),
              ("W_xh", features, units, PALETTE[0], "(features, units)"), ("+", 0, 0, "", ""),
              ("h_{t-1}", batch, units, PALETTE[2], "(batch, units)"), ("@", 0, 0, "", ""),
              ("W_hh", units, units, PALETTE[2], "(units, units)"), ("+", 0, 0, "", ""),
              ("b", 1, units, PALETTE[4], "(units,)"), ("→ tanh →", 0, 0, "", ""),
              ("h_t", batch, units, PALETTE[1], "(batch, units)")]
    x, middle = 0.0, -max(batch, features, units) / 2
    for name, rows, cols, color, label in pieces:
        if rows == 0:
            width = 3.0 if "tanh" in name else 0.9
            ax.text(x + width / 2, middle, name, ha="center", va="center", fontsize=13)
            x += width
            continue
        top = middle + rows / 2
        shown = {"x_t": "$x_t$", "h_{t-1}": "$h_{t-1}$", "h_t": "$h_t$", "W_xh": "$W_{xh}$",
                 "W_hh": "$W_{hh}$", "b": "$b$"}[name]
        label = f"{label}\n= ({rows}, {cols})" if name != "b" else f"{label}\n= ({cols},)"
        x += _grid(ax, x, top, rows, cols, color, label, shown) + 0.3
    tallest = max(batch, features, units)
    ax.set(xlim=(-0.3, x), ylim=(-tallest - 2.0, 1.5), aspect="equal")
    ax.axis("off")
    return ax


def _box(ax: Any, x: float, y: float, text: str, color: str, width: float = 0.8, height: float = 0.6) -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.04",
                                facecolor=color, edgecolor="#333333", alpha=0.9))
    ax.text(x, y, text, ha="center", va="center", fontsize=10, color="white")


def _arrow(ax: Any, start: tuple[float, float], end: tuple[float, float], color: str = "#333333") -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="->", color=color, lw=1.4))


def draw_unrolled(ax: Any, steps: int = 4) -> Any:
    """The RNN unrolled over ``steps`` time steps: one cell, the same weights, the state passed along. Introduced in notebook 30."""
    from utils.plots import PALETTE

    if not 1 <= steps <= 8:
        raise ValueError(f"steps must be between 1 and 8, got {steps}")
    for t in range(1, steps + 1):
        x = 1.6 * t
        _box(ax, x, 0.0, "RNN cell", PALETTE[0], width=1.0)
        ax.text(x, -1.25, f"$x_{t}$", ha="center", va="center", fontsize=12)
        _arrow(ax, (x, -1.05), (x, -0.34))
        ax.text(x, 1.25, f"$h_{t}$", ha="center", va="center", fontsize=12)
        _arrow(ax, (x, 0.34), (x, 1.05))
        _arrow(ax, (x - 1.1, 0.0), (x - 0.52, 0.0), PALETTE[2])
        ax.text(x - 0.8, 0.12, f"$h_{t - 1}$", ha="center", va="bottom", fontsize=9, color=PALETTE[2])
    ax.text(1.6 * (steps + 1) / 2, -1.75, "the same $W_{xh}$, $W_{hh}$, $b$ in every box",
            ha="center", va="center", fontsize=10)
    ax.text(0.45, 0.0, "$h_0 = 0$", ha="right", va="center", fontsize=10, color=PALETTE[2])
    ax.set(xlim=(-0.5, 1.6 * steps + 0.8), ylim=(-2.0, 1.6))
    ax.axis("off")
    return ax


ARCHITECTURES: dict[str, str] = {
    "many-to-many": "tagging each word (NER), a prediction per step",
    "many-to-one": "sentiment of a review, the sign of a sum",
    "one-to-many": "a caption from one image, music from a seed",
    "encoder–decoder": "translation: read all, then write",
}


def draw_architecture(ax: Any, kind: str, steps: int = 4) -> Any:
    """One of the four sequence set-ups (``ARCHITECTURES``) as boxes: inputs below, outputs above. Introduced in notebook 30."""
    from utils.plots import PALETTE

    if kind not in ARCHITECTURES:
        raise ValueError(f"kind must be one of {list(ARCHITECTURES)}, got {kind!r}")
    if not 2 <= steps <= 6:
        raise ValueError(f"steps must be between 2 and 6, got {steps}")
    if kind == "encoder–decoder":
        cells = [(t, PALETTE[0], True, False) for t in range(steps - 1)] + [
            (steps - 1 + t, PALETTE[1], False, True) for t in range(steps - 1)]
    else:
        inputs = {"many-to-many": range(steps), "many-to-one": range(steps), "one-to-many": [0]}[kind]
        outputs = {"many-to-many": range(steps), "many-to-one": [steps - 1], "one-to-many": range(steps)}[kind]
        cells = [(t, PALETTE[0], t in inputs, t in outputs) for t in range(steps)]
    for position, color, has_input, has_output in cells:
        x = position * 1.2
        _box(ax, x, 0.0, "", color, width=0.7, height=0.5)
        if has_input:
            _box(ax, x, -1.1, "x", "#888888", width=0.5, height=0.4)
            _arrow(ax, (x, -0.88), (x, -0.28))
        if has_output:
            _box(ax, x, 1.1, "ŷ", PALETTE[4], width=0.5, height=0.4)
            _arrow(ax, (x, 0.28), (x, 0.88))
        if position > 0:
            _arrow(ax, (x - 0.85, 0.0), (x - 0.37, 0.0), PALETTE[2])
    if kind == "encoder–decoder":
        middle = (steps - 1.5) * 1.2
        ax.text(middle, 0.3, "context", ha="center", va="bottom", fontsize=8, color=PALETTE[2])
        ax.text(0.6 * (steps - 2), -1.65, "encoder", ha="center", fontsize=9, color=PALETTE[0])
        ax.text(1.2 * (steps - 1) + 0.6 * (steps - 2), -1.65, "decoder", ha="center", fontsize=9,
                color=PALETTE[1])
    last = max(position for position, *_ in cells) * 1.2
    ax.set_title(kind, fontsize=11)
    ax.text(last / 2, 1.75, ARCHITECTURES[kind], ha="center", va="center", fontsize=9, color="#333333")
    ax.set(xlim=(-0.6, last + 0.6), ylim=(-1.9, 2.0))
    ax.axis("off")
    return ax


def hidden_state_animation(
    x: Any, states: Any, probabilities: Any = None, max_units: int = 8
) -> tuple[Any, Any, int]:
    """(figure, draw_frame, frames) for ``animation.player``: the hidden state filling in step by step. Introduced in notebook 30.

    ``x`` is one sequence (time,) or (time, 1), ``states`` its hidden states (time, units) and
    ``probabilities`` (time,) an optional readout of each state (e.g. the model's P(sum > 0)).
    """
    import matplotlib.pyplot as plt

    from utils.plots import PALETTE

    values = np.asarray(x, dtype=np.float64).reshape(-1)
    states = _float_array(states, "states", 2)
    time = len(values)
    if time == 0:
        raise ValueError("x is an empty sequence")
    if states.shape[0] != time:
        raise ValueError(f"states must have one row per time step ({time}), got shape {states.shape}")
    shown = states[:, :max_units]
    readout = None if probabilities is None else np.asarray(probabilities, dtype=np.float64).reshape(-1)
    if readout is not None and readout.shape != (time,):
        raise ValueError(f"probabilities must have one value per time step ({time}), got shape {readout.shape}")
    fig, grid_axes = plt.subplots(2, 2, figsize=(7.5, 4.8),
                                  gridspec_kw={"height_ratios": [1, 1.4], "width_ratios": [40, 1]})
    top, bottom = grid_axes[:, 0]
    grid_axes[0, 1].axis("off")
    steps = np.arange(1, time + 1)
    running = np.cumsum(values)
    # the artists are made once; each frame only changes their data (fast redraws)
    bars = top.bar(steps, values, color="#dddddd")
    (line,) = top.plot([], [], "o-", color=PALETTE[1], label="running sum")
    top.axhline(0, color="#333333", lw=0.8)
    top.legend(loc="upper left", fontsize=9)
    top.set(xlim=(0.5, time + 0.5), ylabel="input value (no unit)",
            ylim=(min(values.min(), running.min(), 0) - 0.5, max(values.max(), running.max(), 0) + 0.5))
    top.set_xticks(steps)
    top.tick_params(labelbottom=False)
    image = bottom.imshow(np.full(shown.T.shape, np.nan), aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1,
                          interpolation="nearest", extent=(0.5, time + 0.5, shown.shape[1] - 0.5, -0.5))
    bottom.grid(False)
    bottom.set(xlabel="time step t", ylabel="hidden unit",
               title="Hidden state $h_t$ (colour: value of each unit, from −1 to +1)")
    bottom.set_xticks(steps)
    bottom.set_yticks(range(shown.shape[1]))
    fig.colorbar(image, cax=grid_axes[1, 1], label="$h_t$ (no unit)")

    def draw(index: int) -> None:
        for t, bar in enumerate(bars):
            bar.set_color(PALETTE[0] if t <= index else "#dddddd")
        line.set_data(steps[: index + 1], running[: index + 1])
        title = f"Step {index + 1} of {time}: input $x_{{{index + 1}}}$ = {values[index]:+.2f}"
        if readout is not None:
            title += f", model's P(sum > 0) = {readout[index]:.2f}"
        top.set_title(title.replace("-", "−"))
        grid = np.full(shown.T.shape, np.nan)
        grid[:, : index + 1] = shown[: index + 1].T
        image.set_data(grid)

    return fig, draw, time
