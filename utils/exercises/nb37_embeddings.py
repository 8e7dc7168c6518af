"""Exercises of notebook 37 (word embeddings): skip-gram pairs, the SGNS loss of one pair, the analogy by vector arithmetic."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, _to_array, evaluate_function, guarded, printer

# ---------------------------------------------------------------------------------------------
# Exercise 1: skip-gram (centre, context) pairs of one sentence
# ---------------------------------------------------------------------------------------------


def _pairs_between(ids: Any, window: int, *, low: int | None = None, high: int | None = None,
                   centre: bool = False, one_sided: bool = False) -> np.ndarray:
    """Pairs (ids[i], ids[j]) for j in i-low … i+high: the reference, and models of its mistakes."""
    ids = np.asarray(ids)
    low = window if low is None else low
    high = window if high is None else high
    pairs = []
    for i in range(len(ids)):
        for j in range(max(0, i - (0 if one_sided else low)), min(len(ids), i + high + 1)):
            if j != i or centre:
                pairs.append((ids[i], ids[j]))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _sorted_rows(value: Any) -> Any:
    """Pairs in any order compare equal: rows sorted (a non-array answer is left for the engine to explain)."""
    if value is None or isinstance(value, (str, dict)):
        return value
    try:
        array = _to_array(value if not isinstance(value, (list, tuple)) else [tuple(row) for row in value])
    except Exception:  # noqa: BLE001 - ragged or odd answers: let the engine say what is wrong
        return value
    if array.dtype.kind not in "iuf" or array.ndim != 2 or array.shape[1] != 2:
        if array.size == 0 and array.dtype.kind in "iuf":
            return array.reshape(0, 2)
        return array
    return array[np.lexsort((array[:, 1], array[:, 0]))]


def _in_any_order(function: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any) -> Any:
        return _sorted_rows(function(*args))

    return run


def _unique_pairs(ids: Any, window: int) -> np.ndarray:
    return np.unique(_pairs_between(ids, window), axis=0)


def _wrapped(ids: Any, window: int) -> np.ndarray:
    """Context positions taken modulo the length: the window wraps round the sentence's ends."""
    ids = np.asarray(ids)
    n = len(ids)
    return np.array([(ids[i], ids[(i + d) % n]) for i in range(n) for d in range(-window, window + 1) if d],
                    dtype=np.int64).reshape(-1, 2)


@guarded
def evaluate_skipgram_pairs(skipgram_pairs: Callable[[Any, int], Any]) -> Result:
    """Evaluate ``skipgram_pairs(ids, window)`` → (n, 2) (centre, context) ids, every j ≠ i with |i - j| ≤ window."""
    cases = [
        Case((np.array([4, 7, 2, 9, 4, 3, 7]), 2)),
        Case((np.array([5, 1, 8, 2, 6, 3, 5, 9, 4]), 3)),
        Case((np.array([11, 12, 13, 11, 14]), 1)),
        Case((np.array([3, 3, 6, 2]), 4)),
    ]
    mistakes = [
        Mistake("the window reaches `window` words on EACH side: j runs from i - window to i + window "
                "inclusive (range(i - window, i + window + 1)); you stopped one word short.",
                _in_any_order(lambda ids, w: _pairs_between(ids, w, low=w - 1, high=w - 1))),
        Mistake("the right end of Python's range is exclusive: range(i - window, i + window + 1) reaches "
                "i + window; you missed the last word on the right.",
                _in_any_order(lambda ids, w: _pairs_between(ids, w, high=w - 1))),
        Mistake("the window is `window` words on each side, not window + 1: your pairs reach one word too far.",
                _in_any_order(lambda ids, w: _pairs_between(ids, w, low=w + 1, high=w + 1))),
        Mistake("leave out the centre word itself (j == i): a word is not its own context.",
                _in_any_order(lambda ids, w: _pairs_between(ids, w, centre=True))),
        Mistake("the context lies on both sides of the centre: you only took the words after it.",
                _in_any_order(lambda ids, w: _pairs_between(ids, w, one_sided=True))),
        Mistake("keep repeated pairs: a pair that occurs twice in the sentence is two training examples "
                "(you removed duplicates, e.g. with a set or np.unique).", _in_any_order(_unique_pairs)),
        Mistake("near the ends of the sentence the window is cut short (clip j to 0 … len - 1); you "
                "wrapped round to the other end.", _in_any_order(_wrapped)),
    ]
    result = evaluate_function(
        _in_any_order(skipgram_pairs), _in_any_order(_pairs_between), cases, name="skipgram_pairs",
        mistakes=mistakes, integer=True, axes=("pair (rows sorted)", "centre, context"),
        success="These pairs are word2vec's whole training set (in any order).",
    )
    # a wrong number of rows is a wrong number of pairs here, not a summed-over axis
    return replace(result, message=result.message.replace(_AXIS_ADVICE, "You made a different number of pairs."))


_AXIS_ADVICE = "Check which axis you sum over, and that you do not add or drop a dimension."


# ---------------------------------------------------------------------------------------------
# Exercise 2: the skip-gram negative-sampling loss of one (centre, context) pair
# ---------------------------------------------------------------------------------------------


def _log_sigmoid(x: Any) -> Any:
    return -np.logaddexp(0.0, -np.asarray(x, dtype=np.float64))


def _sgns_parts(v: Any, u: Any, negatives: Any) -> tuple[float, np.ndarray]:
    v = np.asarray(v, dtype=np.float64)
    return float(np.asarray(u, dtype=np.float64) @ v), np.asarray(negatives, dtype=np.float64) @ v


def _sgns_loss(v: Any, u: Any, negatives: Any) -> float:
    positive, negative = _sgns_parts(v, u, negatives)
    return float(-_log_sigmoid(positive) - _log_sigmoid(-negative).sum())


def _sgns_variant(v: Any, u: Any, negatives: Any, *, negative_sign: float = -1.0, reduce: str = "sum",
                  use_negatives: bool = True, outer: float = 1.0, log: bool = True) -> float:
    positive, negative = _sgns_parts(v, u, negatives)
    squash = _log_sigmoid if log else (lambda x: 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64))))
    terms = squash(negative_sign * negative)
    noise = (terms.sum() if reduce == "sum" else terms.mean()) if use_negatives else 0.0
    return float(outer * (-squash(positive) - noise))


@guarded
def evaluate_sgns_loss(sgns_loss: Callable[[Any, Any, Any], Any]) -> Result:
    """Evaluate ``sgns_loss(v_centre, u_context, u_negatives)`` → -log σ(u·v) - Σ_k log σ(-u_k·v), one float."""
    rng = np.random.default_rng(37)
    cases = [
        Case((np.array([0.8, -0.4, 0.3]), np.array([0.5, 0.2, 0.9]),
              np.array([[0.3, 0.7, -0.2], [-0.6, 0.1, 0.4], [0.9, -0.5, 0.2]]))),
        Case((rng.normal(size=4), rng.normal(size=4), rng.normal(size=(5, 4)))),
        Case((rng.normal(size=6), rng.normal(size=6), rng.normal(size=(2, 6)))),
        Case((rng.normal(size=3), rng.normal(size=3), rng.normal(size=(1, 3)))),
    ]
    mistakes = [
        Mistake("the negative words enter with a minus sign inside the sigmoid, log σ(-u_k·v): the model "
                "should give them a LOW score u_k·v; you rewarded high scores for the noise words.",
                lambda v, u, n: _sgns_variant(v, u, n, negative_sign=1.0)),
        Mistake("the loss is the NEGATIVE log-likelihood: -log σ(u·v) - Σ log σ(-u_k·v) is positive; "
                "your value has the opposite sign.", lambda v, u, n: _sgns_variant(v, u, n, outer=-1.0)),
        Mistake("sum over the k negative words (each is one more term of the objective); you averaged them.",
                lambda v, u, n: _sgns_variant(v, u, n, reduce="mean")),
        Mistake("the loss has a term for each negative word too; you kept only the positive pair's "
                "-log σ(u·v).", lambda v, u, n: _sgns_variant(v, u, n, use_negatives=False)),
        Mistake("take the log of each sigmoid: the loss is -log σ(u·v) - Σ log σ(-u_k·v), not the "
                "sigmoids themselves.", lambda v, u, n: _sgns_variant(v, u, n, log=False)),
        Mistake("each row of u_negatives is one noise word's vector, so the K scores are u_negatives @ "
                "v_centre; you multiplied the other way round (v_centre @ u_negatives), which mixes up "
                "the words' coordinates.",
                lambda v, u, n: float(-_log_sigmoid(np.asarray(u) @ v)
                                      - _log_sigmoid(-(np.asarray(v) @ np.asarray(n))).sum())),
        Mistake("both terms are subtracted: -log σ(u·v) MINUS Σ log σ(-u_k·v); you added the negative "
                "words' log-sigmoids, which rewards the model for scoring them high.",
                lambda v, u, n: float(-_log_sigmoid(_sgns_parts(v, u, n)[0])
                                      + _log_sigmoid(-_sgns_parts(v, u, n)[1]).sum())),
    ]
    return evaluate_function(
        sgns_loss, _sgns_loss, cases, name="sgns_loss", mistakes=mistakes, check_dtype=False,
        success="Averaged over a batch of pairs, this is what word2vec minimises.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: a is to b as c is to ?
# ---------------------------------------------------------------------------------------------


def _unit(E: Any) -> np.ndarray:
    E = np.asarray(E, dtype=np.float64)
    return E / np.linalg.norm(E, axis=1, keepdims=True)


def _best(scores: np.ndarray, exclude: tuple[int, ...] = (), lowest: bool = False) -> int:
    scores = np.array(scores, dtype=np.float64)
    scores[list(exclude)] = np.inf if lowest else -np.inf
    return int(np.argmin(scores) if lowest else np.argmax(scores))


def _analogy(E: Any, a: int, b: int, c: int) -> int:
    unit = _unit(E)
    target = unit[b] - unit[a] + unit[c]
    return _best(unit @ target / np.linalg.norm(target), (a, b, c))


def _analogy_raw(E: Any, a: int, b: int, c: int) -> int:
    E = np.asarray(E, dtype=np.float64)
    target = E[b] - E[a] + E[c]
    return _best(_unit(E) @ target, (a, b, c))


def _analogy_dot(E: Any, a: int, b: int, c: int) -> int:
    E = np.asarray(E, dtype=np.float64)
    unit = _unit(E)
    return _best(E @ (unit[b] - unit[a] + unit[c]), (a, b, c))


def _analogy_euclid(E: Any, a: int, b: int, c: int) -> int:
    E = np.asarray(E, dtype=np.float64)
    target = E[b] - E[a] + E[c]
    return _best(np.linalg.norm(E - target, axis=1), (a, b, c), lowest=True)


def _analogy_with_queries(E: Any, a: int, b: int, c: int) -> int:
    unit = _unit(E)
    return _best(unit @ (unit[b] - unit[a] + unit[c]))


def _analogy_flipped(E: Any, a: int, b: int, c: int) -> int:
    unit = _unit(E)
    return _best(unit @ (unit[a] - unit[b] + unit[c]), (a, b, c))


def _analogy_least(E: Any, a: int, b: int, c: int) -> int:
    unit = _unit(E)
    return _best(unit @ (unit[b] - unit[a] + unit[c]), (a, b, c), lowest=True)


def analogy_matrix(seed: int, words: int = 12, dim: int = 4) -> np.ndarray:
    """A hidden case's embedding: random directions with lengths from 0.2 to 3 (so normalising matters)."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(words, dim)) * rng.uniform(0.2, 3.0, size=(words, 1))


@guarded
def evaluate_analogy(analogy: Callable[[Any, int, int, int], Any]) -> Result:
    """Evaluate ``analogy(E, a, b, c)`` → the id (int) of the word closest in cosine to b - a + c on unit vectors, a, b, c excluded."""
    cases = [Case((analogy_matrix(seed), a, b, c))
             for seed, (a, b, c) in [(79, (4, 6, 10)), (201, (1, 0, 2)), (307, (3, 5, 7)), (42, (1, 8, 6))]]
    mistakes = [
        Mistake("leave out the three query words: b - a + c is usually closest to b or c itself, so the "
                "answer must be another word.", _analogy_with_queries),
        Mistake("a is to b as c is to ?: the target is b - a + c (king - man + woman), not a - b + c.",
                _analogy_flipped),
        Mistake("normalise each row to length 1 BEFORE the arithmetic: with raw vectors, long vectors "
                "dominate b - a + c.", _analogy_raw),
        Mistake("rank the candidates by cosine similarity: divide by the lengths of the rows of E (or use "
                "unit rows); a plain dot product favours long vectors.", _analogy_dot),
        Mistake("rank by cosine similarity on unit vectors, not by Euclidean distance between raw vectors.",
                _analogy_euclid),
        Mistake("take the MOST similar word (argmax of the cosine), not the least.", _analogy_least),
    ]
    return evaluate_function(
        lambda *args: _as_index(analogy(*args)), _analogy, cases, name="analogy", mistakes=mistakes,
        integer=True, success="This is the 3CosAdd rule of Mikolov et al. (2013), what gensim's most_similar does.",
    )


def _as_index(value: Any) -> Any:
    """A one-element answer (array, list, tensor) as its single id; anything else unchanged for the engine."""
    try:
        array = _to_array(value)
    except Exception:  # noqa: BLE001
        return value
    if array.size == 1 and array.dtype.kind in "iu":
        return int(array.reshape(()))
    return value


check_skipgram_pairs = printer(evaluate_skipgram_pairs)
check_sgns_loss = printer(evaluate_sgns_loss)
check_analogy = printer(evaluate_analogy)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"skipgram_pairs": 2, "sgns_loss": 2, "analogy": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "skipgram_pairs": ("skipgrams", "embeddings.corpus_pairs", "gensim"),
    "sgns_loss": ("embeddings.sgns_batch_loss", "embeddings.sgns_batch_loss_numpy"),
    "analogy": ("most_similar", "embeddings.nearest", "embeddings.neighbours", "gensim"),
}
