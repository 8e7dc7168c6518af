"""Exercises of notebook 49 (ensembles and boosting): the out-of-bag prediction, one boosting round, the log-loss gradient."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.toolbox import ensembles

# ---------------------------------------------------------------------------------------------
# Exercise 1: the out-of-bag prediction
# ---------------------------------------------------------------------------------------------


def _oob_cases() -> list[Case]:
    cases = []
    for seed, trees, n in ((49, 12, 8), (490, 30, 15), (4900, 20, 6)):
        rng = np.random.default_rng(seed)
        samples = np.stack([rng.integers(0, n, size=n) for _ in range(trees)])
        while ensembles.out_of_bag_mask(samples, n).sum(axis=0).min() == 0:  # every row left out at least once
            samples = np.stack([rng.integers(0, n, size=n) for _ in range(trees)])
        cases.append(Case((np.round(rng.normal(size=(trees, n)) * 3 + 1, 2), samples)))
    return cases


def _oob_variant(predictions: Any, samples: Any, *, trees: str = "out", divide: str = "count") -> np.ndarray:
    predictions = np.asarray(predictions, dtype=np.float64)
    out = ensembles.out_of_bag_mask(samples, predictions.shape[1])
    mask = {"out": out, "in": ~out, "all": np.ones_like(out)}[trees]
    total = np.where(mask, predictions, 0.0).sum(axis=0)
    return total / (mask.sum(axis=0) if divide == "count" else len(predictions))


@guarded
def evaluate_oob_prediction(oob_prediction: Callable[..., Any]) -> Result:
    """Evaluate ``oob_prediction(tree_predictions, samples)`` → each row's mean over the trees that did not draw it."""
    mistakes = [
        Mistake("average only the trees whose bootstrap sample LEFT THE ROW OUT; you averaged every tree.",
                lambda p, s: _oob_variant(p, s, trees="all")),
        Mistake("you averaged the trees that DREW the row (in-bag); the out-of-bag trees are the others.",
                lambda p, s: _oob_variant(p, s, trees="in")),
        Mistake("divide each row's sum by the number of trees that left it out, not by the number of all trees.",
                lambda p, s: _oob_variant(p, s, divide="trees")),
    ]
    return evaluate_function(
        oob_prediction, ensembles.oob_prediction, _oob_cases(), name="oob_prediction", mistakes=mistakes,
        check_dtype=False, rtol=1e-9, atol=1e-12, axes=("row",),
        success="Every row is judged only by trees that never saw it: a free held-out estimate.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: one round of gradient boosting
# ---------------------------------------------------------------------------------------------


def _round_variant(X: Any, y: Any, prediction: Any, learning_rate: float, max_depth: int, *,
                   target: str = "residual", rate: str = "step", keep: bool = True) -> np.ndarray:
    from sklearn.tree import DecisionTreeRegressor

    X, y, prediction = (np.asarray(a, dtype=np.float64) for a in (X, y, prediction))
    goal = {"residual": y - prediction, "flipped": prediction - y, "y": y}[target]
    step = DecisionTreeRegressor(max_depth=max_depth, random_state=0).fit(X, goal).predict(X)
    if rate == "none":
        return prediction + step if keep else step
    if rate == "all":
        return learning_rate * (prediction + step)
    return prediction + learning_rate * step if keep else learning_rate * step


def _round_cases() -> list[Case]:
    rng = np.random.default_rng(49)
    cases = []
    x = np.sort(rng.uniform(0, 6, size=40))
    y = np.sin(1.5 * x) + 0.3 * x + 0.3 * rng.normal(size=40)
    cases.append(Case((x[:, None], y, np.full(40, y.mean()) + 0.2 * np.sin(x), 0.3, 2)))
    X = rng.normal(size=(60, 3))
    y = X[:, 0] ** 2 - X[:, 1] + 0.5 * rng.normal(size=60)
    cases.append(Case((X, y, 0.5 * X[:, 0] + 0.4, 0.1, 3)))
    cases.append(Case((X[:30, :2], y[:30], np.zeros(30) + 1.5, 0.5, 1)))
    return cases


@guarded
def evaluate_boosting_round(boosting_round: Callable[..., Any]) -> Result:
    """Evaluate ``boosting_round(X, y, prediction, learning_rate, max_depth)`` → prediction + lr * tree(residuals)."""
    mistakes = [
        Mistake("fit the tree to the RESIDUALS y - prediction, not to y itself: each round corrects the last.",
                lambda *a: _round_variant(*a, target="y")),
        Mistake("the residuals are y - prediction (what is still missing); you fitted prediction - y, so the "
                "step moves the wrong way.", lambda *a: _round_variant(*a, target="flipped")),
        Mistake("shrink the tree's step by the learning rate before adding it.",
                lambda *a: _round_variant(*a, rate="none")),
        Mistake("return the NEW prediction: the old one plus the shrunk step, not the step alone.",
                lambda *a: _round_variant(*a, keep=False)),
        Mistake("the learning rate multiplies only the new tree's step, not the old prediction too.",
                lambda *a: _round_variant(*a, rate="all")),
    ]
    return evaluate_function(
        boosting_round, lambda *a: _round_variant(*a), _round_cases(), name="boosting_round", mistakes=mistakes,
        check_dtype=False, rtol=1e-9, atol=1e-10, axes=("row",),
        success="Repeat it and you have gradient boosting for the squared error.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: the negative gradient of the log-loss
# ---------------------------------------------------------------------------------------------


def _gradient_cases() -> list[Case]:
    rng = np.random.default_rng(4949)
    cases = [Case((np.array([1, 0, 1, 1, 0, 0]), np.array([0.3, -1.2, 2.5, -0.4, 0.8, -3.0])))]
    for n in (20, 50):
        cases.append(Case((rng.integers(0, 2, size=n), rng.normal(scale=2.0, size=n))))
    return cases


def _p(raw: Any) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(raw, dtype=np.float64)))


@guarded
def evaluate_negative_gradient(negative_gradient: Callable[..., Any]) -> Result:
    """Evaluate ``negative_gradient(y, raw)`` → y - sigmoid(raw), minus the log-loss's derivative in the raw score."""
    mistakes = [
        Mistake("that is the gradient p - y; the trees fit the NEGATIVE gradient y - p.",
                lambda y, F: _p(F) - y),
        Mistake("turn the raw score (log-odds) into a probability with the sigmoid first: y - sigmoid(F).",
                lambda y, F: y - np.asarray(F, dtype=np.float64)),
        Mistake("differentiate with respect to the raw score F, not the probability p: the chain rule turns "
                "y/p - (1-y)/(1-p) (which equals (y - p) / (p(1 - p))) into y - p.", lambda y, F: y / _p(F) - (1 - y) / (1 - _p(F))),
        Mistake("the sigmoid is 1 / (1 + exp(-F)): check the sign inside the exponential.",
                lambda y, F: y - 1.0 / (1.0 + np.exp(np.asarray(F, dtype=np.float64)))),
    ]
    return evaluate_function(
        negative_gradient, ensembles.negative_gradient, _gradient_cases(), name="negative_gradient",
        mistakes=mistakes, check_dtype=False, rtol=1e-9, atol=1e-12, axes=("row",),
        success="A boosted classifier's 'residuals' are y - p: the same idea as for regression.",
    )


check_oob_prediction = printer(evaluate_oob_prediction)
check_boosting_round = printer(evaluate_boosting_round)
check_negative_gradient = printer(evaluate_negative_gradient)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"oob_prediction": 2, "boosting_round": 2, "negative_gradient": 1}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "oob_prediction": ("ensembles.oob_prediction", "oob_prediction_", "oob_decision_function_"),
    "boosting_round": ("ensembles.gradient_boost", "GradientBoostingRegressor", "staged_predict"),
    "negative_gradient": ("ensembles.negative_gradient",),
}
