"""Exploratory data analysis and preprocessing: missing values, outliers, scaling, encoding, imputing.

Small from-scratch versions of what scikit-learn's preprocessing does (each checked against it in
the notebook), the noise columns of the leakage demonstration, and a column explorer that shows
a column's distribution, its outliers and its relation to the target. Introduced in notebook 46.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE


def _numbers(name: str, values: Any, ndim: int | None = None) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers, got {type(values).__name__}") from None
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    return array


def missing_report(frame: Any) -> Any:
    """Missing values per column of a DataFrame: count and share, the most incomplete first."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    counts = frame.isna().sum()
    report = pd.DataFrame({"missing": counts, "share": counts / len(frame)})
    return report[report["missing"] > 0].sort_values("missing", ascending=False)


def standardize(X_train: Any, X_test: Any) -> np.ndarray:
    """``X_test`` standardised with the TRAINING columns' mean and (population) standard deviation.

    Notebook 10's ``batching.standardize`` does the work; this returns only the scaled test rows.
    """
    from utils.training import batching

    return batching.standardize(X_train, X_test)[1]


def median_impute(X_train: Any, X_test: Any) -> np.ndarray:
    """``X_test`` with each missing value replaced by its column's median over the TRAINING rows."""
    train, test = _numbers("X_train", X_train, 2), _numbers("X_test", X_test, 2)
    if train.shape[1] != test.shape[1]:
        raise ValueError(f"X_train has {train.shape[1]} columns but X_test {test.shape[1]}")
    if np.any(np.all(np.isnan(train), axis=0)):
        raise ValueError("a training column is entirely missing: it has no median")
    medians = np.nanmedian(train, axis=0)
    return np.where(np.isnan(test), medians, test)


def iqr_outliers(values: Any, k: float = 1.5) -> np.ndarray:
    """Tukey's rule: True where a value lies more than ``k`` IQRs below Q1 or above Q3 (NaN: False)."""
    x = _numbers("values", values, 1)
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    q1, q3 = np.nanpercentile(x, [25, 75])
    spread = q3 - q1
    with np.errstate(invalid="ignore"):
        return (x < q1 - k * spread) | (x > q3 + k * spread)


def one_hot(values: Sequence[Any], categories: Sequence[Any]) -> np.ndarray:
    """One column per category (in the given order); a value not among them gets a row of zeros."""
    categories = list(categories)
    if len(set(categories)) != len(categories) or not categories:
        raise ValueError(f"categories must be distinct and non-empty, got {categories!r}")
    position = {category: j for j, category in enumerate(categories)}
    encoded = np.zeros((len(values), len(categories)))
    for i, value in enumerate(values):
        if value in position:
            encoded[i, position[value]] = 1.0
    return encoded


def noise_columns(n_rows: int, n_columns: int, seed: int = 46) -> np.ndarray:
    """``n_columns`` columns of pure Gaussian noise: candidate features that carry no information."""
    if n_rows < 1 or n_columns < 1:
        raise ValueError(f"n_rows and n_columns must be positive, got {n_rows} and {n_columns}")
    return np.random.default_rng(seed).normal(size=(n_rows, n_columns))


def draw_column(fig: Figure, frame: Any, column: str, target: str, transform: str = "none") -> str:
    """A column's distribution (outliers marked) and the target's mean across its values."""
    from pandas.api.types import is_numeric_dtype

    if column not in frame.columns or target not in frame.columns:
        raise ValueError(f"unknown column {column!r} or target {target!r}; choose from {list(frame.columns)}")
    if transform not in {"none", "log1p", "standardize"}:
        raise ValueError(f"transform must be 'none', 'log1p' or 'standardize', got {transform!r}")
    left, right = fig.subplots(1, 2)
    y = frame[target].to_numpy(dtype=float)
    missing = int(frame[column].isna().sum())
    if is_numeric_dtype(frame[column]):
        x = frame[column].to_numpy(dtype=float)
        label = column
        if transform == "log1p":
            x, label = np.log1p(np.clip(x, 0, None)), f"log(1 + {column})"
        elif transform == "standardize":
            x, label = (x - np.nanmean(x)) / np.nanstd(x), f"{column}, standardised"
        outliers = iqr_outliers(x)
        bins = np.histogram_bin_edges(x[~np.isnan(x)], bins=30)
        left.hist(x[~outliers & ~np.isnan(x)], bins=bins, color=PALETTE[0], label="typical")
        left.hist(x[outliers], bins=bins, color=PALETTE[1], label="outside 1.5 IQR")
        left.set(xlabel=label, ylabel="rows", title=f"{column}: distribution")
        left.legend(fontsize=8)
        known = ~np.isnan(x)
        edges = np.unique(np.nanpercentile(x, np.linspace(0, 100, 11)))
        groups = np.clip(np.searchsorted(edges, x[known], side="right") - 1, 0, len(edges) - 2)
        rates = [y[known][groups == g].mean() for g in range(len(edges) - 1)]
        centres = [np.median(x[known][groups == g]) for g in range(len(edges) - 1)]
        right.plot(centres, rates, "o-", color=PALETTE[2])
        right.set(xlabel=f"{label} (deciles)", ylabel=f"mean of {target}", title=f"{target} by {column}")
        summary = (f"{column}: {known.sum()} values, {missing} missing, {int(outliers.sum())} outside "
                   f"1.5 IQR; skewness {_skew(x[known]):.2f}")
    else:
        counts = frame[column].value_counts(dropna=False)
        names = ["NA" if not isinstance(v, str) else v for v in counts.index]
        left.barh(names, counts.to_numpy(), color=PALETTE[0])
        note = "" if transform == "none" else f" ({transform}: numbers only)"
        left.set(xlabel=f"rows{note}", title=f"{column}: categories")
        means = [y[frame[column].isna().to_numpy()].mean() if not isinstance(v, str)
                 else y[(frame[column] == v).to_numpy()].mean() for v in counts.index]
        right.barh(names, means, color=PALETTE[2])
        right.axvline(y.mean(), color="k", linewidth=1, linestyle="--", label="overall")
        right.set(xlabel=f"mean of {target}", title=f"{target} by {column}")
        right.legend(fontsize=8)
        summary = (f"{column}: {len(counts)} categories (rarest: {names[-1]}, {counts.iloc[-1]} rows), "
                   f"{missing} missing")
    return summary


def _skew(x: np.ndarray) -> float:
    centred = x - x.mean()
    return float((centred**3).mean() / max(centred.std() ** 3, 1e-12))


def column_explorer(frame: Any, target: str, columns: Sequence[str] | None = None) -> Any:
    """Pick a column and a transform; see its distribution, outliers and the target across it."""
    import ipywidgets as ipw

    from utils.widgets import Explorer

    choices = [c for c in (columns or frame.columns) if c != target]
    if not choices:
        raise ValueError("the frame needs at least one column besides the target")

    def draw(fig: Figure, column: str, transform: str) -> str:
        return draw_column(fig, frame, column, target, transform)

    controls = {
        "column": ipw.Dropdown(options=choices, value=choices[0], description="column"),
        "transform": ipw.Dropdown(options=["none", "log1p", "standardize"], value="none",
                                  description="transform"),
    }
    return Explorer(controls, draw, figsize=(8.6, 3.4))
