"""Exercises of notebook 36 (language models): an add-k bigram, perplexity, softmax with a temperature."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.sequences import language_model

# ---------------------------------------------------------------------------------------------
# Exercise 1: add-k smoothed bigram probabilities
# ---------------------------------------------------------------------------------------------


def _counts(counts: Any) -> np.ndarray:
    return np.asarray(counts, dtype=np.float64)


def _smoothed(counts: Any, k: float) -> np.ndarray:
    return language_model.bigram_probabilities(counts, k)


def _rows(counts: Any) -> np.ndarray:
    return _counts(counts).sum(axis=1, keepdims=True)


@guarded
def evaluate_smoothed_bigram(smoothed_bigram: Callable[[Any, float], Any]) -> Result:
    """Evaluate ``smoothed_bigram(counts, k)`` → ``(C[i, j] + k) / (sum_j C[i, j] + k·V)``, a V × V array."""
    rng = np.random.default_rng(36)
    cases = [
        Case((np.array([[0, 3, 1, 4], [2, 0, 0, 1], [5, 1, 0, 0], [1, 1, 6, 2]]), 0.5)),
        Case((np.array([[4, 0, 2], [0, 0, 0], [1, 7, 0]]), 1.0)),
        Case((rng.integers(0, 9, size=(5, 5)), 0.1)),
        Case((rng.integers(0, 3, size=(6, 6)), 2.0)),
    ]
    mistakes = [
        Mistake("the pseudo-count k is added to every one of the V cells of a row, so the row's "
                "denominator grows by k·V, not by k: divide by (row total + k·V).",
                lambda c, k: (_counts(c) + k) / (_rows(c) + k)),
        Mistake("after adding k to the numerator, add k·V to the denominator too; otherwise the rows "
                "no longer sum to 1.", lambda c, k: (_counts(c) + k) / _rows(c)),
        Mistake("P(current | previous) divides by the count of the PREVIOUS character: its row total "
                "(sum over axis=1), not its column total.",
                lambda c, k: (_counts(c) + k) / (_counts(c).sum(axis=0, keepdims=True) + k * len(c))),
        Mistake("divide each row by its own total (how often that previous character occurs), not by "
                "the number of all bigrams.",
                lambda c, k: (_counts(c) + k) / (_counts(c).sum() + k * _counts(c).size)),
        Mistake("add the pseudo-count k to the counts: without it an unseen bigram gets probability 0.",
                lambda c, k: _counts(c) / _rows(c)),
        Mistake("use the k you are given (Laplace smoothing is the special case k = 1).",
                lambda c, k: (_counts(c) + 1) / (_rows(c) + len(c))),
    ]
    return evaluate_function(
        smoothed_bigram, _smoothed, cases, name="smoothed_bigram", mistakes=mistakes,
        check_dtype=False, axes=("previous", "current"),
        success="Every row is a distribution over the next character, and no bigram is impossible.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: perplexity from the probabilities of what came next
# ---------------------------------------------------------------------------------------------


def _perplexity(probabilities: Any) -> float:
    return language_model.perplexity(probabilities)


def _p(probabilities: Any) -> np.ndarray:
    return np.asarray(probabilities, dtype=np.float64)


@guarded
def evaluate_perplexity(perplexity: Callable[[Any], Any]) -> Result:
    """Evaluate ``perplexity(probabilities)`` → ``exp(-mean(log p))``, one float."""
    rng = np.random.default_rng(360)
    cases = [
        Case((np.array([0.5, 0.1, 0.8, 0.25, 0.05, 0.6]),)),
        Case((rng.uniform(0.01, 1.0, size=40),)),
        Case((np.array([0.2, 0.2, 0.2, 0.2]),)),
        Case((rng.uniform(0.001, 0.3, size=(3, 7)),)),
    ]
    mistakes = [
        Mistake("that is the cross-entropy, mean(−log p); the perplexity is its exponential.",
                lambda p: float(np.mean(-np.log(_p(p))))),
        Mistake("take the exponential of the MEAN of −log p, not of the sum: a perplexity must not "
                "grow with the length of the text.", lambda p: float(np.exp(-np.sum(np.log(_p(p)))))),
        Mistake("np.exp undoes the natural log np.log; with np.log2 the inverse is 2 ** (...), with "
                "np.log10 it is 10 ** (...).", lambda p: float(np.exp(np.mean(-np.log2(_p(p)))))),
        Mistake("np.exp undoes the natural log np.log; with np.log10 the inverse is 10 ** (...).",
                lambda p: float(np.exp(np.mean(-np.log10(_p(p)))))),
        Mistake("mind the sign: it is exp(−mean(log p)); log p is negative, so the perplexity is at "
                "least 1.", lambda p: float(np.exp(np.mean(np.log(_p(p)))))),
        Mistake("perplexity is the GEOMETRIC mean of 1/p (the exponential of a mean of logs), not the "
                "arithmetic mean of 1/p.", lambda p: float(np.mean(1 / _p(p)))),
        Mistake("perplexity is not 1 / mean(p): average the logs of the probabilities, then exponentiate.",
                lambda p: float(1 / np.mean(_p(p)))),
    ]
    return evaluate_function(
        perplexity, _perplexity, cases, name="perplexity", mistakes=mistakes, check_dtype=False,
        success="A perplexity of k: as unsure as a fair choice among k characters at every step.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: softmax with a temperature
# ---------------------------------------------------------------------------------------------


def _softmax(logits: Any, temperature: float) -> np.ndarray:
    return language_model.softmax_with_temperature(logits, temperature)


def _plain(z: Any, axis: Any = -1) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


OVERFLOW_HINT = (" Hint: subtract each row's largest value before np.exp (softmax(z) = softmax(z − max z)); "
                 "exp(400 / 0.25) is too large for a float and turns into inf, and inf / inf is NaN.")


@guarded
def evaluate_softmax_with_temperature(softmax_with_temperature: Callable[[Any, float], Any]) -> Result:
    """Evaluate ``softmax_with_temperature(logits, temperature)`` → softmax(logits / T) over the last axis."""
    rng = np.random.default_rng(3600)
    cases = [
        Case((np.array([[2.0, 1.0, 0.1, -1.0], [0.5, 3.0, -0.5, 1.5]]), 0.5)),
        Case((np.array([1.2, -0.3, 0.8, 2.5, 0.0]), 2.0)),
        Case((rng.normal(size=(3, 6)) * 2, 1.5)),
        Case((np.array([[400.0, 398.5, 390.0, 401.0]]), 0.25)),  # exp(1604) overflows
    ]
    mistakes = [
        Mistake("DIVIDE the logits by T: softmax(logits / T). Multiplying by T makes a high temperature "
                "sharpen the distribution instead of flattening it.",
                lambda z, t: _plain(np.asarray(z, dtype=np.float64) * t)),
        Mistake("the temperature is missing: divide the logits by T before the softmax.",
                lambda z, t: _plain(z)),
        Mistake("T divides the logits, inside the exponential; dividing the probabilities by T "
                "afterwards leaves rows that do not sum to 1.", lambda z, t: _plain(z) / t),
        Mistake("normalise: divide exp(logits / T) by its sum over the last axis.",
                lambda z, t: np.exp(np.asarray(z, dtype=np.float64) / t)),
        Mistake("each row is one distribution: sum over the last axis (axis=-1, keepdims=True), "
                "not over the rows (axis 0).", lambda z, t: _plain(np.asarray(z, dtype=np.float64) / t, 0)),
        Mistake("each row is one distribution: sum over the last axis (axis=-1, keepdims=True), not "
                "over the whole array.",
                lambda z, t: np.exp(np.asarray(z) / t) / np.exp(np.asarray(z) / t).sum()),
    ]
    result = evaluate_function(
        softmax_with_temperature, _softmax, cases, name="softmax_with_temperature", mistakes=mistakes,
        check_dtype=False, axes=("example", "character"),
        success="T < 1 sharpens the distribution towards its top choice, T > 1 flattens it towards uniform.",
    )
    if " gave NaN" in result.message or " gave an infinite value" in result.message:
        result = replace(result, message=result.message + OVERFLOW_HINT)
    return result


check_smoothed_bigram = printer(evaluate_smoothed_bigram)
check_perplexity = printer(evaluate_perplexity)
check_softmax_with_temperature = printer(evaluate_softmax_with_temperature)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"smoothed_bigram": 2, "perplexity": 1, "softmax_with_temperature": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "smoothed_bigram": ("language_model.bigram_probabilities", "nltk"),
    "perplexity": ("language_model.perplexity", "keras.losses", "keras.metrics", "nltk"),
    "softmax_with_temperature": (
        "scipy.special", "tf.nn.softmax", "tf.math.softmax", "keras.activations", "keras.ops",
        "keras.layers",
    ),
}
