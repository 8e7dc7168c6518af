"""Split criteria and the exhaustive split search of notebook 48 against scikit-learn and SciPy."""

import numpy as np
import pytest
from scipy.stats import chi2_contingency
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from utils.toolbox import trees


@pytest.mark.parametrize("criterion", ["gini", "entropy"])
def test_best_split_equals_scikit_learns_root(criterion):
    X, y = load_breast_cancer(return_X_y=True)
    split = trees.best_split(X.astype(np.float32).astype(np.float64), y, criterion)  # trees use float32
    tree = DecisionTreeClassifier(max_depth=1, criterion=criterion, random_state=0).fit(X, y)
    assert split.feature == tree.tree_.feature[0]
    assert split.threshold == pytest.approx(tree.tree_.threshold[0], abs=1e-12)
    assert split.decrease == pytest.approx(trees.root_decrease(tree), abs=1e-12)


def test_regression_split_is_the_variance_reduction():
    X, y = load_diabetes(return_X_y=True)
    split = trees.best_split(X.astype(np.float32).astype(np.float64), y, "squared_error")
    tree = DecisionTreeRegressor(max_depth=1, random_state=0).fit(X, y)
    assert (split.feature, split.threshold) == (tree.tree_.feature[0], pytest.approx(tree.tree_.threshold[0]))
    assert split.decrease == pytest.approx(trees.root_decrease(tree), rel=1e-9)


def test_vectorised_search_equals_the_one_split_formula():
    rng = np.random.default_rng(0)
    x = np.round(rng.normal(size=40), 1)
    y = rng.integers(0, 3, size=40)
    split = trees.best_split(x[:, None], y, "entropy")
    left, right = y[x <= split.threshold], y[x > split.threshold]
    assert split.decrease == pytest.approx(trees.impurity_decrease(y, left, right, "entropy"), abs=1e-12)
    best_by_hand = max(trees.impurity_decrease(y, y[x <= t], y[x > t], "entropy")
                       for t in trees.candidate_thresholds(x))
    assert split.decrease == pytest.approx(best_by_hand, abs=1e-12)


def test_impurities_and_chi_square():
    assert trees.gini([1, 1, 1]) == 0.0 and trees.gini([0, 1]) == 0.5
    assert trees.entropy([0, 1]) == 1.0 and trees.entropy([0, 1, 2, 3]) == 2.0
    assert trees.variance([1.0, 3.0]) == 1.0
    left, right = np.array([0, 0, 0, 1, 2]), np.array([1, 1, 2, 0, 1, 1])
    table = [[np.sum(left == c) for c in range(3)], [np.sum(right == c) for c in range(3)]]
    expected = chi2_contingency(table, correction=False)
    assert trees.chi_square(left, right) == pytest.approx(expected.statistic, abs=1e-12)
    assert trees.chi_square_p_value(trees.chi_square(left, right), 3) == pytest.approx(expected.pvalue, abs=1e-12)


@pytest.mark.parametrize("call, match", [
    (lambda: trees.gini([]), "non-empty"),
    (lambda: trees.root_decrease(DecisionTreeClassifier().fit([[0.0], [1.0]], [1, 1])), "no split"),
    (lambda: trees.impurity_decrease([0, 1], [0], [1], "mse"), "unknown criterion"),
    (lambda: trees.impurity_decrease([0, 1, 1], [0], [1], "gini"), "children hold"),
    (lambda: trees.best_split(np.ones((3, 2)), [0, 1, 0]), "constant"),
    (lambda: trees.best_split(np.ones((3, 2)), [0, 1]), "one row per label"),
    (lambda: trees.depth_explorer(np.ones((4, 3)), [0, 1, 0, 1], np.ones((2, 3)), [0, 1], [1, 2], "ab"),
     "2 columns"),
    (lambda: trees.depth_explorer(np.ones((4, 2)), [0, 1, 0, 1], np.ones((2, 2)), [0, 1], [1, 2], "ab", depth=5),
     "one of"),
])
def test_bad_inputs_say_what_is_wrong(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_depth_explorer_shows_overfitting():
    X, y = load_breast_cancer(return_X_y=True)
    X = X[:, [20, 27]]
    explorer = trees.depth_explorer(X[:400], y[:400], X[400:], y[400:], [1, 2, 4, 8, 16],
                                    ["worst radius", "worst concave points"], depth=1)
    first = explorer.png()
    explorer.set(depth=16)
    assert explorer.png() != first
    assert "training accuracy 1.000" in explorer.status.value
