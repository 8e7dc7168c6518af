"""Exercise checks of notebooks 10 and 11 accept the solutions and reject plausible wrong answers with a hint."""

import numpy as np
import pytest

from utils.exercises import nb11_backprop as exb
from utils.exercises import nb10_minibatch as exm


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


# ----- notebook 10 ---------------------------------------------------------------------------

def normal_equation(Xb, y):
    return np.linalg.solve(Xb.T @ Xb, Xb.T @ y)


def mse_gradient(Xb, y, theta):
    return 2.0 / len(y) * Xb.T @ (Xb @ theta - y)


def minibatch_indices(n, batch_size, rng):
    order = rng.permutation(n)
    return [order[start:start + batch_size] for start in range(0, n, batch_size)]


@pytest.mark.parametrize("evaluate, answer", [
    (exm.evaluate_normal_equation, normal_equation),
    (exm.evaluate_normal_equation, lambda X, y: np.linalg.lstsq(X, y, rcond=None)[0]),
    (exm.evaluate_mse_gradient, mse_gradient),
    (exm.evaluate_minibatch_indices, minibatch_indices),
])
def test_nb10_solutions_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed and result.message.startswith("✅"), result.message


@pytest.mark.parametrize("evaluate", [exm.evaluate_normal_equation, exm.evaluate_mse_gradient, exm.evaluate_minibatch_indices])
def test_nb10_todo_and_crash(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    result = evaluate(crash)
    assert not result.passed and "ZeroDivisionError" in result.message and result.message.startswith("❌")


@pytest.mark.parametrize("wrong, hint", [
    (lambda X, y: X.T @ X @ X.T @ y, "instead of inverting"),
    (lambda X, y: X.T @ y, "dropped the (X_bᵀX_b)⁻¹"),
    (lambda X, y: normal_equation(X, y) / len(y), "no 1/m"),
    (lambda X, y: np.concatenate([[0.0], np.linalg.lstsq(X[:, 1:], y, rcond=None)[0]]), "bias column"),
])
def test_normal_equation_mistakes(wrong, hint):
    result = exm.evaluate_normal_equation(wrong)
    assert not result.passed and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda X, y, t: -mse_gradient(X, y, t), "uphill"),
    (lambda X, y, t: mse_gradient(X, y, t) / 2, "factor 2"),
    (lambda X, y, t: mse_gradient(X, y, t) * len(y), "MEAN"),
    (lambda X, y, t: X.T @ (X @ t - y), "missing the factor 2 and the division"),
    (lambda X, y, t: 2.0 / len(y) * X.T @ (X @ t), "left out y"),
])
def test_mse_gradient_mistakes(wrong, hint):
    result = exm.evaluate_mse_gradient(wrong)
    assert not result.passed and hint in result.message, result.message


def test_mse_gradient_wrong_shape_is_explained():
    result = exm.evaluate_mse_gradient(lambda X, y, t: 2.0 / len(y) * (X @ t - y))
    assert not result.passed and "shape" in result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda n, b, rng: [p for p in np.array_split(rng.permutation(n), n // b)] if n % b else minibatch_indices(n, b, rng), "expected"),
    (lambda n, b, rng: [rng.permutation(n)[s:s + b] for s in range(0, n - b + 1, b)], "dropped the last"),
    (lambda n, b, rng: [rng.integers(0, n, size=min(b, n - s)) for s in range(0, n, b)], "with replacement"),
    (lambda n, b, rng: [np.arange(n)[s:s + b] for s in range(0, n, b)], "original order"),
    (lambda n, b, rng: minibatch_indices(n, b, np.random.default_rng(0)), "same order"),
    (lambda n, b, rng: None, "return"),
    (lambda n, b, rng: [np.array([0.5])], "integer index arrays"),
    (lambda n, b, rng: [rng.permutation(n)[s:s + b] for s in range(0, n, b)], "ONCE per epoch"),
])
def test_minibatch_indices_mistakes(wrong, hint):
    result = exm.evaluate_minibatch_indices(wrong)
    assert not result.passed and hint in result.message, result.message


# ----- notebook 11 ---------------------------------------------------------------------------

def two_sided(f, x, epsilon):
    gradient = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        up, down = x.astype(float), x.astype(float)
        up[index] += epsilon
        down[index] -= epsilon
        gradient[index] = (f(up) - f(down)) / (2 * epsilon)
    return gradient


def relative_difference(a, b):
    a, b = np.ravel(a), np.ravel(b)
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


@pytest.mark.parametrize("evaluate, answer", [
    (exb.evaluate_hidden_delta, lambda d, a: d * (1 - a**2)),
    (exb.evaluate_two_sided_difference, two_sided),
    (exb.evaluate_relative_difference, relative_difference),
])
def test_nb11_solutions_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed and result.message.startswith("✅"), result.message


@pytest.mark.parametrize("evaluate", [exb.evaluate_hidden_delta, exb.evaluate_two_sided_difference, exb.evaluate_relative_difference])
def test_nb11_todo_and_crash(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    result = evaluate(crash)
    assert not result.passed and "ZeroDivisionError" in result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda d, a: d * (1 - a), "forgot to square"),
    (lambda d, a: d * a * (1 - a), "sigmoid's derivative"),
    (lambda d, a: 1 - a**2, "MULTIPLIES"),
    (lambda d, a: d * (1 + a**2), "not 1 + a²"),
    (lambda d, a: d * (1 - np.tanh(a) ** 2), "applied tanh to a again"),
])
def test_hidden_delta_mistakes(wrong, hint):
    result = exb.evaluate_hidden_delta(wrong)
    assert not result.passed and hint in result.message, result.message


def test_hidden_delta_matrix_product_is_caught():
    result = exb.evaluate_hidden_delta(lambda d, a: d @ (1 - a**2).T)
    assert not result.passed and ("element by element" in result.message or "shape" in result.message)


def one_sided(f, x, e):
    g = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        up = x.astype(float)
        up[i] += e
        g[i] = (f(up) - f(x)) / e
    return g


@pytest.mark.parametrize("wrong, hint", [
    (lambda f, x, e: 2 * two_sided(f, x, e), "divide by 2ε"),
    (one_sided, "one-sided"),
    (lambda f, x, e: np.full(x.shape, (f(x + e) - f(x - e)) / (2 * e)), "ONE coordinate"),
    (lambda f, x, e: -two_sided(f, x, e), "flips the sign"),
])
def test_two_sided_mistakes(wrong, hint):
    result = exb.evaluate_two_sided_difference(wrong)
    assert not result.passed and hint in result.message, result.message
    assert "0x" not in result.message  # test functions are shown by name, not by address


@pytest.mark.parametrize("wrong, hint", [
    (lambda a, b: float(np.linalg.norm(np.ravel(a) - np.ravel(b))), "scale of the gradient"),
    (lambda a, b: float(np.linalg.norm(np.ravel(a) - np.ravel(b)) / np.linalg.norm(np.ravel(a) + np.ravel(b))), "not ‖a + b‖"),
    (lambda a, b: float(np.sum((np.ravel(a) - np.ravel(b)) ** 2) / (np.sum(np.ravel(a) ** 2) + np.sum(np.ravel(b) ** 2))), "squared norms"),
    (lambda a, b: float(np.linalg.norm(np.ravel(a) - np.ravel(b)) / np.linalg.norm(np.ravel(a))), "not ‖a‖ alone"),
    (lambda a, b: float(np.mean(np.abs(np.ravel(a) - np.ravel(b))) / (np.linalg.norm(a) + np.linalg.norm(b))), "whole difference"),
])
def test_relative_difference_mistakes(wrong, hint):
    result = exb.evaluate_relative_difference(wrong)
    assert not result.passed and hint in result.message, result.message


def test_relative_difference_nan_for_zeros_is_explained():
    naive = lambda a, b: float(np.linalg.norm(np.ravel(a) - np.ravel(b)) / (np.linalg.norm(a) + np.linalg.norm(b)))
    result = exb.evaluate_relative_difference(naive)
    assert not result.passed and "NaN" in result.message
