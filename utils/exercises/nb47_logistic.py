"""Exercises of notebook 47 (reading a logistic-regression report): a Newton-Raphson step, the Wald table, the c statistic."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from scipy import stats

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.toolbox import logistic

# ---------------------------------------------------------------------------------------------
# Exercise 1: one Newton-Raphson step
# ---------------------------------------------------------------------------------------------


def _design(n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=(n, k - 1))])
    beta = rng.normal(scale=0.7, size=k)
    y = (rng.random(n) < logistic.sigmoid(X @ beta + rng.normal(scale=0.5, size=n))).astype(float)
    return X, y, beta


def _step_parts(X: Any, y: Any, beta: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, y, beta = (np.asarray(a, dtype=np.float64) for a in (X, y, beta))
    p = logistic.sigmoid(X @ beta)
    return X, y - p, p, beta


def _step_without_weights(X: Any, y: Any, beta: Any) -> np.ndarray:
    X, residual, _, beta = _step_parts(X, y, beta)
    return beta + np.linalg.solve(X.T @ X, X.T @ residual)


def _step_weights_p(X: Any, y: Any, beta: Any) -> np.ndarray:
    X, residual, p, beta = _step_parts(X, y, beta)
    return beta + np.linalg.solve(X.T @ (X * p[:, None]), X.T @ residual)


def _gradient_only(X: Any, y: Any, beta: Any) -> np.ndarray:
    X, residual, _, beta = _step_parts(X, y, beta)
    return beta + X.T @ residual


def _step_only(X: Any, y: Any, beta: Any) -> np.ndarray:
    return logistic.newton_step(X, y, beta) - np.asarray(beta, dtype=np.float64)


def _step_backwards(X: Any, y: Any, beta: Any) -> np.ndarray:
    beta = np.asarray(beta, dtype=np.float64)
    return 2 * beta - logistic.newton_step(X, y, beta)


def _step_mean(X: Any, y: Any, beta: Any) -> np.ndarray:
    X, residual, p, beta = _step_parts(X, y, beta)
    return beta + np.linalg.solve(X.T @ (X * (p * (1 - p))[:, None]), X.T @ residual / len(residual))


def _step_wrong_sigmoid(X: Any, y: Any, beta: Any) -> np.ndarray:
    X, y, beta = (np.asarray(a, dtype=np.float64) for a in (X, y, beta))
    p = logistic.sigmoid(-(X @ beta))
    return beta + np.linalg.solve(X.T @ (X * (p * (1 - p))[:, None]), X.T @ (y - p))


def _newton_cases() -> list[Case]:
    cases = []
    for n, k, seed in ((12, 3, 1), (30, 2, 2), (8, 4, 3), (50, 3, 4)):
        X, y, beta = _design(n, k, seed)
        cases.append(Case((X, y, beta)))
    X, y, _ = _design(20, 3, 5)
    cases.append(Case((X, y, np.zeros(3))))  # the usual starting point comes last
    return cases


@guarded
def evaluate_newton_step(newton_step: Callable[..., Any]) -> Result:
    """Evaluate ``newton_step(X, y, beta)`` → the next coefficients beta + (X'WX)^-1 X'(y - p)."""
    mistakes = [
        Mistake("the step goes uphill on the log-likelihood: add (X'WX)^-1 X'(y - p) to beta. Check the "
                "sign of the score X'(y - p) and that you solve with X'WX, minus the Hessian.", _step_backwards),
        Mistake("return the NEW coefficients, beta plus the step, not the step alone.", _step_only),
        Mistake("the information matrix weights each row by p(1 - p): X'WX with W = diag(p (1 - p)), not X'X.",
                _step_without_weights),
        Mistake("the weight of a row is the Bernoulli variance p(1 - p), not p.", _step_weights_p),
        Mistake("that is a gradient-ascent step with learning rate 1; Newton's method scales the score by "
                "the inverse information (X'WX)^-1.", _gradient_only),
        Mistake("the fitted probability is p = 1 / (1 + exp(-X @ beta)); your p is 1 - p (the sign in "
                "the exponent).", _step_wrong_sigmoid),
        Mistake("use the score X'(y - p) summed over the rows, not averaged: the information X'WX is a sum too.",
                _step_mean),
    ]
    return evaluate_function(
        newton_step, logistic.newton_step, _newton_cases(), name="newton_step", mistakes=mistakes,
        check_dtype=False, rtol=1e-6, atol=1e-9, axes=("coefficient",),
        success="A handful of these steps is all statsmodels (and SAS) do to fit the model.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: the table of standard errors, Wald chi-squares and p-values
# ---------------------------------------------------------------------------------------------


def _wald_reference(beta: Any, cov: Any) -> np.ndarray:
    beta, cov = np.asarray(beta, dtype=np.float64), np.asarray(cov, dtype=np.float64)
    se = np.sqrt(np.diag(cov))
    wald = (beta / se) ** 2
    return np.column_stack([se, wald, stats.chi2.sf(wald, 1)])


def _wald_variant(beta: Any, cov: Any, *, se: str = "sqrt", statistic: str = "square", p: str = "sf1") -> np.ndarray:
    beta, cov = np.asarray(beta, dtype=np.float64), np.asarray(cov, dtype=np.float64)
    errors = {"sqrt": np.sqrt(np.diag(cov)), "variance": np.diag(cov),
              "rows": np.sqrt(np.abs(cov.sum(axis=1)))}[se]
    z = beta / errors
    wald = z ** 2 if statistic == "square" else z
    chi = z ** 2
    p_value = {"sf1": stats.chi2.sf(chi, 1), "cdf": stats.chi2.cdf(chi, 1), "double": 2 * stats.chi2.sf(chi, 1),
               "half": stats.norm.sf(np.abs(z)), "dfk": stats.chi2.sf(chi, len(beta)),
               "signed": stats.norm.sf(z) * 2}[p]
    return np.column_stack([errors, wald, p_value])


def _wald_cases() -> list[Case]:
    rng = np.random.default_rng(47)
    cases = []
    for k in (4, 3, 2, 5):
        A = rng.normal(size=(k, k))
        cov = A @ A.T / k + 0.2 * np.eye(k)
        beta = rng.normal(scale=1.5, size=k)
        beta[0] = -abs(beta[0]) - 0.5  # a negative coefficient in every case: the sign must not matter
        cases.append(Case((beta, cov)))
    return cases


@guarded
def evaluate_wald_table(wald_table: Callable[..., Any]) -> Result:
    """Evaluate ``wald_table(beta, cov)`` → array (k, 3): standard error, Wald chi-square, p-value per coefficient."""
    mistakes = [
        Mistake("the standard error is the square root of the variance on the diagonal of cov.",
                lambda b, c: _wald_variant(b, c, se="variance")),
        Mistake("a coefficient's variance is its diagonal entry of cov, not a row sum.",
                lambda b, c: _wald_variant(b, c, se="rows")),
        Mistake("the Wald chi-square is the SQUARE of z = estimate / standard error.",
                lambda b, c: _wald_variant(b, c, statistic="z")),
        Mistake("the p-value is the upper tail Pr(chi-square > W) = stats.chi2.sf(W, 1), not the cdf.",
                lambda b, c: _wald_variant(b, c, p="cdf")),
        Mistake("the chi-square test is already two-sided (it squares z): don't double its tail.",
                lambda b, c: _wald_variant(b, c, p="double")),
        Mistake("that is the one-sided normal tail; Pr(chi2(1) > z^2) equals 2 Pr(Z > |z|).",
                lambda b, c: _wald_variant(b, c, p="half")),
        Mistake("each coefficient's test has 1 degree of freedom.", lambda b, c: _wald_variant(b, c, p="dfk")),
        Mistake("use |z| in the normal tail (or the chi-square of z^2): a negative estimate gave a p-value "
                "above 1 or near 2.", lambda b, c: _wald_variant(b, c, p="signed")),
    ]
    return evaluate_function(
        wald_table, _wald_reference, _wald_cases(), name="wald_table", mistakes=mistakes, check_dtype=False,
        rtol=1e-6, atol=1e-10, axes=("coefficient", "column (se, Wald chi-square, p)"),
        success="These are the last three columns of SAS's \"Analysis of Maximum Likelihood Estimates\".",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: the c statistic
# ---------------------------------------------------------------------------------------------


def _c_reference(p: Any, y: Any) -> float:
    return float(logistic.concordance(p, y)["c"])


def _c_variant(p: Any, y: Any, *, tie: float = 0.5, flip: bool = False, all_pairs: bool = False) -> float:
    p, y = np.asarray(p, dtype=np.float64), np.asarray(y)
    difference = p[y == 1][:, None] - p[y == 0][None, :]
    if flip:
        difference = -difference
    good = np.sum(difference > 0) + tie * np.sum(difference == 0)
    pairs = len(y) * (len(y) - 1) / 2 if all_pairs else difference.size
    return float(good / pairs)


def _c_cases() -> list[Case]:
    rng = np.random.default_rng(470)
    cases = [Case((np.array([0.9, 0.4, 0.4, 0.7, 0.2, 0.4, 0.8, 0.1, 0.55]), np.array([1, 1, 0, 0, 0, 1, 1, 0, 1])))]
    for n in (15, 40):
        y = (rng.random(n) < 0.4).astype(int)
        y[:2] = [0, 1]
        p = np.round(np.clip(0.35 + 0.3 * y + rng.normal(scale=0.25, size=n), 0.01, 0.99), 1)  # ties
        cases.append(Case((p, y)))
    cases.append(Case((np.array([0.3, 0.6, 0.2, 0.8, 0.55]), np.array([0, 1, 1, 0, 1]))))
    return cases


@guarded
def evaluate_c_statistic(c_statistic: Callable[..., Any]) -> Result:
    """Evaluate ``c_statistic(p, y)`` → the share of (event, non-event) pairs ranked right, ties counting half."""
    mistakes = [
        Mistake("a tied pair (same predicted probability) counts one half, not zero.",
                lambda p, y: _c_variant(p, y, tie=0.0)),
        Mistake("a tied pair counts one half, not a whole concordant pair.", lambda p, y: _c_variant(p, y, tie=1.0)),
        Mistake("a pair is concordant when the EVENT (y = 1) has the higher probability; you counted the "
                "reverse (your answer is 1 - c).", lambda p, y: _c_variant(p, y, flip=True)),
        Mistake("only pairs of one event and one non-event count: divide by n1 * n0, not by all n(n-1)/2 pairs.",
                lambda p, y: _c_variant(p, y, all_pairs=True)),
        Mistake("that is Somers' D = 2c - 1; c itself is the share of concordant pairs plus half the ties.",
                lambda p, y: 2 * _c_reference(p, y) - 1),
        Mistake("c compares pairs, not predictions with a 0.5 threshold: that is the accuracy.",
                lambda p, y: float(np.mean((np.asarray(p) >= 0.5) == (np.asarray(y) == 1)))),
    ]
    return evaluate_function(
        c_statistic, _c_reference, _c_cases(), name="c_statistic", mistakes=mistakes, check_dtype=False,
        rtol=1e-6, atol=1e-8, success="The c statistic is the area under the ROC curve of notebook 19.",
    )


check_newton_step = printer(evaluate_newton_step)
check_wald_table = printer(evaluate_wald_table)
check_c_statistic = printer(evaluate_c_statistic)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"newton_step": 2, "wald_table": 2, "c_statistic": 1}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "newton_step": ("logistic.fit_logit", "statsmodels", "sm.Logit", "LogisticRegression"),
    "wald_table": ("logistic.coefficient_table", "statsmodels"),
    "c_statistic": ("logistic.concordance", "roc_auc_score", "somersd", "sklearn"),
}
