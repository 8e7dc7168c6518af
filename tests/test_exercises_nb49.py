"""Exercise checks of notebook 49 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest
from sklearn.tree import DecisionTreeRegressor

from utils.exercises import nb49_ensembles as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def oob_prediction(tree_predictions, samples):
    tree_predictions = np.asarray(tree_predictions, dtype=float)
    left_out = np.ones(tree_predictions.shape, dtype=bool)
    for b, rows in enumerate(samples):
        left_out[b, rows] = False
    return (tree_predictions * left_out).sum(axis=0) / left_out.sum(axis=0)


def oob_loops(tree_predictions, samples):
    n = tree_predictions.shape[1]
    out = []
    for i in range(n):
        values = [tree_predictions[b, i] for b in range(len(samples)) if i not in set(samples[b])]
        out.append(sum(values) / len(values))
    return out


def boosting_round(X, y, prediction, learning_rate, max_depth):
    tree = DecisionTreeRegressor(max_depth=max_depth, random_state=0).fit(X, y - prediction)
    return prediction + learning_rate * tree.predict(X)


def boosting_round_negated(X, y, prediction, learning_rate, max_depth):
    tree = DecisionTreeRegressor(max_depth=max_depth).fit(X, prediction - y)
    return prediction - learning_rate * tree.predict(X)


def negative_gradient(y, raw):
    return y - 1 / (1 + np.exp(-raw))


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_oob_prediction, oob_prediction),
    (ex.evaluate_oob_prediction, oob_loops),
    (ex.evaluate_boosting_round, boosting_round),
    (ex.evaluate_boosting_round, boosting_round_negated),
    (ex.evaluate_boosting_round, lambda *a: list(boosting_round(*a))),
    (ex.evaluate_negative_gradient, negative_gradient),
    (ex.evaluate_negative_gradient, lambda y, F: y - np.exp(F) / (1 + np.exp(F))),
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


def _p(F):
    return 1 / (1 + np.exp(-F))


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_oob_prediction, lambda p, s: p.mean(axis=0), "averaged every tree"),
    (ex.evaluate_oob_prediction, lambda p, s: ex._oob_variant(p, s, trees="in"), "DREW the row"),
    (ex.evaluate_oob_prediction, lambda p, s: (p * ex.ensembles.out_of_bag_mask(s, p.shape[1])).sum(0) / len(p),
     "number of all trees"),
    (ex.evaluate_boosting_round, lambda X, y, F, lr, d: F + lr * DecisionTreeRegressor(max_depth=d).fit(X, y)
     .predict(X), "RESIDUALS"),
    (ex.evaluate_boosting_round, lambda X, y, F, lr, d: F + lr * DecisionTreeRegressor(max_depth=d)
     .fit(X, F - y).predict(X), "wrong way"),
    (ex.evaluate_boosting_round, lambda X, y, F, lr, d: F + DecisionTreeRegressor(max_depth=d)
     .fit(X, y - F).predict(X), "learning rate before"),
    (ex.evaluate_boosting_round, lambda X, y, F, lr, d: lr * DecisionTreeRegressor(max_depth=d)
     .fit(X, y - F).predict(X), "step alone"),
    (ex.evaluate_boosting_round, lambda X, y, F, lr, d: lr * (F + DecisionTreeRegressor(max_depth=d)
     .fit(X, y - F).predict(X)), "old prediction too"),
    (ex.evaluate_negative_gradient, lambda y, F: _p(F) - y, "NEGATIVE gradient"),
    (ex.evaluate_negative_gradient, lambda y, F: y - F, "sigmoid first"),
    (ex.evaluate_negative_gradient, lambda y, F: y / _p(F) - (1 - y) / (1 - _p(F)), "chain rule"),
    (ex.evaluate_negative_gradient, lambda y, F: y - 1 / (1 + np.exp(F)), "sign inside"),
    (ex.evaluate_negative_gradient, lambda y, F: (y - _p(F)) / (_p(F) * (1 - _p(F))), "chain rule"),
])
def test_plausible_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed
    assert result.message.startswith("❌") and hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_oob_prediction, ex.evaluate_boosting_round,
                                      ex.evaluate_negative_gradient])
def test_todo_crash_and_nan_never_raise(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    assert evaluate(crash).message.startswith("❌")
    assert evaluate(lambda *a: np.nan).message.startswith("❌")
    assert evaluate(None).message.startswith("❌")


def test_points_and_not_allowed_cover_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"oob_prediction", "boosting_round", "negative_gradient"}
