"""Face verification with stand-in identities: pairs, contrastive and triplet losses (NumPy and TensorFlow),
semi-hard negative mining, an embedding network, thresholds on distances, and the verification explorer.
Introduced in notebook 28.
"""

from __future__ import annotations

from typing import Any, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer

# ---------------------------------------------------------------------------------------------
# Identities and pairs
# ---------------------------------------------------------------------------------------------


def _labels(labels: Any, name: str = "labels") -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{name} must be integers, got dtype {labels.dtype}")
    return labels


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def identity_subset(images: Any, labels: Any, identities: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """The images whose label is one of ``identities``, with their labels unchanged."""
    images, labels = np.asarray(images), _labels(labels)
    if len(images) != len(labels):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels")
    identities = [int(i) for i in identities]
    missing = [i for i in identities if not np.any(labels == i)]
    if not identities or missing:
        raise ValueError(f"identities {missing or identities} do not occur in the labels "
                         f"(present: {np.unique(labels).tolist()})")
    keep = np.isin(labels, identities)
    return images[keep], labels[keep]


def make_pairs(labels: Any, n_pairs: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n_pairs`` balanced pairs (first, second, same): even rows share an identity, odd rows do not (seeded)."""
    labels = _labels(labels)
    n_pairs = _positive_int(n_pairs, "n_pairs")
    counts = np.unique(labels, return_counts=True)[1]
    if len(counts) < 2 or counts.max() < 2:
        raise ValueError("pairs need at least two identities and one identity with two or more images")
    rng = np.random.default_rng(seed)
    first = np.empty(n_pairs, dtype=np.int64)
    second = np.empty(n_pairs, dtype=np.int64)
    same = np.arange(n_pairs) % 2 == 0
    has_twin = np.flatnonzero(np.isin(labels, np.unique(labels)[counts >= 2]))
    for k in range(n_pairs):
        i = int(rng.choice(has_twin)) if same[k] else int(rng.integers(len(labels)))
        candidates = np.flatnonzero((labels == labels[i]) == same[k])
        candidates = candidates[candidates != i]
        first[k], second[k] = i, int(rng.choice(candidates))
    return first, second, same


def identity_batches(labels: Any, identities_per_batch: int, images_per_identity: int, steps: int,
                     seed: int = 0) -> np.ndarray:
    """Indices for ``steps`` batches of P identities × K images each (P·K sampling, seeded), one after the other."""
    labels = _labels(labels)
    p = _positive_int(identities_per_batch, "identities_per_batch")
    k = _positive_int(images_per_identity, "images_per_identity")
    steps = _positive_int(steps, "steps")
    classes, counts = np.unique(labels, return_counts=True)
    if p > len(classes):
        raise ValueError(f"identities_per_batch={p} but the labels hold only {len(classes)} identities")
    if k > counts.min():
        raise ValueError(f"images_per_identity={k} but identity {int(classes[counts.argmin()])} has "
                         f"only {counts.min()} images")
    rng = np.random.default_rng(seed)
    pools = {int(c): np.flatnonzero(labels == c) for c in classes}
    batches = []
    for _ in range(steps):
        for c in rng.choice(classes, size=p, replace=False):
            batches.append(rng.choice(pools[int(c)], size=k, replace=False))
    return np.concatenate(batches)


# ---------------------------------------------------------------------------------------------
# Distances and the two losses, in NumPy
# ---------------------------------------------------------------------------------------------


def _embeddings(x: Any, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.size == 0:
        raise ValueError(f"{name} must be a 2-D array (examples, embedding size), got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return x


def _margin(margin: Any) -> float:
    margin = float(margin)
    if not np.isfinite(margin) or margin < 0:
        raise ValueError(f"margin must be a finite number >= 0, got {margin}")
    return margin


def distance(a: Any, b: Any) -> np.ndarray:
    """Euclidean distance ‖a − b‖ between matching rows of two embedding arrays."""
    a, b = _embeddings(a, "a"), _embeddings(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    return np.sqrt(np.sum((a - b) ** 2, axis=1))


def pairwise_distances(embeddings: Any, squared: bool = False) -> np.ndarray:
    """The (n, n) matrix of Euclidean (or squared) distances between all rows of ``embeddings``."""
    e = _embeddings(embeddings, "embeddings")
    d2 = np.maximum(np.sum((e[:, None, :] - e[None, :, :]) ** 2, axis=2), 0.0)
    return d2 if squared else np.sqrt(d2)


def contrastive_loss(distances: Any, same: Any, margin: float = 1.0) -> float:
    """Mean contrastive loss: same pairs pay d², different pairs pay max(0, margin − d)²."""
    d = np.asarray(distances, dtype=np.float64).ravel()
    y = np.asarray(same, dtype=np.float64).ravel()
    if d.shape != y.shape or d.size == 0:
        raise ValueError(f"distances and same must be non-empty and of equal length, got {d.size} and {y.size}")
    if np.any(d < 0):
        raise ValueError("distances must be >= 0")
    margin = _margin(margin)
    return float(np.mean(y * d**2 + (1 - y) * np.maximum(margin - d, 0.0) ** 2))


def triplet_loss(anchor: Any, positive: Any, negative: Any, margin: float = 0.2) -> float:
    """Mean triplet loss max(0, ‖a − p‖² − ‖a − n‖² + margin) over the rows (FaceNet's squared distances)."""
    a, p, n = (_embeddings(v, name) for v, name in ((anchor, "anchor"), (positive, "positive"),
                                                      (negative, "negative")))
    if not a.shape == p.shape == n.shape:
        raise ValueError(f"anchor, positive and negative must have the same shape, got {a.shape}, {p.shape}, "
                         f"{n.shape}")
    margin = _margin(margin)
    gap = np.sum((a - p) ** 2, axis=1) - np.sum((a - n) ** 2, axis=1) + margin
    return float(np.mean(np.maximum(gap, 0.0)))


# ---------------------------------------------------------------------------------------------
# Semi-hard negative mining
# ---------------------------------------------------------------------------------------------

EASY, SEMI_HARD, HARD = 0, 1, 2
CATEGORY_NAMES = ("easy", "semi-hard", "hard")


def negative_categories(d_ap: float, d_an: Any, margin: float) -> np.ndarray:
    """Each negative's kind for one anchor-positive pair (squared distances): hard, semi-hard or easy."""
    d_an = np.asarray(d_an, dtype=np.float64)
    margin = _margin(margin)
    kinds = np.full(d_an.shape, EASY)
    kinds[d_an < d_ap + margin] = SEMI_HARD
    kinds[d_an <= d_ap] = HARD
    return kinds


def semi_hard_triplets(embeddings: Any, labels: Any, margin: float = 0.2) -> np.ndarray:
    """(anchor, positive, negative) rows for every anchor-positive pair of a batch, the negative mined semi-hard.

    For each pair the negative is the closest one farther than the positive (d_an > d_ap, squared
    distances); when there is none, the farthest of the closer ones (Schroff et al., 2015).
    """
    labels = _labels(labels)
    d2 = pairwise_distances(embeddings, squared=True)
    if len(d2) != len(labels):
        raise ValueError(f"got {len(d2)} embeddings but {len(labels)} labels")
    _margin(margin)
    same = labels[:, None] == labels[None, :]
    rows = []
    for a, p in zip(*np.nonzero(same & ~np.eye(len(labels), dtype=bool))):
        negatives = np.flatnonzero(~same[a])
        if negatives.size == 0:
            continue
        d_an = d2[a, negatives]
        farther = d_an > d2[a, p]
        n = negatives[farther][np.argmin(d_an[farther])] if farther.any() else negatives[np.argmax(d_an)]
        rows.append((a, p, n))
    if not rows:
        raise ValueError("the batch needs two images of one identity and an image of another")
    return np.array(rows, dtype=np.int64)


def semi_hard_loss(embeddings: Any, labels: Any, margin: float = 0.2) -> float:
    """Mean triplet loss over every anchor-positive pair of a batch, with semi-hard negatives, in NumPy."""
    e = _embeddings(embeddings, "embeddings")
    triplets = semi_hard_triplets(e, labels, margin)
    return triplet_loss(e[triplets[:, 0]], e[triplets[:, 1]], e[triplets[:, 2]], margin)


# ---------------------------------------------------------------------------------------------
# The same losses in TensorFlow (what the network trains with)
# ---------------------------------------------------------------------------------------------


def contrastive_loss_tf(distances: Any, same: Any, margin: float = 1.0) -> Any:
    """Mean contrastive loss as a TensorFlow computation (differentiable)."""
    import tensorflow as tf

    d = tf.reshape(tf.convert_to_tensor(distances), [-1])
    y = tf.cast(tf.reshape(same, [-1]), d.dtype)
    return tf.reduce_mean(y * d**2 + (1 - y) * tf.square(tf.maximum(margin - d, 0.0)))


def triplet_loss_tf(anchor: Any, positive: Any, negative: Any, margin: float = 0.2) -> Any:
    """Mean triplet loss with squared distances as a TensorFlow computation."""
    import tensorflow as tf

    a, p, n = (tf.convert_to_tensor(v) for v in (anchor, positive, negative))
    gap = tf.reduce_sum(tf.square(a - p), axis=1) - tf.reduce_sum(tf.square(a - n), axis=1) + margin
    return tf.reduce_mean(tf.maximum(gap, 0.0))


def semi_hard_loss_tf(labels: Any, embeddings: Any, margin: float = 0.2) -> Any:
    """Batch triplet loss with semi-hard negatives in TensorFlow: ``semi_hard_loss`` for training (labels first)."""
    import tensorflow as tf

    e = tf.convert_to_tensor(embeddings)
    labels = tf.reshape(tf.cast(labels, tf.int32), [-1])
    sq = tf.reduce_sum(tf.square(e), axis=1)
    d2 = tf.maximum(sq[:, None] - 2.0 * tf.matmul(e, e, transpose_b=True) + sq[None, :], 0.0)
    same = tf.equal(labels[:, None], labels[None, :])
    size = tf.shape(labels)[0]
    positive = tf.logical_and(same, tf.logical_not(tf.eye(size, dtype=tf.bool)))
    negative = tf.logical_not(same)[:, None, :]  # (anchor, ·, negative)
    d_ap, d_an = d2[:, :, None], d2[:, None, :]
    farther = tf.logical_and(negative, d_an > d_ap)
    far = tf.reduce_max(d2) + 1.0
    closest_farther = tf.reduce_min(tf.where(farther, d_an, far), axis=2)
    farthest = tf.reduce_max(tf.where(negative, d_an, -1.0), axis=2)
    chosen = tf.where(tf.reduce_any(farther, axis=2), closest_farther, farthest)
    weight = tf.cast(tf.logical_and(positive, tf.reduce_any(negative, axis=2)), e.dtype)
    losses = tf.maximum(d2 - chosen + margin, 0.0) * weight
    return tf.reduce_sum(losses) / tf.maximum(tf.reduce_sum(weight), 1.0)


def semi_hard_keras_loss(margin: float = 0.2) -> Any:
    """A Keras loss ``loss(y_true=labels, y_pred=embeddings)``: the semi-hard batch triplet loss."""
    margin = _margin(margin)

    def semi_hard_triplet(y_true: Any, y_pred: Any) -> Any:
        return semi_hard_loss_tf(y_true, y_pred, margin)

    return semi_hard_triplet


# ---------------------------------------------------------------------------------------------
# Stand-in identities: two-digit numbers written by different hands
# ---------------------------------------------------------------------------------------------


def split_numbers(seed: int = 0, train: int = 70, validation: int = 15) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 100 two-digit numbers 00-99 shuffled (seeded) into training, validation and test identities."""
    train, validation = _positive_int(train, "train"), _positive_int(validation, "validation")
    if train + validation >= 100:
        raise ValueError(f"train + validation must leave test identities out of 100, got {train} + {validation}")
    order = np.random.default_rng(seed).permutation(100)
    return np.sort(order[:train]), np.sort(order[train:train + validation]), np.sort(order[train + validation:])


def compose_numbers(images: Any, labels: Any, numbers: Sequence[int], per_number: int,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``per_number`` images of each two-digit number: a random image of its tens digit beside one of its units digit."""
    images, labels = np.asarray(images), _labels(labels)
    if images.ndim != 3 or len(images) != len(labels):
        raise ValueError(f"images must be (n, height, width) with one label each, got {images.shape} "
                         f"and {labels.shape}")
    per_number = _positive_int(per_number, "per_number")
    numbers = np.asarray(numbers)
    if numbers.ndim != 1 or numbers.size == 0 or np.any((numbers < 0) | (numbers > 99)):
        raise ValueError(f"numbers must be a non-empty list of integers 0-99, got {numbers.tolist()}")
    pools = {d: np.flatnonzero(labels == d) for d in range(10)}
    needed = sorted({int(d) for n in numbers for d in divmod(int(n), 10)})
    missing = [d for d in needed if pools[d].size == 0]
    if missing:
        raise ValueError(f"no images of the digits {missing} in the labels")
    rng = np.random.default_rng(seed)
    pictures, names = [], []
    for number in numbers:
        tens, units = divmod(int(number), 10)
        for _ in range(per_number):
            left, right = images[rng.choice(pools[tens])], images[rng.choice(pools[units])]
            pictures.append(np.concatenate([left, right], axis=1))
            names.append(int(number))
    return np.stack(pictures), np.array(names, dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# The embedding network and the siamese pair model
# ---------------------------------------------------------------------------------------------


def build_embedding(input_shape: Sequence[int] = (28, 56, 1), size: int = 32, name: str = "embedding") -> Any:
    """A small CNN mapping an image to a unit-length embedding of ``size`` numbers."""
    import keras

    size = _positive_int(size, "size")
    return keras.Sequential([
        keras.Input(shape=tuple(input_shape)),
        keras.layers.Conv2D(16, 3, activation="relu", name="conv1"),
        keras.layers.MaxPooling2D(2, name="pool1"),
        keras.layers.Conv2D(32, 3, activation="relu", name="conv2"),
        keras.layers.MaxPooling2D(2, name="pool2"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(64, activation="relu", name="hidden"),
        keras.layers.Dense(size, name="project"),
        keras.layers.UnitNormalization(name="unit_length"),
    ], name=name)


def build_siamese(embedding: Any, name: str = "siamese") -> Any:
    """Two inputs through the SAME embedding network, then the Euclidean distance of the two embeddings."""
    import keras

    shape = tuple(embedding.input_shape[1:])
    first, second = keras.Input(shape=shape, name="first"), keras.Input(shape=shape, name="second")
    a, b = embedding(first), embedding(second)
    squared = keras.ops.sum(keras.ops.square(a - b), axis=1)
    gap = keras.ops.sqrt(keras.ops.maximum(squared, 1e-12))
    return keras.Model([first, second], gap, name=name)


def embed(model: Any, x: Any, batch_size: int = 500) -> np.ndarray:
    """Embeddings of every input, in batches, without Keras's predict loop."""
    x = np.asarray(x)
    return np.concatenate([np.asarray(model(x[i:i + batch_size], training=False))
                           for i in range(0, len(x), batch_size)])


# ---------------------------------------------------------------------------------------------
# A threshold on the distance
# ---------------------------------------------------------------------------------------------


def _pairs(distances: Any, same: Any) -> tuple[np.ndarray, np.ndarray]:
    d = np.asarray(distances, dtype=np.float64).ravel()
    y = np.asarray(same).ravel().astype(bool)
    if d.size == 0 or d.shape != y.shape:
        raise ValueError(f"distances and same must be non-empty and of equal length, got {d.size} and {y.size}")
    if not np.all(np.isfinite(d)):
        raise ValueError("distances hold NaN or infinite values")
    return d, y


def accuracy_at(distances: Any, same: Any, thresholds: Any) -> np.ndarray:
    """Verification accuracy at each threshold: 'same' when the distance is at most the threshold."""
    d, y = _pairs(distances, same)
    t = np.atleast_1d(np.asarray(thresholds, dtype=np.float64))
    return np.mean((d[None, :] <= t[:, None]) == y[None, :], axis=1)


def choose_threshold(distances: Any, same: Any) -> tuple[float, float]:
    """(threshold, accuracy): the threshold with the best accuracy, halfway between two neighbouring distances."""
    d, y = _pairs(distances, same)
    values = np.unique(d)
    candidates = np.concatenate([[values[0] - 1e-6], (values[1:] + values[:-1]) / 2, [values[-1] + 1e-6]])
    accuracy = accuracy_at(d, y, candidates)
    best = int(np.argmax(accuracy))
    return float(candidates[best]), float(accuracy[best])


def roc_points(distances: Any, same: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(false-positive rate, true-positive rate, thresholds) as the threshold sweeps over every distance."""
    d, y = _pairs(distances, same)
    if y.all() or not y.any():
        raise ValueError("the ROC curve needs both same and different pairs")
    thresholds = np.concatenate([[-np.inf], np.unique(d)])
    accepted = d[None, :] <= thresholds[:, None]
    tpr = (accepted & y).sum(axis=1) / y.sum()
    fpr = (accepted & ~y).sum(axis=1) / (~y).sum()
    return fpr, tpr, thresholds


def area_under(fpr: Any, tpr: Any) -> float:
    """Area under a curve through the points (fpr, tpr), by the trapezoid rule."""
    fpr, tpr = np.asarray(fpr, dtype=np.float64), np.asarray(tpr, dtype=np.float64)
    if fpr.shape != tpr.shape or fpr.ndim != 1 or fpr.size < 2:
        raise ValueError(f"fpr and tpr must be 1-D of equal length >= 2, got {fpr.shape} and {tpr.shape}")
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


# ---------------------------------------------------------------------------------------------
# Plots and the explorer
# ---------------------------------------------------------------------------------------------


def plot_distances(ax: Any, distances: Any, same: Any, threshold: float | None = None, bins: int = 40,
                   title: str = "Embedding distances of pairs") -> Any:
    """Histograms of the distances of same and different pairs, with the threshold as a vertical line."""
    d, y = _pairs(distances, same)
    edges = np.linspace(0, max(d.max(), threshold or 0) * 1.02, bins + 1)
    ax.hist(d[y], bins=edges, alpha=0.6, color=PALETTE[0], label=f"same identity ({y.sum()})")
    ax.hist(d[~y], bins=edges, alpha=0.6, color=PALETTE[1], label=f"different identities ({(~y).sum()})")
    if threshold is not None:
        ax.axvline(threshold, color="black", linestyle="--", label=f"threshold {threshold:.2f}")
    ax.set(title=title, xlabel="Euclidean distance of the two embeddings", ylabel="pairs")
    ax.set_ylim(0, ax.get_ylim()[1] * 1.3)  # headroom for the legend
    ax.legend(fontsize=7, loc="upper left")
    return ax


def verification_explorer(images: Any, labels: Any, embeddings: Any, threshold: float, first: int = 0,
                          second: int = 1, pair_distances: Any = None, pair_same: Any = None) -> Explorer:
    """Pick two images: their embedding distance, the threshold and the decision (same or different)."""
    images, labels = np.asarray(images), _labels(labels)
    e = _embeddings(embeddings, "embeddings")
    if not len(images) == len(labels) == len(e):
        raise ValueError(f"images, labels and embeddings must have one row each, got {len(images)}, "
                         f"{len(labels)} and {len(e)}")
    threshold = float(threshold)
    last = len(images) - 1
    for value, name in ((first, "first"), (second, "second")):
        if not 0 <= int(value) <= last:
            raise ValueError(f"{name} must be an index 0..{last}, got {value}")
    parts: dict[str, Any] = {}
    top = float(np.sqrt(np.max(np.sum(e**2, axis=1))) * 2.05)

    def build(fig: Figure) -> None:
        grid = fig.add_gridspec(2, 2, width_ratios=[1, 1.6])
        for row, key in enumerate(("a", "b")):
            ax = fig.add_subplot(grid[row, 0])
            parts[key] = ax.imshow(images[0], cmap="gray_r", vmin=0, vmax=255)
            parts[key + "_title"] = ax.set_title("", fontsize=9)
            ax.axis("off")
        ax = fig.add_subplot(grid[:, 1])
        if pair_distances is not None and pair_same is not None:
            plot_distances(ax, pair_distances, pair_same, threshold, title="Distance of the chosen pair")
        else:
            ax.axvline(threshold, color="black", linestyle="--", label=f"threshold {threshold:.2f}")
            ax.set(title="Distance of the chosen pair", xlabel="Euclidean distance of the two embeddings")
            ax.legend(fontsize=8)
        ax.set_xlim(0, max(top, threshold * 1.1))
        parts["marker"] = ax.axvline(0.0, color=PALETTE[2], linewidth=3)
        parts["verdict"] = ax.text(0.98, 0.55, "", transform=ax.transAxes, ha="right", fontsize=10)

    def draw(fig: Figure, first: int, second: int) -> str:
        if not parts:
            build(fig)
        gap = float(np.sqrt(np.sum((e[first] - e[second]) ** 2)))
        said_same = gap <= threshold
        truth = bool(labels[first] == labels[second])
        for key, index in (("a", first), ("b", second)):
            parts[key].set_data(images[index])
            parts[key + "_title"].set_text(f"image {index} (identity {labels[index]:02d})")
        parts["marker"].set_xdata([gap, gap])
        decision = "same" if said_same else "different"
        right = "right" if said_same == truth else "wrong"
        parts["verdict"].set_text(f"distance {gap:.2f}\n→ {decision} ({right})")
        parts["verdict"].set_color("black" if said_same == truth else PALETTE[3])
        relation = "<=" if said_same else ">"
        return (f"distance {gap:.3f} {relation} threshold {threshold:.3f}: the network says {decision}; "
                f"truly {'the same identity' if truth else 'different identities'} ({right})")

    controls = {
        "first": ipw.IntSlider(value=int(first), min=0, max=last, description="first image",
                               continuous_update=False),
        "second": ipw.IntSlider(value=int(second), min=0, max=last, description="second image",
                                continuous_update=False),
    }
    return Explorer(controls, draw, figsize=(8.0, 3.8), rebuild=False)
