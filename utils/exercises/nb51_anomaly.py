"""Exercises of notebook 51 (anomaly detection): Gaussian parameters, the log density, F1 at a threshold."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.toolbox import anomaly

# ---------------------------------------------------------------------------------------------
# Exercise 1: the parameters of a Gaussian per feature
# ---------------------------------------------------------------------------------------------


def _parameter_cases() -> list[Case]:
    rng = np.random.default_rng(51)
    return [Case((np.array([[1.0, 10.0, -2.0], [3.0, 14.0, -1.0], [2.0, 9.0, -4.0], [6.0, 11.0, -3.0]]),)),
            Case((rng.normal([5, -1], [2, 0.5], size=(30, 2)),)),
            Case((rng.normal(size=(12, 5)) * 3 + 7,))]


def _parameters(X: Any) -> np.ndarray:
    return np.vstack(anomaly.fit_gaussian(X))


@guarded
def evaluate_gaussian_parameters(gaussian_parameters: Callable[..., Any]) -> Result:
    """Evaluate ``gaussian_parameters(X)`` → array (2, d): each feature's mean, then its variance (divided by n)."""
    mistakes = [
        Mistake("the maximum-likelihood variance divides by n (np.var's default ddof=0), not n - 1.",
                lambda X: np.vstack([np.mean(X, axis=0), np.var(X, axis=0, ddof=1)])),
        Mistake("the second row is the VARIANCE sigma^2, not the standard deviation.",
                lambda X: np.vstack([np.mean(X, axis=0), np.std(X, axis=0)])),
        Mistake("one mean and one variance per FEATURE (column): average over the rows, axis=0.",
                lambda X: np.vstack([np.mean(X, axis=1), np.var(X, axis=1)])),
        Mistake("the variance is the mean of the SQUARED deviations from the mean.",
                lambda X: np.vstack([np.mean(X, axis=0), np.mean(np.abs(X - X.mean(axis=0)), axis=0)])),
    ]
    return evaluate_function(
        gaussian_parameters, _parameters, _parameter_cases(), name="gaussian_parameters", mistakes=mistakes,
        check_dtype=False, rtol=1e-9, atol=1e-12, axes=("row (0 = mean, 1 = variance)", "feature"),
        success="Fitted on normal runs only: no faulty engine is needed to build the model.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: the log density with independent features
# ---------------------------------------------------------------------------------------------


def _density_cases() -> list[Case]:
    rng = np.random.default_rng(510)
    cases = [Case((np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 5.0]]), np.array([0.5, 1.0]), np.array([2.0, 0.25])))]
    for n, d in ((10, 3), (6, 5)):
        cases.append(Case((rng.normal(size=(n, d)) * 2, rng.normal(size=d), rng.uniform(0.5, 3.0, size=d))))
    return cases


def _log_density_variant(X: Any, mean: Any, variance: Any, *, normaliser: bool = True, half: bool = True,
                         scale: str = "variance", reduce: str = "sum") -> np.ndarray:
    X, mean, variance = (np.asarray(a, dtype=np.float64) for a in (X, mean, variance))
    spread = variance if scale == "variance" else np.sqrt(variance)
    terms = -(X - mean) ** 2 / ((2 if half else 1) * spread)
    if normaliser:
        terms = terms - 0.5 * np.log(2 * np.pi * spread)
    return terms.sum(axis=1) if reduce == "sum" else terms.mean(axis=1)


@guarded
def evaluate_log_density(log_density: Callable[..., Any]) -> Result:
    """Evaluate ``log_density(X, mean, variance)`` → log p(x) per row, features independent."""
    mistakes = [
        Mistake("include the normalising term -log(2 pi sigma^2) / 2 of every feature: without it the "
                "values are not a log density, and features with different spreads are not comparable.",
                lambda X, m, v: _log_density_variant(X, m, v, normaliser=False)),
        Mistake("the exponent is -(x - mu)^2 / (2 sigma^2): you left out the 2.",
                lambda X, m, v: _log_density_variant(X, m, v, half=False)),
        Mistake("divide by the variance sigma^2, not by the standard deviation.",
                lambda X, m, v: _log_density_variant(X, m, v, scale="sd")),
        Mistake("independent features multiply their densities, so their LOG densities add: sum over the "
                "features, don't average.", lambda X, m, v: _log_density_variant(X, m, v, reduce="mean")),
        Mistake("return the log of the density (it is safer: a product of many small densities underflows), "
                "not the density itself.", lambda X, m, v: np.exp(_log_density_variant(X, m, v))),
    ]
    return evaluate_function(
        log_density, anomaly.independent_log_density, _density_cases(), name="log_density", mistakes=mistakes,
        check_dtype=False, rtol=1e-9, atol=1e-12, axes=("row",),
        success="A low log density means an unusual run: the detector flags it.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: F1 of a threshold
# ---------------------------------------------------------------------------------------------


def _f1_cases() -> list[Case]:
    rng = np.random.default_rng(5100)
    score = np.array([-3.0, -9.5, -2.2, -12.0, -4.1, -8.0, -2.9, -15.0, -5.5, -3.3])
    y = np.array([0, 1, 0, 1, 1, 0, 0, 1, 1, 0])  # P = 0.75 and R = 0.6 differ: every mistake shows
    cases = [Case((score, y, -7.0))]
    for n in (40, 25):
        y = (rng.random(n) < 0.2).astype(int)
        y[:2] = [1, 0]
        score = rng.normal(-5, 2, size=n) - 4 * y
        cases.append(Case((score, y, -7.5)))
    return cases


def _f1_reference(score: Any, y: Any, epsilon: float) -> float:
    return anomaly.f1_score(np.asarray(score) < epsilon, y)


def _counts(score: Any, y: Any, epsilon: float, above: bool = False) -> tuple[int, int, int, int]:
    flagged = (np.asarray(score) > epsilon) if above else (np.asarray(score) < epsilon)
    y = np.asarray(y).astype(bool)
    return (int(np.sum(flagged & y)), int(np.sum(flagged & ~y)), int(np.sum(~flagged & y)),
            int(np.sum(~flagged & ~y)))


@guarded
def evaluate_f1_at(f1_at: Callable[..., Any]) -> Result:
    """Evaluate ``f1_at(score, y, epsilon)`` → F1 of flagging the runs whose score is below epsilon."""
    def precision(s: Any, y: Any, e: float) -> float:
        tp, fp, _, _ = _counts(s, y, e)
        return tp / (tp + fp)

    def recall(s: Any, y: Any, e: float) -> float:
        tp, _, fn, _ = _counts(s, y, e)
        return tp / (tp + fn)

    mistakes = [
        Mistake("flag the runs whose density is BELOW epsilon: an anomaly is an improbable run.",
                lambda s, y, e: anomaly.f1_score(np.asarray(s) > e, y)),
        Mistake("that is the precision alone; F1 = 2 P R / (P + R) combines it with the recall.", precision),
        Mistake("that is the recall alone; F1 = 2 P R / (P + R) combines it with the precision.", recall),
        Mistake("that is the accuracy, which is near 1 for any detector when anomalies are rare; use F1.",
                lambda s, y, e: float(np.mean((np.asarray(s) < e) == (np.asarray(y) == 1)))),
        Mistake("F1 is the harmonic mean 2 P R / (P + R), not the plain mean (P + R) / 2.",
                lambda s, y, e: (precision(s, y, e) + recall(s, y, e)) / 2),
    ]
    return evaluate_function(
        f1_at, _f1_reference, _f1_cases(), name="f1_at", mistakes=mistakes, check_dtype=False, rtol=1e-6,
        atol=1e-9, success="Scan epsilon on the validation runs and keep the best F1: that is the threshold.",
    )


check_gaussian_parameters = printer(evaluate_gaussian_parameters)
check_log_density = printer(evaluate_log_density)
check_f1_at = printer(evaluate_f1_at)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"gaussian_parameters": 1, "log_density": 2, "f1_at": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "gaussian_parameters": ("anomaly.fit_gaussian", "anomaly.fit_multivariate"),
    "log_density": ("anomaly.independent_log_density", "norm.logpdf", "multivariate_normal"),
    "f1_at": ("anomaly.f1_score", "f1_score", "sklearn"),
}
