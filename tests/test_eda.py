"""EDA and preprocessing helpers equal scikit-learn's and say what is wrong with bad input."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from utils import datasets
from utils.toolbox import eda


def test_standardize_and_impute_equal_scikit_learn():
    rng = np.random.default_rng(0)
    train, test = rng.normal(3, 2, size=(40, 3)), rng.normal(size=(7, 3))
    assert np.allclose(eda.standardize(train, test), StandardScaler().fit(train).transform(test))
    train[rng.random(train.shape) < 0.2] = np.nan
    test[0, 1] = np.nan
    assert np.allclose(eda.median_impute(train, test), SimpleImputer(strategy="median").fit(train).transform(test))


def test_one_hot_equals_scikit_learns_with_unknown_categories_ignored():
    categories = ["owner", "rent", "parents"]
    values = ["rent", "other", "owner"]
    theirs = OneHotEncoder(categories=[categories], handle_unknown="ignore").fit(
        np.array(categories)[:, None]).transform(np.array(values)[:, None]).toarray()
    assert np.array_equal(eda.one_hot(values, categories), theirs)


def test_iqr_outliers_marks_both_tails_and_never_nan():
    flags = eda.iqr_outliers([1, 2, 3, 4, 5, 100, -100, np.nan])
    assert flags.tolist() == [False] * 5 + [True, True, False]


@pytest.mark.parametrize("call, message", [
    (lambda: eda.standardize(np.arange(6.0).reshape(3, 2), np.ones((2, 3))), "columns"),
    (lambda: eda.standardize(np.ones(3), np.ones((2, 3))), "2-D"),
    (lambda: eda.median_impute(np.full((3, 1), np.nan), np.ones((1, 1))), "entirely missing"),
    (lambda: eda.iqr_outliers(["a", "b"]), "numbers"),
    (lambda: eda.iqr_outliers([1.0, 2.0], k=0), "positive"),
    (lambda: eda.one_hot(["a"], ["a", "a"]), "distinct"),
    (lambda: eda.noise_columns(0, 3), "positive"),
    (lambda: eda.missing_report(np.ones(3)), "DataFrame"),
    (lambda: eda.draw_column(Figure(), pd.DataFrame({"a": [1.0], "t": [0]}), "b", "t"), "unknown column"),
    (lambda: eda.draw_column(Figure(), pd.DataFrame({"a": [1.0], "t": [0]}), "a", "t", "square"), "transform"),
])
def test_bad_arguments_say_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_missing_report_and_explorer_on_the_credit_table():
    frame = datasets.load_frame("credit")
    report = eda.missing_report(frame)
    assert report.index[0] == "income" and report.loc["income", "missing"] == 381
    explorer = eda.column_explorer(frame, "default")
    assert "381 missing" in explorer.status.value or "missing" in explorer.status.value
    explorer.set(column="income", transform="log1p")
    assert "income" in explorer.status.value and "381 missing" in explorer.status.value
    explorer.set(column="home")
    assert "categories" in explorer.status.value
    with pytest.raises(ValueError, match="besides the target"):
        eda.column_explorer(frame[["default"]], "default")
