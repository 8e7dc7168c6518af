"""utils.training.backprop: forward/backward pass, numerical gradients, gradient checking and the ε explorer."""

import numpy as np
import pytest

from utils.training import backprop as bp


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(10, 3))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return bp.init_params(3, 4, seed=2), X, y


def test_forward_shapes_and_cache(problem):
    params, X, y = problem
    A2, cache = bp.forward(params, X)
    assert A2.shape == (10, 1) and set(cache) == {"X", "Z1", "A1", "Z2", "A2"}
    assert np.all((A2 > 0) & (A2 < 1))
    expected = -np.mean(y * np.log(A2[:, 0]) + (1 - y) * np.log(1 - A2[:, 0]))
    assert bp.loss(params, X, y) == pytest.approx(expected)


def test_backward_passes_the_gradient_check(problem):
    params, X, y = problem
    result = bp.gradient_check(params, X, y)
    assert result.passed and result.relative_difference < 1e-8
    assert set(result.per_parameter) == set(bp.PARAM_NAMES)
    _, cache = bp.forward(params, X)
    grads = bp.backward(params, cache, y)
    assert all(grads[name].shape == params[name].shape for name in bp.PARAM_NAMES)


@pytest.mark.parametrize("bug, wrong", [("activation_derivative", {"W1", "b1"}), ("bias_mean", {"b1"})])
def test_planted_bugs_fail_where_they_are(problem, bug, wrong):
    params, X, y = problem
    result = bp.gradient_check(params, X, y, bug=bug)
    assert not result.passed
    assert {name for name, value in result.per_parameter.items() if value > 1e-7} == wrong


def test_float32_cannot_pass(problem):
    params, X, y = problem
    assert not bp.gradient_check(params, X, y, epsilon=1e-3, dtype=np.float32).passed
    sweep = bp.epsilon_sweep(params, X, y, [1e-10, 1e-5, 1e-1])
    assert sweep[1] < 1e-8 and sweep[0] > sweep[1] and sweep[2] > sweep[1]


def test_numerical_gradient_and_relative_difference(problem):
    params, X, y = problem
    numeric = bp.numerical_gradient(params, X, y, epsilon=1e-5)
    _, cache = bp.forward(params, X)
    assert bp.relative_difference(numeric, bp.backward(params, cache, y)) < 1e-8
    assert bp.relative_difference(np.zeros(3), np.zeros(3)) == 0.0
    assert bp.relative_difference([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert bp.relative_difference([1.0, 0.0], [-1.0, 0.0]) == pytest.approx(1.0)
    assert bp.flatten(params).size == 3 * 4 + 4 + 4 + 1


def test_train_lowers_the_loss(problem):
    params, X, y = problem
    trained, losses = bp.train(params, X, y, learning_rate=0.5, steps=50)
    assert losses[-1] < losses[0] and len(losses) == 50
    assert not np.allclose(trained["W1"], params["W1"])


def test_bad_inputs(problem):
    params, X, y = problem
    with pytest.raises(ValueError, match="keys"):
        bp.forward({"W1": params["W1"]}, X)
    with pytest.raises(ValueError, match="fit together"):
        bp.forward({**params, "b1": np.zeros(7)}, X)
    with pytest.raises(ValueError, match="columns"):
        bp.forward(params, X[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        bp.forward(params, np.full((2, 3), np.nan))
    with pytest.raises(ValueError, match="one label per row"):
        bp.loss(params, X, y[:3])
    with pytest.raises(ValueError, match="0/1"):
        bp.loss(params, X, y + 2)
    _, cache = bp.forward(params, X)
    with pytest.raises(ValueError, match="unknown bug"):
        bp.backward(params, cache, y, bug="typo")
    with pytest.raises(ValueError, match="cache"):
        bp.backward(params, {"X": X}, y)
    with pytest.raises(ValueError, match="epsilon"):
        bp.numerical_gradient(params, X, y, epsilon=0.0)
    with pytest.raises(ValueError, match="dtype"):
        bp.numerical_gradient(params, X, y, dtype=np.int32)
    with pytest.raises(ValueError, match="same number"):
        bp.relative_difference(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="epsilons"):
        bp.epsilon_sweep(params, X, y, [])
    with pytest.raises(ValueError, match="positive"):
        bp.init_params(0, 3)
    with pytest.raises(ValueError, match="positive"):
        bp.train(params, X, y, learning_rate=0.0)


def test_explorer_redraws_on_change(problem):
    params, X, y = problem
    explorer = bp.epsilon_explorer(params, X[:4], y[:4], log10_epsilon=-6.0)
    before, text = explorer.png(), explorer.status.value
    assert "passes" in text
    explorer.set(log10_epsilon=-2.0)
    assert explorer.status.value != text and "fails" in explorer.status.value
    explorer.controls["backward_pass"].value = "activation_derivative"
    explorer.set(log10_epsilon=-6.0)
    assert "fails" in explorer.status.value and explorer.png() != before
    explorer.controls["precision"].value = "float32"
    assert "float32" in explorer.status.value
    with pytest.raises(ValueError, match="log10_epsilon"):
        bp.epsilon_explorer(params, X, y, log10_epsilon=0.0)
