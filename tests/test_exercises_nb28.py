"""Notebook 28's exercise checks accept the solutions and reject plausible wrong answers with a hint."""

import numpy as np
import pytest

from utils.exercises import nb28_verification as ex


def todo(*args, **kwargs):
    raise NotImplementedError


def crash(*args, **kwargs):
    return 1 / 0


# --- exercise 1: contrastive loss --------------------------------------------------------------

def contrastive(d, y, m):
    d, y = np.asarray(d, dtype=float), np.asarray(y, dtype=float)
    return float(np.mean(y * d**2 + (1 - y) * np.maximum(m - d, 0) ** 2))


def contrastive_tf(d, y, m):
    import tensorflow as tf

    d, y = tf.constant(d, tf.float64), tf.constant(y, tf.float64)
    return tf.reduce_mean(y * d**2 + (1 - y) * tf.maximum(m - d, 0.0) ** 2)


def contrastive_loop(d, y, m):
    total = 0.0
    for distance, same in zip(d, y):
        total += distance**2 if same else max(0.0, m - distance) ** 2
    return total / len(d)


@pytest.mark.parametrize("answer", [contrastive, contrastive_tf, contrastive_loop,
                                    lambda d, y, m: np.array([contrastive(d, y, m)])])
def test_contrastive_solutions_pass(answer):
    assert ex.evaluate_contrastive_loss(answer).passed


@pytest.mark.parametrize("mistake", range(len(ex.CONTRASTIVE_MISTAKES)))
def test_contrastive_mistakes_get_their_hint(mistake):
    entry = ex.CONTRASTIVE_MISTAKES[mistake]
    result = ex.evaluate_contrastive_loss(entry.wrong)
    assert not result.passed and entry.hint in result.message


# --- exercise 2: triplet loss ------------------------------------------------------------------

def triplet(a, p, n, m):
    a, p, n = (np.asarray(v, dtype=float) for v in (a, p, n))
    return float(np.mean(np.maximum(((a - p) ** 2).sum(1) - ((a - n) ** 2).sum(1) + m, 0)))


def triplet_tf(a, p, n, m):
    import tensorflow as tf

    gap = tf.reduce_sum((a - p) ** 2, axis=1) - tf.reduce_sum((a - n) ** 2, axis=1) + m
    return tf.reduce_mean(tf.nn.relu(gap))


def triplet_norm(a, p, n, m):
    d_ap = np.linalg.norm(np.subtract(a, p), axis=1) ** 2
    d_an = np.linalg.norm(np.subtract(a, n), axis=1) ** 2
    return np.clip(d_ap - d_an + m, 0, None).mean()


@pytest.mark.parametrize("answer", [triplet, triplet_tf, triplet_norm])
def test_triplet_solutions_pass(answer):
    assert ex.evaluate_triplet_loss(answer).passed


@pytest.mark.parametrize("mistake", range(len(ex.TRIPLET_MISTAKES)))
def test_triplet_mistakes_get_their_hint(mistake):
    entry = ex.TRIPLET_MISTAKES[mistake]
    result = ex.evaluate_triplet_loss(entry.wrong)
    assert not result.passed and entry.hint in result.message


# --- exercise 3: verification accuracy ---------------------------------------------------------

def accuracy(d, y, t):
    return float(np.mean((np.asarray(d) <= t) == np.asarray(y).astype(bool)))


@pytest.mark.parametrize("answer", [
    accuracy,
    lambda d, y, t: np.mean((np.asarray(d) <= t).astype(int) == np.asarray(y)),
    lambda d, y, t: sum(int((di <= t) == bool(yi)) for di, yi in zip(d, y)) / len(d),
])
def test_accuracy_solutions_pass(answer):
    assert ex.evaluate_verification_accuracy(answer).passed


@pytest.mark.parametrize("mistake", range(len(ex.ACCURACY_MISTAKES)))
def test_accuracy_mistakes_get_their_hint(mistake):
    entry = ex.ACCURACY_MISTAKES[mistake]
    result = ex.evaluate_verification_accuracy(entry.wrong)
    assert not result.passed and entry.hint in result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_contrastive_loss, ex.evaluate_triplet_loss,
                                      ex.evaluate_verification_accuracy])
def test_todo_crash_and_nan_get_messages(evaluate):
    assert "⏳" in evaluate(todo).message
    for wrong in (crash, lambda *a: float("nan"), lambda *a: None):
        result = evaluate(wrong)
        assert not result.passed and result.message.startswith("❌") and "Traceback" not in result.message


def test_points_and_bans():
    assert ex.POINTS == {"contrastive_loss": 2, "triplet_loss": 2, "verification_accuracy": 2}
    assert set(ex.NOT_ALLOWED) == set(ex.POINTS)
