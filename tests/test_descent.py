"""utils.training.descent: the gradients are right, descent lowers the cost, bad input is named, the views react."""

import numpy as np
import pytest

from utils.training import descent


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X @ np.array([1.5, -1.0]) + 0.5 * rng.normal(size=40) > 0).astype(float)
    return X, y


@pytest.fixture(scope="module")
def ages():
    rng = np.random.default_rng(1)
    age = rng.uniform(0.18, 0.72, size=60)
    bought = (rng.random(60) < 1 / (1 + np.exp(-(45 * age - 17)))).astype(float)
    return age, bought


def test_sigmoid_and_forward(data):
    X, _ = data
    assert descent.sigmoid(0.0) == pytest.approx(0.5)
    p = descent.forward(X, [1.0, 2.0], 0.5)
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-(X @ [1.0, 2.0] + 0.5))))


def test_gradients_match_finite_differences(data):
    X, y = data
    w, b = np.array([0.3, -0.7]), 0.2
    dw, db = descent.gradients(X, y, w, b)
    h = 1e-6
    numeric = [(descent.cost(X, y, w + h * e, b) - descent.cost(X, y, w - h * e, b)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(dw, numeric, rtol=1e-5)
    assert db == pytest.approx((descent.cost(X, y, w, b + h) - descent.cost(X, y, w, b - h)) / (2 * h), rel=1e-5)


def test_gradient_descent_lowers_the_cost(data):
    X, y = data
    history = descent.gradient_descent(X, y, [0.0, 0.0], 0.0, learning_rate=0.5, epochs=50)
    assert history.weights.shape == (51, 2) and history.biases.shape == (51,) and history.costs.shape == (51,)
    assert history.costs[-1] < history.costs[0]
    assert np.all(np.diff(history.costs) <= 1e-12)
    assert history.w.shape == (2,) and isinstance(history.b, float)
    assert descent.accuracy(X, y, history.w, history.b) > 0.8
    dw, db = descent.gradients(X, y, [0.0, 0.0], 0.0)
    np.testing.assert_allclose(history.weights[1], -0.5 * dw)
    assert history.biases[1] == pytest.approx(-0.5 * db)


def test_zero_epochs_keeps_the_start(data):
    X, y = data
    history = descent.gradient_descent(X, y, [1.0, 1.0], 0.5, learning_rate=0.1, epochs=0)
    np.testing.assert_allclose(history.w, [1.0, 1.0]) and history.b == 0.5


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda X, y: descent.forward(X, [1.0], 0.0), "w has 1 weights"),
        (lambda X, y: descent.cost(X, y[:-1], [1.0, 1.0], 0.0), "y has 39 labels"),
        (lambda X, y: descent.cost(X, y + 0.5, [1.0, 1.0], 0.0), "0/1 labels"),
        (lambda X, y: descent.forward(np.full((2, 2), np.nan), [1.0, 1.0], 0.0), "X contains NaN"),
        (lambda X, y: descent.forward(X, [1.0, 1.0], float("nan")), "b must be a finite"),
        (lambda X, y: descent.forward(np.zeros((2, 2, 2)), [1.0, 1.0], 0.0), "X must have shape"),
        (lambda X, y: descent.gradient_descent(X, y, [0.0, 0.0], 0.0, -1.0, 5), "learning_rate"),
        (lambda X, y: descent.gradient_descent(X, y, [0.0, 0.0], 0.0, 0.1, 2.5), "epochs"),
        (lambda X, y: descent.cost_surface(X, y, (0, 1), (0, 1)), "exactly one feature"),
        (lambda X, y: descent.cost_surface(X[:, 0], y, (1, 0), (0, 1)), "low < high"),
        (lambda X, y: descent.cost_surface(X[:, 0], y, (0, 1), (0, 1), points=1), "points"),
        (lambda X, y: descent.descent_frames(10, 100), "frames"),
        (lambda X, y: descent.descent_frames(0, 10), "epochs"),
    ],
)
def test_bad_input_is_named(data, call, message):
    with pytest.raises(ValueError, match=message):
        call(*data)


def test_cost_surface_matches_cost(ages):
    age, bought = ages
    W, B, J = descent.cost_surface(age, bought, (0.0, 60.0), (-30.0, 0.0), points=5)
    assert W.shape == B.shape == J.shape == (5, 5)
    assert J[2, 3] == pytest.approx(descent.cost(age, bought, [W[2, 3]], B[2, 3]))


def test_minimum_is_the_floor(ages):
    age, bought = ages
    w, b = descent._minimum(age[:, None], bought)
    dw, db = descent.gradients(age, bought, [w], b)
    assert abs(dw[0]) < 1e-8 and abs(db) < 1e-8


def test_descent_frames_start_and_end():
    shown = descent.descent_frames(300, 25)
    assert shown[0] == 0 and shown[-1] == 300 and np.all(np.diff(shown) > 0) and len(shown) <= 25


def test_learning_rate_explorer_reacts(ages):
    age, bought = ages
    explorer = descent.learning_rate_explorer(age, bought, learning_rate=5.0, epochs=40)
    status, image = explorer.status.value, explorer.view.value
    assert "learning rate 5" in status
    explorer.set(learning_rate=60.0)
    assert "learning rate 60" in explorer.status.value and explorer.view.value != image


def test_descent_animation_is_html(ages):
    age, bought = ages
    movie = descent.descent_animation(age, bought, learning_rate=20.0, epochs=10, frames=3)
    assert "<script" in movie.data and movie.data.count("data:image/png") >= 3
