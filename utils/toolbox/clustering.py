"""Clustering from scratch: k-means (assign, update, k-means++), silhouettes, DBSCAN, and a k-means stepper.

Each function mirrors a scikit-learn one so notebook 50 can check them equal. Introduced in
notebook 50.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer


def _points(X: Any, name: str = "X") -> np.ndarray:
    """``X`` as a finite float matrix (n points, d features), or a clear error."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"{name} must be a matrix (n points, d features), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return X


def squared_distances(X: Any, centres: Any) -> np.ndarray:
    """(n, k) squared Euclidean distances from every point to every centre."""
    X, centres = _points(X), _points(centres, "centres")
    if X.shape[1] != centres.shape[1]:
        raise ValueError(f"X has {X.shape[1]} features but the centres have {centres.shape[1]}")
    return ((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)


def assign(X: Any, centres: Any) -> np.ndarray:
    """The assignment step: the index of each point's nearest centre (the first one on a tie)."""
    return np.argmin(squared_distances(X, centres), axis=1)


def update(X: Any, labels: Any, centres: Any) -> np.ndarray:
    """The update step: each centre moves to the mean of its points; a centre with no points stays."""
    X, centres = _points(X), _points(centres, "centres")
    labels = np.asarray(labels)
    if labels.shape != (len(X),):
        raise ValueError(f"labels must have shape ({len(X)},), got {labels.shape}")
    new = centres.copy()
    for j in range(len(centres)):
        members = X[labels == j]
        if len(members):
            new[j] = members.mean(axis=0)
    return new


def inertia(X: Any, labels: Any, centres: Any) -> float:
    """Within-cluster sum of squared distances to the assigned centres (what k-means minimises)."""
    distances = squared_distances(X, centres)
    return float(distances[np.arange(len(distances)), np.asarray(labels)].sum())


@dataclass(frozen=True)
class KMeansRun:
    """A finished k-means run: final centres and labels, the inertia, and every intermediate state."""

    centres: np.ndarray
    labels: np.ndarray
    inertia: float
    iterations: int
    history: tuple[tuple[np.ndarray, np.ndarray], ...]  # (centres, labels) after each assignment


def kmeans(X: Any, initial_centres: Any, max_iter: int = 300) -> KMeansRun:
    """Lloyd's algorithm from the given centres, until no label changes (scikit-learn's tol=0)."""
    X = _points(X)
    centres = _points(initial_centres, "initial_centres").copy()
    if len(centres) > len(X):
        raise ValueError(f"cannot have more centres ({len(centres)}) than points ({len(X)})")
    labels = assign(X, centres)
    history = [(centres.copy(), labels.copy())]
    for iteration in range(1, max_iter + 1):
        centres = update(X, labels, centres)
        new_labels = assign(X, centres)
        history.append((centres.copy(), new_labels.copy()))
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return KMeansRun(centres, new_labels, inertia(X, new_labels, centres), iteration, tuple(history))


def kmeans_plus_plus(X: Any, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding (Arthur & Vassilvitskii, 2007): each new centre drawn with probability ∝ D(x)²."""
    X = _points(X)
    if not 1 <= k <= len(X):
        raise ValueError(f"k must lie in 1 … {len(X)}, got {k}")
    centres = [X[rng.integers(len(X))]]
    for _ in range(k - 1):
        nearest = squared_distances(X, np.array(centres)).min(axis=1)
        centres.append(X[rng.choice(len(X), p=nearest / nearest.sum())])
    return np.array(centres)


def silhouette_samples(X: Any, labels: Any) -> np.ndarray:
    """Each point's silhouette (b - a) / max(a, b); 0 for a point alone in its cluster."""
    X = _points(X)
    labels = np.asarray(labels)
    if labels.shape != (len(X),):
        raise ValueError(f"labels must have shape ({len(X)},), got {labels.shape}")
    clusters = np.unique(labels)
    if not 2 <= len(clusters) <= len(X) - 1:
        raise ValueError(f"silhouettes need 2 … n - 1 clusters, got {len(clusters)}")
    distance = np.sqrt(squared_distances(X, X))
    scores = np.zeros(len(X))
    for i in range(len(X)):
        own = labels == labels[i]
        if own.sum() == 1:
            continue
        a = distance[i, own].sum() / (own.sum() - 1)
        b = min(distance[i, labels == other].mean() for other in clusters if other != labels[i])
        scores[i] = (b - a) / max(a, b)
    return scores


NOISE = -1


def dbscan(X: Any, eps: float, min_samples: int) -> np.ndarray:
    """DBSCAN (Ester et al., 1996): clusters grown from core points, NOISE (-1) for the rest.

    A core point has at least ``min_samples`` points (itself included) within ``eps``; clusters are
    numbered in the order their first core point appears, as scikit-learn numbers them.
    """
    X = _points(X)
    if eps <= 0 or min_samples < 1:
        raise ValueError(f"eps must be positive and min_samples at least 1, got {eps} and {min_samples}")
    neighbours = [np.flatnonzero(row <= eps * eps) for row in squared_distances(X, X)]
    core = np.array([len(n) >= min_samples for n in neighbours])
    labels = np.full(len(X), NOISE)
    cluster = 0
    for start in range(len(X)):
        if not core[start] or labels[start] != NOISE:
            continue
        labels[start] = cluster
        queue = deque([start])
        while queue:
            point = queue.popleft()
            if not core[point]:
                continue  # a border point joins the cluster but does not extend it
            for other in neighbours[point]:
                if labels[other] == NOISE:
                    labels[other] = cluster
                    queue.append(other)
        cluster += 1
    return labels


def kmeans_explorer(X: Any, runs: dict[str, KMeansRun], start: str | None = None) -> Explorer:
    """Step through k-means runs: after each assignment, then after each update, with the inertia."""
    X = _points(X)
    if X.shape[1] != 2:
        raise ValueError(f"the stepper draws 2-D points, got {X.shape[1]} features")
    if not runs:
        raise ValueError("runs must map a name to a KMeansRun")
    start = start or next(iter(runs))
    if start not in runs:
        raise ValueError(f"unknown run {start!r}; choose one of {list(runs)}")
    longest = max(len(run.history) for run in runs.values())
    k = len(next(iter(runs.values())).centres)
    colours = np.array([PALETTE[j % len(PALETTE)] for j in range(k)], dtype=object)
    parts: dict[str, Any] = {}

    def state(run: KMeansRun, step: int) -> tuple[np.ndarray, np.ndarray, str]:
        """Centres and labels shown at a step: 2i = after assignment i, 2i + 1 = after update i + 1."""
        index = min(step // 2, len(run.history) - 1)
        centres, labels = run.history[index]
        if step % 2 == 1 and index + 1 < len(run.history):
            return run.history[index + 1][0], labels, "update: every centre moves to the mean of its points"
        return centres, labels, "assignment: every point joins its nearest centre"

    def build(fig: Figure) -> None:
        ax = fig.subplots()
        parts["points"] = ax.scatter(X[:, 0], X[:, 1], s=14, c=[PALETTE[0]] * len(X))
        parts["centres"] = ax.scatter(np.zeros(k), np.zeros(k), marker="X", s=180, c=list(colours),
                                      edgecolors="k", linewidths=1.5, zorder=3)
        parts["trails"] = [ax.plot([], [], "-", color="k", linewidth=1, alpha=0.6)[0] for _ in range(k)]
        ax.set(xlabel="feature 1", ylabel="feature 2", title="k-means, one half-step at a time")
        for artist in [parts["points"], parts["centres"], *parts["trails"]]:
            artist.set_animated(True)  # the axes are drawn once; only these are redrawn
        pad = 0.05 * (X.max(axis=0) - X.min(axis=0))
        ax.set(xlim=(X[:, 0].min() - pad[0], X[:, 0].max() + pad[0]),
               ylim=(X[:, 1].min() - pad[1], X[:, 1].max() + pad[1]))

    def draw(fig: Figure, run: str, step: int) -> str:
        if not parts:
            build(fig)
        chosen = runs[run]
        centres, labels, phase = state(chosen, step)
        parts["points"].set_color(list(colours[labels]))
        parts["centres"].set_offsets(centres)
        visited = [h[0] for h in chosen.history[: min(step // 2 + 1 + step % 2, len(chosen.history))]]
        for j, trail in enumerate(parts["trails"]):
            path = np.array([c[j] for c in visited])
            trail.set_data(path[:, 0], path[:, 1])
        done = step // 2 >= len(chosen.history) - 1
        value = inertia(X, labels, centres)
        return (f"{run}, step {step}: {phase}. Inertia {value:.1f}"
                + (f" (converged after {chosen.iterations} updates)" if done else ""))

    controls = {
        "run": ipw.Dropdown(options=list(runs), value=start, description="start"),
        "step": ipw.IntSlider(value=0, min=0, max=2 * longest - 1, description="half-step",
                              continuous_update=False),
    }
    return Explorer(controls, draw, figsize=(7.0, 4.6), rebuild=False)
