"""Exercise checks of notebook 18 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.exercises import nb18_imbalanced as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def balanced_weights(y):
    counts = np.bincount(np.asarray(y).astype(int), minlength=2)
    return len(y) / (2 * counts)


def synthetic_rows(starts, neighbours, gaps):
    starts, neighbours = np.asarray(starts, float), np.asarray(neighbours, float)
    return starts + np.asarray(gaps, float)[:, None] * (neighbours - starts)


def focal_loss(y_true, y_prob, gamma, alpha):
    y = np.asarray(y_true, dtype=float)
    p = np.clip(np.asarray(y_prob, dtype=float), 1e-7, 1 - 1e-7)
    p_t = np.where(y == 1, p, 1 - p)
    alpha_t = np.where(y == 1, alpha, 1 - alpha)
    return float(np.mean(-alpha_t * (1 - p_t) ** gamma * np.log(p_t)))


def _tf(function):
    import tensorflow as tf

    return lambda *args: tf.constant(np.asarray(function(*args)))


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_balanced_weights, balanced_weights),
    (ex.evaluate_balanced_weights, lambda y: list(balanced_weights(y))),  # a Python list
    (ex.evaluate_balanced_weights, _tf(balanced_weights)),
    (ex.evaluate_balanced_weights, lambda y: np.array([len(y) / (2 * np.sum(np.asarray(y) == c)) for c in (0, 1)])),
    (ex.evaluate_synthetic_rows, synthetic_rows),
    (ex.evaluate_synthetic_rows, lambda a, b, u: np.asarray(a) * (1 - np.reshape(u, (-1, 1))) + np.asarray(b) * np.reshape(u, (-1, 1))),
    (ex.evaluate_synthetic_rows, _tf(synthetic_rows)),
    (ex.evaluate_focal_loss, focal_loss),
    (ex.evaluate_focal_loss, lambda *a: np.array([focal_loss(*a)])),  # shape (1,)
    (ex.evaluate_focal_loss, _tf(focal_loss)),
    (ex.evaluate_focal_loss, lambda y, p, g, a: float(np.mean(  # unclipped: the cases avoid 0 and 1
        -np.where(np.asarray(y) == 1, a * (1 - np.asarray(p)) ** g * np.log(p),
                  (1 - a) * np.asarray(p) ** g * np.log(1 - np.asarray(p)))))),
])
def test_solutions_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed and result.message.startswith("✅"), result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_balanced_weights, ex.evaluate_synthetic_rows, ex.evaluate_focal_loss])
def test_todo_and_crash_get_messages(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    result = evaluate(crash)
    assert not result.passed and "ZeroDivisionError" in result.message and "Traceback" not in result.message


def _counts(y):
    return np.bincount(np.asarray(y).astype(int), minlength=2).astype(float)


@pytest.mark.parametrize("wrong, hint", [
    (lambda y: _counts(y) / len(y), "its inverse"),
    (lambda y: 1 / _counts(y), "wrong scale"),
    (lambda y: len(y) / _counts(y), "number of classes"),
    (lambda y: len(y) / (2 * _counts(y)[::-1]), "swapped"),
    (_counts, "returned the counts"),
])
def test_balanced_weights_mistakes(wrong, hint):
    result = ex.evaluate_balanced_weights(wrong)
    assert not result.passed and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda a, b, u: np.asarray(a) - np.reshape(u, (-1, 1)) * (np.asarray(b) - np.asarray(a)), "stepped away"),
    (lambda a, b, u: np.asarray(b) + np.reshape(u, (-1, 1)) * (np.asarray(a) - np.asarray(b)), "started from the neighbour"),
    (lambda a, b, u: (np.asarray(a) + np.asarray(b)) / 2, "midpoint"),
    (lambda a, b, u: np.reshape(u, (-1, 1)) * (np.asarray(b) - np.asarray(a)), "forgot to add"),
    (lambda a, b, u: np.asarray(a) + np.asarray(u) * (np.asarray(b) - np.asarray(a)), "gaps[:, None]"),
])
def test_synthetic_rows_mistakes(wrong, hint):
    result = ex.evaluate_synthetic_rows(wrong)
    assert not result.passed and hint in result.message, result.message


def _focal_parts(y, p, a):
    y, p = np.asarray(y, float), np.asarray(p, float)
    return np.where(y == 1, p, 1 - p), np.where(y == 1, a, 1 - a)


@pytest.mark.parametrize("wrong, hint", [
    (lambda y, p, g, a: np.mean(-a * (1 - _focal_parts(y, p, a)[0]) ** g * np.log(_focal_parts(y, p, a)[0])), "for every example"),
    (lambda y, p, g, a: np.mean(-(1 - _focal_parts(y, p, a)[0]) ** g * np.log(_focal_parts(y, p, a)[0])), "left out the class weight"),
    (lambda y, p, g, a: np.mean(-_focal_parts(y, p, a)[1] * _focal_parts(y, p, a)[0] ** g * np.log(_focal_parts(y, p, a)[0])), "SHRINK"),
    (lambda y, p, g, a: np.sum(-_focal_parts(y, p, a)[1] * (1 - _focal_parts(y, p, a)[0]) ** g * np.log(_focal_parts(y, p, a)[0])), "MEAN"),
    (lambda y, p, g, a: np.mean(-_focal_parts(y, p, a)[1] * np.log(_focal_parts(y, p, a)[0])), "α-weighted cross-entropy"),
    (lambda *args: -focal_loss(*args), "wrong sign"),
])
def test_focal_loss_mistakes(wrong, hint):
    result = ex.evaluate_focal_loss(wrong)
    assert not result.passed and hint in result.message, result.message


def test_points_are_declared_for_every_exercise():
    assert set(ex.POINTS) == {"balanced_weights", "synthetic_rows", "focal_loss"}
    assert set(ex.NOT_ALLOWED) <= set(ex.POINTS)
