"""Exercise checks of notebook 19 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.exercises import nb19_metrics as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def confusion_counts(y_true, y_pred):
    truth, pred = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    return np.array([[np.sum((truth == t) & (pred == p)) for p in (0, 1)] for t in (0, 1)])


def trapezoid_auc(fpr, tpr):
    fpr, tpr = np.asarray(fpr, dtype=float), np.asarray(tpr, dtype=float)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def r2_score(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    return float(1 - np.sum((y_true - y_pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2))


def _tf(function):
    import tensorflow as tf

    return lambda *args: tf.constant(np.asarray(function(*args)))


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_confusion_counts, confusion_counts),
    (ex.evaluate_confusion_counts, lambda t, p: confusion_counts(t, p).tolist()),
    (ex.evaluate_confusion_counts, lambda t, p: np.bincount(2 * np.asarray(t) + np.asarray(p), minlength=4).reshape(2, 2)),
    (ex.evaluate_confusion_counts, _tf(confusion_counts)),
    (ex.evaluate_trapezoid_auc, trapezoid_auc),
    (ex.evaluate_trapezoid_auc, lambda f, t: np.trapezoid(t, f)),
    (ex.evaluate_trapezoid_auc, lambda f, t: sum((f[i + 1] - f[i]) * (t[i] + t[i + 1]) / 2 for i in range(len(f) - 1))),
    (ex.evaluate_trapezoid_auc, _tf(trapezoid_auc)),
    (ex.evaluate_r2_score, r2_score),
    (ex.evaluate_r2_score, lambda y, f: 1 - np.mean((np.asarray(y) - f) ** 2) / np.var(y)),
    (ex.evaluate_r2_score, _tf(r2_score)),
])
def test_solutions_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed and result.message.startswith("✅"), result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_confusion_counts, ex.evaluate_trapezoid_auc, ex.evaluate_r2_score])
def test_todo_and_crash_get_messages(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    result = evaluate(crash)
    assert not result.passed and "ZeroDivisionError" in result.message and "Traceback" not in result.message


def _swap_tp_tn(t, p):
    m = confusion_counts(t, p)
    return np.array([[m[1, 1], m[0, 1]], [m[1, 0], m[0, 0]]])


@pytest.mark.parametrize("wrong, hint", [
    (lambda t, p: confusion_counts(t, p).T, "transposed"),
    (lambda t, p: confusion_counts(t, p)[::-1, ::-1], "positives first"),
    (_swap_tp_tn, "swapped the two"),
    (lambda t, p: confusion_counts(t, p) / len(t), "do not divide"),
    (lambda t, p: confusion_counts(t, p).astype(float), "ints are expected"),
])
def test_confusion_counts_mistakes(wrong, hint):
    result = ex.evaluate_confusion_counts(wrong)
    assert not result.passed and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda f, t: float(np.sum(np.diff(f) * np.asarray(t)[:-1])), "left Riemann"),
    (lambda f, t: float(np.sum(np.diff(f) * np.asarray(t)[1:])), "right Riemann"),
    (lambda f, t: float(np.sum(np.diff(f) * (np.asarray(t)[1:] + np.asarray(t)[:-1]))), "forgot the / 2"),
    (lambda f, t: trapezoid_auc(t, f), "swapped the roles"),
    (lambda f, t: float(np.mean(t)), "not an area"),
])
def test_trapezoid_auc_mistakes(wrong, hint):
    result = ex.evaluate_trapezoid_auc(wrong)
    assert not result.passed and hint in result.message, result.message


@pytest.mark.parametrize("wrong, hint", [
    (lambda y, f: 1 - r2_score(y, f), "UNexplained"),
    (lambda y, f: 1 - np.sum((np.asarray(y) - f) ** 2) / np.sum(np.asarray(y) ** 2), "MEAN of y"),
    (lambda y, f: 1 - np.sum((np.asarray(y) - f) ** 2) / np.sum((np.asarray(f) - np.mean(f)) ** 2), "TRUE values"),
    (lambda y, f: np.corrcoef(y, f)[0, 1] ** 2, "squared correlation"),
    (lambda y, f: 1 - np.mean((np.asarray(y) - f) ** 2) / np.sum((np.asarray(y) - np.mean(y)) ** 2), "mixed a mean"),
])
def test_r2_score_mistakes(wrong, hint):
    result = ex.evaluate_r2_score(wrong)
    assert not result.passed and hint in result.message, result.message


def test_points_are_declared_for_every_exercise():
    assert set(ex.POINTS) == {"confusion_counts", "trapezoid_auc", "r2_score"}
    assert set(ex.NOT_ALLOWED) <= set(ex.POINTS)
