"""The echo task: repeat the symbol seen k steps earlier; its data, metrics, an LSTM read out, plots, explorer.

A sequence ``x`` of random symbols 0 … n_symbols − 1 has the target ``y[t] = x[t − k]`` for
``t ≥ k``; the first k steps have no echo yet and hold ``FILL`` (−1): they are left out of the
loss and of the accuracy. Introduced in notebook 32.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from utils.plots import PALETTE
from utils.widgets import Explorer

FILL = -1  # target of the first k steps, where nothing was seen k steps earlier


@dataclass(frozen=True)
class EchoData:
    """Input symbols ``x`` (n, T), targets ``y`` (n, T) with FILL on the first k steps, and k."""

    x: np.ndarray
    y: np.ndarray
    k: int
    n_symbols: int

    @property
    def mask(self) -> np.ndarray:
        """True where the echo is defined (t ≥ k)."""
        return self.y != FILL


def _whole(value: Any, name: str, low: int) -> int:
    """``value`` as an int ≥ ``low``, or a ValueError naming the argument."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")
    return int(value)


def _symbols(x: Any, name: str = "x") -> np.ndarray:
    """A non-empty 2-D integer array (sequences × time steps), or a ValueError."""
    array = np.asarray(x)
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (sequences, time steps), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}): it needs at least one sequence and one step")
    if array.dtype.kind not in "iu":
        if array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
            return array.astype(np.int64)
        raise ValueError(f"{name} must hold integer symbols, got dtype {array.dtype}")
    return array.astype(np.int64)


def _check_k(k: Any, length: int) -> int:
    k = _whole(k, "k", 1)
    if k >= length:
        raise ValueError(f"k = {k} must be smaller than the sequence length {length}: no step would have an echo")
    return k


def echo_targets(x: Any, k: int, fill: int = FILL) -> np.ndarray:
    """Targets y[:, t] = x[:, t − k] for t ≥ k and ``fill`` for the first k steps."""
    x = _symbols(x)
    k = _check_k(k, x.shape[1])
    y = np.full_like(x, fill)
    y[:, k:] = x[:, :-k]
    return y


def make_echo_data(n_sequences: int, length: int, k: int, n_symbols: int = 4, seed: int = 0) -> EchoData:
    """Seeded random symbol sequences and their echo targets (k steps back)."""
    n_sequences = _whole(n_sequences, "n_sequences", 1)
    length = _whole(length, "length", 2)
    n_symbols = _whole(n_symbols, "n_symbols", 2)
    k = _check_k(k, length)
    x = np.random.default_rng(seed).integers(0, n_symbols, size=(n_sequences, length))
    return EchoData(x=x, y=echo_targets(x, k), k=k, n_symbols=n_symbols)


def one_hot(x: Any, n_symbols: int) -> np.ndarray:
    """Symbols (n, T) as float32 one-hot vectors (n, T, n_symbols)."""
    x = _symbols(x)
    n_symbols = _whole(n_symbols, "n_symbols", 2)
    if x.min() < 0 or x.max() >= n_symbols:
        raise ValueError(f"symbols must lie in 0 … {n_symbols - 1}, got values from {x.min()} to {x.max()}")
    return np.eye(n_symbols, dtype=np.float32)[x]


def keras_targets(y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Targets with FILL replaced by 0 (any valid class) and sample weights 0 there, 1 elsewhere."""
    y = _symbols(y, "y")
    defined = y != FILL
    return np.where(defined, y, 0), defined.astype(np.float32)


def _probabilities(y: np.ndarray, y_prob: Any) -> np.ndarray:
    probabilities = np.asarray(y_prob, dtype=np.float64)
    if probabilities.ndim != 3 or probabilities.shape[:2] != y.shape:
        raise ValueError(
            f"y_prob must have shape (sequences, time steps, symbols) = {y.shape} + (n_symbols,), "
            f"got {probabilities.shape}")
    if not np.all(np.isfinite(probabilities)):
        raise ValueError("y_prob contains NaN or infinite values")
    if y.max() >= probabilities.shape[2]:
        raise ValueError(f"y holds symbol {y.max()} but y_prob has only {probabilities.shape[2]} symbols")
    return probabilities


def defined_step_accuracy(y: Any, y_prob: Any) -> float:
    """Share of right argmax predictions on the steps where the echo is defined (y ≠ FILL)."""
    y = _symbols(y, "y")
    probabilities = _probabilities(y, y_prob)
    defined = y != FILL
    if not defined.any():
        raise ValueError("y has no defined step (every target is FILL)")
    return float(np.mean(probabilities.argmax(axis=-1)[defined] == y[defined]))


def step_cross_entropy(y: Any, y_prob: Any) -> np.ndarray:
    """Cross-entropy (nats) of each sequence and step, −log p(target); NaN where the echo is undefined."""
    y = _symbols(y, "y")
    probabilities = _probabilities(y, y_prob)
    defined = y != FILL
    picked = np.take_along_axis(probabilities, np.where(defined, y, 0)[..., None], axis=-1)[..., 0]
    return np.where(defined, -np.log(np.clip(picked, 1e-7, 1.0)), np.nan)


def mean_step_loss(y: Any, y_prob: Any) -> np.ndarray:
    """Cross-entropy at each time step averaged over the sequences; NaN at steps with no echo."""
    losses = step_cross_entropy(y, y_prob)
    defined = ~np.isnan(losses)
    counts = defined.sum(axis=0)
    totals = np.where(defined, losses, 0.0).sum(axis=0)
    return np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)


def masked_cross_entropy(y: Any, y_prob: Any) -> float:
    """Mean cross-entropy over the defined steps only: Σ wₜ ℓₜ / Σ wₜ."""
    losses = step_cross_entropy(y, y_prob)
    if np.all(np.isnan(losses)):
        raise ValueError("y has no defined step (every target is FILL)")
    return float(np.nanmean(losses))


def probe_lags(states: Any, x: Any, lags: Sequence[int], start: int = 0, ridge: float = 1e-3) -> np.ndarray:
    """Held-out accuracy of a linear read-out of x[t − lag] from the state at step t, for each lag.

    The read-out is ridge regression onto one-hot symbols (closed form), fitted on the first half
    of the sequences and scored on the second half, over the steps t ≥ max(start, lag).
    """
    states = np.asarray(states, dtype=np.float64)
    x = _symbols(x)
    if states.ndim != 3 or states.shape[:2] != x.shape:
        raise ValueError(f"states must have shape {x.shape} + (units,), got {states.shape}")
    if x.shape[0] < 2:
        raise ValueError("probe_lags needs at least two sequences (one half fits, the other scores)")
    n_symbols = int(x.max()) + 1
    half = x.shape[0] // 2
    scores = []
    for lag in lags:
        lag = _whole(lag, "lag", 0)
        first = max(start, lag)
        if first >= x.shape[1]:
            raise ValueError(f"lag {lag} leaves no step in sequences of length {x.shape[1]}")
        features = states[:, first:]
        targets = x[:, first - lag:x.shape[1] - lag]

        def design(part: slice) -> np.ndarray:
            block = features[part].reshape(-1, states.shape[2])
            return np.hstack([block, np.ones((len(block), 1))])

        A, B = design(slice(0, half)), design(slice(half, None))
        Y = np.eye(n_symbols)[targets[:half].ravel()]
        weights = np.linalg.solve(A.T @ A + ridge * np.eye(A.shape[1]), A.T @ Y)
        scores.append(float(np.mean((B @ weights).argmax(axis=1) == targets[half:].ravel())))
    return np.array(scores)


# ---------------------------------------------------------------------------------------------
# The k × units sweep: every configuration trained at once, as separate branches of one model
# ---------------------------------------------------------------------------------------------

def _blocks(units: Sequence[int]) -> list[slice]:
    """The slice of the packed hidden state that belongs to each network."""
    edges = np.cumsum([0, *units])
    return [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


def packed_weights(n_symbols: int, units: Sequence[int], seed: int = 0) -> dict[str, np.ndarray]:
    """Initial weights of independent LSTM + Dense networks packed side by side, and their masks.

    Each network gets the initial weights Keras would give it alone (Glorot-uniform kernel,
    orthogonal recurrent kernel, forget-gate bias 1); the recurrent kernel and the read-out are
    block-diagonal, so no network ever reads another's state.
    """
    rng = np.random.default_rng(seed)
    total, outputs = int(sum(units)), len(units) * n_symbols
    kernel, recurrent = np.zeros((n_symbols, 4 * total)), np.zeros((total, 4 * total))
    bias, recurrent_mask = np.zeros(4 * total), np.zeros((total, 4 * total))
    head, head_mask = np.zeros((total, outputs)), np.zeros((total, outputs))
    for index, (block, size) in enumerate(zip(_blocks(units), units)):
        limit = np.sqrt(6 / (n_symbols + 4 * size))
        q, r = np.linalg.qr(rng.normal(size=(4 * size, size)))
        orthogonal = (q * np.sign(np.diag(r))).T  # (size, 4 size), orthonormal rows
        head_limit = np.sqrt(6 / (size + n_symbols))
        columns = slice(index * n_symbols, (index + 1) * n_symbols)
        head[block, columns] = rng.uniform(-head_limit, head_limit, size=(size, n_symbols))
        head_mask[block, columns] = 1.0
        for gate in range(4):
            gate_columns = slice(gate * total + block.start, gate * total + block.stop)
            kernel[:, gate_columns] = rng.uniform(-limit, limit, size=(n_symbols, size))
            recurrent[block, gate_columns] = orthogonal[:, gate * size:(gate + 1) * size]
            recurrent_mask[block, gate_columns] = 1.0
        bias[total + block.start:total + block.stop] = 1.0  # unit_forget_bias, as Keras does
    return {"kernel": kernel, "recurrent_kernel": recurrent, "bias": bias, "head": head,
            "recurrent_mask": recurrent_mask, "head_mask": head_mask}


def sweep_model(length: int, n_symbols: int, units: Sequence[int], seed: int = 0) -> Any:
    """Several independent LSTM(u) + Dense networks packed in one wide LSTM with block-diagonal weights.

    The output has shape (batch, T, networks, n_symbols): network j's softmax at each step.
    One wide layer traces and runs much faster than many small ones, and the masks keep every
    network's gradients its own, so each trains exactly as it would alone (same optimizer).
    """
    import keras

    weights = packed_weights(n_symbols, units, seed)

    class KeepMask(keras.constraints.Constraint):
        """Zero the weights outside the blocks after every update."""

        def __init__(self, mask: np.ndarray) -> None:
            self.mask = mask.astype("float32")

        def __call__(self, w: Any) -> Any:
            return w * self.mask

    total = int(sum(units))
    inputs = keras.Input(shape=(length, n_symbols))
    lstm = keras.layers.LSTM(total, return_sequences=True,
                             recurrent_constraint=KeepMask(weights["recurrent_mask"]))
    head = keras.layers.Dense(len(units) * n_symbols, kernel_constraint=KeepMask(weights["head_mask"]))
    logits = keras.layers.Reshape((length, len(units), n_symbols))(head(lstm(inputs)))
    model = keras.Model(inputs, keras.layers.Softmax()(logits))
    lstm.set_weights([weights["kernel"], weights["recurrent_kernel"], weights["bias"]])
    head.set_weights([weights["head"], np.zeros(len(units) * n_symbols)])
    return model


@dataclass(frozen=True)
class Sweep:
    """Held-out echo accuracy for each k (rows) and number of units (columns), and the test predictions."""

    ks: tuple[int, ...]
    units: tuple[int, ...]
    accuracy: np.ndarray
    y_prob: dict[tuple[int, int], np.ndarray]


def run_sweep(x_train: Any, x_test: Any, ks: Sequence[int], units: Sequence[int], n_symbols: int,
              epochs: int = 6, batch_size: int = 64, lr: float = 0.01, seed: int = 0) -> Sweep:
    """Train one LSTM per (k, units) pair on the same inputs (each on its own echo targets); score on x_test."""
    import keras

    x_train, x_test = _symbols(x_train, "x_train"), _symbols(x_test, "x_test")
    ks = tuple(_check_k(k, x_train.shape[1]) for k in ks)
    units = tuple(_whole(u, "units", 1) for u in units)
    if not ks or not units:
        raise ValueError("ks and units must each name at least one value")
    pairs = [(k, size) for k in ks for size in units]
    keras.utils.set_random_seed(seed)
    model = sweep_model(x_train.shape[1], n_symbols, [size for _, size in pairs], seed)
    targets, weights = zip(*(keras_targets(echo_targets(x_train, k)) for k, _ in pairs))
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy")
    model.fit(one_hot(x_train, n_symbols), np.stack(targets, axis=-1), sample_weight=np.stack(weights, axis=-1),
              epochs=epochs, batch_size=batch_size, verbose=0)
    predictions = model.predict(one_hot(x_test, n_symbols), batch_size=len(x_test), verbose=0)
    y_prob, accuracy = {}, np.zeros((len(ks), len(units)))
    for index, (k, size) in enumerate(pairs):
        probabilities = np.asarray(predictions[:, :, index], dtype=np.float64)
        accuracy[ks.index(k), units.index(size)] = defined_step_accuracy(echo_targets(x_test, k), probabilities)
        y_prob[k, size] = probabilities
    return Sweep(ks, units, accuracy, y_prob)


# ---------------------------------------------------------------------------------------------
# Plots and the explorer
# ---------------------------------------------------------------------------------------------

def symbol_colours(n_symbols: int) -> ListedColormap:
    """One colour per symbol, plus light grey for FILL (shown as value −1)."""
    return ListedColormap(["#DDDDDD", *PALETTE[:n_symbols]])


def plot_sweep(sweep: Sweep, ax: Axes, n_symbols: int | None = None) -> Axes:
    """Held-out accuracy against k, one line per number of units, with chance level."""
    for column, size in enumerate(sweep.units):
        ax.plot(sweep.ks, sweep.accuracy[:, column], marker="o", color=PALETTE[column % len(PALETTE)],
                label=f"{size} units")
    if n_symbols:
        ax.axhline(1 / n_symbols, color="grey", linestyle=":", label=f"chance (1/{n_symbols})")
    ax.axhline(0.95, color="k", linestyle="--", linewidth=0.8, label="target 0.95")
    ax.set(xlabel="echo delay k (time steps)", ylabel="held-out accuracy (defined steps)",
           xticks=list(sweep.ks), ylim=(0, 1.03), title="Echo accuracy: longer delays need more units")
    ax.legend(fontsize=8, loc="lower left")
    return ax


def echo_explorer(x: Any, y_prob: Mapping[tuple[int, int], Any], k: int, units: int, step: int | None = None,
                  n_symbols: int | None = None) -> Explorer:
    """Pick k, the units and a time step of one sequence: its input, echo target and predictions per step."""
    x = _symbols(np.asarray(x).reshape(1, -1) if np.ndim(x) == 1 else x)
    if x.shape[0] != 1:
        raise ValueError(f"x must be one sequence (shape (T,) or (1, T)), got {x.shape}")
    if not y_prob:
        raise ValueError("y_prob must map (k, units) to predictions of shape (T, n_symbols)")
    length = x.shape[1]
    n_symbols = n_symbols or int(np.asarray(next(iter(y_prob.values()))).shape[-1])
    tables: dict[tuple[int, int], np.ndarray] = {}
    for key, value in y_prob.items():
        value = np.asarray(value, dtype=np.float64).reshape(-1, length, n_symbols)
        if value.shape[0] != 1:
            raise ValueError(f"y_prob[{key}] must hold one sequence's predictions, shape ({length}, {n_symbols})")
        tables[tuple(key)] = value[0]
    ks = sorted({key[0] for key in tables})
    sizes = sorted({key[1] for key in tables})
    if (k, units) not in tables:
        raise ValueError(f"(k, units) = ({k}, {units}) has no predictions; available: {sorted(tables)}")
    step = length - 1 if step is None else step
    if not 0 <= step < length:
        raise ValueError(f"step must lie in 0 … {length - 1}, got {step}")
    colours = symbol_colours(n_symbols)
    parts: dict[str, Any] = {}
    rows = ["input $x_t$", "target $x_{t-k}$", "prediction"]

    def build(fig: Figure) -> None:
        top, bottom = fig.subplots(2, 1, height_ratios=[1.1, 1.0], sharex=True)
        parts["grid"] = top.imshow(np.zeros((3, length)), cmap=colours, vmin=-1.5, vmax=n_symbols - 0.5,
                                   aspect="auto")
        parts["labels"] = [[top.text(t, r, "", ha="center", va="center", fontsize=9, color="white")
                            for t in range(length)] for r in range(3)]
        top.set_yticks(range(3), rows)
        for edge in (0.5, 1.5):
            top.axhline(edge, color="white", linewidth=3)
        top.set_title("One held-out sequence: grey = no echo defined yet, ✗ = wrong prediction")
        top.grid(False)
        parts["now"] = top.add_patch(Rectangle((step - 0.5, -0.5), 1, 3, fill=False, linewidth=2.5, color="k"))
        parts["source"] = top.add_patch(Rectangle((step - 0.5, -0.5), 1, 1, fill=False, linewidth=2.5,
                                                  color=PALETTE[1], linestyle="--"))
        parts["heat"] = bottom.imshow(np.zeros((n_symbols, length)), cmap="Greys", vmin=0, vmax=1, aspect="auto",
                                      origin="lower")
        (parts["truth"],) = bottom.plot([], [], linestyle="none", marker="o", markersize=6, markerfacecolor="none",
                                        markeredgecolor=PALETTE[1], label="target symbol")
        parts["cursor"] = bottom.axvline(step, color="k", linewidth=1)
        bottom.set(yticks=range(n_symbols), xticks=range(0, length, 2), xlabel="time step t", ylabel="symbol",
                   title="Predicted probability of each symbol per step (darker = more likely)")
        bottom.grid(False)
        bottom.legend(loc="upper left", fontsize=8, bbox_to_anchor=(1.0, 1.0))
        for artist in [parts["grid"], parts["heat"], parts["truth"], parts["now"], parts["source"],
                       parts["cursor"], *[a for row in parts["labels"] for a in row]]:
            artist.set_animated(True)

    def draw(fig: Figure, k: int, units: int, step: int) -> str:
        if not parts:
            build(fig)
        probabilities = tables[k, units]
        target = echo_targets(x, k)[0]
        predicted = probabilities.argmax(axis=1)
        shown_prediction = np.where(target == FILL, FILL, predicted)
        parts["grid"].set_data(np.vstack([x[0], target, shown_prediction]))
        for t in range(length):
            parts["labels"][0][t].set_text(str(x[0, t]))
            parts["labels"][1][t].set_text("" if target[t] == FILL else str(target[t]))
            wrong = target[t] != FILL and predicted[t] != target[t]
            parts["labels"][2][t].set_text("" if target[t] == FILL else f"{predicted[t]}{'✗' if wrong else ''}")
        parts["heat"].set_data(probabilities.T)
        defined = np.flatnonzero(target != FILL)
        parts["truth"].set_data(defined, target[defined])
        parts["now"].set_x(step - 0.5)
        parts["cursor"].set_xdata([step, step])
        parts["source"].set_visible(step >= k)
        parts["source"].set_x(step - k - 0.5)
        right = int(np.sum(predicted[defined] == target[defined]))
        summary = f"k = {k}, {units} units: {right}/{len(defined)} defined steps right on this sequence"
        if step < k:
            return f"{summary}. Step {step}: no echo yet (the sequence started {step} steps ago, k = {k})."
        p = probabilities[step, target[step]]
        return (f"{summary}. Step {step}: target x[{step - k}] = {target[step]}, predicted {predicted[step]} "
                f"(p of the target {p:.2f})")

    controls = {
        "k": ipw.SelectionSlider(options=ks, value=k, description="k", continuous_update=False),
        "units": ipw.SelectionSlider(options=sizes, value=units, description="units", continuous_update=False),
        "step": ipw.IntSlider(value=step, min=0, max=length - 1, description="time step", continuous_update=False),
    }
    return Explorer(controls, draw, figsize=(10.0, 4.6), rebuild=False)
