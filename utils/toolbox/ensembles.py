"""Ensembles of trees by hand: bootstrap samples, bagging, out-of-bag estimates, gradient boosting.

Gradient boosting here grows scikit-learn's own regression trees on the residuals (the negative
gradient of the loss) exactly as ``GradientBoostingRegressor``
does, so notebook 49 can check its predictions equal theirs. Introduced in notebook 49.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.training.activations import sigmoid
from utils.widgets import Explorer


def _seeded(seed: int | np.random.Generator) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _matrix(X: Any, name: str = "X") -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"{name} must be a non-empty matrix (rows, features), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return X


def _targets(y: Any, rows: int, name: str = "y") -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (rows,):
        raise ValueError(f"{name} must be a vector of {rows} targets (one per row of X), got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return y


def wave(x: Any) -> np.ndarray:
    """The noiseless curve behind :func:`make_wave`: a sine on a gentle slope."""
    x = np.asarray(x, dtype=np.float64)
    return np.sin(1.5 * x) + 0.3 * x


def make_wave(n: int = 120, noise: float = 0.4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded 1-D regression data ``(X, y)``: x uniform on [0, 6], y = wave(x) + Gaussian noise."""
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if not noise >= 0:
        raise ValueError(f"noise must be a standard deviation >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 6.0, size=n))
    return x[:, None], wave(x) + noise * rng.normal(size=n)


# ---------------------------------------------------------------------------------------------
# Bagging
# ---------------------------------------------------------------------------------------------


def bootstrap_rows(n: int, seed: int | np.random.Generator = 0) -> np.ndarray:
    """A bootstrap sample: n row indices drawn uniformly with replacement from 0..n-1."""
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return _seeded(seed).integers(0, n, size=n)


def _samples(samples: Any, n: int) -> np.ndarray:
    samples = np.asarray(samples)
    if samples.ndim != 2 or samples.dtype.kind not in "iu":
        raise ValueError(f"samples must be an integer matrix (trees, draws) of row indices, got shape "
                         f"{samples.shape} and dtype {samples.dtype}")
    if samples.size and (samples.min() < 0 or samples.max() >= n):
        raise ValueError(f"samples must hold row indices between 0 and {n - 1}")
    return samples


def out_of_bag_mask(samples: Any, n: int) -> np.ndarray:
    """(trees, n) booleans: True where a tree's bootstrap sample left the row out."""
    samples = _samples(samples, n)
    mask = np.ones((len(samples), n), dtype=bool)
    for tree, rows in enumerate(samples):
        mask[tree, rows] = False
    return mask


def oob_prediction(tree_predictions: Any, samples: Any) -> np.ndarray:
    """Each row's mean prediction over the trees that did not see it (NaN where every tree saw it)."""
    predictions = np.asarray(tree_predictions, dtype=np.float64)
    if predictions.ndim != 2:
        raise ValueError(f"tree_predictions must be a matrix (trees, rows), got shape {predictions.shape}")
    samples = _samples(samples, predictions.shape[1])
    if len(samples) != len(predictions):
        raise ValueError(f"samples lists {len(samples)} trees, tree_predictions {len(predictions)}")
    mask = out_of_bag_mask(samples, predictions.shape[1])
    counts = mask.sum(axis=0)
    total = np.where(mask, predictions, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, total / counts, np.nan)


@dataclass(frozen=True)
class Bag:
    """Regression trees fitted to bootstrap samples, and the samples (one row of indices per tree)."""

    trees: list
    samples: np.ndarray

    def tree_predictions(self, X: Any) -> np.ndarray:
        """(trees, rows): every tree's prediction for every row."""
        X = _matrix(X)
        return np.stack([tree.predict(X) for tree in self.trees])

    def predict(self, X: Any) -> np.ndarray:
        """The bag's prediction: the mean of its trees'."""
        return self.tree_predictions(X).mean(axis=0)


def bag_trees(X: Any, y: Any, n_trees: int, seed: int | np.random.Generator = 0, **tree_options: Any) -> Bag:
    """Fit ``n_trees`` regression trees, each on its own bootstrap sample (options go to the trees)."""
    from sklearn.tree import DecisionTreeRegressor

    X = _matrix(X)
    y = _targets(y, len(X))
    if not isinstance(n_trees, (int, np.integer)) or n_trees < 1:
        raise ValueError(f"n_trees must be a positive integer, got {n_trees!r}")
    rng = _seeded(seed)
    samples = np.stack([bootstrap_rows(len(X), rng) for _ in range(n_trees)])
    trees = [DecisionTreeRegressor(random_state=0, **tree_options).fit(X[rows], y[rows]) for rows in samples]
    return Bag(trees, samples)


@dataclass(frozen=True)
class VarianceStudy:
    """How much bagged predictions vary over training sets, against the number of trees."""

    bag_sizes: np.ndarray  # 1, 2, ..., max_trees
    variance: np.ndarray  # measured variance of the bag's prediction, averaged over the grid
    tree_variance: float  # sigma^2: the variance of one tree's prediction
    correlation: float  # rho: the correlation of two trees grown on the same training set

    def formula(self) -> np.ndarray:
        """rho sigma^2 + (1 - rho) sigma^2 / B, the variance of a mean of B equally correlated trees."""
        s2, rho = self.tree_variance, self.correlation
        return rho * s2 + (1 - rho) * s2 / self.bag_sizes


def variance_study(n_sets: int = 40, max_trees: int = 50, n: int = 120, noise: float = 0.4,
                   grid: Any = None, seed: int = 0) -> VarianceStudy:
    """Draw ``n_sets`` training sets, bag up to ``max_trees`` full-depth trees on each, and measure."""
    if n_sets < 2 or max_trees < 2:
        raise ValueError(f"need at least 2 training sets and 2 trees, got {n_sets} and {max_trees}")
    grid = np.linspace(0.0, 6.0, 200)[:, None] if grid is None else _matrix(grid, "grid")
    per_set = []
    for s in range(n_sets):
        X, y = make_wave(n, noise, seed=seed + 1000 + s)
        per_set.append(bag_trees(X, y, max_trees, seed=seed + s).tree_predictions(grid))
    predictions = np.stack(per_set)  # (sets, trees, grid points)
    running = np.cumsum(predictions, axis=1) / np.arange(1, max_trees + 1)[None, :, None]
    variance = running.var(axis=0).mean(axis=1)  # over training sets, then averaged over the grid
    tree_variance = predictions.reshape(-1, len(grid)).var(axis=0).mean()
    # two trees of the same set share its noise: their covariance is rho sigma^2
    centred = predictions - predictions.mean(axis=(0, 1), keepdims=True)
    sums = centred.sum(axis=1)
    pair_products = (sums ** 2 - (centred ** 2).sum(axis=1)) / (max_trees * (max_trees - 1))
    correlation = float(pair_products.mean(axis=0).mean() / tree_variance)
    return VarianceStudy(np.arange(1, max_trees + 1), variance, float(tree_variance), correlation)


# ---------------------------------------------------------------------------------------------
# Gradient boosting
# ---------------------------------------------------------------------------------------------


def tree_criterion() -> str:
    """The split criterion of the trees inside scikit-learn's gradient boosting, for this version.

    Up to scikit-learn 1.8 they are ``friedman_mse`` trees; from 1.9 that criterion is deprecated
    and the ensembles grow ``squared_error`` trees. Both rank every split alike.
    """
    import sklearn

    major, minor = (int(part) for part in sklearn.__version__.split(".")[:2])
    return "friedman_mse" if (major, minor) < (1, 9) else "squared_error"


def negative_gradient(y: Any, raw: Any) -> np.ndarray:
    """-d/dF of the log-loss at raw score F (log-odds): y - sigmoid(F), what a boosted classifier fits."""
    y, raw = np.asarray(y, dtype=np.float64), np.asarray(raw, dtype=np.float64)
    if y.shape != raw.shape:
        raise ValueError(f"y and raw must have the same shape, got {y.shape} and {raw.shape}")
    return y - sigmoid(raw)


@dataclass(frozen=True)
class Boosted:
    """A boosted ensemble: a constant start, trees, each leaf's step, and the learning rate."""

    init: float
    trees: list
    leaf_values: list  # one array per tree: the step taken in each of its nodes
    learning_rate: float

    def staged_predict(self, X: Any) -> np.ndarray:
        """(rounds + 1, rows): the raw prediction after 0, 1, ..., all rounds."""
        X = _matrix(X)
        raw = np.full(len(X), self.init)
        stages = [raw]
        for tree, values in zip(self.trees, self.leaf_values):
            raw = raw + self.learning_rate * values[tree.apply(X)]
            stages.append(raw)
        return np.stack(stages)

    def predict(self, X: Any) -> np.ndarray:
        """The raw prediction after every round (for the log-loss: the log-odds)."""
        return self.staged_predict(X)[-1]


def _check_boosting(n_rounds: int, learning_rate: float) -> None:
    if not isinstance(n_rounds, (int, np.integer)) or n_rounds < 1:
        raise ValueError(f"n_rounds must be a positive integer, got {n_rounds!r}")
    if not 0 < learning_rate <= 1:
        raise ValueError(f"learning_rate must be in (0, 1], got {learning_rate!r}")


def gradient_boost(X: Any, y: Any, n_rounds: int, learning_rate: float = 0.1, max_depth: int = 3,
                   seed: int = 0, max_features: Any = None) -> Boosted:
    """Least-squares gradient boosting: start at the mean, then fit each tree to the residuals y - F.

    The trees share one ``RandomState(seed)``, in turn, as scikit-learn's do: it decides which
    features a split may try (``max_features``) and breaks ties.
    """
    from sklearn.tree import DecisionTreeRegressor

    X = _matrix(X)
    y = _targets(y, len(X))
    _check_boosting(n_rounds, learning_rate)
    random_state = np.random.RandomState(seed)
    init = float(np.mean(y))
    raw = np.full(len(y), init)
    trees, values = [], []
    for _ in range(n_rounds):
        tree = DecisionTreeRegressor(criterion=tree_criterion(), max_depth=max_depth, max_features=max_features,
                                     random_state=random_state).fit(X, y - raw)
        step = tree.tree_.value[:, 0, 0].copy()  # each leaf's mean residual
        raw = raw + learning_rate * step[tree.apply(X)]
        trees.append(tree)
        values.append(step)
    return Boosted(init, trees, values, float(learning_rate))


def boosting_explorer(X: Any, y: Any, X_test: Any, y_test: Any, n_rounds: int = 100,
                      learning_rates: Sequence[float] = (0.1, 0.3, 1.0), max_depth: int = 2,
                      rounds: int = 3, learning_rate: float | None = None, seed: int = 0) -> Explorer:
    """Step through boosting rounds on 1-D data: the ensemble's fit, the residuals with the tree fitted
    to them, and the training/test error against rounds."""
    X, X_test = _matrix(X), _matrix(X_test, "X_test")
    if X.shape[1] != 1 or X_test.shape[1] != 1:
        raise ValueError("the explorer draws one feature: X and X_test must have 1 column")
    y, y_test = _targets(y, len(X)), _targets(y_test, len(X_test), "y_test")
    learning_rates = [float(rate) for rate in learning_rates]
    if not learning_rates:
        raise ValueError("learning_rates must list at least one learning rate")
    learning_rate = learning_rates[0] if learning_rate is None else float(learning_rate)
    if learning_rate not in learning_rates:
        raise ValueError(f"learning_rate must be one of {learning_rates}, got {learning_rate}")
    if not 1 <= rounds <= n_rounds:
        raise ValueError(f"rounds must be between 1 and n_rounds={n_rounds}, got {rounds}")
    low, high = min(X.min(), X_test.min()), max(X.max(), X_test.max())
    grid = np.linspace(low, high, 400)[:, None]
    fits, train_stages, errors = {}, {}, {}
    for rate in learning_rates:  # everything is boosted once, here; a redraw only swaps lines
        model = gradient_boost(X, y, n_rounds, rate, max_depth, seed)
        fits[rate] = model.staged_predict(grid)
        train_stages[rate] = model.staged_predict(X)
        test_stages = model.staged_predict(X_test)
        errors[rate] = (np.mean((train_stages[rate] - y) ** 2, axis=1),
                        np.mean((test_stages - y_test) ** 2, axis=1))
    residual_span = max(np.abs(y - train_stages[r][0]).max() for r in learning_rates) * 1.1
    steps = np.arange(n_rounds + 1)
    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        fit_ax, residual_ax, error_ax = fig.subplots(1, 3, width_ratios=[1.2, 1.2, 1.0])
        fit_ax.scatter(X[:, 0], y, s=8, color=PALETTE[0], alpha=0.6, edgecolors="none", label="training data")
        parts["fit"], = fit_ax.plot(grid[:, 0], fits[learning_rate][rounds], color=PALETTE[1], lw=2,
                                    label="ensemble F_m(x)")
        fit_ax.set(xlabel="x", ylabel="y", title="The ensemble after m rounds")
        fit_ax.legend(loc="upper left", fontsize=8)
        parts["residuals"] = residual_ax.scatter(X[:, 0], y - train_stages[learning_rate][rounds - 1], s=8,
                                                 color=PALETTE[2], edgecolors="none",
                                                 label="residuals y - F_(m-1)")
        parts["tree"], = residual_ax.plot(grid[:, 0], fits[learning_rate][rounds] - fits[learning_rate][rounds - 1],
                                          color=PALETTE[3], lw=2, label="round m's step")
        residual_ax.axhline(0.0, color="k", lw=0.8)
        residual_ax.set(xlabel="x", ylabel="residual", ylim=(-residual_span, residual_span),
                        title="What round m fits")
        residual_ax.legend(loc="upper left", fontsize=8)
        parts["train"], = error_ax.plot(steps, errors[learning_rate][0], label="training")
        parts["test"], = error_ax.plot(steps, errors[learning_rate][1], label="test")
        parts["marker"] = error_ax.axvline(rounds, color="k", linestyle="--", linewidth=1)
        top = max(max(errors[r][0][0], errors[r][1][0]) for r in learning_rates)
        error_ax.set(xlabel="round m", ylabel="mean squared error", ylim=(0, 1.05 * top), xscale="symlog",
                     title="Error against rounds")
        error_ax.legend(loc="upper right", fontsize=8)
        for artist in ("fit", "residuals", "tree", "train", "test", "marker"):
            parts[artist].set_animated(True)

    def draw(fig: Figure, rounds: int, learning_rate: float) -> str:
        if not parts:
            build(fig)
        parts["fit"].set_ydata(fits[learning_rate][rounds])
        residual = y - train_stages[learning_rate][rounds - 1]
        parts["residuals"].set_offsets(np.column_stack([X[:, 0], residual]))
        parts["tree"].set_ydata(fits[learning_rate][rounds] - fits[learning_rate][rounds - 1])
        parts["train"].set_ydata(errors[learning_rate][0])
        parts["test"].set_ydata(errors[learning_rate][1])
        parts["marker"].set_xdata([rounds, rounds])
        train_error, test_error = errors[learning_rate][0][rounds], errors[learning_rate][1][rounds]
        return (f"round {rounds}, learning rate {learning_rate:g}: training MSE {train_error:.3f}, "
                f"test MSE {test_error:.3f}")

    controls = {
        "rounds": ipw.IntSlider(value=rounds, min=1, max=n_rounds, description="rounds m",
                                continuous_update=False),
        "learning_rate": ipw.Dropdown(options=learning_rates, value=learning_rate, description="learning rate"),
    }
    return Explorer(controls, draw, figsize=(12.0, 3.8), rebuild=False)
