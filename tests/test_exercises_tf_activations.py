"""Notebooks 06 and 07: exercise checks accept the solutions and reject plausible wrong answers with a hint."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.exercises import nb07_activations as act  # noqa: E402
from utils.exercises import nb06_tensorflow_basics as tfb  # noqa: E402

tf = pytest.importorskip("tensorflow")


def todo(*args):
    raise NotImplementedError


def crash(*args):
    raise KeyError("oops")


# ----------------------------------------------------------------------------- notebook 06

def accuracy_from_logits(logits, labels):
    predicted = tf.argmax(logits, axis=1)
    matches = tf.equal(predicted, tf.cast(labels, predicted.dtype))
    return tf.reduce_mean(tf.cast(matches, tf.float32))


def mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(tf.cast(y_true, tf.float32) - tf.reshape(y_pred, [-1])))


def line_gradients(w, b, x, y):
    w, b = tf.Variable(float(w)), tf.Variable(float(b))
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(w * x + b - y))
    return tape.gradient(loss, [w, b])


def test_tf_solutions_pass():
    for result in (tfb.evaluate_accuracy_from_logits(accuracy_from_logits), tfb.evaluate_mse(mse),
                   tfb.evaluate_line_gradients(line_gradients)):
        assert result.passed and result.message.startswith("✅"), result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda lg, lb: tf.reduce_mean(tf.cast(tf.argmax(lg, axis=0) == lb, tf.float32)), "axis 1"),
    (lambda lg, lb: tf.reduce_mean(tf.cast(tf.argmax(lg, axis=1) == lb, tf.int32)), "cast the matches to float32"),
    (lambda lg, lb: tf.reduce_sum(tf.cast(tf.argmax(lg, axis=1) == lb, tf.float32)), "not tf.reduce_sum"),
    (lambda lg, lb: tf.reduce_mean(tf.cast(tf.argmin(lg, axis=1) == lb, tf.float32)), "argmin"),
    (lambda lg, lb: tf.cast(tf.argmax(lg, axis=1) == lb, tf.float32), "return one number"),
])
def test_accuracy_mistakes(wrong, hint):
    result = tfb.evaluate_accuracy_from_logits(wrong)
    assert not result.passed and "Hint:" in result.message and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda y, p: tf.reduce_mean(tf.square(y - p)), "broadcasts"),
    (lambda y, p: tf.reduce_sum(tf.square(y - tf.reshape(p, [-1]))), "not their sum"),
    (lambda y, p: tf.reduce_mean(y - tf.reshape(p, [-1])), "square the errors"),
    (lambda y, p: tf.reduce_mean(tf.abs(y - tf.reshape(p, [-1]))), "absolute"),
    (lambda y, p: tf.sqrt(tf.reduce_mean(tf.square(y - tf.reshape(p, [-1])))), "RMSE"),
    (lambda y, p: tf.square(y - tf.reshape(p, [-1])), "return one number"),
])
def test_mse_mistakes(wrong, hint):
    result = tfb.evaluate_mse(wrong)
    assert not result.passed and hint in result.message, result.message


def _scaled(factor, swap=False):
    def answer(w, b, x, y):
        gw, gb = line_gradients(w, b, x, y)
        pair = (gw * factor, gb * factor)
        return pair[::-1] if swap else pair
    return answer


@pytest.mark.parametrize("wrong, hint", [
    (_scaled(-1.0), "uphill"),
    (_scaled(0.5), "factor 2"),
    (lambda w, b, x, y: [g * len(x) for g in line_gradients(w, b, x, y)], "not a sum"),
    (_scaled(1.0, swap=True), "swapped"),
])
def test_gradient_mistakes(wrong, hint):
    result = tfb.evaluate_line_gradients(wrong)
    assert not result.passed and hint in result.message, result.message


def test_gradient_none_is_explained():
    def constant_weights(w, b, x, y):
        w, b = tf.constant(float(w)), tf.constant(float(b))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(w * x + b - y))
        return tape.gradient(loss, [w, b])

    result = tfb.evaluate_line_gradients(constant_weights)
    assert not result.passed and "None" in result.message and "tf.Variable" in result.message


@pytest.mark.parametrize("evaluate", [tfb.evaluate_accuracy_from_logits, tfb.evaluate_mse, tfb.evaluate_line_gradients,
                                      act.evaluate_collapse, act.evaluate_tanh_derivative, act.evaluate_softmax])
def test_todo_and_crash_and_non_function(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    crashed = evaluate(crash)
    assert crashed.message.startswith("❌") and "KeyError" in crashed.message
    assert evaluate(42).message.startswith("❌")


def test_nan_answer_is_explained():
    result = tfb.evaluate_mse(lambda y, p: float("nan"))
    assert not result.passed and "NaN" in result.message


# ----------------------------------------------------------------------------- notebook 07

def test_activation_solutions_pass():
    def softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    for result in (act.evaluate_collapse(lambda W1, b1, W2, b2: (W1 @ W2, b1 @ W2 + b2)),
                   act.evaluate_tanh_derivative(lambda x: 1 - np.tanh(x) ** 2),
                   act.evaluate_softmax(softmax)):
        assert result.passed and result.message.startswith("✅"), result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda W1, b1, W2, b2: (W2 @ W1, b1 @ W2 + b2), "not W2 @ W1"),
    (lambda W1, b1, W2, b2: (W1 * W2, b1 @ W2 + b2), "element by element"),
    (lambda W1, b1, W2, b2: (W1 @ W2, b1 + b2), "not b1 + b2"),
    (lambda W1, b1, W2, b2: (W1 @ W2, b2), "dropped b1"),
    (lambda W1, b1, W2, b2: (W1 @ W2, b1 @ W2), "dropped b2"),
    (lambda W1, b1, W2, b2: (W1 @ W2, W2 @ b1 + b2), "not W2 @ b1"),
])
def test_collapse_mistakes(wrong, hint):
    result = act.evaluate_collapse(wrong)
    assert not result.passed and hint in result.message, result.message


def test_collapse_wrong_return_is_explained():
    result = act.evaluate_collapse(lambda W1, b1, W2, b2: W1 @ W2)
    assert not result.passed and "return W, b" in result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda x: 1 - np.tanh(x), "square tanh"),
    (lambda x: np.tanh(x) * (1 - np.tanh(x)), "sigmoid's* pattern"),
    (lambda x: 1 + np.tanh(x) ** 2, "mind the sign"),
    (lambda x: 1 / (1 + np.exp(-x)) * (1 - 1 / (1 + np.exp(-x))), "sigmoid's derivative"),
    (np.tanh, "tanh itself"),
])
def test_tanh_derivative_mistakes(wrong, hint):
    result = act.evaluate_tanh_derivative(wrong)
    assert not result.passed and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True), "each *row*"),
    (lambda z: np.exp(z) / np.exp(z).sum(), "whole matrix"),
    (lambda z: z / z.sum(axis=1, keepdims=True), "exponentiate first"),
    (lambda z: 1 / (1 + np.exp(-z)), "sigmoid squashes"),
    (lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), "Subtract each row's maximum"),
])
def test_softmax_mistakes(wrong, hint):
    result = act.evaluate_softmax(wrong)
    assert not result.passed and hint in result.message, result.message


def test_check_functions_print(capsys):
    act.check_tanh_derivative(lambda x: 1 - np.tanh(x) ** 2)
    tfb.check_mse(todo)
    printed = capsys.readouterr().out
    assert "✅" in printed and "⏳" in printed
