"""Notebooks 04 and 05: exercise checks accept the solutions and reject plausible wrong answers with a hint."""

import numpy as np
import pytest

from utils.exercises import nb04_derivatives as d
from utils.exercises import nb05_vectorization as v


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


# ---- notebook 04 ---------------------------------------------------------------------------

def central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_central_difference_solution_passes():
    result = d.evaluate_central_difference(central)
    assert result.passed and result.message.startswith("✅")


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda f, x, h: (f(x + h) - f(x)) / h, "forward difference"),
        (lambda f, x, h: (f(x) - f(x - h)) / h, "backward difference"),
        (lambda f, x, h: (f(x + h) - f(x - h)) / h, "2h apart"),
        (lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h), "sign is flipped"),
        (lambda f, x, h: (f(x + h) - f(x - h)) / 2 * h, "`/ 2 * h`"),
        (lambda f, x, h: f(x + h) - f(x - h), "rise over run"),
    ],
)
def test_central_difference_mistakes_get_hints(wrong, hint):
    result = d.evaluate_central_difference(wrong)
    assert not result.passed and result.message.startswith("❌") and "Hint:" in result.message and hint in result.message, result.message


def gradient(x, y):
    return np.array([3 * x**2, 2 * y])


def test_gradient_solution_passes_also_as_tuple():
    assert d.evaluate_gradient(gradient).passed
    assert d.evaluate_gradient(lambda x, y: (3 * x**2, 2 * y)).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x, y: np.array([2 * y, 3 * x**2]), "x-derivative comes first"),
        (lambda x, y: np.array([x**2, 2 * y]), "not x²"),
        (lambda x, y: np.array([3 * x**3, 2 * y]), "not 3x³"),
        (lambda x, y: np.array([3 * x**2, 2.0]), "y stays"),
        (lambda x, y: np.array([3 * x**2, y]), "2y, not y."),
        (lambda x, y: np.array([3 * x**2, y**2]), "not y²"),
        (lambda x, y: np.array([3 * x**2 + y**2, 2 * y + x**3]), "constant"),
        (lambda x, y: x**3 + y**2, "f(x, y) itself"),
    ],
)
def test_gradient_mistakes_get_hints(wrong, hint):
    result = d.evaluate_gradient(wrong)
    assert not result.passed and "Hint:" in result.message and hint in result.message, result.message


def loss_slope(x, y, w):
    return 2 * (w * x - y) * x


def test_loss_slope_solution_passes():
    assert d.evaluate_loss_slope(loss_slope).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x, y, w: 2 * (w * x - y), "factor x"),
        (lambda x, y, w: (w * x - y) * x, "left out the 2"),
        (lambda x, y, w: 2 * (y - w * x) * x, "sign is flipped"),
        (lambda x, y, w: 2 * (w * x - y) * w, "not w"),
        (lambda x, y, w: (w * x - y) ** 2, "the loss"),
        (lambda x, y, w: 2 * (w * x - y) ** 2 * x, "to the power 1"),
    ],
)
def test_loss_slope_mistakes_get_hints(wrong, hint):
    result = d.evaluate_loss_slope(wrong)
    assert not result.passed and "Hint:" in result.message and hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [d.evaluate_central_difference, d.evaluate_gradient, d.evaluate_loss_slope,
                                      v.evaluate_dense_forward, v.evaluate_center_columns, v.evaluate_distances])
def test_not_attempted_and_crashing_answers(evaluate):
    waiting = evaluate(todo)
    assert not waiting.passed and waiting.message.startswith("⏳")
    crashed = evaluate(crash)
    assert not crashed.passed and crashed.message.startswith("❌") and "ZeroDivisionError" in crashed.message
    not_a_function = evaluate(3.0)
    assert not not_a_function.passed and "should be a function" in not_a_function.message


@pytest.mark.parametrize("evaluate", [d.evaluate_gradient, v.evaluate_center_columns])
def test_nan_and_none_answers_get_a_message(evaluate):
    nan_result = evaluate(lambda *args: np.full(2, np.nan))
    assert not nan_result.passed and nan_result.message.startswith("❌")
    none_result = evaluate(lambda *args: None)
    assert not none_result.passed and "return" in none_result.message


def test_checks_print_instead_of_raising(capsys):
    d.check_gradient(crash)
    v.check_distances(todo)
    printed = capsys.readouterr().out
    assert "❌" in printed and "⏳" in printed


# ---- notebook 05 ---------------------------------------------------------------------------

def test_dense_forward_solution_passes():
    assert v.evaluate_dense_forward(lambda X, W, b: X @ W + b).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda X, W, b: X @ W, "add the bias"),
        (lambda X, W, b: X @ W.T + b, "not X @ W.T"),
        (lambda X, W, b: X @ W - b, "not subtracted"),
        (lambda X, W, b: X * W + b, "element by element"),
        (lambda X, W, b: W @ X + b, "not W @ X"),
        (lambda X, W, b: np.maximum(X @ W + b, 0), "no activation"),
    ],
)
def test_dense_forward_mistakes_get_hints(wrong, hint):
    result = v.evaluate_dense_forward(wrong)
    assert not result.passed and "Hint:" in result.message and hint in result.message, result.message


def test_center_columns_solution_passes():
    assert v.evaluate_center_columns(lambda X: X - X.mean(axis=0)).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda X: X - X.mean(axis=1, keepdims=True), "axis=1"),
        (lambda X: X - X.mean(), "whole table"),
        (lambda X: X.mean(axis=0), "returned the column means"),
        (lambda X: X.mean(axis=0) - X, "not mean − X"),
        (lambda X: (X - X.mean(axis=0)) / X.std(axis=0), "standardising"),
    ],
)
def test_center_columns_mistakes_get_hints(wrong, hint):
    result = v.evaluate_center_columns(wrong)
    assert not result.passed and "Hint:" in result.message and hint in result.message, result.message


def test_distances_solution_passes():
    assert v.evaluate_distances(lambda X, p: np.sqrt(((X - p) ** 2).sum(axis=1))).passed
    assert v.evaluate_distances(lambda X, p: np.linalg.norm(X - p, axis=1)).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda X, p: ((X - p) ** 2).sum(axis=1), "square root"),
        (lambda X, p: np.sqrt(((X - p) ** 2).sum(axis=0)), "axis=0 sums over the examples"),
        (lambda X, p: np.abs(X - p).sum(axis=1), "Manhattan"),
        (lambda X, p: np.sqrt(((X - p) ** 2).sum()), "one distance per row"),
        (lambda X, p: np.sqrt(((X - p) ** 2).mean(axis=1)), "not their mean"),
    ],
)
def test_distances_mistakes_get_hints(wrong, hint):
    result = v.evaluate_distances(wrong)
    assert not result.passed and "Hint:" in result.message and hint in result.message, result.message
