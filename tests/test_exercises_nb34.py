"""Exercise checks of notebook 34 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.exercises import nb34_text as ex
from utils.sequences import text


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def tfidf_weight(counts, doc, term):
    counts = np.asarray(counts, dtype=float)
    n = counts.shape[0]
    df = (counts > 0).sum(axis=0)
    idf = np.log((1 + n) / (1 + df)) + 1
    row = counts[doc] * idf
    return float(row[term] / np.sqrt((row ** 2).sum()))


def jaccard_similarity(a, b):
    a, b = set(a), set(b)
    return 1.0 if not a | b else len(a & b) / len(a | b)


def edit_distance(a, b):
    table = np.zeros((len(a) + 1, len(b) + 1), dtype=int)
    table[:, 0] = np.arange(len(a) + 1)
    table[0, :] = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            table[i, j] = min(table[i - 1, j] + 1, table[i, j - 1] + 1,
                              table[i - 1, j - 1] + (a[i - 1] != b[j - 1]))
    return int(table[-1, -1])


def _frequency_tf(counts, doc, term):
    """tf as count / document length: the row scaling cancels in the L2 norm, so it is right too."""
    counts = np.asarray(counts, dtype=float)
    tf = counts / counts.sum(axis=1, keepdims=True)
    idf = np.log((1 + len(counts)) / (1 + (counts > 0).sum(axis=0))) + 1
    row = tf[doc] * idf
    return row[term] / np.linalg.norm(row)


def _tensorflow_tfidf(counts, doc, term):
    import tensorflow as tf

    counts = tf.constant(counts, dtype=tf.float64)
    n = tf.cast(tf.shape(counts)[0], tf.float64)
    df = tf.reduce_sum(tf.cast(counts > 0, tf.float64), axis=0)
    row = counts[doc] * (tf.math.log((1 + n) / (1 + df)) + 1)
    return tf.reshape(row[term] / tf.norm(row), (1,))


def _recursive_edit(a, b):
    from functools import lru_cache

    @lru_cache(maxsize=None)
    def d(i, j):
        if i == 0 or j == 0:
            return i + j
        return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))

    return d(len(a), len(b))


@pytest.mark.parametrize("answer", [tfidf_weight, _frequency_tf, _tensorflow_tfidf,
                                    lambda c, d, t: float(text.tfidf(c)[d, t]),
                                    lambda c, d, t: np.float32(text.tfidf(c)[d, t])])
def test_tfidf_weight_accepts_valid_answers(answer):
    assert ex.evaluate_tfidf_weight(answer).passed


@pytest.mark.parametrize("answer", [jaccard_similarity, lambda a, b: np.float64(jaccard_similarity(a, b)),
                                    lambda a, b: [jaccard_similarity(a, b)]])
def test_jaccard_accepts_valid_answers(answer):
    assert ex.evaluate_jaccard_similarity(answer).passed


@pytest.mark.parametrize("answer", [edit_distance, _recursive_edit, lambda a, b: np.int64(edit_distance(a, b)),
                                    text.edit_distance])
def test_edit_distance_accepts_valid_answers(answer):
    assert ex.evaluate_edit_distance(answer).passed


def _mistakes(evaluate):
    seen = []
    original = ex.evaluate_function

    def recorder(answer, reference, cases, **options):
        seen.extend(options.get("mistakes", ()))
        return original(answer, reference, cases, **options)

    ex.evaluate_function = recorder
    try:
        evaluate(todo)
    finally:
        ex.evaluate_function = original
    return seen


@pytest.mark.parametrize("evaluate", [ex.evaluate_tfidf_weight, ex.evaluate_jaccard_similarity,
                                      ex.evaluate_edit_distance])
def test_each_mistake_gets_its_hint(evaluate):
    mistakes = _mistakes(evaluate)
    assert len(mistakes) >= 6
    for mistake in mistakes:
        result = evaluate(mistake.wrong)
        assert not result.passed
        assert result.message.endswith(mistake.hint), (mistake.hint, result.message)


def test_named_mistakes_of_the_brief():
    """log base 10, no smoothing, forgot +1, raw counts, substitution cost 2 each get their own hint."""
    hints = {
        "natural logarithm": ex.evaluate_tfidf_weight(
            lambda c, d, t: float(text.normalize_rows(np.asarray(c) * (np.log10(
                (1 + len(c)) / (1 + (np.asarray(c) > 0).sum(0))) + 1))[d, t])),
        "smooth_idf": ex.evaluate_tfidf_weight(
            lambda c, d, t: float(text.tfidf(c, smooth_idf=False)[d, t])),
        "adds 1 to the log": ex.evaluate_tfidf_weight(
            lambda c, d, t: float(text.normalize_rows(np.asarray(c) * np.log(
                (1 + len(c)) / (1 + (np.asarray(c) > 0).sum(0))))[d, t])),
        "raw count × idf": ex.evaluate_tfidf_weight(lambda c, d, t: float(text.tfidf(c, norm=None)[d, t])),
        "sublinear_tf": ex.evaluate_tfidf_weight(lambda c, d, t: float(text.tfidf(c, sublinear_tf=True)[d, t])),
        "costs 1 (one edit), not 2": ex.evaluate_edit_distance(
            lambda a, b: text.edit_distance(a, b, substitution_cost=2)),
        "SETS": ex.evaluate_jaccard_similarity(
            lambda a, b: sum(min(a.count(w), b.count(w)) for w in set(a) | set(b))
            / sum(max(a.count(w), b.count(w)) for w in set(a) | set(b))),
    }
    for phrase, result in hints.items():
        assert not result.passed and phrase in result.message, (phrase, result.message)


@pytest.mark.parametrize("evaluate", [ex.evaluate_tfidf_weight, ex.evaluate_jaccard_similarity,
                                      ex.evaluate_edit_distance])
def test_unwritten_crashing_and_wrong_type_answers_get_a_message(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    assert "raised ZeroDivisionError" in evaluate(crash).message
    assert evaluate(lambda *args: None).message.startswith("❌")
    assert evaluate(lambda *args: "text").message.startswith("❌")
    assert evaluate(42).message.startswith("❌")


def test_edit_distance_as_float_is_refused():
    result = ex.evaluate_edit_distance(lambda a, b: float(edit_distance(a, b)))
    assert not result.passed and "ints are expected" in result.message


def test_points_and_not_allowed():
    assert ex.POINTS == {"tfidf_weight": 2, "jaccard_similarity": 1, "edit_distance": 2}
    assert set(ex.NOT_ALLOWED) == set(ex.POINTS)


def test_two_mistakes_at_once_still_get_the_normalisation_hint():
    def plain_unnormalised(counts, doc, term):
        counts = np.asarray(counts, dtype=float)
        idf = np.log(len(counts) / (counts > 0).sum(axis=0)) + 1
        return (counts[doc] * idf)[term]

    result = ex.evaluate_tfidf_weight(plain_unnormalised)
    assert not result.passed and "no weight can exceed 1" in result.message
