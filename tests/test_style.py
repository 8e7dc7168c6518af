"""Style-transfer helpers of notebook 29: photos, Gram matrices, losses, feature networks, the
pixel optimisation, the animation and the style-weight explorer."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from utils.vision import style  # noqa: E402

RNG = np.random.default_rng(29)


@pytest.fixture(scope="module")
def small_net():
    return style.random_filter_net(sizes=(3, 5), filters=4, seed=0, content_size=3)


def test_load_photo_square_in_unit_range_and_grey_to_rgb():
    cat = style.load_photo("chelsea", size=32)
    assert cat.shape == (32, 32, 3) and cat.dtype == np.float32
    assert 0 <= cat.min() and cat.max() <= 1
    brick = style.load_photo("brick", size=24)
    assert brick.shape == (24, 24, 3) and np.allclose(brick[..., 0], brick[..., 2])


@pytest.mark.parametrize("name, size, match", [("lena", 32, "unknown photo"),
                                               ("chelsea", 8, "between 16 and 512"),
                                               ("chelsea", 32.5, "integer")])
def test_load_photo_bad_inputs(name, size, match):
    with pytest.raises(ValueError, match=match):
        style.load_photo(name, size=size)


def test_gram_matrix_by_hand_and_against_tensorflow():
    features = np.array([[[1.0, 2.0], [0.0, 1.0]], [[3.0, 0.0], [1.0, 1.0]]])  # (2, 2, 2)
    flat = features.reshape(4, 2)
    expected = np.array([[flat[:, 0] @ flat[:, 0], flat[:, 0] @ flat[:, 1]],
                         [flat[:, 1] @ flat[:, 0], flat[:, 1] @ flat[:, 1]]]) / 4
    assert np.allclose(style.gram_matrix(features), expected)
    maps = RNG.normal(size=(6, 5, 7)).astype(np.float32)
    ours = style.gram_matrix(maps)
    assert ours.shape == (7, 7) and np.allclose(ours, ours.T)
    assert np.allclose(style.gram_matrix_tf(maps).numpy(), ours, rtol=1e-5, atol=1e-6)
    assert np.allclose(style.gram_matrix_matmul(maps).numpy(), ours, rtol=1e-5, atol=1e-6)
    batch = style.gram_matrix_tf(np.stack([maps, 2 * maps])).numpy()
    assert np.allclose(batch[1], 4 * ours, rtol=1e-5, atol=1e-5)


def test_gram_matrix_bad_inputs():
    with pytest.raises(ValueError, match="height, width, channels"):
        style.gram_matrix(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="NaN"):
        style.gram_matrix(np.full((2, 2, 2), np.nan))
    with pytest.raises(ValueError, match="shape"):
        style.gram_matrix_tf(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="shape"):
        style.gram_matrix_matmul(np.zeros((1, 3, 3, 2)))


def test_style_and_content_losses_by_formula_and_tf_versions():
    features = np.abs(RNG.normal(size=(4, 3, 5)))
    target = style.gram_matrix(np.abs(RNG.normal(size=(6, 6, 5))))
    gap = style.gram_matrix(features) - target
    assert np.isclose(style.style_layer_loss(features, target), np.sum(gap**2) / (4 * 25))
    assert style.style_layer_loss(features, style.gram_matrix(features)) == 0.0
    other = RNG.normal(size=features.shape)
    assert np.isclose(style.content_loss(features, other), np.mean((features - other) ** 2))
    maps = [tf.constant(features[None], tf.float32)]
    tf_style = style.style_loss_tf(maps, [tf.constant(target[None], tf.float32)]).numpy()
    assert np.allclose(tf_style, [style.style_layer_loss(features, target)], rtol=1e-4)
    tf_content = style.content_loss_tf(maps, [tf.constant(other[None], tf.float32)]).numpy()
    assert np.allclose(tf_content, [style.content_loss(features, other)], rtol=1e-5)


def test_loss_bad_inputs():
    with pytest.raises(ValueError, match="target_gram must have shape"):
        style.style_layer_loss(np.ones((2, 2, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="same shape"):
        style.content_loss(np.ones((2, 2, 3)), np.ones((2, 3, 3)))
    with pytest.raises(ValueError, match="one target"):
        style.content_loss_tf([tf.ones((1, 2, 2, 3))], [])
    with pytest.raises(ValueError, match="one target Gram"):
        style.style_loss_tf([], [])


def test_total_variation_equals_tensorflow():
    image = RNG.uniform(size=(7, 5, 3)).astype(np.float32)
    assert np.isclose(style.total_variation(image), float(tf.image.total_variation(tf.constant(image))),
                      rtol=1e-5)
    assert style.total_variation(np.ones((4, 4, 3))) == 0.0
    with pytest.raises(ValueError, match="height, width, channels"):
        style.total_variation(np.ones((4, 4)))


def test_random_filters_zero_mean_unit_length_and_seeded():
    first = style.random_filters(5, 3, 8, np.random.default_rng(1))
    again = style.random_filters(5, 3, 8, np.random.default_rng(1))
    assert first.shape == (5, 5, 3, 8) and np.array_equal(first, again)
    assert np.allclose(first.sum(axis=(0, 1, 2)), 0, atol=1e-5)
    assert np.allclose((first**2).sum(axis=(0, 1, 2)), 1, atol=1e-5)
    with pytest.raises(ValueError, match="positive"):
        style.random_filters(0, 3, 8, np.random.default_rng(1))


def test_random_filter_net_layers_and_bad_inputs(small_net):
    content_maps, style_maps = small_net.features(np.zeros((2, 16, 16, 3), np.float32))
    assert small_net.content_layers == ("random_3x3",)
    assert small_net.style_layers == ("random_3x3", "random_5x5")
    assert [tuple(m.shape) for m in content_maps] == [(2, 16, 16, 4)]
    assert [tuple(m.shape) for m in style_maps] == [(2, 16, 16, 4)] * 2
    assert all(float(tf.reduce_min(m)) >= 0 for m in style_maps)  # after ReLU
    assert not small_net.model.trainable_weights
    with pytest.raises(ValueError, match="odd"):
        style.random_filter_net(sizes=(4,))
    with pytest.raises(ValueError, match="content_size"):
        style.random_filter_net(sizes=(3, 5), content_size=7)
    with pytest.raises(ValueError, match="filters"):
        style.random_filter_net(filters=0)


def test_vgg19_net_layers_without_download():
    net = style.vgg19_net(weights=None)
    content_maps, style_maps = net.features(np.full((1, 32, 32, 3), 0.5, np.float32))
    assert net.content_layers == ("block4_conv2",) and len(style_maps) == 5
    assert [m.shape[-1] for m in style_maps] == [64, 128, 256, 512, 512]
    assert content_maps[0].shape[1:] == (4, 4, 512)
    image = style.load_photo("chelsea", size=32)
    result = style.transfer(net, image, style.load_photo("coffee", size=32), style_weight=1e-3,
                            steps=2, snapshots=1)  # the online cell's code path, untrained weights
    assert np.all(np.isfinite(result.history)) and result.history[-1, 0, 0] < result.history[0, 0, 0]
    with pytest.raises(ValueError, match="no layer"):
        style.vgg19_net(weights=None, style_layers=("conv9",))


def test_transfer_lowers_the_loss_and_batch_equals_separate_runs(small_net):
    content = style.load_photo("chelsea", size=16)
    painting = style.load_photo("coffee", size=16)
    one = style.transfer(small_net, content, painting, style_weight=1e3, steps=12, snapshots=3)
    assert one.images.shape == (1, 16, 16, 3) and one.history.shape == (13, 1, 4)
    assert one.snapshot_steps == [0, 6, 12] and one.snapshots.shape == (3, 1, 16, 16, 3)
    assert np.array_equal(one.snapshots[0, 0], content)  # starts from the content image
    assert 0 <= one.images.min() and one.images.max() <= 1
    curves = one.losses()
    assert curves["total"][-1] < curves["total"][0]
    assert np.allclose(curves["total"], curves["content"] + curves["style"] + curves["variation"],
                       rtol=1e-5)
    both = style.transfer(small_net, content, painting, style_weight=[1e2, 1e3], steps=12,
                          snapshots=1)
    assert np.allclose(both.images[1], one.images[0], atol=1e-4)
    noise = style.transfer(small_net, content, painting, content_weight=0.0, steps=3, init="noise",
                           snapshots=1, seed=3)
    assert not np.allclose(noise.images[0], content)


@pytest.mark.parametrize("kwargs, match", [
    ({"style_weight": -1.0}, "non-negative"), ({"init": "zeros"}, "init"),
    ({"steps": 0}, "positive integer"), ({"snapshots": 9}, "snapshots"),
])
def test_transfer_bad_inputs(small_net, kwargs, match):
    image = np.full((16, 16, 3), 0.5, np.float32)
    with pytest.raises(ValueError, match=match):
        style.transfer(small_net, image, image, **({"steps": 4} | kwargs))


def test_transfer_bad_images(small_net):
    with pytest.raises(ValueError, match="RGB image"):
        style.transfer(small_net, np.zeros((16, 16)), np.zeros((16, 16, 3)), steps=1, snapshots=1)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        style.transfer(small_net, np.full((16, 16, 3), 2.0), np.zeros((16, 16, 3)), steps=1, snapshots=1)


def _fake_result(steps=6, batch=2):
    rng = np.random.default_rng(0)
    history = np.abs(rng.normal(size=(steps + 1, batch, 4)))
    history[:, :, 0] = history[:, :, 1:].sum(axis=2)
    history[0, :, 1] = 0.0  # content is zero at the start
    snaps = rng.uniform(size=(3, batch, 8, 8, 3))
    return style.TransferResult(snaps[-1], history, [0, 3, 6], snaps)


def test_plot_losses_and_animation():
    result = _fake_result()
    fig, ax = plt.subplots()
    assert style.plot_losses(ax, result, index=1) is ax
    assert ax.get_yscale() == "log" and len(ax.lines) == 4
    plt.close(fig)
    player = style.evolution_animation(result)
    assert player.data.count("data:image/") == 3
    with pytest.raises(ValueError, match="index"):
        style.evolution_animation(result, index=5)


def test_style_weight_explorer_redraws_on_the_slider():
    rng = np.random.default_rng(1)
    image = rng.uniform(size=(8, 8, 3))
    weights = [1e3, 1e4, 1e5]
    images = {w: rng.uniform(size=(8, 8, 3)) for w in weights}
    c_loss = {w: 1e-4 * (k + 1) for k, w in enumerate(weights)}
    s_loss = {w: 1e-7 / (k + 1) for k, w in enumerate(weights)}
    explorer = style.style_weight_explorer(image, image, images, c_loss, s_loss)
    assert "1e+04" in explorer.status.value
    before = explorer.view.value
    explorer.set(weight=1e5)
    assert "1e+05" in explorer.status.value and explorer.view.value != before
    with pytest.raises(ValueError, match="one of"):
        style.style_weight_explorer(image, image, images, c_loss, s_loss, weight=7.0)
    with pytest.raises(ValueError, match="same style weights"):
        style.style_weight_explorer(image, image, images, {1e3: 1.0}, s_loss)
