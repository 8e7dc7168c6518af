"""Exercise checks of notebook 30 accept the solutions (and valid variants) and give each mistake its hint."""

import numpy as np
import pytest

from utils.exercises import nb30_rnn as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


# ----- solutions and valid variants ------------------------------------------------------------

def rnn_step(x_t, h_prev, W_xh, W_hh, b):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh + b)


def rnn_step_tf(x_t, h_prev, W_xh, W_hh, b):
    import tensorflow as tf
    return tf.tanh(tf.matmul(x_t, W_xh) + tf.matmul(h_prev, W_hh) + b)


def unroll(x, W_xh, W_hh, b):
    h = np.zeros((x.shape[0], W_hh.shape[0]))
    states = []
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, W_xh, W_hh, b)
        states.append(h)
    return np.stack(states, axis=1)


def unroll_preallocated(x, W_xh, W_hh, b):
    H = np.zeros((x.shape[0], x.shape[1], len(b)))
    h = np.zeros((x.shape[0], len(b)))
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ W_xh + h @ W_hh + b)
        H[:, t, :] = h
    return H.tolist()


def grad_W_hh(H, W_hh, dL_dhT):
    grad = np.zeros_like(W_hh)
    dh = dL_dhT
    for t in range(H.shape[1] - 1, -1, -1):
        dz = dh * (1 - H[:, t] ** 2)
        h_prev = H[:, t - 1] if t > 0 else np.zeros_like(H[:, 0])
        grad += h_prev.T @ dz
        dh = dz @ W_hh.T
    return grad


def grad_W_hh_einsum(H, W_hh, dL_dhT):
    H_prev = np.concatenate([np.zeros_like(H[:, :1]), H[:, :-1]], axis=1)
    dZ = np.zeros_like(H)
    dh = dL_dhT
    for t in reversed(range(H.shape[1])):
        dZ[:, t] = dh * (1 - H[:, t] ** 2)
        dh = dZ[:, t] @ W_hh.T
    return np.einsum("bti,btj->ij", H_prev, dZ)


def grad_W_hh_skipping_the_zero_first_term(H, W_hh, dL_dhT):
    grad, dh = np.zeros_like(W_hh), dL_dhT
    for t in range(H.shape[1] - 1, 0, -1):  # the t = 0 term h_0ᵀ δ_1 is zero
        delta = dh * (1 - H[:, t] ** 2)
        grad += H[:, t - 1].T @ delta
        dh = delta @ W_hh.T
    return grad


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_rnn_step, rnn_step),
    (ex.evaluate_rnn_step, rnn_step_tf),
    (ex.evaluate_rnn_step, lambda x, h, W, U, b: np.tanh(np.dot(x, W) + np.dot(h, U) + b).tolist()),
    (ex.evaluate_unroll, unroll),
    (ex.evaluate_unroll, unroll_preallocated),
    (ex.evaluate_grad_W_hh, grad_W_hh),
    (ex.evaluate_grad_W_hh, grad_W_hh_einsum),
    (ex.evaluate_grad_W_hh, grad_W_hh_skipping_the_zero_first_term),
])
def test_solutions_and_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed and result.message.startswith("✅"), result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_rnn_step, ex.evaluate_unroll, ex.evaluate_grad_W_hh])
def test_todo_crash_and_none(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    result = evaluate(crash)
    assert not result.passed and "ZeroDivisionError" in result.message and result.message.startswith("❌")
    result = evaluate(lambda *a: None)
    assert not result.passed and "return" in result.message
    result = evaluate(lambda *a: np.full((2, 3), np.nan))
    assert not result.passed and result.message.startswith("❌")
    assert not evaluate(42).passed


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, h, W, U, b: np.tanh(x @ W + h @ U), "bias b is missing"),
    (lambda x, h, W, U, b: np.tanh(x @ U + h @ W + b), "you swapped them"),
    (lambda x, h, W, U, b: np.tanh(x @ W.T + h @ U.T + b), "no transposes"),
    (lambda x, h, W, U, b: np.tanh(x @ W + h @ U.T + b), "not h_prev @ W_hh.T"),
    (lambda x, h, W, U, b: x @ W + h @ U + b, "apply tanh"),
    (lambda x, h, W, U, b: np.tanh(x @ W + b), "no memory"),
    (lambda x, h, W, U, b: 1 / (1 + np.exp(-(x @ W + h @ U + b))), "not the sigmoid"),
    (lambda x, h, W, U, b: np.maximum(x @ W + h @ U + b, 0), "not ReLU"),
    (lambda x, h, W, U, b: np.tanh(W.T @ x.T + U.T @ h.T + b[:, None]), "column form"),
])
def test_rnn_step_mistakes(wrong, hint):
    result = ex.evaluate_rnn_step(wrong)
    assert not result.passed and hint in result.message, result.message


def unroll_off_by_one(x, W_xh, W_hh, b):
    h = np.zeros((x.shape[0], W_hh.shape[0]))
    states = []
    for t in range(x.shape[1]):
        states.append(h)
        h = rnn_step(x[:, t], h, W_xh, W_hh, b)
    return np.stack(states, axis=1)


def unroll_h0_ones(x, W_xh, W_hh, b):
    h = np.ones((x.shape[0], W_hh.shape[0]))
    states = []
    for t in range(x.shape[1]):
        h = rnn_step(x[:, t], h, W_xh, W_hh, b)
        states.append(h)
    return np.stack(states, axis=1)


def unroll_no_feedback(x, W_xh, W_hh, b):
    h0 = np.zeros((x.shape[0], W_hh.shape[0]))
    return np.stack([rnn_step(x[:, t], h0, W_xh, W_hh, b) for t in range(x.shape[1])], axis=1)


@pytest.mark.parametrize("wrong, hint", [
    (lambda *a: unroll(*a)[:, -1], "not only the last one"),
    (lambda *a: np.stack([unroll(*a)[:, t] for t in range(a[0].shape[1])]), "axis=1"),
    (unroll_off_by_one, "off by one step"),
    (unroll_h0_ones, "not at ones"),
    (unroll_no_feedback, "feed each new state back"),
    (lambda x, W, U, b: unroll(x[:, ::-1], W, U, b), "walk forwards in time"),
    (lambda x, W, U, b: unroll(x[:, 1:], W, U, b), "a step is missing"),
])
def test_unroll_mistakes(wrong, hint):
    result = ex.evaluate_unroll(wrong)
    assert not result.passed and hint in result.message, result.message


def test_unroll_is_judged_with_the_reference_step():
    namespace = {"np": np}
    exec("def rnn_step(x_t, h_prev, W_xh, W_hh, b):\n    return np.tanh(x_t @ W_xh + h_prev @ W_hh)\n"
         "def unroll(x, W_xh, W_hh, b):\n    h = np.zeros((x.shape[0], W_hh.shape[0]))\n    out = []\n"
         "    for t in range(x.shape[1]):\n        h = rnn_step(x[:, t], h, W_xh, W_hh, b)\n"
         "        out.append(h)\n    return np.stack(out, axis=1)\n", namespace)
    assert ex.evaluate_unroll(namespace["unroll"]).passed


def grad_wrapped(H, W_hh, dL_dhT):
    grad, dh = np.zeros_like(W_hh), dL_dhT
    for t in range(H.shape[1] - 1, -1, -1):
        dz = dh * (1 - H[:, t] ** 2)
        grad += H[:, t - 1].T @ dz
        dh = dz @ W_hh.T
    return grad


def grad_no_transpose(H, W_hh, dL_dhT):
    grad, dh = np.zeros_like(W_hh), dL_dhT
    for t in range(H.shape[1] - 1, -1, -1):
        dz = dh * (1 - H[:, t] ** 2)
        grad += (H[:, t - 1] if t else np.zeros_like(H[:, 0])).T @ dz
        dh = dz @ W_hh
    return grad


def grad_no_slope(H, W_hh, dL_dhT):
    grad, dh = np.zeros_like(W_hh), dL_dhT
    for t in range(H.shape[1] - 1, -1, -1):
        grad += (H[:, t - 1] if t else np.zeros_like(H[:, 0])).T @ dh
        dh = dh @ W_hh.T
    return grad


@pytest.mark.parametrize("wrong, hint", [
    (grad_wrapped, "Python wraps around"),
    (grad_no_transpose, "with the TRANSPOSE"),
    (grad_no_slope, "go through tanh"),
    (lambda H, U, d: H[:, -2].T @ (d * (1 - H[:, -1] ** 2)), "only the last step"),
    (lambda H, U, d: grad_W_hh(H, U, d).T, "its transpose"),
    (lambda H, U, d: -grad_W_hh(H, U, d), "sign is wrong"),
])
def test_grad_W_hh_mistakes(wrong, hint):
    result = ex.evaluate_grad_W_hh(wrong)
    assert not result.passed and hint in result.message, result.message


def test_grad_W_hh_reference_equals_the_helpers_bptt():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 2))
    w = {"W_xh": rng.normal(size=(2, 4)), "W_hh": rng.normal(size=(4, 4)) * 0.5, "b": rng.normal(size=4)}
    from utils.sequences import recurrent
    H = recurrent.simple_rnn_forward(x, **w)
    upstream = np.zeros_like(H)
    upstream[:, -1] = rng.normal(size=(3, 4))
    expected = recurrent.simple_rnn_bptt(x, w["W_xh"], w["W_hh"], w["b"], upstream)["W_hh"]
    np.testing.assert_allclose(ex._grad_W_hh(H, w["W_hh"], upstream[:, -1]), expected, atol=1e-12)


def test_points_and_not_allowed():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"rnn_step", "unroll", "grad_W_hh"}
