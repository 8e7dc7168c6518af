"""Exercise checks of notebook 35 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.exercises import nb35_sentiment as ex


def pad_or_truncate(reviews, length):
    batch = np.zeros((len(reviews), length), dtype=int)
    for row, ids in enumerate(reviews):
        kept = list(ids)[:length]
        batch[row, :len(kept)] = kept
    return batch


def bag_of_words(batch, vocabulary_size):
    counts = np.zeros((len(batch), vocabulary_size), dtype=int)
    for row, ids in enumerate(batch):
        for i in ids:
            if i != 0:
                counts[row, i] += 1
    return counts


def accuracy_vs_majority(y_train, y_test, y_prob):
    majority = 1 if np.mean(y_train) > 0.5 else 0
    y_test = np.asarray(y_test)
    accuracy = np.mean((np.asarray(y_prob) > 0.5).astype(int) == y_test)
    return float(accuracy), float(np.mean(y_test == majority))


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_pad_or_truncate, pad_or_truncate),
    (ex.evaluate_pad_or_truncate, lambda r, n: [list(ids)[:n] + [0] * (n - len(list(ids)[:n])) for ids in r]),
    (ex.evaluate_pad_or_truncate, lambda r, n: __import__("keras").utils.pad_sequences(
        [list(ids) for ids in r], maxlen=n, padding="post", truncating="post")),
    (ex.evaluate_bag_of_words, bag_of_words),
    (ex.evaluate_bag_of_words, lambda b, v: bag_of_words(b, v).astype(np.float32)),
    (ex.evaluate_bag_of_words, lambda b, v: bag_of_words(b, v).tolist()),
    (ex.evaluate_accuracy_vs_majority, accuracy_vs_majority),
    (ex.evaluate_accuracy_vs_majority, lambda *a: list(accuracy_vs_majority(*a))),
    (ex.evaluate_accuracy_vs_majority, lambda *a: np.array(accuracy_vs_majority(*a), dtype=np.float32)),
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


def _front(r, n):
    return np.array([[0] * (n - len(list(ids)[:n])) + list(ids)[:n] for ids in r])


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_pad_or_truncate, lambda r, n: __import__("keras").utils.pad_sequences(
        [list(ids) for ids in r], maxlen=n), "pad_sequences does by default"),
    (ex.evaluate_pad_or_truncate, _front, "you put the 0s in front"),
    (ex.evaluate_pad_or_truncate, lambda r, n: np.array([list(ids)[-n:] + [0] * (n - len(list(ids)[-n:]))
                                                         for ids in r]), "you kept the last ones"),
    (ex.evaluate_pad_or_truncate, lambda r, n: np.array([list(ids)[:n] + [1] * (n - len(list(ids)[:n]))
                                                         for ids in r]), "pad with 0"),
    (ex.evaluate_pad_or_truncate, lambda r, n: pad_or_truncate(r, n + 1), "off-by-one"),
    (ex.evaluate_pad_or_truncate, lambda r, n: pad_or_truncate(r, n).astype(float) + 0.5, "ints are expected"),
    (ex.evaluate_bag_of_words, lambda b, v: bag_of_words(b, v) + np.eye(v, dtype=int)[0] *
     (np.asarray(b) == 0).sum(axis=1, keepdims=True), "padding is not a word"),
    (ex.evaluate_bag_of_words, lambda b, v: (bag_of_words(b, v) > 0).astype(int), "only whether it occurs"),
    (ex.evaluate_bag_of_words, lambda b, v: bag_of_words(b, v) / bag_of_words(b, v).sum(axis=1, keepdims=True),
     "not counts divided"),
    (ex.evaluate_bag_of_words, lambda b, v: bag_of_words(b, v) * (np.arange(v) != 1), "id 1"),
    (ex.evaluate_bag_of_words, lambda b, v: bag_of_words(b, v).sum(axis=0), "one row per review"),
    (ex.evaluate_accuracy_vs_majority, lambda yt, ys, p: (accuracy_vs_majority(yt, ys, p)[0], np.mean(ys)),
     "share of 1s"),
    (ex.evaluate_accuracy_vs_majority, lambda yt, ys, p: (accuracy_vs_majority(yt, ys, p)[0],
                                                          max(np.mean(ys), 1 - np.mean(ys))), "share of 1s"),
    (ex.evaluate_accuracy_vs_majority, lambda yt, ys, p: (accuracy_vs_majority(yt, ys, p)[0],
                                                          max(np.mean(yt), 1 - np.mean(yt))), "measured it on y_train"),
    (ex.evaluate_accuracy_vs_majority, lambda yt, ys, p: (1 - np.mean(np.abs(np.asarray(ys) - p)),
                                                          accuracy_vs_majority(yt, ys, p)[1]), "1 - |y - p|"),
    (ex.evaluate_accuracy_vs_majority, lambda yt, ys, p: (np.mean((np.asarray(p) < 0.5) == ys),
                                                          accuracy_vs_majority(yt, ys, p)[1]), "wrong way"),
])
def test_each_mistake_gets_its_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed
    assert hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_pad_or_truncate, ex.evaluate_bag_of_words,
                                      ex.evaluate_accuracy_vs_majority])
def test_unwritten_and_crashing_answers_get_a_message(evaluate):
    def todo(*args):
        raise NotImplementedError

    assert evaluate(todo).message.startswith("⏳")
    crashed = evaluate(lambda *args: 1 / 0)
    assert crashed.message.startswith("❌") and "ZeroDivisionError" in crashed.message


def test_points_and_not_allowed_cover_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"pad_or_truncate", "bag_of_words", "accuracy_vs_majority"}
