"""Exercises of notebook 19 (evaluation metrics): the confusion matrix, the trapezoid AUC, R²."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer


def _confusion_counts(y_true: Any, y_pred: Any) -> np.ndarray:
    truth = np.asarray(y_true).astype(int).ravel()
    pred = np.asarray(y_pred).astype(int).ravel()
    return np.array([[np.sum((truth == t) & (pred == p)) for p in (0, 1)] for t in (0, 1)], dtype=np.int64)


@guarded
def evaluate_confusion_counts(confusion_counts: Callable[[Any, Any], Any]) -> Result:
    """Evaluate ``confusion_counts(y_true, y_pred)``: [[TN, FP], [FN, TP]] as ints."""
    rng = np.random.default_rng(19)
    cases = [
        Case((np.array([0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0]), np.array([0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1]))),
        Case(((rng.random(60) < 0.3).astype(int), (rng.random(60) < 0.4).astype(int))),
        Case((np.array([1, 1, 0, 1]), np.array([1, 1, 1, 1]))),
    ]
    matrix = lambda t, p: _confusion_counts(t, p)  # noqa: E731
    mistakes = [
        Mistake("rows are the TRUE class and columns the PREDICTED class (scikit-learn's layout); "
                "your matrix is transposed.", lambda t, p: matrix(t, p).T),
        Mistake("the order is class 0 first: [[TN, FP], [FN, TP]]; you put the positives first.",
                lambda t, p: matrix(t, p)[::-1, ::-1]),
        Mistake("TP sits bottom-right (true 1, predicted 1) and TN top-left (true 0, predicted 0); "
                "you swapped the two.", lambda t, p: np.diag(np.diag(matrix(t, p))[::-1]) + np.fliplr(
                    np.diag(np.diag(np.fliplr(matrix(t, p)))))),
        Mistake("count the examples, do not divide: the matrix holds counts (rates come later).",
                lambda t, p: matrix(t, p) / len(np.ravel(t))),
    ]
    return evaluate_function(
        confusion_counts, _confusion_counts, cases, name="confusion_counts", mistakes=mistakes,
        integer=True, axes=("true class", "predicted class"),
        success="Every metric of this notebook is a ratio of these four counts.",
    )


def _trapezoid_auc(fpr: Any, tpr: Any) -> float:
    x, y = np.asarray(fpr, dtype=np.float64).ravel(), np.asarray(tpr, dtype=np.float64).ravel()
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))


@guarded
def evaluate_trapezoid_auc(trapezoid_auc: Callable[[Any, Any], Any]) -> Result:
    """Evaluate ``trapezoid_auc(fpr, tpr)``: Σ (x₁ − x₀)(y₀ + y₁)/2 over consecutive points."""
    rng = np.random.default_rng(1982)
    random_fpr = np.r_[0.0, np.sort(rng.random(12)), 1.0]
    random_tpr = np.r_[0.0, np.sort(rng.random(12)) ** 0.5, 1.0]
    cases = [
        Case((np.array([0.0, 0.1, 0.4, 0.5, 1.0]), np.array([0.0, 0.5, 0.7, 0.9, 1.0]))),
        Case((random_fpr, random_tpr)),
        Case((np.array([0.0, 0.0, 0.5, 0.5, 1.0]), np.array([0.0, 0.5, 0.5, 1.0, 1.0]))),
        Case((np.array([0.0, 1.0]), np.array([0.0, 1.0]))),
    ]
    x = lambda a: np.asarray(a, dtype=np.float64).ravel()  # noqa: E731
    mistakes = [
        Mistake("that is a left Riemann sum (rectangles at each segment's left height); average the two "
                "heights, (y₀ + y₁)/2, to get the trapezoid.", lambda f, t: float(np.sum(np.diff(x(f)) * x(t)[:-1]))),
        Mistake("that is a right Riemann sum (rectangles at each segment's right height); average the two "
                "heights, (y₀ + y₁)/2.", lambda f, t: float(np.sum(np.diff(x(f)) * x(t)[1:]))),
        Mistake("a trapezoid's area is width × (y₀ + y₁) / 2: you forgot the / 2.",
                lambda f, t: float(np.sum(np.diff(x(f)) * (x(t)[1:] + x(t)[:-1])))),
        Mistake("integrate along the x axis (the false-positive rate): width = fpr[i+1] − fpr[i], heights "
                "from tpr; you swapped the roles of the two.",
                lambda f, t: float(np.sum(np.diff(x(t)) * (x(f)[1:] + x(f)[:-1]) / 2))),
        Mistake("the mean of the heights is not an area: multiply each segment's mean height by its width.",
                lambda f, t: float(np.mean(x(t)))),
    ]
    return evaluate_function(
        trapezoid_auc, _trapezoid_auc, cases, name="trapezoid_auc", mistakes=mistakes, rtol=1e-9, atol=1e-12,
        check_dtype=False,
        success="On the ROC curve's corner points the trapezoids are exact: no approximation is involved.",
    )


def _r2_score(y_true: Any, y_pred: Any) -> float:
    y, f = np.asarray(y_true, dtype=np.float64).ravel(), np.asarray(y_pred, dtype=np.float64).ravel()
    return float(1 - np.sum((y - f) ** 2) / np.sum((y - y.mean()) ** 2))


@guarded
def evaluate_r2_score(r2_score: Callable[[Any, Any], Any]) -> Result:
    """Evaluate ``r2_score(y_true, y_pred)``: 1 − Σ(y − ŷ)² / Σ(y − ȳ)²."""
    rng = np.random.default_rng(1921)
    truth = rng.normal(50, 10, 30)
    cases = [
        Case((np.array([3.0, 5.0, 9.0, 4.0, 8.0]), np.array([2.5, 5.5, 8.0, 5.0, 7.0]))),
        Case((truth, truth + rng.normal(0, 4, 30))),
        Case((truth, np.full(30, 40.0))),  # worse than predicting the mean: negative R²
    ]
    v = lambda a: np.asarray(a, dtype=np.float64).ravel()  # noqa: E731
    sse = lambda y, f: np.sum((v(y) - v(f)) ** 2)  # noqa: E731
    sst = lambda y: np.sum((v(y) - v(y).mean()) ** 2)  # noqa: E731
    mistakes = [
        Mistake("that is the UNexplained share Σ(y − ŷ)² / Σ(y − ȳ)²; R² is 1 minus it.",
                lambda y, f: float(sse(y, f) / sst(y))),
        Mistake("the total sum of squares is around the MEAN of y, Σ(y − ȳ)², not Σ y².",
                lambda y, f: float(1 - sse(y, f) / np.sum(v(y) ** 2))),
        Mistake("the reference is the variance of the TRUE values y, not of the predictions ŷ.",
                lambda y, f: float(1 - sse(y, f) / np.sum((v(f) - v(f).mean()) ** 2))),
        Mistake("the squared correlation equals R² only for a least-squares fit with an intercept; "
                "compute 1 − Σ(y − ŷ)² / Σ(y − ȳ)² directly.",
                lambda y, f: float(np.corrcoef(v(y), v(f))[0, 1] ** 2)),
        Mistake("numerator and denominator must be both sums (or both means); you mixed a mean with a sum.",
                lambda y, f: float(1 - np.mean((v(y) - v(f)) ** 2) / sst(y))),
        Mistake("use squared errors, not absolute errors.",
                lambda y, f: float(1 - np.sum(np.abs(v(y) - v(f))) / np.sum(np.abs(v(y) - v(y).mean())))),
    ]
    return evaluate_function(
        r2_score, _r2_score, cases, name="r2_score", mistakes=mistakes, rtol=1e-9, atol=1e-12,
        check_dtype=False,
        success="1 is perfect, 0 is no better than predicting the mean, below 0 is worse than that.",
    )


check_confusion_counts = printer(evaluate_confusion_counts)
check_trapezoid_auc = printer(evaluate_trapezoid_auc)
check_r2_score = printer(evaluate_r2_score)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"confusion_counts": 1, "trapezoid_auc": 1, "r2_score": 1}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "confusion_counts": ("metrics.confusion_counts", "confusion_matrix"),
    "trapezoid_auc": ("metrics.trapezoid_area", "np.trapezoid", "numpy.trapezoid", "np.trapz", "auc"),
    "r2_score": ("metrics.r2", "sklearn.metrics.r2_score"),
}
