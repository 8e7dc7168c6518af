"""Notebook 39's attention core: softmax with masks, scaled dot-product attention, masks, positions,
layer norm, and multi-head attention checked against keras.layers.MultiHeadAttention."""

from __future__ import annotations

import numpy as np
import pytest

from utils.attention import core


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------------- softmax
def test_softmax_rows_sum_to_one_and_survive_huge_scores():
    scores = _rng().normal(size=(3, 4, 5)) * 3
    weights = core.softmax(scores)
    np.testing.assert_allclose(weights.sum(-1), 1.0)
    big = core.softmax(np.array([[1000.0, 1001.0, 999.0]]))
    assert np.all(np.isfinite(big))
    np.testing.assert_allclose(big, core.softmax(np.array([[0.0, 1.0, -1.0]])))
    np.testing.assert_allclose(core.softmax(scores, axis=0).sum(0), 1.0)


def test_softmax_mask_gives_zero_weight_and_renormalises():
    scores = np.array([[1.0, 2.0, 3.0, 4.0]])
    mask = np.array([[True, False, True, False]])
    weights = core.softmax(scores, mask=mask)
    assert weights[0, 1] == 0 and weights[0, 3] == 0
    np.testing.assert_allclose(weights[0, [0, 2]], core.softmax(np.array([1.0, 3.0])))


def test_softmax_fully_masked_row_returns_zeros():
    scores = np.ones((2, 3))
    mask = np.array([[True, True, False], [False, False, False]])
    weights = core.softmax(scores, mask=mask)
    np.testing.assert_allclose(weights[0], [0.5, 0.5, 0.0])
    np.testing.assert_array_equal(weights[1], 0.0)


def test_softmax_accepts_a_broadcasting_mask_and_0_1_integers():
    scores = _rng(1).normal(size=(2, 3, 4))
    mask = np.array([1, 1, 0, 1])
    weights = core.softmax(scores, mask=mask)
    assert np.all(weights[..., 2] == 0)
    np.testing.assert_allclose(weights.sum(-1), 1.0)


@pytest.mark.parametrize(
    "scores, kwargs, message",
    [
        (np.ones((2, 3)), {"mask": np.ones((2, 4), bool)}, "does not broadcast"),
        (np.ones((2, 3)), {"mask": np.ones((3, 2, 3), bool)}, "does not broadcast"),
        (np.ones((2, 3)), {"mask": np.full((2, 3), 0.5)}, "boolean"),
        (np.array([1.0, np.nan]), {}, "NaN"),
        (np.ones((2, 3)), {"axis": 2}, "axis"),
        (np.array(["a", "b"]), {}, "numbers"),
    ],
)
def test_softmax_rejects_bad_inputs(scores, kwargs, message):
    with pytest.raises(ValueError, match=message):
        core.softmax(scores, **kwargs)


# ------------------------------------------------------------------ scaled dot-product attention
def test_attention_matches_a_loop_written_by_hand():
    rng = _rng(2)
    q, k, v = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    context, weights = core.scaled_dot_product_attention(q, k, v)
    for i in range(3):
        s = np.array([q[i] @ k[j] for j in range(5)]) / 2.0
        w = np.exp(s) / np.exp(s).sum()
        np.testing.assert_allclose(weights[i], w)
        np.testing.assert_allclose(context[i], w @ v)


def test_attention_broadcasts_leading_axes_and_applies_the_mask():
    rng = _rng(3)
    q, k, v = rng.normal(size=(2, 3, 6, 4)), rng.normal(size=(2, 3, 6, 4)), rng.normal(size=(2, 3, 6, 5))
    context, weights = core.scaled_dot_product_attention(q, k, v, mask=core.causal_mask(6))
    assert context.shape == (2, 3, 6, 5) and weights.shape == (2, 3, 6, 6)
    assert np.all(np.triu(weights[0, 0], 1) == 0)
    np.testing.assert_allclose(context[..., 0, :], v[..., 0, :])  # first step sees only itself


def test_attention_agrees_with_keras_ops():
    import keras

    rng = _rng(4)
    q, k, v = rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 7, 4)), rng.normal(size=(2, 7, 3))
    mask = rng.random((2, 5, 7)) > 0.3
    mask[..., 0] = True
    context, _ = core.scaled_dot_product_attention(q, k, v, mask=mask)
    # keras.ops wants (batch, T, heads, dim)
    expected = keras.ops.dot_product_attention(
        q[:, :, None].astype("float32"), k[:, :, None].astype("float32"),
        v[:, :, None].astype("float32"), mask=mask[:, None],
    )
    np.testing.assert_allclose(context, np.asarray(expected)[:, :, 0], atol=1e-5)


@pytest.mark.parametrize(
    "shapes, mask_shape, message",
    [
        (((3, 4), (5, 3), (5, 2)), None, "last axis"),
        (((3, 4), (5, 4), (6, 2)), None, "positions"),
        (((2, 3, 4), (3, 5, 4), (3, 5, 2)), None, "broadcast"),
        (((3, 4), (5, 4), (5, 2)), (3, 4), "does not broadcast"),
        (((4,), (5, 4), (5, 2)), None, "at least 2 axes"),
    ],
)
def test_attention_rejects_mismatched_shapes(shapes, mask_shape, message):
    q, k, v = (np.ones(s) for s in shapes)
    mask = None if mask_shape is None else np.ones(mask_shape, bool)
    with pytest.raises(ValueError, match=message):
        core.scaled_dot_product_attention(q, k, v, mask=mask)


# ------------------------------------------------------------------------------------ masks
def test_causal_and_padding_masks():
    np.testing.assert_array_equal(
        core.causal_mask(3), [[True, False, False], [True, True, False], [True, True, True]]
    )
    ids = np.array([[5, 3, 0, 0], [7, 0, 0, 0]])
    mask = core.padding_mask(ids)
    assert mask.shape == (2, 1, 4) and mask.dtype == bool
    np.testing.assert_array_equal(mask[:, 0], [[1, 1, 0, 0], [1, 0, 0, 0]])
    np.testing.assert_array_equal(core.padding_mask(ids, pad_id=7)[1, 0], [0, 1, 1, 1])


@pytest.mark.parametrize("call, message", [
    (lambda: core.causal_mask(0), "length"),
    (lambda: core.causal_mask(2.5), "length"),
    (lambda: core.padding_mask(np.array([1, 2, 0])), "2-D"),
    (lambda: core.padding_mask(np.ones((2, 3))), "integer"),
])
def test_masks_reject_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------------------- positions
def test_sinusoidal_positions_follow_vaswani():
    table = core.sinusoidal_positions(50, 16)
    assert table.shape == (50, 16)
    p, i = 7, 3
    np.testing.assert_allclose(table[p, 2 * i], np.sin(p / 10000 ** (2 * i / 16)))
    np.testing.assert_allclose(table[p, 2 * i + 1], np.cos(p / 10000 ** (2 * i / 16)))
    np.testing.assert_allclose(table[0, 0::2], 0.0)
    np.testing.assert_allclose(table[0, 1::2], 1.0)
    assert core.sinusoidal_positions(4, 5).shape == (4, 5)  # odd depth ends on a sine
    with pytest.raises(ValueError, match="depth"):
        core.sinusoidal_positions(4, 0)


# ------------------------------------------------------------------------------ layer norm
def test_layer_norm_matches_keras():
    import keras

    rng = _rng(5)
    x = rng.normal(size=(2, 3, 6)) * 4 + 1
    layer = keras.layers.LayerNormalization()
    layer.build(x.shape)
    gamma, beta = rng.normal(size=6), rng.normal(size=6)
    layer.set_weights([gamma, beta])
    expected = np.asarray(layer(x.astype("float32")))
    np.testing.assert_allclose(core.layer_norm(x, gamma, beta), expected, atol=1e-5)
    with pytest.raises(ValueError, match="gamma"):
        core.layer_norm(x, np.ones(5), beta)
    with pytest.raises(ValueError, match="epsilon"):
        core.layer_norm(x, gamma, beta, epsilon=0.0)


# ------------------------------------------------------------------- multi-head attention
def _keras_mha(num_heads, key_dim, query, value, key=None, mask=None, use_bias=True, value_dim=None):
    import keras

    keras.utils.set_random_seed(num_heads)
    layer = keras.layers.MultiHeadAttention(num_heads, key_dim, value_dim=value_dim, use_bias=use_bias)
    f = lambda a: None if a is None else a.astype("float32")  # noqa: E731
    # biases start at zero: give them values so a missing bias would be caught
    layer(f(query), f(value), key=f(key))
    layer.set_weights([w + _rng(7).normal(size=w.shape) * 0.1 for w in layer.get_weights()])
    out, scores = layer(f(query), f(value), key=f(key), attention_mask=mask,
                        return_attention_scores=True)
    return layer.get_weights(), np.asarray(out), np.asarray(scores)


@pytest.mark.parametrize("num_heads", [1, 4])
@pytest.mark.parametrize("masked", [False, True])
def test_multi_head_attention_equals_keras(num_heads, masked):
    rng = _rng(num_heads)
    query, value = rng.normal(size=(2, 5, 8)), rng.normal(size=(2, 6, 8))
    mask = None
    if masked:
        mask = rng.random((2, 5, 6)) > 0.4
        mask[..., 0] = True
    weights, out, scores = _keras_mha(num_heads, 3, query, value, mask=mask)
    mine, my_scores = core.multi_head_attention(query, value, weights, num_heads, mask=mask)
    assert my_scores.shape == (2, num_heads, 5, 6)
    np.testing.assert_allclose(mine, out, atol=1e-5)
    np.testing.assert_allclose(my_scores, scores, atol=1e-5)


def test_multi_head_attention_with_key_padding_causal_and_no_bias():
    rng = _rng(9)
    x = rng.normal(size=(3, 4, 6))
    ids = np.array([[1, 2, 3, 4], [1, 2, 0, 0], [5, 0, 0, 0]])
    pad = core.padding_mask(ids)
    weights, out, scores = _keras_mha(2, 5, x, x, key=x + 1, mask=pad & core.causal_mask(4),
                                      use_bias=False, value_dim=3)
    assert len(weights) == 4
    mine, my_scores = core.multi_head_attention(x, x, weights, 2, key=x + 1,
                                                mask=pad & core.causal_mask(4))
    np.testing.assert_allclose(mine, out, atol=1e-5)
    np.testing.assert_allclose(my_scores, scores, atol=1e-5)
    _, with_pad = core.multi_head_attention(x, x, weights, 2, key=x + 1, mask=pad)
    assert np.all(with_pad[1, :, :, 2:] == 0)


def test_multi_head_attention_rejects_bad_inputs():
    rng = _rng(10)
    x = rng.normal(size=(2, 4, 6))
    weights, _, _ = _keras_mha(2, 3, x, x)
    with pytest.raises(ValueError, match="query kernel"):
        core.multi_head_attention(x, x, weights, 3)  # wrong number of heads
    with pytest.raises(ValueError, match="8 arrays"):
        core.multi_head_attention(x, x, weights[:5], 2)
    with pytest.raises(ValueError, match="does not broadcast"):
        core.multi_head_attention(x, x, weights, 2, mask=np.ones((2, 4, 5), bool))
    with pytest.raises(ValueError, match="3-D"):
        core.multi_head_attention(x[..., None], x, weights, 2)
    with pytest.raises(ValueError, match="batch"):
        core.multi_head_attention(x, x[:1], weights, 2)
    with pytest.raises(ValueError, match="query kernel"):
        core.multi_head_attention(x[..., :5], x, weights, 2)
    with pytest.raises(ValueError, match="num_heads"):
        core.multi_head_attention(x, x, weights, 0)
