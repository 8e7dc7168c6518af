"""Evaluation metrics from scratch in NumPy: confusion matrix, precision/recall/F1, ROC and AUC,
the precision-recall curve, regression metrics, the cost of a decision, and the threshold explorer.

Each function gives the same numbers as its scikit-learn namesake (tested). Introduced in notebook 19.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.training.imbalance import binary_labels
from utils.widgets import Explorer, slider


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------



def _numbers(values: Any, name: str) -> np.ndarray:
    """``values`` as a non-empty, finite 1-D float64 array."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of numbers, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def _labels_and_scores(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray]:
    truth, score = binary_labels(y_true, "y_true"), _numbers(y_score, "y_score")
    if truth.shape != score.shape:
        raise ValueError(f"y_true has {truth.size} labels but y_score has {score.size} scores")
    if truth.min() == truth.max():
        raise ValueError("y_true holds one class only: ROC and precision-recall need both")
    return truth, score


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    truth, pred = binary_labels(y_true, "y_true"), binary_labels(y_pred, "y_pred")
    if truth.shape != pred.shape:
        raise ValueError(f"y_true has {truth.size} labels but y_pred has {pred.size}")
    return truth, pred


# ---------------------------------------------------------------------------------------------
# Classification at one threshold
# ---------------------------------------------------------------------------------------------

def confusion_counts(y_true: Any, y_pred: Any) -> np.ndarray:
    """The 2×2 confusion matrix [[TN, FP], [FN, TP]] (rows: true class, columns: predicted), ints."""
    truth, pred = _pair(y_true, y_pred)
    return np.bincount(2 * truth + pred, minlength=4).reshape(2, 2)


def precision_recall_f1(y_true: Any, y_pred: Any) -> tuple[float, float, float]:
    """Precision, recall and F1 of class 1; 0 where a ratio would be 0/0 (as scikit-learn reports)."""
    (_, fp), (fn, tp) = confusion_counts(y_true, y_pred)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return float(precision), float(recall), float(f1)


# ---------------------------------------------------------------------------------------------
# Curves over every threshold
# ---------------------------------------------------------------------------------------------

def _cumulative_counts(truth: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True and false positives when predicting 1 for score >= t, at each distinct score t (descending)."""
    order = np.argsort(-score, kind="stable")
    score, truth = score[order], truth[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(score)), truth.size - 1]
    tp = np.cumsum(truth)[last_of_tie]
    fp = (last_of_tie + 1) - tp
    return tp, fp, score[last_of_tie]


def roc_curve(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``fpr, tpr, thresholds`` at every distinct score (descending), starting from (0, 0) at +inf."""
    truth, score = _labels_and_scores(y_true, y_score)
    tp, fp, thresholds = _cumulative_counts(truth, score)
    tpr = np.r_[0.0, tp / truth.sum()]
    fpr = np.r_[0.0, fp / (truth.size - truth.sum())]
    return fpr, tpr, np.r_[np.inf, thresholds]


def trapezoid_area(x: Any, y: Any) -> float:
    """Area under the piecewise-linear curve through (x, y), x sorted (increasing or decreasing)."""
    x, y = _numbers(x, "x"), _numbers(y, "y")
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"x and y need the same length >= 2, got {x.size} and {y.size}")
    steps = np.diff(x)
    if np.any(steps < 0) and np.any(steps > 0):
        raise ValueError("x must be sorted (all steps of the same sign)")
    return float(abs(np.sum(steps * (y[1:] + y[:-1]) / 2)))


def roc_auc(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve, by the trapezoid rule over :func:`roc_curve`."""
    fpr, tpr, _ = roc_curve(y_true, y_score)
    return trapezoid_area(fpr, tpr)


def rank_auc(y_true: Any, y_score: Any) -> float:
    """AUC as a probability: P(score of a random positive > score of a random negative), ties count ½."""
    truth, score = _labels_and_scores(y_true, y_score)
    order = np.argsort(score, kind="stable")
    ranks = np.empty(score.size)
    ranks[order] = np.arange(1, score.size + 1)
    sorted_scores = score[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_scores)) + 1]
    ends = np.r_[starts[1:], score.size]
    for start, end in zip(starts, ends):
        if end - start > 1:  # tied scores share their average rank
            ranks[order[start:end]] = (start + 1 + end) / 2
    positives = int(truth.sum())
    negatives = truth.size - positives
    return float((ranks[truth == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def pr_curve(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``precision, recall, thresholds`` at every distinct score (descending threshold, rising recall)."""
    truth, score = _labels_and_scores(y_true, y_score)
    tp, fp, thresholds = _cumulative_counts(truth, score)
    return tp / (tp + fp), tp / truth.sum(), thresholds


def average_precision(y_true: Any, y_score: Any) -> float:
    """Σ (Rₙ − Rₙ₋₁) Pₙ over the thresholds: the step-wise area under the precision-recall curve."""
    precision, recall, _ = pr_curve(y_true, y_score)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


# ---------------------------------------------------------------------------------------------
# Regression
# ---------------------------------------------------------------------------------------------

def _regression_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    truth, pred = _numbers(y_true, "y_true"), _numbers(y_pred, "y_pred")
    if truth.shape != pred.shape:
        raise ValueError(f"y_true has {truth.size} values but y_pred has {pred.size}")
    return truth, pred


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error, in the target's unit."""
    truth, pred = _regression_pair(y_true, y_pred)
    return float(np.mean(np.abs(truth - pred)))


def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error, in the target's unit."""
    truth, pred = _regression_pair(y_true, y_pred)
    return float(np.sqrt(np.mean((truth - pred) ** 2)))


def r2(y_true: Any, y_pred: Any) -> float:
    """Coefficient of determination: the share of the target's variance the predictions explain."""
    truth, pred = _regression_pair(y_true, y_pred)
    total = np.sum((truth - truth.mean()) ** 2)
    if total == 0:
        raise ValueError("y_true is constant: R² is undefined")
    return float(1 - np.sum((truth - pred) ** 2) / total)


# ---------------------------------------------------------------------------------------------
# The cost of a decision, and the threshold explorer (notebook 19)
# ---------------------------------------------------------------------------------------------

def threshold_state(
    y_true: Any, y_prob: Any, threshold: float, cost_fp: float = 1.0, cost_fn: float = 5.0,
) -> dict[str, Any]:
    """Confusion matrix, rates and mean cost per case when predicting 1 for probability >= threshold."""
    truth, prob = binary_labels(y_true, "y_true"), _numbers(y_prob, "y_prob")
    if truth.shape != prob.shape:
        raise ValueError(f"y_true has {truth.size} labels but y_prob has {prob.size} probabilities")
    if cost_fp < 0 or cost_fn < 0:
        raise ValueError(f"costs must be non-negative, got cost_fp={cost_fp} and cost_fn={cost_fn}")
    matrix = confusion_counts(truth, (prob >= threshold).astype(int))
    (tn, fp), (fn, tp) = matrix
    precision, recall, f1 = precision_recall_f1(truth, (prob >= threshold).astype(int))
    return {
        "matrix": matrix, "tpr": tp / max(tp + fn, 1), "fpr": fp / max(fp + tn, 1),
        "precision": precision if tp + fp else 1.0, "recall": recall, "f1": f1,
        "accuracy": (tp + tn) / truth.size, "cost": (cost_fp * fp + cost_fn * fn) / truth.size,
    }


def cost_curve(
    y_true: Any, y_prob: Any, thresholds: Any, cost_fp: float = 1.0, cost_fn: float = 5.0,
) -> np.ndarray:
    """Mean cost per case at each threshold (predicting 1 for probability >= threshold)."""
    truth, prob = binary_labels(y_true, "y_true"), _numbers(y_prob, "y_prob")
    if truth.shape != prob.shape:
        raise ValueError(f"y_true has {truth.size} labels but y_prob has {prob.size} probabilities")
    if cost_fp < 0 or cost_fn < 0:
        raise ValueError(f"costs must be non-negative, got cost_fp={cost_fp} and cost_fn={cost_fn}")
    flagged = _numbers(thresholds, "thresholds")[:, None] <= prob[None, :]
    false_positives = np.sum(flagged & (truth == 0), axis=1)
    false_negatives = np.sum(~flagged & (truth == 1), axis=1)
    return (cost_fp * false_positives + cost_fn * false_negatives) / truth.size


def threshold_explorer(
    y_true: Any, y_prob: Any, threshold: float = 0.5, cost_fp: float = 1.0, cost_fn: float = 5.0,
    positive: str = "default", negative: str = "repaid",
) -> Explorer:
    """A threshold slider moving a point along the ROC and PR curves, with the confusion matrix and the cost."""
    truth, prob = binary_labels(y_true, "y_true"), _numbers(y_prob, "y_prob")
    fpr, tpr, _ = roc_curve(truth, prob)
    precision, recall, _ = pr_curve(truth, prob)
    area = trapezoid_area(fpr, tpr)
    grid = np.linspace(0.01, 0.99, 99)

    artists: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        roc, pr, matrix, cost = fig.subplots(1, 4, width_ratios=[1, 1, 0.8, 1.1])
        roc.plot(fpr, tpr, color=PALETTE[0])
        roc.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1)
        artists["roc_point"], = roc.plot([], [], "o", color=PALETTE[1], markersize=9)
        roc.set(title=f"ROC (AUC {area:.3f})", xlabel="false-positive rate", ylabel="true-positive rate",
                aspect="equal", xlim=(0, 1), ylim=(0, 1.02))
        pr.plot(recall, precision, color=PALETTE[0])
        pr.axhline(truth.mean(), color="grey", linestyle=":", linewidth=1)
        artists["pr_point"], = pr.plot([], [], "o", color=PALETTE[1], markersize=9)
        pr.set(title="Precision-recall", xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02))
        artists["image"] = matrix.imshow(np.zeros((2, 2)), cmap="Blues", vmin=0, vmax=1)
        matrix.grid(False)
        artists["cells"] = {(row, col): matrix.text(col, row, "", ha="center", va="center", fontsize=11)
                            for row in (0, 1) for col in (0, 1)}
        matrix.set_xticks([0, 1], [negative, positive])
        matrix.set_yticks([0, 1], [negative, positive])
        matrix.set(title="Confusion matrix", xlabel="predicted", ylabel="true")
        artists["cost_line"], = cost.plot(grid, np.zeros_like(grid), color=PALETTE[2])
        artists["best"] = cost.axvline(0.5, color="grey", linestyle="--", linewidth=1, label="cheapest")
        artists["cost_point"], = cost.plot([], [], "o", color=PALETTE[1], markersize=9)
        cost.set(title="Cost of the decision", xlabel="threshold on P(default)",
                 ylabel="cost per applicant (units)", xlim=(0, 1))
        artists["cost_axes"] = cost
        artists["legend"] = cost.legend(fontsize=8, loc="upper left")

    def draw(fig: Figure, threshold: float, cost_fn: float) -> str:
        if not artists:
            build(fig)
        state = threshold_state(truth, prob, threshold, cost_fp, cost_fn)
        costs = cost_curve(truth, prob, grid, cost_fp, cost_fn)
        artists["roc_point"].set_data([state["fpr"]], [state["tpr"]])
        artists["pr_point"].set_data([state["recall"]], [state["precision"]])
        counts = state["matrix"]
        artists["image"].set_data(counts / max(int(counts.max()), 1))
        for (row, col), text in artists["cells"].items():
            value = int(counts[row, col])
            text.set_text(str(value))
            text.set_color("white" if value > counts.max() / 2 else "black")
        artists["cost_line"].set_ydata(costs)
        best = float(grid[int(np.argmin(costs))])
        artists["best"].set_xdata([best, best])
        artists["legend"].get_texts()[0].set_text(f"cheapest: {best:.2f}")
        artists["cost_point"].set_data([threshold], [state["cost"]])
        top = float(max(costs.max(), state["cost"]))
        artists["cost_axes"].set_ylim(0, 1.08 * top if top > 0 else 1.0)
        return (f"threshold {threshold:.2f}: TPR {state['tpr']:.2f}, FPR {state['fpr']:.2f}, "
                f"precision {state['precision']:.2f}, recall {state['recall']:.2f}; "
                f"cost {state['cost']:.3f} per applicant (FP {cost_fp:g}, FN {cost_fn:g}); "
                f"cheapest threshold {best:.2f}")

    controls: dict[str, ipw.ValueWidget] = {
        "threshold": slider("threshold", 0.01, 0.99, threshold, step=0.01),
        "cost_fn": slider("cost of a missed default", 1.0, 10.0, cost_fn, step=0.5),
    }
    return Explorer(controls, draw, figsize=(14.0, 3.6), rebuild=False)
