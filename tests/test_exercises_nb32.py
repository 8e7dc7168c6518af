"""Exercise checks of notebook 32 accept the solutions and valid variants, and give each plausible mistake its hint."""

import numpy as np
import pytest

from utils.exercises import nb32_echo as ex
from utils.exercises import grading


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def echo_targets(x, k):
    x = np.asarray(x)
    y = np.full(x.shape, -1)
    y[:, k:] = x[:, :-k]
    return y


def echo_targets_loop(x, k):
    return [[-1 if t < k else int(row[t - k]) for t in range(len(row))] for row in np.asarray(x)]


def echo_targets_tf(x, k):
    import tensorflow as tf

    x = tf.constant(np.asarray(x))
    return tf.concat([tf.fill([x.shape[0], k], tf.constant(-1, x.dtype)), x[:, :-k]], axis=1)


def one_hot(x, n_symbols):
    return np.eye(n_symbols)[np.asarray(x)]


def one_hot_keras(x, n_symbols):
    import keras

    return keras.utils.to_categorical(np.asarray(x), num_classes=n_symbols)


def one_hot_int(x, n_symbols):
    return (np.asarray(x)[..., None] == np.arange(n_symbols)).astype(int)


def accuracy(y, y_prob):
    y, y_prob = np.asarray(y), np.asarray(y_prob)
    defined = y != -1
    return float(np.mean(y_prob.argmax(axis=-1)[defined] == y[defined]))


def accuracy_tf(y, y_prob):
    import tensorflow as tf

    y = tf.constant(np.asarray(y))
    defined = y >= 0
    right = tf.boolean_mask(tf.argmax(y_prob, axis=-1) == tf.cast(y, tf.int64), defined)
    return tf.reduce_mean(tf.cast(right, tf.float64))


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_echo_targets, echo_targets),
    (ex.evaluate_echo_targets, echo_targets_loop),
    (ex.evaluate_echo_targets, echo_targets_tf),
    (ex.evaluate_one_hot, one_hot),
    (ex.evaluate_one_hot, one_hot_keras),
    (ex.evaluate_one_hot, one_hot_int),
    (ex.evaluate_defined_step_accuracy, accuracy),
    (ex.evaluate_defined_step_accuracy, accuracy_tf),
    (ex.evaluate_defined_step_accuracy, lambda y, p: np.array([accuracy(y, p)])),
])
def test_solutions_and_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed and result.message.startswith("✅"), result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_echo_targets, ex.evaluate_one_hot,
                                      ex.evaluate_defined_step_accuracy])
def test_todo_crash_and_none(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    result = evaluate(crash)
    assert not result.passed and "ZeroDivisionError" in result.message and result.message.startswith("❌")
    result = evaluate(lambda *a: None)
    assert not result.passed and "return" in result.message


def _shift(x, k, fill=-1):
    x = np.asarray(x)
    y = np.full(x.shape, fill)
    y[:, k:] = x[:, :-k] if k else x
    return y


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, k: _shift(x, k - 1), "shifted by k − 1"),
    (lambda x, k: _shift(x, k + 1), "shifted by k + 1"),
    (lambda x, k: _shift(x, k, fill=0), "not 0, which is a real symbol"),
    (lambda x, k: np.roll(np.asarray(x), k, axis=1), "np.roll wraps around"),
    (lambda x, k: np.concatenate([np.asarray(x)[:, k:], np.full((len(x), k), -1)], axis=1), "wrong way"),
    (lambda x, k: np.roll(np.asarray(x), k, axis=0), "along time (axis 1)"),
    (lambda x, k: np.asarray(x), "inputs unchanged"),
])
def test_echo_targets_mistakes(wrong, hint):
    result = ex.evaluate_echo_targets(wrong)
    assert not result.passed and hint in result.message, result.message


def test_echo_targets_float_answer_is_told_to_use_ints():
    result = ex.evaluate_echo_targets(lambda x, k: echo_targets(x, k).astype(float))
    assert not result.passed and "ints are expected" in result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, n: np.eye(np.max(x) + 1)[np.asarray(x)], "not x.max() + 1"),
    (lambda x, n: np.eye(n)[np.asarray(x) - 1], "position s − 1"),
    (lambda x, n: np.eye(n)[(np.asarray(x) + 1) % n], "position s + 1"),
    (lambda x, n: np.transpose(np.eye(n)[np.asarray(x)], (0, 2, 1)), "symbols axis goes last"),
])
def test_one_hot_mistakes(wrong, hint):
    result = ex.evaluate_one_hot(wrong)
    assert not result.passed and hint in result.message, result.message


def test_one_hot_flat_answer_gets_a_shape_message():
    result = ex.evaluate_one_hot(lambda x, n: np.asarray(x))
    assert not result.passed and "shape" in result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda y, p: float(np.mean(np.asarray(p).argmax(-1) == np.asarray(y))), "count only the steps"),
    (lambda y, p: float(np.mean((np.asarray(p).argmax(-1) == np.asarray(y)) | (np.asarray(y) == -1))),
     "left OUT of the mean"),
    (lambda y, p: 1 - accuracy(y, p), "error rate"),
    (lambda y, p: float(np.sum(np.asarray(p).argmax(-1)[np.asarray(y) != -1] == np.asarray(y)[np.asarray(y) != -1])),
     "not return the count"),
    (lambda y, p: float(np.mean(np.asarray(p).argmax(-1)[np.asarray(y) > 0] == np.asarray(y)[np.asarray(y) > 0])),
     "symbol 0 is a real symbol"),
])
def test_accuracy_mistakes(wrong, hint):
    result = ex.evaluate_defined_step_accuracy(wrong)
    assert not result.passed and hint in result.message, result.message


def test_points_and_not_allowed_cover_every_exercise():
    assert set(ex.POINTS) == {"echo_targets", "one_hot", "defined_step_accuracy"}
    assert set(ex.NOT_ALLOWED) <= set(ex.POINTS)
    assert grading is not None
