"""The logistic-regression report of notebook 47 against statsmodels, scikit-learn and SciPy; bad inputs."""

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from sklearn.metrics import roc_auc_score

from utils.toolbox import logistic


@pytest.fixture(scope="module")
def spector():
    data = sm.datasets.spector.load_pandas()
    X = sm.add_constant(data.exog)
    return X.to_numpy(), data.endog.to_numpy(), list(X.columns)


def test_fit_equals_statsmodels(spector):
    X, y, names = spector
    ours = logistic.fit_logit(X, y, names)
    theirs = sm.Logit(y, X).fit(disp=0)
    np.testing.assert_allclose(ours.beta, theirs.params, rtol=1e-9)
    np.testing.assert_allclose(ours.se, theirs.bse, rtol=1e-8)
    assert ours.loglik == pytest.approx(theirs.llf, abs=1e-10)
    assert ours.iterations <= 10 and ours.history[0] == pytest.approx(len(y) * np.log(0.5))
    assert np.all(np.diff(ours.history) > -1e-12)  # Newton climbs the log-likelihood here


def test_fit_statistics_and_global_tests(spector):
    X, y, names = spector
    fit = logistic.fit_logit(X, y, names)
    theirs = sm.Logit(y, X).fit(disp=0)
    full = logistic.fit_statistics(fit.loglik, X.shape[1], len(y))
    assert full["AIC"] == pytest.approx(theirs.aic, abs=1e-9)
    assert full["SC"] == pytest.approx(theirs.bic, abs=1e-9)
    assert logistic.null_log_likelihood(y) == pytest.approx(theirs.llnull, abs=1e-9)
    tests = logistic.global_tests(X, y, fit)
    assert tests["Likelihood Ratio"][0] == pytest.approx(theirs.llr, abs=1e-8)
    null = sm.Logit(y, X[:, :1]).fit(disp=0)
    score = null.score_test(exog_extra=X[:, 1:])
    assert tests["Score"][0] == pytest.approx(float(score[0][0]), abs=1e-8)  # a tuple in statsmodels 0.14
    wald = theirs.wald_test(np.eye(4)[1:], scalar=True)
    assert tests["Wald"][0] == pytest.approx(float(wald.statistic), abs=1e-7)
    assert tests["Wald"][2] == pytest.approx(float(wald.pvalue), abs=1e-9)
    # SAS's published numbers for this example (PROC LOGISTIC on Spector and Mazzeo's data)
    assert round(tests["Score"][0], 4) == 13.3088 and round(full["-2 Log L"], 3) == 25.779


def test_coefficients_odds_ratios_and_concordance(spector):
    X, y, names = spector
    fit = logistic.fit_logit(X, y, names)
    theirs = sm.Logit(y, X).fit(disp=0)
    table = logistic.coefficient_table(fit)
    np.testing.assert_allclose(table["wald"], theirs.tvalues ** 2, rtol=1e-8)
    np.testing.assert_allclose(table["p"], theirs.pvalues, rtol=1e-7)
    ratios = logistic.odds_ratios(fit)
    np.testing.assert_allclose(ratios["lower"], np.exp(theirs.conf_int()[1:, 0]), rtol=1e-8)
    np.testing.assert_allclose(ratios["upper"], np.exp(theirs.conf_int()[1:, 1]), rtol=1e-8)
    p = logistic.sigmoid(X @ fit.beta)
    assoc = logistic.concordance(p, y)
    assert assoc["c"] == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert assoc["somers_d"] == pytest.approx(stats.somersd(y, p).statistic, abs=1e-12)
    assert assoc["pairs"] == 11 * 21


def test_concordance_counts_ties_as_half():
    assoc = logistic.concordance([0.2, 0.2, 0.9, 0.1], [1, 0, 1, 0])
    assert assoc["pairs"] == 4 and assoc["tied"] == 0.25 and assoc["c"] == pytest.approx(0.875)


def test_report_has_every_sas_section(spector):
    X, y, names = spector
    text = logistic.report(X, y, names)
    for heading in ("Model Fit Statistics", "Testing Global Null Hypothesis", "Analysis of Maximum Likelihood",
                    "Odds Ratio Estimates", "Association of Predicted Probabilities"):
        assert heading in text
    assert "41.183" in text and "15.4042" in text and "0.883" in text


def test_mean_interval_equals_scipy():
    sample = np.random.default_rng(0).normal(3, 2, size=25)
    low, high = logistic.mean_interval(sample, 0.9)
    expected = stats.t.interval(0.9, 24, loc=sample.mean(), scale=stats.sem(sample))
    assert (low, high) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("call, match", [
    (lambda: logistic.fit_logit(np.ones(5), np.ones(5)), "matrix"),
    (lambda: logistic.fit_logit(np.ones((5, 2)), np.ones(4)), "shape"),
    (lambda: logistic.fit_logit(np.ones((4, 1)), np.array([0, 1, 2, 1])), "only 0 and 1"),
    (lambda: logistic.fit_logit(np.array([[1, np.nan], [1, 2.0]]), np.array([0, 1])), "NaN"),
    (lambda: logistic.fit_logit(np.ones((4, 2)), np.array([0, 1, 0, 1])), "linearly dependent"),
    (lambda: logistic.fit_logit(np.ones((4, 1)), np.array([0, 1, 0, 1]), names=["a", "b"]), "one name per column"),
    (lambda: logistic.fit_logit(np.column_stack([np.ones(4), [1, 2, 3, 4]]), np.array([0, 0, 1, 1])),
     "perfectly separated"),
    (lambda: logistic.null_log_likelihood(np.ones(4)), "both 0s and 1s"),
    (lambda: logistic.fit_statistics(-3.0, 0, 10), "positive"),
    (lambda: logistic.concordance([0.1, 0.2], [1, 1]), "both 0s and 1s"),
    (lambda: logistic.concordance([0.1, 0.2], [1, 0, 1]), "same length"),
    (lambda: logistic.mean_interval([1.0], 0.95), "at least 2"),
    (lambda: logistic.mean_interval([1.0, 2.0], 95), "strictly between"),
    (lambda: logistic.interval_explorer(n=7), "one of"),
])
def test_bad_inputs_say_what_is_wrong(call, match):
    with pytest.raises((ValueError, RuntimeError), match=match):
        call()


def test_global_tests_need_the_intercept_first(spector):
    X, y, names = spector
    fit = logistic.fit_logit(X[:, ::-1], y, names[::-1])
    with pytest.raises(ValueError, match="intercept"):
        logistic.global_tests(X[:, ::-1], y, fit)


def test_interval_explorer_coverage_follows_the_level():
    explorer = logistic.interval_explorer(n=10, level=0.95, repeats=200, seed=1)
    before = explorer.png()
    explorer.set(level=0.5)
    assert explorer.png() != before
    covered = int(explorer.status.value.split(" of ")[0].split(": ")[-1])
    assert 70 <= covered <= 130  # about half of 200
    explorer.set(level=0.99)
    covered = int(explorer.status.value.split(" of ")[0].split(": ")[-1])
    assert covered >= 190
