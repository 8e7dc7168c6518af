"""utils.vision.architectures: the formulas equal Keras' counts, bad inputs get clear messages."""

import socket

import numpy as np
import pytest

from utils.vision import architectures as arch

CONFIGS = [(28, 32, 64, 3, 1), (16, 16, 16, 3, 1), (15, 32, 64, 5, 2), (8, 48, 32, 1, 2), (12, 24, 48, 3, 2)]


def _config(kind, n, c_in, c_out, f, stride):
    if kind == "batchnorm":
        c_out, stride = c_in, 1
    if kind in ("inception", "vgg"):
        stride = 1
    return n, c_in, c_out, f, stride


@pytest.mark.parametrize("kind", arch.BLOCK_KINDS)
def test_block_formula_equals_keras_params_shape_and_macs(kind):
    for config in CONFIGS:
        args = _config(kind, *config)
        cost = arch.block_cost(kind, *args)
        model = arch.build_block(kind, *args)
        assert cost["params"] == model.count_params(), (kind, args)
        assert cost["output_shape"] == tuple(model.output.shape[1:]), (kind, args)
        assert cost["macs"] == sum(row["macs"] for row in arch.model_costs(model)), (kind, args)


def test_layer_formulas_against_keras_layers():
    import keras

    L = keras.layers
    for layer, expected in [
        (L.Conv2D(16, 3), arch.conv_parameters(3, 5, 16)),
        (L.Conv2D(16, 3, use_bias=False), arch.conv_parameters(3, 5, 16, bias=False)),
        (L.DepthwiseConv2D(5), arch.depthwise_parameters(5, 5)),
        (L.SeparableConv2D(7, 3), arch.separable_parameters(3, 5, 7)),
        (L.BatchNormalization(), arch.batchnorm_parameters(5)),
    ]:
        layer.build((None, 9, 9, 5))
        assert layer.count_params() == expected, type(layer).__name__
    bn = L.BatchNormalization()
    bn.build((None, 9, 9, 5))
    assert sum(int(np.prod(w.shape)) for w in bn.trainable_weights) == arch.batchnorm_parameters(5, True)
    dense = L.Dense(7)
    dense.build((None, 12))
    assert dense.count_params() == arch.dense_parameters(12, 7)


def test_macs_by_hand():
    assert arch.conv_macs(15, 3, 6, 16, stride=2) == 8 * 8 * 9 * 6 * 16
    assert arch.conv_macs(15, 3, 6, 16, stride=2, padding="valid") == 7 * 7 * 9 * 6 * 16
    assert arch.depthwise_macs(8, 3, 4) == 64 * 9 * 4
    assert arch.separable_macs(8, 3, 4, 10) == 64 * 9 * 4 + 64 * 4 * 10
    assert arch.dense_macs(12, 7) == 84
    assert arch.output_side(7, 3, 2, "valid") == 3 and arch.output_side(7, 3, 2, "same") == 4


def test_networks_match_papers_and_lenet_in_keras():
    costs = {name: arch.network_cost(name) for name in arch.NETWORKS}
    assert costs["LeNet-5"]["params"] == 61_706
    assert costs["VGG16"]["params"] == 138_357_544
    assert costs["ResNet50"]["params"] == 25_636_712
    assert costs["MobileNetV2"]["params"] == 3_538_984
    assert abs(costs["ResNet50"]["macs"] - 3.8e9) / 3.8e9 < 0.05  # He et al.: 3.8 billion multiply-adds
    assert abs(costs["MobileNetV2"]["macs"] - 300e6) / 300e6 < 0.02  # Sandler et al.: 300 M
    assert abs(costs["AlexNet"]["params"] - 60e6) / 60e6 < 0.05


def test_mobilenet_v2_application_builds_offline_and_matches(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("keras.applications tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    import keras

    model = arch.build_application("MobileNetV2")
    rows = arch.model_costs(model)
    assert model.count_params() == arch.network_cost("MobileNetV2")["params"] == sum(r["params"] for r in rows)
    assert sum(r["macs"] for r in rows) == arch.network_cost("MobileNetV2")["macs"]
    assert keras.config.dtype_policy().name == "float32"  # the float16 policy does not leak


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: arch.conv_parameters(-3, 4, 8), "f must be a whole number"),
        (lambda: arch.conv_parameters(3, 0, 8), "in_channels"),
        (lambda: arch.conv_macs(5, 7, 3, 8), "larger than the 5×5 input"),
        (lambda: arch.conv_macs(5, 3.0, 3, 8), "f must be a whole number"),
        (lambda: arch.conv_macs(5, 3, 3, 8, padding="full"), "padding must be"),
        (lambda: arch.batchnorm_parameters(-1), "channels"),
        (lambda: arch.dense_parameters(True, 3), "inputs"),
        (lambda: arch.block_cost("dense", 8, 4, 4), "unknown block 'dense'"),
        (lambda: arch.build_block("pyramid", 8, 4, 4), "unknown block"),
        (lambda: arch.block_cost("conv", -8, 4, 4), "n must be"),
        (lambda: arch.block_cost("residual", 4, 4, 8, f=5), "larger than the 4×4 input"),
        (lambda: arch.block_cost("inception", 28, 64, 100), "multiple of 16"),
        (lambda: arch.block_cost("inception", 28, 64, 64, stride=2), "stride must be 1"),
        (lambda: arch.block_cost("batchnorm", 28, 64, 32), "out_channels = in_channels"),
        (lambda: arch.network_cost("ResNet18"), "unknown network"),
        (lambda: arch.build_application("VGG19"), "unknown application"),
        (lambda: arch.deep_net(5, True), "in pairs"),
        (lambda: arch.train_briefly(None, np.zeros((10, 28, 28, 1)), np.zeros(9)), "same length"),
    ],
)
def test_bad_inputs_get_clear_messages(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_deep_nets_gradient_and_brief_training():
    import keras

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).uniform(size=(64, 28, 28, 1)).astype("float32")
    y = np.arange(64) % 10
    plain, residual = arch.deep_net(16, False), arch.deep_net(16, True)
    assert len(plain.layers) == len(residual.layers) - 8  # one Add per block
    assert plain.count_params() == residual.count_params()
    assert arch.first_layer_gradient_norm(plain, x, y) < 1e-2 * arch.first_layer_gradient_norm(residual, x, y)
    losses = arch.train_briefly(arch.deep_net(2, True), x, y, epochs=2, batch_size=16)
    assert losses.shape == (8,) and np.all(np.isfinite(losses))


def test_block_explorer_redraws_and_reports_bad_blocks():
    explorer = arch.block_explorer(kind="residual", n=28, in_channels=64, out_channels=128, stride=2)
    assert "parameters" in explorer.status.value and explorer.view.value
    first = explorer.view.value
    explorer.set(kind="mobilenet")
    assert "MobileNet" in explorer.status.value and explorer.view.value != first
    cost = arch.block_cost("mobilenet", 28, 64, 128, 3, 2)
    assert f"{cost['params']:,} parameters" in explorer.status.value
    explorer.set(n=4, f=7)
    assert "not a valid block" in explorer.status.value
    for kind in arch.BLOCK_KINDS:
        explorer.set(kind=kind, n=20, f=3)
        assert "not a valid block" not in explorer.status.value, kind


def test_power_ticks_label_log_axes_without_mathtext():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.subplots()
    ax.set_yscale("log")
    ax.plot([1, 2], [1, 1e6])
    arch.power_ticks(ax, "y")
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "10⁰" in labels and "10⁶" in labels and not any("$" in t for t in labels)
    with pytest.raises(ValueError, match="axis must be"):
        arch.power_ticks(ax, "z")
