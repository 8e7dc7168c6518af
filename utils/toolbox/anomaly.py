"""Anomaly detection by density: seeded engine data, Gaussian models fitted on normal data, F1 thresholds.

Introduced in notebook 51.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.training.metrics import precision_recall_f1
from utils.widgets import Explorer

ENGINE_FEATURES: tuple[str, ...] = (
    "heat (°C above ambient)", "vibration (mm/s)", "oil pressure (bar)", "fuel flow (kg/h)",
    "exhaust temperature (°C)", "shaft speed (krpm)",
)


@dataclass(frozen=True)
class Engines:
    """A seeded set of engine test runs: measurements X, labels y (1 = faulty) and the feature names."""

    X: np.ndarray
    y: np.ndarray
    features: tuple[str, ...] = ENGINE_FEATURES


def make_engines(n_normal: int = 3000, n_faulty: int = 40, seed: int = 0) -> Engines:
    """Test runs of aircraft engines: correlated normal runs and faulty ones, shuffled.

    Half of the faults are extreme in one measurement; the other half have every measurement in
    the normal range but break the usual link between heat and vibration (hot but quiet, or
    cool but shaking), which only a model of the joint distribution can see.
    """
    if n_normal < 10 or n_faulty < 2:
        raise ValueError(f"need at least 10 normal and 2 faulty runs, got {n_normal} and {n_faulty}")
    rng = np.random.default_rng(seed)
    mean = np.array([60.0, 8.0, 4.0, 900.0, 550.0, 12.0])
    sd = np.array([6.0, 1.2, 0.3, 40.0, 15.0, 0.5])
    correlation = np.eye(6)
    for (a, b), value in {(0, 1): 0.9, (0, 4): 0.6, (1, 4): 0.5, (3, 5): 0.7}.items():
        correlation[a, b] = correlation[b, a] = value
    covariance = correlation * np.outer(sd, sd)
    normal = rng.multivariate_normal(mean, covariance, size=n_normal)
    n_extreme = n_faulty // 2
    extreme = rng.multivariate_normal(mean, covariance, size=n_extreme)
    which = rng.integers(0, 6, size=n_extreme)
    extreme[np.arange(n_extreme), which] += rng.choice([-1, 1], n_extreme) * rng.uniform(3.5, 5.0, n_extreme) * sd[which]
    broken = rng.multivariate_normal(mean, covariance, size=n_faulty - n_extreme)
    sign = rng.choice([-1.0, 1.0], size=len(broken))
    broken[:, 0] = mean[0] + sign * rng.uniform(1.2, 2.0, len(broken)) * sd[0]
    broken[:, 1] = mean[1] - sign * rng.uniform(1.2, 2.0, len(broken)) * sd[1]  # heat and vibration disagree
    X = np.vstack([normal, extreme, broken])
    y = np.r_[np.zeros(n_normal, dtype=np.int64), np.ones(n_faulty, dtype=np.int64)]
    order = rng.permutation(len(y))
    return Engines(X[order], y[order])


def _matrix(X: Any) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) == 0 or not np.all(np.isfinite(X)):
        raise ValueError(f"X must be a finite matrix (n rows, d features), got shape {X.shape}")
    return X


def fit_gaussian(X: Any) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood mean and variance of every feature (variance divides by n)."""
    X = _matrix(X)
    return X.mean(axis=0), X.var(axis=0)


def independent_log_density(X: Any, mean: Any, variance: Any) -> np.ndarray:
    """log p(x) = sum_j log N(x_j; mu_j, sigma_j^2): features treated as independent."""
    X, mean, variance = _matrix(X), np.asarray(mean, dtype=np.float64), np.asarray(variance, dtype=np.float64)
    if mean.shape != (X.shape[1],) or variance.shape != mean.shape or np.any(variance <= 0):
        raise ValueError(f"mean and variance must be {X.shape[1]} values, the variances positive")
    return np.sum(-0.5 * np.log(2 * np.pi * variance) - (X - mean) ** 2 / (2 * variance), axis=1)


def fit_multivariate(X: Any) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood mean and covariance matrix (divides by n)."""
    X = _matrix(X)
    return X.mean(axis=0), np.cov(X, rowvar=False, bias=True)


def multivariate_log_density(X: Any, mean: Any, covariance: Any) -> np.ndarray:
    """log N(x; mu, Sigma) = -(d log 2 pi + log det Sigma + (x - mu)' Sigma^-1 (x - mu)) / 2."""
    X, mean, covariance = _matrix(X), np.asarray(mean, dtype=np.float64), np.asarray(covariance, dtype=np.float64)
    d = X.shape[1]
    if mean.shape != (d,) or covariance.shape != (d, d):
        raise ValueError(f"mean must have shape ({d},) and covariance ({d}, {d})")
    sign, log_det = np.linalg.slogdet(covariance)
    if sign <= 0:
        raise ValueError("the covariance matrix must be positive definite")
    centred = X - mean
    mahalanobis = np.sum(centred * np.linalg.solve(covariance, centred.T).T, axis=1)
    return -0.5 * (d * np.log(2 * np.pi) + log_det + mahalanobis)


def f1_score(flagged: Any, y: Any) -> float:
    """F1 of flagging anomalies (1 = flagged / faulty): notebook 19's F1 of class 1, 0 when nothing is right."""
    return precision_recall_f1(np.asarray(y).astype(int), np.asarray(flagged).astype(int))[2]


def select_threshold(score: Any, y: Any) -> tuple[float, float]:
    """The threshold epsilon (flag score < epsilon) with the best validation F1, and that F1.

    Candidates lie halfway between consecutive distinct scores; the first best one wins.
    """
    score, y = np.asarray(score, dtype=np.float64), np.asarray(y)
    if score.shape != y.shape or score.ndim != 1:
        raise ValueError(f"score and y must be vectors of the same length, got {score.shape} and {y.shape}")
    if not 0 < np.sum(y) < len(y):
        raise ValueError("the validation set needs both normal and anomalous examples")
    values = np.unique(score)
    candidates = (values[:-1] + values[1:]) / 2
    best = (float(candidates[0]), -1.0)
    for epsilon in candidates:
        value = f1_score(score < epsilon, y)
        if value > best[1]:
            best = (float(epsilon), value)
    return best


def threshold_explorer(X: Any, y: Any, mean: Any, covariance: Any, features: Sequence[str],
                       log_epsilon: float) -> Explorer:
    """Move the density threshold of a 2-D Gaussian: its contour, the flagged runs, precision, recall, F1."""
    X, y = _matrix(X), np.asarray(y)
    if X.shape[1] != 2:
        raise ValueError("the explorer draws two features: X must have 2 columns")
    log_density = multivariate_log_density(X, mean, covariance)
    low, high = float(np.percentile(log_density, 0.5)) - 3, float(np.max(log_density))
    if not low <= log_epsilon <= high:
        raise ValueError(f"log_epsilon must lie in [{low:.1f}, {high:.1f}], got {log_epsilon}")
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0))
    xs = np.linspace(X[:, 0].min() - pad[0], X[:, 0].max() + pad[0], 160)
    ys = np.linspace(X[:, 1].min() - pad[1], X[:, 1].max() + pad[1], 160)
    gx, gy = np.meshgrid(xs, ys)
    grid = multivariate_log_density(np.column_stack([gx.ravel(), gy.ravel()]), mean, covariance).reshape(gx.shape)
    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        ax = fig.subplots()
        ax.contour(gx, gy, grid, levels=np.linspace(grid.max() - 12, grid.max(), 7), colors="grey",
                   linewidths=0.6, alpha=0.7)
        ax.scatter(X[y == 0, 0], X[y == 0, 1], s=6, color=PALETTE[0], alpha=0.5, label="normal run")
        ax.scatter(X[y == 1, 0], X[y == 1, 1], s=40, marker="^", color=PALETTE[3], label="faulty run")
        parts["flagged"] = ax.scatter([], [], s=90, facecolors="none", edgecolors="k", linewidths=1.2,
                                      label="flagged (density below ε)")
        parts["outside"] = ax.imshow(np.zeros_like(grid), origin="lower", aspect="auto", cmap="Reds",
                                     vmin=0, vmax=5, alpha=0.6, extent=(xs[0], xs[-1], ys[0], ys[-1]), zorder=0,
                                     interpolation="nearest")
        ax.set(xlabel=features[0], ylabel=features[1], title="Gaussian density: runs in the shaded region are flagged")
        ax.legend(loc="upper left", fontsize=8)

    def draw(fig: Figure, log_epsilon: float) -> str:
        if not parts:
            build(fig)
        parts["outside"].set_data((grid < log_epsilon).astype(float))  # shaded: flagged region
        flagged = log_density < log_epsilon
        parts["flagged"].set_offsets(X[flagged] if flagged.any() else np.empty((0, 2)))
        hits = int(np.sum(flagged & (y == 1)))
        precision = hits / max(int(flagged.sum()), 1)
        recall = hits / max(int(np.sum(y == 1)), 1)
        return (f"log ε = {log_epsilon:.1f}: {int(flagged.sum())} flagged, {hits} of {int(np.sum(y == 1))} "
                f"faulty runs found; precision {precision:.2f}, recall {recall:.2f}, F1 {f1_score(flagged, y):.2f}")

    controls = {"log_epsilon": ipw.FloatSlider(value=log_epsilon, min=round(low, 1), max=round(high, 1), step=0.5,
                                               description="log ε", continuous_update=False)}
    return Explorer(controls, draw, figsize=(7.5, 4.8), rebuild=False)
