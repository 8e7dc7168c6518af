"""utils.training.tuning: log-scale sampling, trial counts, successive halving, grid vs random."""

import math

import numpy as np
import pytest

from utils.training import tuning


def test_log_uniform_spreads_decades_evenly():
    u = np.linspace(0, 1, 10_001)
    values = tuning.log_uniform(u, 1e-4, 1e-1)
    assert values[0] == pytest.approx(1e-4) and values[-1] == pytest.approx(1e-1)
    shares = np.histogram(np.log10(values), bins=[-4, -3, -2, -1])[0] / len(u)
    assert np.allclose(shares, 1 / 3, atol=1e-3)


@pytest.mark.parametrize("low, high", [(0.0, 1.0), (1.0, 1.0), (-1.0, 2.0), ("a", 2.0)])
def test_log_uniform_rejects_bad_bounds(low, high):
    with pytest.raises(ValueError, match="low"):
        tuning.log_uniform(0.5, low, high)


def test_log_uniform_rejects_u_outside_unit_interval():
    with pytest.raises(ValueError, match="u must"):
        tuning.log_uniform([0.5, 1.5], 1.0, 10.0)


@pytest.mark.parametrize("q, c, n", [(0.05, 0.95, 59), (0.05, 0.9, 45), (0.5, 0.75, 2), (0.01, 0.95, 299)])
def test_trials_needed(q, c, n):
    assert tuning.trials_needed(q, c) == n
    assert 1 - (1 - q) ** n >= c > 1 - (1 - q) ** (n - 1)


def test_trials_needed_bad_input():
    with pytest.raises(ValueError, match="top_fraction"):
        tuning.trials_needed(0.0, 0.9)


def test_halving_schedule():
    assert tuning.halving_schedule(27, 1, 3).tolist() == [[27, 1], [9, 3], [3, 9], [1, 27]]
    assert tuning.halving_schedule(10, 2, 3).tolist() == [[10, 2], [3, 6], [1, 18]]
    assert tuning.halving_schedule(1, 5, 3).tolist() == [[1, 5]]
    with pytest.raises(ValueError, match="eta"):
        tuning.halving_schedule(9, 1, 1)


def test_sample_config_respects_the_space():
    rng = np.random.default_rng(0)
    configs = [tuning.sample_config(rng) for _ in range(200)]
    rates = np.array([c["learning_rate"] for c in configs])
    assert rates.min() >= 1e-4 and rates.max() <= 0.3
    assert np.mean(rates < 1e-2) > 0.4  # log scale: two of the 3.5 decades lie below 1e-2
    assert {c["layers"] for c in configs} == {1, 2, 3}
    assert {c["batch_size"] for c in configs} == set(tuning.BATCH_SIZES)
    assert all(16 <= c["units"] <= 256 and isinstance(c["units"], int) for c in configs)
    with pytest.raises(ValueError, match="rng"):
        tuning.sample_config(0)
    with pytest.raises(ValueError, match="kind"):
        tuning.sample_config(rng, {"x": ("gauss", 0, 1)})


def test_build_and_train_a_configuration():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5)).astype("float32")
    y = (X[:, 0] > 0).astype(int)
    config = {"learning_rate": 0.01, "units": 8, "layers": 2, "batch_size": 32}
    model = tuning.build_mlp(config, 5, 2)
    assert len(model.layers) == 3 and model.output_shape == (None, 2)
    score, trained, seconds = tuning.train_and_score(config, X[:80], y[:80], X[80:], y[80:], epochs=5)
    assert 0.7 < score <= 1.0 and seconds > 0
    again, _, _ = tuning.train_and_score(config, X[:80], y[:80], X[80:], y[80:], epochs=5)
    assert again == score  # seeded: the same trial gives the same score
    with pytest.raises(ValueError, match="missing"):
        tuning.build_mlp({"units": 4}, 5, 2)


def test_grid_points_and_random_points():
    grid = tuning.grid_points(9)
    assert grid.shape == (9, 2) and len(np.unique(grid[:, 0])) == 3
    assert tuning.random_points(9, np.random.default_rng(0)).shape == (9, 2)
    with pytest.raises(ValueError, match="n_trials"):
        tuning.grid_points(0)


def test_random_search_beats_grid_when_one_parameter_matters():
    found = tuning.search_simulation(9, repeats=300, importance=0.1, seed=0)
    assert found["random"].mean() > found["grid"].mean()
    assert np.mean(found["random"] > found["grid"]) > 0.55


def test_grid_vs_random_explorer_redraws():
    explorer = tuning.grid_vs_random_explorer()
    first = explorer.view.value
    explorer.set(n_trials=25, importance=0.8)
    assert explorer.view.value != first and "25 trials" in explorer.status.value


def test_parallel_coordinates():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    table = pd.DataFrame({"learning_rate": [1e-3, 1e-2, 1e-1], "units": [16, 64, 256],
                          "val_accuracy": [0.8, 0.9, 0.5]})
    fig, ax = plt.subplots()
    tuning.parallel_coordinates(ax, table, ["learning_rate", "units"], "val_accuracy",
                                log_columns=["learning_rate"])
    assert len(ax.lines) == 3 and math.isclose(ax.lines[0].get_ydata()[0], 1.0)  # worst first
    with pytest.raises(ValueError, match="no column"):
        tuning.parallel_coordinates(ax, table, ["depth"], "val_accuracy")
    plt.close(fig)
