"""Transfer learning: source/target class splits with few labels per class, freezing, a NumPy softmax head on
frozen features, quick seeded fits, the learning-curve plot and the transfer explorer. Introduced in notebook 24.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer


# ---------------------------------------------------------------------------------------------
# Class splits and a few labels per class
# ---------------------------------------------------------------------------------------------

def _labels(labels: Any) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty 1-D array, got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    return labels


def _classes(classes: Any) -> list[int]:
    classes = [int(c) for c in classes]
    if not classes:
        raise ValueError("classes must list at least one class")
    if len(set(classes)) != len(classes):
        raise ValueError(f"classes must not repeat, got {classes}")
    return classes


def relabel(labels: Any, classes: Sequence[int]) -> np.ndarray:
    """Each label replaced by its position in ``classes`` (e.g. classes 5-9 become 0-4)."""
    labels, classes = _labels(labels), _classes(classes)
    unknown = sorted(set(np.unique(labels).tolist()) - set(classes))
    if unknown:
        raise ValueError(f"labels {unknown} are not among the classes {classes}")
    lookup = {c: k for k, c in enumerate(classes)}
    return np.array([lookup[int(v)] for v in labels], dtype=np.int64)


def class_subset(images: Any, labels: Any, classes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """The images of ``classes`` only, with their labels renumbered 0, 1, ... in the order of ``classes``."""
    images, labels, classes = np.asarray(images), _labels(labels), _classes(classes)
    if len(images) != len(labels):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels")
    missing = [c for c in classes if not np.any(labels == c)]
    if missing:
        raise ValueError(f"classes {missing} do not occur in the labels (present: {np.unique(labels).tolist()})")
    keep = np.isin(labels, classes)
    return images[keep], relabel(labels[keep], classes)


def pick_per_class(labels: Any, k: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of ``k`` examples of every class, drawn without replacement, class by class (seeded)."""
    labels = _labels(labels)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k (labels per class) must be a positive integer, got {k!r}")
    rng = np.random.default_rng(seed)
    picked = []
    for c in np.unique(labels):
        where = np.flatnonzero(labels == c)
        if k > len(where):
            raise ValueError(f"asked for {k} labels per class but class {int(c)} has only {len(where)} examples")
        picked.append(rng.choice(where, size=int(k), replace=False))
    return np.sort(np.concatenate(picked))


# ---------------------------------------------------------------------------------------------
# Models: the small base, a head, freezing
# ---------------------------------------------------------------------------------------------

def build_base(input_shape: Sequence[int] = (28, 28, 1), name: str = "base") -> Any:
    """Conv(16, no bias) → BatchNorm → ReLU → pool → Conv(32) + ReLU → pool → Flatten: 800 features."""
    import keras

    return keras.Sequential([
        keras.Input(shape=tuple(input_shape)),
        keras.layers.Conv2D(16, 3, use_bias=False, name="conv1"),
        keras.layers.BatchNormalization(name="bn1"),
        keras.layers.ReLU(name="relu1"),
        keras.layers.MaxPooling2D(2, name="pool1"),
        keras.layers.Conv2D(32, 3, activation="relu", name="conv2"),
        keras.layers.MaxPooling2D(2, name="pool2"),
        keras.layers.Flatten(name="flatten"),
    ], name=name)


def build_classifier(base: Any, classes: int, name: str = "classifier") -> Any:
    """The base followed by a new Dense softmax head of ``classes`` units."""
    import keras

    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(f"classes must be an integer >= 2, got {classes!r}")
    return keras.Sequential([base, keras.layers.Dense(int(classes), activation="softmax", name="head")], name=name)


def _all_layers(model: Any) -> list[Any]:
    layers = []
    for layer in model.layers:
        layers.append(layer)
        if hasattr(layer, "layers"):
            layers.extend(_all_layers(layer))
    return layers


def set_trainable(model: Any, trainable: Sequence[str] = ()) -> list[str]:
    """Freeze every layer (nested ones too) except those named in ``trainable``; return the trainable names."""
    names = {layer.name for layer in _all_layers(model)}
    unknown = sorted(set(trainable) - names)
    if unknown:
        raise ValueError(f"no layers named {unknown}; the model has {sorted(names)}")
    keep = set(trainable)
    for layer in _all_layers(model):
        if hasattr(layer, "layers"):  # a nested model is trainable if anything inside it is
            layer.trainable = True
    for layer in _all_layers(model):
        if not hasattr(layer, "layers"):
            layer.trainable = layer.name in keep
    for layer in _all_layers(model):
        if hasattr(layer, "layers") and not any(inner.trainable for inner in _all_layers(layer)):
            layer.trainable = False
    return [layer.name for layer in _all_layers(model) if layer.trainable and not hasattr(layer, "layers")]


def trainable_counts(model: Any) -> tuple[int, int]:
    """(trainable, non-trainable) parameter counts, as ``model.summary()`` reports them."""
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    return trainable, frozen


# ---------------------------------------------------------------------------------------------
# Training quickly and reproducibly
# ---------------------------------------------------------------------------------------------

def step_order(n: int, steps: int, batch_size: int, seed: int = 0) -> np.ndarray:
    """Indices for ``steps`` mini-batches: fresh seeded permutations of range(n), one after the other."""
    for value, label in ((n, "n"), (steps, "steps"), (batch_size, "batch_size")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{label} must be a positive integer, got {value!r}")
    rng = np.random.default_rng(seed)
    batch_size = min(int(batch_size), int(n))
    rounds = -(-steps * batch_size // n)
    return np.concatenate([rng.permutation(n) for _ in range(rounds)])[: steps * batch_size]


def fit_steps(model: Any, x: Any, y: Any, steps: int, batch_size: int = 32, seed: int = 0) -> Any:
    """Train a compiled model for exactly ``steps`` mini-batches in one epoch (no per-epoch overhead)."""
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"got {len(x)} inputs but {len(y)} labels")
    order = step_order(len(x), steps, batch_size, seed)
    return model.fit(x[order], y[order], epochs=1, batch_size=min(batch_size, len(x)), shuffle=False, verbose=0)


def restart(model: Any, weights: Sequence[Any]) -> None:
    """Put back the given weights and zero the optimizer's state (not its learning rate), to train again afresh."""
    model.set_weights(list(weights))
    for variable in model.optimizer.variables:
        if variable.name != "learning_rate":  # the step counter and the moment estimates
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))


def predict_classes(model: Any, x: Any, batch_size: int = 500) -> np.ndarray:
    """Predicted class of every input, in batches, without Keras's predict loop."""
    x = np.asarray(x)
    return np.concatenate([np.argmax(np.asarray(model(x[i:i + batch_size], training=False)), axis=1)
                           for i in range(0, len(x), batch_size)])


def softmax_head_fit(features: Any, labels: Any, classes: int, steps: int = 300, lr: float = 0.5,
                     l2: float = 1e-3) -> tuple[np.ndarray, np.ndarray]:
    """A softmax layer on frozen features by full-batch gradient descent from zeros, in NumPy: (W, b)."""
    features, labels = np.asarray(features, dtype=np.float64), _labels(labels)
    if features.ndim != 2 or len(features) != len(labels):
        raise ValueError(f"features must be (n, d) with n = {len(labels)} labels, got {features.shape}")
    if labels.min() < 0 or labels.max() >= classes:
        raise ValueError(f"labels must lie in 0..{classes - 1}, got {labels.min()}..{labels.max()}")
    weights, bias = np.zeros((features.shape[1], classes)), np.zeros(classes)
    targets = np.eye(classes)[labels]
    for _ in range(int(steps)):
        logits = features @ weights + bias
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        grad = (probs - targets) / len(features)  # d(mean cross-entropy)/d(logits)
        weights -= lr * (features.T @ grad + l2 * weights)
        bias -= lr * grad.sum(axis=0)
    return weights, bias


def batchnorm_inference(x: Any, gamma: Any, beta: Any, mean: Any, variance: Any, epsilon: float = 1e-3) -> np.ndarray:
    """A BatchNormalization layer in inference mode: (x − moving mean) / √(moving variance + ε) · γ + β."""
    x = np.asarray(x, dtype=np.float64)
    return (x - mean) / np.sqrt(np.asarray(variance) + epsilon) * gamma + beta


# ---------------------------------------------------------------------------------------------
# Plots and the explorer
# ---------------------------------------------------------------------------------------------

def plot_learning_curve(ax: Any, ks: Sequence[int], curves: Mapping[str, Any], total: int | None = None) -> Any:
    """Test accuracy vs labels per class, one line per method (mean over seeds, each seed as a dot)."""
    ks = np.asarray(ks)
    for colour, (name, scores) in zip(PALETTE, curves.items()):
        scores = np.atleast_2d(np.asarray(scores, dtype=float))
        if scores.shape[1] != len(ks):
            raise ValueError(f"{name}: got {scores.shape[1]} accuracies per seed for {len(ks)} values of k")
        ax.plot(ks, scores.mean(axis=0), marker="o", color=colour, label=f"{name} (mean of {len(scores)} seeds)")
        for row in scores:
            ax.scatter(ks, row, color=colour, alpha=0.35, s=14)
    ax.set_xscale("log")
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.minorticks_off()
    what = f" ({total:,} test images)" if total else ""
    ax.set(title="Transfer vs from scratch: few labels", xlabel="labelled training images per class",
           ylabel=f"test accuracy{what}")
    ax.legend(fontsize=8)
    return ax


def transfer_explorer(images: Any, labels: Any, class_names: Sequence[str], ks: Sequence[int],
                      predictions: Mapping[tuple[str, int], Any], k: int | None = None,
                      mode: str | None = None, shown: int = 12) -> Explorer:
    """A slider over labels per class and a choice of model: its test accuracy and misclassified images (precomputed)."""
    images, labels = np.asarray(images), _labels(labels)
    ks = [int(v) for v in ks]
    modes = list(dict.fromkeys(m for m, _ in predictions))
    if not modes or any((m, v) not in predictions for m in modes for v in ks):
        raise ValueError(f"predictions must hold an entry (mode, k) for every mode and every k in {ks}")
    k = ks[len(ks) // 2] if k is None else int(k)
    mode = modes[0] if mode is None else mode
    if k not in ks or mode not in modes:
        raise ValueError(f"k must be one of {ks} and mode one of {modes}, got {k!r} and {mode!r}")
    predicted = {key: np.asarray(value) for key, value in predictions.items()}
    for key, value in predicted.items():
        if value.shape != labels.shape:
            raise ValueError(f"predictions {key} have shape {value.shape}, expected {labels.shape}")
    accuracy = {key: float(np.mean(value == labels)) for key, value in predicted.items()}
    order = np.random.default_rng(0).permutation(len(labels))
    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        left, right = fig.subfigures(1, 2, width_ratios=[1, 1.5])
        ax = left.subplots()
        for colour, m in zip(PALETTE, modes):
            ax.plot(ks, [accuracy[m, v] for v in ks], marker="o", color=colour, label=m)
        parts["marker"], = ax.plot([k], [accuracy[mode, k]], "o", markersize=13, mfc="none", mec="black")
        ax.set_xscale("log")
        ax.set_xticks(ks, [str(v) for v in ks])
        ax.minorticks_off()
        ax.set(title="Test accuracy", xlabel="labels per class", ylabel="accuracy")
        ax.legend(fontsize=7)
        grid = right.subplots(3, shown // 3)
        parts["cells"] = []
        for cell in grid.ravel():
            picture = cell.imshow(np.zeros(images.shape[1:]), cmap="gray_r", vmin=0, vmax=255)
            text = cell.set_title("", fontsize=7)
            cell.axis("off")
            parts["cells"].append((picture, text))
        parts["suptitle"] = right.suptitle("", fontsize=9)

    def draw(fig: Figure, k: int, mode: str) -> str:
        if not parts:
            build(fig)
        got = predicted[mode, k]
        wrong = order[got[order] != labels[order]]  # in a fixed shuffled order: the test set may be sorted
        parts["marker"].set_data([k], [accuracy[mode, k]])
        for n, (picture, text) in enumerate(parts["cells"]):
            if n < len(wrong):
                i = wrong[n]
                picture.set_data(images[i])
                text.set_text(f"{class_names[got[i]]}\n(is {class_names[labels[i]]})")
            else:
                picture.set_data(np.zeros(images.shape[1:]))
                text.set_text("")
        parts["suptitle"].set_text(f"{min(len(wrong), len(parts['cells']))} of the {len(wrong)} misclassified "
                                   "test images (said / true)")
        return (f"{mode}, {k} labels per class: test accuracy {accuracy[mode, k]:.3f} "
                f"({len(wrong)} of {len(labels)} wrong)")

    controls = {
        "k": ipw.SelectionSlider(options=ks, value=k, description="labels per class", continuous_update=False),
        "mode": ipw.ToggleButtons(options=modes, value=mode, description="model"),
    }
    return Explorer(controls, draw, figsize=(9.0, 4.0), rebuild=False)
