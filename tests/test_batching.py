"""utils.training.batching: scaling, the closed form, the three gradient-descent variants and the explorer."""

import numpy as np
import pytest

from utils.training import batching as B


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(500, 4000, 60), rng.integers(1, 6, 60)])
    y = 40 + 0.12 * X[:, 0] + 15 * X[:, 1] + rng.normal(0, 20, 60)
    Xs, mean, std = B.standardize(X)
    return X, Xs, B.add_bias_column(Xs), y


def test_standardize_uses_training_statistics(data):
    X, Xs, _, _ = data
    assert np.allclose(Xs.mean(axis=0), 0) and np.allclose(Xs.std(axis=0), 1)
    train_s, other_s, mean, std = B.standardize(X[:40], X[40:])
    assert np.allclose(other_s, (X[40:] - X[:40].mean(axis=0)) / X[:40].std(axis=0))
    assert np.allclose(mean, X[:40].mean(axis=0)) and np.allclose(std, X[:40].std(axis=0))


@pytest.mark.parametrize("bad, message", [
    (np.ones(5), "2-D"), (np.array([[1.0, np.nan], [2.0, 3.0]]), "NaN"), (np.array([[1.0, 2.0], [1.0, 3.0]]), "constant"),
])
def test_standardize_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        B.standardize(bad)


def test_standardize_column_mismatch(data):
    with pytest.raises(ValueError, match="X_other"):
        B.standardize(data[0], np.ones((3, 3)))


def test_bias_column_cost_gradient_and_closed_form(data):
    _, _, Xb, y = data
    assert np.all(Xb[:, 0] == 1) and Xb.shape == (60, 3)
    theta = B.least_squares(Xb, y)
    assert np.allclose(theta, np.linalg.solve(Xb.T @ Xb, Xb.T @ y))
    assert np.allclose(B.mse_gradient(Xb, y, theta), 0, atol=1e-8)
    t = np.array([1.0, 2.0, 3.0])
    assert B.mse_cost(Xb, y, t) == pytest.approx(np.mean((Xb @ t - y) ** 2))
    eps = 1e-6
    numeric = [(B.mse_cost(Xb, y, t + eps * e) - B.mse_cost(Xb, y, t - eps * e)) / (2 * eps) for e in np.eye(3)]
    assert np.allclose(B.mse_gradient(Xb, y, t), numeric, rtol=1e-6)


def test_cost_bad_shapes(data):
    _, _, Xb, y = data
    with pytest.raises(ValueError, match="theta"):
        B.mse_cost(Xb, y, np.zeros(2))
    with pytest.raises(ValueError, match="y"):
        B.mse_gradient(Xb, y[:5], np.zeros(3))
    with pytest.raises(ValueError, match="Xb"):
        B.least_squares(np.ones(4), np.ones(4))


def test_minibatches_cover_every_row_once():
    batches = list(B.minibatches(10, 4, np.random.default_rng(0)))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches)) == list(range(10))
    assert B.updates_per_epoch(10, 4) == 3 and B.updates_per_epoch(150, 1) == 150 and B.updates_per_epoch(150, 150) == 1
    with pytest.raises(ValueError, match="batch_size"):
        list(B.minibatches(10, 0, np.random.default_rng(0)))
    with pytest.raises(ValueError, match="n"):
        list(B.minibatches(0, 2, np.random.default_rng(0)))
    with pytest.raises(ValueError):
        B.updates_per_epoch(0, 1)


@pytest.mark.parametrize("batch_size, rate", [(None, 0.3), (16, 0.05), (1, 0.005)])
def test_every_variant_reaches_the_optimum(data, batch_size, rate):
    _, _, Xb, y = data
    best = B.mse_cost(Xb, y, B.least_squares(Xb, y))
    run = B.gradient_descent(Xb, y, batch_size=batch_size, learning_rate=rate, epochs=60)
    size = batch_size or len(y)
    assert run.updates == 60 * B.updates_per_epoch(len(y), size)
    assert len(run.epoch_costs) == 61 and run.cost <= 1.1 * best and not run.diverged
    assert run.thetas.shape == (run.updates + 1, 3)


def test_gradient_descent_divergence_and_bad_input(data):
    _, _, Xb, y = data
    run = B.gradient_descent(Xb, y, learning_rate=5.0, epochs=200)
    assert run.diverged and run.updates < 200
    for kwargs, message in [({"batch_size": 0}, "batch_size"), ({"batch_size": 61}, "batch_size"),
                            ({"learning_rate": -1.0}, "learning_rate"), ({"epochs": 0}, "epochs"),
                            ({"theta0": np.zeros(2)}, "theta0")]:
        with pytest.raises(ValueError, match=message):
            B.gradient_descent(Xb, y, **kwargs)


def test_cost_grid_and_path_drawing(data):
    _, _, Xb, y = data
    W1, W2, cost = B.cost_grid(Xb, y, 300.0, (0, 1), (0, 2), points=5)
    assert W1.shape == W2.shape == cost.shape == (5, 5)
    assert cost[0, 0] == pytest.approx(B.mse_cost(Xb, y, np.array([300.0, 0.0, 0.0])))
    with pytest.raises(ValueError, match="3 columns"):
        B.cost_grid(Xb[:, :2], y, 0.0, (0, 1), (0, 1))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    theta = B.least_squares(Xb, y)
    B.draw_weight_path(ax, Xb, y, theta, {"batch": B.gradient_descent(Xb, y, learning_rate=0.3, epochs=5).thetas})
    assert len(ax.lines) >= 3
    plt.close(fig)


def test_explorer_redraws_on_change(data):
    _, Xs, _, y = data
    explorer = B.minibatch_explorer(Xs, y, batch_size=16, learning_rate=0.05, epochs=5)
    before, text = explorer.png(), explorer.status.value
    explorer.set(batch_size=1)
    assert explorer.status.value != text and "batch size 1" in explorer.status.value
    explorer.controls["learning_rate"].value = 0.6
    explorer.set(batch_size=60)
    assert explorer.png() != before
    explorer.set(batch_size=1, learning_rate=0.6)
    assert "blew up" in explorer.status.value
    with pytest.raises(ValueError, match="batch_size"):
        B.minibatch_explorer(Xs, y, batch_size=3)
    with pytest.raises(ValueError, match="2 feature"):
        B.minibatch_explorer(Xs[:, :1], y)
