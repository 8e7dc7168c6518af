"""The NumPy convolution, pooling and size formulas match TensorFlow/Keras; the explorers redraw."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from utils.vision import convolution as cv  # noqa: E402

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("size", [(7, 7), (8, 9)])
def test_conv2d_equals_tf_nn_conv2d(padding, stride, size):
    x = RNG.normal(size=(2, *size, 3))
    for kernels in (RNG.normal(size=(3, 3, 3, 4)), RNG.normal(size=(4, 2, 3, 2)), RNG.normal(size=(1, 1, 3, 5))):
        ours = cv.conv2d(x, kernels, stride=stride, padding=padding)
        theirs = tf.nn.conv2d(x, kernels, strides=stride, padding=padding.upper()).numpy()
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, atol=1e-9)


def test_conv2d_keeps_the_number_of_axes_and_accepts_integer_padding():
    image = RNG.normal(size=(6, 6))
    assert cv.conv2d(image, np.ones((3, 3))).shape == (4, 4)
    assert cv.conv2d(image, np.ones((3, 3)), padding=1).shape == (6, 6)
    assert cv.conv2d(image[:, :, None], np.ones((3, 3, 1, 2))).shape == (4, 4, 2)
    assert cv.conv2d(image, np.ones((3, 3, 1, 2))).shape == (4, 4, 2)
    # cross-correlation: an off-centre 1 in the kernel picks the pixel at that offset, no flip
    picker = np.zeros((3, 3))
    picker[0, 2] = 1.0
    np.testing.assert_allclose(cv.conv2d(image, picker), image[:4, 2:])


@pytest.mark.parametrize(
    "x, kernels, kwargs, message",
    [
        (np.ones(5), np.ones((3, 3)), {}, "x must have 2"),
        (np.full((4, 4), np.nan), np.ones((3, 3)), {}, "x contains NaN"),
        (np.ones((4, 4)), np.ones(3), {}, "kernels must have shape"),
        (np.ones((4, 4)), np.full((3, 3), np.inf), {}, "kernels contains NaN"),
        (np.ones((4, 4, 2)), np.ones((3, 3, 3, 1)), {}, "input channel"),
        (np.ones((4, 4)), np.ones((3, 3)), {"stride": 0}, "stride must be"),
        (np.ones((4, 4)), np.ones((3, 3)), {"padding": "full"}, "padding must be"),
        (np.ones((4, 4)), np.ones((3, 3)), {"padding": -1}, "padding must be"),
        (np.ones((2, 2)), np.ones((3, 3)), {}, "larger than the padded input"),
    ],
)
def test_conv2d_bad_input(x, kernels, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cv.conv2d(x, kernels, **kwargs)


@pytest.mark.parametrize("mode, layer", [("max", tf.keras.layers.MaxPooling2D), ("average", tf.keras.layers.AveragePooling2D)])
@pytest.mark.parametrize("size, stride", [(2, None), (3, 2), (2, 1)])
def test_pool2d_equals_keras(mode, layer, size, stride):
    x = RNG.normal(size=(2, 7, 9, 3))
    theirs = layer(pool_size=size, strides=stride)(x).numpy()
    np.testing.assert_allclose(cv.pool2d(x, size, stride, mode), theirs, atol=1e-6)
    np.testing.assert_allclose(cv.pool2d(x[0], size, stride, mode), theirs[0], atol=1e-6)
    np.testing.assert_allclose(cv.pool2d(x[0, :, :, 0], size, stride, mode), theirs[0, :, :, 0], atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"size": 0}, "size must be"), ({"mode": "median"}, "mode must be"), ({"size": 9}, "larger than the input"),
     ({"stride": 0}, "stride must be")],
)
def test_pool2d_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        cv.pool2d(np.ones((4, 4)), **kwargs)


def test_output_size_same_padding_and_parameters():
    assert cv.output_size(7, 3) == 5
    assert cv.output_size(7, 3, p=1) == 7
    assert cv.output_size(8, 3, p=0, s=2) == 3
    assert cv.output_size(224, 7, p=3, s=2) == 112
    for n in range(3, 12):
        for s in (1, 2, 3):
            before, after = cv.same_padding(n, 3, s)
            assert 0 <= after - before <= 1
            assert (n + before + after - 3) // s + 1 == -(-n // s)
    assert cv.conv_parameters(3, 3, 16) == 448
    assert cv.conv_parameters(3, 3, 16, bias=False) == 432


@pytest.mark.parametrize(
    "args, message",
    [((0, 3), "n must be"), ((5, 0), "f must be"), ((5, 3, -1), "p must be"), ((5, 3, 0, 0), "s must be"),
     ((5.0, 3), "n must be"), ((True, 3), "n must be"), ((2, 5), "larger than the padded input")],
)
def test_output_size_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        cv.output_size(*args)


def test_conv_parameters_and_same_padding_bad_input():
    with pytest.raises(ValueError, match="in_channels"):
        cv.conv_parameters(3, 0, 4)
    with pytest.raises(ValueError, match="s must be"):
        cv.same_padding(5, 3, 0)


def test_geometry_and_window_starts():
    info = cv.geometry(8, 3, 0, 3)
    assert info["output"] == 2 and info["starts"] == [0, 3] and info["unused"] == 2
    assert "= 2" in info["formula"]
    assert cv.window_starts(7, 3, 1, 2) == [0, 2, 4, 6]
    assert cv.geometry(7, 3, 1, 1)["unused"] == 0


def test_kernels_and_photo():
    assert cv.kernel("Sobel x").sum() == 0 and cv.kernel("box blur").sum() == pytest.approx(1)
    k = cv.kernel("identity")
    k[1, 1] = 5.0
    assert cv.KERNELS["identity"][1, 1] == 1.0, "kernel() must return a copy"
    with pytest.raises(ValueError, match="unknown"):
        cv.kernel("emboss")
    image = cv.photo("camera", size=64)
    assert image.shape == (64, 64) and 0 <= image.min() and image.max() <= 1
    assert cv.photo("astronaut", size=32).shape == (32, 32)
    assert cv.photo("camera", size=None).shape == (512, 512)
    with pytest.raises(ValueError, match="photo name"):
        cv.photo("moon-landing")
    with pytest.raises(ValueError, match="size must be"):
        cv.photo("camera", size=4)


def test_feature_map_is_same_size_and_bad_input():
    image = RNG.uniform(size=(10, 12))
    assert cv.feature_map(image, cv.kernel("Sobel y")).shape == (10, 12)
    np.testing.assert_allclose(cv.feature_map(image, cv.kernel("identity")), image)
    with pytest.raises(ValueError, match="image must be"):
        cv.feature_map(np.ones((3, 3, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="kernel_3x3"):
        cv.feature_map(image, np.ones((2, 2)))


def test_kernel_explorer_presets_and_custom_entries():
    image = RNG.uniform(size=(24, 24))
    explorer = cv.kernel_explorer(image, preset="vertical edge")
    before, status = explorer.view.value, explorer.status.value
    assert "vertical edge" in status and explorer.controls["k00"].value == 1.0
    explorer.controls["kernel"].value = "box blur"  # a preset fills in the nine entries
    assert explorer.controls["k11"].value == pytest.approx(1 / 9)
    assert "box blur" in explorer.status.value and "sum to 1.00" in explorer.status.value
    assert explorer.view.value != before
    explorer.set(k11=2.0)  # editing an entry turns the choice into "custom"
    assert explorer.controls["kernel"].value == "custom" and "custom" in explorer.status.value


@pytest.mark.parametrize(
    "image, preset, message",
    [(np.ones((5, 5, 3)), "identity", "image must be"), (np.full((5, 5), np.nan), "identity", "NaN"),
     (np.ones((5, 5)), "emboss", "preset")],
)
def test_kernel_explorer_bad_input(image, preset, message):
    with pytest.raises(ValueError, match=message):
        cv.kernel_explorer(image, preset=preset)


def test_geometry_explorer_updates_and_handles_a_kernel_that_does_not_fit():
    explorer = cv.geometry_explorer(n=7, f=3, p=0, s=1)
    before = explorer.view.value
    assert "= 5" in explorer.status.value
    explorer.set(p=1)
    assert "= 7" in explorer.status.value and "same size" in explorer.status.value
    explorer.controls["s"].value = 2
    assert "= 4" in explorer.status.value and explorer.view.value != before
    explorer.set(n=3, f=7, p=0)
    assert "no output" in explorer.status.value
    with pytest.raises(ValueError, match="larger than the padded input"):
        cv.geometry_explorer(n=3, f=5)
    with pytest.raises(ValueError, match="outside"):
        cv.geometry_explorer(n=30)
