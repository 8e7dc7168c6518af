"""Exercise checks of notebook 15: the notebook's solutions pass, each modelled mistake gets its hint,
valid variants (lists, tuples, TensorFlow, float32) pass, broken answers get a message."""

import numpy as np
import pytest

from utils.exercises import nb15_initialization as ex


def activation_stds(X, weights):
    a, stds = X, []
    for W in weights:
        a = np.maximum(a @ W, 0.0)
        stds.append(a.std())
    return np.array(stds)


def batchnorm_train(x, gamma, beta, epsilon):
    mean, variance = x.mean(axis=0), x.var(axis=0)
    return gamma * (x - mean) / np.sqrt(variance + epsilon) + beta


def update_moving_stats(moving_mean, moving_var, x, momentum):
    return (momentum * moving_mean + (1 - momentum) * x.mean(axis=0),
            momentum * moving_var + (1 - momentum) * x.var(axis=0))


def todo(*args):
    raise NotImplementedError


EVALUATES = [(ex.evaluate_activation_stds, activation_stds), (ex.evaluate_batchnorm_train, batchnorm_train),
             (ex.evaluate_update_moving_stats, update_moving_stats)]


@pytest.mark.parametrize("evaluate, solution", EVALUATES)
def test_solutions_pass_and_carry_their_points(evaluate, solution):
    result = evaluate(solution)
    assert result.passed and result.message.startswith("✅"), result.message
    assert result.max_points == ex.POINTS[evaluate.__name__.removeprefix("evaluate_")]


def test_valid_variants_pass():
    import tensorflow as tf

    def stds_as_list(X, weights):
        return [float(s) for s in activation_stds(X, weights)]

    def stds_with_tensorflow(X, weights):
        a, stds = tf.constant(X), []
        for W in weights:
            a = tf.nn.relu(a @ tf.constant(W))
            stds.append(tf.math.reduce_std(a))
        return tf.stack(stds)

    for variant in (stds_as_list, stds_with_tensorflow):
        assert ex.evaluate_activation_stds(variant).passed
    assert ex.evaluate_batchnorm_train(lambda *a: batchnorm_train(*a).tolist()).passed
    assert ex.evaluate_batchnorm_train(
        lambda x, g, b, e: g * (x - x.mean(0)) / tf.sqrt(tf.constant(x.var(0) + e)) + b).passed
    assert ex.evaluate_update_moving_stats(lambda *a: list(update_moving_stats(*a))).passed
    assert ex.evaluate_update_moving_stats(lambda *a: np.stack(update_moving_stats(*a))).passed


@pytest.mark.parametrize("evaluate, _", EVALUATES)
def test_todo_crash_and_nonsense(evaluate, _):
    assert evaluate(todo).message.startswith("⏳")
    crashed = evaluate(lambda *a: 1 / 0)
    assert crashed.message.startswith("❌") and "ZeroDivisionError" in crashed.message
    for nonsense in (lambda *a: None, lambda *a: "std", lambda *a: np.nan, lambda *a: {"a": 1}):
        result = evaluate(nonsense)
        assert not result.passed and result.message.startswith("❌") and "Traceback" not in result.message


def _stds(X, weights, relu=True, before=False, include_input=False, stat=np.std, per_unit=False,
          from_input=False, transposed=False):
    a, values = X, []
    for W in weights:
        z = (X if from_input else a) @ (W.T if transposed else W)
        a = np.maximum(z, 0.0) if relu else z
        target = z if before else a
        values.append(target.std(axis=0).mean() if per_unit else stat(target))
    values = np.array(values)
    return np.concatenate([[X.std()], values[:-1]]) if include_input else values


@pytest.mark.parametrize("options, hint", [
    ({"relu": False}, "apply the ReLU"),
    ({"before": True}, "AFTER the ReLU"),
    ({"include_input": True}, "not with X itself"),
    ({"stat": np.var}, "that is the variance"),
    ({"stat": np.mean}, "that is the mean"),
    ({"per_unit": True}, "not the average of per-unit stds"),
    ({"from_input": True}, "PREVIOUS layer's activations"),
    ({"transposed": True}, "not a @ W.T"),
])
def test_activation_stds_mistakes_get_their_hint(options, hint):
    result = ex.evaluate_activation_stds(lambda X, weights: _stds(X, weights, **options))
    assert not result.passed and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, g, b, e: g * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + e) + b, "BIASED variance"),
    (lambda x, g, b, e: g * (x - x.mean(0)) / (x.std(0) + e) + b, "inside the square root"),
    (lambda x, g, b, e: g * (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + e) + b,
     "each FEATURE"),
    (lambda x, g, b, e: (x - x.mean(0)) / np.sqrt(x.var(0) + e), "scale by γ"),
    (lambda x, g, b, e: g * (x - x.mean(0)) / (x.var(0) + e) + b, "not by the variance"),
    (lambda x, g, b, e: g * (x - x.mean()) / np.sqrt(x.var() + e) + b, "own mean and variance"),
    (lambda x, g, b, e: b * (x - x.mean(0)) / np.sqrt(x.var(0) + e) + g, "not β·x̂ + γ"),
])
def test_batchnorm_mistakes_get_their_hint(wrong, hint):
    result = ex.evaluate_batchnorm_train(wrong)
    assert not result.passed and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda m, v, x, mu: ((1 - mu) * m + mu * x.mean(0), (1 - mu) * v + mu * x.var(0)), "PyTorch's convention"),
    (lambda m, v, x, mu: (mu * m + (1 - mu) * x.mean(0), mu * v + (1 - mu) * x.var(0, ddof=1)), "BIASED"),
    (lambda m, v, x, mu: (x.mean(0), x.var(0)), "forgets the past"),
    (lambda m, v, x, mu: (mu * m + x.mean(0), mu * v + x.var(0)), "add up to 1"),
    (lambda m, v, x, mu: (mu * m + (1 - mu) * x.mean(0), mu * v + (1 - mu) * x.std(0)), "not standard deviations"),
])
def test_moving_stats_mistakes_get_their_hint(wrong, hint):
    result = ex.evaluate_update_moving_stats(wrong)
    assert not result.passed and hint in result.message, result.message


def test_a_non_square_shape_error_is_reported_without_a_traceback():
    result = ex.evaluate_activation_stds(lambda X, weights: [np.maximum(X @ W, 0).std() for W in weights])
    assert not result.passed and "PREVIOUS layer" in result.message  # the square first case names it
