"""utils.sequences.echo: the echo generator, masked metrics, the NumPy LSTM, the probe, the sweep and the explorer."""

import numpy as np
import pytest

from utils.sequences import echo


def test_targets_are_the_input_k_steps_back():
    x = np.array([[3, 1, 2, 0, 2, 1], [0, 1, 2, 3, 0, 1]])
    y = echo.echo_targets(x, 2)
    assert y.tolist() == [[-1, -1, 3, 1, 2, 0], [-1, -1, 0, 1, 2, 3]]
    assert echo.echo_targets(x, 1)[0, 1] == 3 and echo.echo_targets(x, 5)[1, 5] == 0


def test_generator_is_seeded_and_consistent():
    a = echo.make_echo_data(50, 12, 4, n_symbols=5, seed=3)
    b = echo.make_echo_data(50, 12, 4, n_symbols=5, seed=3)
    c = echo.make_echo_data(50, 12, 4, n_symbols=5, seed=4)
    assert np.array_equal(a.x, b.x) and not np.array_equal(a.x, c.x)
    assert a.x.shape == a.y.shape == (50, 12) and a.x.min() >= 0 and a.x.max() <= 4
    assert np.array_equal(a.y[:, 4:], a.x[:, :-4]) and np.all(a.y[:, :4] == echo.FILL)
    assert a.mask.sum() == 50 * 8


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_sequences=2, length=10, k=0), "k must be at least 1"),
    (dict(n_sequences=2, length=10, k=10), "smaller than the sequence length"),
    (dict(n_sequences=2, length=10, k=-2), "k must be at least 1"),
    (dict(n_sequences=2, length=10, k=2.5), "k must be a whole number"),
    (dict(n_sequences=2, length=10, k=True), "k must be a whole number"),
    (dict(n_sequences=0, length=10, k=2), "n_sequences must be at least 1"),
    (dict(n_sequences=2, length=1, k=1), "length must be at least 2"),
    (dict(n_sequences=2, length=10, k=2, n_symbols=1), "n_symbols must be at least 2"),
])
def test_generator_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        echo.make_echo_data(**kwargs)


@pytest.mark.parametrize("x, k, message", [
    (np.zeros((0, 5), dtype=int), 1, "empty"),
    (np.zeros((3, 0), dtype=int), 1, "empty"),
    (np.array([1, 2, 3]), 1, "2-D"),
    (np.array([[0.5, 1.0]]), 1, "integer symbols"),
    (np.array([["a", "b"]]), 1, "integer symbols"),
    (np.array([[1, 2, 3]]), 3, "smaller than the sequence length"),
])
def test_targets_reject_bad_input(x, k, message):
    with pytest.raises(ValueError, match=message):
        echo.echo_targets(x, k)


def test_one_hot_and_its_errors():
    encoded = echo.one_hot(np.array([[2, 0]]), 4)
    assert encoded.shape == (1, 2, 4) and encoded.dtype == np.float32
    assert encoded[0, 0].tolist() == [0, 0, 1, 0] and encoded.sum() == 2
    with pytest.raises(ValueError, match="0 … 2"):
        echo.one_hot(np.array([[3]]), 3)
    with pytest.raises(ValueError, match="0 … 2"):
        echo.one_hot(np.array([[-1]]), 3)


def test_keras_targets_zero_the_fill_and_weight_it_out():
    y, w = echo.keras_targets(np.array([[-1, -1, 2, 3]]))
    assert y.tolist() == [[0, 0, 2, 3]] and w.tolist() == [[0, 0, 1, 1]]


def test_metrics_count_defined_steps_only():
    y = np.array([[-1, 1, 2], [-1, 0, 0]])
    p = np.full((2, 3, 3), 0.1)
    p[0, 1, 1] = p[0, 2, 0] = p[1, 1, 0] = p[1, 2, 0] = 0.8
    p[0, 0, 0] = p[1, 0, 2] = 0.8  # undefined steps: whatever is predicted, they do not count
    assert echo.defined_step_accuracy(y, p) == pytest.approx(0.75)
    losses = echo.step_cross_entropy(y, p)
    assert np.isnan(losses[:, 0]).all() and losses[0, 1] == pytest.approx(-np.log(0.8))
    assert losses[0, 2] == pytest.approx(-np.log(0.1))
    assert echo.masked_cross_entropy(y, p) == pytest.approx((3 * -np.log(0.8) - np.log(0.1)) / 4)
    per_step = echo.mean_step_loss(y, p)
    assert np.isnan(per_step[0]) and per_step[1] == pytest.approx(-np.log(0.8))


def test_metrics_reject_bad_input():
    y = np.array([[-1, 1, 2]])
    with pytest.raises(ValueError, match="shape"):
        echo.defined_step_accuracy(y, np.ones((1, 2, 3)) / 3)
    with pytest.raises(ValueError, match="NaN"):
        echo.defined_step_accuracy(y, np.full((1, 3, 3), np.nan))
    with pytest.raises(ValueError, match="only 2 symbols"):
        echo.defined_step_accuracy(y, np.ones((1, 3, 2)) / 2)
    with pytest.raises(ValueError, match="no defined step"):
        echo.defined_step_accuracy(np.array([[-1, -1]]), np.ones((1, 2, 3)) / 3)
    with pytest.raises(ValueError, match="no defined step"):
        echo.masked_cross_entropy(np.array([[-1, -1]]), np.ones((1, 2, 3)) / 3)


def test_probe_finds_what_the_state_holds():
    data = echo.make_echo_data(200, 10, 1, n_symbols=3, seed=0)
    states = echo.one_hot(data.x, 3)  # a "state" that holds only the current symbol
    scores = echo.probe_lags(states, data.x, [0, 1, 2])
    assert scores[0] == pytest.approx(1.0) and scores[1] < 0.5 and scores[2] < 0.5
    with pytest.raises(ValueError, match="states must have shape"):
        echo.probe_lags(states[:, :5], data.x, [0])
    with pytest.raises(ValueError, match="no step"):
        echo.probe_lags(states, data.x, [10])
    with pytest.raises(ValueError, match="two sequences"):
        echo.probe_lags(states[:1], data.x[:1], [0])


def test_packed_weights_keep_networks_apart():
    weights = echo.packed_weights(4, [2, 3], seed=0)
    total = 5
    recurrent, mask = weights["recurrent_kernel"], weights["recurrent_mask"]
    assert recurrent.shape == (total, 4 * total) and np.all(recurrent[mask == 0] == 0)
    # network 0's units (rows 0-1) never feed the gates of network 1 (units 2-4), in any gate
    for gate in range(4):
        assert np.all(mask[:2, gate * total + 2:(gate + 1) * total] == 0)
        assert np.all(mask[2:, gate * total:gate * total + 2] == 0)
    assert np.all(weights["head"][weights["head_mask"] == 0] == 0)
    assert weights["bias"][total:2 * total].tolist() == [1.0] * total  # forget-gate bias
    block = recurrent[:2][:, [g * total + j for g in range(4) for j in range(2)]]
    assert np.allclose(block @ block.T, np.eye(2), atol=1e-10)  # orthogonal, as Keras initialises


def test_sweep_trains_each_pair_and_scores_it():
    train = echo.make_echo_data(64, 8, 1, n_symbols=3, seed=0).x
    test = echo.make_echo_data(16, 8, 1, n_symbols=3, seed=1).x
    sweep = echo.run_sweep(train, test, ks=(1, 2), units=(2, 4), n_symbols=3, epochs=1)
    assert sweep.accuracy.shape == (2, 2) and np.all((0 <= sweep.accuracy) & (sweep.accuracy <= 1))
    assert set(sweep.y_prob) == {(1, 2), (1, 4), (2, 2), (2, 4)}
    assert sweep.y_prob[2, 4].shape == (16, 8, 3)
    assert np.allclose(sweep.y_prob[1, 2].sum(axis=-1), 1, atol=1e-5)
    with pytest.raises(ValueError, match="smaller than the sequence length"):
        echo.run_sweep(train, test, ks=(8,), units=(2,), n_symbols=3)


def test_sweep_networks_are_independent():
    import keras

    model = echo.sweep_model(6, 3, [2, 3], seed=0)
    x = echo.one_hot(echo.make_echo_data(4, 6, 1, 3, seed=0).x, 3)
    with_both = keras.ops.convert_to_numpy(model(x))
    lstm = model.layers[1]
    kernel, recurrent, bias = lstm.get_weights()
    recurrent[:, :] = recurrent * echo.packed_weights(3, [2, 3], 0)["recurrent_mask"]
    kernel[:, [g * 5 + j for g in range(4) for j in (2, 3, 4)]] += 1.0  # change network 1 only
    lstm.set_weights([kernel, recurrent, bias])
    changed = keras.ops.convert_to_numpy(model(x))
    assert np.allclose(with_both[:, :, 0], changed[:, :, 0], atol=1e-6)
    assert not np.allclose(with_both[:, :, 1], changed[:, :, 1], atol=1e-3)


def _explorer():
    x = np.array([0, 1, 2, 3, 0, 1, 2, 3, 1, 0])
    rng = np.random.default_rng(0)
    y_prob = {(k, u): rng.dirichlet(np.ones(4), size=10) for k in (2, 3) for u in (4, 8)}
    return echo.echo_explorer(x, y_prob, k=3, units=8, step=5)


def test_explorer_redraws_and_reports_the_step():
    explorer = _explorer()
    picture, text = explorer.view.value, explorer.status.value
    assert "target x[2] = 2" in text
    explorer.set(step=1)
    assert "no echo yet" in explorer.status.value and explorer.view.value != picture
    explorer.set(k=2, step=9)
    assert "k = 2" in explorer.status.value and "target x[7] = 3" in explorer.status.value
    assert explorer.draw_count == 3 and text != explorer.status.value


def test_explorer_rejects_bad_input():
    x = np.arange(4) % 2
    with pytest.raises(ValueError, match="no predictions"):
        echo.echo_explorer(x, {(1, 4): np.ones((4, 2)) / 2}, k=2, units=4)
    with pytest.raises(ValueError, match="step must lie"):
        echo.echo_explorer(x, {(1, 4): np.ones((4, 2)) / 2}, k=1, units=4, step=4)
    with pytest.raises(ValueError, match="one sequence"):
        echo.echo_explorer(np.zeros((2, 4), dtype=int), {(1, 4): np.ones((4, 2)) / 2}, k=1, units=4)
    with pytest.raises(ValueError, match="y_prob must map"):
        echo.echo_explorer(x, {}, k=1, units=4)
