"""Bagging, out-of-bag estimates and gradient boosting of notebook 49 against scikit-learn."""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.ensemble import BaggingRegressor, GradientBoostingRegressor, RandomForestClassifier
from sklearn.tree import DecisionTreeRegressor

from utils.toolbox import ensembles


def test_gradient_boost_equals_scikit_learn():
    X, y = ensembles.make_wave(80, seed=0)
    X_test, _ = ensembles.make_wave(50, seed=1)
    ours = ensembles.gradient_boost(X, y, 40, 0.2, 2, seed=0)
    theirs = GradientBoostingRegressor(n_estimators=40, learning_rate=0.2, max_depth=2, random_state=0).fit(X, y)
    assert np.abs(ours.predict(X_test) - theirs.predict(X_test)).max() <= 1e-8
    assert np.abs(ours.staged_predict(X_test)[1:] - np.stack(list(theirs.staged_predict(X_test)))).max() <= 1e-8
    assert ours.staged_predict(X_test)[0] == pytest.approx(np.full(50, y.mean()))


def test_gradient_boost_shares_one_generator_like_scikit_learn():
    X, y = load_diabetes(return_X_y=True)
    ours = ensembles.gradient_boost(X[:200], y[:200], 30, 0.1, 3, seed=3, max_features=0.5)
    theirs = GradientBoostingRegressor(n_estimators=30, max_depth=3, random_state=3,
                                       max_features=0.5).fit(X[:200], y[:200])
    assert np.abs(ours.predict(X[200:]) - theirs.predict(X[200:])).max() <= 1e-8


def test_oob_prediction_equals_bagging_and_forest():
    X, y = ensembles.make_wave(60, seed=2)
    bagger = BaggingRegressor(DecisionTreeRegressor(), n_estimators=25, oob_score=True, random_state=0).fit(X, y)
    predictions = np.stack([tree.predict(X) for tree in bagger.estimators_])
    ours = ensembles.oob_prediction(predictions, np.stack(bagger.estimators_samples_))
    assert np.allclose(ours, bagger.oob_prediction_, rtol=1e-12)
    labels = (y > np.median(y)).astype(int)
    forest = RandomForestClassifier(n_estimators=30, oob_score=True, random_state=0).fit(X, labels)
    probabilities = np.stack([tree.predict_proba(X)[:, 1] for tree in forest.estimators_])
    ours = ensembles.oob_prediction(probabilities, np.stack(forest.estimators_samples_))
    assert np.allclose(ours, forest.oob_decision_function_[:, 1], rtol=1e-12)


def test_bootstrap_and_masks():
    rows = ensembles.bootstrap_rows(10_000, seed=0)
    assert rows.min() >= 0 and rows.max() < 10_000
    assert np.mean(np.bincount(rows, minlength=10_000) > 0) == pytest.approx(1 - np.exp(-1), abs=0.01)
    mask = ensembles.out_of_bag_mask(np.array([[0, 0, 1], [2, 2, 2]]), 3)
    assert mask.tolist() == [[False, False, True], [True, True, False]]
    assert np.isnan(ensembles.oob_prediction(np.ones((1, 3)), np.array([[0, 1, 2]]))).all()


def test_bag_reduces_variance_towards_the_formula():
    study = ensembles.variance_study(n_sets=10, max_trees=10, n=60, seed=0)
    assert study.variance[-1] < 0.8 * study.variance[0]
    assert 0 < study.correlation < 1
    assert np.allclose(study.variance, study.formula(), rtol=0.25)


def test_negative_gradient_is_minus_the_derivative_of_the_log_loss():
    y, raw = np.array([0.0, 1.0, 1.0]), np.array([-1.0, 0.5, 3.0])

    def loss(F):
        p = 1 / (1 + np.exp(-F))
        return -y * np.log(p) - (1 - y) * np.log(1 - p)

    numerical = -(loss(raw + 1e-6) - loss(raw - 1e-6)) / 2e-6
    assert np.allclose(ensembles.negative_gradient(y, raw), numerical, rtol=1e-6)


def test_boosting_explorer_moves():
    X, y = ensembles.make_wave(60, seed=0)
    X_test, y_test = ensembles.make_wave(60, seed=1)
    explorer = ensembles.boosting_explorer(X, y, X_test, y_test, n_rounds=20, learning_rates=(0.1, 1.0))
    first = explorer.png()
    explorer.set(rounds=15, learning_rate=1.0)
    assert explorer.png() != first
    assert "round 15, learning rate 1" in explorer.status.value


@pytest.mark.parametrize("call, match", [
    (lambda: ensembles.make_wave(1), "n must be"),
    (lambda: ensembles.bootstrap_rows(0), "positive integer"),
    (lambda: ensembles.oob_prediction(np.ones(3), np.zeros((1, 3), int)), "matrix"),
    (lambda: ensembles.oob_prediction(np.ones((2, 3)), np.zeros((1, 3), int)), "lists 1 trees"),
    (lambda: ensembles.out_of_bag_mask(np.array([[0, 5]]), 3), "between 0 and 2"),
    (lambda: ensembles.out_of_bag_mask(np.zeros((1, 3)), 3), "integer matrix"),
    (lambda: ensembles.gradient_boost(np.ones((3, 1)), [1.0, np.nan, 2.0], 2), "NaN"),
    (lambda: ensembles.gradient_boost(np.ones(3), [1.0, 2.0, 3.0], 2), "matrix"),
    (lambda: ensembles.gradient_boost(np.ones((3, 1)), [1.0, 2.0], 2), "one per row"),
    (lambda: ensembles.gradient_boost(np.ones((3, 1)), [1.0, 2.0, 3.0], 0), "n_rounds"),
    (lambda: ensembles.gradient_boost(np.ones((3, 1)), [1.0, 2.0, 3.0], 2, learning_rate=2.0), "learning_rate"),
    (lambda: ensembles.bag_trees(np.ones((3, 1)), [1.0, 2.0, 3.0], 0), "n_trees"),
    (lambda: ensembles.negative_gradient([1, 0], [0.5]), "same shape"),
    (lambda: ensembles.boosting_explorer(np.ones((4, 2)), np.ones(4), np.ones((2, 2)), np.ones(2)), "1 column"),
    (lambda: ensembles.boosting_explorer(np.ones((4, 1)), np.ones(4), np.ones((2, 1)), np.ones(2),
                                         learning_rate=0.5), "one of"),
])
def test_bad_arguments_get_clear_messages(call, match):
    with pytest.raises(ValueError, match=match):
        call()
