"""Exercise checks of notebook 12 accept the solutions and valid variants and give each mistake its hint."""

import numpy as np
import pytest

from utils.exercises import nb12_digits as ex


def todo(*args):
    raise NotImplementedError


def flatten(images):
    return images.reshape(len(images), -1) / 255


def forward(x, W1, b1, W2, b2):
    z = np.maximum(0, x @ W1 + b1) @ W2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def confusion(y_true, y_pred, n_classes):
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    for t, p in zip(y_true, y_pred):
        matrix[t, p] += 1
    return matrix


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_flatten_and_scale, flatten),
    (ex.evaluate_flatten_and_scale, lambda im: (im.reshape(im.shape[0], 784 if im.shape[1] == 28 else -1)
                                                 .astype("float32") / 255.0)),
    (ex.evaluate_flatten_and_scale, lambda im: np.reshape(im, (len(im), -1)) * (1 / 255)),
    (ex.evaluate_forward_probabilities, forward),
    (ex.evaluate_forward_probabilities, lambda *a: __import__("tensorflow").nn.softmax(
        np.maximum(0, a[0] @ a[1] + a[2]) @ a[3] + a[4])),
    (ex.evaluate_confusion_counts, confusion),
    (ex.evaluate_confusion_counts, lambda t, p, k: np.bincount(t * k + p, minlength=k * k).reshape(k, k)),
])
def test_solutions_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed and result.message.startswith("✅"), result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_flatten_and_scale, ex.evaluate_forward_probabilities,
                                      ex.evaluate_confusion_counts])
def test_todo_crash_and_none_get_messages(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    crashed = evaluate(lambda *a: 1 / 0)
    assert not crashed.passed and "ZeroDivisionError" in crashed.message
    assert "return" in evaluate(lambda *a: None).message


@pytest.mark.parametrize("wrong, hint", [
    (lambda im: im.reshape(len(im), -1), "did not scale"),
    (lambda im: im.reshape(len(im), -1).astype(float), "did not scale"),
    (lambda im: im.reshape(len(im), -1) // 255, "integer division"),
    (lambda im: im.reshape(len(im), -1) / 256, "not 256"),
    (lambda im: im.reshape(len(im), -1) / im.max(), "batch's maximum"),
    (lambda im: im.ravel() / 255, "one row per image"),
    (lambda im: np.stack([i.T.ravel() for i in im]) / 255, "column by column"),
])
def test_flatten_mistakes(wrong, hint):
    result = ex.evaluate_flatten_and_scale(wrong)
    assert not result.passed and hint in result.message, result.message


def _softmax(z, axis=1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, W1, b1, W2, b2: _softmax((x @ W1 + b1) @ W2 + b2), "collapse"),
    (lambda x, W1, b1, W2, b2: _softmax(1 / (1 + np.exp(-(x @ W1 + b1))) @ W2 + b2), "not the sigmoid"),
    (lambda x, W1, b1, W2, b2: np.maximum(0, x @ W1 + b1) @ W2 + b2, "sum to 1"),
    (lambda x, W1, b1, W2, b2: _softmax(np.maximum(0, x @ W1 + b1) @ W2 + b2, axis=0), "each column"),
    (lambda x, W1, b1, W2, b2: _softmax(np.maximum(0, x @ W1) @ W2 + b2), "hidden bias b1"),
    (lambda x, W1, b1, W2, b2: _softmax(np.maximum(0, x @ W1 + b1) @ W2), "output bias b2"),
    (lambda *a: np.argmax(forward(*a), axis=1), "not the predicted labels"),
])
def test_forward_mistakes(wrong, hint):
    result = ex.evaluate_forward_probabilities(wrong)
    assert not result.passed and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda t, p, k: confusion(p, t, k), "transposed"),
    (lambda t, p, k: confusion(t, p, k).astype(float), "ints are expected"),
    (lambda t, p, k: confusion(t, p, k) / confusion(t, p, k).sum(axis=1, keepdims=True).clip(1), "fractions"),
    (lambda t, p, k: confusion(t, p, max(t.max(), p.max()) + 1), "n_classes × n_classes"),
])
def test_confusion_mistakes(wrong, hint):
    result = ex.evaluate_confusion_counts(wrong)
    assert not result.passed and hint in result.message, result.message


def test_confusion_counts_set_to_one_gets_its_hint():
    def set_one(t, p, k):
        matrix = np.zeros((k, k), dtype=int)
        matrix[t, p] = 1
        return matrix

    result = ex.evaluate_confusion_counts(set_one)
    assert not result.passed and "+= 1" in result.message, result.message


def test_points_and_bans_name_the_three_exercises():
    assert set(ex.POINTS) == {"flatten_and_scale", "forward_probabilities", "confusion_counts"}
    assert set(ex.NOT_ALLOWED) <= set(ex.POINTS)
