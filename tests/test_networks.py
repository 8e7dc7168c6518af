"""utils.foundations.networks: forward passes, the koala network, error feedback, the tiny trainer, diagram and explorers."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.foundations import networks  # noqa: E402


def test_sigmoid_is_stable_and_symmetric():
    z = np.array([-1000.0, -2.0, 0.0, 2.0, 1000.0])
    s = networks.sigmoid(z)
    assert np.all(np.isfinite(s)) and s[2] == 0.5 and np.allclose(s + s[::-1], 1.0)


def test_dense_forward_matches_formula_and_checks_inputs():
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    assert np.allclose(networks.dense_forward(x, W, b), 1 / (1 + np.exp(-(x @ W + b))))
    assert np.allclose(networks.dense_forward(x, W, b, "relu"), np.maximum(x @ W + b, 0))
    assert networks.dense_forward(x[0], W, b).shape == (2,)
    with pytest.raises(ValueError, match="x must have 3 features"):
        networks.dense_forward(rng.normal(size=(4, 2)), W, b)
    with pytest.raises(ValueError, match="b must have one entry per unit"):
        networks.dense_forward(x, W, np.zeros(3))
    with pytest.raises(ValueError, match="activation"):
        networks.dense_forward(x, W, b, "softsign")
    with pytest.raises(ValueError, match="x contains NaN"):
        networks.dense_forward(np.full((1, 3), np.nan), W, b)
    with pytest.raises(ValueError, match="W must have 2 dimension"):
        networks.dense_forward(x, np.ones(3), b)


def test_forward_pass_returns_every_layer():
    layers = [(np.ones((2, 3)), np.zeros(3)), (np.ones((3, 1)), np.zeros(1))]
    outputs = networks.forward_pass(np.array([[0.0, 0.0]]), layers)
    assert [o.shape for o in outputs] == [(1, 3), (1, 1)]
    assert np.allclose(outputs[0], 0.5) and np.isclose(outputs[1][0, 0], networks.sigmoid(1.5))
    with pytest.raises(ValueError, match="at least one"):
        networks.forward_pass(np.zeros((1, 2)), [])
    with pytest.raises(ValueError, match=r"layers\[0\]"):
        networks.forward_pass(np.zeros((1, 2)), [(np.ones((2, 1)),)])


def test_count_parameters():
    assert networks.count_parameters([2, 8, 1]) == 33
    assert networks.count_parameters([784, 128, 10]) == 784 * 128 + 128 + 128 * 10 + 10
    for bad in ([3], [2, 0, 1], [2.5, 1]):
        with pytest.raises(ValueError, match="layer_sizes"):
            networks.count_parameters(bad)


def test_koala_forward_shapes_and_story():
    weights = networks.koala_weights()
    assert {k: v.shape for k, v in weights.items()} == {
        "W_detect": (6, 5), "b_detect": (5,), "W_coord": (5, 2), "b_coord": (2,), "W_decide": (2, 1), "b_decide": (1,)}
    cues = np.array([[0.9, 0.9, 0.8, 0.9, 0.8, 0.7], [0.05, 0.05, 0.1, 0.3, 0.6, 0.1]])
    state = networks.koala_forward(cues)
    assert state["detectors"].shape == (2, 5) and state["coordinators"].shape == (2, 2)
    assert state["probability"][0, 0] > 0.8 and state["probability"][1, 0] < 0.1
    single = networks.koala_forward(cues[0])
    assert np.allclose(single["probability"], state["probability"][0])
    again = networks.koala_from_detectors(state["detectors"][0])
    assert np.allclose(again["probability"], state["probability"][0])


def test_koala_bad_inputs_are_named():
    with pytest.raises(ValueError, match="cues must have 6 scores"):
        networks.koala_forward(np.zeros(5))
    with pytest.raises(ValueError, match="missing"):
        networks.koala_forward(np.zeros(6), {"W_detect": np.zeros((6, 5))})
    bad = dict(networks.koala_weights(), W_coord=np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"weights\['W_coord'\] must have shape \(5, 2\)"):
        networks.koala_forward(np.zeros(6), bad)
    with pytest.raises(ValueError, match="detectors must have 5"):
        networks.koala_from_detectors(np.zeros(4))
    with pytest.raises(ValueError, match="cues contains NaN"):
        networks.koala_forward(np.full(6, np.nan))


def test_error_feedback_matches_finite_differences():
    rng = np.random.default_rng(1)
    cues, labels = rng.uniform(0, 1, (5, 6)), np.array([1, 0, 1, 0, 0.0])
    weights = {k: v + rng.normal(0, 0.3, v.shape) for k, v in networks.koala_weights().items()}
    gradients = networks.error_feedback(cues, labels, weights)

    def loss(w):
        return networks.log_loss(labels, networks.koala_forward(cues, w)["probability"])

    for key in networks.KOALA_KEYS:
        index = tuple(0 for _ in weights[key].shape)
        step = np.zeros_like(weights[key])
        step[index] = 1e-6
        numeric = (loss(dict(weights, **{key: weights[key] + step})) - loss(dict(weights, **{key: weights[key] - step}))) / 2e-6
        assert np.isclose(gradients[key][index], numeric, rtol=1e-4, atol=1e-8), key
    assert gradients["error_coord"].shape == (5, 2) and gradients["error_detect"].shape == (5, 5)
    with pytest.raises(ValueError, match="label has 1 labels"):
        networks.error_feedback(cues, [1.0], weights)
    with pytest.raises(ValueError, match="0/1"):
        networks.error_feedback(cues[:1], [0.5], weights)


def test_feedback_step_reduces_the_loss():
    cues = np.array([[0.1, 0.05, 0.9, 0.95, 0.85, 0.8], [0.8, 0.3, 0.9, 0.9, 0.5, 0.6]])
    labels = np.array([1.0, 0.0])
    weights = networks.koala_weights()
    before = networks.log_loss(labels, networks.koala_forward(cues, weights)["probability"])
    for _ in range(20):
        weights = networks.feedback_step(weights, networks.error_feedback(cues, labels, weights), 1.0)
    after = networks.log_loss(labels, networks.koala_forward(cues, weights)["probability"])
    assert after < before
    with pytest.raises(ValueError, match="learning_rate"):
        networks.feedback_step(weights, weights, -1.0)
    with pytest.raises(ValueError, match="gradients is missing"):
        networks.feedback_step(weights, {}, 0.1)


def test_log_loss_and_accuracy():
    assert np.isclose(networks.log_loss([1, 0], [0.5, 0.5]), np.log(2))
    assert np.isfinite(networks.log_loss([1, 0], [0.0, 1.0]))
    assert networks.accuracy([1, 0, 1], [0.5, 0.2, 0.1]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="y_true has 2 values"):
        networks.log_loss([1, 0], [0.5])
    with pytest.raises(ValueError, match="y_prob contains NaN"):
        networks.accuracy([1], [np.nan])


def test_tiny_network_learns_circles_and_linear_does_not():
    from sklearn.datasets import make_circles

    X, y = make_circles(n_samples=200, noise=0.05, factor=0.5, random_state=0)
    linear = networks.train_tiny_network(X, y, 0, steps=300)
    network = networks.train_tiny_network(X, y, 4, steps=400)
    assert set(linear) == {"W2", "b2"} and set(network) == {"W1", "b1", "W2", "b2"}
    assert networks.accuracy(y, networks.predict_tiny_network(linear, X)) < 0.7
    assert networks.accuracy(y, networks.predict_tiny_network(network, X)) > 0.95
    with pytest.raises(ValueError, match="hidden_units"):
        networks.train_tiny_network(X, y, -1)
    with pytest.raises(ValueError, match="X must have 2 dimension"):
        networks.train_tiny_network(X[:, 0], y, 2)
    with pytest.raises(ValueError, match="y has 3 labels"):
        networks.train_tiny_network(X, y[:3], 2)
    with pytest.raises(ValueError, match="params"):
        networks.predict_tiny_network({}, X)


def test_draw_network_and_bad_inputs():
    ax = networks.draw_network([["a", "b"], ["h"], ["out"]], weights=[np.array([[1.0], [-2.0]]), np.array([[0.5]])],
                               activations=[[0.1, 0.9], [0.5], [0.7]], layer_titles=["in", "hidden", "out"])
    assert ax.get_title() and len(ax.lines) == 3
    plt.close("all")
    with pytest.raises(ValueError, match="at least two"):
        networks.draw_network([["a"]])
    with pytest.raises(ValueError, match=r"weights\[0\] must have shape \(2, 1\)"):
        networks.draw_network([["a", "b"], ["h"]], weights=[np.ones((1, 2))])
    with pytest.raises(ValueError, match="activations"):
        networks.draw_network([["a", "b"], ["h"]], activations=[[0.1, 0.2]])
    with pytest.raises(ValueError, match="layer_titles"):
        networks.draw_network([["a", "b"], ["h"]], layer_titles=["only one"])
    plt.close("all")


def test_hidden_units_explorer_switches_models():
    from sklearn.datasets import make_circles

    X, y = make_circles(n_samples=160, noise=0.05, factor=0.5, random_state=1)
    explorer = networks.hidden_units_explorer(X[:120], y[:120], X[120:], y[120:], units=(0, 3), steps=300)
    before, status = explorer.view.value, explorer.status.value
    assert "linear model" in status
    explorer.set(hidden_units=3)
    assert explorer.view.value != before and "3 hidden tanh unit(s)" in explorer.status.value
    assert explorer.scores[3][1] > explorer.scores[0][1]
    with pytest.raises(ValueError, match="start must be one of"):
        networks.hidden_units_explorer(X[:120], y[:120], X[120:], y[120:], units=(0, 3), start=5, steps=10)
    with pytest.raises(ValueError, match="y_test has"):
        networks.hidden_units_explorer(X[:120], y[:120], X[120:], y[:5], units=(0,), steps=10)


def test_koala_explorer_updates_probability():
    explorer = networks.koala_explorer(eyes=0.1, nose=0.05, ears=0.9, fur=0.95, limbs=0.85, head_weight=5.0)
    before, status = explorer.view.value, explorer.status.value
    assert "not a koala" in status
    explorer.set(eyes=0.95, nose=0.95)
    assert explorer.view.value != before and "koala" in explorer.status.value and explorer.status.value != status
    explorer.controls["head_weight"].value = 0.0
    assert "head" in explorer.status.value
