"""Exercises of notebook 35 (sentiment analysis): pad or truncate a review, a bag of words, accuracy against the majority class."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.sequences import sentiment

# ---------------------------------------------------------------------------------------------
# Exercise 1: pad or truncate one review's ids to a fixed length
# ---------------------------------------------------------------------------------------------


def _rows(reviews: Any, length: int, front: bool = False, last: bool = False, value: int = 0) -> np.ndarray:
    """A model of a padding mistake: pad in front, keep the last ids, or pad with another value."""
    batch = np.full((len(reviews), length), value, dtype=np.int64)
    for row, ids in enumerate(reviews):
        ids = list(ids)
        kept = np.asarray(ids[-length:] if last else ids[:length], dtype=np.int64)
        if front:
            batch[row, length - len(kept):] = kept
        else:
            batch[row, : len(kept)] = kept
    return batch


def _off_by(shift: int) -> Callable[[Any, int], np.ndarray]:
    return lambda reviews, length: sentiment.pad_or_truncate(reviews, length + shift)


@guarded
def evaluate_pad_or_truncate(pad_or_truncate: Callable[[Any, int], Any]) -> Result:
    """Evaluate ``pad_or_truncate(reviews, length)``: each review's first ``length`` ids, then 0s, as one batch."""
    cases = [
        Case(([[12, 7, 431, 5, 88], [3, 19, 1, 42, 7, 250, 11, 9, 64], [17, 2]], 6)),
        Case(([[5, 6, 1, 8], [2, 1, 1, 9, 33, 4, 6]], 4)),
        Case(([[9, 8, 7, 6, 5, 4, 3, 2], [1], [44, 45, 46]], 5)),
        Case(([[2, 1, 1, 9, 33, 4, 6]], 2)),
    ]
    hint_length = ("every row must have exactly length ids: count again (an off-by-one in the slice or "
                   "in the number of 0s).")
    mistakes = [
        Mistake("TextVectorization pads at the END (the 0s go after the words) and keeps the FIRST ids; "
                "you did what keras.utils.pad_sequences does by default (0s in front, keep the last "
                "ids).", lambda r, n: _rows(r, n, front=True, last=True)),
        Mistake("TextVectorization pads at the END (its 0s go after the words); you put the 0s in "
                "front.", lambda r, n: _rows(r, n, front=True)),
        Mistake("keep the FIRST length ids (TextVectorization cuts the end of a long review); you kept "
                "the last ones.", lambda r, n: _rows(r, n, last=True)),
        Mistake("pad with 0, the padding id; 1 is the id of out-of-vocabulary words.",
                lambda r, n: _rows(r, n, value=1)),
        Mistake(hint_length, _off_by(1)),
        Mistake(hint_length, _off_by(-1)),
    ]
    return evaluate_function(
        pad_or_truncate, sentiment.pad_or_truncate, cases, name="pad_or_truncate", mistakes=mistakes,
        integer=True, axes=("review", "position"),
        success="Every review now has the same length, so a batch is one (reviews × positions) array.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: a bag of words from a padded batch
# ---------------------------------------------------------------------------------------------


def _counting_padding(batch: Any, size: int) -> np.ndarray:
    array = np.asarray(batch, dtype=np.int64)
    counts = np.zeros((array.shape[0], size), dtype=np.int64)
    for row, ids in enumerate(array):
        np.add.at(counts[row], ids, 1)
    return counts


def _binary(batch: Any, size: int) -> np.ndarray:
    return (sentiment.bag_of_words(batch, size) > 0).astype(np.int64)


def _frequencies(batch: Any, size: int) -> np.ndarray:
    counts = sentiment.bag_of_words(batch, size).astype(np.float64)
    return counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)


def _no_oov(batch: Any, size: int) -> np.ndarray:
    counts = sentiment.bag_of_words(batch, size)
    counts[:, sentiment.OOV] = 0
    return counts


def _one_row(batch: Any, size: int) -> np.ndarray:
    return sentiment.bag_of_words(batch, size).sum(axis=0)


@guarded
def evaluate_bag_of_words(bag_of_words: Callable[[Any, int], Any]) -> Result:
    """Evaluate ``bag_of_words(batch, vocabulary_size)``: counts per review and id, padding (0) not counted."""
    rng = np.random.default_rng(35)
    random_batch = rng.integers(1, 12, size=(4, 9))
    random_batch[0, 6:] = 0
    random_batch[2, 3:] = 0
    cases = [
        Case((np.array([[4, 2, 4, 1, 5, 4, 0, 0], [3, 3, 1, 1, 1, 2, 6, 0], [5, 0, 0, 0, 0, 0, 0, 0]]), 7)),
        Case((random_batch, 12)),
        Case((np.array([[2, 9, 9, 9, 3, 1], [8, 7, 0, 0, 0, 0]]), 10)),
    ]
    mistakes = [
        Mistake("padding is not a word: the column of id 0 must stay 0 (you counted the padding).",
                _counting_padding),
        Mistake("count how many times each word occurs (a word twice in a review gives 2); you marked "
                "only whether it occurs.", _binary),
        Mistake("return the counts themselves, not counts divided by the review's length.", _frequencies),
        Mistake("id 1 (a word outside the vocabulary) is a real word of the review: count it; only "
                "id 0 is padding.", _no_oov),
        Mistake("return one row per review, (reviews, vocabulary_size); you added the reviews together.",
                _one_row),
    ]
    return evaluate_function(
        bag_of_words, lambda batch, size: sentiment.bag_of_words(batch, size), cases, name="bag_of_words",
        mistakes=mistakes, check_dtype=False, axes=("review", "word id"),  # float counts are fine
        success="Word order is gone: this is all a bag-of-words model sees.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: accuracy, and the accuracy of always answering the majority class
# ---------------------------------------------------------------------------------------------


def _reference_accuracy(y_train: Any, y_test: Any, y_prob: Any) -> tuple[float, float]:
    return sentiment.accuracy_vs_majority(y_train, y_test, y_prob)


def _share_of_ones(y_train: Any, y_test: Any, y_prob: Any) -> tuple[float, float]:
    accuracy, _ = _reference_accuracy(y_train, y_test, y_prob)
    return accuracy, float(np.mean(y_test))


def _unthresholded(y_train: Any, y_test: Any, y_prob: Any) -> tuple[float, float]:
    _, majority = _reference_accuracy(y_train, y_test, y_prob)
    return float(1 - np.mean(np.abs(np.asarray(y_test) - np.asarray(y_prob)))), majority


def _flipped(y_train: Any, y_test: Any, y_prob: Any) -> tuple[float, float]:
    _, majority = _reference_accuracy(y_train, y_test, y_prob)
    return float(np.mean((np.asarray(y_prob) < 0.5) == np.asarray(y_test))), majority


def _train_share(y_train: Any, y_test: Any, y_prob: Any) -> tuple[float, float]:
    accuracy, _ = _reference_accuracy(y_train, y_test, y_prob)
    train = np.asarray(y_train)
    return accuracy, float(max(train.mean(), 1 - train.mean()))


@guarded
def evaluate_accuracy_vs_majority(accuracy_vs_majority: Callable[[Any, Any, Any], Any]) -> Result:
    """Evaluate ``accuracy_vs_majority(y_train, y_test, y_prob)`` → (accuracy, majority-class accuracy) on test."""
    rng = np.random.default_rng(350)
    y_test_random = (rng.random(40) < 0.3).astype(int)
    cases = [
        Case((np.array([0, 0, 1, 0, 1, 0, 0]), np.array([1, 0, 1, 1, 0, 1, 1, 0, 1, 1]),
              np.array([0.9, 0.2, 0.7, 0.4, 0.6, 0.8, 0.55, 0.1, 0.3, 0.95]))),
        Case((np.array([1, 1, 1, 0, 1]), y_test_random,
              np.clip(0.35 * y_test_random + rng.uniform(0.05, 0.7, 40), 0, 1))),
        Case((np.array([1, 0, 1, 1]), np.array([0, 0, 1, 0, 1, 0]), np.array([0.2, 0.6, 0.9, 0.3, 0.8, 0.1]))),
    ]
    mistakes = [
        Mistake("the majority-class accuracy is the share of test reviews that have the class most "
                "frequent in TRAINING (chosen before the test labels are seen); you took the share of 1s "
                "in y_test (or the majority class of y_test), right only when that is 1.", _share_of_ones),
        Mistake("the baseline's accuracy is measured on the TEST labels: the share of y_test equal to "
                "the training majority class; you measured it on y_train.", _train_share),
        Mistake("turn each probability into a label first (1 when y_prob > 0.5), then count the labels "
                "equal to y_test; you averaged 1 - |y - p|.", _unthresholded),
        Mistake("a probability above 0.5 predicts class 1 (great); your comparison is the wrong way "
                "round.", _flipped),
    ]
    return evaluate_function(
        accuracy_vs_majority, _reference_accuracy, cases, name="accuracy_vs_majority", mistakes=mistakes,
        check_dtype=False, axes=("accuracy, majority accuracy",),
        success="An accuracy means little until it is set beside the majority class's.",
    )


check_pad_or_truncate = printer(evaluate_pad_or_truncate)
check_bag_of_words = printer(evaluate_bag_of_words)
check_accuracy_vs_majority = printer(evaluate_accuracy_vs_majority)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"pad_or_truncate": 1, "bag_of_words": 2, "accuracy_vs_majority": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "pad_or_truncate": ("pad_sequences", "TextVectorization", "sentiment.pad_or_truncate"),
    "bag_of_words": ("CategoryEncoding", "CountVectorizer", "sentiment.bag_of_words"),
    "accuracy_vs_majority": ("accuracy_score", "DummyClassifier", "sentiment.accuracy_vs_majority"),
}
