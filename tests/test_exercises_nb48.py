"""Exercise checks of notebook 48 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.exercises import nb48_trees as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def gini(y):
    _, counts = np.unique(y, return_counts=True)
    return 1 - np.sum((counts / counts.sum()) ** 2)


def entropy(y):
    _, counts = np.unique(y, return_counts=True)
    p = counts / counts.sum()
    return -np.sum(p * np.log2(p))


def information_gain(parent, left, right):
    n = len(parent)
    return entropy(parent) - len(left) / n * entropy(left) - len(right) / n * entropy(right)


def best_threshold(x, y):
    values = np.unique(x)
    best = (None, -np.inf)
    for low, high in zip(values[:-1], values[1:]):
        t = (low + high) / 2
        left, right = y[x <= t], y[x > t]
        decrease = gini(y) - len(left) / len(y) * gini(left) - len(right) / len(y) * gini(right)
        if decrease > best[1]:
            best = (t, decrease)
    return best


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_gini, gini),
    (ex.evaluate_gini, lambda y: np.float32(gini(y))),
    (ex.evaluate_gini, lambda y: 1 - sum((list(y).count(c) / len(y)) ** 2 for c in set(y))),
    (ex.evaluate_information_gain, information_gain),
    (ex.evaluate_information_gain, lambda p, l, r: np.array([information_gain(p, l, r)])),
    (ex.evaluate_best_threshold, best_threshold),
    (ex.evaluate_best_threshold, lambda x, y: list(best_threshold(x, y))),
    (ex.evaluate_best_threshold, lambda x, y: np.array(best_threshold(x, y))),
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_gini, lambda y: 1 - gini(y), "1 MINUS"),
    (ex.evaluate_gini, lambda y: 1 - np.sum(np.unique(y, return_counts=True)[1] ** 2), "SHARES"),
    (ex.evaluate_gini, lambda y: entropy(y), "entropy"),
    (ex.evaluate_information_gain, lambda p, l, r: entropy(p) - 0.5 * entropy(l) - 0.5 * entropy(r), "one half"),
    (ex.evaluate_information_gain, lambda p, l, r: entropy(p) - len(r) / len(p) * entropy(l)
     - len(l) / len(p) * entropy(r), "swapped"),
    (ex.evaluate_information_gain, lambda p, l, r: information_gain(p, l, r) * np.log(2), "natural log"),
    (ex.evaluate_information_gain, lambda p, l, r: entropy(p) - information_gain(p, l, r), "children's part"),
    (ex.evaluate_information_gain, lambda p, l, r: -information_gain(p, l, r), "opposite sign"),
    (ex.evaluate_best_threshold, lambda x, y: ex._threshold_variant(x, y, place="low"), "lower one"),
    (ex.evaluate_best_threshold, lambda x, y: ex._threshold_variant(x, y, place="high"), "upper"),
    (ex.evaluate_best_threshold, lambda x, y: ex._threshold_variant(x, y, weights="equal"), "share of the rows"),
    (ex.evaluate_best_threshold, lambda x, y: ex._threshold_variant(x, y, pick="min"), "LARGEST"),
    (ex.evaluate_best_threshold, lambda x, y: best_threshold(x, y)[0], "shape"),
])
def test_plausible_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed
    assert result.message.startswith("❌") and hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_gini, ex.evaluate_information_gain, ex.evaluate_best_threshold])
def test_todo_crash_and_nan_never_raise(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    assert evaluate(crash).message.startswith("❌")
    assert evaluate(lambda *a: np.nan).message.startswith("❌")
    assert evaluate(None).message.startswith("❌")


def test_points_and_not_allowed_cover_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"gini", "information_gain", "best_threshold"}
