"""Gated cells of notebook 31 against Keras, their Jacobians against finite differences, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from utils.sequences import gates


@pytest.fixture(scope="module")
def keras():
    from utils import course

    course.quiet_tensorflow()
    import keras

    return keras


def _perturbed(layer, rng, scale=0.4):
    weights = [w + rng.normal(size=w.shape) * scale for w in layer.get_weights()]
    layer.set_weights(weights)
    return weights


@pytest.mark.parametrize("kind", ["lstm", "gru", "gru_reset_before"])
def test_forward_passes_equal_keras_with_copied_weights(keras, kind):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 6, 5)).astype("float32")
    layer = {
        "lstm": keras.layers.LSTM(4, return_sequences=True),
        "gru": keras.layers.GRU(4, return_sequences=True),
        "gru_reset_before": keras.layers.GRU(4, return_sequences=True, reset_after=False),
    }[kind]
    layer.build((None, 6, 5))
    weights = _perturbed(layer, rng)
    theirs = np.asarray(layer(x))
    if kind == "lstm":
        ours = gates.lstm_forward(x, *weights)[0]
    else:
        ours = gates.gru_forward(x, *weights, reset_after=kind == "gru")
    assert ours.shape == (3, 6, 4)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_keras_gru_bias_has_two_rows_by_default(keras):
    layer = keras.layers.GRU(3)
    layer.build((None, 4, 2))
    assert layer.get_weights()[2].shape == (2, 9)


def test_lstm_cell_state_is_returned_second_and_the_forget_gate_matters():
    kernel, recurrent, bias = gates.keras_like_weights("lstm", 2, 3, seed=0)
    x, h, c = np.ones((1, 2)), np.zeros((1, 3)), np.full((1, 3), 2.0)
    h_new, c_new = gates.lstm_cell(x, h, c, kernel, recurrent, bias)
    assert np.all(np.abs(h_new) < 1) and np.any(np.abs(c_new) > 1)  # h is squashed, c is not
    shut = bias.copy()
    shut[3:6] = -50.0  # forget gate closed: the old cell state is dropped
    _, c_forgot = gates.lstm_cell(x, h, c, kernel, recurrent, shut)
    assert np.all(np.abs(c_forgot) < 1)


def test_split_gates_follows_keras_order():
    matrix = np.arange(8.0).reshape(1, 8)
    parts = gates.split_gates(matrix, gates.LSTM_GATES)
    assert list(parts) == ["i", "f", "c", "o"] and parts["f"].tolist() == [[2.0, 3.0]]
    with pytest.raises(ValueError, match="equal gates"):
        gates.split_gates(np.ones(7), gates.LSTM_GATES)


def _numeric_jacobian(step, state, eps=1e-6):
    columns = []
    for j in range(state.size):
        bump = np.zeros_like(state)
        bump[j] = eps
        columns.append((step(state + bump) - step(state - bump)) / (2 * eps))
    return np.stack(columns, axis=1)


def test_lstm_state_jacobian_matches_finite_differences():
    rng = np.random.default_rng(5)
    kernel, recurrent, bias = gates.keras_like_weights("lstm", 3, 4, seed=2)
    recurrent = recurrent + rng.normal(size=recurrent.shape) * 0.3
    x, h, c = rng.normal(size=3), rng.normal(size=4) * 0.5, rng.normal(size=4)

    def step(state):
        h_new, c_new = gates.lstm_cell(x[None], state[None, :4], state[None, 4:], kernel, recurrent, bias)
        return np.concatenate([h_new[0], c_new[0]])

    analytic = gates.lstm_state_jacobian(x, h, c, kernel, recurrent, bias)
    np.testing.assert_allclose(analytic, _numeric_jacobian(step, np.concatenate([h, c])), atol=1e-8)


def test_gradient_norms_match_finite_differences_of_the_whole_unroll():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(7, 3))
    W_xh, W_hh, b = gates.keras_like_weights("simple_rnn", 3, 4, seed=1)
    norms = gates.simple_rnn_gradient_norms(x, W_xh, W_hh, b)
    assert norms.shape == (8,) and norms[0] == pytest.approx(1.0)
    states = gates.simple_rnn_states(x[None], W_xh, W_hh, b)[0]
    s = 4  # ∂h_7/∂h_3: run steps 4..7 from a perturbed h_3

    def unroll(h):
        for t in range(7 - s, 7):
            h = np.tanh(x[t] @ W_xh + h @ W_hh + b)
        return h

    numeric = _numeric_jacobian(unroll, states[7 - s - 1])
    assert norms[s] == pytest.approx(np.linalg.norm(numeric, 2), rel=1e-6)


def test_lstm_gradient_norms_match_finite_differences():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(6, 3))
    weights = gates.keras_like_weights("lstm", 3, 4, seed=4)
    norms = gates.lstm_gradient_norms(x, *weights)
    hs, cs = gates.lstm_forward(x[None], *weights)
    s = 3

    def unroll(state):
        h, c = state[None, :4], state[None, 4:]
        for t in range(6 - s, 6):
            h, c = gates.lstm_cell(x[None, t], h, c, *weights)
        return h[0]

    start = np.concatenate([hs[0, 6 - s - 1], cs[0, 6 - s - 1]])
    assert norms[s] == pytest.approx(np.linalg.norm(_numeric_jacobian(unroll, start), 2), rel=1e-6)


def test_simple_rnn_gradient_vanishes_and_lstm_with_open_forget_gate_keeps_it():
    X, _ = gates.first_symbol_task(1, length=60, seed=0)
    rnn = gates.keras_like_weights("simple_rnn", 6, 16, seed=0)
    lstm = gates.keras_like_weights("lstm", 6, 16, seed=0, forget_bias=5.0)
    assert gates.simple_rnn_gradient_norms(X[0], *rnn)[-1] < 1e-3
    assert gates.lstm_gradient_norms(X[0], *lstm)[-1] > 1e-2


def test_keras_like_weights_shapes_and_orthogonal_recurrent_blocks():
    kernel, recurrent, bias = gates.keras_like_weights("gru", 5, 3, seed=0)
    assert kernel.shape == (5, 9) and recurrent.shape == (3, 9) and bias.shape == (2, 9)
    block = recurrent[:, :3]
    np.testing.assert_allclose(block.T @ block, np.eye(3), atol=1e-12)
    lstm_bias = gates.keras_like_weights("lstm", 2, 3, forget_bias=2.5)[2]
    assert lstm_bias.tolist() == [0, 0, 0, 2.5, 2.5, 2.5, 0, 0, 0, 0, 0, 0]
    with pytest.raises(ValueError, match="kind"):
        gates.keras_like_weights("transformer", 2, 3)


def test_forget_bias_initializer():
    bias = gates.ForgetBias(3.0)((8,))
    assert bias.tolist() == [0, 0, 3, 3, 0, 0, 0, 0]
    with pytest.raises(ValueError, match="4·units"):
        gates.ForgetBias(3.0)((6,))


def test_first_symbol_task_is_balanced_seeded_and_label_is_the_first_symbol():
    X, y = gates.first_symbol_task(200, length=50, seed=3)
    assert X.shape == (200, 50, 6) and X.dtype == np.float32 and y.shape == (200,)
    assert y.mean() == 0.5 and np.all(X.sum(axis=2) == 1)
    first = X[:, 0].argmax(axis=1)
    assert np.all((first == 0) == (y == 1)) and set(first.tolist()) == {0, 1}
    assert np.array_equal(X, gates.first_symbol_task(200, length=50, seed=3)[0])
    assert not np.array_equal(X, gates.first_symbol_task(200, length=50, seed=4)[0])
    # the rest are distractors only, and carry no label information
    rest = X[:, 1:].argmax(axis=2)
    assert rest.min() == 2 and set(np.unique(rest).tolist()) == {2, 3, 4, 5}
    last_is_c = X[:, -1, 2] == 1
    assert abs(last_is_c[y == 1].mean() - last_is_c[y == 0].mean()) < 0.2
    assert gates.decode(X[:1])[0][0] == ("A" if y[0] == 1 else "B")


@pytest.mark.parametrize("n, length", [(0, 50), (-3, 50), (10, 1), (10, 0), (2.5, 50)])
def test_first_symbol_task_rejects_bad_sizes(n, length):
    with pytest.raises(ValueError):
        gates.first_symbol_task(n, length=length)


def test_bad_inputs_get_clear_messages():
    kernel, recurrent, bias = gates.keras_like_weights("lstm", 3, 2, seed=0)
    with pytest.raises(ValueError, match="empty sequence"):
        gates.lstm_forward(np.zeros((1, 0, 3)), kernel, recurrent, bias)
    with pytest.raises(ValueError, match="batch, time, features"):
        gates.lstm_forward(np.zeros((4, 3)), kernel, recurrent, bias)
    with pytest.raises(ValueError, match="features per step"):
        gates.lstm_forward(np.zeros((1, 4, 5)), kernel, recurrent, bias)
    with pytest.raises(ValueError, match="recurrent_kernel"):
        gates.lstm_forward(np.zeros((1, 4, 3)), kernel, recurrent[:, :6], bias)
    with pytest.raises(ValueError, match="bias"):
        gates.lstm_cell(np.zeros((1, 3)), np.zeros((1, 2)), np.zeros((1, 2)), kernel, recurrent, bias[:4])
    with pytest.raises(ValueError, match="h_prev"):
        gates.lstm_cell(np.zeros((1, 3)), np.zeros((2, 2)), np.zeros((1, 2)), kernel, recurrent, bias)
    with pytest.raises(ValueError, match="NaN"):
        gates.lstm_forward(np.full((1, 2, 3), np.nan), kernel, recurrent, bias)
    gru = gates.keras_like_weights("gru", 3, 2, seed=0)
    with pytest.raises(ValueError, match="reset_after=True"):
        gates.gru_forward(np.zeros((1, 4, 3)), gru[0], gru[1], gru[2][0])
    with pytest.raises(ValueError, match="reset_after=False"):
        gates.gru_forward(np.zeros((1, 4, 3)), *gru, reset_after=False)
    with pytest.raises(ValueError, match="empty sequence"):
        gates.gru_forward(np.zeros((2, 0, 3)), *gru)
    rnn = gates.keras_like_weights("simple_rnn", 3, 2, seed=0)
    with pytest.raises(ValueError, match="one sequence"):
        gates.simple_rnn_gradient_norms(np.zeros((1, 4, 3)), *rnn)
    with pytest.raises(ValueError, match="square"):
        gates.simple_rnn_states(np.zeros((1, 4, 3)), rnn[0], np.zeros((2, 3)), rnn[2])


def test_explorer_redraws_and_rejects_a_length_beyond_the_sequence():
    X, _ = gates.first_symbol_task(1, length=30, seed=0)
    rnn = gates.keras_like_weights("simple_rnn", 6, 8, seed=0)
    lstm = gates.keras_like_weights("lstm", 6, 8, seed=0, forget_bias=3.0)
    explorer = gates.gradient_norm_explorer(X[0], rnn, lstm, length=20)
    before, text = explorer.view.value, explorer.status.value
    explorer.set(length=5)
    assert explorer.view.value != before and explorer.status.value != text and "T = 5" in explorer.status.value
    with pytest.raises(ValueError, match="length"):
        gates.gradient_norm_explorer(X[0], rnn, lstm, length=31)
    table = gates.gradient_norm_table(X[0], rnn, lstm, [3, 10])
    assert table[3][0].shape == (4,) and table[10][1].shape == (11,)
    # the table reuses the long run's Jacobians: each length equals a run over that prefix alone
    np.testing.assert_allclose(table[10][0], gates.simple_rnn_gradient_norms(X[0, :10], *rnn))
    np.testing.assert_allclose(table[10][1], gates.lstm_gradient_norms(X[0, :10], *lstm))


def test_accuracy_tracker_records_during_training(keras):
    X, y = gates.first_symbol_task(64, length=5, seed=0)
    model = keras.Sequential([keras.Input((5, 6)), keras.layers.SimpleRNN(3), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    tracker = gates.accuracy_tracker(X[:20], y[:20], every=2)
    model.fit(X, y, epochs=1, batch_size=8, verbose=0, callbacks=[tracker])
    assert tracker.steps == [2, 4, 6, 8] and all(0 <= a <= 1 for a in tracker.accuracy)
    with pytest.raises(ValueError, match="every"):
        gates.accuracy_tracker(X, y, every=0)
    with pytest.raises(ValueError, match="one label per sequence"):
        gates.accuracy_tracker(X, y[:3])
