"""utils.vision.cnn: layer arithmetic against Keras, the image moves, plots and the explorer, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from utils.vision import cnn

SPECS = [("conv", 16, 3, "valid"), ("pool", 2), ("conv", 32, 3, "valid"), ("pool", 2)]


# --- shapes and parameters ------------------------------------------------------------------

def test_output_shapes_of_the_notebook_cnn():
    assert cnn.output_shapes((28, 28, 1), SPECS) == [(28, 28, 1), (26, 26, 16), (13, 13, 16), (11, 11, 32),
                                                     (5, 5, 32)]


def test_same_padding_keeps_size_and_pool_floors():
    assert cnn.layer_output_shape((9, 7, 3), ("conv", 4, 5, "same")) == (9, 7, 4)
    assert cnn.layer_output_shape((9, 7, 3), ("pool", 2)) == (4, 3, 3)
    assert cnn.layer_output_shape((9, 7, 3), ("pool", 3)) == (3, 2, 3)


@pytest.mark.parametrize("specs", [
    SPECS,
    [("conv", 8, 5, "same"), ("pool", 2), ("conv", 16, 3, "valid"), ("pool", 3)],
    [("conv", 4, 1, "valid")],
    [("pool", 2), ("conv", 6, 3, "same")],
])
def test_shapes_and_parameters_equal_keras(specs):
    import keras

    layers = [keras.Input(shape=(29, 24, 3))]
    for spec in specs:
        layers.append(keras.layers.Conv2D(spec[1], spec[2], padding=spec[3]) if spec[0] == "conv"
                      else keras.layers.MaxPooling2D(spec[1]))
    layers += [keras.layers.Flatten(), keras.layers.Dense(7)]
    model = keras.Sequential(layers)
    shapes = cnn.output_shapes((29, 24, 3), specs)
    assert shapes[1:] == [tuple(layer.output.shape[1:]) for layer in model.layers[:len(specs)]]
    assert cnn.stack_parameters((29, 24, 3), specs, 7) == model.count_params()


def test_parameter_rows_match_keras_for_both_builders():
    for model in (cnn.build_cnn(), cnn.build_dense()):
        rows = cnn.parameter_rows(model)
        assert all(row["by hand"] == row["Keras"] for row in rows)
        assert sum(row["by hand"] for row in rows) == model.count_params()
    assert cnn.build_cnn().count_params() == 12_810
    assert cnn.build_dense().count_params() == 101_770
    assert cnn.parameter_rows(cnn.build_cnn())[0]["formula"] == "(3·3·1 + 1)·16"


def test_parameter_rows_refuse_an_unknown_layer():
    import keras

    model = keras.Sequential([keras.Input(shape=(8, 8, 1)), keras.layers.BatchNormalization()])
    with pytest.raises(ValueError, match="no parameter formula for a BatchNormalization"):
        cnn.parameter_rows(model)


def test_dense_parameters():
    assert cnn.dense_parameters(784, 128) == 100_480


@pytest.mark.parametrize("shape, specs, match", [
    ((28, 28), SPECS, "input_shape must be"),
    ((28, 28, 0), SPECS, "positive integer"),
    ((28, 28, 1), [("conv", 16, 3)], "a conv spec is"),
    ((28, 28, 1), [("conv", 16, 3, "full")], "a conv spec is"),
    ((28, 28, 1), [("dense", 10)], "unknown layer kind"),
    ((28, 28, 1), [("pool", 2.0)], "pool size must be a positive integer"),
    ((4, 4, 1), [("conv", 2, 5, "valid")], "does not fit"),
    ((4, 4, 1), [("pool", 5)], "does not fit"),
    ((28, 28, 1), ["conv"], "a layer spec must be a tuple"),
])
def test_bad_specs_are_named(shape, specs, match):
    with pytest.raises(ValueError, match=match):
        cnn.output_shapes(shape, specs)


# --- data and models ------------------------------------------------------------------------

def test_scale_images_adds_a_channel_and_scales():
    x = cnn.scale_images(np.array([[[0, 255], [51, 102]]], dtype=np.uint8))
    assert x.shape == (1, 2, 2, 1) and x.dtype == np.float32
    np.testing.assert_allclose(x[0, :, :, 0], [[0, 1], [0.2, 0.4]], rtol=1e-6)
    with pytest.raises(ValueError, match="uint8"):
        cnn.scale_images(np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match=r"\(n, height, width\)"):
        cnn.scale_images(np.zeros((2, 2), dtype=np.uint8))


def test_train_classifier_learns_and_checks_inputs():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(64, 8, 8, 1)).astype("float32")
    y = (x[:, :4].mean(axis=(1, 2, 3)) > x[:, 4:].mean(axis=(1, 2, 3))).astype(int)
    model = cnn.build_cnn((8, 8, 1), classes=2, filters=(4,))
    history = cnn.train_classifier(model, x, y, epochs=3, batch_size=16)
    assert len(history.history["loss"]) == 3 and np.isfinite(history.history["loss"]).all()
    with pytest.raises(ValueError, match="same length"):
        cnn.train_classifier(model, x, y[:10])
    with pytest.raises(ValueError, match="lr must be positive"):
        cnn.train_classifier(model, x, y, lr=0.0)
    with pytest.raises(ValueError, match="filters must list"):
        cnn.build_cnn(filters=())


def test_probabilities_from_a_function_and_bad_models():
    uniform = cnn.probabilities(lambda batch: np.full((len(batch), 3), 1 / 3), np.zeros((2, 4, 4)))
    assert uniform.shape == (2, 3)
    with pytest.raises(ValueError, match="Keras model or a function"):
        cnn.probabilities("model", np.zeros((2, 4, 4)))
    with pytest.raises(ValueError, match="x must have shape"):
        cnn.probabilities(lambda b: b, np.zeros(4))


# --- moving images --------------------------------------------------------------------------

def test_shift_image_moves_right_and_down_with_zeros():
    image = np.arange(1, 13, dtype=float).reshape(3, 4)
    moved = cnn.shift_image(image, 1, 1)
    np.testing.assert_array_equal(moved, [[0, 0, 0, 0], [0, 1, 2, 3], [0, 5, 6, 7]])
    np.testing.assert_array_equal(cnn.shift_image(image, -2, 0), [[3, 4, 0, 0], [7, 8, 0, 0], [11, 12, 0, 0]])
    assert not cnn.shift_image(image, 4, 0).any() and not cnn.shift_image(image, 0, -3).any()
    np.testing.assert_array_equal(cnn.shift_image(image, 0, 0), image)
    assert cnn.shift_image(image.astype(np.uint8), 1, 0).dtype == np.uint8


@pytest.mark.parametrize("args, match", [
    ((np.zeros((2, 2, 2)), 1, 0), "one 2-D grey image"),
    ((np.zeros((3, 3)), 1.5, 0), "dx must be a whole number"),
    ((np.zeros((3, 3)), 1, "up"), "dy must be a whole number"),
    ((np.full((3, 3), np.nan), 1, 0), "finite numbers"),
])
def test_shift_image_bad_inputs(args, match):
    with pytest.raises(ValueError, match=match):
        cnn.shift_image(*args)


def test_rotate_and_zoom_about_the_centre():
    image = np.zeros((9, 9))
    image[4, 6] = 1.0  # two pixels right of the centre
    np.testing.assert_allclose(cnn.rotate_image(image, 90)[2, 4], 1.0, atol=1e-9)  # anticlockwise: now above
    np.testing.assert_allclose(cnn.rotate_image(image, 0), image)
    np.testing.assert_allclose(cnn.zoom_image(image, 1.0), image, atol=1e-12)
    zoomed = cnn.zoom_image(image, 2.0)
    assert zoomed[4, 8] > 0.99 and zoomed[4, 6] < 0.01  # twice as far from the centre
    assert cnn.rotate_image(np.full((5, 5), 200, dtype=np.uint8), 30).dtype == np.uint8
    with pytest.raises(ValueError, match="factor must be a positive"):
        cnn.zoom_image(image, 0)
    with pytest.raises(ValueError, match="degrees must be finite"):
        cnn.rotate_image(image, np.inf)


def test_transformed_and_accuracy_under():
    images = np.zeros((4, 8, 8), dtype=np.uint8)
    images[:, 2:6, 3] = 255
    labels = np.array([0, 0, 1, 1])

    def left_half(batch):  # class 0 when the left half is brighter
        left = batch[:, :, :4].sum(axis=(1, 2, 3))
        right = batch[:, :, 4:].sum(axis=(1, 2, 3))
        return np.stack([left >= right, left < right], axis=1).astype(float)

    assert cnn.transformed(images, "shift right", 3).shape == images.shape
    scores = cnn.accuracy_under({"rule": left_half}, images, labels, "shift right", [0, 3])
    np.testing.assert_allclose(scores["rule"], [0.5, 0.5])
    with pytest.raises(ValueError, match="unknown transform"):
        cnn.transformed(images, "flip", 1)
    with pytest.raises(ValueError, match="labels"):
        cnn.accuracy_under({"rule": left_half}, images, labels[:2], "rotate", [0])


# --- plots and the explorer -----------------------------------------------------------------

def test_plot_helpers_fill_axes_and_check_shapes():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3)
    cnn.plot_filters(axes, np.random.default_rng(0).normal(size=(3, 3, 1, 5)), title="filters")
    assert len(axes.ravel()[0].images) == 1 and not axes.ravel()[5].images
    cnn.plot_feature_maps(axes, np.random.default_rng(0).uniform(size=(6, 6, 6)))
    with pytest.raises(ValueError, match="do not fit"):
        cnn.plot_filters(axes, np.zeros((3, 3, 1, 7)))
    with pytest.raises(ValueError, match=r"\(f, f, 1, filters\)"):
        cnn.plot_filters(axes, np.zeros((3, 3, 2, 4)))
    with pytest.raises(ValueError, match=r"\(height, width, channels\)"):
        cnn.plot_feature_maps(axes, np.zeros((3, 3)))
    plt.close(fig)


def _stand_in(batch):
    """Seeded stand-in probabilities that depend on the image (brightness of each row band)."""
    bands = batch[:, :, :, 0].reshape(len(batch), 10, -1).sum(axis=2) + 1e-3
    return bands / bands.sum(axis=1, keepdims=True)


def _explorer():
    images = np.random.default_rng(1).integers(0, 256, size=(3, 20, 20)).astype(np.uint8)
    return cnn.shift_rotate_explorer(images, [1, 2, 3], {"A": _stand_in, "B": lambda b: _stand_in(b[:, ::-1])},
                                     shifts=(-2, 0, 2), angles=(-30, 0, 30))


def test_explorer_redraws_with_snapped_values_and_text():
    explorer = _explorer()
    assert "moved +0 px right" in explorer.status.value
    before = explorer.view.value
    explorer.set(shift_right=2, rotation=20.0)  # 20° is off the grid: the nearest precomputed angle
    assert "moved +2 px right" in explorer.status.value and "turned +30°" in explorer.status.value
    assert explorer.view.value != before
    explorer.set(image=2)
    assert "true: 3" in explorer.status.value


def test_move_grid_matches_the_single_moves():
    images = np.random.default_rng(2).integers(0, 256, size=(2, 12, 12)).astype(np.uint8)
    grid = cnn.move_grid(images, [-1, 0, 3], [0, 45])
    assert grid.shape == (2, 2, 3, 3, 12, 12)
    np.testing.assert_array_equal(grid[1, 1, 2, 0], cnn.shift_image(cnn.rotate_image(images[1], 45), -1, 3))


@pytest.mark.parametrize("kwargs, match", [
    ({"models": {}}, "one to three models"),
    ({"labels": [1]}, "labels"),
    ({"shift_right": 5}, "must be among the shifts"),
    ({"rotation": 10.0}, "one of the angles"),
    ({"class_names": ["a", "b"]}, "class names"),
])
def test_explorer_bad_inputs(kwargs, match):
    images = np.zeros((2, 20, 20), dtype=np.uint8)
    arguments = {"images": images, "labels": [0, 1], "models": {"A": _stand_in}, "shifts": (-2, 0, 2),
                 "angles": (0, 30)}
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=match):
        cnn.shift_rotate_explorer(**arguments)
