"""Exercises of notebook 18 (imbalanced data): balanced class weights, SMOTE's interpolation, focal loss."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer


def _balanced_weights(y: Any) -> np.ndarray:
    y = np.asarray(y).astype(int).ravel()
    counts = np.bincount(y, minlength=2).astype(np.float64)
    return len(y) / (2 * counts)


@guarded
def evaluate_balanced_weights(balanced_weights: Callable[[Any], Any]) -> Result:
    """Evaluate ``balanced_weights(y)``: the array [n / (2·n₀), n / (2·n₁)] for 0/1 labels y."""
    rng = np.random.default_rng(18)
    cases = [
        Case((np.array([0, 0, 0, 1, 0, 0, 1, 0, 0, 0]),)),  # 8 vs 2
        Case(((rng.random(200) < 0.27).astype(int),)),
        Case(((rng.random(57) < 0.6).astype(int),)),  # class 1 is the larger one here
    ]
    counts = lambda y: np.bincount(np.asarray(y).astype(int), minlength=2).astype(float)  # noqa: E731
    mistakes = [
        Mistake("that is each class's share n_c / n; the weight is its inverse, scaled: n / (2·n_c).",
                lambda y: counts(y) / len(y)),
        Mistake("1 / n_c has the right shape but the wrong scale; multiply by n / 2 so that the "
                "weights average to 1 over the rows (Keras' losses then keep their usual size).",
                lambda y: 1 / counts(y)),
        Mistake("divide by the number of classes too: n / (2·n_c), not n / n_c.", lambda y: len(y) / counts(y)),
        Mistake("the weights are swapped: the RARE class gets the LARGE weight, n / (2·n_c) with its own count.",
                lambda y: len(y) / (2 * counts(y)[::-1])),
        Mistake("you returned the counts n_c; the weight is n / (2·n_c).", counts),
    ]
    return evaluate_function(
        balanced_weights, _balanced_weights, cases, name="balanced_weights", mistakes=mistakes,
        check_dtype=False,
        success="Each class now carries the same total weight: n_c · n/(2·n_c) = n/2.",
    )


def _synthetic_rows(starts: Any, neighbours: Any, gaps: Any) -> np.ndarray:
    starts = np.asarray(starts, dtype=np.float64)
    neighbours = np.asarray(neighbours, dtype=np.float64)
    gaps = np.asarray(gaps, dtype=np.float64).reshape(-1, 1)
    return starts + gaps * (neighbours - starts)


@guarded
def evaluate_synthetic_rows(synthetic_rows: Callable[[Any, Any, Any], Any]) -> Result:
    """Evaluate ``synthetic_rows(starts, neighbours, gaps)``: xᵢ + uᵢ (x_nnᵢ − xᵢ), row by row."""
    rng = np.random.default_rng(81)
    cases = [
        Case((np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 1.0], [3.0, 1.0, -2.0]]),
              np.array([[2.0, 0.0, 1.5], [1.0, 1.0, 0.0], [2.0, 3.0, -1.0]]), np.array([0.25, 0.5, 0.9]))),
        Case((rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.random(5))),
        Case((rng.normal(size=(4, 4)), rng.normal(size=(4, 4)), rng.random(4))),
        Case((rng.normal(size=(1, 6)), rng.normal(size=(1, 6)), rng.random(1))),
    ]
    s = lambda a: np.asarray(a, dtype=np.float64)  # noqa: E731
    g = lambda u: s(u).reshape(-1, 1)  # noqa: E731
    mistakes = [
        Mistake("start from the minority row xᵢ and step TOWARDS its neighbour: xᵢ + u·(x_nn − xᵢ); "
                "you stepped away from it.", lambda a, b, u: s(a) - g(u) * (s(b) - s(a))),
        Mistake("you started from the neighbour: with gap u the new row is u of the way FROM xᵢ, "
                "xᵢ + u·(x_nn − xᵢ).", lambda a, b, u: s(b) + g(u) * (s(a) - s(b))),
        Mistake("the gap u is random for each new row; you always used the midpoint.",
                lambda a, b, u: (s(a) + s(b)) / 2),
        Mistake("you forgot to add the starting row xᵢ: u·(x_nn − xᵢ) is only the step.",
                lambda a, b, u: g(u) * (s(b) - s(a))),
        Mistake("each row has its own gap: reshape gaps to a column (gaps[:, None]) so that row i "
                "is scaled by gaps[i]; without it NumPy pairs the gaps with the COLUMNS.",
                lambda a, b, u: s(a) + s(u) * (s(b) - s(a))),
    ]
    return evaluate_function(
        synthetic_rows, _synthetic_rows, cases, name="synthetic_rows", mistakes=mistakes,
        rtol=1e-7, atol=1e-9, check_dtype=False, axes=("row", "feature"),
        success="Every synthetic row lies on a segment between two real minority rows.",
    )


def _focal_loss(y_true: Any, y_prob: Any, gamma: float, alpha: float) -> float:
    y = np.asarray(y_true, dtype=np.float64)
    p = np.clip(np.asarray(y_prob, dtype=np.float64), 1e-7, 1 - 1e-7)
    p_t = y * p + (1 - y) * (1 - p)
    alpha_t = y * alpha + (1 - y) * (1 - alpha)
    return float(np.mean(-alpha_t * (1 - p_t) ** gamma * np.log(p_t)))


def _parts(y: Any, p: Any, alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    return y, y * p + (1 - y) * (1 - p), y * alpha + (1 - y) * (1 - alpha)


@guarded
def evaluate_focal_loss(focal_loss: Callable[..., Any]) -> Result:
    """Evaluate ``focal_loss(y_true, y_prob, gamma, alpha)``: mean of −α_t (1 − p_t)^γ log p_t."""
    rng = np.random.default_rng(1708)
    cases = [
        Case((np.array([1, 0, 1, 0, 0]), np.array([0.9, 0.2, 0.3, 0.6, 0.05]), 2.0, 0.75)),
        Case(((rng.random(40) < 0.3).astype(int), rng.uniform(0.02, 0.98, 40), 1.0, 0.6)),
        Case(((rng.random(30) < 0.5).astype(int), rng.uniform(0.05, 0.95, 30), 3.0, 0.25)),
        Case(((rng.random(25) < 0.2).astype(int), rng.uniform(0.05, 0.95, 25), 0.0, 0.5)),
    ]

    def alpha_for_all(y, p, gamma, alpha):
        _, p_t, _ = _parts(y, p, alpha)
        return float(np.mean(-alpha * (1 - p_t) ** gamma * np.log(p_t)))

    def no_alpha(y, p, gamma, alpha):
        _, p_t, _ = _parts(y, p, alpha)
        return float(np.mean(-(1 - p_t) ** gamma * np.log(p_t)))

    def wrong_factor(y, p, gamma, alpha):
        _, p_t, a_t = _parts(y, p, alpha)
        return float(np.mean(-a_t * p_t**gamma * np.log(p_t)))

    def factor_of_p(y, p, gamma, alpha):
        _, p_t, a_t = _parts(y, p, alpha)
        return float(np.mean(-a_t * (1 - np.asarray(p, dtype=float)) ** gamma * np.log(p_t)))

    def summed(y, p, gamma, alpha):
        _, p_t, a_t = _parts(y, p, alpha)
        return float(np.sum(-a_t * (1 - p_t) ** gamma * np.log(p_t)))

    def weighted_bce(y, p, gamma, alpha):
        _, p_t, a_t = _parts(y, p, alpha)
        return float(np.mean(-a_t * np.log(p_t)))

    mistakes = [
        Mistake("α weighs class 1 and 1 − α weighs class 0 (α_t); you used α for every example.", alpha_for_all),
        Mistake("you left out the class weight α_t (α for class 1, 1 − α for class 0).", no_alpha),
        Mistake("the focusing factor is (1 − p_t)^γ: it must SHRINK as the model grows confident in the "
                "true class; p_t^γ does the opposite.", wrong_factor),
        Mistake("use p_t, the probability of the TRUE class (p for y = 1, 1 − p for y = 0), in the factor "
                "(1 − p_t)^γ; (1 − p)^γ is only right for the positives.", factor_of_p),
        Mistake("return the MEAN over the examples, not the sum.", summed),
        Mistake("that is the α-weighted cross-entropy: multiply by the focusing factor (1 − p_t)^γ.", weighted_bce),
        Mistake("−log p_t is positive; your loss has the wrong sign.", lambda *a: -_focal_loss(*a)),
    ]
    return evaluate_function(
        focal_loss, _focal_loss, cases, name="focal_loss", mistakes=mistakes, rtol=1e-6, atol=1e-9,
        check_dtype=False,
        success="With γ = 0 and α = 0.5 it is half the cross-entropy; γ > 0 quiets the easy examples.",
    )


check_balanced_weights = printer(evaluate_balanced_weights)
check_synthetic_rows = printer(evaluate_synthetic_rows)
check_focal_loss = printer(evaluate_focal_loss)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"balanced_weights": 1, "synthetic_rows": 1, "focal_loss": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "balanced_weights": ("imbalance.class_weights", "compute_class_weight"),
    "synthetic_rows": ("imbalance.smote_samples", "imbalance.smote", "SMOTE"),
    "focal_loss": ("imbalance.focal_loss", "BinaryFocalCrossentropy", "binary_focal_crossentropy"),
}
