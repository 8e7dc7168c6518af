"""utils.sequences.recurrent: the NumPy SimpleRNN forward pass and BPTT, against Keras and the tape."""

import numpy as np
import pytest

from utils.sequences import recurrent as rnn


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 6, 3))
    return x, rnn.init_rnn_weights(3, 5, seed=1)


def _reference_loop(x, W_xh, W_hh, b, h0):
    """A deliberately plain double loop over batch and time, to compare with."""
    out = np.zeros((x.shape[0], x.shape[1], W_hh.shape[0]))
    for i in range(x.shape[0]):
        h = h0[i].copy()
        for t in range(x.shape[1]):
            h = np.tanh(W_xh.T @ x[i, t] + W_hh.T @ h + b)
            out[i, t] = h
    return out


def test_forward_matches_a_plain_loop_with_and_without_h0(problem):
    x, w = problem
    states = rnn.simple_rnn_forward(x, w["W_xh"], w["W_hh"], w["b"])
    assert states.shape == (4, 6, 5) and states.dtype == np.float64
    np.testing.assert_allclose(states, _reference_loop(x, w["W_xh"], w["W_hh"], w["b"], np.zeros((4, 5))), atol=1e-14)
    h0 = np.random.default_rng(0).normal(size=(4, 5))
    with_h0 = rnn.simple_rnn_forward(x, w["W_xh"], w["W_hh"], w["b"], h0=h0)
    np.testing.assert_allclose(with_h0, _reference_loop(x, w["W_xh"], w["W_hh"], w["b"], h0), atol=1e-14)
    shared = rnn.simple_rnn_forward(x, w["W_xh"], w["W_hh"], w["b"], h0=h0[0])
    np.testing.assert_allclose(shared[0], with_h0[0], atol=1e-14)


def test_step_is_one_column_of_the_forward_pass(problem):
    x, w = problem
    states = rnn.simple_rnn_forward(x, w["W_xh"], w["W_hh"], w["b"])
    h2 = rnn.simple_rnn_step(x[:, 2], states[:, 1], w["W_xh"], w["W_hh"], w["b"])
    np.testing.assert_allclose(h2, states[:, 2], atol=1e-14)


def test_forward_equals_keras_simple_rnn(problem):
    keras = pytest.importorskip("keras")
    x, w = problem
    layer = keras.layers.SimpleRNN(5, return_sequences=True, dtype="float64")
    layer.build((None, 6, 3))
    layer.set_weights([w["W_xh"], w["W_hh"], w["b"]])
    expected = np.asarray(layer(x))
    np.testing.assert_allclose(rnn.simple_rnn_forward(x, w["W_xh"], w["W_hh"], w["b"]), expected, atol=1e-12)


def test_bptt_equals_gradient_tape(problem):
    tf = pytest.importorskip("tensorflow")
    x, w = problem
    rng = np.random.default_rng(5)
    h0 = rng.normal(size=(4, 5))
    upstream = rng.normal(size=(4, 6, 5))  # L = Σ upstream ⊙ H: every step feeds the loss
    grads = rnn.simple_rnn_bptt(x, w["W_xh"], w["W_hh"], w["b"], upstream, h0=h0)
    variables = [tf.Variable(v) for v in (w["W_xh"], w["W_hh"], w["b"], x, h0)]
    with tf.GradientTape() as tape:
        W_xh, W_hh, b, xs, h = variables
        loss = 0.0
        for t in range(6):
            h = tf.tanh(xs[:, t] @ W_xh + h @ W_hh + b)
            loss += tf.reduce_sum(upstream[:, t] * h)
    expected = tape.gradient(loss, variables)
    for name, value in zip(rnn.GRAD_NAMES, expected):
        np.testing.assert_allclose(grads[name], value.numpy(), atol=1e-12, err_msg=name)


def test_bptt_many_to_one_equals_finite_differences(problem):
    x, w = problem
    upstream = np.zeros((4, 6, 5))
    upstream[:, -1] = 1.0  # L = Σ h_T
    grads = rnn.simple_rnn_bptt(x, w["W_xh"], w["W_hh"], w["b"], upstream)
    eps = 1e-6
    for i, j in [(0, 0), (2, 4), (1, 3)]:
        plus, minus = w["W_hh"].copy(), w["W_hh"].copy()
        plus[i, j] += eps
        minus[i, j] -= eps
        numeric = (rnn.simple_rnn_forward(x, w["W_xh"], plus, w["b"])[:, -1].sum()
                   - rnn.simple_rnn_forward(x, w["W_xh"], minus, w["b"])[:, -1].sum()) / (2 * eps)
        assert grads["W_hh"][i, j] == pytest.approx(numeric, abs=1e-8)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"x": np.zeros((4, 6))}, "x must be a 3-D"),
        ({"x": np.zeros((4, 0, 3))}, "empty sequences"),
        ({"x": np.zeros((0, 6, 3))}, "at least one sequence"),
        ({"x": np.zeros((4, 6, 2))}, "W_xh must have shape"),
        ({"W_xh": np.zeros((5, 3))}, "transposed"),
        ({"W_hh": np.zeros((5, 4))}, "W_hh must be square"),
        ({"b": np.zeros(4)}, "b must have shape"),
        ({"b": np.zeros((1, 5))}, "b must be a 1-D"),
        ({"h0": np.zeros((3, 5))}, "h0 must have shape"),
        ({"x": np.full((4, 6, 3), np.nan)}, "NaN"),
        ({"x": "abc"}, "numeric"),
    ],
)
def test_bad_inputs_name_the_argument(problem, change, message):
    x, w = problem
    args = {"x": x, **w, "h0": None, **change}
    with pytest.raises(ValueError, match=message):
        rnn.simple_rnn_forward(**args)


def test_bptt_rejects_a_wrongly_shaped_upstream_gradient(problem):
    x, w = problem
    with pytest.raises(ValueError, match="dL_dh must be a 3-D"):
        rnn.simple_rnn_bptt(x, w["W_xh"], w["W_hh"], w["b"], np.zeros((4, 6)))
    with pytest.raises(ValueError, match="dL_dh must have the hidden"):
        rnn.simple_rnn_bptt(x, w["W_xh"], w["W_hh"], w["b"], np.zeros((4, 5, 5)))


def test_parameter_counts():
    assert rnn.dense_parameter_count(10, 3, 4) == 10 * 3 * 4 + 4
    assert rnn.rnn_parameter_count(3, 4) == 3 * 4 + 16 + 4
    with pytest.raises(ValueError):
        rnn.dense_parameter_count(0, 3, 4)
    with pytest.raises(ValueError):
        rnn.init_rnn_weights(0, 3)


def test_sum_sign_sequences_are_seeded_and_labelled():
    x, y = rnn.sum_sign_sequences(50, 7, seed=3)
    assert x.shape == (50, 7, 1) and x.dtype == np.float32 and y.shape == (50,)
    np.testing.assert_array_equal(y, (x.sum(axis=(1, 2)) > 0).astype(int))
    np.testing.assert_array_equal(x, rnn.sum_sign_sequences(50, 7, seed=3)[0])
    assert 0.3 < y.mean() < 0.7
    with pytest.raises(ValueError, match="positive"):
        rnn.sum_sign_sequences(10, 0)


def test_figures_draw_and_reject_bad_sizes():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 6)
    rnn.draw_cell_shapes(axes[0], 2, 3, 4)
    rnn.draw_unrolled(axes[1], 4)
    for ax, kind in zip(axes[2:], rnn.ARCHITECTURES):
        assert rnn.draw_architecture(ax, kind) is ax and ax.get_title() == kind
    with pytest.raises(ValueError, match="kind must be one of"):
        rnn.draw_architecture(axes[2], "many-to-few")
    with pytest.raises(ValueError, match="between 1 and 8"):
        rnn.draw_cell_shapes(axes[0], 2, 0, 4)
    with pytest.raises(ValueError, match="steps"):
        rnn.draw_unrolled(axes[1], 0)
    plt.close(fig)


def test_hidden_state_animation_frames_and_bad_inputs():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, _ = rnn.sum_sign_sequences(1, 5, seed=0)
    w = rnn.init_rnn_weights(1, 3, seed=0)
    states = rnn.simple_rnn_forward(x, **w)[0]
    fig, draw, frames = rnn.hidden_state_animation(x[0], states, np.linspace(0.2, 0.8, 5))
    assert frames == 5
    draw(0)
    draw(4)
    assert "Step 5 of 5" in fig.axes[0].get_title()
    plt.close(fig)
    with pytest.raises(ValueError, match="one row per time step"):
        rnn.hidden_state_animation(x[0], states[:3])
    with pytest.raises(ValueError, match="probabilities"):
        rnn.hidden_state_animation(x[0], states, np.ones(4))
    with pytest.raises(ValueError, match="empty"):
        rnn.hidden_state_animation(np.zeros(0), np.zeros((0, 3)))
