"""Exercises of notebook 15 (initialisation and batch normalisation)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.training import initialization

F = np.float64


def _a(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=F)


# ----- exercise 1: activation std per layer ----------------------------------------------------

def _activation_stds(X: Any, weights: list) -> np.ndarray:
    a, stds = _a(X), []
    for W in weights:
        a = np.maximum(a @ _a(W), 0.0)
        stds.append(a.std())
    return np.array(stds)


def _stds_no_relu(X, weights):
    a, stds = _a(X), []
    for W in weights:
        a = a @ _a(W)
        stds.append(a.std())
    return np.array(stds)


def _stds_pre_activation(X, weights):
    a, stds = _a(X), []
    for W in weights:
        z = a @ _a(W)
        stds.append(z.std())
        a = np.maximum(z, 0.0)
    return np.array(stds)


def _stds_with_input(X, weights):
    return np.concatenate([[_a(X).std()], _activation_stds(X, weights)[:-1]])


def _stds_variance(X, weights):
    return _activation_stds(X, weights) ** 2


def _stds_mean(X, weights):
    a, means = _a(X), []
    for W in weights:
        a = np.maximum(a @ _a(W), 0.0)
        means.append(a.mean())
    return np.array(means)


def _stds_per_unit(X, weights):
    a, stds = _a(X), []
    for W in weights:
        a = np.maximum(a @ _a(W), 0.0)
        stds.append(a.std(axis=0).mean())
    return np.array(stds)


def _stds_from_input(X, weights):
    return np.array([np.maximum(_a(X) @ _a(W), 0.0).std() for W in weights])


def _stds_transposed(X, weights):
    a, stds = _a(X), []
    for W in weights:
        a = np.maximum(a @ _a(W).T, 0.0)
        stds.append(a.std())
    return np.array(stds)


def _layers(rng: np.random.Generator, sizes: list[int], scale: float) -> list[np.ndarray]:
    return [rng.standard_normal((n_in, n_out)) * scale / np.sqrt(n_in) for n_in, n_out in zip(sizes, sizes[1:])]


@guarded
def evaluate_activation_stds(activation_stds: Callable[[Any, list], Any]) -> Result:
    """Evaluate ``activation_stds(X, weights)``: the std of relu(a·W) after each layer, as an array."""
    rng = np.random.default_rng(15)
    cases = [
        Case((rng.standard_normal((40, 6)), _layers(rng, [6, 6, 6, 6], 1.5))),
        Case((rng.standard_normal((100, 8)), _layers(rng, [8, 5, 7, 4, 6], np.sqrt(2.0)))),
        Case((rng.standard_normal((30, 3)) * 2 + 1, _layers(rng, [3, 7], 1.0))),
    ]
    mistakes = [
        Mistake("apply the ReLU after each layer, a = max(a·W, 0), and measure the std of that a.", _stds_no_relu),
        Mistake("measure the std AFTER the ReLU (the activations), not of a·W before it.", _stds_pre_activation),
        Mistake("one number per layer, starting with the first layer's activations, not with X itself.",
                _stds_with_input),
        Mistake("that is the variance; take its square root (a.std()).", _stds_variance),
        Mistake("that is the mean of the activations; the question asks for their standard deviation.",
                _stds_mean),
        Mistake("take one std over ALL values of the layer (a.std()), not the average of per-unit stds.",
                _stds_per_unit),
        Mistake("each layer takes the PREVIOUS layer's activations as its input (a = max(a @ W, 0), "
                "then the next W multiplies that a), not X every time.", _stds_from_input),
        Mistake("weights are stored (inputs × units): multiply a @ W, not a @ W.T.", _stds_transposed),
    ]
    return evaluate_function(
        activation_stds, _activation_stds, cases, name="activation_stds", mistakes=mistakes, axes=("layer",),
        success="One number per layer is enough to see a signal die out or blow up.",
    )


# ----- exercise 2: batch normalisation in training mode -----------------------------------------

def _batchnorm(x, gamma, beta, epsilon):
    return initialization.batchnorm_train(x, gamma, beta, epsilon)


def _bn_unbiased(x, gamma, beta, epsilon):
    x = _a(x)
    return _a(gamma) * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + epsilon) + _a(beta)


def _bn_eps_outside(x, gamma, beta, epsilon):
    x = _a(x)
    return _a(gamma) * (x - x.mean(axis=0)) / (x.std(axis=0) + epsilon) + _a(beta)


def _bn_rows(x, gamma, beta, epsilon):
    x = _a(x)
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    return _a(gamma) * (x - mean) / np.sqrt(var + epsilon) + _a(beta)


def _bn_no_affine(x, gamma, beta, epsilon):
    x = _a(x)
    return (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + epsilon)


def _bn_by_variance(x, gamma, beta, epsilon):
    x = _a(x)
    return _a(gamma) * (x - x.mean(axis=0)) / (x.var(axis=0) + epsilon) + _a(beta)


def _bn_whole_batch(x, gamma, beta, epsilon):
    x = _a(x)
    return _a(gamma) * (x - x.mean()) / np.sqrt(x.var() + epsilon) + _a(beta)


def _bn_swapped(x, gamma, beta, epsilon):
    x = _a(x)
    return _a(beta) * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + epsilon) + _a(gamma)


@guarded
def evaluate_batchnorm_train(batchnorm_train: Callable[..., Any]) -> Result:
    """Evaluate ``batchnorm_train(x, gamma, beta, epsilon)``: per-feature batch normalisation, biased variance."""
    rng = np.random.default_rng(51)
    cases = [
        Case((np.array([[1.0, 10.0, -2.0], [3.0, 14.0, 0.0], [2.0, 9.0, 5.0], [6.0, 11.0, 1.0]]),
              np.array([1.5, 0.5, 2.0]), np.array([0.1, -0.3, 0.2]), 1e-3)),
        Case((rng.normal(5, 3, size=(16, 4)), rng.uniform(0.5, 2, size=4), rng.normal(size=4), 1e-3)),
        Case((rng.normal(-2, 0.1, size=(8, 2)), np.array([1.0, 3.0]), np.array([0.0, 1.0]), 1e-5)),
    ]
    mistakes = [
        Mistake("Keras divides by the BIASED variance (mean of squared deviations, np.var's default ddof=0), "
                "not by the n − 1 sample variance.", _bn_unbiased),
        Mistake("ε goes inside the square root: √(σ² + ε), not σ + ε.", _bn_eps_outside),
        Mistake("normalise each FEATURE (column) over the batch, axis=0; you normalised each example's row.",
                _bn_rows),
        Mistake("after normalising, scale by γ and shift by β: γ·x̂ + β.", _bn_no_affine),
        Mistake("divide by the standard deviation √(σ² + ε), not by the variance.", _bn_by_variance),
        Mistake("every feature gets its own mean and variance (axis=0), not one pair for the whole batch.",
                _bn_whole_batch),
        Mistake("γ scales and β shifts: γ·x̂ + β, not β·x̂ + γ.", _bn_swapped),
    ]
    return evaluate_function(
        batchnorm_train, _batchnorm, cases, name="batchnorm_train", mistakes=mistakes,
        axes=("example", "feature"),
        success="Whatever the scale of x, each feature leaves with mean β and std ≈ γ.",
    )


# ----- exercise 3: moving averages, Keras' convention ------------------------------------------

def _moving(moving_mean, moving_var, x, momentum):
    return initialization.update_moving_stats(moving_mean, moving_var, x, momentum)


def _moving_torch(moving_mean, moving_var, x, momentum):
    x = _a(x)
    return ((1 - momentum) * _a(moving_mean) + momentum * x.mean(axis=0),
            (1 - momentum) * _a(moving_var) + momentum * x.var(axis=0))


def _moving_unbiased(moving_mean, moving_var, x, momentum):
    x = _a(x)
    return (momentum * _a(moving_mean) + (1 - momentum) * x.mean(axis=0),
            momentum * _a(moving_var) + (1 - momentum) * x.var(axis=0, ddof=1))


def _moving_replaced(moving_mean, moving_var, x, momentum):
    x = _a(x)
    return x.mean(axis=0), x.var(axis=0)


def _moving_no_complement(moving_mean, moving_var, x, momentum):
    x = _a(x)
    return momentum * _a(moving_mean) + x.mean(axis=0), momentum * _a(moving_var) + x.var(axis=0)


def _moving_std(moving_mean, moving_var, x, momentum):
    x = _a(x)
    return (momentum * _a(moving_mean) + (1 - momentum) * x.mean(axis=0),
            momentum * _a(moving_var) + (1 - momentum) * x.std(axis=0))


def _moving_rows(moving_mean, moving_var, x, momentum):
    x = _a(x)
    return (momentum * _a(moving_mean) + (1 - momentum) * x.mean(axis=1)[: np.size(moving_mean)],
            momentum * _a(moving_var) + (1 - momentum) * x.var(axis=1)[: np.size(moving_var)])


@guarded
def evaluate_update_moving_stats(update_moving_stats: Callable[..., Any]) -> Result:
    """Evaluate ``update_moving_stats(moving_mean, moving_var, x, momentum)`` → (mean, var), Keras' convention."""
    rng = np.random.default_rng(99)
    cases = [
        Case((np.array([0.5, -1.0, 2.0]), np.array([1.0, 2.0, 0.5]),
              np.array([[1.0, 10.0, -2.0], [3.0, 14.0, 0.0], [2.0, 9.0, 5.0], [6.0, 11.0, 1.0]]), 0.9)),
        Case((np.zeros(4), np.ones(4), rng.normal(3, 2, size=(32, 4)), 0.99)),
        Case((rng.normal(size=2), rng.uniform(0.5, 2, size=2), rng.normal(size=(5, 2)), 0.5)),
    ]
    mistakes = [
        Mistake("that is PyTorch's convention (momentum weighs the NEW batch). In Keras momentum weighs the OLD "
                "average: momentum·moving + (1 − momentum)·batch.", _moving_torch),
        Mistake("Keras updates the moving variance with the same BIASED batch variance it normalises with "
                "(ddof=0); the n − 1 correction is PyTorch's.", _moving_unbiased),
        Mistake("blend the old average with the batch; replacing it by the batch's statistics forgets the past.",
                _moving_replaced),
        Mistake("the batch statistic is weighted by (1 − momentum), so the weights add up to 1.",
                _moving_no_complement),
        Mistake("the moving VARIANCE averages variances, not standard deviations.", _moving_std),
        Mistake("statistics per feature are taken over the batch (axis=0), not per example.", _moving_rows),
    ]
    return evaluate_function(
        update_moving_stats, _moving, cases, name="update_moving_stats", mistakes=mistakes,
        axes=("returned item (0 = mean, 1 = variance)", "feature"),
        success="With momentum 0.99 the averages need a few hundred batches to forget their start (0 and 1).",
    )


check_activation_stds = printer(evaluate_activation_stds)
check_batchnorm_train = printer(evaluate_batchnorm_train)
check_update_moving_stats = printer(evaluate_update_moving_stats)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"activation_stds": 2, "batchnorm_train": 2, "update_moving_stats": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "activation_stds": ("initialization.forward_backward", "initialization.gain_profile", "keras.layers"),
    "batchnorm_train": ("initialization.batchnorm_inference", "initialization.BatchNorm", "keras.layers",
                        "tf.nn.batch_normalization", "keras.ops"),
    "update_moving_stats": ("initialization.BatchNorm", "keras.layers"),
}
