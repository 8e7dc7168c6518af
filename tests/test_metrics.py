"""utils.training.metrics (notebook 19): every metric equals scikit-learn's, with ties; costs; the explorer."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn import metrics as skm  # noqa: E402

from utils.training import metrics  # noqa: E402


def _scores(n=400, seed=0, decimals=2):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    return y, np.round(rng.random(n) * 0.7 + 0.3 * y, decimals)  # rounding makes ties


def test_confusion_and_precision_recall_f1():
    y, s = _scores()
    pred = (s >= 0.5).astype(int)
    np.testing.assert_array_equal(metrics.confusion_counts(y, pred), skm.confusion_matrix(y, pred))
    p, r, f = metrics.precision_recall_f1(y, pred)
    assert (p, r, f) == pytest.approx((skm.precision_score(y, pred), skm.recall_score(y, pred), skm.f1_score(y, pred)))
    assert metrics.precision_recall_f1(y, np.zeros_like(y)) == (0.0, 0.0, 0.0)
    assert metrics.confusion_counts(y, pred).dtype.kind == "i"


@pytest.mark.parametrize("decimals", [1, 2, 8])
def test_roc_auc_and_rank_auc_equal_scikit_learn(decimals):
    y, s = _scores(decimals=decimals)
    fpr, tpr, thresholds = metrics.roc_curve(y, s)
    sk_fpr, sk_tpr, sk_thresholds = skm.roc_curve(y, s, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)
    np.testing.assert_allclose(thresholds[1:], sk_thresholds[1:])
    assert abs(metrics.roc_auc(y, s) - skm.roc_auc_score(y, s)) <= 1e-12
    assert abs(metrics.rank_auc(y, s) - skm.roc_auc_score(y, s)) <= 1e-12


def test_pr_curve_and_average_precision_equal_scikit_learn():
    y, s = _scores()
    precision, recall, thresholds = metrics.pr_curve(y, s)
    sk_precision, sk_recall, sk_thresholds = skm.precision_recall_curve(y, s)
    np.testing.assert_allclose(precision[::-1], sk_precision[:-1])
    np.testing.assert_allclose(recall[::-1], sk_recall[:-1])
    np.testing.assert_allclose(thresholds[::-1], sk_thresholds)
    assert abs(metrics.average_precision(y, s) - skm.average_precision_score(y, s)) <= 1e-12


def test_trapezoid_area_exact_and_checked():
    assert metrics.trapezoid_area([0, 0.5, 1], [0, 1, 1]) == pytest.approx(0.75)
    assert metrics.trapezoid_area([1, 0.5, 0], [1, 1, 0]) == pytest.approx(0.75)
    with pytest.raises(ValueError, match="sorted"):
        metrics.trapezoid_area([0, 1, 0.5], [0, 1, 1])


def test_regression_metrics_equal_scikit_learn():
    rng = np.random.default_rng(4)
    y = rng.normal(10, 3, 80)
    f = y + rng.normal(0, 1, 80)
    assert metrics.mae(y, f) == pytest.approx(skm.mean_absolute_error(y, f), rel=1e-12)
    assert metrics.rmse(y, f) == pytest.approx(np.sqrt(skm.mean_squared_error(y, f)), rel=1e-12)
    assert metrics.r2(y, f) == pytest.approx(skm.r2_score(y, f), rel=1e-12)
    with pytest.raises(ValueError, match="constant"):
        metrics.r2(np.ones(5), np.arange(5.0))


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="y_true"):
        metrics.roc_curve([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="one class"):
        metrics.roc_curve([1, 1, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="NaN"):
        metrics.roc_auc([0, 1], [0.1, np.nan])
    with pytest.raises(ValueError, match="labels but y_score"):
        metrics.roc_auc([0, 1, 0], [0.1, 0.2])
    with pytest.raises(ValueError, match="non-negative"):
        metrics.threshold_state([0, 1], [0.2, 0.8], 0.5, cost_fp=-1)


def test_cost_curve_counts_the_errors():
    y = np.array([0, 0, 1, 1])
    p = np.array([0.1, 0.6, 0.4, 0.9])
    # threshold 0.5: one false positive (0.6) and one false negative (0.4)
    assert metrics.threshold_state(y, p, 0.5, 1.0, 5.0)["cost"] == pytest.approx((1 + 5) / 4)
    np.testing.assert_allclose(metrics.cost_curve(y, p, [0.0, 0.5, 1.0], 1.0, 5.0), [2 / 4, 6 / 4, 10 / 4])
    y, s = _scores()
    grid = np.linspace(0.01, 0.99, 25)
    looped = [metrics.threshold_state(y, s, t, 2.0, 3.0)["cost"] for t in grid]
    np.testing.assert_allclose(metrics.cost_curve(y, s, grid, 2.0, 3.0), looped)


def test_threshold_explorer_moves_the_point_and_the_cheapest_threshold():
    y, s = _scores(decimals=6)
    explorer = metrics.threshold_explorer(y, s, threshold=0.5)
    before = explorer.view.value
    explorer.set(threshold=0.3)
    assert explorer.view.value != before and "threshold 0.30" in explorer.status.value
    explorer.set(cost_fn=1.0)
    low = float(explorer.status.value.split("cheapest threshold ")[1].rstrip("</b>"))
    explorer.set(cost_fn=10.0)
    high = float(explorer.status.value.split("cheapest threshold ")[1].rstrip("</b>"))
    assert high <= low  # a dearer missed default never raises the cheapest threshold
