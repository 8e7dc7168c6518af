"""Exercise checks of notebook 17 accept valid answers and name each plausible mistake."""

import math

import numpy as np
import pytest
import tensorflow as tf

from utils.exercises import nb17_tuning as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


@pytest.mark.parametrize("answer", [
    lambda u, lo, hi: 10.0 ** (np.log10(lo) + np.asarray(u) * (np.log10(hi) - np.log10(lo))),
    lambda u, lo, hi: lo * (hi / lo) ** np.asarray(u),
    lambda u, lo, hi: np.exp(np.log(lo) + np.asarray(u) * (np.log(hi) - np.log(lo))),
    lambda u, lo, hi: tf.exp(math.log(lo) + tf.constant(u, tf.float64) * (math.log(hi) - math.log(lo))),
])
def test_log_uniform_valid_variants_pass(answer):
    result = ex.evaluate_log_uniform(answer)
    assert result.passed, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda u, lo, hi: lo + np.asarray(u) * (hi - lo), "LINEAR scale"),
    (lambda u, lo, hi: 10.0 ** (lo + np.asarray(u) * (hi - lo)), "logarithm of the bounds"),
    (lambda u, lo, hi: np.log10(lo) + np.asarray(u) * (np.log10(hi) - np.log10(lo)), "returned the exponent"),
    (lambda u, lo, hi: hi * (lo / hi) ** np.asarray(u), "runs backwards"),
    (lambda u, lo, hi: 10.0 ** (np.asarray(u) * (np.log10(hi) - np.log10(lo))), "offset"),
])
def test_log_uniform_mistakes_get_their_hint(wrong, hint):
    result = ex.evaluate_log_uniform(wrong)
    assert not result.passed and hint in result.message, result.message


def loop_trials(q, c):
    n = 1
    while 1 - (1 - q) ** n < c:
        n += 1
    return n


@pytest.mark.parametrize("answer", [
    lambda q, c: math.ceil(math.log(1 - c) / math.log(1 - q)),
    loop_trials,
    lambda q, c: np.int64(np.ceil(np.log1p(-c) / np.log1p(-q))),
])
def test_trials_needed_valid_variants_pass(answer):
    result = ex.evaluate_trials_needed(answer)
    assert result.passed, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda q, c: math.floor(math.log(1 - c) / math.log(1 - q)), "round UP"),
    (lambda q, c: math.ceil(math.log(1 - c) / math.log(q)), "misses is 1 − q"),
    (lambda q, c: math.ceil(math.log(c) / math.log(1 - q)), "set it to 1 − confidence"),
    (lambda q, c: math.ceil(c / q), "linearly"),
    (lambda q, c: math.log(1 - c) / math.log(1 - q), "whole number"),
    (lambda q, c: float(math.ceil(math.log(1 - c) / math.log(1 - q))), "ints are expected"),
])
def test_trials_needed_mistakes_get_their_hint(wrong, hint):
    result = ex.evaluate_trials_needed(wrong)
    assert not result.passed and hint in result.message, result.message


def halving(n, r, eta):
    rounds = [(n, r)]
    while rounds[-1][0] > 1:
        alive, epochs = rounds[-1]
        rounds.append((max(alive // eta, 1), epochs * eta))
    return rounds


@pytest.mark.parametrize("answer", [halving, lambda n, r, e: np.array(halving(n, r, e)),
                                    lambda n, r, e: tf.constant(halving(n, r, e))])
def test_halving_schedule_valid_variants_pass(answer):
    result = ex.evaluate_halving_schedule(answer)
    assert result.passed, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda n, r, e: halving(n, r, e)[:-1], "until ONE configuration"),
    (lambda n, r, e: ex._halving_halves(n, r, e), "not half of them"),
    (lambda n, r, e: [(a, r) for a, _ in halving(n, r, e)], "multiplies the epochs"),
    (lambda n, r, e: [(a, r + e * i) for i, (a, _) in enumerate(halving(n, r, e))], "FACTOR eta"),
    (lambda n, r, e: [(float(a), float(b)) for a, b in halving(n, r, e)], "ints are expected"),
])
def test_halving_schedule_mistakes_get_their_hint(wrong, hint):
    result = ex.evaluate_halving_schedule(wrong)
    assert not result.passed and hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_log_uniform, ex.evaluate_trials_needed,
                                      ex.evaluate_halving_schedule])
def test_todo_crash_none(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    result = evaluate(crash)
    assert not result.passed and "ZeroDivisionError" in result.message
    none = evaluate(lambda *a: None)
    assert not none.passed and "return" in none.message
