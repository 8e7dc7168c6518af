"""Exercise checks of notebook 46 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.exercises import nb46_eda as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def standardize(X_train, X_test):
    return (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)


def iqr_outliers(values):
    q1, q3 = np.nanpercentile(values, [25, 75])
    spread = q3 - q1
    return (values < q1 - 1.5 * spread) | (values > q3 + 1.5 * spread)


def one_hot(values, categories):
    return np.array([[1.0 if value == category else 0.0 for category in categories] for value in values])


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_standardize, standardize),
    (ex.evaluate_standardize, lambda a, b: standardize(a, b).tolist()),
    (ex.evaluate_iqr_outliers, iqr_outliers),
    (ex.evaluate_iqr_outliers, lambda v: list(iqr_outliers(v))),
    (ex.evaluate_one_hot, one_hot),
    (ex.evaluate_one_hot, lambda v, c: one_hot(v, c).astype(int)),
    (ex.evaluate_one_hot, lambda v, c: (np.asarray(v)[:, None] == np.asarray(c)[None, :]).astype(float)),
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_standardize, lambda a, b: (b - b.mean(axis=0)) / b.std(axis=0), "TRAINING rows"),
    (ex.evaluate_standardize, lambda a, b: (b - a.mean(axis=0)) / a.std(axis=0, ddof=1), "ddof=0"),
    (ex.evaluate_standardize, lambda a, b: b / a.std(axis=0), "subtract the training mean"),
    (ex.evaluate_standardize, lambda a, b: (b - a.mean()) / a.std(), "COLUMN"),
    (ex.evaluate_iqr_outliers, lambda v: ex._iqr_variant(v, k=3.0), "far out"),
    (ex.evaluate_iqr_outliers, lambda v: ex._iqr_variant(v, upper_only=True), "both tails"),
    (ex.evaluate_iqr_outliers, ex._around_median, "not at the median"),
    (ex.evaluate_iqr_outliers, ex._z_rule, "mean and standard deviation"),
    (ex.evaluate_one_hot, ex._unknown_column, "ZEROS"),
    (ex.evaluate_one_hot, lambda v, c: one_hot(v, sorted(c)), "not sorted"),
    (ex.evaluate_one_hot, lambda v, c: one_hot(v, c)[:, 1:], "dropping the first"),
    (ex.evaluate_one_hot, ex._uniform_unknown, "a bit of every category"),
])
def test_plausible_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed
    assert result.message.startswith("❌") and hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_standardize, ex.evaluate_iqr_outliers, ex.evaluate_one_hot])
def test_todo_crash_and_nan_never_raise(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    assert evaluate(crash).message.startswith("❌")
    assert evaluate(lambda *a: np.nan).message.startswith("❌")
    assert evaluate("answer").message.startswith("❌")


def test_points_and_not_allowed_cover_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"standardize", "iqr_outliers", "one_hot"}
