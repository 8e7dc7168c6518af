"""Notebooks 08 and 09: each exercise check accepts the solution and rejects plausible mistakes with their hint."""

import numpy as np
import pytest

from utils.exercises import nb09_gradient_descent as gd
from utils.exercises import nb08_losses as ls

EPS = 1e-7


def clip(p):
    return np.clip(p, EPS, 1 - EPS)


def todo(*args):
    raise NotImplementedError


def crash(*args):
    raise KeyError("oops")


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ----- notebook 08 ---------------------------------------------------------------------------

def mse(y, p):
    return float(np.mean((y - p) ** 2))


def cce(y, p):
    return float(np.mean(-np.sum(y * np.log(clip(p)), axis=1)))


def sparse(k, p):
    return float(np.mean(-np.log(clip(p[np.arange(len(k)), k]))))


@pytest.mark.parametrize("evaluate, solution", [
    (ls.evaluate_mse, mse),
    (ls.evaluate_categorical_cross_entropy, cce),
    (ls.evaluate_sparse_categorical_cross_entropy, sparse),
    (gd.evaluate_gradients, lambda X, y, w, b: (X.T @ (sigmoid(X @ w + b) - y) / len(y), np.mean(sigmoid(X @ w + b) - y))),
    (gd.evaluate_accuracy, lambda X, y, w, b: np.mean((sigmoid(X @ w + b) >= 0.5) == y)),
])
def test_solution_passes_todo_waits_crash_is_explained(evaluate, solution):
    assert evaluate(solution).message.startswith("✅")
    assert evaluate(todo).message.startswith("⏳")
    result = evaluate(crash)
    assert result.message.startswith("❌") and "KeyError" in result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda y, p: float(np.mean(np.abs(y - p))), "mean *absolute* error"),
    (lambda y, p: float(np.sum((y - p) ** 2)), "not their sum"),
    (lambda y, p: float(np.sqrt(np.mean((y - p) ** 2))), "RMSE"),
    (lambda y, p: float(np.mean(y - p) ** 2), "squared the mean error"),
    (lambda y, p: (y - p) ** 2, "return one number"),
    (lambda y, p: float(np.sum((y - p) ** 2) / (len(y) - 1)), "m − 1"),
    (lambda y, p: float(np.mean(y - p)), "signed errors cancel"),
    (lambda y, p: None, "return"),
])
def test_mse_mistakes(wrong, hint):
    result = ls.evaluate_mse(wrong)
    assert result.message.startswith("❌") and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda y, p: float(np.sum(-np.sum(y * np.log(clip(p)), axis=1))), "not the sum"),
    (lambda y, p: float(np.mean(-y * np.log(clip(p)))), "axis=1"),
    (lambda y, p: -cce(y, p), "minus sign"),
    (lambda y, p: cce(y, p) / np.log(10), "log10"),
    (lambda y, p: -np.sum(y * np.log(clip(p)), axis=1), "not one loss per row"),
    (lambda y, p: -np.sum(y * np.log(clip(p)), axis=0), "axis=0"),
    (lambda y, p: float(np.mean(-np.sum(y * np.log(p), axis=1))), "clipping"),
    (lambda y, p: float(np.mean(-np.sum((1 - y) * np.log(clip(p)), axis=1))), "not by (1 − y)"),
])
def test_categorical_mistakes(wrong, hint):
    result = ls.evaluate_categorical_cross_entropy(wrong)
    assert result.message.startswith("❌") and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda k, p: float(np.sum(-np.log(clip(p[np.arange(len(k)), k])))), "not the sum"),
    (lambda k, p: -sparse(k, p), "minus sign"),
    (lambda k, p: float(np.mean(-np.log(clip(p)))), "every entry"),
    (lambda k, p: sparse((k - 1) % p.shape[1], p), "count from 0"),
    (lambda k, p: sparse(k, p) / np.log(10), "log10"),
    (lambda k, p: -np.log(clip(p[np.arange(len(k)), k])), "one number"),
    (lambda k, p: float(np.mean(-np.log(1 - clip(p[np.arange(len(k)), k])))), "not −log(1 − p)"),
    (lambda k, p: float(np.mean(-np.log(clip(p.max(axis=1))))), "largest probability"),
    (lambda k, p: float(np.mean(-np.log(p[np.arange(len(k)), k]))), "clipping"),
    (lambda k, p: float(np.mean(-np.log(clip(p[k])))), "picks whole rows"),
    (lambda k, p: -np.log(clip(p[:, k])), "shape"),
])
def test_sparse_mistakes(wrong, hint):
    result = ls.evaluate_sparse_categorical_cross_entropy(wrong)
    assert result.message.startswith("❌") and hint in result.message, result.message


# ----- notebook 09 ---------------------------------------------------------------------------

def grads(X, y, w, b):
    error = sigmoid(X @ w + b) - y
    return X.T @ error / len(y), float(np.mean(error))


@pytest.mark.parametrize("wrong, hint", [
    (lambda X, y, w, b: tuple(-g for g in grads(X, y, w, b)), "p − y"),
    (lambda X, y, w, b: tuple(g * len(y) for g in grads(X, y, w, b)), "divide the sums by m"),
    (lambda X, y, w, b: (X.T @ (X @ w + b - y) / len(y), np.mean(X @ w + b - y)), "not with z"),
    (lambda X, y, w, b: grads(X, y, w, 0.0), "left the bias out"),
    (lambda X, y, w, b: (grads(X, y, w, b)[0], np.mean(grads(X, y, w, b)[0])), "no factor x"),
    (lambda X, y, w, b: (np.full(w.shape, grads(X, y, w, b)[1]), grads(X, y, w, b)[1]), "needs the inputs"),
    (lambda X, y, w, b: (X.T @ ((sigmoid(X @ w + b) - y) * sigmoid(X @ w + b) * (1 - sigmoid(X @ w + b))) / len(y),
                         np.mean((sigmoid(X @ w + b) - y) * sigmoid(X @ w + b) * (1 - sigmoid(X @ w + b)))), "σ′"),
    (lambda X, y, w, b: grads(X, y, w, b)[0], "two values"),
    (lambda X, y, w, b: ((sigmoid(X @ w + b) - y) @ X[:, :1] / len(y), 0.0), "shape of w"),
    (lambda X, y, w, b: None, "returned None"),
])
def test_gradients_mistakes(wrong, hint):
    result = gd.evaluate_gradients(wrong)
    assert result.message.startswith("❌") and hint in result.message, result.message


def make_train(ascent=False, shift=0, fixed_bias=False, sequential=False, no_rate=False, untrained=False):
    def train(X, y, w, b, learning_rate, epochs):
        w0, b0 = w.copy(), b
        sign = 1 if ascent else -1
        rate = 1.0 if no_rate else learning_rate
        for _ in range(max(epochs + shift, 0)):
            dw, db = grads(X, y, w, b)
            w = w + sign * rate * dw
            if sequential:
                db = grads(X, y, w, b)[1]
            if not fixed_bias:
                b = b + sign * rate * db
        return (w0, b0) if untrained else (w, b)
    return train


def test_train_solution_and_status():
    assert gd.evaluate_train(make_train()).message.startswith("✅")
    assert gd.evaluate_train(todo).message.startswith("⏳")
    assert "KeyError" in gd.evaluate_train(crash).message
    assert "should be a function" in gd.evaluate_train(3).message


@pytest.mark.parametrize("options, hint", [
    (dict(ascent=True), "subtracts"),
    (dict(shift=-1), "one too few"),
    (dict(shift=1), "one too many"),
    (dict(fixed_bias=True), "update the bias"),
    (dict(sequential=True), "same (old) w and b"),
    (dict(no_rate=True), "learning rate"),
    (dict(untrained=True), "not the starting values"),
])
def test_train_mistakes(options, hint):
    result = gd.evaluate_train(make_train(**options))
    assert result.message.startswith("❌") and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda X, y, w, b: np.mean((sigmoid(X @ w + b) > 0.5) == y), ">= 0.5"),
    (lambda X, y, w, b: np.sum((sigmoid(X @ w + b) >= 0.5) == y), "not their count"),
    (lambda X, y, w, b: 1 - np.mean((sigmoid(X @ w + b) >= 0.5) == y), "error rate"),
    (lambda X, y, w, b: np.mean((sigmoid(X @ w) >= 0.5) == y), "include the bias"),
    (lambda X, y, w, b: np.mean(sigmoid(X @ w + b) == y), "threshold the probability into"),
    (lambda X, y, w, b: np.mean(((X @ w + b) >= 0.5) == y), "not z at 0.5"),
    (lambda X, y, w, b: (sigmoid(X @ w + b) >= 0.5) == y, "shape"),
])
def test_accuracy_mistakes(wrong, hint):
    result = gd.evaluate_accuracy(wrong)
    assert result.message.startswith("❌") and hint in result.message, result.message


def test_checks_print(capsys):
    ls.check_mse(mse)
    gd.check_accuracy(lambda X, y, w, b: np.mean((sigmoid(X @ w + b) >= 0.5) == y))
    out = capsys.readouterr().out
    assert out.count("✅") == 2
