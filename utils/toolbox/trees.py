"""Decision trees by hand: impurities, split criteria, the exhaustive best split, and a depth explorer.

The split search mirrors scikit-learn's (thresholds halfway between consecutive distinct values,
the weighted impurity decrease), so notebook 48 can check the root split equal. Introduced in
notebook 48.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from scipy import stats

from utils.plots import PALETTE
from utils.widgets import Explorer


def _labels(y: Any, name: str = "y") -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or len(y) == 0:
        raise ValueError(f"{name} must be a non-empty vector of labels, got shape {y.shape}")
    return y


def gini(y: Any) -> float:
    """Gini impurity 1 - sum_k p_k^2 of a set of class labels."""
    _, counts = np.unique(_labels(y), return_counts=True)
    shares = counts / counts.sum()
    return float(1.0 - np.sum(shares ** 2))


def entropy(y: Any, base: float = 2.0) -> float:
    """Entropy -sum_k p_k log p_k of a set of class labels (bits by default)."""
    _, counts = np.unique(_labels(y), return_counts=True)
    shares = counts / counts.sum()
    return float(-np.sum(shares * np.log(shares)) / np.log(base))


def variance(y: Any) -> float:
    """Mean squared deviation from the mean: the impurity of a regression tree's node."""
    y = np.asarray(_labels(y), dtype=np.float64)
    return float(np.mean((y - y.mean()) ** 2))


IMPURITIES = {"gini": gini, "entropy": entropy, "squared_error": variance}


def impurity_decrease(parent: Any, left: Any, right: Any, criterion: str = "gini") -> float:
    """Impurity of the parent minus the size-weighted impurities of the two children."""
    if criterion not in IMPURITIES:
        raise ValueError(f"unknown criterion {criterion!r}; choose one of {sorted(IMPURITIES)}")
    measure = IMPURITIES[criterion]
    parent, left, right = _labels(parent, "parent"), _labels(left, "left"), _labels(right, "right")
    if len(left) + len(right) != len(parent):
        raise ValueError(f"the children hold {len(left)} + {len(right)} rows, the parent {len(parent)}")
    n = len(parent)
    return measure(parent) - len(left) / n * measure(left) - len(right) / n * measure(right)


def chi_square(left: Any, right: Any) -> float:
    """Pearson's chi-square of the (child x class) table of a split, no continuity correction."""
    left, right = _labels(left, "left"), _labels(right, "right")
    classes = np.unique(np.concatenate([left, right]))
    table = np.array([[np.sum(side == c) for c in classes] for side in (left, right)], dtype=np.float64)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    return float(np.sum((table - expected) ** 2 / expected))


def candidate_thresholds(x: Any) -> np.ndarray:
    """Halfway points between consecutive distinct values of a feature (where a split can fall)."""
    values = np.unique(np.asarray(x, dtype=np.float64))
    return (values[:-1] + values[1:]) / 2.0


def _node_impurity(counts: np.ndarray, criterion: str) -> np.ndarray:
    """Gini or entropy (bits) of nodes given their class counts, one node per row."""
    shares = counts / counts.sum(axis=1, keepdims=True)
    if criterion == "gini":
        return 1.0 - np.sum(shares ** 2, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(shares > 0, shares * np.log2(shares), 0.0)
    return -terms.sum(axis=1)


def _decreases(sorted_y: np.ndarray, cuts: np.ndarray, criterion: str) -> np.ndarray:
    """Impurity decrease of every cut of rows sorted by one feature, all at once (running sums)."""
    n = len(sorted_y)
    left_n, right_n = cuts.astype(np.float64), n - cuts.astype(np.float64)
    if criterion == "squared_error":
        values = sorted_y.astype(np.float64)
        sums, squares = np.cumsum(values), np.cumsum(values ** 2)
        left_var = squares[cuts - 1] / left_n - (sums[cuts - 1] / left_n) ** 2
        right_var = (squares[-1] - squares[cuts - 1]) / right_n - ((sums[-1] - sums[cuts - 1]) / right_n) ** 2
        return variance(values) - left_n / n * left_var - right_n / n * right_var
    counts = np.cumsum(sorted_y[:, None] == np.unique(sorted_y)[None, :], axis=0).astype(np.float64)
    left, right = counts[cuts - 1], counts[-1] - counts[cuts - 1]
    parent = _node_impurity(counts[-1:], criterion)[0]
    return parent - left_n / n * _node_impurity(left, criterion) - right_n / n * _node_impurity(right, criterion)


@dataclass(frozen=True)
class Split:
    """The best split of a node: feature index, threshold (left is x <= threshold) and impurity decrease."""

    feature: int
    threshold: float
    decrease: float


def best_split(X: Any, y: Any, criterion: str = "gini") -> Split:
    """Try every feature and every threshold; keep the largest impurity decrease (first one on a tie)."""
    X = np.asarray(X, dtype=np.float64)
    y = _labels(y)
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(f"X must be a matrix with one row per label ({len(y)}), got shape {X.shape}")
    if criterion not in IMPURITIES:
        raise ValueError(f"unknown criterion {criterion!r}; choose one of {sorted(IMPURITIES)}")
    best = Split(-1, np.nan, -np.inf)
    for feature in range(X.shape[1]):
        order = np.argsort(X[:, feature], kind="stable")
        column, sorted_y = X[order, feature], y[order]
        cuts = np.flatnonzero(np.diff(column) > 0) + 1  # rows [:cut] go left
        if len(cuts) == 0:
            continue
        decreases = _decreases(sorted_y, cuts, criterion)
        index = int(np.argmax(decreases))
        if decreases[index] > best.decrease + 1e-12:
            cut = cuts[index]
            best = Split(feature, float((column[cut - 1] + column[cut]) / 2.0), float(decreases[index]))
    if best.feature < 0:
        raise ValueError("no split is possible: every feature is constant")
    return best


def root_decrease(fitted: Any) -> float:
    """The impurity decrease of a fitted scikit-learn tree's root split, from the impurities it stores."""
    structure = fitted.tree_
    if structure.node_count < 3:
        raise ValueError("the tree has no split: its root is a leaf")
    left, right = structure.children_left[0], structure.children_right[0]
    weights = structure.weighted_n_node_samples
    impurity = structure.impurity
    return float(impurity[0] - weights[left] / weights[0] * impurity[left]
                 - weights[right] / weights[0] * impurity[right])


def chi_square_p_value(statistic: float, n_classes: int) -> float:
    """p-value of a split's chi-square with (2 - 1)(classes - 1) degrees of freedom."""
    return float(stats.chi2.sf(statistic, n_classes - 1))


def depth_explorer(X_train: Any, y_train: Any, X_test: Any, y_test: Any, depths: Sequence[int],
                   feature_names: Sequence[str], depth: int | None = None, seed: int = 0,
                   resolution: int = 150) -> Explorer:
    """Pick the maximum depth of a tree on two features: its decision regions and train/test accuracy."""
    from sklearn.tree import DecisionTreeClassifier

    X_train, X_test = np.asarray(X_train, dtype=np.float64), np.asarray(X_test, dtype=np.float64)
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if X_train.ndim != 2 or X_train.shape[1] != 2 or X_test.shape[1:] != (2,):
        raise ValueError("the explorer draws two features: X_train and X_test must have 2 columns")
    depths = list(depths)
    if not depths:
        raise ValueError("depths must list at least one maximum depth")
    depth = depths[len(depths) // 2] if depth is None else depth
    if depth not in depths:
        raise ValueError(f"depth must be one of {depths}, got {depth}")
    both = np.vstack([X_train, X_test])
    low, high = both.min(axis=0), both.max(axis=0)
    pad = 0.05 * (high - low)
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    grid = np.column_stack([g.ravel() for g in np.meshgrid(xs, ys)])
    regions, train_accuracy, test_accuracy, leaves = {}, {}, {}, {}
    for d in depths:  # every tree is grown once, here; a redraw only swaps pictures
        tree = DecisionTreeClassifier(max_depth=d, random_state=seed).fit(X_train, y_train)
        regions[d] = tree.predict(grid).reshape(resolution, resolution)
        train_accuracy[d] = float(np.mean(tree.predict(X_train) == y_train))
        test_accuracy[d] = float(np.mean(tree.predict(X_test) == y_test))
        leaves[d] = int(tree.get_n_leaves())
    classes = np.unique(y_train)
    colours = ListedColormap([PALETTE[j % len(PALETTE)] for j in range(len(classes))])
    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        left, right = fig.subplots(1, 2, width_ratios=[1.25, 1.0])
        parts["regions"] = left.imshow(regions[depth], origin="lower", cmap=colours, alpha=0.3, aspect="auto",
                                       extent=(xs[0], xs[-1], ys[0], ys[-1]), vmin=classes[0], vmax=classes[-1],
                                       interpolation="nearest")
        for j, label in enumerate(classes):
            rows = y_train == label
            left.scatter(X_train[rows, 0], X_train[rows, 1], s=9, color=PALETTE[j], edgecolors="none",
                         label=f"class {label} (training)")
        left.set(xlabel=feature_names[0], ylabel=feature_names[1], title="Decision regions")
        left.legend(loc="upper right", fontsize=8)
        right.plot(depths, [train_accuracy[d] for d in depths], "o-", label="training")
        right.plot(depths, [test_accuracy[d] for d in depths], "s-", label="test")
        parts["marker"] = right.axvline(depth, color="k", linestyle="--", linewidth=1)
        right.set(xlabel="maximum depth", ylabel="accuracy", title="Accuracy against depth")
        right.legend(loc="lower right", fontsize=8)
        parts["regions"].set_animated(True)
        parts["marker"].set_animated(True)

    def draw(fig: Figure, depth: int) -> str:
        if not parts:
            build(fig)
        parts["regions"].set_data(regions[depth])
        parts["marker"].set_xdata([depth, depth])
        gap = train_accuracy[depth] - test_accuracy[depth]
        return (f"max depth {depth}: {leaves[depth]} leaves; training accuracy {train_accuracy[depth]:.3f}, "
                f"test accuracy {test_accuracy[depth]:.3f} (gap {gap:+.3f})")

    controls = {"depth": ipw.SelectionSlider(options=depths, value=depth, description="max depth",
                                             continuous_update=False)}
    return Explorer(controls, draw, figsize=(10.0, 4.2), rebuild=False)
