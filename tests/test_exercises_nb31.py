"""Exercise checks of notebook 31 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.exercises import nb31_gates as ex
from utils.sequences import gates


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    i, f, c_hat, o = np.split(z, 4, axis=-1)
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(c_hat)
    return sigmoid(o) * np.tanh(c), c


def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)
    h_z, h_r, h_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)
    z, r = sigmoid(x_z + h_z), sigmoid(x_r + h_r)
    return z * h_prev + (1 - z) * np.tanh(x_h + r * h_h)


def gradient_norms(W_hh, states):
    product = np.eye(len(W_hh))
    norms = [1.0]
    for h in states[::-1]:
        product = product @ (np.diag(1 - h**2) @ W_hh.T)
        norms.append(np.linalg.norm(product, 2))
    return np.array(norms)


def _tf(function):
    import tensorflow as tf

    return lambda *args: tf.constant(np.asarray(function(*args)))


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_lstm_step, lstm_step),
    (ex.evaluate_lstm_step, lambda *a: list(lstm_step(*a))),
    (ex.evaluate_lstm_step, lambda *a: gates.lstm_cell(*a)),
    (ex.evaluate_lstm_step, _tf(lstm_step)),
    (ex.evaluate_gru_step, gru_step),
    (ex.evaluate_gru_step, lambda *a: gates.gru_cell(*a).astype(np.float32)),
    (ex.evaluate_gru_step, _tf(gru_step)),
    (ex.evaluate_gradient_norms, gradient_norms),
    (ex.evaluate_gradient_norms, lambda W, s: gradient_norms(W, s).tolist()),
    (ex.evaluate_gradient_norms, _tf(gradient_norms)),
])
def test_solutions_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


def _lstm_variant(order="ifco", forget=True, candidate=np.tanh, squash=True, swap=False):
    def answer(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
        parts = dict(zip(order, np.split(x_t @ kernel + h_prev @ recurrent_kernel + bias, 4, axis=-1)))
        c = (sigmoid(parts["f"]) * c_prev if forget else c_prev) + sigmoid(parts["i"]) * candidate(parts["c"])
        h = sigmoid(parts["o"]) * (np.tanh(c) if squash else c)
        return (c, h) if swap else (h, c)
    return answer


def _gru_variant(before=False, blend=True, order="zrh", recurrent_bias=True, rows=(0, 1)):
    def answer(x_t, h_prev, kernel, recurrent_kernel, bias):
        b_rec = bias[rows[1]] if recurrent_bias else 0 * bias[0]
        xi = dict(zip(order, np.split(x_t @ kernel + bias[rows[0]], 3, axis=-1)))
        weights = dict(zip(order, np.split(recurrent_kernel, 3, axis=-1)))
        biases = dict(zip(order, np.split(b_rec, 3, axis=-1)))
        z = sigmoid(xi["z"] + h_prev @ weights["z"] + biases["z"])
        r = sigmoid(xi["r"] + h_prev @ weights["r"] + biases["r"])
        inner = (r * h_prev) @ weights["h"] + biases["h"] if before else r * (h_prev @ weights["h"] + biases["h"])
        candidate = np.tanh(xi["h"] + inner)
        return z * h_prev + (1 - z) * candidate if blend else (1 - z) * h_prev + z * candidate
    return answer


def _norms_variant(transpose=True, left=True, frobenius=False, slope=True, first_one=False):
    def answer(W_hh, states):
        product, norms = np.eye(len(W_hh)), [1.0]
        weights = W_hh.T if transpose else W_hh
        for h in states[::-1]:
            jacobian = (np.diag(1 - h**2) if slope else np.eye(len(h))) @ weights
            product = product @ jacobian if left else jacobian @ product
            norms.append(np.linalg.norm(product) if frobenius else np.linalg.norm(product, 2))
        if frobenius and not first_one:
            norms[0] = np.linalg.norm(np.eye(len(W_hh)))
        return np.array(norms)
    return answer


@pytest.mark.parametrize("evaluate, answer, hint", [
    (ex.evaluate_lstm_step, _lstm_variant(order="fico"), "swapped places"),
    (ex.evaluate_lstm_step, _lstm_variant(order="ifoc"), "candidate is the THIRD block"),
    (ex.evaluate_lstm_step, _lstm_variant(forget=False), "through the forget gate"),
    (ex.evaluate_lstm_step, _lstm_variant(swap=True), "return (h, c) in that order"),
    (ex.evaluate_lstm_step, _lstm_variant(candidate=sigmoid), "candidate c̃ uses tanh"),
    (ex.evaluate_lstm_step, _lstm_variant(squash=False), "squash the new cell state"),
    (ex.evaluate_lstm_step, lambda x, h, c, k, r, b: _lstm_variant()(x, 0 * h, c, k, r, b), "previous hidden"),
    (ex.evaluate_gru_step, _gru_variant(before=True), "reset_after=False"),
    (ex.evaluate_gru_step, _gru_variant(blend=False), "swapped z and 1 − z"),
    (ex.evaluate_gru_step, _gru_variant(order="rzh"), "update gate z is the FIRST"),
    (ex.evaluate_gru_step, _gru_variant(recurrent_bias=False), "left the second row out"),
    (ex.evaluate_gru_step, _gru_variant(rows=(1, 0)), "other way round"),
    (ex.evaluate_gradient_norms, _norms_variant(transpose=False), "TRANSPOSED"),
    (ex.evaluate_gradient_norms, _norms_variant(left=False), "on the RIGHT"),
    (ex.evaluate_gradient_norms, _norms_variant(frobenius=True), "Frobenius"),
    (ex.evaluate_gradient_norms, _norms_variant(frobenius=True, first_one=True), "Frobenius"),
    (ex.evaluate_gradient_norms, _norms_variant(slope=False), "W_hhᵀ alone"),
])
def test_each_mistake_gets_its_hint(evaluate, answer, hint):
    result = evaluate(answer)
    assert not result.passed and result.message.startswith("❌"), result.message
    assert hint in result.message, result.message


def test_gru_reset_applied_to_the_input_side_gets_its_hint():
    def answer(x_t, h_prev, kernel, recurrent_kernel, bias):
        x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=-1)
        h_z, h_r, h_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=-1)
        z, r = sigmoid(x_z + h_z), sigmoid(x_r + h_r)
        return z * h_prev + (1 - z) * np.tanh(r * x_h + h_h)

    assert "not on the input part" in ex.evaluate_gru_step(answer).message


@pytest.mark.parametrize("evaluate", [ex.evaluate_lstm_step, ex.evaluate_gru_step, ex.evaluate_gradient_norms])
def test_unwritten_crashing_and_nan_answers_get_messages(evaluate):
    def todo(*args):
        raise NotImplementedError

    assert evaluate(todo).message.startswith("⏳")
    crashed = evaluate(lambda *a: 1 / 0)
    assert crashed.message.startswith("❌") and "ZeroDivisionError" in crashed.message
    assert "None" in evaluate(lambda *a: None).message
    assert evaluate(lambda *a: np.full((2, 2), np.nan)).message.startswith("❌")
    assert "should be a function" in evaluate(3).message


def test_points_are_declared_for_every_exercise():
    assert set(ex.POINTS) == {"lstm_step", "gru_step", "gradient_norms"} == set(ex.NOT_ALLOWED)
