"""Exercises of notebook 50 (clustering): the k-means assignment step, the update step, silhouettes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.toolbox import clustering

# ---------------------------------------------------------------------------------------------
# Exercise 1: the assignment step
# ---------------------------------------------------------------------------------------------


def _blobs(n: int, k: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3.0, size=(k, d))
    X = centres[rng.integers(k, size=n)] + rng.normal(size=(n, d))
    return X, X[rng.choice(n, k, replace=False)] + rng.normal(scale=0.5, size=(k, d))


def _assign_cases() -> list[Case]:
    # the point (0, 0) is nearer (1.5, 1.5) in Euclidean distance but nearer (0, 2.2) in L1
    cases = [Case((np.array([[0.0, 0.0], [4.0, 1.0], [1.0, 3.5], [2.2, 1.9], [5.0, 5.0], [0.5, -1.0],
                             [-1.0, 0.5]]),
                   np.array([[1.5, 1.5], [0.0, 2.2], [5.0, 4.0]])))]
    for n, k, d, seed in ((40, 4, 2, 1), (25, 3, 5, 2), (60, 6, 3, 3)):
        cases.append(Case(_blobs(n, k, d, seed)))
    return cases


def _assign_l1(X: Any, centres: Any) -> np.ndarray:
    return np.abs(np.asarray(X)[:, None, :] - np.asarray(centres)[None, :, :]).sum(axis=2).argmin(axis=1)


@guarded
def evaluate_assign(assign: Callable[..., Any]) -> Result:
    """Evaluate ``assign(X, centres)`` → for each point, the index of its nearest centre (Euclidean)."""
    mistakes = [
        Mistake("each point joins its NEAREST centre: take the argmin of the distances, not the argmax.",
                lambda X, c: clustering.squared_distances(X, c).argmax(axis=1)),
        Mistake("k-means uses the Euclidean distance (squared or not, the nearest centre is the same), not "
                "the sum of absolute differences.", _assign_l1),
        Mistake("return the index of the nearest centre, not the distance to it.",
                lambda X, c: clustering.squared_distances(X, c).min(axis=1)),
        Mistake("one label per point: take the argmin over the centres (axis=1 of an (n, k) distance matrix).",
                lambda X, c: clustering.squared_distances(X, c).argmin(axis=0)),
    ]
    return evaluate_function(
        assign, clustering.assign, _assign_cases(), name="assign", mistakes=mistakes, integer=True,
        axes=("point",), success="Half of k-means done: the other half moves the centres.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: the update step
# ---------------------------------------------------------------------------------------------


def _update_cases() -> list[Case]:
    X, centres = _assign_cases()[0].args
    centres = np.vstack([centres, [[9.0, -4.0]]])  # a fourth centre far from every point: no members
    cases = [Case((X, clustering.assign(X, centres), centres))]
    for n, k, d, seed in ((40, 4, 2, 4), (30, 3, 4, 5)):
        X, centres = _blobs(n, k, d, seed)
        cases.append(Case((X, clustering.assign(X, centres), centres)))
    X, centres = _blobs(20, 3, 2, 6)
    labels = clustering.assign(X, centres)
    labels[labels == 2] = 0  # centre 2 has lost all its points: it must stay where it is
    cases.append(Case((X, labels, centres)))
    return cases


def _update_variant(X: Any, labels: Any, centres: Any, *, how: str = "mean", empty: str = "keep") -> np.ndarray:
    X, labels, centres = np.asarray(X, dtype=float), np.asarray(labels), np.asarray(centres, dtype=float)
    new = centres.copy()
    for j in range(len(centres)):
        members = X[labels == j]
        if len(members) == 0:
            new[j] = {"keep": centres[j], "zero": 0.0, "nan": np.nan}[empty]
        else:
            new[j] = {"mean": members.mean(axis=0), "median": np.median(members, axis=0),
                      "sum": members.sum(axis=0)}[how]
    return new


@guarded
def evaluate_update(update: Callable[..., Any]) -> Result:
    """Evaluate ``update(X, labels, centres)`` → new centres: the mean of each cluster's points (an empty one stays)."""
    mistakes = [
        Mistake("a centre moves to the MEAN of its points: divide the sum by the number of points.",
                lambda X, l, c: _update_variant(X, l, c, how="sum")),
        Mistake("k-means uses the mean, which minimises the squared distances; the median belongs to k-medians.",
                lambda X, l, c: _update_variant(X, l, c, how="median")),
        Mistake("a centre with no points keeps its previous position, it does not jump to the origin.",
                lambda X, l, c: _update_variant(X, l, c, empty="zero")),
    ]
    result = evaluate_function(
        update, clustering.update, _update_cases(), name="update", mistakes=mistakes, check_dtype=False,
        rtol=1e-6, atol=1e-9, axes=("centre", "feature"),
        success="Assign, update, repeat until no label changes: that is Lloyd's algorithm.",
    )
    if not result.passed and "gave NaN" in result.message:  # a NaN never matches a modelled mistake
        hint = (" Hint: a centre with no points keeps its previous position (as scikit-learn's Lloyd step "
                "does here); the mean of no points is NaN.")
        result = replace(result, message=result.message.split(" Hint: ")[0] + hint)
    return result


# ---------------------------------------------------------------------------------------------
# Exercise 3: silhouettes
# ---------------------------------------------------------------------------------------------


def _silhouette_cases() -> list[Case]:
    # three clusters (so "nearest other cluster" differs from "all others pooled") and one lone point
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.5], [4.0, 4.0], [5.0, 4.0], [4.5, 5.5], [2.0, 2.5],
                  [8.0, 0.0], [8.5, 1.0], [9.0, 0.2], [6.0, 6.5]])
    cases = [Case((X, np.array([0, 0, 0, 1, 1, 1, 0, 2, 2, 2, 3])))]
    for n, k, d, seed in ((30, 3, 2, 7), (24, 4, 3, 8)):
        X, centres = _blobs(n, k, d, seed)
        cases.append(Case((X, clustering.assign(X, centres))))
    X = np.array([[0.0, 0.0], [0.2, 0.1], [3.0, 3.0], [6.0, 0.0], [6.1, 0.3], [5.8, 0.2]])
    cases.append(Case((X, np.array([0, 0, 1, 2, 2, 2]))))  # a cluster of one point
    return cases


def _silhouette_variant(X: Any, labels: Any, *, a_self: bool = False, b: str = "nearest_cluster",
                        single: float = 0.0, denominator: str = "max") -> np.ndarray:
    X, labels = np.asarray(X, dtype=float), np.asarray(labels)
    distance = np.sqrt(clustering.squared_distances(X, X))
    scores = np.zeros(len(X))
    for i in range(len(X)):
        own = labels == labels[i]
        if own.sum() == 1:
            scores[i] = single
            continue
        a = distance[i, own].sum() / (own.sum() if a_self else own.sum() - 1)
        others = [c for c in np.unique(labels) if c != labels[i]]
        if b == "nearest_point":
            far = distance[i, ~own].min()
        elif b == "pooled":
            far = distance[i, ~own].mean()
        else:
            far = min(distance[i, labels == c].mean() for c in others)
        scores[i] = (far - a) / (max(a, far) if denominator == "max" else min(a, far))
    return scores


@guarded
def evaluate_silhouette(silhouette: Callable[..., Any]) -> Result:
    """Evaluate ``silhouette(X, labels)`` → each point's silhouette (b - a) / max(a, b), 0 for a lone point."""
    mistakes = [
        Mistake("a(i) is the mean distance to the OTHER points of i's cluster: leave i itself (distance 0) "
                "out of the mean, i.e. divide by the cluster's size minus 1.",
                lambda X, l: _silhouette_variant(X, l, a_self=True)),
        Mistake("b(i) is the MEAN distance to the points of the nearest other cluster, not the distance to "
                "the nearest single point.", lambda X, l: _silhouette_variant(X, l, b="nearest_point")),
        Mistake("b(i) is the mean distance to the nearest other cluster taken alone, not to all the other "
                "clusters' points pooled.", lambda X, l: _silhouette_variant(X, l, b="pooled")),
        Mistake("divide by max(a, b), so the silhouette lies in [-1, 1].",
                lambda X, l: _silhouette_variant(X, l, denominator="min")),
        Mistake("a point alone in its cluster has silhouette 0 by definition (Rousseeuw, 1987).",
                lambda X, l: _silhouette_variant(X, l, single=1.0)),
        Mistake("the silhouette is (b - a) / max(a, b): positive when the point is closer to its own cluster.",
                lambda X, l: -_silhouette_variant(X, l)),
    ]
    return evaluate_function(
        silhouette, clustering.silhouette_samples, _silhouette_cases(), name="silhouette", mistakes=mistakes,
        check_dtype=False, rtol=1e-9, atol=1e-12, axes=("point",),
        success="Their mean is the silhouette score used to choose k.",
    )


check_assign = printer(evaluate_assign)
check_update = printer(evaluate_update)
check_silhouette = printer(evaluate_silhouette)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"assign": 1, "update": 2, "silhouette": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "assign": ("clustering.assign", "KMeans", "pairwise_distances_argmin", "sklearn"),
    "update": ("clustering.update", "clustering.kmeans", "KMeans", "sklearn"),
    "silhouette": ("clustering.silhouette_samples", "silhouette_samples", "silhouette_score", "sklearn"),
}
