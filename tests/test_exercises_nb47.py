"""Exercise checks of notebook 47 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest
import tensorflow as tf
from scipy import stats

from utils.exercises import nb47_logistic as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def newton_step(X, y, beta):
    p = 1 / (1 + np.exp(-X @ beta))
    information = X.T @ (X * (p * (1 - p))[:, None])
    return beta + np.linalg.solve(information, X.T @ (y - p))


def wald_table(beta, cov):
    se = np.sqrt(np.diag(cov))
    wald = (beta / se) ** 2
    return np.column_stack([se, wald, stats.chi2.sf(wald, 1)])


def c_statistic(p, y):
    difference = p[y == 1][:, None] - p[y == 0][None, :]
    return (np.sum(difference > 0) + 0.5 * np.sum(difference == 0)) / difference.size


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_newton_step, newton_step),
    (ex.evaluate_newton_step, lambda X, y, b: list(newton_step(X, y, b))),
    (ex.evaluate_newton_step, lambda X, y, b: b + np.linalg.inv(
        X.T @ np.diag(1 / (1 + np.exp(-X @ b)) * (1 - 1 / (1 + np.exp(-X @ b)))) @ X)
        @ X.T @ (y - 1 / (1 + np.exp(-X @ b)))),  # explicit diag(W) and an inverse
    (ex.evaluate_newton_step, lambda X, y, b: tf.constant(newton_step(X, y, b))),
    (ex.evaluate_wald_table, wald_table),
    (ex.evaluate_wald_table, lambda b, c: np.column_stack([
        np.sqrt(np.diag(c)), (b / np.sqrt(np.diag(c))) ** 2,
        2 * stats.norm.sf(np.abs(b / np.sqrt(np.diag(c))))])),  # the normal two-sided tail
    (ex.evaluate_wald_table, lambda b, c: wald_table(b, c).tolist()),
    (ex.evaluate_c_statistic, c_statistic),
    (ex.evaluate_c_statistic, lambda p, y: np.float32(c_statistic(p, y))),
    (ex.evaluate_c_statistic, lambda p, y: np.mean([
        1.0 if a > b else 0.5 if a == b else 0.0 for a in p[y == 1] for b in p[y == 0]])),
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


def _sig(z):
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_newton_step, lambda X, y, b: 2 * b - newton_step(X, y, b), "goes uphill"),
    (ex.evaluate_newton_step, lambda X, y, b: newton_step(X, y, b) - b, "NEW coefficients"),
    (ex.evaluate_newton_step, lambda X, y, b: b + np.linalg.solve(X.T @ X, X.T @ (y - _sig(X @ b))), "p(1 - p)"),
    (ex.evaluate_newton_step, lambda X, y, b: b + np.linalg.solve(
        X.T @ (X * _sig(X @ b)[:, None]), X.T @ (y - _sig(X @ b))), "not p"),
    (ex.evaluate_newton_step, lambda X, y, b: b + X.T @ (y - _sig(X @ b)), "gradient-ascent"),
    (ex.evaluate_newton_step, lambda X, y, b: b + np.linalg.solve(
        X.T @ (X * (_sig(X @ b) * (1 - _sig(X @ b)))[:, None]), X.T @ (y - _sig(X @ b)) / len(y)), "summed"),
    (ex.evaluate_newton_step, lambda X, y, b: b + np.linalg.solve(
        X.T @ (X * (_sig(-X @ b) * (1 - _sig(-X @ b)))[:, None]), X.T @ (y - _sig(-X @ b))), "sign in the exponent"),
    (ex.evaluate_newton_step, lambda X, y, b: b[:2], "shape"),
    (ex.evaluate_wald_table, lambda b, c: np.column_stack([np.diag(c), (b / np.diag(c)) ** 2,
                                                           stats.chi2.sf((b / np.diag(c)) ** 2, 1)]), "square root"),
    (ex.evaluate_wald_table, lambda b, c: np.column_stack([
        np.sqrt(np.diag(c)), b / np.sqrt(np.diag(c)), wald_table(b, c)[:, 2]]), "SQUARE"),
    (ex.evaluate_wald_table, lambda b, c: wald_table(b, c) * [1, 1, 0] + [0, 0, 1] * (1 - wald_table(b, c)),
     "upper tail"),
    (ex.evaluate_wald_table, lambda b, c: wald_table(b, c) * [1, 1, 2], "already two-sided"),
    (ex.evaluate_wald_table, lambda b, c: wald_table(b, c) * [1, 1, 0.5], "one-sided"),
    (ex.evaluate_wald_table, lambda b, c: np.column_stack([
        wald_table(b, c)[:, :2], stats.chi2.sf(wald_table(b, c)[:, 1], len(b))]), "1 degree of freedom"),
    (ex.evaluate_wald_table, lambda b, c: wald_table(b, c).T, "shape"),
    (ex.evaluate_c_statistic, lambda p, y: np.mean(p[y == 1][:, None] > p[y == 0][None, :]), "counts one half"),
    (ex.evaluate_c_statistic, lambda p, y: np.mean(p[y == 1][:, None] >= p[y == 0][None, :]), "not a whole"),
    (ex.evaluate_c_statistic, lambda p, y: 1 - c_statistic(p, y), "reverse"),
    (ex.evaluate_c_statistic, lambda p, y: 2 * c_statistic(p, y) - 1, "Somers"),
    (ex.evaluate_c_statistic, lambda p, y: np.mean((p >= 0.5) == (y == 1)), "accuracy"),
    (ex.evaluate_c_statistic, lambda p, y: c_statistic(p, y) * (
        np.sum(y == 1) * np.sum(y == 0)) / (len(y) * (len(y) - 1) / 2), "n1 * n0"),
])
def test_plausible_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed
    assert result.message.startswith("❌") and hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_newton_step, ex.evaluate_wald_table, ex.evaluate_c_statistic])
def test_todo_crash_and_nan_never_raise(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    assert evaluate(crash).message.startswith("❌")
    assert evaluate(lambda *a: np.nan).message.startswith("❌")
    assert evaluate(42).message.startswith("❌")


def test_first_cases_are_not_degenerate():
    """The first hidden case tells the mistakes apart (a start at beta = 0 would hide some)."""
    X, y, beta = ex._newton_cases()[0].args
    assert np.abs(beta).min() > 0
    p, y = ex._c_cases()[0].args
    assert len(set(p[y == 1]) & set(p[y == 0])) > 0  # it has ties


def test_points_and_not_allowed_cover_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"newton_step", "wald_table", "c_statistic"}
