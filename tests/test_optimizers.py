"""utils.training.optimizers: each step in Keras 3's form, paths equal to keras.optimizers, schedules, the ravine."""

import matplotlib
import numpy as np
import pytest

from utils import animation
from utils.training import optimizers as opt

matplotlib.use("Agg")
START = np.array(opt.RAVINE_START)


@pytest.mark.parametrize("name", opt.OPTIMIZERS)
def test_numpy_path_equals_keras_bit_for_bit_with_keras_rounding(name):
    settings = opt.RAVINE_SETTINGS[name]
    ours = opt.numpy_path(name, START, opt.ravine_gradient, 5, keras_rounding=True, **settings)
    theirs = opt.keras_path(name, START, opt.ravine_gradient, 5, **settings)
    assert ours.shape == theirs.shape == (6, 2)
    assert np.abs(ours - theirs).max() <= 1e-12


@pytest.mark.parametrize("name", opt.OPTIMIZERS)
def test_other_settings_match_keras_too(name):
    settings = dict(learning_rate=0.01, momentum=0.5, rho=0.8, beta_1=0.8, beta_2=0.99, epsilon=1e-3,
                    weight_decay=0.05)
    keep = {"sgd": ["learning_rate"], "momentum": ["learning_rate", "momentum"],
            "nesterov": ["learning_rate", "momentum"], "rmsprop": ["learning_rate", "rho", "epsilon"],
            "adam": ["learning_rate", "beta_1", "beta_2", "epsilon"],
            "adamw": ["learning_rate", "beta_1", "beta_2", "epsilon", "weight_decay"]}[name]
    chosen = {key: settings[key] for key in keep}
    start = np.array([0.3, -1.2, 2.0])

    def gradient(w):
        return np.array([w[0] ** 3, np.sin(w[1]), w[2] * w[0]])

    ours = opt.numpy_path(name, start, gradient, 6, keras_rounding=True, **chosen)
    theirs = opt.keras_path(name, start, gradient, 6, **chosen)
    assert np.abs(ours - theirs).max() <= 1e-12


def test_without_keras_rounding_adam_differs_only_by_float32_constants():
    settings = opt.RAVINE_SETTINGS["adam"]
    exact = opt.numpy_path("adam", START, opt.ravine_gradient, 5, **settings)
    theirs = opt.keras_path("adam", START, opt.ravine_gradient, 5, **settings)
    assert 1e-6 < np.abs(exact - theirs).max() < 1e-4
    float32 = opt.keras_path("sgd", START, opt.ravine_gradient, 5, dtype="float32", learning_rate=0.4)
    assert np.abs(opt.numpy_path("sgd", START, opt.ravine_gradient, 5, learning_rate=0.4) - float32).max() < 1e-5


def test_schedule_reaches_the_optimizer_from_step_zero():
    import keras

    schedule = keras.optimizers.schedules.ExponentialDecay(0.3, decay_steps=3, decay_rate=0.5)
    ours = opt.numpy_path("sgd", START, opt.ravine_gradient, 5, keras_rounding=True,
                          learning_rate=lambda step: opt.exponential_decay(step, 0.3, 3, 0.5))
    theirs = opt.keras_path("sgd", START, opt.ravine_gradient, 5, learning_rate=schedule)
    assert np.abs(ours - theirs).max() < 1e-6
    shifted = opt.numpy_path("sgd", START, opt.ravine_gradient, 5,
                             learning_rate=lambda step: opt.exponential_decay(step + 1, 0.3, 3, 0.5))
    assert np.abs(shifted - theirs).max() > 1e-3  # an off-by-one step count would be seen


def test_single_steps_by_hand():
    w, g, v = np.array([1.0, -2.0]), np.array([0.5, 1.0]), np.array([0.1, 0.0])
    assert np.allclose(opt.sgd_step(w, g, 0.1), [0.95, -2.1])
    new_w, new_v = opt.momentum_step(w, g, v, 0.1, 0.9)
    assert np.allclose(new_v, [0.09 - 0.05, -0.1]) and np.allclose(new_w, w + new_v)
    nes_w, nes_v = opt.nesterov_step(w, g, v, 0.1, 0.9)
    assert np.allclose(nes_v, new_v) and np.allclose(nes_w, w + 0.9 * new_v - 0.1 * g)
    s = np.array([0.2, 0.3])
    rms_w, rms_s = opt.rmsprop_step(w, g, s, 0.1, 0.9, 0.01)
    assert np.allclose(rms_s, 0.9 * s + 0.1 * g**2)
    assert np.allclose(rms_w, w - 0.1 * g / np.sqrt(rms_s + 0.01))  # ε inside the root
    adam_w, m, v2 = opt.adam_step(w, g, np.zeros(2), np.zeros(2), 1, 0.1)
    assert np.allclose(m, 0.1 * g) and np.allclose(v2, 0.001 * g**2)
    # at t = 1 the corrected step is about lr·sign(g)
    assert np.allclose(adam_w, w - 0.1 * np.sign(g), atol=1e-5)
    decayed, _, _ = opt.adamw_step(w, np.zeros(2), np.zeros(2), np.zeros(2), 1, 0.1, weight_decay=0.5)
    assert np.allclose(decayed, w * (1 - 0.05))


def test_steps_do_not_change_their_inputs():
    w, g, v = np.array([1.0, 2.0]), np.array([0.1, 0.2]), np.array([0.3, 0.4])
    copies = [a.copy() for a in (w, g, v)]
    opt.momentum_step(w, g, v, 0.1)
    opt.adam_step(w, g, v, v, 2, 0.1)
    assert all(np.array_equal(a, b) for a, b in zip((w, g, v), copies))


@pytest.mark.parametrize("call, message", [
    (lambda: opt.sgd_step([1.0, 2.0], [1.0], 0.1), "shape"),
    (lambda: opt.sgd_step([1.0, np.nan], [1.0, 1.0], 0.1), "NaN"),
    (lambda: opt.sgd_step([1.0], [1.0], -0.1), "learning_rate"),
    (lambda: opt.momentum_step([1.0], [1.0], [0.0], 0.1, 1.0), "momentum"),
    (lambda: opt.adam_step([1.0], [1.0], [0.0], [0.0], 0, 0.1), "step number"),
    (lambda: opt.adam_step([1.0], [1.0], [0.0], [0.0], 1.5, 0.1), "step number"),
    (lambda: opt.numpy_path("adagrad", [1.0], lambda w: w, 3, learning_rate=0.1), "unknown optimizer"),
    (lambda: opt.numpy_path("sgd", [1.0], lambda w: w, -1, learning_rate=0.1), "steps"),
    (lambda: opt.keras_path("sgd", [1.0], lambda w: w, 1, learning_rate=0.1, dtype="int8"), "dtype"),
    (lambda: opt.ravine_loss([1.0, 2.0, 3.0]), "length 2"),
    (lambda: opt.piecewise_constant([1], [10], [1.0]), "one more"),
    (lambda: opt.piecewise_constant([1], [10, 5], [1.0, 2.0, 3.0]), "increase"),
    (lambda: opt.exponential_decay([1], 0.1, 0, 0.5), "decay_steps"),
    (lambda: opt.ravine_frames({"sgd": np.zeros((3, 3))}), "shape"),
    (lambda: opt.ravine_frames({}), "at least one"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_schedules_equal_keras():
    import keras

    schedules = keras.optimizers.schedules
    steps = np.arange(0, 130)
    pairs = [
        (opt.exponential_decay(steps, 0.2, 25, 0.3), schedules.ExponentialDecay(0.2, 25, 0.3)),
        (opt.exponential_decay(steps, 0.2, 25, 0.3, staircase=True),
         schedules.ExponentialDecay(0.2, 25, 0.3, staircase=True)),
        (opt.piecewise_constant(steps, [10, 50, 100], [1.0, 0.5, 0.1, 0.01]),
         schedules.PiecewiseConstantDecay([10, 50, 100], [1.0, 0.5, 0.1, 0.01])),
        (opt.cosine_decay(steps, 0.2, 100, alpha=0.05), schedules.CosineDecay(0.2, 100, alpha=0.05)),
    ]
    for ours, schedule in pairs:
        theirs = np.array([float(schedule(int(step))) for step in steps])
        assert np.abs(ours - theirs).max() < 1e-7


def test_ravine_gradient_is_the_gradient_of_the_loss():
    w = np.array([2.0, -0.7])
    numeric = [(opt.ravine_loss(w + e) - opt.ravine_loss(w - e)) / 2e-6 for e in np.eye(2) * 1e-6]
    assert np.allclose(opt.ravine_gradient(w), numeric)
    assert opt.ravine_loss(np.zeros((3, 4, 2))).shape == (3, 4)


def test_ravine_paths_show_each_optimizer_s_character():
    paths = opt.ravine_paths(steps=60)
    loss = {name: opt.ravine_loss(path)[-1] for name, path in paths.items()}
    assert loss["momentum"] < loss["sgd"] and loss["nesterov"] < loss["momentum"]
    assert loss["rmsprop"] < loss["sgd"] and loss["adamw"] < loss["adam"]
    sgd_w2 = paths["sgd"][:6, 1]
    assert np.all(np.sign(sgd_w2[1:]) != np.sign(sgd_w2[:-1]))  # plain SGD zigzags across the valley


def test_ravine_frames_animate_compactly():
    paths = opt.ravine_paths(steps=10)
    fig, draw = opt.ravine_frames(paths, steps_per_frame=5)
    assert len(fig.axes) == 6
    html = animation.jshtml(fig, draw, frames=3)
    assert html.count("data:image/png") == 3 and len(html) < 400_000
