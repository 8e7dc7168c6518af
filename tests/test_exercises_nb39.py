"""Exercise checks of notebook 39 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.attention import core
from utils.exercises import nb39_attention as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def scaled_dot_product_attention(q, k, v):
    scores = q @ k.T / np.sqrt(q.shape[-1])
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    return weights / weights.sum(axis=-1, keepdims=True) @ v


def masked_softmax(scores, mask):
    blocked = np.where(mask, scores, -np.inf)
    e = np.exp(blocked - blocked.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sinusoidal_positions(length, depth):
    angles = np.arange(length)[:, None] / np.power(10000.0, 2 * np.arange(depth // 2) / depth)
    table = np.zeros((length, depth))
    table[:, 0::2], table[:, 1::2] = np.sin(angles), np.cos(angles)
    return table


def naive(scores):
    e = np.exp(scores)
    return e / e.sum(axis=-1, keepdims=True)


def sdpa_tf(q, k, v):
    import tensorflow as tf

    q, k, v = (tf.constant(a) for a in (q, k, v))
    scores = tf.matmul(q, k, transpose_b=True) / tf.sqrt(tf.cast(tf.shape(q)[-1], tf.float64))
    return tf.matmul(tf.nn.softmax(scores, axis=-1), v)


def masked_softmax_big_negative(scores, mask):
    s = np.where(mask, scores, -1e9)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def masked_softmax_renormalised(scores, mask):
    e = np.exp(scores - scores.max(axis=-1, keepdims=True)) * mask
    return e / e.sum(axis=-1, keepdims=True)


def positions_loop(length, depth):
    table = [[0.0] * depth for _ in range(length)]
    for t in range(length):
        for i in range(0, depth, 2):
            angle = t / 10000 ** (i / depth)
            table[t][i], table[t][i + 1] = np.sin(angle), np.cos(angle)
    return table


def positions_stacked(length, depth):
    angles = np.arange(length)[:, None] / 10000 ** (np.arange(0, depth, 2) / depth)
    return np.stack([np.sin(angles), np.cos(angles)], axis=-1).reshape(length, depth)


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_scaled_dot_product_attention, scaled_dot_product_attention),
    (ex.evaluate_scaled_dot_product_attention, lambda q, k, v: core.scaled_dot_product_attention(q, k, v)[0]),
    (ex.evaluate_scaled_dot_product_attention, sdpa_tf),
    (ex.evaluate_scaled_dot_product_attention,  # einsum, and the softmax by logaddexp
     lambda q, k, v: np.einsum("qk,kv->qv", np.exp(
         np.einsum("qd,kd->qk", q, k) / np.sqrt(len(q[0]))
         - np.logaddexp.reduce(np.einsum("qd,kd->qk", q, k) / np.sqrt(len(q[0])), axis=1, keepdims=True)), v)),
    (ex.evaluate_scaled_dot_product_attention,
     lambda q, k, v: scaled_dot_product_attention(q, k, v).astype(np.float32)),
    (ex.evaluate_masked_softmax, masked_softmax),
    (ex.evaluate_masked_softmax, masked_softmax_big_negative),
    (ex.evaluate_masked_softmax, masked_softmax_renormalised),  # zero, then renormalise: the same
    (ex.evaluate_masked_softmax, lambda s, m: core.softmax(s, mask=m)),
    (ex.evaluate_sinusoidal_positions, sinusoidal_positions),
    (ex.evaluate_sinusoidal_positions, core.sinusoidal_positions),
    (ex.evaluate_sinusoidal_positions, positions_loop),  # a list of lists
    (ex.evaluate_sinusoidal_positions, positions_stacked),
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


def sdpa_with(scale=None, axis=-1, swap=False):
    def answer(q, k, v):
        d = q.shape[-1]
        s = (k @ q.T if swap else q @ k.T) / (np.sqrt(d) if scale is None else scale(q, k, v))
        s = s - s.max(axis=axis, keepdims=True)
        w = np.exp(s)
        return w / w.sum(axis=axis, keepdims=True) @ v
    return answer


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_scaled_dot_product_attention, sdpa_with(lambda q, k, v: 1.0), "left them unscaled"),
    (ex.evaluate_scaled_dot_product_attention, sdpa_with(lambda q, k, v: q.shape[-1]), "not by d itself"),
    (ex.evaluate_scaled_dot_product_attention, sdpa_with(lambda q, k, v: np.sqrt(v.shape[-1])),
     "not of the values"),
    (ex.evaluate_scaled_dot_product_attention, sdpa_with(lambda q, k, v: np.sqrt(len(k))),
     "not the number of keys"),
    (ex.evaluate_scaled_dot_product_attention, sdpa_with(lambda q, k, v: 1 / np.sqrt(q.shape[-1])),
     "multiplied them"),
    (ex.evaluate_scaled_dot_product_attention, sdpa_with(axis=0), "normalised over the queries"),
    (ex.evaluate_scaled_dot_product_attention, sdpa_with(swap=True), "k @ q.T"),
    (ex.evaluate_scaled_dot_product_attention,
     lambda q, k, v: naive(q @ k.T / np.sqrt(q.shape[-1])) @ v, "overflowing exp"),
    (ex.evaluate_masked_softmax, lambda s, m: masked_softmax(s, ~np.asarray(m)), "you did the opposite"),
    (ex.evaluate_masked_softmax, lambda s, m: naive(s * m), "still gets weight"),
    (ex.evaluate_masked_softmax, lambda s, m: naive(np.where(m, s, 0.0)), "still gets weight"),
    (ex.evaluate_masked_softmax, lambda s, m: naive(s) * m, "no longer sum to 1"),
    (ex.evaluate_masked_softmax, lambda s, m: naive(s + m), "not an additive mask"),
    (ex.evaluate_sinusoidal_positions,
     lambda n, d: sinusoidal_positions(n, d).reshape(n, d // 2, 2)[..., ::-1].reshape(n, d), "you swapped them"),
    (ex.evaluate_sinusoidal_positions,
     lambda n, d: np.concatenate([sinusoidal_positions(n, d)[:, 0::2], sinusoidal_positions(n, d)[:, 1::2]], 1),
     "all the sines first"),
    (ex.evaluate_sinusoidal_positions, lambda n, d: sinusoidal_positions(n + 1, d)[1:], "you started at 1"),
    (ex.evaluate_sinusoidal_positions,
     lambda n, d: np.column_stack([f(np.arange(n)[:, None] / 10000 ** (np.arange(d)[None, :] / d))[:, j]
                                   for j in range(d) for f in [np.sin if j % 2 == 0 else np.cos]]),
     "exponent j / depth"),
    (ex.evaluate_sinusoidal_positions, lambda n, d: positions_loop_no_two(n, d), "i / depth"),
    (ex.evaluate_sinusoidal_positions, lambda n, d: sinusoidal_positions(n, d).astype(np.int64),
     "different array"),
])
def test_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed and result.message.startswith("❌")
    assert "Traceback" not in result.message
    assert hint in result.message, result.message


def positions_loop_no_two(length, depth):
    table = np.zeros((length, depth))
    for t in range(length):
        for i in range(depth // 2):
            angle = t / 10000 ** (i / depth)
            table[t, 2 * i], table[t, 2 * i + 1] = np.sin(angle), np.cos(angle)
    return table


EVALUATES = [ex.evaluate_scaled_dot_product_attention, ex.evaluate_masked_softmax,
             ex.evaluate_sinusoidal_positions]


@pytest.mark.parametrize("evaluate", EVALUATES)
def test_every_modelled_mistake_is_named(evaluate):
    from tests.test_exercise_hints import CALLS

    name = evaluate.__name__.removeprefix("evaluate_")
    (param,) = [c for c in CALLS if c.id == f"nb39_attention.{name}"]
    reference, cases, mistakes, options = param.values
    assert len(mistakes) >= 5
    for mistake in mistakes:
        result = ex.evaluate_function(mistake.wrong, reference, cases, mistakes=mistakes, **options)
        assert result.message.endswith(mistake.hint)


@pytest.mark.parametrize("evaluate", EVALUATES)
@pytest.mark.parametrize("broken", [todo, crash, lambda *a: None, lambda *a: float("nan"), lambda *a: "dish"])
def test_broken_answers_get_a_message(evaluate, broken):
    result = evaluate(broken)
    assert not result.passed and result.message[0] in "⏳❌"
    assert "Traceback" not in result.message
    if broken is todo:
        assert result.message.startswith("⏳")


def test_the_references_agree_with_the_helpers():
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    np.testing.assert_allclose(ex._attention(q, k, v), core.scaled_dot_product_attention(q, k, v)[0])
    scores, mask = rng.normal(size=(2, 3, 5)), rng.random((2, 1, 5)) > 0.3
    mask[..., 0] = True
    np.testing.assert_allclose(ex._masked_softmax(scores, mask), core.softmax(scores, mask=mask))
    for length, depth in [(7, 6), (3, 12)]:
        np.testing.assert_allclose(ex._positions(length, depth), core.sinusoidal_positions(length, depth))


def test_points_and_bans():
    assert ex.POINTS == {"scaled_dot_product_attention": 2, "masked_softmax": 2, "sinusoidal_positions": 2}
    assert ex.evaluate_masked_softmax(masked_softmax).max_points == 2
    assert "MultiHeadAttention" in ex.NOT_ALLOWED["scaled_dot_product_attention"]
    assert "keras.layers.Softmax" in ex.NOT_ALLOWED["masked_softmax"]
    assert "core.sinusoidal_positions" in ex.NOT_ALLOWED["sinusoidal_positions"]


def test_mixed_masks_have_a_true_and_a_false_in_every_row():
    mask = ex._mixed_mask(np.random.default_rng(1), (50, 4))
    assert mask.any(axis=1).all() and (~mask).any(axis=1).all()
