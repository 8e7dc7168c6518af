"""Logistic regression as a statistician reads it: Newton-Raphson, fit statistics, tests, odds ratios.

Everything a SAS ``PROC LOGISTIC`` report prints, written with NumPy and SciPy's distributions, so
that notebook 47 can check each number against statsmodels. Also the small statistics vocabulary
(confidence intervals and their coverage). Introduced in notebook 47.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure
from scipy import stats

from utils.plots import PALETTE
from utils.training.activations import sigmoid  # notebook 07's, re-exported for notebook 47
from utils.widgets import Explorer


@dataclass(frozen=True)
class LogitFit:
    """A fitted logistic regression: coefficients, their covariance, log-likelihood and the path to it."""

    names: tuple[str, ...]
    beta: np.ndarray
    cov: np.ndarray
    loglik: float
    history: tuple[float, ...]  # log-likelihood after each Newton step (start first)

    @property
    def se(self) -> np.ndarray:
        """Standard errors: square roots of the diagonal of the inverse Fisher information."""
        return np.sqrt(np.diag(self.cov))

    @property
    def iterations(self) -> int:
        """Newton steps taken."""
        return len(self.history) - 1


def _design(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """``X`` as a float matrix (n, k) and ``y`` as a 0/1 vector (n,), or a clear error."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a matrix (n rows, k columns), got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X's rows, got {y.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X holds NaN or infinite values")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must hold only 0 and 1")
    return X, y


def log_likelihood(X: Any, y: Any, beta: Any) -> float:
    """Bernoulli log-likelihood sum(y log p + (1 - y) log(1 - p)) with p = sigmoid(X beta)."""
    X, y = _design(X, y)
    z = X @ np.asarray(beta, dtype=np.float64)
    return float(np.sum(y * z - np.logaddexp(0.0, z)))


def fisher_information(X: Any, beta: Any) -> np.ndarray:
    """X' W X with W = diag(p (1 - p)): minus the Hessian of the log-likelihood."""
    X = np.asarray(X, dtype=np.float64)
    p = sigmoid(X @ np.asarray(beta, dtype=np.float64))
    return X.T @ (X * (p * (1 - p))[:, None])


def newton_step(X: Any, y: Any, beta: Any) -> np.ndarray:
    """One Newton-Raphson step: beta + (X' W X)^-1 X' (y - p)."""
    X, y = _design(X, y)
    beta = np.asarray(beta, dtype=np.float64)
    score = X.T @ (y - sigmoid(X @ beta))
    return beta + np.linalg.solve(fisher_information(X, beta), score)


def fit_logit(X: Any, y: Any, names: Sequence[str] | None = None, tol: float = 1e-10,
              max_iter: int = 50) -> LogitFit:
    """Maximum-likelihood fit by Newton-Raphson from beta = 0, until the log-likelihood stops changing."""
    X, y = _design(X, y)
    names = tuple(names) if names is not None else tuple(f"x{j}" for j in range(X.shape[1]))
    if len(names) != X.shape[1]:
        raise ValueError(f"names must give one name per column of X ({X.shape[1]}), got {len(names)}")
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise ValueError("the columns of X are linearly dependent: the coefficients are not identified")
    beta = np.zeros(X.shape[1])
    history = [log_likelihood(X, y, beta)]
    for _ in range(max_iter):
        beta = newton_step(X, y, beta)
        history.append(log_likelihood(X, y, beta))
        if abs(history[-1] - history[-2]) < tol:
            break
    else:
        raise RuntimeError(f"Newton-Raphson did not converge in {max_iter} steps")
    if np.max(np.abs(sigmoid(X @ beta) - y)) < 1e-6:
        raise RuntimeError("the data are perfectly separated: the maximum-likelihood coefficients are "
                           "infinite (Newton-Raphson only climbs towards them)")
    cov = np.linalg.inv(fisher_information(X, beta))
    return LogitFit(names, beta, cov, history[-1], tuple(history))


def null_log_likelihood(y: Any) -> float:
    """Log-likelihood of the intercept-only model, whose fitted p is the share of ones."""
    y = np.asarray(y, dtype=np.float64)
    share = y.mean()
    if share in (0.0, 1.0):
        raise ValueError("y must hold both 0s and 1s")
    return float(y.sum() * np.log(share) + (len(y) - y.sum()) * np.log(1 - share))


def fit_statistics(loglik: float, n_params: int, n_obs: int) -> dict[str, float]:
    """SAS's model fit statistics: -2 log L, AIC = -2 log L + 2k and SC (BIC) = -2 log L + k ln n."""
    if n_params < 1 or n_obs < 1:
        raise ValueError(f"n_params and n_obs must be positive, got {n_params} and {n_obs}")
    minus_two = -2.0 * float(loglik)
    return {"-2 Log L": minus_two, "AIC": minus_two + 2 * n_params, "SC": minus_two + n_params * np.log(n_obs)}


def global_tests(X: Any, y: Any, fit: LogitFit) -> dict[str, tuple[float, int, float]]:
    """Likelihood-ratio, score and Wald tests of "every slope is 0": (chi-square, df, p-value).

    The first column of ``X`` must be the intercept; the score test is evaluated at the
    intercept-only fit (p = the share of ones).
    """
    X, y = _design(X, y)
    if not np.allclose(X[:, 0], 1.0):
        raise ValueError("the first column of X must be the intercept (all ones)")
    df = X.shape[1] - 1
    ratio = 2.0 * (fit.loglik - null_log_likelihood(y))
    beta_null = np.zeros(X.shape[1])
    beta_null[0] = np.log(y.mean() / (1 - y.mean()))
    score_vector = X.T @ (y - sigmoid(X @ beta_null))
    score = float(score_vector @ np.linalg.solve(fisher_information(X, beta_null), score_vector))
    slopes = fit.beta[1:]
    wald = float(slopes @ np.linalg.solve(fit.cov[1:, 1:], slopes))
    return {name: (value, df, float(stats.chi2.sf(value, df)))
            for name, value in (("Likelihood Ratio", ratio), ("Score", score), ("Wald", wald))}


def coefficient_table(fit: LogitFit) -> dict[str, np.ndarray]:
    """Estimate, standard error, Wald chi-square (estimate / se)^2 and its p-value (1 df), per coefficient."""
    wald = (fit.beta / fit.se) ** 2
    return {"estimate": fit.beta.copy(), "se": fit.se, "wald": wald, "p": stats.chi2.sf(wald, 1)}


def odds_ratios(fit: LogitFit, level: float = 0.95) -> dict[str, np.ndarray]:
    """Odds ratios exp(beta) of the slopes with Wald limits exp(beta -/+ z se)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")
    z = stats.norm.ppf(0.5 + level / 2)
    beta, se = fit.beta[1:], fit.se[1:]
    return {"ratio": np.exp(beta), "lower": np.exp(beta - z * se), "upper": np.exp(beta + z * se)}


def concordance(p: Any, y: Any) -> dict[str, float]:
    """Pairs of one event and one non-event: shares concordant, discordant and tied; c, Somers' D, gamma, tau-a.

    A pair is concordant when the event got the higher predicted probability. Exact: SAS rounds
    the probabilities to bins of 0.002 first (its BINWIDTH option), which can move a few pairs.
    """
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y)
    if p.shape != y.shape or p.ndim != 1:
        raise ValueError(f"p and y must be vectors of the same length, got {p.shape} and {y.shape}")
    events, others = p[y == 1], p[y == 0]
    if len(events) == 0 or len(others) == 0:
        raise ValueError("y must hold both 0s and 1s")
    difference = events[:, None] - others[None, :]
    pairs = difference.size
    concordant = int(np.sum(difference > 0))
    discordant = int(np.sum(difference < 0))
    tied = pairs - concordant - discordant
    n = len(y)
    return {
        "concordant": concordant / pairs, "discordant": discordant / pairs, "tied": tied / pairs,
        "pairs": pairs, "c": (concordant + 0.5 * tied) / pairs,
        "somers_d": (concordant - discordant) / pairs,
        "gamma": (concordant - discordant) / max(concordant + discordant, 1),
        "tau_a": (concordant - discordant) / (0.5 * n * (n - 1)),
    }


def report(X: Any, y: Any, names: Sequence[str], level: float = 0.95) -> str:
    """The whole report in the layout of SAS's PROC LOGISTIC (model fit, global tests, estimates, odds ratios, association)."""
    X, y = _design(X, y)
    fit = fit_logit(X, y, names)
    n = len(y)
    null = fit_statistics(null_log_likelihood(y), 1, n)
    full = fit_statistics(fit.loglik, X.shape[1], n)
    lines = ["Model Fit Statistics", f"{'Criterion':<12}{'Intercept Only':>16}{'Intercept and Covariates':>26}"]
    lines += [f"{key:<12}{null[key]:>16.3f}{full[key]:>26.3f}" for key in ("AIC", "SC", "-2 Log L")]
    lines += ["", "Testing Global Null Hypothesis: BETA=0", f"{'Test':<18}{'Chi-Square':>12}{'DF':>5}{'Pr > ChiSq':>12}"]
    for test, (value, df, p_value) in global_tests(X, y, fit).items():
        lines.append(f"{test:<18}{value:>12.4f}{df:>5}{p_value:>12.4f}")
    table = coefficient_table(fit)
    lines += ["", "Analysis of Maximum Likelihood Estimates",
              f"{'Parameter':<11}{'DF':>3}{'Estimate':>11}{'Std Error':>11}{'Wald Chi-Sq':>13}{'Pr > ChiSq':>12}"]
    for j, name in enumerate(fit.names):
        lines.append(f"{name:<11}{1:>3}{table['estimate'][j]:>11.4f}{table['se'][j]:>11.4f}"
                     f"{table['wald'][j]:>13.4f}{table['p'][j]:>12.4f}")
    ratios = odds_ratios(fit, level)
    percent = f"{100 * level:g}%"
    lines += ["", "Odds Ratio Estimates", f"{'Effect':<11}{'Point Estimate':>16}{percent + ' Wald Confidence Limits':>30}"]
    for j, name in enumerate(fit.names[1:]):
        lines.append(f"{name:<11}{ratios['ratio'][j]:>16.3f}{ratios['lower'][j]:>15.3f}{ratios['upper'][j]:>15.3f}")
    assoc = concordance(sigmoid(X @ fit.beta), y)
    lines += ["", "Association of Predicted Probabilities and Observed Responses",
              f"Percent Concordant {100 * assoc['concordant']:5.1f}    Somers' D {assoc['somers_d']:.3f}",
              f"Percent Discordant {100 * assoc['discordant']:5.1f}    Gamma     {assoc['gamma']:.3f}",
              f"Percent Tied       {100 * assoc['tied']:5.1f}    Tau-a     {assoc['tau_a']:.3f}",
              f"Pairs              {assoc['pairs']:5d}    c         {assoc['c']:.3f}"]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The statistics vocabulary: confidence intervals and what "95%" promises
# ---------------------------------------------------------------------------------------------

def mean_interval(sample: Any, level: float = 0.95) -> tuple[float, float]:
    """The t confidence interval for a mean: mean -/+ t(n-1) * s / sqrt(n), with s the n-1 standard deviation."""
    sample = np.asarray(sample, dtype=np.float64)
    if sample.ndim != 1 or len(sample) < 2:
        raise ValueError(f"sample must be a vector of at least 2 values, got shape {sample.shape}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")
    half = stats.t.ppf(0.5 + level / 2, len(sample) - 1) * sample.std(ddof=1) / np.sqrt(len(sample))
    return float(sample.mean() - half), float(sample.mean() + half)


def interval_explorer(mean: float = 50.0, sd: float = 10.0, n: int = 10, level: float = 0.95,
                      repeats: int = 60, seed: int = 0) -> Explorer:
    """Draw ``repeats`` samples of size n; see each one's confidence interval and how many cover the true mean."""
    sizes = (3, 5, 10, 20, 50, 100, 200)
    levels = (0.5, 0.8, 0.9, 0.95, 0.99)
    if n not in sizes or level not in levels:
        raise ValueError(f"n must be one of {sizes} and level one of {levels}, got {n} and {level}")
    if sd <= 0 or repeats < 2:
        raise ValueError(f"sd must be positive and repeats at least 2, got {sd} and {repeats}")
    rng = np.random.default_rng(seed)
    samples = {size: rng.normal(mean, sd, size=(repeats, size)) for size in sizes}
    centres = {size: draws.mean(axis=1) for size, draws in samples.items()}
    spreads = {size: draws.std(axis=1, ddof=1) / np.sqrt(size) for size, draws in samples.items()}
    parts: dict[str, Any] = {}
    rows = np.arange(repeats)

    def build(fig: Figure) -> None:
        ax = fig.subplots()
        parts["hit"] = ax.hlines([], [], [], color=PALETTE[0], linewidth=2, label="covers the true mean")
        parts["miss"] = ax.hlines([], [], [], color=PALETTE[3], linewidth=2.5, label="misses it")
        (parts["dots"],) = ax.plot([], [], "k.", markersize=3)
        ax.axvline(mean, color="k", linestyle="--", linewidth=1, label=f"true mean {mean:g}")
        ax.set(xlim=(mean - 4 * sd, mean + 4 * sd), ylim=(-1, repeats), xlabel="value",
               ylabel="sample number", title=f"{repeats} samples, each with its confidence interval")
        ax.legend(loc="upper right", fontsize=8)

    def draw(fig: Figure, n: int, level: float) -> str:
        if not parts:
            build(fig)
        half = stats.t.ppf(0.5 + level / 2, n - 1) * spreads[n]
        low, high = centres[n] - half, centres[n] + half
        covers = (low <= mean) & (mean <= high)
        for key, keep in (("hit", covers), ("miss", ~covers)):
            parts[key].set_segments([[(a, r), (b, r)] for a, b, r in zip(low[keep], high[keep], rows[keep])])
        parts["dots"].set_data(centres[n], rows)
        return (f"n = {n}, level {level:.0%}: {covers.sum()} of {repeats} intervals cover the true mean "
                f"({covers.mean():.0%}); average width {np.mean(high - low):.2f}")

    controls = {
        "n": ipw.SelectionSlider(options=sizes, value=n, description="sample size n", continuous_update=False),
        "level": ipw.SelectionSlider(options=levels, value=level, description="level", continuous_update=False),
    }
    return Explorer(controls, draw, figsize=(8.0, 4.4), rebuild=False)
