"""Regularization: inverted dropout, the L2 penalty, early stopping, and many small nets trained at once.

``train_many`` trains M independent copies of the same multilayer perceptron in one TensorFlow
program: every weight has a leading "model" axis, each model sees only the rows its mask gives it,
and the total loss is the *sum* of the models' own losses, so each model's gradient (and its Adam
update, which is per parameter) is exactly what it would get if trained alone. That is how the
notebook runs repeated k-fold cross-validation and a grid of dropout rates and L2 strengths in a
few seconds. Introduced in notebook 16.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer


def _finite(value: Any, name: str) -> np.ndarray:
    """A finite float64 array, or a ValueError naming the argument."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numbers, got {type(value).__name__}") from error
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _rate(rate: float) -> float:
    if not isinstance(rate, (int, float, np.floating, np.integer)) or not 0.0 <= float(rate) < 1.0:
        raise ValueError(f"rate must be a number in [0, 1), got {rate!r}")
    return float(rate)


def inverted_dropout(a: Any, rate: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Training-time inverted dropout: (a · mask / (1 − rate), mask) with P(mask = 1) = 1 − rate."""
    a = _finite(a, "a")
    rate = _rate(rate)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    keep = rng.random(a.shape) >= rate
    return a * keep / (1.0 - rate), keep


def l2_penalty(weights: Sequence[Any], strength: float) -> float:
    """λ · Σ w² over every weight array: what ``keras.regularizers.L2(λ)`` adds to the loss."""
    if isinstance(weights, np.ndarray):
        weights = [weights]
    if not isinstance(strength, (int, float, np.floating)) or strength < 0:
        raise ValueError(f"strength must be a number >= 0, got {strength!r}")
    return float(strength) * float(sum(np.sum(_finite(w, "weights") ** 2) for w in weights))


def early_stopping(val_losses: Sequence[float], patience: int) -> tuple[int, int]:
    """(epoch training stops at, epoch of the best loss so far), both 0-based, as Keras's EarlyStopping."""
    losses = _finite(val_losses, "val_losses").ravel()
    if losses.size == 0:
        raise ValueError("val_losses must hold at least one epoch")
    if not isinstance(patience, (int, np.integer)) or patience < 1:
        raise ValueError(f"patience must be an int >= 1, got {patience!r}")
    best = 0
    for epoch in range(1, losses.size):
        if losses[epoch] < losses[best]:
            best = epoch
        elif epoch - best >= patience:
            return epoch, best
    return int(losses.size - 1), best


def masks_from_splits(splits: Sequence[tuple[Any, Any]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Boolean (n, M) train and test masks from M (train_rows, test_rows) pairs (e.g. a KFold's splits)."""
    splits = list(splits)
    if not splits:
        raise ValueError("splits must hold at least one (train_rows, test_rows) pair")
    train = np.zeros((n, len(splits)), dtype=bool)
    test = np.zeros_like(train)
    for model, (train_rows, test_rows) in enumerate(splits):
        train[np.asarray(train_rows, dtype=int), model] = True
        test[np.asarray(test_rows, dtype=int), model] = True
    if np.any(train & test):
        raise ValueError("a row is in both the train and the test part of the same split")
    return train, test


def hold_out(train_mask: np.ndarray, y: Any, fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Split each model's training rows into (fit rows, validation rows), stratified by ``y``."""
    train_mask = np.asarray(train_mask, dtype=bool)
    y = np.asarray(y)
    if train_mask.ndim != 2 or train_mask.shape[0] != y.shape[0]:
        raise ValueError(f"train_mask must have shape (n, M) with n = len(y) = {y.shape[0]}, got {train_mask.shape}")
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be strictly between 0 and 1, got {fraction!r}")
    rng = np.random.default_rng(seed)
    fit, validation = train_mask.copy(), np.zeros_like(train_mask)
    for model in range(train_mask.shape[1]):
        for label in np.unique(y):
            rows = rng.permutation(np.flatnonzero(train_mask[:, model] & (y == label)))
            chosen = rows[: int(round(len(rows) * fraction))]
            fit[chosen, model], validation[chosen, model] = False, True
    return fit, validation


@dataclass(frozen=True)
class Curves:
    """Per-epoch results of M models: arrays (epochs, M) of mean loss and accuracy on each row set."""

    loss: dict[str, np.ndarray]
    accuracy: dict[str, np.ndarray]

    @property
    def models(self) -> int:
        """How many models were trained together."""
        return next(iter(self.loss.values())).shape[1]


def _per_model(value: Any, models: int, name: str, low: float, high: float) -> np.ndarray:
    array = np.broadcast_to(_finite(value, name), (models,)).astype(np.float32)
    if np.any(array < low) or np.any(array >= high):
        raise ValueError(f"{name} must lie in [{low}, {high}), got {value!r}")
    return array


def train_many(
    X: Any,
    y: Any,
    fit_mask: np.ndarray,
    eval_masks: dict[str, np.ndarray],
    *,
    hidden: Sequence[int] = (64, 64, 32),
    dropout: Any = 0.0,
    l2: Any = 0.0,
    epochs: int = 200,
    learning_rate: float = 1e-3,
    seed: int = 0,
) -> Curves:
    """Train M ReLU nets (one per column of ``fit_mask``) full-batch with Adam; per-epoch curves.

    ``dropout`` and ``l2`` are one value or one per model (dropout after every hidden layer, L2 on
    every kernel). ``eval_masks`` names row sets, e.g. ``{"train": ..., "test": ...}``: each (n, M).
    """
    import keras
    import tensorflow as tf

    X = _finite(X, "X").astype(np.float32)
    y = _finite(y, "y").astype(np.float32).ravel()
    fit_mask = np.asarray(fit_mask, dtype=bool)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, features) and y (n,), got {X.shape} and {y.shape}")
    if fit_mask.ndim != 2 or fit_mask.shape[0] != X.shape[0] or not fit_mask.any(axis=0).all():
        raise ValueError(f"fit_mask must be (n, M) = ({X.shape[0]}, M) with rows for every model, got {fit_mask.shape}")
    models = fit_mask.shape[1]
    for name, mask in eval_masks.items():
        if np.shape(mask) != fit_mask.shape:
            raise ValueError(f"eval_masks[{name!r}] must have shape {fit_mask.shape}, got {np.shape(mask)}")
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1, got {epochs!r}")
    rates = _per_model(dropout, models, "dropout", 0.0, 1.0)
    strengths = _per_model(l2, models, "l2", 0.0, np.inf)

    sizes = [X.shape[1], *hidden, 1]
    initial = [[] for _ in sizes[1:]]
    for model in range(models):  # each model's start depends on (seed, model) only
        rng = np.random.default_rng([seed, model])
        for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            limit = np.sqrt(6.0 / (fan_in + fan_out))  # Glorot uniform, Keras's Dense default
            initial[layer].append(rng.uniform(-limit, limit, size=(fan_in, fan_out)))
    variables = []
    for layer, fan_out in enumerate(sizes[1:]):
        variables += [tf.Variable(np.stack(initial[layer]).astype(np.float32)),
                      tf.Variable(np.zeros((models, fan_out), np.float32))]
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(variables)  # its slots exist before the training loop is traced
    inputs, targets = tf.constant(X), tf.constant(y[:, None])
    weights_fit = tf.constant(fit_mask / fit_mask.sum(axis=0), tf.float32)
    keep = tf.constant(1.0 - rates)
    lam = tf.constant(strengths)
    generator = tf.random.Generator.from_seed(seed)

    @tf.autograph.experimental.do_not_convert  # plain Python control flow, traced as is
    def logits(training: bool) -> tf.Tensor:
        a = tf.tile(inputs[None], [models, 1, 1])  # (M, n, features)
        for layer in range(len(sizes) - 1):
            kernel, bias = variables[2 * layer], variables[2 * layer + 1]
            a = tf.einsum("mnf,mfu->mnu", a, kernel) + bias[:, None, :]
            if layer < len(sizes) - 2:
                a = tf.nn.relu(a)
                if training:  # inverted dropout, with each model's own rate
                    mask = tf.cast(generator.uniform(tf.shape(a)) < keep[:, None, None], tf.float32)
                    a = a * mask / keep[:, None, None]
        return tf.transpose(a[:, :, 0])  # (n, M)

    @tf.autograph.experimental.do_not_convert
    def row_losses(z: tf.Tensor) -> tf.Tensor:
        return tf.nn.sigmoid_cross_entropy_with_logits(tf.broadcast_to(targets, tf.shape(z)), z)

    names = list(eval_masks)
    masks = tf.constant(np.stack([np.asarray(eval_masks[k], dtype=np.float32) for k in names]))
    counts = tf.maximum(tf.reduce_sum(masks, axis=1), 1.0)  # (sets, M)

    @tf.function
    def run() -> tuple[tf.Tensor, tf.Tensor]:
        losses = tf.TensorArray(tf.float32, size=epochs)
        accuracies = tf.TensorArray(tf.float32, size=epochs)
        for epoch in tf.range(epochs):
            with tf.GradientTape() as tape:
                data = tf.reduce_sum(row_losses(logits(True)) * weights_fit)  # sum of the models' means
                penalty = tf.add_n([tf.reduce_sum(lam * tf.reduce_sum(variables[i] ** 2, axis=[1, 2]))
                                    for i in range(0, len(variables), 2)])
                total = data + penalty
            optimizer.apply_gradients(zip(tape.gradient(total, variables), variables))
            z = logits(False)
            correct = tf.cast(tf.equal(tf.cast(z >= 0, tf.float32), targets), tf.float32)
            losses = losses.write(epoch, tf.reduce_sum(row_losses(z)[None] * masks, axis=1) / counts)
            accuracies = accuracies.write(epoch, tf.reduce_sum(correct[None] * masks, axis=1) / counts)
        return losses.stack(), accuracies.stack()  # (epochs, sets, M)

    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")  # each call traces its own program: no "retracing" warning for that
    try:
        loss_array, accuracy_array = (t.numpy().astype(np.float64) for t in run())
    finally:
        logger.setLevel(level)
    loss = {name: loss_array[:, i] for i, name in enumerate(names)}
    accuracy = {name: accuracy_array[:, i] for i, name in enumerate(names)}
    return Curves(loss, accuracy)


def epoch_metrics(**row_sets: tuple[Any, Any]) -> Any:
    """A Keras callback recording loss and accuracy on named (X, y) sets after every epoch.

    Cheaper than ``validation_data`` (one forward pass, no new dataset per epoch). A set named
    ``val`` is also written into the epoch's logs as ``val_loss``/``val_accuracy``, so that
    ``keras.callbacks.EarlyStopping`` placed after it in the list can monitor it.
    """
    import keras

    if not row_sets:
        raise ValueError("give at least one named set, e.g. epoch_metrics(test=(X_test, y_test))")
    data = {}
    for name, pair in row_sets.items():
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValueError(f"{name} must be an (X, y) pair, got {type(pair).__name__}")
        X_set, y_set = _finite(pair[0], f"{name}[0]"), _finite(pair[1], f"{name}[1]").ravel()
        if len(X_set) != len(y_set):
            raise ValueError(f"{name}: X has {len(X_set)} rows but y has {len(y_set)}")
        data[name] = (X_set.astype(np.float32), y_set)

    class EpochMetrics(keras.callbacks.Callback):
        """Loss (binary cross-entropy) and accuracy per epoch on each named set."""

        def __init__(self) -> None:
            super().__init__()
            self.history: dict[str, list[float]] = {}

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            for name, (X_set, y_set) in data.items():
                p = np.clip(np.asarray(self.model(X_set, training=False)).ravel(), 1e-7, 1 - 1e-7)
                loss = float(-np.mean(y_set * np.log(p) + (1 - y_set) * np.log(1 - p)))
                accuracy = float(np.mean((p >= 0.5) == (y_set == 1)))
                self.history.setdefault(f"{name}_loss", []).append(loss)
                self.history.setdefault(f"{name}_accuracy", []).append(accuracy)
                if name == "val" and logs is not None:
                    logs["val_loss"], logs["val_accuracy"] = loss, accuracy

    return EpochMetrics()


def mean_std(values: Any) -> str:
    """'0.812 ± 0.054': the mean and the sample standard deviation of a set of scores."""
    values = _finite(values, "values").ravel()
    if values.size < 2:
        raise ValueError(f"need at least two scores for a standard deviation, got {values.size}")
    return f"{values.mean():.3f} ± {values.std(ddof=1):.3f}"


def regularization_explorer(curves: Curves, rates: Sequence[float], strengths: Sequence[float]) -> Explorer:
    """Dropout-rate and L2-strength sliders over precomputed train/test curves (model = rate × strength grid)."""
    rates, strengths = [float(r) for r in rates], [float(s) for s in strengths]
    if curves.models != len(rates) * len(strengths):
        raise ValueError(f"curves hold {curves.models} models; expected len(rates) × len(strengths) = "
                         f"{len(rates) * len(strengths)} (rate-major order)")
    for key in ("train", "test"):
        if key not in curves.loss:
            raise ValueError(f"curves need a {key!r} row set, got {sorted(curves.loss)}")
    epochs = np.arange(1, curves.loss["train"].shape[0] + 1)
    top = float(max(curves.loss["test"].max(), curves.loss["train"].max()))
    controls = {
        "dropout": ipw.SelectionSlider(options=rates, value=rates[0], description="dropout rate",
                                       continuous_update=False),
        "l2": ipw.SelectionSlider(options=[(f"{s:g}", s) for s in strengths], value=strengths[0],
                                  description="L2 strength λ", continuous_update=False),
    }

    def draw(fig: Figure, dropout: float, l2: float) -> str:
        model = rates.index(dropout) * len(strengths) + strengths.index(l2)
        left, right = fig.subplots(1, 2)
        for index, key in enumerate(("train", "test")):
            style = dict(color=PALETTE[index], label=f"{key}")
            left.plot(epochs, curves.loss[key][:, model], **style)
            right.plot(epochs, curves.accuracy[key][:, model], **style)
        setting = f"dropout {dropout:g}, λ = {l2:g}"
        left.set(title=f"Loss per epoch ({setting})", xlabel="epoch (one full-batch step)",
                 ylabel="cross-entropy (nats)", ylim=(0, min(top, 2.0)))
        right.set(title=f"Accuracy per epoch ({setting})", xlabel="epoch (one full-batch step)",
                  ylabel="accuracy", ylim=(0.4, 1.02))
        left.legend(), right.legend(loc="lower right")
        train_acc, test_acc = curves.accuracy["train"][-1, model], curves.accuracy["test"][-1, model]
        gap = curves.loss["test"][-1, model] - curves.loss["train"][-1, model]
        return (f"dropout {dropout:g}, λ = {l2:g}: final train accuracy {train_acc:.3f}, "
                f"test accuracy {test_acc:.3f}, test − train loss {gap:.2f}")

    return Explorer(controls, draw, figsize=(9.0, 3.6))
