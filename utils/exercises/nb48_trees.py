"""Exercises of notebook 48 (decision trees): Gini impurity, information gain, the best threshold of one feature."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.toolbox import trees

# ---------------------------------------------------------------------------------------------
# Exercise 1: Gini impurity
# ---------------------------------------------------------------------------------------------


def _shares(y: Any) -> np.ndarray:
    _, counts = np.unique(np.asarray(y), return_counts=True)
    return counts / counts.sum()


def _gini_cases() -> list[Case]:
    rng = np.random.default_rng(48)
    return [Case((np.array([0, 1, 1, 2, 1, 0, 1]),)), Case((np.array([1, 1, 0, 0, 0, 0, 1, 0]),)),
            Case((rng.integers(0, 4, size=30),)), Case((np.array(["a", "b", "a", "a"]),)),
            Case((np.array([3, 3, 3]),))]


@guarded
def evaluate_gini(gini: Callable[..., Any]) -> Result:
    """Evaluate ``gini(y)`` → 1 - sum of squared class shares."""
    mistakes = [
        Mistake("the Gini impurity is 1 MINUS the sum of the squared shares: a pure node has impurity 0.",
                lambda y: float(np.sum(_shares(y) ** 2))),
        Mistake("square the SHARES p_k = count_k / n, not the counts.",
                lambda y: float(1 - np.sum(np.unique(np.asarray(y), return_counts=True)[1] ** 2))),
        Mistake("square the shares before summing: the shares themselves always sum to 1.",
                lambda y: float(1 - np.sum(_shares(y)))),
        Mistake("that is the entropy; the Gini impurity is 1 - sum_k p_k^2.", lambda y: trees.entropy(y)),
    ]
    return evaluate_function(
        gini, trees.gini, _gini_cases(), name="gini", mistakes=mistakes, check_dtype=False, rtol=1e-9,
        success="0 for a pure node, largest when every class is equally common.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: information gain
# ---------------------------------------------------------------------------------------------


def _gain_cases() -> list[Case]:
    cases = [Case((np.array([1, 1, 1, 0, 0, 1, 0, 1, 1, 0]), np.array([1, 1, 1, 0, 1, 1]), np.array([0, 0, 1, 0])))]
    rng = np.random.default_rng(480)
    for n, classes in ((25, 3), (40, 2)):
        parent = rng.integers(0, classes, size=n)
        order = np.argsort(parent + rng.normal(scale=0.8, size=n))
        cut = n // 3
        cases.append(Case((parent[order], parent[order][:cut], parent[order][cut:])))
    cases.append(Case((np.array([0, 1, 0, 1]), np.array([0, 1]), np.array([0, 1]))))  # a useless split
    return cases


def _gain_variant(parent: Any, left: Any, right: Any, *, weights: str = "sizes", base: float = 2.0,
                  with_parent: bool = True) -> float:
    n, n_left, n_right = len(parent), len(left), len(right)
    w_left, w_right = {"sizes": (n_left / n, n_right / n), "equal": (0.5, 0.5),
                       "swapped": (n_right / n, n_left / n)}[weights]
    children = w_left * trees.entropy(left, base) + w_right * trees.entropy(right, base)
    return trees.entropy(parent, base) - children if with_parent else children


@guarded
def evaluate_information_gain(information_gain: Callable[..., Any]) -> Result:
    """Evaluate ``information_gain(parent, left, right)`` → entropy(parent) - size-weighted child entropies, in bits."""
    mistakes = [
        Mistake("weight each child's entropy by its share of the parent's rows (n_left / n, n_right / n), not "
                "one half each.", lambda p, l, r: _gain_variant(p, l, r, weights="equal")),
        Mistake("the weights are swapped: the left child's entropy gets n_left / n.",
                lambda p, l, r: _gain_variant(p, l, r, weights="swapped")),
        Mistake("measure the entropy in bits: log base 2 (np.log2), not the natural log.",
                lambda p, l, r: _gain_variant(p, l, r, base=np.e)),
        Mistake("the gain is the parent's entropy MINUS the weighted children's; you returned the children's part.",
                lambda p, l, r: _gain_variant(p, l, r, with_parent=False)),
        Mistake("the gain is entropy(parent) - weighted children's entropy: yours has the opposite sign.",
                lambda p, l, r: -_gain_variant(p, l, r)),
    ]
    return evaluate_function(
        information_gain, lambda p, l, r: trees.impurity_decrease(p, l, r, "entropy"), _gain_cases(),
        name="information_gain", mistakes=mistakes, check_dtype=False, rtol=1e-9, atol=1e-12,
        success="ID3 and C4.5 (and criterion='entropy') pick the split with the largest gain.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: the best threshold of one feature
# ---------------------------------------------------------------------------------------------


def _threshold_reference(x: Any, y: Any) -> np.ndarray:
    split = trees.best_split(np.asarray(x, dtype=np.float64)[:, None], y, "gini")
    return np.array([split.threshold, split.decrease])


def _threshold_variant(x: Any, y: Any, *, place: str = "middle", weights: str = "sizes", pick: str = "max") -> np.ndarray:
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y)
    values = np.unique(x)
    best = None
    for low, high in zip(values[:-1], values[1:]):
        middle = (low + high) / 2
        left, right = y[x <= middle], y[x > middle]
        if weights == "sizes":
            children = len(left) / len(y) * trees.gini(left) + len(right) / len(y) * trees.gini(right)
        else:
            children = 0.5 * trees.gini(left) + 0.5 * trees.gini(right)
        decrease = trees.gini(y) - children
        threshold = {"middle": middle, "low": low, "high": high}[place]
        better = best is None or (decrease > best[1] if pick == "max" else decrease < best[1])
        if better:
            best = (threshold, decrease)
    return np.array(best)


def _threshold_cases() -> list[Case]:
    cases = [Case((np.array([2.0, 7.5, 3.1, 9.0, 4.4, 6.0, 1.2, 8.1, 5.0, 6.9]),
                   np.array([0, 1, 0, 1, 0, 1, 0, 0, 1, 1])))]
    rng = np.random.default_rng(4800)
    for n in (30, 60):
        x = np.round(rng.normal(size=n) * 10, 1)
        y = (x + rng.normal(scale=8, size=n) > 2).astype(int)
        cases.append(Case((x, y)))
    cases.append(Case((np.array([1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0]), np.array([0, 0, 0, 1, 1, 1, 0]))))  # repeats
    return cases


@guarded
def evaluate_best_threshold(best_threshold: Callable[..., Any]) -> Result:
    """Evaluate ``best_threshold(x, y)`` → (threshold, Gini decrease) of the best split x <= threshold."""
    mistakes = [
        Mistake("put the threshold halfway between the two neighbouring distinct values, as scikit-learn does; "
                "you used the lower one.", lambda x, y: _threshold_variant(x, y, place="low")),
        Mistake("put the threshold halfway between the two neighbouring distinct values; you used the upper "
                "one.", lambda x, y: _threshold_variant(x, y, place="high")),
        Mistake("weight each child's Gini by its share of the rows before subtracting it from the parent's.",
                lambda x, y: _threshold_variant(x, y, weights="equal")),
        Mistake("keep the split with the LARGEST impurity decrease (the purest children), not the smallest.",
                lambda x, y: _threshold_variant(x, y, pick="min")),
    ]
    return evaluate_function(
        best_threshold, _threshold_reference, _threshold_cases(), name="best_threshold", mistakes=mistakes,
        check_dtype=False, rtol=1e-9, atol=1e-12, axes=("value (threshold, decrease)",),
        success="A tree is this search, repeated in every node for every feature.",
    )


check_gini = printer(evaluate_gini)
check_information_gain = printer(evaluate_information_gain)
check_best_threshold = printer(evaluate_best_threshold)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"gini": 1, "information_gain": 2, "best_threshold": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "gini": ("trees.gini", "sklearn"),
    "information_gain": ("trees.impurity_decrease", "sklearn"),
    "best_threshold": ("trees.best_split", "DecisionTreeClassifier", "sklearn"),
}
