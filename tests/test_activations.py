"""The NumPy activations and derivatives of notebook 07 are right, validate input, and the explorer redraws."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.training import activations as A  # noqa: E402

X = np.linspace(-6, 6, 121)


def numeric(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def test_values_at_known_points():
    assert A.step([-1.0, 0.0, 2.0]).tolist() == [0.0, 0.0, 1.0]
    assert A.sigmoid(0.0) == 0.5 and np.isclose(A.sigmoid(2.0), 1 / (1 + np.exp(-2.0)))
    assert np.allclose(A.tanh(X), np.tanh(X), atol=1e-12)
    assert A.relu([-2.0, 3.0]).tolist() == [0.0, 3.0]
    assert A.leaky_relu([-2.0, 3.0]).tolist() == [-0.2, 3.0]
    assert np.allclose(A.leaky_relu([-2.0], slope=0.3), [-0.6])
    assert np.array_equal(A.linear(X), X)


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise", invalid="raise"):
        values = A.sigmoid(np.array([-1000.0, 1000.0]))
    assert values.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_derivatives_match_finite_differences(name):
    chosen = A.activation(name)
    away_from_kink = X[np.abs(X) > 1e-3]
    assert np.allclose(chosen.derivative(away_from_kink), numeric(chosen.function, away_from_kink), atol=1e-6)


def test_derivative_conventions_at_zero():
    assert A.relu_derivative(0.0) == 0.0 and A.leaky_relu_derivative(0.0) == 0.1
    assert A.step_derivative(X).sum() == 0.0 and A.linear_derivative(X).min() == 1.0
    assert A.sigmoid_derivative(0.0) == 0.25 and A.tanh_derivative(0.0) == 1.0


def test_softmax_rows_sum_to_one_and_are_stable():
    z = np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0]])
    s = A.softmax(z, axis=1)
    assert np.allclose(s.sum(axis=1), 1.0) and np.allclose(s[0], s[1])
    assert np.allclose(A.softmax(z.T, axis=0), s.T)


def test_softmax_jacobian_matches_finite_differences():
    z = np.array([0.3, -1.0, 2.0])
    jacobian = A.softmax_jacobian(z)
    for j in range(3):
        step = np.zeros(3)
        step[j] = 1e-6
        column = (A.softmax(z + step) - A.softmax(z - step)) / 2e-6
        assert np.allclose(jacobian[:, j], column, atol=1e-7)
    assert np.allclose(jacobian.sum(axis=0), 0.0)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: A.sigmoid(np.array([1.0, np.nan])), "NaN"),
        (lambda: A.relu("abc"), "must be a number"),
        (lambda: A.leaky_relu(1.0, slope=1.5), "slope"),
        (lambda: A.softmax(3.0), "at least one axis"),
        (lambda: A.softmax(np.ones((2, 2)), axis=2), "axis"),
        (lambda: A.softmax(np.array([1.0, np.inf])), "infinite"),
        (lambda: A.softmax_jacobian(np.ones((2, 2))), "1-D"),
        (lambda: A.activation("swish"), "unknown activation"),
        (lambda: A.activation_state("relu", float("inf")), "finite"),
        (lambda: A.activation_explorer("gelu"), "unknown activation"),
        (lambda: A.activation_explorer("relu", x=20.0), "outside"),
        (lambda: A.activation_explorer("relu", limit=0.0), "positive"),
    ],
)
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_activation_state():
    state = A.activation_state("sigmoid", 0.0)
    assert state["value"] == 0.5 and state["slope"] == 0.25 and state["intercept"] == 0.5 and not state["saturated"]
    assert A.activation_state("sigmoid", 8.0)["saturated"] and not A.activation_state("relu", 8.0)["saturated"]


def test_explorer_redraws_on_change():
    explorer = A.activation_explorer("sigmoid", x=2.0)
    before, status = explorer.view.value, explorer.status.value
    assert "sigmoid at x = 2.00" in status
    explorer.set(activation="relu", x=-3.0)
    assert explorer.view.value != before and explorer.view.value[:4] == b"\x89PNG"
    assert "relu at x = -3.00" in explorer.status.value and "saturated" in explorer.status.value
    explorer.controls["x"].value = 7.0
    assert "derivative 1.0000" in explorer.status.value
