"""Small networks by hand: forward passes, error feedback, a network diagram and two explorers.

The pure computations (forward pass, error feedback, a tiny NumPy trainer) are separate from the
drawing and the widgets, so the tests can check the numbers without a browser. Introduced in
notebooks 01 and 03.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import ipywidgets as ipw
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer, slider

Params = dict[str, np.ndarray]


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------

def _finite_array(value: Any, name: str, ndim: int | None = None) -> np.ndarray:
    """``value`` as a float64 array; ValueError naming ``name`` if it has NaN/inf or the wrong ndim."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric, got {type(value).__name__}") from error
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _labels(y: Any, n: int, name: str = "y") -> np.ndarray:
    labels = _finite_array(y, name).ravel()
    if labels.size != n:
        raise ValueError(f"{name} has {labels.size} labels but X has {n} rows")
    if not np.all(np.isin(labels, (0.0, 1.0))):
        raise ValueError(f"{name} must hold 0/1 labels")
    return labels


# ---------------------------------------------------------------------------------------------
# Forward pass
# ---------------------------------------------------------------------------------------------

def sigmoid(z: Any) -> np.ndarray:
    """The logistic function 1 / (1 + e^(−z)), element-wise and without overflow. Introduced in notebook 02."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -z))


ACTIVATIONS = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0), "linear": lambda z: z}


def dense_forward(x: Any, W: Any, b: Any, activation: str = "sigmoid") -> np.ndarray:
    """One dense layer: activation(x @ W + b), for one example (n_in,) or a batch (m, n_in). Introduced in notebook 03."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    x = _finite_array(x, "x")
    W = _finite_array(W, "W", ndim=2)
    b = _finite_array(b, "b", ndim=1)
    if x.ndim not in (1, 2) or x.shape[-1] != W.shape[0]:
        raise ValueError(f"x must have {W.shape[0]} features (rows of W) in its last axis, got shape {x.shape}")
    if b.shape[0] != W.shape[1]:
        raise ValueError(f"b must have one entry per unit ({W.shape[1]}), got shape {b.shape}")
    return ACTIVATIONS[activation](x @ W + b)


def forward_pass(x: Any, layers: Sequence[tuple[Any, Any]], activation: str = "sigmoid") -> list[np.ndarray]:
    """Every layer's output for ``layers = [(W1, b1), (W2, b2), ...]``; the last entry is the prediction. Introduced in notebook 03."""
    if not layers:
        raise ValueError("layers must hold at least one (W, b) pair")
    outputs, current = [], x
    for index, layer in enumerate(layers):
        if len(layer) != 2:
            raise ValueError(f"layers[{index}] must be a (W, b) pair")
        current = dense_forward(current, layer[0], layer[1], activation)
        outputs.append(current)
    return outputs


def count_parameters(layer_sizes: Sequence[int]) -> int:
    """Weights plus biases of a stack of dense layers with these sizes (inputs first). Introduced in notebook 01."""
    sizes = list(layer_sizes)
    if len(sizes) < 2 or any(not isinstance(s, (int, np.integer)) or s < 1 for s in sizes):
        raise ValueError(f"layer_sizes must list at least two positive integers, got {layer_sizes!r}")
    return int(sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])))


# ---------------------------------------------------------------------------------------------
# The koala network of notebook 03
# ---------------------------------------------------------------------------------------------

CUES = ("dark round spots", "big dark oval", "fluffy tufts", "grey fur", "thick limbs", "curved claws")
DETECTORS = ("eyes", "nose", "ears", "fur", "limbs")
COORDINATORS = ("head", "body")
DECISION = ("koala?",)


def koala_weights() -> Params:
    """Hand-picked named weights of the koala network: cues → detectors → head/body → decision. Introduced in notebook 03."""
    # Each detector listens mostly to one cue; ears also like grey fur, limbs also like claws.
    W_detect = np.array([
        #  eyes  nose  ears   fur  limbs
        [6.0, 0.0, 0.0, 0.0, 0.0],   # dark round spots
        [0.0, 6.0, 0.0, 0.0, 0.0],   # big dark oval
        [0.0, 0.0, 5.0, 0.0, 0.0],   # fluffy tufts
        [0.0, 0.0, 1.0, 6.0, 0.0],   # grey fur
        [0.0, 0.0, 0.0, 0.0, 4.0],   # thick limbs
        [0.0, 0.0, 0.0, 0.0, 2.0],   # curved claws
    ])
    b_detect = np.array([-3.0, -3.0, -3.0, -3.0, -3.0])
    W_coord = np.array([
        # head  body
        [3.0, 0.0],   # eyes
        [4.0, 0.0],   # nose (a koala's big nose is its most telling feature)
        [3.0, 0.0],   # ears
        [0.0, 4.0],   # fur
        [0.0, 3.0],   # limbs
    ])
    b_coord = np.array([-7.0, -3.5])  # the head fires only when most of its parts agree
    W_decide = np.array([[5.0], [3.0]])  # head counts more than body
    b_decide = np.array([-5.0])
    return {"W_detect": W_detect, "b_detect": b_detect, "W_coord": W_coord, "b_coord": b_coord,
            "W_decide": W_decide, "b_decide": b_decide}


KOALA_KEYS = ("W_detect", "b_detect", "W_coord", "b_coord", "W_decide", "b_decide")


def _koala_params(weights: Mapping[str, Any]) -> Params:
    missing = [key for key in KOALA_KEYS if key not in weights]
    if missing:
        raise ValueError(f"weights is missing {missing}; expected the keys {list(KOALA_KEYS)}")
    params = {key: _finite_array(weights[key], f"weights[{key!r}]") for key in KOALA_KEYS}
    expected = {"W_detect": (len(CUES), len(DETECTORS)), "b_detect": (len(DETECTORS),),
                "W_coord": (len(DETECTORS), len(COORDINATORS)), "b_coord": (len(COORDINATORS),),
                "W_decide": (len(COORDINATORS), 1), "b_decide": (1,)}
    for key, shape in expected.items():
        if params[key].shape != shape:
            raise ValueError(f"weights[{key!r}] must have shape {shape}, got {params[key].shape}")
    return params


def koala_forward(cues: Any, weights: Mapping[str, Any] | None = None) -> dict[str, np.ndarray]:
    """Detector scores, head/body scores and P(koala) for cue scores (6,) or (m, 6). Introduced in notebook 03."""
    params = _koala_params(koala_weights() if weights is None else weights)
    cues = _finite_array(cues, "cues")
    if cues.ndim not in (1, 2) or cues.shape[-1] != len(CUES):
        raise ValueError(f"cues must have {len(CUES)} scores ({', '.join(CUES)}) in its last axis, got shape {cues.shape}")
    detectors = sigmoid(cues @ params["W_detect"] + params["b_detect"])
    coordinators = sigmoid(detectors @ params["W_coord"] + params["b_coord"])
    probability = sigmoid(coordinators @ params["W_decide"] + params["b_decide"])
    return {"detectors": detectors, "coordinators": coordinators, "probability": probability}


def koala_from_detectors(detectors: Any, weights: Mapping[str, Any] | None = None) -> dict[str, np.ndarray]:
    """Head/body scores and P(koala) when the detector scores (5,) are given directly. Introduced in notebook 03."""
    params = _koala_params(koala_weights() if weights is None else weights)
    detectors = _finite_array(detectors, "detectors")
    if detectors.shape[-1:] != (len(DETECTORS),):
        raise ValueError(f"detectors must have {len(DETECTORS)} scores ({', '.join(DETECTORS)}), got shape {detectors.shape}")
    coordinators = sigmoid(detectors @ params["W_coord"] + params["b_coord"])
    probability = sigmoid(coordinators @ params["W_decide"] + params["b_decide"])
    return {"detectors": detectors, "coordinators": coordinators, "probability": probability}


def error_feedback(cues: Any, label: Any, weights: Mapping[str, Any] | None = None) -> dict[str, np.ndarray]:
    """Each layer's error signal and the log-loss gradient of every named weight, passed backwards. Introduced in notebook 03."""
    params = _koala_params(koala_weights() if weights is None else weights)
    cues = np.atleast_2d(_finite_array(cues, "cues"))
    labels = _labels(label, cues.shape[0], "label").reshape(-1, 1)
    state = koala_forward(cues, params)
    m = cues.shape[0]
    error_decide = state["probability"] - labels                      # log loss + sigmoid: dL/dz = p − y
    error_coord = (error_decide @ params["W_decide"].T) * state["coordinators"] * (1 - state["coordinators"])
    error_detect = (error_coord @ params["W_coord"].T) * state["detectors"] * (1 - state["detectors"])
    return {
        "error_decide": error_decide, "error_coord": error_coord, "error_detect": error_detect,
        "W_decide": state["coordinators"].T @ error_decide / m, "b_decide": error_decide.mean(axis=0),
        "W_coord": state["detectors"].T @ error_coord / m, "b_coord": error_coord.mean(axis=0),
        "W_detect": cues.T @ error_detect / m, "b_detect": error_detect.mean(axis=0),
    }


def feedback_step(weights: Mapping[str, Any], gradients: Mapping[str, Any], learning_rate: float) -> Params:
    """New weights after one step against the gradients: W ← W − learning_rate · dL/dW. Introduced in notebook 03."""
    if not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    params = _koala_params(weights)
    missing = [key for key in KOALA_KEYS if key not in gradients]
    if missing:
        raise ValueError(f"gradients is missing {missing}")
    return {key: params[key] - learning_rate * np.asarray(gradients[key], dtype=np.float64) for key in KOALA_KEYS}


def log_loss(y_true: Any, y_prob: Any) -> float:
    """Mean binary cross-entropy with Keras' clipping (1e-7). Introduced in notebook 02."""
    y = _finite_array(y_true, "y_true").ravel()
    p = np.clip(_finite_array(y_prob, "y_prob").ravel(), 1e-7, 1 - 1e-7)
    if y.shape != p.shape:
        raise ValueError(f"y_true has {y.size} values but y_prob has {p.size}")
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


# ---------------------------------------------------------------------------------------------
# A network diagram
# ---------------------------------------------------------------------------------------------

def draw_network(
    layers: Sequence[Sequence[str]],
    ax: Axes | None = None,
    weights: Sequence[Any] | None = None,
    activations: Sequence[Any] | None = None,
    layer_titles: Sequence[str] | None = None,
    title: str = "A small neural network",
) -> Axes:
    """Draw named nodes layer by layer; edges coloured by weight sign, nodes shaded by activation. Introduced in notebook 01."""
    if len(layers) < 2 or any(len(layer) == 0 for layer in layers):
        raise ValueError("layers must list at least two non-empty layers of node names")
    if weights is not None:
        if len(weights) != len(layers) - 1:
            raise ValueError(f"weights must hold {len(layers) - 1} matrices (one per pair of layers), got {len(weights)}")
        for index, matrix in enumerate(weights):
            shape = np.shape(matrix)
            if shape != (len(layers[index]), len(layers[index + 1])):
                raise ValueError(f"weights[{index}] must have shape {(len(layers[index]), len(layers[index + 1]))}, got {shape}")
    if activations is not None and len(activations) != len(layers):
        raise ValueError(f"activations must hold one array per layer ({len(layers)}), got {len(activations)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(2.4 * len(layers) + 1.0, 0.45 * max(len(layer) for layer in layers) + 1.2))
    tallest = max(len(layer) for layer in layers)
    xs = np.arange(len(layers)) * 3.0
    positions = [np.linspace(0, tallest - 1, len(layer))[::-1] if len(layer) > 1 else np.array([(tallest - 1) / 2])
                 for layer in layers]
    largest = max((float(np.max(np.abs(w))) for w in weights), default=1.0) if weights is not None else 1.0
    for index in range(len(layers) - 1):
        for i, y0 in enumerate(positions[index]):
            for j, y1 in enumerate(positions[index + 1]):
                value = float(np.asarray(weights[index])[i, j]) if weights is not None else 1.0
                if weights is not None and value == 0:
                    continue
                colour = PALETTE[0] if value > 0 else PALETTE[1]
                width = 0.6 + 3.0 * abs(value) / (largest or 1.0) if weights is not None else 0.8
                ax.plot([xs[index] + 0.35, xs[index + 1] - 0.35], [y0, y1], color=colour,
                        linewidth=width, alpha=0.75 if weights is not None else 0.35, zorder=1)
    cmap = mpl.colormaps["Greens"]
    for index, (layer, ys) in enumerate(zip(layers, positions)):
        values = None if activations is None else np.asarray(activations[index], dtype=np.float64).ravel()
        if values is not None and values.size != len(layer):
            raise ValueError(f"activations[{index}] must hold {len(layer)} values, got {values.size}")
        for k, (name, y) in enumerate(zip(layer, ys)):
            fill = "#F4F4F4" if values is None else cmap(0.15 + 0.75 * float(np.clip(values[k], 0, 1)))
            ax.add_patch(mpl.patches.Circle((xs[index], y), 0.33, facecolor=fill, edgecolor="#444444", zorder=2))
            if values is not None:
                ax.text(xs[index], y, f"{values[k]:.2f}", ha="center", va="center", fontsize=8, zorder=3,
                        color="white" if values[k] > 0.6 else "black")
            side = -1 if index == 0 else 1
            if index in (0, len(layers) - 1):
                ax.text(xs[index] + side * 0.45, y, name, ha="right" if side < 0 else "left", va="center", fontsize=9)
            else:
                ax.text(xs[index], y + 0.42, name, ha="center", va="bottom", fontsize=8.5)
    if layer_titles is not None:
        if len(layer_titles) != len(layers):
            raise ValueError(f"layer_titles must name each of the {len(layers)} layers")
        for x, text in zip(xs, layer_titles):
            ax.text(x, -0.95, text, ha="center", va="top", fontsize=9, color="#555555", fontweight="bold")
    ax.set_xlim(xs[0] - 2.6, xs[-1] + 2.2)
    ax.set_ylim(-1.5, tallest - 0.2 + 0.5)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title)
    return ax


# ---------------------------------------------------------------------------------------------
# Notebook 01: a tiny network in NumPy, for the hidden-units explorer
# ---------------------------------------------------------------------------------------------

def train_tiny_network(
    X: Any, y: Any, hidden_units: int, steps: int = 1500, learning_rate: float = 0.05, seed: int = 0,
) -> Params:
    """Fit σ(tanh(X W1 + b1) W2 + b2) by full-batch Adam on the log loss; 0 hidden units = logistic regression. Introduced in notebook 01."""
    X = _finite_array(X, "X", ndim=2)
    labels = _labels(y, X.shape[0]).reshape(-1, 1)
    if not isinstance(hidden_units, (int, np.integer)) or hidden_units < 0:
        raise ValueError(f"hidden_units must be a non-negative integer, got {hidden_units!r}")
    if steps < 1 or learning_rate <= 0:
        raise ValueError(f"steps must be >= 1 and learning_rate > 0, got {steps} and {learning_rate}")
    rng = np.random.default_rng(seed)
    n = X.shape[1]
    if hidden_units == 0:
        params = {"W2": np.zeros((n, 1)), "b2": np.zeros(1)}
    else:
        params = {"W1": rng.normal(0, 1.0, (n, hidden_units)), "b1": rng.normal(0, 0.5, hidden_units),
                  "W2": rng.normal(0, 1.0 / np.sqrt(hidden_units), (hidden_units, 1)), "b2": np.zeros(1)}
    first, second = {k: np.zeros_like(v) for k, v in params.items()}, {k: np.zeros_like(v) for k, v in params.items()}
    m = X.shape[0]
    for step in range(1, steps + 1):
        hidden = np.tanh(X @ params["W1"] + params["b1"]) if hidden_units else X
        error = sigmoid(hidden @ params["W2"] + params["b2"]) - labels
        grads = {"W2": hidden.T @ error / m, "b2": error.mean(axis=0)}
        if hidden_units:
            back = (error @ params["W2"].T) * (1 - hidden**2)
            grads.update(W1=X.T @ back / m, b1=back.mean(axis=0))
        for key, grad in grads.items():  # Adam (Kingma & Ba, 2015)
            first[key] = 0.9 * first[key] + 0.1 * grad
            second[key] = 0.999 * second[key] + 0.001 * grad**2
            corrected = first[key] / (1 - 0.9**step), second[key] / (1 - 0.999**step)
            params[key] = params[key] - learning_rate * corrected[0] / (np.sqrt(corrected[1]) + 1e-8)
    return params


def predict_tiny_network(params: Mapping[str, np.ndarray], X: Any) -> np.ndarray:
    """P(class 1) for each row of X from :func:`train_tiny_network`'s parameters. Introduced in notebook 01."""
    if "W2" not in params or "b2" not in params:
        raise ValueError("params must come from train_tiny_network (keys W2, b2 and optionally W1, b1)")
    X = _finite_array(X, "X", ndim=2)
    hidden = np.tanh(X @ params["W1"] + params["b1"]) if "W1" in params else X
    return sigmoid(hidden @ params["W2"] + params["b2"]).ravel()


def accuracy(y_true: Any, y_prob: Any, threshold: float = 0.5) -> float:
    """Share of examples whose thresholded probability equals the 0/1 label. Introduced in notebook 01."""
    y = _finite_array(y_true, "y_true").ravel()
    p = _finite_array(y_prob, "y_prob").ravel()
    if y.shape != p.shape:
        raise ValueError(f"y_true has {y.size} values but y_prob has {p.size}")
    return float(np.mean((p >= threshold) == (y == 1)))


def hidden_units_explorer(
    X_train: Any, y_train: Any, X_test: Any, y_test: Any,
    units: Sequence[int] = (0, 1, 2, 3, 4, 8), start: int = 0, steps: int = 800,
) -> Explorer:
    """Pick the number of hidden units (0 = a linear model) and see the decision boundary and accuracy. Introduced in notebook 01."""
    X_train, X_test = _finite_array(X_train, "X_train", ndim=2), _finite_array(X_test, "X_test", ndim=2)
    y_train, y_test = _labels(y_train, len(X_train), "y_train"), _labels(y_test, len(X_test), "y_test")
    units = tuple(int(u) for u in units)
    if start not in units:
        raise ValueError(f"start must be one of units {units}, got {start}")
    # Train every model once, up front: moving the slider only redraws.
    models = {u: train_tiny_network(X_train, y_train, u, steps=steps) for u in units}
    scores = {u: (accuracy(y_train, predict_tiny_network(models[u], X_train)),
                  accuracy(y_test, predict_tiny_network(models[u], X_test))) for u in units}
    low, high = X_train.min(axis=0) - 0.25, X_train.max(axis=0) + 0.25
    gx, gy = np.meshgrid(np.linspace(low[0], high[0], 150), np.linspace(low[1], high[1], 150))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    surfaces = {u: predict_tiny_network(models[u], grid).reshape(gx.shape) for u in units}

    def draw(fig: Figure, hidden_units: int) -> str:
        left, right = fig.subplots(1, 2, width_ratios=[1.2, 1])
        left.contourf(gx, gy, surfaces[hidden_units], levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.35)
        left.contour(gx, gy, surfaces[hidden_units], levels=[0.5], colors="k", linewidths=1.8)
        for label, colour in ((0, PALETTE[0]), (1, PALETTE[1])):
            chosen = y_test == label
            left.scatter(X_test[chosen, 0], X_test[chosen, 1], s=14, color=colour, edgecolor="white",
                         linewidth=0.4, label=f"test, class {label}")
        params = models[hidden_units]
        if "W1" in params:  # each tanh unit is "on" on one side of a straight line
            xs = np.linspace(low[0], high[0], 2)
            for k in range(params["W1"].shape[1]):
                w1, w2 = params["W1"][:, k]
                if abs(w2) > 1e-9:
                    left.plot(xs, -(w1 * xs + params["b1"][k]) / w2, color="grey", linestyle="--", linewidth=0.9)
        left.set(xlim=(low[0], high[0]), ylim=(low[1], high[1]), xlabel="$x_1$", ylabel="$x_2$",
                 title="Linear model (no hidden layer)" if hidden_units == 0 else f"{hidden_units} hidden unit(s)")
        left.set_aspect("equal")
        left.legend(loc="upper right", fontsize=7, framealpha=0.8)
        chosen = list(units)
        right.plot(chosen, [scores[u][0] for u in chosen], marker="o", label="train")
        right.plot(chosen, [scores[u][1] for u in chosen], marker="s", label="test")
        right.axhline(0.5, color="grey", linestyle=":", linewidth=1)
        right.axvline(hidden_units, color="k", linewidth=0.8)
        right.set(xlabel="hidden units (0 = linear model)", ylabel="accuracy", ylim=(0.3, 1.02),
                  title="Accuracy by hidden units", xticks=chosen)
        right.legend(loc="lower right")
        train_score, test_score = scores[hidden_units]
        kind = "linear model" if hidden_units == 0 else f"{hidden_units} hidden tanh unit(s)"
        return f"{kind}: train accuracy {train_score:.1%}, test accuracy {test_score:.1%}"

    control = ipw.SelectionSlider(options=list(units), value=start, description="hidden units",
                                  continuous_update=False, layout=ipw.Layout(width="320px"))
    explorer = Explorer({"hidden_units": control}, draw, figsize=(10.0, 4.2))
    explorer.scores = scores
    return explorer


# ---------------------------------------------------------------------------------------------
# Notebook 03: the koala explorer
# ---------------------------------------------------------------------------------------------

def koala_explorer(eyes: float = 0.9, nose: float = 0.9, ears: float = 0.8, fur: float = 0.9,
                   limbs: float = 0.7, head_weight: float = 5.0) -> Explorer:
    """Sliders for the five detector scores and the head's weight in the decision; P(koala) updates. Introduced in notebook 03."""
    base = koala_weights()

    def draw(fig: Figure, head_weight: float, **scores: float) -> str:
        weights = dict(base, W_decide=np.array([[head_weight], [base["W_decide"][1, 0]]]))
        detectors = np.array([scores[name] for name in DETECTORS])
        state = koala_from_detectors(detectors, weights)
        diagram, bar = fig.subplots(1, 2, width_ratios=[3.2, 1])
        draw_network([DETECTORS, COORDINATORS, DECISION], ax=diagram,
                     weights=[weights["W_coord"], weights["W_decide"]],
                     activations=[detectors, state["coordinators"], state["probability"]],
                     layer_titles=["detectors", "coordinators", "decision"],
                     title="Scores flow forward (line width = weight)")
        probability = float(state["probability"].ravel()[0])
        bar.bar(["P(koala)"], [probability], color=PALETTE[2] if probability >= 0.5 else PALETTE[1], width=0.5)
        bar.axhline(0.5, color="grey", linestyle=":")
        bar.set(ylim=(0, 1), ylabel="probability", title="Decision")
        bar.text(0, min(probability + 0.03, 0.93), f"{probability:.2f}", ha="center", fontsize=11)
        head, body = state["coordinators"]
        verdict = "koala" if probability >= 0.5 else "not a koala"
        return f"head {head:.2f}, body {body:.2f}  →  P(koala) = {probability:.2f}: {verdict}"

    controls: dict[str, ipw.ValueWidget] = {
        name: slider(name, 0.0, 1.0, value) for name, value in
        zip(DETECTORS, (eyes, nose, ears, fur, limbs))
    }
    controls["head_weight"] = slider("head weight", 0.0, 10.0, head_weight, step=0.5)
    return Explorer(controls, draw, figsize=(10.0, 4.6))
