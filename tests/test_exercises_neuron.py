"""Notebook 02's exercise checks accept the solutions and reject plausible wrong answers with a hint."""

import numpy as np
import pytest

from utils.exercises import nb02_neuron as ex


def sigmoid(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def clip(p):
    return np.clip(p, 1e-7, 1 - 1e-7)


def log_loss(y, p):
    p = clip(p)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def todo(*args):
    raise NotImplementedError


def test_sigmoid_solution_passes():
    assert ex.evaluate_sigmoid(sigmoid).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda z: 1 / (1 + np.exp(z)), "e^(−z)"),
        (lambda z: 1 / (1 - np.exp(-z)), "not 1 − e^(−z)"),
        (lambda z: np.exp(-z), "not squashed"),
        (np.tanh, "tanh"),
    ],
)
def test_sigmoid_mistakes_get_hints(wrong, hint):
    result = ex.evaluate_sigmoid(wrong)
    assert not result.passed and hint in result.message


def test_sigmoid_scalar_only_answer_is_explained():
    import math

    result = ex.evaluate_sigmoid(lambda z: 1 / (1 + math.exp(-z)))
    assert not result.passed and "TypeError" in result.message


def test_neuron_solution_and_mistakes():
    assert ex.evaluate_neuron(lambda X, w, b: sigmoid(X @ w + b)).passed
    for wrong, hint in [
        (lambda X, w, b: sigmoid(X @ w), "add the bias"),
        (lambda X, w, b: X @ w + b, "returned z itself"),
        (lambda X, w, b: sigmoid(X @ w) + b, "inside the sigmoid"),
        (lambda X, w, b: sigmoid(X @ w - b), "flips the bias"),
    ]:
        result = ex.evaluate_neuron(wrong)
        assert not result.passed and hint in result.message, result.message


def test_neuron_transposed_product_is_caught():
    result = ex.evaluate_neuron(lambda X, w, b: sigmoid(w @ X.T + b).T[:, None])
    assert not result.passed and "shape" in result.message


def test_log_loss_solution_and_mistakes():
    assert ex.evaluate_log_loss(log_loss).passed
    for wrong, hint in [
        (lambda y, p: float(np.sum(-(y * np.log(clip(p)) + (1 - y) * np.log(1 - clip(p))))), "mean"),
        (lambda y, p: -log_loss(y, p), "minus sign"),
        (lambda y, p: float(-np.mean(y * np.log(clip(p)))), "(1 − y)·log(1 − p)"),
        (lambda y, p: float(-np.mean((1 - y) * np.log(1 - clip(p)))), "y·log(p) term"),
        (lambda y, p: log_loss(y, p) / np.log(10), "natural logarithm"),
        (lambda y, p: -(y * np.log(clip(p)) + (1 - y) * np.log(1 - clip(p))), "single number"),
    ]:
        result = ex.evaluate_log_loss(wrong)
        assert not result.passed and hint in result.message, result.message


def test_log_loss_without_clipping_is_caught():
    def unclipped(y, p):
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    result = ex.evaluate_log_loss(unclipped)
    assert not result.passed and ("NaN" in result.message or "infinite" in result.message)


def test_boundary_age():
    w, b = 30.0, -11.0
    assert ex.evaluate_boundary_age(-b / w * 100, w, b).passed
    for wrong, hint in [(-b / w, "multiply your answer by 100"), (b / w * 100, "mind the sign"),
                        (-w / b * 100, "not −w / b"), (-b / w / 100, "don't divide")]:
        result = ex.evaluate_boundary_age(wrong, w, b)
        assert not result.passed and hint in result.message
    assert ex.evaluate_boundary_age(..., w, b).message.startswith("⏳")
    assert not ex.evaluate_boundary_age(np.array([1.0, 2.0]), w, b).passed


def test_boundary_age_accepts_keras_shaped_weights():
    assert ex.evaluate_boundary_age(50.0, np.array([[20.0]]), np.array([-10.0])).passed


def test_not_attempted_and_crashing(capsys):
    assert ex.evaluate_sigmoid(todo).message.startswith("⏳")
    assert ex.evaluate_log_loss(lambda y, p: 1 / 0).message.startswith("❌ log_loss raised ZeroDivisionError")
    ex.check_neuron(todo)
    assert "⏳" in capsys.readouterr().out
