"""Exercise checks of notebook 13 accept the solutions and valid variants and give each mistake its hint."""

import numpy as np
import pytest

from utils.exercises import nb13_keras_apis as ex


def todo(*args):
    raise NotImplementedError


def count(sizes):
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_dense_parameter_count, count),
    (ex.evaluate_dense_parameter_count, lambda s: int(np.sum(np.multiply(s[:-1], s[1:])) + np.sum(s[1:]))),
    (ex.evaluate_total_loss, lambda l, w: sum(a * b for a, b in zip(l, w))),
    (ex.evaluate_total_loss, lambda l, w: np.dot(l, w)),
    (ex.evaluate_max_abs_difference, lambda a, b: np.max(np.abs(a - b))),
    (ex.evaluate_max_abs_difference, lambda a, b: float(np.abs(np.subtract(b, a)).max())),
    (ex.evaluate_max_abs_difference, lambda a, b: __import__("tensorflow").reduce_max(abs(a - b))),
])
def test_solutions_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed and result.message.startswith("✅"), result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_dense_parameter_count, ex.evaluate_total_loss,
                                      ex.evaluate_max_abs_difference])
def test_todo_crash_and_none_get_messages(evaluate):
    args = 2 if evaluate is not ex.evaluate_dense_parameter_count else 1
    assert evaluate(todo).message.startswith("⏳")
    crashed = evaluate((lambda a: 1 / 0) if args == 1 else (lambda a, b: 1 / 0))
    assert not crashed.passed and "ZeroDivisionError" in crashed.message
    assert "return" in evaluate((lambda a: None) if args == 1 else (lambda a, b: None)).message


@pytest.mark.parametrize("wrong, hint", [
    (lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])), "one bias per unit"),
    (lambda s: sum(a * b + a for a, b in zip(s[:-1], s[1:])), "not one per input"),
    (lambda s: count(s) + s[0], "input is not a layer"),
    (lambda s: sum(s), "counts the units"),
    (lambda s: s[0] * s[1] + s[1], "EVERY layer"),
    (lambda s: float(count(s)), "ints are expected"),
])
def test_parameter_count_mistakes(wrong, hint):
    result = ex.evaluate_dense_parameter_count(wrong)
    assert not result.passed and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda l, w: sum(l), "multiply each head's loss"),
    (lambda l, w: np.mean(np.multiply(l, w)), "you took their mean"),
    (lambda l, w: np.dot(l, w) / sum(w), "weighted mean"),
    (lambda l, w: np.dot(l, w[::-1]), "same order"),
    (lambda l, w: np.mean(l), "plain mean"),
])
def test_total_loss_mistakes(wrong, hint):
    result = ex.evaluate_total_loss(wrong)
    assert not result.passed and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda a, b: np.max(a - b), "absolute value first"),
    (lambda a, b: np.mean(np.abs(a - b)), "a mean hides"),
    (lambda a, b: np.sum(np.abs(a - b)), "not the sum"),
    (lambda a, b: np.sqrt(np.mean((a - b) ** 2)), "root-mean-square"),
    (lambda a, b: np.max(np.abs(a - b) / np.abs(b)), "relative"),
])
def test_max_abs_difference_mistakes(wrong, hint):
    result = ex.evaluate_max_abs_difference(wrong)
    assert not result.passed and hint in result.message, result.message


def test_points_and_bans_name_the_three_exercises():
    assert set(ex.POINTS) == {"dense_parameter_count", "total_loss", "max_abs_difference"}
    assert set(ex.NOT_ALLOWED) <= set(ex.POINTS)
