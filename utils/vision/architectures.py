"""Classic CNN building blocks in Keras and their cost by hand: parameters and multiply-accumulates.

Each block (a convolution, batch normalization, a VGG block, a residual block with its projection,
an Inception module, a depthwise-separable convolution) is described once by the layers it holds;
``block_cost`` adds up those layers' parameters and multiply-accumulates (MACs) from the formulas,
``build_block`` builds the same block in Keras, so the two can be compared with ``count_params()``.
``network_cost`` does the same for whole networks written as the papers' tables (LeNet-5, AlexNet,
VGG16, ResNet50, MobileNetV2), and ``model_costs`` reads any Keras model layer by layer.
``block_explorer`` draws a block and its cost from the formulas alone. Introduced in notebook 23.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer

BLOCK_KINDS: tuple[str, ...] = ("conv", "batchnorm", "vgg", "residual", "inception", "separable", "mobilenet")
BLOCK_TITLES: dict[str, str] = {
    "conv": "convolution + ReLU",
    "batchnorm": "batch normalization",
    "vgg": "VGG block: two f×f convolutions + max pooling",
    "residual": "residual block (projection when the shape changes)",
    "inception": "Inception module (GoogLeNet 3a proportions)",
    "separable": "Keras SeparableConv2D + ReLU",
    "mobilenet": "MobileNet block: depthwise + BN + ReLU, 1×1 + BN + ReLU",
}
NETWORKS: tuple[str, ...] = ("LeNet-5", "AlexNet", "VGG16", "ResNet50", "MobileNetV2")


# ---------------------------------------------------------------------------------------------
# Layer formulas
# ---------------------------------------------------------------------------------------------

def _count(value: Any, name: str, low: int = 1) -> int:
    """``value`` as an int >= ``low``, or a ValueError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def output_side(n: int, f: int, stride: int = 1, padding: str = "same") -> int:
    """Output height (= width) of a Keras convolution or pooling on an n×n input. Introduced in notebook 23."""
    n, f, stride = _count(n, "n"), _count(f, "f"), _count(stride, "stride")
    if f > n:
        raise ValueError(f"the kernel f = {f} is larger than the {n}×{n} input")
    if padding == "same":
        return math.ceil(n / stride)
    if padding == "valid":
        return (n - f) // stride + 1
    raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")


def conv_parameters(f: int, in_channels: int, filters: int, bias: bool = True) -> int:
    """Weights of a Conv2D: f·f·in_channels per filter, plus one bias per filter. Introduced in notebook 23."""
    f, c, k = _count(f, "f"), _count(in_channels, "in_channels"), _count(filters, "filters")
    return (f * f * c + int(bool(bias))) * k


def conv_macs(n: int, f: int, in_channels: int, filters: int, stride: int = 1, padding: str = "same") -> int:
    """Multiply-accumulates of a Conv2D on an n×n input: one f·f·C_in dot product per output value."""
    side = output_side(n, f, stride, padding)
    return side * side * f * f * _count(in_channels, "in_channels") * _count(filters, "filters")


def depthwise_parameters(f: int, channels: int, bias: bool = True) -> int:
    """Weights of a DepthwiseConv2D: one f×f filter (and bias) per input channel. Introduced in notebook 23."""
    return (_count(f, "f") ** 2 + int(bool(bias))) * _count(channels, "channels")


def depthwise_macs(n: int, f: int, channels: int, stride: int = 1, padding: str = "same") -> int:
    """Multiply-accumulates of a DepthwiseConv2D: f·f per output value, each channel on its own."""
    side = output_side(n, f, stride, padding)
    return side * side * f * f * _count(channels, "channels")


def separable_parameters(f: int, in_channels: int, filters: int, bias: bool = True) -> int:
    """Weights of a Keras SeparableConv2D: depthwise f×f per channel (no bias), then a 1×1 conv with bias."""
    return depthwise_parameters(f, in_channels, bias=False) + conv_parameters(1, in_channels, filters, bias)


def separable_macs(n: int, f: int, in_channels: int, filters: int, stride: int = 1, padding: str = "same") -> int:
    """Multiply-accumulates of a SeparableConv2D: the depthwise step plus the 1×1 step on its output."""
    side = output_side(n, f, stride, padding)
    return depthwise_macs(n, f, in_channels, stride, padding) + conv_macs(side, 1, in_channels, filters)


def batchnorm_parameters(channels: int, trainable_only: bool = False) -> int:
    """Batch normalization: γ and β are trained, the moving mean and variance are counted too (4 per channel)."""
    return (2 if trainable_only else 4) * _count(channels, "channels")


def dense_parameters(inputs: int, units: int, bias: bool = True) -> int:
    """Weights of a Dense layer: inputs·units plus one bias per unit. Introduced in notebook 23."""
    return (_count(inputs, "inputs") + int(bool(bias))) * _count(units, "units")


def dense_macs(inputs: int, units: int) -> int:
    """Multiply-accumulates of a Dense layer on one example."""
    return _count(inputs, "inputs") * _count(units, "units")


# ---------------------------------------------------------------------------------------------
# A tiny description language: layers with their shapes, parameters and MACs
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LayerCost:
    """One layer of a block or network: its name, branch, output shape, parameters and MACs."""

    name: str
    branch: int
    side: int
    channels: int
    params: int
    macs: int


def _layer(spec: tuple, side: int, channels: int) -> tuple[str, int, int, int, int]:
    """(name, side, channels, params, macs) after one layer ``spec`` applied to a side×side×channels input."""
    kind = spec[0]
    if kind == "conv":  # ("conv", f, filters, stride, padding, bias)
        _, f, filters, stride, padding, bias = spec
        out = output_side(side, f, stride, padding)
        return (f"conv {f}×{f}, {filters}" + (f", /{stride}" if stride > 1 else ""), out, filters,
                conv_parameters(f, channels, filters, bias), conv_macs(side, f, channels, filters, stride, padding))
    if kind == "dw":  # ("dw", f, stride, padding, bias)
        _, f, stride, padding, bias = spec
        out = output_side(side, f, stride, padding)
        return (f"depthwise {f}×{f}" + (f", /{stride}" if stride > 1 else ""), out, channels,
                depthwise_parameters(f, channels, bias), depthwise_macs(side, f, channels, stride, padding))
    if kind == "sep":  # ("sep", f, filters, stride, padding)
        _, f, filters, stride, padding = spec
        out = output_side(side, f, stride, padding)
        return (f"separable {f}×{f}, {filters}", out, filters, separable_parameters(f, channels, filters),
                separable_macs(side, f, channels, filters, stride, padding))
    if kind == "bn":
        return "batch norm", side, channels, batchnorm_parameters(channels), 0
    if kind in ("maxpool", "avgpool"):  # (kind, size, stride, padding)
        _, size, stride, padding = spec
        return (f"{kind[:3]} pool {size}×{size}, /{stride}", output_side(side, size, stride, padding), channels, 0, 0)
    if kind == "dense":  # ("dense", units)
        inputs = side * side * channels
        return f"dense {spec[1]}", 1, spec[1], dense_parameters(inputs, spec[1]), dense_macs(inputs, spec[1])
    if kind == "gap":
        return "global avg pool", 1, channels, 0, 0
    raise ValueError(f"unknown layer {kind!r}")


def _run(specs: Sequence[tuple], side: int, channels: int, branch: int = 0) -> tuple[list[LayerCost], int, int]:
    """Costs of a chain of layers, and the side and channels it ends with."""
    rows = []
    for spec in specs:
        name, side, channels, params, macs = _layer(spec, side, channels)
        rows.append(LayerCost(name, branch, side, channels, params, macs))
    return rows, side, channels


def inception_widths(out_channels: int) -> dict[str, int]:
    """Branch widths with GoogLeNet's inception (3a) proportions (64, 96→128, 16→32, pool→32 of 256)."""
    out = _count(out_channels, "out_channels", 16)
    if out % 16:
        raise ValueError(f"out_channels of an Inception module must be a multiple of 16, got {out}")
    return {"1x1": out // 4, "3x3 reduce": 3 * out // 8, "3x3": out // 2, "5x5 reduce": out // 16,
            "5x5": out // 8, "pool proj": out // 8}


def _block_specs(kind: str, in_channels: int, out_channels: int, f: int, stride: int) -> list[list[tuple]]:
    """The chains of layer specs (one per branch) of a block; the output joins them."""
    if kind == "conv":
        return [[("conv", f, out_channels, stride, "same", True)]]
    if kind == "batchnorm":
        return [[("bn",)]]
    if kind == "vgg":
        return [[("conv", f, out_channels, 1, "same", True), ("conv", f, out_channels, 1, "same", True),
                 ("maxpool", 2, 2, "valid")]]
    if kind == "residual":
        main = [("conv", f, out_channels, stride, "same", False), ("bn",),
                ("conv", f, out_channels, 1, "same", False), ("bn",)]
        if stride == 1 and in_channels == out_channels:
            return [main, []]
        return [main, [("conv", 1, out_channels, stride, "same", False), ("bn",)]]
    if kind == "inception":
        w = inception_widths(out_channels)
        return [[("conv", 1, w["1x1"], 1, "same", True)],
                [("conv", 1, w["3x3 reduce"], 1, "same", True), ("conv", 3, w["3x3"], 1, "same", True)],
                [("conv", 1, w["5x5 reduce"], 1, "same", True), ("conv", 5, w["5x5"], 1, "same", True)],
                [("maxpool", 3, 1, "same"), ("conv", 1, w["pool proj"], 1, "same", True)]]
    if kind == "separable":
        return [[("sep", f, out_channels, stride, "same")]]
    if kind == "mobilenet":
        return [[("dw", f, stride, "same", False), ("bn",), ("conv", 1, out_channels, 1, "same", False), ("bn",)]]
    raise ValueError(f"unknown block {kind!r}; choose from {', '.join(BLOCK_KINDS)}")


def _check_block(kind: str, n: int, in_channels: int, out_channels: int, f: int, stride: int) -> None:
    if kind not in BLOCK_KINDS:
        raise ValueError(f"unknown block {kind!r}; choose from {', '.join(BLOCK_KINDS)}")
    n, f = _count(n, "n"), _count(f, "f")
    _count(in_channels, "in_channels"), _count(out_channels, "out_channels"), _count(stride, "stride")
    if f > n:
        raise ValueError(f"the kernel f = {f} is larger than the {n}×{n} input")
    if kind == "inception" and (stride != 1 or n < 5):
        raise ValueError("an Inception module keeps the size: stride must be 1 and n >= 5 (its 5×5 branch)")
    if kind == "vgg" and (stride != 1 or n < 2):
        raise ValueError("a VGG block convolves with stride 1 and then halves the size: stride 1, n >= 2")
    if kind == "batchnorm" and (stride != 1 or in_channels != out_channels):
        raise ValueError("batch normalization keeps the shape: stride 1 and out_channels = in_channels")


def block_cost(kind: str, n: int, in_channels: int, out_channels: int, f: int = 3, stride: int = 1) -> dict[str, Any]:
    """Parameters, MACs, output shape and per-layer costs of a block, from the formulas. Introduced in notebook 23."""
    _check_block(kind, n, in_channels, out_channels, f, stride)
    rows, ends = [], []
    for branch, specs in enumerate(_block_specs(kind, in_channels, out_channels, f, stride)):
        layers, side, channels = _run(specs, n, in_channels, branch)
        rows += layers
        ends.append((side, channels))
    side = ends[0][0]
    channels = sum(c for _, c in ends) if kind == "inception" else ends[0][1]
    return {"kind": kind, "params": sum(r.params for r in rows), "macs": sum(r.macs for r in rows),
            "output_shape": (side, side, channels), "layers": rows, "branches": len(ends)}


def _keras_chain(x: Any, specs: Sequence[tuple], keras: Any) -> Any:
    """Apply a chain of layer specs to a Keras tensor."""
    L = keras.layers
    for spec in specs:
        kind = spec[0]
        if kind == "conv":
            _, f, filters, stride, padding, bias = spec
            x = L.Conv2D(filters, f, strides=stride, padding=padding, use_bias=bias)(x)
        elif kind == "dw":
            _, f, stride, padding, bias = spec
            x = L.DepthwiseConv2D(f, strides=stride, padding=padding, use_bias=bias)(x)
        elif kind == "sep":
            _, f, filters, stride, padding = spec
            x = L.SeparableConv2D(filters, f, strides=stride, padding=padding)(x)
        elif kind == "bn":
            x = L.BatchNormalization()(x)
        elif kind == "maxpool":
            x = L.MaxPooling2D(spec[1], strides=spec[2], padding=spec[3])(x)
        elif kind == "avgpool":
            x = L.AveragePooling2D(spec[1], strides=spec[2], padding=spec[3])(x)
        elif kind == "dense":
            x = L.Dense(spec[1])(L.Flatten()(x))
        elif kind == "gap":
            x = L.GlobalAveragePooling2D()(x)
    return x


def build_block(kind: str, n: int, in_channels: int, out_channels: int, f: int = 3, stride: int = 1) -> Any:
    """The block as a Keras model on an n×n×in_channels input (ReLUs where the papers put them)."""
    import keras

    _check_block(kind, n, in_channels, out_channels, f, stride)
    L = keras.layers
    inputs = keras.Input(shape=(n, n, in_channels))
    branches = _block_specs(kind, in_channels, out_channels, f, stride)
    if kind == "residual":
        main = branches[0]
        x = _keras_chain(inputs, main[:2], keras)
        x = _keras_chain(L.ReLU()(x), main[2:], keras)
        shortcut = _keras_chain(inputs, branches[1], keras)
        x = L.ReLU()(L.Add()([x, shortcut]))
    elif kind == "inception":
        outs = []
        for specs in branches:
            x = inputs
            for spec in specs:
                x = _keras_chain(x, [spec], keras)
                if spec[0] == "conv":
                    x = L.ReLU()(x)
            outs.append(x)
        x = L.Concatenate()(outs)
    elif kind == "mobilenet":
        specs = branches[0]
        x = L.ReLU()(_keras_chain(inputs, specs[:2], keras))
        x = L.ReLU()(_keras_chain(x, specs[2:], keras))
    elif kind == "vgg":
        specs = branches[0]
        x = L.ReLU()(_keras_chain(inputs, specs[:1], keras))
        x = L.ReLU()(_keras_chain(x, specs[1:2], keras))
        x = _keras_chain(x, specs[2:], keras)
    else:
        x = _keras_chain(inputs, branches[0], keras)
        if kind != "batchnorm":
            x = L.ReLU()(x)
    return keras.Model(inputs, x, name=f"{kind}_block")


# ---------------------------------------------------------------------------------------------
# Whole networks, layer by layer as in the papers' tables
# ---------------------------------------------------------------------------------------------

def _bottleneck(side: int, channels: int, filters: int, stride: int, project: bool) -> tuple[list[LayerCost], int, int]:
    """ResNet50's bottleneck as Keras builds it: 1×1 (stride), 3×3, 1×1 ×4, convs with biases, each with BN."""
    main = [("conv", 1, filters, stride, "valid", True), ("bn",), ("conv", 3, filters, 1, "same", True), ("bn",),
            ("conv", 1, 4 * filters, 1, "valid", True), ("bn",)]
    rows, out_side, out_channels = _run(main, side, channels)
    if project:
        rows += _run([("conv", 1, 4 * filters, stride, "valid", True), ("bn",)], side, channels, 1)[0]
    return rows, out_side, out_channels


def _inverted_residual(side: int, channels: int, expansion: int, filters: int, stride: int) -> tuple[list[LayerCost], int, int]:
    """MobileNetV2's block: 1×1 expansion (unless t = 1), 3×3 depthwise, 1×1 projection, each with BN."""
    specs = [("conv", 1, expansion * channels, 1, "same", False), ("bn",)] if expansion > 1 else []
    specs += [("dw", 3, stride, "same", False), ("bn",), ("conv", 1, filters, 1, "same", False), ("bn",)]
    return _run(specs, side, channels)


def network_cost(name: str) -> dict[str, Any]:
    """Parameters and MACs of a classic network from its paper's layer table (as Keras builds it)."""
    if name == "LeNet-5":  # 32×32 input; C3 fully connected to S2 (the paper wires it sparsely)
        specs = [("conv", 5, 6, 1, "valid", True), ("avgpool", 2, 2, "valid"), ("conv", 5, 16, 1, "valid", True),
                 ("avgpool", 2, 2, "valid"), ("conv", 5, 120, 1, "valid", True), ("dense", 84), ("dense", 10)]
        rows, side, channels = _run(specs, 32, 1)
    elif name == "AlexNet":  # one tower (no split over two GPUs), 227×227 input
        specs = [("conv", 11, 96, 4, "valid", True), ("maxpool", 3, 2, "valid"), ("conv", 5, 256, 1, "same", True),
                 ("maxpool", 3, 2, "valid"), ("conv", 3, 384, 1, "same", True), ("conv", 3, 384, 1, "same", True),
                 ("conv", 3, 256, 1, "same", True), ("maxpool", 3, 2, "valid"), ("dense", 4096), ("dense", 4096),
                 ("dense", 1000)]
        rows, side, channels = _run(specs, 227, 3)
    elif name == "VGG16":  # configuration D
        specs: list[tuple] = []
        for width, repeats in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]:
            specs += [("conv", 3, width, 1, "same", True)] * repeats + [("maxpool", 2, 2, "valid")]
        specs += [("dense", 4096), ("dense", 4096), ("dense", 1000)]
        rows, side, channels = _run(specs, 224, 3)
    elif name == "ResNet50":
        # 7×7/2 conv on the 224 input padded by 3 (Keras pads, then convolves 'valid'): 112×112
        rows, side, channels = _run([("conv", 7, 64, 2, "same", True), ("bn",), ("maxpool", 3, 2, "same")], 224, 3)
        for filters, blocks, stride in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]:
            for b in range(blocks):
                more, side, channels = _bottleneck(side, channels, filters, stride if b == 0 else 1, b == 0)
                rows += more
        rows += _run([("gap",), ("dense", 1000)], side, channels)[0]
    elif name == "MobileNetV2":  # width multiplier 1.0; table 2 of the paper: (t, c, n, s)
        rows, side, channels = _run([("conv", 3, 32, 2, "same", False), ("bn",)], 224, 3)
        for t, c, repeats, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                                 (6, 160, 3, 2), (6, 320, 1, 1)]:
            for b in range(repeats):
                more, side, channels = _inverted_residual(side, channels, t, c, s if b == 0 else 1)
                rows += more
        rows += _run([("conv", 1, 1280, 1, "same", False), ("bn",), ("gap",), ("dense", 1000)], side, channels)[0]
    else:
        raise ValueError(f"unknown network {name!r}; choose from {', '.join(NETWORKS)}")
    return {"name": name, "params": sum(r.params for r in rows), "macs": sum(r.macs for r in rows),
            "layers": len([r for r in rows if r.params]), "rows": rows}


def model_costs(model: Any) -> list[dict[str, Any]]:
    """Per-layer parameters (by formula and by Keras) and MACs of a Keras model, read from its layers."""
    import keras

    L = keras.layers
    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            rows += model_costs(layer)
            continue
        if isinstance(layer, L.InputLayer):
            continue
        first_input = layer.input[0] if isinstance(layer.input, (list, tuple)) else layer.input
        shape_in, shape_out = tuple(first_input.shape[1:]), tuple(layer.output.shape[1:])
        params = macs = 0
        if isinstance(layer, L.SeparableConv2D):
            f, c, k = layer.kernel_size[0], shape_in[-1], layer.filters
            m = layer.depth_multiplier
            params = f * f * c * m + c * m * k + (k if layer.use_bias else 0)
            macs = int(np.prod(shape_out[:2])) * (f * f * c * m + c * m * k)
        elif isinstance(layer, L.DepthwiseConv2D):
            f, c, m = layer.kernel_size[0], shape_in[-1], layer.depth_multiplier
            params = (f * f + int(layer.use_bias)) * c * m
            macs = int(np.prod(shape_out[:2])) * f * f * c * m
        elif isinstance(layer, L.Conv2D):
            f, c, k = layer.kernel_size[0], shape_in[-1], layer.filters
            params = conv_parameters(f, c, k, layer.use_bias)
            macs = int(np.prod(shape_out[:2])) * f * f * c * k
        elif isinstance(layer, L.Dense):
            params = dense_parameters(shape_in[-1], layer.units, layer.use_bias)
            macs = int(np.prod(shape_in[:-1], dtype=np.int64)) * dense_macs(shape_in[-1], layer.units)
        elif isinstance(layer, L.BatchNormalization):
            params = batchnorm_parameters(shape_in[-1])
        elif layer.count_params():
            raise ValueError(f"no formula for layer {layer.name!r} ({type(layer).__name__})")
        rows.append({"layer": layer.name, "type": type(layer).__name__, "output": shape_out,
                     "params": int(params), "keras_params": int(layer.count_params()), "macs": int(macs)})
    return rows


def build_application(name: str) -> Any:
    """A keras.applications model with ``weights=None`` (nothing downloaded), its weights in float16.

    Only the architecture is needed to count; float16 halves the memory VGG16's 138 million
    weights take while they are initialised. Introduced in notebook 23.
    """
    import keras

    choices = {"VGG16": keras.applications.VGG16, "ResNet50": keras.applications.ResNet50,
               "MobileNetV2": keras.applications.MobileNetV2}
    if name not in choices:
        raise ValueError(f"unknown application {name!r}; choose from {', '.join(choices)}")
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float16")
    try:
        return choices[name](weights=None)
    finally:
        keras.config.set_dtype_policy(previous)


# ---------------------------------------------------------------------------------------------
# Deep plain vs residual networks
# ---------------------------------------------------------------------------------------------

def deep_net(depth: int, residual: bool, width: int = 8, input_shape: tuple[int, int, int] = (28, 28, 1),
             classes: int = 10) -> Any:
    """A stride-2 stem, then ``depth`` 3×3 convolutions (pairs wrapped by a skip when ``residual``), no BN."""
    import keras

    depth, width = _count(depth, "depth", 2), _count(width, "width")
    if depth % 2:
        raise ValueError(f"depth counts convolutions in pairs (one pair per residual block), got {depth}")
    L = keras.layers
    inputs = keras.Input(shape=input_shape)
    x = L.Conv2D(width, 3, strides=2, padding="same", activation="relu", name="first_conv")(inputs)
    for block in range(depth // 2):
        z = L.Conv2D(width, 3, padding="same", activation="relu")(x)
        z = L.Conv2D(width, 3, padding="same")(z)
        x = L.ReLU()(L.Add()([x, z]) if residual else z)
    outputs = L.Dense(classes)(L.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, outputs, name=f"{'residual' if residual else 'plain'}_{depth}")


def first_layer_gradient_norm(model: Any, x: Any, y: Any) -> float:
    """Norm of the cross-entropy's gradient with respect to the first convolution's kernel."""
    import keras
    import tensorflow as tf

    with tf.GradientTape() as tape:
        logits = model(np.asarray(x, dtype="float32"), training=True)
        loss = keras.losses.sparse_categorical_crossentropy(np.asarray(y), logits, from_logits=True)
        loss = tf.reduce_mean(loss)
    kernel = model.get_layer("first_conv").kernel
    return float(tf.norm(tape.gradient(loss, kernel)))


def train_briefly(model: Any, x: Any, y: Any, epochs: int = 2, batch_size: int = 64, lr: float = 2e-3,
                  seed: int = 0) -> np.ndarray:
    """Train with Adam on shuffled mini-batches; return the loss of every batch (not a running mean)."""
    import keras
    import tensorflow as tf

    epochs, batch_size = _count(epochs, "epochs"), _count(batch_size, "batch_size")
    x, y = np.asarray(x, dtype="float32"), np.asarray(y)
    if len(x) != len(y) or len(x) < batch_size:
        raise ValueError(f"x and y need the same length >= batch_size; got {len(x)}, {len(y)}, {batch_size}")
    optimizer = keras.optimizers.Adam(learning_rate=lr)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def step(xb: Any, yb: Any) -> Any:
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_weights), model.trainable_weights))
        return loss

    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x) - batch_size + 1, batch_size):
            batch = order[start:start + batch_size]
            losses.append(float(step(tf.constant(x[batch]), tf.constant(y[batch]))))
    return np.array(losses)


# ---------------------------------------------------------------------------------------------
# The block explorer
# ---------------------------------------------------------------------------------------------

def _short(number: int) -> str:
    """12345678 -> '12.3M', 4321 -> '4.3k'."""
    for size, suffix in [(1e9, "G"), (1e6, "M"), (1e3, "k")]:
        if number >= size:
            return f"{number / size:.3g}{suffix}"
    return str(int(number))


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_ticks(ax: Any, axis: str = "both") -> Any:
    """Label a log axis 10⁰, 10³, ... in plain text (no mathtext needed); returns ``ax``."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    if axis not in ("x", "y", "both"):
        raise ValueError(f"axis must be 'x', 'y' or 'both', got {axis!r}")

    def label(value: float, _position: Any) -> str:
        exponent = math.log10(value) if value > 0 else float("nan")
        if not math.isfinite(exponent) or abs(exponent - round(exponent)) > 1e-9:
            return ""
        return "10" + str(int(round(exponent))).translate(_SUPERSCRIPTS)

    for name in ("x", "y") if axis == "both" else (axis,):
        target = ax.xaxis if name == "x" else ax.yaxis
        target.set_major_locator(LogLocator(base=10))
        target.set_major_formatter(FuncFormatter(label))
    return ax


MAX_BOXES = 12  # input, output and up to ten layers (the Inception module has eight)
DIAGRAM_WIDTH, DIAGRAM_DEPTH = 4.0, 6.0


def block_layout(cost: dict[str, Any], n: int, in_channels: int) -> tuple[list[tuple], list[tuple]]:
    """Where a block's diagram puts its boxes, (x, y, text, colour), and its connecting lines (x0, y0, x1, y1)."""
    layers, branches = cost["layers"], cost["branches"]
    depth = max([sum(1 for r in layers if r.branch == b) for b in range(branches)] + [1])
    step = DIAGRAM_DEPTH / (depth + 1)
    centre = DIAGRAM_WIDTH / 2
    boxes = [(centre, 0.0, f"input {n}×{n}×{in_channels}", "#eeeeee")]
    lines = []
    bottom = (depth + 1) * step
    for b in range(branches):
        x = (b + 0.5) * DIAGRAM_WIDTH / branches
        chain = [r for r in layers if r.branch == b]
        if not chain:
            boxes.append((x, bottom / 2, "identity\nshortcut", "#ffffff"))
        previous = (centre, 0.0)
        for row, layer in enumerate(chain):
            y = (row + 1) * step
            colour = "#fde2c8" if layer.name == "batch norm" else "#d6e6f5" if layer.params else "#f1f1f1"
            boxes.append((x, y, f"{layer.name}\n{layer.side}×{layer.side}×{layer.channels} · "
                          f"{_short(layer.params)} p", colour))
            lines.append((*previous, x, y))
            previous = (x, y)
        lines.append((*previous, centre, bottom) if chain else (centre, 0.0, centre, bottom))
    join = {"residual": "add, ReLU", "inception": "concatenate"}.get(cost["kind"], "output")
    side, _, channels = cost["output_shape"]
    boxes.append((centre, bottom, f"{join}: {side}×{side}×{channels}", "#e3f1dd"))
    return boxes, lines


def block_explorer(kind: str = "residual", n: int = 28, in_channels: int = 32, out_channels: int = 64,
                   f: int = 3, stride: int = 1) -> Explorer:
    """Choose a block and its sizes; see its diagram, parameters and MACs from the formulas. Introduced in notebook 23."""
    from matplotlib.collections import LineCollection

    block_cost(kind, n, in_channels, in_channels if kind == "batchnorm" else out_channels, f, stride)
    artists: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        ax_block, ax_bars = fig.subplots(1, 2, width_ratios=[2.3, 1])
        ax_block.set(xlim=(-0.1, DIAGRAM_WIDTH + 0.1), ylim=(DIAGRAM_DEPTH + 0.5, -0.9))
        ax_block.axis("off")
        artists["lines"] = ax_block.add_collection(LineCollection([], colors="#888888", linewidths=1.2,
                                                                  zorder=1))
        artists["boxes"] = [ax_block.text(0, 0, "", ha="center", va="center", fontsize=8, zorder=2,
                                          bbox={"boxstyle": "round,pad=0.35", "edgecolor": "#555555",
                                                "linewidth": 0.8})
                            for _ in range(MAX_BOXES)]
        artists["title"] = ax_block.text(0.5, 1.02, "", transform=ax_block.transAxes, ha="center",
                                         va="bottom", fontsize=10)
        artists["error"] = ax_block.text(0.5, 0.5, "", transform=ax_block.transAxes, ha="center",
                                         va="center", fontsize=10, wrap=True)
        positions = np.arange(2)
        artists["ours"] = ax_bars.bar(positions - 0.2, [1, 1], 0.4, color=PALETTE[0], label="this block")
        artists["plain"] = ax_bars.bar(positions + 0.2, [1, 1], 0.4, color=PALETTE[1], alpha=0.6,
                                       label="one f×f conv, same shapes")
        artists["values"] = [ax_bars.text(x, 1, "", ha="center", va="bottom", fontsize=8)
                             for x in positions - 0.2]
        ax_bars.set_yscale("log")
        ax_bars.set_ylim(1, 1e12)
        power_ticks(ax_bars, "y")
        ax_bars.set_xticks(positions, ["parameters", "MACs\n(per image)"])
        ax_bars.set(title="Cost by the formulas", ylabel="count (log scale)")
        ax_bars.legend(fontsize=7, loc="upper left")
        for artist in [artists["lines"], artists["title"], artists["error"], *artists["boxes"],
                       *artists["ours"], *artists["plain"], *artists["values"]]:
            artist.set_animated(True)

    def draw(fig: Figure, kind: str, n: int, in_channels: int, out_channels: int, f: int, stride: int) -> str:
        if not artists:
            build(fig)
        if kind == "batchnorm":
            out_channels, stride = in_channels, 1
        if kind in ("inception", "vgg"):
            stride = 1
        try:
            cost = block_cost(kind, n, in_channels, out_channels, f, stride)
        except ValueError as error:
            cost = None
            message = str(error)
        boxes, lines = block_layout(cost, n, in_channels) if cost else ([], [])
        artists["error"].set_text("" if cost else f"not a valid block:\n{message}")
        artists["title"].set_text(BLOCK_TITLES[kind])
        artists["lines"].set_segments([[(x0, y0), (x1, y1)] for x0, y0, x1, y1 in lines])
        small = cost is not None and cost["branches"] > 2
        for text, box in zip(artists["boxes"], boxes + [None] * (MAX_BOXES - len(boxes))):
            text.set_visible(box is not None)
            if box is not None:
                x, y, label, colour = box
                text.set_position((x, y))
                text.set_text(label)
                text.set_fontsize(7 if small else 8)
                text.get_bbox_patch().set_facecolor(colour)
        if cost is None:
            for bar in [*artists["ours"], *artists["plain"]]:
                bar.set_height(1)
            for text in artists["values"]:
                text.set_text("")
            return f"not a valid block: {message}"
        side, _, channels = cost["output_shape"]
        plain = [conv_parameters(f, in_channels, channels), side * side * f * f * in_channels * channels]
        for k, value in enumerate([cost["params"], cost["macs"]]):
            artists["ours"][k].set_height(max(value, 1))
            artists["plain"][k].set_height(plain[k])
            artists["values"][k].set_position((k - 0.2, max(value, 1) * 1.4))
            artists["values"][k].set_text(_short(int(value)))
        return (f"{BLOCK_TITLES[kind]}: {cost['params']:,} parameters, {cost['macs']:,} MACs per image; "
                f"output {side}×{side}×{channels}")

    def int_slider(label: str, low: int, high: int, value: int, step: int = 1) -> ipw.IntSlider:
        return ipw.IntSlider(value=value, min=low, max=high, step=step, description=label,
                             continuous_update=False, layout=ipw.Layout(width="250px"))

    controls = {
        "kind": ipw.Dropdown(options=[(BLOCK_TITLES[k].split(":")[0].split(" (")[0], k) for k in BLOCK_KINDS],
                             value=kind, description="block", layout=ipw.Layout(width="330px")),
        "n": int_slider("n (input side)", 4, 64, n),
        "in_channels": int_slider("C_in", 16, 256, in_channels, 16),
        "out_channels": int_slider("C_out", 16, 512, out_channels, 16),
        "f": int_slider("f (kernel)", 1, 7, f, 2),
        "stride": int_slider("stride", 1, 2, stride),
    }
    return Explorer(controls, draw, figsize=(10.0, 4.6), rebuild=False)
