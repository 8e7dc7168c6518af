"""Exercise checks of notebook 16 accept valid answers and name each plausible mistake."""

import numpy as np
import pytest
import tensorflow as tf

from utils.exercises import nb16_regularization as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


# ----- exercise 1: the L2 penalty -------------------------------------------------------------

@pytest.mark.parametrize("answer", [
    lambda ws, lam: lam * sum(np.sum(w**2) for w in ws),
    lambda ws, lam: lam * sum(float(np.sum(np.square(w))) for w in ws),
    lambda ws, lam: lam * sum(np.linalg.norm(w) ** 2 for w in ws),
    lambda ws, lam: float(sum(tf.reduce_sum(tf.square(w)) * lam for w in ws)),
    lambda ws, lam: np.array([lam * sum(np.sum(w**2) for w in ws)]),  # shape (1,)
    lambda ws, lam: sum(float(tf.keras.regularizers.L2(lam)(tf.constant(w, tf.float64))) for w in ws),
])
def test_l2_penalty_valid_variants_pass(answer):
    result = ex.evaluate_l2_penalty(answer)
    assert result.passed, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda ws, lam: lam * sum(np.sum(np.abs(w)) for w in ws), "L1"),
    (lambda ws, lam: lam * sum(np.mean(w**2) for w in ws), "took a mean"),
    (lambda ws, lam: 0.5 * lam * sum(np.sum(w**2) for w in ws), "no factor ½"),
    (lambda ws, lam: lam * sum(np.linalg.norm(w) for w in ws), "SQUARED norm"),
    (lambda ws, lam: lam * np.sum(ws[0] ** 2), "EVERY weight array"),
    (lambda ws, lam: sum(np.sum(w**2) for w in ws), "multiply by the strength"),
])
def test_l2_penalty_mistakes_get_their_hint(wrong, hint):
    result = ex.evaluate_l2_penalty(wrong)
    assert not result.passed and hint in result.message, result.message


# ----- exercise 2: inverted dropout -----------------------------------------------------------

@pytest.mark.parametrize("answer", [
    lambda a, keep, rate: a * keep / (1 - rate),
    lambda a, keep, rate: np.where(keep, a / (1 - rate), 0.0),
    lambda a, keep, rate: tf.where(keep, a / (1 - rate), 0.0),
    lambda a, keep, rate: (a * keep.astype(float) / (1 - rate)).tolist(),
])
def test_inverted_dropout_valid_variants_pass(answer):
    result = ex.evaluate_inverted_dropout(answer)
    assert result.passed, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda a, keep, rate: a * keep, "SCALES the survivors"),
    (lambda a, keep, rate: a * keep / rate, "KEEP probability"),
    (lambda a, keep, rate: a * keep * (1 - rate), "non-inverted"),
    (lambda a, keep, rate: a * ~keep / (1 - rate), "mask is inverted"),
    (lambda a, keep, rate: a / (1 - rate), "forgot to multiply by the mask"),
])
def test_inverted_dropout_mistakes_get_their_hint(wrong, hint):
    result = ex.evaluate_inverted_dropout(wrong)
    assert not result.passed and hint in result.message, result.message


# ----- exercise 3: early stopping -------------------------------------------------------------

def early_stopping(val_losses, patience):
    best = 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[best]:
            best = epoch
        elif epoch - best >= patience:
            return epoch, best
    return len(val_losses) - 1, best


def early_stopping_with_wait(val_losses, patience):
    """The Keras way: a wait counter and the best value so far."""
    best_value, best, wait = np.inf, 0, 0
    for epoch, value in enumerate(val_losses):
        wait += 1
        if value < best_value:
            best_value, best, wait = value, epoch, 0
            continue
        if wait >= patience and epoch > 0:
            return epoch, best
    return len(val_losses) - 1, best


@pytest.mark.parametrize("answer", [
    early_stopping, early_stopping_with_wait,
    lambda v, p: list(early_stopping(v, p)),
    lambda v, p: np.array(early_stopping(v, p)),
    lambda v, p: tf.constant(early_stopping(v, p)),
])
def test_early_stopping_valid_variants_pass(answer):
    result = ex.evaluate_early_stopping(answer)
    assert result.passed, result.message


@pytest.mark.parametrize("wrong, hint", [
    (ex._stops_late, "waits one epoch more"),
    (ex._ties_improve, "a tie is not an improvement"),
    (lambda v, p: (early_stopping(v, p)[0], int(np.argmin(v))), "best SO FAR"),
    (lambda v, p: tuple(e + 1 for e in early_stopping(v, p)), "count epochs from 0"),
    (lambda v, p: tuple(float(e) for e in early_stopping(v, p)), "ints are expected"),
])
def test_early_stopping_mistakes_get_their_hint(wrong, hint):
    result = ex.evaluate_early_stopping(wrong)
    assert not result.passed and hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_l2_penalty, ex.evaluate_inverted_dropout,
                                      ex.evaluate_early_stopping])
def test_todo_and_crash_give_messages(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    result = evaluate(crash)
    assert not result.passed and result.message.startswith("❌") and "ZeroDivisionError" in result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_l2_penalty, ex.evaluate_inverted_dropout,
                                      ex.evaluate_early_stopping])
def test_nan_and_none_answers_are_explained(evaluate):
    none = evaluate(lambda *a: None)
    assert not none.passed and "return" in none.message
    nan = evaluate(lambda *a: np.nan)
    assert not nan.passed and nan.message.startswith("❌")
