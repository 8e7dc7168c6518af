"""Exercise checks of notebook 51 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.exercises import nb51_anomaly as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def gaussian_parameters(X):
    return np.vstack([X.mean(axis=0), X.var(axis=0)])


def log_density(X, mean, variance):
    return np.sum(-0.5 * np.log(2 * np.pi * variance) - (X - mean) ** 2 / (2 * variance), axis=1)


def f1_at(score, y, epsilon):
    flagged = score < epsilon
    tp = np.sum(flagged & (y == 1))
    if tp == 0:
        return 0.0
    precision, recall = tp / flagged.sum(), tp / (y == 1).sum()
    return 2 * precision * recall / (precision + recall)


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_gaussian_parameters, gaussian_parameters),
    (ex.evaluate_gaussian_parameters, lambda X: [list(X.mean(axis=0)), list(((X - X.mean(axis=0)) ** 2).mean(axis=0))]),
    (ex.evaluate_log_density, log_density),
    (ex.evaluate_log_density, lambda X, m, v: np.log(np.prod(np.exp(-(X - m) ** 2 / (2 * v)) / np.sqrt(2 * np.pi * v),
                                                            axis=1))),
    (ex.evaluate_f1_at, f1_at),
    (ex.evaluate_f1_at, lambda s, y, e: np.float32(f1_at(s, y, e))),
    (ex.evaluate_f1_at, lambda s, y, e: 2 * np.sum((s < e) & (y == 1)) / (np.sum(s < e) + np.sum(y == 1))),
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_gaussian_parameters, lambda X: np.vstack([X.mean(axis=0), X.var(axis=0, ddof=1)]), "divides by n"),
    (ex.evaluate_gaussian_parameters, lambda X: np.vstack([X.mean(axis=0), X.std(axis=0)]), "VARIANCE"),
    (ex.evaluate_gaussian_parameters, lambda X: gaussian_parameters(X).T, "shape"),
    (ex.evaluate_log_density, lambda X, m, v: np.sum(-(X - m) ** 2 / (2 * v), axis=1), "normalising"),
    (ex.evaluate_log_density, lambda X, m, v: np.sum(-0.5 * np.log(2 * np.pi * v) - (X - m) ** 2 / v, axis=1), "the 2"),
    (ex.evaluate_log_density, lambda X, m, v: np.mean(-0.5 * np.log(2 * np.pi * v) - (X - m) ** 2 / (2 * v), axis=1),
     "sum over"),
    (ex.evaluate_log_density, lambda X, m, v: np.exp(log_density(X, m, v)), "log of the density"),
    (ex.evaluate_f1_at, lambda s, y, e: f1_at(-s, y, -e), "BELOW"),
    (ex.evaluate_f1_at, lambda s, y, e: np.sum((s < e) & (y == 1)) / np.sum(s < e), "precision alone"),
    (ex.evaluate_f1_at, lambda s, y, e: np.sum((s < e) & (y == 1)) / np.sum(y == 1), "recall alone"),
    (ex.evaluate_f1_at, lambda s, y, e: np.mean((s < e) == (y == 1)), "accuracy"),
])
def test_plausible_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed
    assert result.message.startswith("❌") and hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_gaussian_parameters, ex.evaluate_log_density, ex.evaluate_f1_at])
def test_todo_crash_and_nan_never_raise(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    assert evaluate(crash).message.startswith("❌")
    assert evaluate(lambda *a: np.nan).message.startswith("❌")


def test_points_and_not_allowed_cover_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"gaussian_parameters", "log_density", "f1_at"}
