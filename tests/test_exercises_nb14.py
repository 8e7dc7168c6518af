"""Exercise checks of notebook 14: the notebook's solutions pass, each modelled mistake gets its hint,
valid variants (lists, tuples, TensorFlow, float32) pass, broken answers get a message."""

import numpy as np
import pytest

from utils.exercises import nb14_optimizers as ex


def momentum_step(w, g, velocity, learning_rate, momentum):
    new_velocity = momentum * velocity - learning_rate * g
    return w + new_velocity, new_velocity


def rmsprop_step(w, g, mean_square, learning_rate, rho, epsilon):
    new_mean_square = rho * mean_square + (1 - rho) * g**2
    return w - learning_rate * g / np.sqrt(new_mean_square + epsilon), new_mean_square


def adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    new_m = beta_1 * m + (1 - beta_1) * g
    new_v = beta_2 * v + (1 - beta_2) * g**2
    step_size = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return w - step_size * new_m / (np.sqrt(new_v) + epsilon), new_m, new_v


def todo(*args):
    raise NotImplementedError


EVALUATES = [(ex.evaluate_momentum_step, momentum_step), (ex.evaluate_rmsprop_step, rmsprop_step),
             (ex.evaluate_adam_step, adam_step)]


@pytest.mark.parametrize("evaluate, solution", EVALUATES)
def test_solutions_pass_and_carry_their_points(evaluate, solution):
    result = evaluate(solution)
    assert result.passed and result.message.startswith("✅"), result.message
    assert result.max_points == ex.POINTS[evaluate.__name__.removeprefix("evaluate_")]


@pytest.mark.parametrize("evaluate, solution", EVALUATES)
def test_valid_variants_pass(evaluate, solution):
    import tensorflow as tf

    variants = [
        lambda *a: list(solution(*a)),
        lambda *a: [np.asarray(x).tolist() for x in solution(*a)],
        lambda *a: tuple(tf.constant(x) for x in solution(*a)),
        lambda *a: np.stack(solution(*a)),
        lambda *a: tuple(np.asarray(x, dtype=np.float32) for x in solution(*a)),
    ]
    for variant in variants:
        result = evaluate(variant)
        assert result.passed, result.message


@pytest.mark.parametrize("evaluate, _", EVALUATES)
def test_todo_crash_and_nonsense(evaluate, _):
    assert evaluate(todo).message.startswith("⏳")
    crashed = evaluate(lambda *a: 1 / 0)
    assert crashed.message.startswith("❌") and "ZeroDivisionError" in crashed.message
    for nonsense in (lambda *a: None, lambda *a: "w", lambda *a: a[0], lambda *a: (np.nan * a[0], a[0])):
        result = evaluate(nonsense)
        assert not result.passed and result.message.startswith("❌") and "Traceback" not in result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda w, g, v, lr, mu: (w - lr * (mu * v + g), mu * v + g), "PyTorch"),
    (lambda w, g, v, lr, mu: (w + mu * v + lr * g, mu * v + lr * g), "downhill"),
    (lambda w, g, v, lr, mu: (w + v, mu * v - lr * g), "NEW velocity"),
    (lambda w, g, v, lr, mu: (w + v - lr * g, v - lr * g), "multiplied by the momentum"),
    (lambda w, g, v, lr, mu: (mu * v - lr * g, w + mu * v - lr * g), "new parameters first"),
    (lambda w, g, v, lr, mu: (w + mu * (mu * v - lr * g) - lr * g, mu * v - lr * g), "Nesterov"),
    (lambda w, g, v, lr, mu: (w + mu * v - g, mu * v - g), "scaled by the learning rate"),
])
def test_momentum_mistakes_get_their_hint(wrong, hint):
    result = ex.evaluate_momentum_step(wrong)
    assert not result.passed and hint in result.message, result.message


def _rms(w, g, s, lr, rho, eps, outside=False, old=False, swap=False, root=True, square=True, sign=1):
    new = (1 - rho) * s + rho * g**2 if swap else rho * s + (1 - rho) * (g**2 if square else np.abs(g))
    used = s if old else new
    scale = (np.sqrt(used) + eps) if outside else (np.sqrt(used + eps) if root else used + eps)
    return w - sign * lr * g / scale, new


@pytest.mark.parametrize("options, hint", [
    ({"outside": True}, "INSIDE the square root"),
    ({"old": True}, "NEW s"),
    ({"swap": True}, "OLD average"),
    ({"root": False}, "square ROOT"),
    ({"square": False}, "SQUARED gradient"),
    ({"sign": -1}, "downhill"),
])
def test_rmsprop_mistakes_get_their_hint(options, hint):
    result = ex.evaluate_rmsprop_step(lambda *a: _rms(*a, **options))
    assert not result.passed and hint in result.message, result.message


def _adam_swapped(w, g, m, v, t, lr, b1, b2, eps):
    m, v = (1 - b1) * m + b1 * g, (1 - b2) * v + b2 * g**2
    return w - lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps), m, v


def _adam_paper(w, g, m, v, t, lr, b1, b2, eps):
    m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
    return w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps), m, v


@pytest.mark.parametrize("wrong, hint", [
    (_adam_paper, "Algorithm 1 of the paper"),
    (lambda w, g, m, v, t, lr, b1, b2, eps: adam_step(w, g, m, v, t + 1, lr, b1, b2, eps), "not t + 1"),
    (lambda w, g, m, v, t, lr, b1, b2, eps: _adam_swapped(w, g, m, v, t, lr, b1, b2, eps), "OLD moment"),
])
def test_adam_mistakes_get_their_hint(wrong, hint):
    result = ex.evaluate_adam_step(wrong)
    assert not result.passed and hint in result.message, result.message


def test_adam_without_bias_correction_gets_its_hint():
    def no_correction(w, g, m, v, t, lr, b1, b2, eps):
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
        return w - lr * m / (np.sqrt(v) + eps), m, v

    result = ex.evaluate_adam_step(no_correction)
    assert not result.passed and "bias corrections" in result.message


def test_a_wrong_answer_gets_partial_points_for_the_cases_it_passes():
    def right_only_without_momentum(w, g, velocity, learning_rate, momentum):
        return momentum_step(w, g, velocity, learning_rate, momentum if momentum > 0.85 else 0.0)

    result = ex.evaluate_momentum_step(right_only_without_momentum)
    assert not result.passed and 0 < result.fraction < 1
