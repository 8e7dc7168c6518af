"""Neural style transfer: photos, Gram matrices, content/style/total-variation losses, feature
networks (random multi-scale filters offline, VGG19 online), the pixel optimisation, its
animation and a style-weight explorer. Introduced in notebook 29."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer

PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry", "hubble_deep_field",
          "brick", "grass", "gravel", "colorwheel")
RANDOM_SIZES = (3, 5, 9, 15)  # filter sizes of the random network (pixels)
VGG_CONTENT_LAYERS = ("block4_conv2",)  # Gatys et al. (2016): conv4_2
VGG_STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
LOSS_NAMES = ("total", "content", "style", "variation")


# ---------------------------------------------------------------------------------------------
# Photos
# ---------------------------------------------------------------------------------------------


def load_photo(name: str, size: int = 96) -> np.ndarray:
    """A scikit-image sample photo, centre-cropped square and resized: (size, size, 3) floats in [0, 1]. Introduced in notebook 29."""
    if name not in PHOTOS:
        raise ValueError(f"unknown photo {name!r}; choose one of {list(PHOTOS)}")
    if not isinstance(size, (int, np.integer)) or not 16 <= size <= 512:
        raise ValueError(f"size must be an integer between 16 and 512 pixels, got {size!r}")
    from skimage import data, transform

    image = np.asarray(getattr(data, name)(), dtype=np.float32) / 255.0
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    image = image[..., :3]
    height, width = image.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = image[top:top + side, left:left + side]
    resized = transform.resize(square, (size, size), anti_aliasing=True)
    return np.clip(resized, 0.0, 1.0).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# Gram matrices and losses, in NumPy (the from-scratch versions) and in TensorFlow
# ---------------------------------------------------------------------------------------------


def _feature_array(features: Any, name: str = "features") -> np.ndarray:
    array = np.asarray(features, dtype=np.float64)
    if array.ndim != 3:
        raise ValueError(f"{name} must have shape (height, width, channels), got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def gram_matrix(features: Any) -> np.ndarray:
    """G = FᵀF / (H·W) of feature maps (H, W, C), F the (H·W, C) matrix: (C, C). Introduced in notebook 29."""
    array = _feature_array(features)
    height, width, channels = array.shape
    flat = array.reshape(height * width, channels)
    return flat.T @ flat / (height * width)


def gram_matrix_tf(features: Any) -> Any:
    """The Gram matrix in TensorFlow with ``tf.einsum``, for (H, W, C) or a batch (B, H, W, C). Introduced in notebook 29."""
    import tensorflow as tf

    features = tf.convert_to_tensor(features, dtype=tf.float32)
    if features.shape.rank not in (3, 4):
        raise ValueError(f"features must have shape (H, W, C) or (B, H, W, C), got {features.shape}")
    positions = tf.cast(tf.shape(features)[-3] * tf.shape(features)[-2], tf.float32)
    if features.shape.rank == 3:
        return tf.einsum("ijc,ijd->cd", features, features) / positions
    return tf.einsum("bijc,bijd->bcd", features, features) / positions


def gram_matrix_matmul(features: Any) -> Any:
    """The Gram matrix in TensorFlow with a reshape and ``tf.linalg.matmul`` (transpose_a), (H, W, C). Introduced in notebook 29."""
    import tensorflow as tf

    features = tf.convert_to_tensor(features, dtype=tf.float32)
    if features.shape.rank != 3:
        raise ValueError(f"features must have shape (H, W, C), got {features.shape}")
    flat = tf.reshape(features, (-1, features.shape[-1]))
    return tf.linalg.matmul(flat, flat, transpose_a=True) / tf.cast(tf.shape(flat)[0], tf.float32)


def style_layer_loss(features: Any, target_gram: Any) -> float:
    """One layer's style loss Σ (G − A)² / (4 C²), G the Gram matrix of ``features``. Introduced in notebook 29."""
    gram = gram_matrix(features)
    target = np.asarray(target_gram, dtype=np.float64)
    if target.shape != gram.shape:
        raise ValueError(f"target_gram must have shape {gram.shape} (channels × channels), got {target.shape}")
    channels = gram.shape[0]
    return float(np.sum((gram - target) ** 2) / (4 * channels**2))


def content_loss(features: Any, target: Any) -> float:
    """The content loss: mean squared difference of two feature maps (H, W, C). Introduced in notebook 29."""
    ours, theirs = _feature_array(features), _feature_array(target, "target")
    if ours.shape != theirs.shape:
        raise ValueError(f"features {ours.shape} and target {theirs.shape} must have the same shape")
    return float(np.mean((ours - theirs) ** 2))


def total_variation(image: Any) -> float:
    """Σ |x[i+1, j] − x[i, j]| + Σ |x[i, j+1] − x[i, j]| of an image (H, W, C), as ``tf.image.total_variation``. Introduced in notebook 29."""
    array = np.asarray(image, dtype=np.float64)
    if array.ndim != 3:
        raise ValueError(f"image must have shape (height, width, channels), got {array.shape}")
    return float(np.abs(np.diff(array, axis=0)).sum() + np.abs(np.diff(array, axis=1)).sum())


def content_loss_tf(maps: Sequence[Any], targets: Sequence[Any]) -> Any:
    """Content loss per image of a batch: mean squared difference, summed over the content layers. Introduced in notebook 29."""
    import tensorflow as tf

    if len(maps) != len(targets) or not maps:
        raise ValueError(f"need one target per content layer, got {len(maps)} maps and {len(targets)} targets")
    return tf.add_n([tf.reduce_mean((f - t) ** 2, axis=(1, 2, 3)) for f, t in zip(maps, targets)])


def style_loss_tf(maps: Sequence[Any], target_grams: Sequence[Any]) -> Any:
    """Style loss per image of a batch: each layer's Σ (G − A)² / (4 C²), averaged over the style layers. Introduced in notebook 29."""
    import tensorflow as tf

    if len(maps) != len(target_grams) or not maps:
        raise ValueError(f"need one target Gram matrix per style layer, got {len(maps)} maps and "
                         f"{len(target_grams)} targets")
    layers = [tf.reduce_sum((gram_matrix_tf(f) - g) ** 2, axis=(1, 2)) / (4.0 * float(f.shape[-1]) ** 2)
              for f, g in zip(maps, target_grams)]
    return tf.add_n(layers) / len(layers)


# ---------------------------------------------------------------------------------------------
# Feature networks
# ---------------------------------------------------------------------------------------------


@dataclass
class StyleNet:
    """A feature network: a Keras model whose outputs are the content layers, then the style layers. Introduced in notebook 29."""

    model: Any
    content_layers: tuple[str, ...]
    style_layers: tuple[str, ...]
    preprocess: Callable[[Any], Any] = field(repr=False)

    def features(self, images: Any) -> tuple[list[Any], list[Any]]:
        """(content feature maps, style feature maps) of a batch of images (B, H, W, 3) in [0, 1]."""
        outputs = self.model(self.preprocess(images))
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        count = len(self.content_layers)
        return list(outputs[:count]), list(outputs[count:])


def random_filters(size: int, channels: int, filters: int, rng: np.random.Generator) -> np.ndarray:
    """Random filters (size, size, channels, filters), each with zero mean and unit length. Introduced in notebook 29."""
    if size < 1 or channels < 1 or filters < 1:
        raise ValueError(f"size, channels and filters must be positive, got {size}, {channels}, {filters}")
    weights = rng.normal(size=(size, size, channels, filters))
    weights -= weights.mean(axis=(0, 1, 2), keepdims=True)
    weights /= np.sqrt((weights**2).sum(axis=(0, 1, 2), keepdims=True))
    return weights.astype(np.float32)


def _centre(images: Any) -> Any:
    return images - 0.5


def random_filter_net(sizes: Sequence[int] = RANDOM_SIZES, filters: int = 32, seed: int = 0,
                      content_size: int = 5) -> StyleNet:
    """One layer of random convolution filters at several sizes, each followed by ReLU (Ustyuzhaninov et al., 2016). Introduced in notebook 29."""
    import keras

    sizes = tuple(int(s) for s in sizes)
    if not sizes or any(s < 1 or s % 2 == 0 for s in sizes):
        raise ValueError(f"sizes must be odd positive filter sizes, got {sizes}")
    if content_size not in sizes:
        raise ValueError(f"content_size must be one of the sizes {sizes}, got {content_size}")
    if not isinstance(filters, (int, np.integer)) or filters < 1:
        raise ValueError(f"filters must be a positive integer, got {filters!r}")
    rng = np.random.default_rng(seed)
    inputs = keras.Input((None, None, 3))
    layers = {}
    for size in sizes:
        layer = keras.layers.Conv2D(filters, size, padding="same", use_bias=False, activation="relu",
                                    trainable=False, name=f"random_{size}x{size}")
        layers[size] = layer(inputs)
        layer.set_weights([random_filters(size, 3, filters, rng)])
    content_name = f"random_{content_size}x{content_size}"
    style_names = tuple(f"random_{s}x{s}" for s in sizes)
    outputs = [layers[content_size]] + [layers[s] for s in sizes]
    model = keras.Model(inputs, outputs, name="random_filters")
    return StyleNet(model, (content_name,), style_names, _centre)


def _vgg_preprocess(images: Any) -> Any:
    import keras

    return keras.applications.vgg19.preprocess_input(images * 255.0)


def vgg19_net(weights: str | None = "imagenet", content_layers: Sequence[str] = VGG_CONTENT_LAYERS,
              style_layers: Sequence[str] = VGG_STYLE_LAYERS) -> StyleNet:
    """VGG19's convolutional layers (Gatys et al.'s choice by default); ``weights="imagenet"`` downloads 80 MB. Introduced in notebook 29."""
    import keras

    base = keras.applications.VGG19(include_top=False, weights=weights)
    base.trainable = False
    names = {layer.name for layer in base.layers}
    unknown = [n for n in (*content_layers, *style_layers) if n not in names]
    if unknown:
        raise ValueError(f"VGG19 has no layer(s) {unknown}; its convolutions are named like 'block4_conv2'")
    outputs = [base.get_layer(n).output for n in (*content_layers, *style_layers)]
    model = keras.Model(base.input, outputs, name="vgg19_features")
    return StyleNet(model, tuple(content_layers), tuple(style_layers), _vgg_preprocess)


# ---------------------------------------------------------------------------------------------
# The optimisation
# ---------------------------------------------------------------------------------------------


@dataclass
class TransferResult:
    """What :func:`transfer` returns: final images, the loss history and snapshots. Introduced in notebook 29."""

    images: np.ndarray  # (B, H, W, 3) in [0, 1]
    history: np.ndarray  # (steps + 1, B, 4): total, content, style, variation (weighted) per image
    snapshot_steps: list[int]
    snapshots: np.ndarray  # (snapshots, B, H, W, 3)
    seconds: float = 0.0

    def losses(self, index: int = 0) -> dict[str, np.ndarray]:
        """The weighted loss curves of image ``index``, by name."""
        return {name: self.history[:, index, k] for k, name in enumerate(LOSS_NAMES)}


def _as_image(image: Any, name: str) -> np.ndarray:
    array = np.asarray(image, dtype=np.float32)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ValueError(f"{name} must be one RGB image (height, width, 3), got shape {array.shape}")
    if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
        raise ValueError(f"{name} must hold finite values in [0, 1]")
    return array


def transfer(net: StyleNet, content: Any, style: Any, *, content_weight: float = 1.0,
             style_weight: float | Sequence[float] = 1e5, variation_weight: float = 3e-7,
             steps: int = 150, lr: float = 0.02, init: str = "content", snapshots: int = 10,
             seed: int = 0) -> TransferResult:
    """Optimise the pixels with Adam and ``tf.GradientTape``; several style weights make a batch of images. Introduced in notebook 29.

    Adam works on every pixel separately, so a batch of images with one style weight each is
    the same as one run per weight, done at once.
    """
    import time

    import keras
    import tensorflow as tf

    content, style = _as_image(content, "content"), _as_image(style, "style")
    weights = np.atleast_1d(np.asarray(style_weight, dtype=np.float32))
    if weights.ndim != 1 or np.any(weights < 0) or not np.all(np.isfinite(weights)):
        raise ValueError(f"style_weight must be a non-negative number or a list of them, got {style_weight!r}")
    if init not in ("content", "noise"):
        raise ValueError(f"init must be 'content' or 'noise', got {init!r}")
    if not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not 1 <= snapshots <= steps + 1:
        raise ValueError(f"snapshots must be between 1 and steps + 1 = {steps + 1}, got {snapshots!r}")
    batch = len(weights)
    content_targets = net.features(content[None])[0]
    style_targets = [gram_matrix_tf(f) for f in net.features(style[None])[1]]
    if init == "content":
        start = np.repeat(content[None], batch, axis=0)
    else:
        rng = np.random.default_rng(seed)
        start = np.clip(0.5 + 0.1 * rng.normal(size=(batch, *content.shape)), 0, 1).astype(np.float32)
    pixels = tf.Variable(start)
    optimizer = keras.optimizers.Adam(lr)
    alpha = tf.constant(float(content_weight))
    beta = tf.constant(weights)
    gamma = tf.constant(float(variation_weight))

    def losses(images: Any) -> Any:
        content_maps, style_maps = net.features(images)
        parts = tf.stack([alpha * content_loss_tf(content_maps, content_targets),
                          beta * style_loss_tf(style_maps, style_targets),
                          gamma * tf.image.total_variation(images)], axis=1)
        return tf.concat([tf.reduce_sum(parts, axis=1, keepdims=True), parts], axis=1)

    @tf.function
    def step() -> Any:
        with tf.GradientTape() as tape:
            table = losses(pixels)
            total = tf.reduce_sum(table[:, 0])
        gradient = tape.gradient(total, pixels)
        optimizer.apply_gradients([(gradient, pixels)])
        pixels.assign(tf.clip_by_value(pixels, 0.0, 1.0))  # stay a valid image
        return table

    keep = set(np.unique(np.round(np.linspace(0, steps, snapshots)).astype(int)).tolist())
    history, kept_steps, kept = [], [], []
    began = time.perf_counter()
    for index in range(steps + 1):
        if index in keep:
            kept_steps.append(index)
            kept.append(pixels.numpy())
        if index == steps:
            history.append(losses(pixels).numpy())
        else:
            history.append(step().numpy())  # losses of the image before this step
    return TransferResult(pixels.numpy(), np.asarray(history), kept_steps, np.asarray(kept),
                          time.perf_counter() - began)


# ---------------------------------------------------------------------------------------------
# Figures, animation, explorer
# ---------------------------------------------------------------------------------------------


def plot_losses(ax: Any, result: TransferResult, index: int = 0, title: str | None = None) -> Any:
    """The weighted loss curves of one image of a :class:`TransferResult` on a log scale; returns ``ax``. Introduced in notebook 29."""
    steps = np.arange(len(result.history))
    for colour, (name, curve) in zip(PALETTE, result.losses(index).items()):
        shown = np.where(curve > 0, curve, np.nan)  # a log axis cannot show a zero (content at step 0)
        ax.plot(steps, shown, color=colour, lw=2 if name == "total" else 1.3, label=name)
    ax.set_yscale("log")
    ax.set(xlabel="optimisation step", ylabel="weighted loss", title=title or "Losses during the optimisation")
    ax.legend(fontsize=8)
    return ax


def evolution_animation(result: TransferResult, index: int = 0, interval_ms: int = 450,
                        figsize: tuple[float, float] = (6.0, 2.5)) -> Any:
    """An HTML player: the image at each snapshot beside the total loss so far. Introduced in notebook 29."""
    import matplotlib.pyplot as plt

    from utils import animation

    if not 0 <= index < result.images.shape[0]:
        raise ValueError(f"index must be between 0 and {result.images.shape[0] - 1}, got {index}")
    total = result.history[:, index, 0]
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize, width_ratios=[1, 1.3])
    picture = left.imshow(result.snapshots[0, index])
    left.set_axis_off()
    label = left.set_title("")
    right.plot(np.arange(len(total)), total, color="0.8", lw=1.5)
    trace, = right.plot([], [], color=PALETTE[0], lw=2)
    dot, = right.plot([], [], "o", color=PALETTE[0])
    right.set_yscale("log")
    right.set(xlabel="optimisation step", ylabel="total loss", title="Total loss")

    def draw(frame: int) -> None:
        step = result.snapshot_steps[frame]
        picture.set_data(result.snapshots[frame, index])
        label.set_text(f"step {step}")
        trace.set_data(np.arange(step + 1), total[:step + 1])
        dot.set_data([step], [total[step]])

    return animation.player(fig, draw, len(result.snapshot_steps), interval_ms=interval_ms, dpi=52)


def style_weight_explorer(content: Any, style: Any, images: Mapping[float, Any],
                          content_losses: Mapping[float, float], style_losses: Mapping[float, float],
                          weight: float | None = None) -> Explorer:
    """A slider over precomputed style weights: the result beside content and style, and where it sits on the trade-off. Introduced in notebook 29."""
    content, style = _as_image(content, "content"), _as_image(style, "style")
    weights = sorted(float(w) for w in images)
    if not weights or set(weights) != {float(w) for w in content_losses} or \
            set(weights) != {float(w) for w in style_losses}:
        raise ValueError("images, content_losses and style_losses need one entry for the same style weights")
    pictures = {float(w): _as_image(image, f"images[{w}]") for w, image in images.items()}
    c_loss = {float(w): float(v) for w, v in content_losses.items()}
    s_loss = {float(w): float(v) for w, v in style_losses.items()}
    weight = weights[len(weights) // 2] if weight is None else float(weight)
    if weight not in weights:
        raise ValueError(f"weight must be one of {weights}, got {weight!r}")
    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        axes = fig.subplots(1, 4, width_ratios=[1, 1, 1, 1.25])
        for ax, image, title in zip(axes[:3], (content, pictures[weight], style),
                                    ("content", "result", "style")):
            shown = ax.imshow(image)
            ax.set_title(title, fontsize=9)
            ax.set_axis_off()
            if title == "result":
                parts["result"] = shown
        parts["result_title"] = axes[1].title
        ax = axes[3]
        xs = [c_loss[w] for w in weights]
        ys = [s_loss[w] for w in weights]
        ax.plot(xs, ys, "o-", color=PALETTE[0])
        parts["marker"], = ax.plot([c_loss[weight]], [s_loss[weight]], "o", ms=13, mfc="none", mec="black")
        ax.set_xscale("log")
        ax.set_yscale("log")
        for w, x, y in zip(weights, xs, ys):
            ax.annotate(f"β = {w:.0e}", (x, y), textcoords="offset points", xytext=(6, 4), fontsize=7)
        ax.minorticks_off()
        ax.margins(x=0.35, y=0.25)
        ax.set(xlabel="content loss (unweighted)", ylabel="style loss (unweighted)", title="Trade-off")
        ax.title.set_fontsize(9)

    def draw(fig: Figure, weight: float) -> str:
        if not parts:
            build(fig)
        parts["result"].set_data(pictures[weight])
        parts["result_title"].set_text(f"result, style weight {weight:.0e}")
        parts["marker"].set_data([c_loss[weight]], [s_loss[weight]])
        return (f"style weight {weight:.0e}: content loss {c_loss[weight]:.2e}, "
                f"style loss {s_loss[weight]:.2e}")

    controls = {"weight": ipw.SelectionSlider(options=[(f"{w:.0e}", w) for w in weights], value=weight,
                                              description="style weight", continuous_update=False)}
    return Explorer(controls, draw, figsize=(9.0, 2.6), rebuild=False)
