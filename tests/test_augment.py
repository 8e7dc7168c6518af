"""Notebook 22's augmentation helpers: the affine map against SciPy and Keras, contrast, flips, the test-set builder,
the grid plot and the explorer, and clear errors on bad input."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from scipy import ndimage  # noqa: E402

from utils.vision import augment  # noqa: E402


@pytest.fixture(scope="module")
def digit():
    from utils import datasets

    (x_train, _), _ = datasets.load_images("mnist")
    return x_train[0] / 255.0


def test_no_transformation_is_the_identity(digit):
    np.testing.assert_allclose(augment.affine(digit), digit, atol=1e-12)
    np.testing.assert_allclose(augment.contrast(digit, 1.0), digit, atol=1e-12)


def test_rotation_equals_scipy_rotate(digit):
    for angle in (30.0, -12.5, 90.0):
        ours = augment.affine(digit, angle=angle)
        theirs = ndimage.rotate(digit, angle, reshape=False, order=1, mode="constant")
        np.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_shift_equals_scipy_shift(digit):
    np.testing.assert_allclose(augment.affine(digit, shift=(2.5, -3.0)),
                               ndimage.shift(digit, (2.5, -3.0), order=1, mode="constant"), atol=1e-12)


def test_positive_angle_turns_counter_clockwise():
    image = np.zeros((9, 9))
    image[4, 6:] = 1.0  # a bar pointing right from the centre
    turned = augment.affine(image, angle=90.0)
    assert turned[:4, 4].sum() > 2.5 and turned[5:, 4].sum() < 0.1  # now it points up


def test_zoom_above_one_enlarges():
    image = np.zeros((21, 21))
    image[8:13, 8:13] = 1.0
    assert augment.affine(image, zoom=1.5).sum() > image.sum() * 1.8
    assert augment.affine(image, zoom=0.5).sum() < image.sum() * 0.4


def test_inverse_affine_undoes_the_forward_map():
    matrix, offset = augment.inverse_affine((28, 28), angle=30.0, zoom=1.2, shift=(2.0, -3.0))
    centre = np.array([13.5, 13.5])
    p = np.array([5.0, 20.0])
    theta = np.deg2rad(30.0)
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    q = centre + 1.2 * rotation @ (p - centre) + np.array([2.0, -3.0])
    np.testing.assert_allclose(matrix @ q + offset, p, atol=1e-12)


def test_matches_the_keras_layers(digit):
    keras = pytest.importorskip("keras")
    one = digit[None, :, :, None].astype("float32")
    layers_and_ours = [
        (keras.layers.RandomRotation((25 / 360, 25 / 360), fill_mode="constant"), augment.affine(digit, angle=25.0)),
        (keras.layers.RandomZoom((0.25, 0.25), fill_mode="constant"), augment.affine(digit, zoom=1 / 1.25)),
        (keras.layers.RandomZoom((-0.2, -0.2), fill_mode="constant"), augment.affine(digit, zoom=1 / 0.8)),
        (keras.layers.RandomTranslation((0.1, 0.1), (-0.15, -0.15), fill_mode="constant"),
         augment.affine(digit, shift=(2.8, -4.2))),
    ]
    for layer, ours in layers_and_ours:
        theirs = keras.ops.convert_to_numpy(layer(one, training=True))[0, :, :, 0]
        np.testing.assert_allclose(ours, theirs, atol=1e-5, err_msg=type(layer).__name__)
        inference = keras.ops.convert_to_numpy(layer(one, training=False))[0, :, :, 0]
        np.testing.assert_allclose(inference, digit, atol=1e-6)
    contrast_layer = keras.layers.RandomContrast(0.5, value_range=(0, 1))
    draw = {"contrast_factor": keras.ops.full((1, 1, 1, 1), 0.5)}
    theirs = keras.ops.convert_to_numpy(contrast_layer.transform_images(one, draw, training=True))[0, :, :, 0]
    np.testing.assert_allclose(augment.contrast(digit, 0.5), theirs, atol=1e-5)


def test_contrast_keeps_the_mean_when_nothing_clips():
    image = np.random.default_rng(0).uniform(0.3, 0.7, size=(6, 6))
    squeezed = augment.contrast(image, 0.5)
    assert np.isclose(squeezed.mean(), image.mean())
    np.testing.assert_allclose(squeezed - squeezed.mean(), 0.5 * (image - image.mean()))
    stretched = augment.contrast(np.array([[0.0, 1.0], [0.2, 0.9]]), 3.0)
    assert stretched.min() == 0.0 and stretched.max() == 1.0


def test_contrast_uses_each_images_own_mean():
    batch = np.stack([np.full((3, 3), 0.2), np.full((3, 3), 0.8)])
    batch[:, 1, 1] += 0.1
    out = augment.contrast(batch, 2.0)
    for image, result in zip(batch, out):
        np.testing.assert_allclose(result, np.clip((image - image.mean()) * 2 + image.mean(), 0, 1))


def test_flip_mirrors(digit):
    np.testing.assert_array_equal(augment.flip(digit), digit[:, ::-1])
    np.testing.assert_array_equal(augment.flip(digit, horizontal=False), digit[::-1])
    np.testing.assert_array_equal(augment.flip(augment.flip(digit)), digit)


def test_uint8_images_are_scaled():
    image = np.array([[0, 255], [51, 102]], dtype=np.uint8)
    np.testing.assert_allclose(augment.as_images(image), [[0, 1], [0.2, 0.4]])


def test_draw_parameters_stay_in_their_ranges_and_are_seeded():
    ranges = augment.Ranges(rotation=30, zoom=0.2, shift=3, contrast=0.4)
    drawn = augment.draw_parameters(500, ranges, seed=1)
    assert np.abs(drawn["angle"]).max() <= 30 and np.abs(drawn["angle"]).max() > 25
    assert 0.8 <= drawn["zoom"].min() and drawn["zoom"].max() <= 1.2
    assert drawn["shift"].shape == (500, 2) and np.abs(drawn["shift"]).max() <= 3
    assert 0.6 <= drawn["contrast"].min() and drawn["contrast"].max() <= 1.4
    again = augment.draw_parameters(500, ranges, seed=1)
    for key in drawn:
        np.testing.assert_array_equal(drawn[key], again[key])


def test_transformed_test_set_is_seeded_and_applies_each_draw(digit):
    images = np.stack([digit, digit[::-1], digit.T])
    ranges = augment.Ranges(rotation=30, zoom=0.2, shift=3, contrast=0.4)
    first = augment.transformed_test_set(images, ranges, seed=5)
    np.testing.assert_array_equal(first, augment.transformed_test_set(images, ranges, seed=5))
    assert not np.allclose(first, augment.transformed_test_set(images, ranges, seed=6))
    drawn = augment.draw_parameters(3, ranges, seed=5)
    expected = augment.contrast(augment.affine(images[1], drawn["angle"][1], drawn["zoom"][1], drawn["shift"][1]),
                                drawn["contrast"][1])
    np.testing.assert_allclose(first[1], expected)
    assert first.shape == images.shape and 0 <= first.min() and first.max() <= 1
    np.testing.assert_allclose(augment.transformed_test_set(images, augment.Ranges()), images, atol=1e-12)


def test_plot_rows_draws_a_grid(digit):
    fig = Figure()
    axes = augment.plot_rows(fig, [np.stack([digit] * 3)] * 2, ["a", "b"], ["x", "y", "z"])
    assert axes.shape == (2, 3) and axes[1, 0].get_ylabel() == "b" and axes[0, 2].get_title() == "z"


def test_explorer_redraws_and_says_what_it_shows(digit):
    images = np.stack([digit] * 3)
    explorer = augment.augmentation_explorer(images, [5, 5, 5], copies=2)
    before = explorer.view.value
    explorer.controls["rotation"].value = 45.0
    assert explorer.view.value != before and "rotation ±45°" in explorer.status.value
    explorer.controls["mirror"].value = augment.FLIPS[1]
    assert "mirrored" in explorer.status.value


@pytest.mark.parametrize("call, message", [
    (lambda: augment.affine(np.zeros(5)), "shape"),
    (lambda: augment.affine(np.full((4, 4), np.nan)), "NaN"),
    (lambda: augment.affine(np.full((4, 4), 3.0)), "[0, 1]"),
    (lambda: augment.affine(np.zeros((4, 4)), zoom=0.0), "zoom"),
    (lambda: augment.affine(np.zeros((4, 4)), angle=float("inf")), "angle"),
    (lambda: augment.affine(np.zeros((4, 4)), shift=(1.0,)), "shift"),
    (lambda: augment.affine(np.zeros((2, 4, 4))), "one (height, width) image"),
    (lambda: augment.as_images(np.array([["a"]])), "numbers"),
    (lambda: augment.contrast(np.zeros((4, 4)), -1.0), "factor"),
    (lambda: augment.Ranges(rotation=-5), "rotation"),
    (lambda: augment.Ranges(zoom=1.5), "zoom"),
    (lambda: augment.Ranges(contrast=1.0), "contrast"),
    (lambda: augment.draw_parameters(0, augment.Ranges()), "positive integer"),
    (lambda: augment.draw_parameters(3, {"rotation": 3}), "Ranges"),
    (lambda: augment.apply(np.zeros((2, 4, 4)), {"angle": [0, 0]}), "lack"),
    (lambda: augment.apply(np.zeros((2, 4, 4)), augment.draw_parameters(3, augment.Ranges())), "each of the 2"),
    (lambda: augment.transformed_test_set(np.zeros((4, 4)), augment.Ranges()), "batch"),
    (lambda: augment.inverse_affine((4,)), "shape"),
    (lambda: augment.plot_rows(Figure(), [np.zeros((2, 4, 4)), np.zeros((3, 4, 4))], ["a", "b"]), "same length"),
    (lambda: augment.plot_rows(Figure(), [np.zeros((2, 4, 4))], ["a", "b"]), "row titles"),
    (lambda: augment.augmentation_explorer(np.zeros((9, 4, 4))), "1 <= n <= 8"),
    (lambda: augment.augmentation_explorer(np.zeros((2, 4, 4)), [1]), "labels"),
    (lambda: augment.augmentation_explorer(np.zeros((2, 4, 4)), copies=0), "copies"),
    (lambda: augment.augmentation_explorer(np.zeros((2, 4, 4)), zoom=2.0), "zoom"),
])
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=None) as error:
        call()
    assert message in str(error.value), str(error.value)
