"""Exercises of notebook 17 (hyperparameter tuning)."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer


def _log_uniform(u: Any, low: float, high: float) -> np.ndarray:
    return low * (high / low) ** np.asarray(u, dtype=np.float64)


@guarded
def evaluate_log_uniform(log_uniform: Callable[[Any, float, float], Any]) -> Result:
    """Evaluate ``log_uniform(u, low, high)``: uniform u in [0, 1] spread evenly over log10 [low, high]."""
    rng = np.random.default_rng(17)
    cases = [
        Case((np.array([0.0, 0.25, 0.5, 0.9]), 1e-4, 1e-1)),
        Case((rng.random(6), 16.0, 256.0)),
        Case((rng.random((2, 3)), 0.5, 2.0)),
        Case((0.3, 1e-5, 1e-2)),
    ]
    log10 = np.log10
    mistakes = [
        Mistake("that is uniform on a LINEAR scale, low + u·(high − low): most samples land near high.",
                lambda u, lo, hi: lo + np.asarray(u) * (hi - lo)),
        Mistake("take the logarithm of the bounds first: 10^(log10 low + u·(log10 high − log10 low)); "
                "you raised 10 to the bounds themselves.",
                lambda u, lo, hi: 10.0 ** (lo + np.asarray(u) * (hi - lo))),
        Mistake("you returned the exponent log10(x); raise 10 to it to get the value.",
                lambda u, lo, hi: log10(lo) + np.asarray(u) * (log10(hi) - log10(lo))),
        Mistake("u = 0 must give low and u = 1 high; your scale runs backwards, from high to low.",
                lambda u, lo, hi: hi * (lo / hi) ** np.asarray(u)),
        Mistake("the exponent is log10(low) + u·(log10(high) − log10(low)); you forgot the log10(low) "
                "offset, so u = 0 gives 1 instead of low.",
                lambda u, lo, hi: 10.0 ** (np.asarray(u) * (log10(hi) - log10(lo)))),
    ]
    return evaluate_function(
        log_uniform, _log_uniform, cases, name="log_uniform", mistakes=mistakes, rtol=1e-7, check_dtype=False,
        success="Each factor of 10 between low and high now gets the same share of the trials.",
    )


def _trials_needed(top_fraction: float, confidence: float) -> int:
    return int(math.ceil(math.log(1 - confidence) / math.log(1 - top_fraction) - 1e-12))


@guarded
def evaluate_trials_needed(trials_needed: Callable[[float, float], Any]) -> Result:
    """Evaluate ``trials_needed(top_fraction, confidence)``: the smallest n with 1 − (1 − q)ⁿ ≥ confidence."""
    cases = [
        Case((0.05, 0.9)),
        Case((0.05, 0.95)),
        Case((0.1, 0.99)),
        Case((0.02, 0.9)),
        Case((0.25, 0.5)),
        Case((0.01, 0.95)),
    ]
    ln = math.log
    mistakes = [
        Mistake("round UP: with one trial fewer the probability is still below the confidence.",
                lambda q, c: int(math.floor(ln(1 - c) / ln(1 - q)))),
        Mistake("the chance that ONE trial misses is 1 − q, and all n miss with (1 − q)ⁿ; "
                "solve (1 − q)ⁿ ≤ 1 − confidence, not qⁿ ≤ ….",
                lambda q, c: int(math.ceil(ln(1 - c) / ln(q)))),
        Mistake("(1 − q)ⁿ is the chance that all n trials MISS; set it to 1 − confidence, not to confidence.",
                lambda q, c: int(math.ceil(ln(c) / ln(1 - q)))),
        Mistake("n trials do not add up linearly (n·q); they miss together with probability (1 − q)ⁿ.",
                lambda q, c: int(math.ceil(c / q))),
        Mistake("the answer is a whole number of trials: round up with math.ceil and return an int.",
                lambda q, c: ln(1 - c) / ln(1 - q)),
    ]
    return evaluate_function(
        trials_needed, _trials_needed, cases, name="trials_needed", mistakes=mistakes, integer=True,
        success="59 random trials find a top-5% configuration 95% of the time, however many hyperparameters.",
    )


def _schedule(n_configs: int, min_epochs: int, divide: int, grow: Callable[[int, int], int]) -> np.ndarray:
    rounds, alive, epochs = [], int(n_configs), int(min_epochs)
    while True:
        rounds.append((alive, epochs))
        if alive <= 1:
            break
        alive, epochs = max(alive // divide, 1), grow(epochs, len(rounds))
    return np.array(rounds, dtype=int)


def _halving(n_configs: int, min_epochs: int, eta: int) -> np.ndarray:
    return _schedule(n_configs, min_epochs, eta, lambda epochs, _: epochs * eta)


def _halving_no_last(n: int, r: int, eta: int) -> np.ndarray:
    return _halving(n, r, eta)[:-1]


def _halving_halves(n: int, r: int, eta: int) -> np.ndarray:
    return _schedule(n, r, 2, lambda epochs, _: epochs * eta)


def _halving_epochs_fixed(n: int, r: int, eta: int) -> np.ndarray:
    return _schedule(n, r, eta, lambda epochs, _: epochs)


def _halving_epochs_plus(n: int, r: int, eta: int) -> np.ndarray:
    return _schedule(n, r, eta, lambda epochs, _: epochs + eta)


@guarded
def evaluate_halving_schedule(halving_schedule: Callable[[int, int, int], Any]) -> Result:
    """Evaluate ``halving_schedule(n_configs, min_epochs, eta)``: rows (configurations, epochs) per round."""
    cases = [
        Case((27, 1, 3)),
        Case((81, 2, 3)),
        Case((16, 1, 2)),
        Case((10, 3, 3)),
        Case((1, 5, 3)),
    ]
    mistakes = [
        Mistake("keep going until ONE configuration is left: the last round trains the winner for "
                "the most epochs.", _halving_no_last),
        Mistake("keep the best 1/eta of the configurations each round (integer division by eta), "
                "not half of them.", _halving_halves),
        Mistake("each round multiplies the epochs by eta: the survivors earn a longer run.",
                _halving_epochs_fixed),
        Mistake("the epochs grow by a FACTOR eta per round (r, r·eta, r·eta², …), not by adding eta.",
                _halving_epochs_plus),
    ]
    return evaluate_function(
        halving_schedule, _halving, cases, name="halving_schedule", mistakes=mistakes, integer=True,
        success="Every round spends about the same total epochs; most configurations cost only the first.",
    )


check_log_uniform = printer(evaluate_log_uniform)
check_trials_needed = printer(evaluate_trials_needed)
check_halving_schedule = printer(evaluate_halving_schedule)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"trials_needed": 2, "log_uniform": 1, "halving_schedule": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "log_uniform": ("scipy.stats",),
    "trials_needed": (),
    "halving_schedule": ("keras_tuner",),
}
