"""Exercise checks of notebook 50 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest
import tensorflow as tf

from utils.exercises import nb50_clustering as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def assign(X, centres):
    return np.argmin(((X[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)


def update(X, labels, centres):
    new = centres.copy()
    for j in range(len(centres)):
        if np.any(labels == j):
            new[j] = X[labels == j].mean(axis=0)
    return new


def silhouette(X, labels):
    distance = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2))
    scores = np.zeros(len(X))
    for i in range(len(X)):
        own = labels == labels[i]
        if own.sum() == 1:
            continue
        a = distance[i, own].sum() / (own.sum() - 1)
        b = min(distance[i, labels == c].mean() for c in set(labels) if c != labels[i])
        scores[i] = (b - a) / max(a, b)
    return scores


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_assign, assign),
    (ex.evaluate_assign, lambda X, c: list(assign(X, c))),
    (ex.evaluate_assign, lambda X, c: np.linalg.norm(X[:, None] - c[None], axis=2).argmin(axis=1)),  # not squared
    (ex.evaluate_assign, lambda X, c: tf.argmin(tf.reduce_sum((X[:, None] - c[None]) ** 2, axis=2), axis=1)),
    (ex.evaluate_update, update),
    (ex.evaluate_update, lambda X, l, c: update(X, l, c).tolist()),
    (ex.evaluate_update, lambda X, l, c: np.array([X[l == j].mean(axis=0) if np.any(l == j) else c[j]
                                                    for j in range(len(c))], dtype=np.float32)),
    (ex.evaluate_silhouette, silhouette),
    (ex.evaluate_silhouette, lambda X, l: list(silhouette(X, l))),
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


def _d(X, c):
    return ((X[:, None, :] - c[None, :, :]) ** 2).sum(axis=2)


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_assign, lambda X, c: _d(X, c).argmax(axis=1), "argmin"),
    (ex.evaluate_assign, lambda X, c: np.abs(X[:, None] - c[None]).sum(axis=2).argmin(axis=1), "absolute"),
    (ex.evaluate_assign, lambda X, c: _d(X, c).min(axis=1), "not the distance"),
    (ex.evaluate_assign, lambda X, c: _d(X, c).argmin(axis=0), "one label per point"),
    (ex.evaluate_assign, lambda X, c: _d(X, c).argmin(axis=1).astype(float), "ints are expected"),
    (ex.evaluate_update, lambda X, l, c: np.array([X[l == j].sum(axis=0) if np.any(l == j) else c[j]
                                                    for j in range(len(c))]), "MEAN"),
    (ex.evaluate_update, lambda X, l, c: np.array([np.median(X[l == j], axis=0) if np.any(l == j) else c[j]
                                                    for j in range(len(c))]), "median"),
    (ex.evaluate_update, lambda X, l, c: np.array([X[l == j].mean(axis=0) for j in range(len(c))]), "NaN"),
    (ex.evaluate_update, lambda X, l, c: np.array([X[l == j].mean(axis=0) if np.any(l == j) else np.zeros(X.shape[1])
                                                    for j in range(len(c))]), "origin"),
    (ex.evaluate_silhouette, lambda X, l: ex._silhouette_variant(X, l, a_self=True), "minus 1"),
    (ex.evaluate_silhouette, lambda X, l: ex._silhouette_variant(X, l, b="nearest_point"), "single point"),
    (ex.evaluate_silhouette, lambda X, l: ex._silhouette_variant(X, l, b="pooled"), "pooled"),
    (ex.evaluate_silhouette, lambda X, l: ex._silhouette_variant(X, l, denominator="min"), "max(a, b)"),
    (ex.evaluate_silhouette, lambda X, l: ex._silhouette_variant(X, l, single=1.0), "alone"),
    (ex.evaluate_silhouette, lambda X, l: -silhouette(X, l), "positive when"),
])
def test_plausible_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed
    assert result.message.startswith("❌") and hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_assign, ex.evaluate_update, ex.evaluate_silhouette])
def test_todo_crash_and_nan_never_raise(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    assert evaluate(crash).message.startswith("❌")
    assert evaluate(lambda *a: np.nan).message.startswith("❌")
    assert evaluate("assign").message.startswith("❌")


def test_first_cases_hold_the_special_cases():
    """The first case can tell every modelled mistake apart: an empty cluster, a lone point."""
    X, labels, centres = ex._update_cases()[0].args
    assert len(np.unique(labels)) < len(centres)
    X, labels = ex._silhouette_cases()[0].args
    assert np.bincount(labels).min() == 1 and len(np.unique(labels)) >= 3


def test_points_and_not_allowed_cover_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"assign", "update", "silhouette"}
