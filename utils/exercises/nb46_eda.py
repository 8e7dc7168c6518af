"""Exercises of notebook 46 (EDA and preprocessing): scaling with training statistics, Tukey's outliers, one-hot."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.toolbox import eda

# ---------------------------------------------------------------------------------------------
# Exercise 1: standardise with the training statistics
# ---------------------------------------------------------------------------------------------


def _scale_cases() -> list[Case]:
    rng = np.random.default_rng(46)
    train = np.array([[1.0, 200.0], [3.0, 400.0], [2.0, 300.0], [6.0, 100.0]])
    test = np.array([[2.0, 250.0], [10.0, 0.0], [4.0, 350.0]])  # its own statistics differ
    cases = [Case((train, test))]
    for n, m, d in ((30, 10, 3), (12, 5, 4)):
        cases.append(Case((rng.normal(5, 3, size=(n, d)), rng.normal(7, 1, size=(m, d)))))
    return cases


def _test_statistics(X_train: Any, X_test: Any) -> np.ndarray:
    X_test = np.asarray(X_test, dtype=float)
    return (X_test - X_test.mean(axis=0)) / X_test.std(axis=0)


def _sample_std(X_train: Any, X_test: Any) -> np.ndarray:
    X_train = np.asarray(X_train, dtype=float)
    return (np.asarray(X_test) - X_train.mean(axis=0)) / X_train.std(axis=0, ddof=1)


def _not_centred(X_train: Any, X_test: Any) -> np.ndarray:
    return np.asarray(X_test, dtype=float) / np.asarray(X_train, dtype=float).std(axis=0)


def _whole_matrix(X_train: Any, X_test: Any) -> np.ndarray:
    X_train = np.asarray(X_train, dtype=float)
    return (np.asarray(X_test) - X_train.mean()) / X_train.std()


@guarded
def evaluate_standardize(standardize: Callable[..., Any]) -> Result:
    """Evaluate ``standardize(X_train, X_test)`` → X_test scaled with the training mean and std."""
    mistakes = [
        Mistake("use the TRAINING rows' mean and standard deviation: statistics of the test rows are "
                "information from the future (and a single test row would have no spread at all).",
                _test_statistics),
        Mistake("StandardScaler divides by the population standard deviation (ddof=0), np.std's default.",
                _sample_std),
        Mistake("subtract the training mean before dividing by the standard deviation.", _not_centred),
        Mistake("one mean and one standard deviation per COLUMN (axis=0), not for the whole matrix.",
                _whole_matrix),
    ]
    return evaluate_function(
        standardize, eda.standardize, _scale_cases(), name="standardize", mistakes=mistakes,
        check_dtype=False, rtol=1e-9, atol=1e-12, axes=("row", "column"),
        success="Fit on the training rows, transform everything else: that is what a Pipeline enforces.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: Tukey's outlier rule
# ---------------------------------------------------------------------------------------------


def _outlier_cases() -> list[Case]:
    rng = np.random.default_rng(7)
    first = np.array([1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 8.5, 12.0, -6.0, np.nan])
    return [Case((first,)), Case((rng.lognormal(3, 1, size=60),)), Case((rng.normal(size=40),)),
            Case((np.r_[rng.normal(size=30), 8.0, -7.5],))]


def _iqr_variant(values: Any, *, k: float = 1.5, upper_only: bool = False) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    q1, q3 = np.nanpercentile(x, [25, 75])
    with np.errstate(invalid="ignore"):
        high = x > q3 + k * (q3 - q1)
        return high if upper_only else high | (x < q1 - k * (q3 - q1))


def _z_rule(values: Any) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.abs(x - np.nanmean(x)) > 2 * np.nanstd(x)


def _around_median(values: Any) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    q1, median, q3 = np.nanpercentile(x, [25, 50, 75])
    with np.errstate(invalid="ignore"):
        return np.abs(x - median) > 1.5 * (q3 - q1)


@guarded
def evaluate_iqr_outliers(iqr_outliers: Callable[..., Any]) -> Result:
    """Evaluate ``iqr_outliers(values)`` → True below Q1 - 1.5 IQR or above Q3 + 1.5 IQR (NaN: False)."""
    mistakes = [
        Mistake("Tukey's fences are 1.5 IQR beyond the quartiles; 3 IQR marks only 'far out' values.",
                lambda v: _iqr_variant(v, k=3.0)),
        Mistake("both tails: values far BELOW the first quartile are outliers too.",
                lambda v: _iqr_variant(v, upper_only=True)),
        Mistake("the fences start at the quartiles (Q1 - 1.5 IQR, Q3 + 1.5 IQR), not at the median.",
                _around_median),
        Mistake("the rule uses quartiles, not the mean and standard deviation, which outliers themselves "
                "pull towards them.", _z_rule),
    ]
    return evaluate_function(
        iqr_outliers, eda.iqr_outliers, _outlier_cases(), name="iqr_outliers", mistakes=mistakes,
        axes=("value",), success="The rule a box plot's whiskers draw.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: one-hot encoding with an unseen category
# ---------------------------------------------------------------------------------------------


def _one_hot_cases() -> list[Case]:
    return [Case((["rent", "owner", "parents", "rent", "other", "priv"], ["owner", "rent", "parents", "priv"])),
            Case((["b", "a", "a", "c"], ["c", "b", "a"])),
            Case((["x"], ["x", "y"])),
            Case((["married", "single", "widow", "separated", "single"], ["single", "married", "widow"]))]


def _unknown_column(values: Any, categories: Any) -> np.ndarray:
    return np.hstack([eda.one_hot(values, categories),
                      np.array([[0.0 if v in categories else 1.0] for v in values])])


def _sorted_categories(values: Any, categories: Any) -> np.ndarray:
    return eda.one_hot(values, sorted(categories))


def _drop_first(values: Any, categories: Any) -> np.ndarray:
    return eda.one_hot(values, categories)[:, 1:]


def _uniform_unknown(values: Any, categories: Any) -> np.ndarray:
    encoded = eda.one_hot(values, categories)
    encoded[encoded.sum(axis=1) == 0] = 1.0 / len(categories)
    return encoded


@guarded
def evaluate_one_hot(one_hot: Callable[..., Any]) -> Result:
    """Evaluate ``one_hot(values, categories)`` → (n, len(categories)) indicators; unseen values all zeros."""
    mistakes = [
        Mistake("a value not among the categories (seen in training) gets a row of ZEROS, as "
                "OneHotEncoder(handle_unknown='ignore') does; no extra column.", _unknown_column),
        Mistake("keep the columns in the order of `categories` as given (that is the order the model's "
                "weights were trained in), not sorted.", _sorted_categories),
        Mistake("one column per category: dropping the first is an option for unregularised linear models, "
                "not what is asked here.", _drop_first),
        Mistake("an unseen value is not 'a bit of every category': its row is all zeros.", _uniform_unknown),
    ]
    return evaluate_function(
        one_hot, eda.one_hot, _one_hot_cases(), name="one_hot", mistakes=mistakes, check_dtype=False,
        axes=("row", "category"),
        success="The model never breaks on a category it has not seen; it just learns nothing from it.",
    )


check_standardize = printer(evaluate_standardize)
check_iqr_outliers = printer(evaluate_iqr_outliers)
check_one_hot = printer(evaluate_one_hot)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"standardize": 1, "iqr_outliers": 1, "one_hot": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "standardize": ("eda.standardize", "StandardScaler", "sklearn"),
    "iqr_outliers": ("eda.iqr_outliers",),
    "one_hot": ("eda.one_hot", "OneHotEncoder", "get_dummies", "sklearn"),
}
