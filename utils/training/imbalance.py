"""Learning from imbalanced classes: resampling, SMOTE, class weights, balanced ensembles, focal loss.

Everything is NumPy except :class:`Classifier` (a small Keras network). Introduced in notebook 18.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer, slider

if TYPE_CHECKING:  # pandas and Keras are imported lazily
    import keras
    import pandas as pd

EPSILON = 1e-7  # Keras' fuzz factor: probabilities are clipped into [EPSILON, 1 - EPSILON]


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------

def binary_labels(y: Any, name: str = "y") -> np.ndarray:
    """``y`` as a non-empty 1-D int array of 0/1 labels, or a ValueError naming the argument.

    Introduced in notebook 18; notebook 19's metrics check their labels with it too.
    """
    array = np.asarray(y)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of 0/1 labels, got shape {array.shape}")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if not np.all(np.isin(array, (0, 1))):
        raise ValueError(f"{name} must hold 0/1 labels only, got values {np.unique(array)[:5]}")
    return array.astype(np.int64)


def _matrix(X: Any, name: str = "X") -> np.ndarray:
    """``X`` as a finite 2-D float64 array."""
    array = np.asarray(X, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (rows x features), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _rows_match(X: np.ndarray, y: np.ndarray) -> None:
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


# ---------------------------------------------------------------------------------------------
# Tables to matrices
# ---------------------------------------------------------------------------------------------

def encode_table(frame: "pd.DataFrame", target: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``X, y, names``: numeric columns as they are, text columns one-hot encoded (sorted categories)."""
    if target not in frame.columns:
        raise ValueError(f"target {target!r} is not a column; columns are: {', '.join(frame.columns)}")
    features = frame.drop(columns=[target])
    missing = [column for column in features.columns if features[column].isna().any()]
    if missing or frame[target].isna().any():
        raise ValueError(f"column(s) {missing or [target]} hold missing values; fill or drop them first")
    blocks, names = [], []
    for column in features.columns:
        values = features[column]
        if values.dtype.kind in "biuf":
            blocks.append(values.to_numpy(dtype=np.float64)[:, None])
            names.append(column)
        else:
            categories = sorted(values.astype(str).unique())
            text = values.astype(str).to_numpy()
            blocks.append(np.stack([text == c for c in categories], axis=1).astype(np.float64))
            names.extend(f"{column}={c}" for c in categories)
    return np.hstack(blocks), frame[target].to_numpy().astype(np.int64), names


def standardize(X_train: Any, *others: Any) -> tuple[np.ndarray, ...]:
    """Scale every column to mean 0, std 1 with the training rows' statistics; apply to the others."""
    train = _matrix(X_train, "X_train")
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std > 0, std, 1.0)  # a constant column stays 0 instead of dividing by zero
    scaled = [(train - mean) / std]
    for index, other in enumerate(others):
        array = _matrix(other, f"others[{index}]")
        if array.shape[1] != train.shape[1]:
            raise ValueError(f"others[{index}] has {array.shape[1]} columns, X_train has {train.shape[1]}")
        scaled.append((array - mean) / std)
    return tuple(scaled)


# ---------------------------------------------------------------------------------------------
# Resampling
# ---------------------------------------------------------------------------------------------

def random_undersample(X: Any, y: Any, seed: int | np.random.Generator = 0) -> tuple[np.ndarray, np.ndarray]:
    """Keep every minority row and as many majority rows, drawn without replacement."""
    X, y = _matrix(X), binary_labels(y)
    _rows_match(X, y)
    rng = _rng(seed)
    minority = int(np.argmin(np.bincount(y, minlength=2)))
    small, large = np.flatnonzero(y == minority), np.flatnonzero(y != minority)
    keep = np.sort(np.concatenate([small, rng.choice(large, size=len(small), replace=False)]))
    return X[keep], y[keep]


def random_oversample(X: Any, y: Any, seed: int | np.random.Generator = 0) -> tuple[np.ndarray, np.ndarray]:
    """Add copies of minority rows, drawn with replacement, until both classes are the same size."""
    X, y = _matrix(X), binary_labels(y)
    _rows_match(X, y)
    rng = _rng(seed)
    counts = np.bincount(y, minlength=2)
    minority = int(np.argmin(counts))
    extra = rng.choice(np.flatnonzero(y == minority), size=int(counts.max() - counts.min()), replace=True)
    return np.concatenate([X, X[extra]]), np.concatenate([y, y[extra]])


def nearest_neighbours(X: Any, k: int) -> np.ndarray:
    """Indices of the ``k`` nearest other rows of each row (Euclidean), nearest first."""
    X = _matrix(X)
    if not isinstance(k, (int, np.integer)) or not 1 <= k < len(X):
        raise ValueError(f"k must be an integer in [1, {len(X) - 1}] for {len(X)} rows, got {k!r}")
    squared = np.sum(X**2, axis=1)
    distances = squared[:, None] - 2 * X @ X.T + squared[None, :]
    np.fill_diagonal(distances, -np.inf)  # each row is its own nearest point: first column, dropped
    order = np.argsort(distances, axis=1, kind="stable")
    return order[:, 1:k + 1]


def smote_samples(
    X_minority: Any, n_new: int, k: int = 5, random_state: int | np.random.RandomState = 0,
    neighbours: np.ndarray | None = None,
) -> np.ndarray:
    """``n_new`` synthetic rows, each a random point on the segment from a minority row to a neighbour.

    The random draws follow imbalanced-learn's order (a base/neighbour pair index, then the gap,
    from a ``numpy.random.RandomState``), so the same seed gives the same rows as its ``SMOTE``.
    """
    X_minority = _matrix(X_minority, "X_minority")
    if not isinstance(n_new, (int, np.integer)) or n_new < 0:
        raise ValueError(f"n_new must be a non-negative integer, got {n_new!r}")
    table = nearest_neighbours(X_minority, k) if neighbours is None else np.asarray(neighbours)
    if table.shape != (len(X_minority), k):
        raise ValueError(f"neighbours must have shape {(len(X_minority), k)}, got {table.shape}")
    state = random_state if isinstance(random_state, np.random.RandomState) else np.random.RandomState(random_state)
    pair = state.randint(low=0, high=table.size, size=n_new)
    gaps = state.uniform(size=n_new)[:, None]
    base, column = pair // k, pair % k
    start = X_minority[base]
    return start + gaps * (X_minority[table[base, column]] - start)


def smote(X: Any, y: Any, k: int = 5, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The data plus enough SMOTE rows of the minority class to balance the classes."""
    X, y = _matrix(X), binary_labels(y)
    _rows_match(X, y)
    counts = np.bincount(y, minlength=2)
    minority = int(np.argmin(counts))
    new = smote_samples(X[y == minority], int(counts.max() - counts.min()), k, random_state)
    return np.concatenate([X, new]), np.concatenate([y, np.full(len(new), minority)])


def class_weights(y: Any) -> dict[int, float]:
    """Keras ``class_weight``: n / (2 · n_c) for class c, so both classes weigh the same in total."""
    y = binary_labels(y)
    counts = np.bincount(y, minlength=2)
    if np.any(counts == 0):
        raise ValueError(f"both classes must be present, got counts {counts.tolist()}")
    return {c: float(len(y) / (2 * counts[c])) for c in (0, 1)}


def balanced_subsets(y: Any, n_subsets: int, seed: int | np.random.Generator = 0) -> list[np.ndarray]:
    """Row indices of ``n_subsets`` balanced sets: every minority row plus a fresh draw of majority rows."""
    y = binary_labels(y)
    if not isinstance(n_subsets, (int, np.integer)) or n_subsets < 1:
        raise ValueError(f"n_subsets must be a positive integer, got {n_subsets!r}")
    rng = _rng(seed)
    minority = int(np.argmin(np.bincount(y, minlength=2)))
    small, large = np.flatnonzero(y == minority), np.flatnonzero(y != minority)
    return [np.sort(np.concatenate([small, rng.choice(large, size=len(small), replace=False)]))
            for _ in range(n_subsets)]


# ---------------------------------------------------------------------------------------------
# Focal loss
# ---------------------------------------------------------------------------------------------

def focal_loss(
    y_true: Any, y_prob: Any, gamma: float = 2.0, alpha: float | None = 0.25, per_sample: bool = False,
) -> np.ndarray | float:
    """Binary focal loss −α_t (1 − p_t)^γ log p_t (Lin et al., 2017); ``alpha=None`` drops α_t."""
    truth = np.asarray(y_true, dtype=np.float64)
    prob = np.asarray(y_prob, dtype=np.float64)
    if truth.shape != prob.shape:
        raise ValueError(f"y_true has shape {truth.shape} but y_prob has shape {prob.shape}; they must match")
    if prob.size == 0 or not np.all(np.isfinite(prob)) or np.any((prob < 0) | (prob > 1)):
        raise ValueError("y_prob must be non-empty probabilities in [0, 1]")
    if gamma < 0 or (alpha is not None and not 0 <= alpha <= 1):
        raise ValueError(f"gamma must be >= 0 and alpha in [0, 1] (or None), got {gamma} and {alpha}")
    prob = np.clip(prob, EPSILON, 1 - EPSILON)
    p_t = truth * prob + (1 - truth) * (1 - prob)
    weight = 1.0 if alpha is None else truth * alpha + (1 - truth) * (1 - alpha)
    losses = -weight * (1 - p_t) ** gamma * np.log(p_t)
    return losses if per_sample else float(np.mean(losses))


# ---------------------------------------------------------------------------------------------
# Models and scores
# ---------------------------------------------------------------------------------------------

class Classifier:
    """A seeded one-hidden-layer Keras classifier (sigmoid output) that each ``fit`` retrains from the same start.

    Every fit starts from the same initial weights with a fresh optimizer, so one traced training
    graph serves many training sets: comparing methods costs one short training run each.
    """

    def __init__(self, n_features: int, *, loss: Any = "binary_crossentropy", hidden: int = 16,
                 lr: float = 3e-3, seed: int = 0) -> None:
        import keras

        if not isinstance(n_features, (int, np.integer)) or n_features < 1:
            raise ValueError(f"n_features must be a positive integer, got {n_features!r}")
        keras.utils.set_random_seed(seed)
        self.model = keras.Sequential([
            keras.Input(shape=(int(n_features),)),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        self.model.compile(optimizer=keras.optimizers.Adam(lr), loss=loss)
        self.initial_weights = self.model.get_weights()
        self.model.optimizer.build(self.model.trainable_variables)
        # the optimizer's fresh state (step count, moments; its learning rate is a variable too)
        self.initial_optimizer = [variable.numpy() for variable in self.model.optimizer.variables]
        self.n_features = int(n_features)

    def fit(self, x: Any, y: Any, *, class_weight: dict[int, float] | None = None, epochs: int = 15,
            batch_size: int = 256, seed: int = 0) -> "Classifier":
        """Train from the initial weights with a fresh optimizer state; returns itself."""
        import keras

        x, y = _matrix(x, "x"), binary_labels(y)
        _rows_match(x, y)
        if x.shape[1] != self.n_features:
            raise ValueError(f"x has {x.shape[1]} columns, the classifier expects {self.n_features}")
        self.model.set_weights(self.initial_weights)
        for variable, value in zip(self.model.optimizer.variables, self.initial_optimizer):
            variable.assign(value)
        keras.utils.set_random_seed(seed)
        self.model.fit(x.astype("float32"), y.astype("float32"), epochs=epochs, batch_size=batch_size,
                       class_weight=class_weight, shuffle=True, verbose=0)
        return self

    def predict_proba(self, x: Any) -> np.ndarray:
        """P(class 1) for each row of ``x``, as a flat float64 array."""
        return predict_proba(self.model, x)


def predict_proba(model: Any, x: Any) -> np.ndarray:
    """P(class 1) of a Keras model with one sigmoid output, as a flat float64 array."""
    x = _matrix(x, "x")
    return np.asarray(model(x.astype("float32"), training=False), dtype=np.float64).ravel()


@dataclass(frozen=True)
class MinorityScores:
    """Precision, recall and F1 of the minority (positive) class, plus accuracy."""

    precision: float
    recall: float
    f1: float
    accuracy: float


def minority_scores(y_true: Any, y_pred: Any) -> MinorityScores:
    """Precision, recall, F1 of class 1 and accuracy; 0 where a ratio would be 0/0."""
    truth, pred = binary_labels(y_true, "y_true"), binary_labels(y_pred, "y_pred")
    if truth.shape != pred.shape:
        raise ValueError(f"y_true has {truth.size} labels but y_pred has {pred.size}")
    tp = int(np.sum((pred == 1) & (truth == 1)))
    fp = int(np.sum((pred == 1) & (truth == 0)))
    fn = int(np.sum((pred == 0) & (truth == 1)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return MinorityScores(precision, recall, f1, float(np.mean(truth == pred)))


# ---------------------------------------------------------------------------------------------
# Notebook 18's explorer: what γ and α do to the loss
# ---------------------------------------------------------------------------------------------

def loss_shares(y_true: Any, y_prob: Any, gamma: float, alpha: float | None) -> dict[str, float]:
    """Shares of the summed focal loss carried by the minority class and by misclassified rows (p_t < ½)."""
    truth = binary_labels(y_true, "y_true").astype(np.float64)
    prob = np.asarray(y_prob, dtype=np.float64).ravel()
    losses = focal_loss(truth, prob, gamma, alpha, per_sample=True)
    total = float(np.sum(losses))
    p_t = truth * prob + (1 - truth) * (1 - prob)
    return {"minority": float(np.sum(losses[truth == 1]) / total),
            "misclassified": float(np.sum(losses[p_t < 0.5]) / total)}


def focal_explorer(y_true: Any, y_prob: Any, gamma: float = 2.0, alpha: float = 0.5) -> Explorer:
    """Sliders for γ and α: the focal loss curve, and who carries the loss on real predictions."""
    truth = binary_labels(y_true, "y_true")
    prob = np.asarray(y_prob, dtype=np.float64).ravel()
    if prob.shape != truth.shape:
        raise ValueError(f"y_prob has {prob.size} values but y_true has {truth.size} labels")
    p_grid = np.linspace(0.01, 1.0, 200)
    base = loss_shares(truth, prob, 0.0, None)

    artists: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        left, right = fig.subplots(1, 2, width_ratios=[1.2, 1])
        left.plot(p_grid, -np.log(p_grid), color="grey", linestyle="--", label="cross-entropy (γ = 0)")
        artists["curves"] = [left.plot([], [], color=colour, linewidth=2, linestyle=style)[0]
                             for colour, style in ((PALETTE[1], "-"), (PALETTE[0], "-."))]
        left.axvspan(0.0, 0.5, color=PALETTE[2], alpha=0.12, label="misclassified: p_t < 0.5")
        left.set(title="Loss of one example", xlabel="probability given to the true class p_t",
                 ylabel="loss (nats)", ylim=(0, 3.0), xlim=(0, 1.02))
        artists["left"] = left
        positions = np.arange(2)
        right.bar(positions - 0.18, [base["minority"], base["misclassified"]], width=0.36, color="grey",
                  label="cross-entropy")
        artists["bars"] = right.bar(positions + 0.18, [0, 0], width=0.36, color=PALETTE[1], label="focal")
        right.set_xticks(positions, ["from churners\n(minority)", "from misclassified\nexamples"])
        right.set(title="Share of the total loss", ylabel="fraction of the summed loss", ylim=(0, 1.15))
        artists["right_legend"] = right.legend(fontsize=8, loc="upper left")

    def draw(fig: Figure, gamma: float, alpha: float) -> str:
        if not artists:
            build(fig)
        for line, label, weight in zip(artists["curves"], (1, 0), (alpha, 1 - alpha)):
            line.set_data(p_grid, -weight * (1 - p_grid) ** gamma * np.log(p_grid))
            line.set_label(f"focal, true class {label} (α_t = {weight:.2f})")
        artists["left"].legend(fontsize=8)
        shares = loss_shares(truth, prob, gamma, alpha)
        for bar, value in zip(artists["bars"], (shares["minority"], shares["misclassified"])):
            bar.set_height(value)
        artists["right_legend"].get_texts()[1].set_text(f"focal γ = {gamma:.1f}, α = {alpha:.2f}")
        return (f"γ = {gamma:.1f}, α = {alpha:.2f}: churners carry {shares['minority']:.0%} of the loss "
                f"(cross-entropy: {base['minority']:.0%}); misclassified examples "
                f"{shares['misclassified']:.0%} (cross-entropy: {base['misclassified']:.0%})")

    controls: dict[str, ipw.ValueWidget] = {
        "gamma": slider("focusing γ", 0.0, 5.0, gamma, step=0.5),
        "alpha": slider("weight α of class 1", 0.05, 0.95, alpha, step=0.05),
    }
    return Explorer(controls, draw, figsize=(10.0, 3.8), rebuild=False)


def method_table(rows: Sequence[tuple[str, MinorityScores]]) -> str:
    """A fixed-width text table: method, minority precision, recall, F1, accuracy."""
    if not rows:
        raise ValueError("rows is empty")
    width = max(len(name) for name, _ in rows) + 2
    lines = [f"{'method':{width}s}precision  recall   F1     accuracy"]
    for name, s in rows:
        lines.append(f"{name:{width}s}{s.precision:9.3f}{s.recall:8.3f}{s.f1:7.3f}{s.accuracy:11.3f}")
    return "\n".join(lines)
