"""Anomaly detection helpers of notebook 51: the engine generator, Gaussian densities against SciPy, thresholds."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm
from sklearn.metrics import f1_score

from utils.toolbox import anomaly


def test_engines_are_seeded_and_labelled():
    first, again, other = anomaly.make_engines(500, 10, 0), anomaly.make_engines(500, 10, 0), anomaly.make_engines(500, 10, 1)
    assert np.array_equal(first.X, again.X) and not np.array_equal(first.X, other.X)
    assert first.X.shape == (510, 6) and first.y.sum() == 10 and len(first.features) == 6
    normal = first.X[first.y == 0]
    assert np.corrcoef(normal[:, 0], normal[:, 1])[0, 1] > 0.8  # heat and vibration go together


def test_densities_equal_scipy():
    engines = anomaly.make_engines(400, 4, 3)
    mean, variance = anomaly.fit_gaussian(engines.X)
    expected = norm.logpdf(engines.X, mean, np.sqrt(variance)).sum(axis=1)
    np.testing.assert_allclose(anomaly.independent_log_density(engines.X, mean, variance), expected, rtol=1e-12)
    mean, covariance = anomaly.fit_multivariate(engines.X)
    np.testing.assert_allclose(anomaly.multivariate_log_density(engines.X, mean, covariance),
                               multivariate_normal(mean, covariance).logpdf(engines.X), rtol=1e-10)
    np.testing.assert_allclose(covariance, np.cov(engines.X.T, bias=True))


def test_multivariate_model_finds_the_correlation_breakers():
    train = anomaly.make_engines(3000, 2, 0)
    normal = train.X[train.y == 0]
    validation, test = anomaly.make_engines(1000, 20, 1), anomaly.make_engines(1000, 20, 2)
    mean, covariance = anomaly.fit_multivariate(normal)
    epsilon, _ = anomaly.select_threshold(anomaly.multivariate_log_density(validation.X, mean, covariance),
                                          validation.y)
    assert anomaly.f1_score(anomaly.multivariate_log_density(test.X, mean, covariance) < epsilon, test.y) >= 0.7


def test_f1_and_threshold_selection():
    rng = np.random.default_rng(0)
    y = (rng.random(200) < 0.1).astype(int)
    score = rng.normal(size=200) - 2 * y
    flagged = score < -1.0
    assert anomaly.f1_score(flagged, y) == pytest.approx(f1_score(y, flagged))
    epsilon, best = anomaly.select_threshold(score, y)
    scan = max(f1_score(y, score < t) for t in np.unique(score))
    assert best == pytest.approx(scan) and anomaly.f1_score(score < epsilon, y) == pytest.approx(best)
    assert anomaly.f1_score(np.zeros(5, bool), [0, 1, 0, 0, 1]) == 0.0


@pytest.mark.parametrize("call, match", [
    (lambda: anomaly.make_engines(5, 2), "at least 10"),
    (lambda: anomaly.fit_gaussian(np.ones(4)), "finite matrix"),
    (lambda: anomaly.independent_log_density(np.ones((3, 2)), [0.0], [1.0]), "2 values"),
    (lambda: anomaly.independent_log_density(np.ones((3, 2)), [0.0, 0.0], [1.0, 0.0]), "positive"),
    (lambda: anomaly.multivariate_log_density(np.ones((3, 2)), [0.0, 0.0], np.zeros((2, 2))), "positive definite"),
    (lambda: anomaly.multivariate_log_density(np.ones((3, 2)), [0.0], np.eye(2)), "shape"),
    (lambda: anomaly.select_threshold([0.1, 0.2], [0, 0]), "both normal and anomalous"),
    (lambda: anomaly.select_threshold([0.1, 0.2], [0, 1, 1]), "same length"),
    (lambda: anomaly.threshold_explorer(np.ones((4, 3)), [0, 1, 0, 0], np.zeros(3), np.eye(3), "abc", -3.0),
     "2 columns"),
])
def test_bad_inputs_say_what_is_wrong(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_threshold_explorer_flags_more_as_epsilon_rises():
    train = anomaly.make_engines(1000, 2, 0)
    validation = anomaly.make_engines(500, 10, 1)
    mean, covariance = anomaly.fit_multivariate(train.X[train.y == 0][:, :2])
    explorer = anomaly.threshold_explorer(validation.X[:, :2], validation.y, mean, covariance,
                                          anomaly.ENGINE_FEATURES[:2], -10.0)
    flagged_low = int(explorer.status.value.split(": ")[1].split(" flagged")[0])
    before = explorer.png()
    explorer.set(log_epsilon=-6.0)
    flagged_high = int(explorer.status.value.split(": ")[1].split(" flagged")[0])
    assert flagged_high > flagged_low and explorer.png() != before
