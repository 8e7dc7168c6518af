"""utils.training.initialization: schemes, the deep pass and its gradients, batch normalization vs Keras, the explorer."""

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from utils.training import initialization as init

matplotlib.use("Agg")


def test_init_std_formulas():
    assert init.init_std("zero", 10, 20) == 0.0
    assert init.init_std("too_large", 10, 20) == 1.0
    assert init.init_std("xavier", 10, 30) == pytest.approx(np.sqrt(2 / 40))
    assert init.init_std("he", 50, 3) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="unknown scheme"):
        init.init_std("lecun", 3, 3)
    with pytest.raises(ValueError, match="positive"):
        init.init_std("he", 0, 3)


def test_deep_weights_have_the_scheme_s_scale():
    weights = init.deep_weights("he", depth=3, width=400, seed=1)
    assert len(weights) == 3 and weights[0].shape == (400, 400)
    assert np.std(weights[0]) == pytest.approx(np.sqrt(2 / 400), rel=0.01)
    with pytest.raises(ValueError, match="depth"):
        init.deep_weights("he", depth=0)


def test_the_target_he_stays_in_band_and_the_bad_schemes_do_not():
    X = np.random.default_rng(0).standard_normal((500, 256))
    passes = init.scheme_passes(X, depth=20, width=256, seed=0)
    assert init.within_band(passes["he"].activation_stds)
    assert not any(init.within_band(passes[s].activation_stds) for s in ("zero", "too_large", "xavier"))
    assert passes["xavier"].activation_stds[-1] < 1e-2 and passes["too_large"].activation_stds[-1] > 1e10
    assert np.all(passes["zero"].activation_stds == 0)
    assert len(passes["he"].gradients) == 20 and passes["he"].gradients[0].shape == (500, 256)


def test_backward_pass_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((5, 4))
    weights = [rng.standard_normal((4, 4)) * 0.8 for _ in range(3)]
    deep = init.forward_backward(X, weights, seed=7)
    readout = np.random.default_rng(7).standard_normal((5, 4))

    def loss_from_first(a1):
        a = a1
        for W in weights[1:]:
            a = np.maximum(a @ W, 0.0)
        return float(np.sum(readout * a))

    a1 = deep.activations[0]
    numeric = np.zeros_like(a1)
    for index in np.ndindex(a1.shape):
        step = np.zeros_like(a1)
        step[index] = 1e-6
        numeric[index] = (loss_from_first(a1 + step) - loss_from_first(a1 - step)) / 2e-6
    assert np.allclose(deep.gradients[0], numeric, atol=1e-6)
    assert np.array_equal(deep.gradients[-1], readout)


def test_forward_backward_tanh_and_errors():
    X = np.ones((3, 2))
    deep = init.forward_backward(X, [np.eye(2)], activation="tanh")
    assert np.allclose(deep.activations[0], np.tanh(1.0))
    with pytest.raises(ValueError, match="rows"):
        init.forward_backward(X, [np.ones((3, 3))])
    with pytest.raises(ValueError, match="activation"):
        init.forward_backward(X, [np.eye(2)], activation="gelu")
    with pytest.raises(ValueError, match="2-D"):
        init.forward_backward(np.ones(3), [np.eye(3)])
    with pytest.raises(ValueError, match="at least one"):
        init.forward_backward(X, [])


def _keras_bn(gamma, beta, momentum=0.99):
    import keras

    layer = keras.layers.BatchNormalization(momentum=momentum)
    layer.build((None, gamma.size))
    layer.set_weights([gamma.astype("float32"), beta.astype("float32"),
                       np.zeros(gamma.size, "float32"), np.ones(gamma.size, "float32")])
    return layer


@pytest.mark.parametrize("momentum", [0.99, 0.5])
def test_batchnorm_equals_keras_in_training_and_inference(momentum):
    rng = np.random.default_rng(5)
    gamma, beta = rng.uniform(0.5, 2, size=3), rng.normal(size=3)
    theirs = _keras_bn(gamma, beta, momentum)
    ours = init.BatchNorm(3, momentum=momentum)
    ours.gamma, ours.beta = gamma, beta
    for _ in range(4):
        batch = rng.normal(2, 3, size=(16, 3))
        assert np.abs(ours(batch, training=True) - np.asarray(theirs(batch.astype("float32"), training=True))).max() < 1e-5
        assert np.abs(ours.moving_mean - theirs.moving_mean.numpy()).max() < 1e-5
        assert np.abs(ours.moving_var - theirs.moving_variance.numpy()).max() < 1e-5
    batch = rng.normal(2, 3, size=(8, 3))
    assert np.abs(ours(batch) - np.asarray(theirs(batch.astype("float32"), training=False))).max() < 1e-5


def test_moving_stats_use_keras_convention_and_biased_variance():
    x = np.array([[1.0], [3.0]])
    mean, var = init.update_moving_stats(np.array([0.0]), np.array([1.0]), x, momentum=0.9)
    assert mean == pytest.approx([0.2]) and var == pytest.approx([0.9 + 0.1 * 1.0])
    with pytest.raises(ValueError, match="momentum"):
        init.update_moving_stats([0.0], [1.0], x, momentum=1.5)
    layer = init.BatchNorm(1)
    with pytest.raises(ValueError, match="features"):
        layer(np.ones((2, 2)))
    with pytest.raises(ValueError, match="features"):
        init.BatchNorm(0)


def test_batchnorm_train_standardises_each_feature():
    x = np.random.default_rng(2).normal(5, 4, size=(64, 3))
    y = init.batchnorm_train(x, np.array([1.0, 2.0, 0.5]), np.array([0.0, 1.0, -1.0]), epsilon=0.0)
    assert np.allclose(y.mean(axis=0), [0.0, 1.0, -1.0]) and np.allclose(y.std(axis=0), [1.0, 2.0, 0.5])


def test_batchnorm_repairs_bad_initialisations():
    X = np.random.default_rng(0).standard_normal((300, 64))
    for scheme in ("too_large", "xavier"):
        stds = init.forward_with_batchnorm(X, init.deep_weights(scheme, depth=10, width=64))
        assert np.allclose(stds, np.sqrt(0.5 - 1 / (2 * np.pi)), atol=0.05)


def test_plot_helpers():
    X = np.random.default_rng(0).standard_normal((50, 16))
    passes = init.scheme_passes(X, depth=6, width=16)
    fig = Figure(figsize=(8, 6))
    init.layer_histograms(fig, passes, layers=(1, 3, 6), kind="gradients")
    assert len(fig.axes) == 12
    with pytest.raises(ValueError, match="outside"):
        init.layer_histograms(Figure(), passes, layers=(7,))
    with pytest.raises(ValueError, match="kind"):
        init.layer_histograms(Figure(), passes, kind="weights")
    ax = Figure().subplots()
    assert init.std_profile(ax, passes) is ax and ax.get_yscale() == "log"


def test_init_explorer_redraws_with_text_and_picture():
    explorer = init.init_explorer(gain=1.4, depth=10)
    first_text, first_picture = explorer.status.value, explorer.view.value
    assert "stays in [0.5, 2]" in first_text
    explorer.set(gain=0.8)
    assert "leaves [0.5, 2]" in explorer.status.value and explorer.view.value != first_picture
    explorer.set(gain=0.0, activation="tanh")  # all-zero activations: no crash
    assert explorer.draw_count == 3 and explorer.status.value != first_text
    with pytest.raises(ValueError, match="depth"):
        init.init_explorer(depth=80)
    with pytest.raises(ValueError, match="gain"):
        init.gain_profile(-1.0, 3)
