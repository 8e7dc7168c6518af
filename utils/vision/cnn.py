"""A first CNN classifier: layer arithmetic, small Keras builders, image shifts and rotations, plots
and the shift/rotate explorer. Introduced in notebook 21.

Layer specs for the arithmetic are tuples: ``("conv", filters, size, padding)`` for a stride-1
``Conv2D`` with ``padding`` "valid" or "same", and ``("pool", size)`` for a ``MaxPooling2D`` with
stride equal to its size (windows that hang over the edge are dropped, as in Keras).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from utils.plots import PALETTE
from utils.vision.convolution import conv_parameters
from utils.widgets import Explorer

Spec = tuple
Predictor = Any  # a Keras model (anything with .predict) or a function images -> probabilities


# ---------------------------------------------------------------------------------------------
# Shapes and parameter counts, from the formulas
# ---------------------------------------------------------------------------------------------

def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_shape(input_shape: Any) -> tuple[int, int, int]:
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    height, width, channels = (_positive_int(v, "input_shape entry") for v in input_shape)
    return height, width, channels


def _check_spec(spec: Any) -> Spec:
    if not isinstance(spec, (tuple, list)) or not spec:
        raise ValueError(f"a layer spec must be a tuple such as ('conv', 16, 3, 'valid') or ('pool', 2), "
                         f"got {spec!r}")
    kind = spec[0]
    if kind == "conv":
        if len(spec) != 4 or spec[3] not in ("valid", "same"):
            raise ValueError(f"a conv spec is ('conv', filters, size, 'valid' or 'same'), got {spec!r}")
        return ("conv", _positive_int(spec[1], "filters"), _positive_int(spec[2], "kernel size"), spec[3])
    if kind == "pool":
        if len(spec) != 2:
            raise ValueError(f"a pool spec is ('pool', size), got {spec!r}")
        return ("pool", _positive_int(spec[1], "pool size"))
    raise ValueError(f"unknown layer kind {kind!r} in {spec!r}; expected 'conv' or 'pool'")


def layer_output_shape(shape: Sequence[int], spec: Spec) -> tuple[int, int, int]:
    """Output (height, width, channels) of one conv or pool spec on an input of ``shape``."""
    height, width, channels = _check_shape(tuple(shape))
    spec = _check_spec(spec)
    if spec[0] == "conv":
        _, filters, size, padding = spec
        if padding == "same":
            return height, width, filters
        if size > min(height, width):
            raise ValueError(f"a {size}×{size} 'valid' convolution does not fit a {height}×{width} input")
        return height - size + 1, width - size + 1, filters
    size = spec[1]
    if size > min(height, width):
        raise ValueError(f"a {size}×{size} pooling window does not fit a {height}×{width} input")
    return height // size, width // size, channels


def output_shapes(input_shape: Sequence[int], specs: Sequence[Spec]) -> list[tuple[int, int, int]]:
    """The shape after each layer of a conv/pool stack (the input shape first)."""
    shapes = [_check_shape(tuple(input_shape))]
    for spec in specs:
        shapes.append(layer_output_shape(shapes[-1], spec))
    return shapes


def dense_parameters(inputs: int, units: int) -> int:
    """Weights plus biases of a Dense layer: (inputs + 1) · units."""
    return (_positive_int(inputs, "inputs") + 1) * _positive_int(units, "units")


def stack_parameters(input_shape: Sequence[int], specs: Sequence[Spec], classes: int) -> int:
    """Trainable parameters of a conv/pool stack, then Flatten, then Dense(classes)."""
    shapes = output_shapes(input_shape, specs)
    total = sum(conv_parameters(spec[2], shape[2], spec[1])
                for shape, spec in zip(shapes, specs) if spec[0] == "conv")
    height, width, channels = shapes[-1]
    return total + dense_parameters(height * width * channels, classes)


def parameter_rows(model: Any) -> list[dict[str, Any]]:
    """Per layer of a Keras Sequential model: name, output shape, the hand formula, its count, Keras's count."""
    import keras

    rows = []
    shape = tuple(int(v) for v in model.inputs[0].shape[1:])
    for layer in model.layers:
        out = tuple(int(v) for v in layer.output.shape[1:])
        if isinstance(layer, keras.layers.Conv2D):
            f, channels, filters = layer.kernel_size[0], shape[-1], layer.filters
            formula, count = f"({f}·{f}·{channels} + 1)·{filters}", conv_parameters(f, channels, filters)
        elif isinstance(layer, keras.layers.Dense):
            formula, count = f"({shape[-1]} + 1)·{layer.units}", dense_parameters(shape[-1], layer.units)
        elif isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D, keras.layers.Flatten,
                                keras.layers.Dropout, keras.layers.ReLU)):
            formula, count = "0", 0
        else:
            raise ValueError(f"no parameter formula for a {type(layer).__name__} layer ({layer.name})")
        rows.append({"layer": layer.name, "output shape": out, "formula": formula,
                     "by hand": count, "Keras": int(layer.count_params())})
        shape = out
    return rows


# ---------------------------------------------------------------------------------------------
# Data and the two small models
# ---------------------------------------------------------------------------------------------

def scale_images(images: Any) -> np.ndarray:
    """uint8 grey images (n, h, w) as float32 in [0, 1] with a channel axis: (n, h, w, 1)."""
    images = np.asarray(images)
    if images.ndim != 3 or images.size == 0:
        raise ValueError(f"images must have shape (n, height, width), got {images.shape}")
    if images.dtype != np.uint8:
        raise ValueError(f"images must be uint8 grey levels 0-255, got dtype {images.dtype}")
    return (images.astype(np.float32) / 255.0)[..., None]


def build_cnn(input_shape: Sequence[int] = (28, 28, 1), classes: int = 10, filters: Sequence[int] = (16, 32),
              kernel_size: int = 3, name: str = "cnn") -> Any:
    """Conv(3×3) + ReLU → max-pool 2×2, repeated per entry of ``filters``, then Flatten → Dense softmax."""
    import keras

    height, width, channels = _check_shape(tuple(input_shape))
    if not filters:
        raise ValueError("filters must list at least one convolution's number of filters")
    layers: list[Any] = [keras.Input(shape=(height, width, channels))]
    for index, count in enumerate(filters, start=1):
        layers.append(keras.layers.Conv2D(_positive_int(count, "filters"), _positive_int(kernel_size, "kernel_size"),
                                          activation="relu", name=f"conv{index}"))
        layers.append(keras.layers.MaxPooling2D(2, name=f"pool{index}"))
    layers += [keras.layers.Flatten(name="flatten"),
               keras.layers.Dense(_positive_int(classes, "classes"), activation="softmax", name="classes")]
    return keras.Sequential(layers, name=name)


def build_dense(input_shape: Sequence[int] = (28, 28, 1), classes: int = 10, units: int = 128,
                name: str = "dense_net") -> Any:
    """Flatten → Dense(units) + ReLU → Dense softmax: the fully connected baseline."""
    import keras

    return keras.Sequential([
        keras.Input(shape=_check_shape(tuple(input_shape))),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(_positive_int(units, "units"), activation="relu", name="hidden"),
        keras.layers.Dense(_positive_int(classes, "classes"), activation="softmax", name="classes"),
    ], name=name)


def train_classifier(model: Any, x: Any, y: Any, epochs: int = 6, batch_size: int = 64, lr: float = 3e-3,
                     seed: int = 42) -> Any:
    """Compile with Adam (cosine-decayed learning rate) and sparse cross-entropy, fit, return the History.

    The same recipe for every model of notebook 21; ``seed`` reseeds Keras first so the run repeats.
    """
    import keras

    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"x and y must be non-empty and the same length, got {len(x)} and {len(y)}")
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr}")
    epochs, batch_size = _positive_int(epochs, "epochs"), _positive_int(batch_size, "batch_size")
    keras.utils.set_random_seed(seed)
    steps = epochs * int(np.ceil(len(x) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(lr, decay_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)


def probabilities(model: Predictor, x: Any) -> np.ndarray:
    """Class probabilities (n, classes) from a Keras model or a function of a batch of images."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4:
        raise ValueError(f"x must have shape (n, height, width) or (n, height, width, 1), got {x.shape}")
    if hasattr(model, "predict"):
        return np.asarray(model.predict(x, verbose=0, batch_size=1024))
    if callable(model):
        return np.asarray(model(x))
    raise ValueError(f"model must be a Keras model or a function of a batch, got {type(model).__name__}")


# ---------------------------------------------------------------------------------------------
# Moving images: shift, rotate, zoom
# ---------------------------------------------------------------------------------------------

def _image(image: Any) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 2 or image.size == 0:
        raise ValueError(f"image must be one 2-D grey image (height, width), got shape {image.shape}")
    if not np.issubdtype(image.dtype, np.number) or (image.dtype.kind == "f" and not np.all(np.isfinite(image))):
        raise ValueError("image must hold finite numbers")
    return image


def _whole(value: Any, name: str) -> int:
    try:
        whole = not isinstance(value, bool) and float(value).is_integer()
    except (TypeError, ValueError):
        whole = False
    if not whole:
        raise ValueError(f"{name} must be a whole number of pixels, got {value!r}")
    return int(value)


def shift_image(image: Any, dx: int, dy: int) -> np.ndarray:
    """The image moved ``dx`` pixels right and ``dy`` pixels down (negative: left, up), zeros filling in."""
    image = _image(image)
    dx, dy = _whole(dx, "dx"), _whole(dy, "dy")
    height, width = image.shape
    out = np.zeros_like(image)
    if abs(dx) >= width or abs(dy) >= height:
        return out
    out[max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = \
        image[max(-dy, 0):height - max(dy, 0), max(-dx, 0):width - max(dx, 0)]
    return out


def rotate_image(image: Any, degrees: float) -> np.ndarray:
    """The image turned ``degrees`` anticlockwise about its centre (bilinear, zeros outside)."""
    from scipy import ndimage

    image = _image(image)
    if not np.isfinite(degrees):
        raise ValueError(f"degrees must be finite, got {degrees}")
    turned = ndimage.rotate(image.astype(np.float64), float(degrees), reshape=False, order=1, mode="constant")
    return _like(turned, image)


def zoom_image(image: Any, factor: float) -> np.ndarray:
    """The image scaled by ``factor`` about its centre (> 1 larger, < 1 smaller), same size, zeros outside."""
    from scipy import ndimage

    image = _image(image)
    if not (np.isfinite(factor) and factor > 0):
        raise ValueError(f"factor must be a positive number, got {factor}")
    centre = (np.array(image.shape, dtype=np.float64) - 1) / 2
    # output pixel o reads input pixel centre + (o - centre) / factor
    matrix = np.eye(2) / factor
    offset = centre - matrix @ centre
    scaled = ndimage.affine_transform(image.astype(np.float64), matrix, offset=offset, order=1, mode="constant")
    return _like(scaled, image)


def _like(values: np.ndarray, image: np.ndarray) -> np.ndarray:
    """``values`` in the dtype of ``image`` (rounded and clipped for uint8)."""
    if image.dtype == np.uint8:
        return np.clip(np.round(values), 0, 255).astype(np.uint8)
    return values.astype(image.dtype)


TRANSFORMS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "shift right": lambda image, value: shift_image(image, int(value), 0),
    "shift down": lambda image, value: shift_image(image, 0, int(value)),
    "rotate": rotate_image,
    "zoom": zoom_image,
}


def transformed(images: Any, kind: str, value: float) -> np.ndarray:
    """Every image of a batch (n, h, w) moved by one of ``TRANSFORMS`` (shift right/down, rotate, zoom)."""
    if kind not in TRANSFORMS:
        raise ValueError(f"unknown transform {kind!r}; choose from {sorted(TRANSFORMS)}")
    images = np.asarray(images)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must have shape (n, height, width), got {images.shape}")
    return np.stack([TRANSFORMS[kind](image, value) for image in images])


def accuracy_under(models: Mapping[str, Predictor], images: Any, labels: Any, kind: str,
                   values: Sequence[float]) -> dict[str, np.ndarray]:
    """Accuracy of each model on uint8 images moved by each value of one transform: {name: (len(values),)}."""
    labels = np.asarray(labels)
    images = np.asarray(images)
    if len(images) != len(labels):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels")
    if not len(values):
        raise ValueError("values must list at least one amount of the transform")
    batches = [scale_images(transformed(images, kind, value)) for value in values]
    everything = np.concatenate(batches)  # one predict call per model
    result = {}
    for name, model in models.items():
        predicted = probabilities(model, everything).argmax(axis=1).reshape(len(values), len(labels))
        result[name] = (predicted == labels[None, :]).mean(axis=1)
    return result


# ---------------------------------------------------------------------------------------------
# Pictures: filters and feature maps
# ---------------------------------------------------------------------------------------------

def plot_filters(axes: Any, kernels: Any, title: str | None = None) -> np.ndarray:
    """Each first-layer filter (f, f, 1, K) in its own axis, red negative and blue positive; returns the axes."""
    kernels = np.asarray(kernels)
    if kernels.ndim != 4 or kernels.shape[2] != 1:
        raise ValueError(f"kernels must have shape (f, f, 1, filters), got {kernels.shape}")
    flat = np.asarray(axes).ravel()
    if len(flat) < kernels.shape[3]:
        raise ValueError(f"{kernels.shape[3]} filters do not fit in {len(flat)} axes")
    bound = float(np.abs(kernels).max()) or 1.0
    for index, ax in enumerate(flat):
        ax.set_axis_off()
        if index < kernels.shape[3]:
            ax.imshow(kernels[:, :, 0, index], cmap="RdBu", vmin=-bound, vmax=bound, interpolation="nearest")
            ax.set_title(f"filter {index}", fontsize=8, fontweight="normal")
    if title:
        flat[0].figure.suptitle(title)
    return np.asarray(axes)


def plot_feature_maps(axes: Any, maps: Any, title: str | None = None) -> np.ndarray:
    """The channels of one image's feature maps (h, w, K), one per axis, on a shared scale; returns the axes."""
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(f"maps must have shape (height, width, channels), got {maps.shape}")
    flat = np.asarray(axes).ravel()
    if len(flat) < maps.shape[2]:
        raise ValueError(f"{maps.shape[2]} feature maps do not fit in {len(flat)} axes")
    top = float(maps.max()) or 1.0
    for index, ax in enumerate(flat):
        ax.set_axis_off()
        if index < maps.shape[2]:
            ax.imshow(maps[:, :, index], cmap="magma", vmin=0, vmax=top, interpolation="nearest")
            ax.set_title(f"map {index}", fontsize=8, fontweight="normal")
    if title:
        flat[0].figure.suptitle(title)
    return np.asarray(axes)


# ---------------------------------------------------------------------------------------------
# The explorer: shift and rotate one image, watch both models' probabilities
# ---------------------------------------------------------------------------------------------

def move_grid(images: Any, shifts: Sequence[int], angles: Sequence[float]) -> np.ndarray:
    """Every image rotated by each angle, then shifted by each (dx, dy): (n, angles, dy, dx, h, w)."""
    images = np.asarray(images)
    if images.ndim != 3 or len(images) == 0:
        raise ValueError(f"images must have shape (n, height, width), got {images.shape}")
    if not len(shifts) or not len(angles):
        raise ValueError("shifts and angles must each list at least one value")
    n, height, width = images.shape
    grid = np.zeros((n, len(angles), len(shifts), len(shifts), height, width), dtype=images.dtype)
    for i, image in enumerate(images):
        for a, angle in enumerate(angles):
            turned = rotate_image(image, angle) if angle else image
            for r, dy in enumerate(shifts):
                for c, dx in enumerate(shifts):
                    grid[i, a, r, c] = shift_image(turned, dx, dy)
    return grid


def _nearest(values: np.ndarray, value: float) -> int:
    return int(np.argmin(np.abs(values - value)))


def shift_rotate_explorer(images: Any, labels: Any, models: Mapping[str, Predictor],
                          class_names: Sequence[str] | None = None, shifts: Sequence[int] = tuple(range(-6, 7)),
                          angles: Sequence[float] = (-60, -45, -30, -15, 0, 15, 30, 45, 60),
                          shift_right: int = 0, shift_down: int = 0, rotation: float = 0.0) -> Explorer:
    """Sliders shift and rotate one test image; bars show each model's probabilities (precomputed over the grid)."""
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"images must be uint8 (n, height, width), got {images.dtype} {images.shape}")
    if len(images) != len(labels):
        raise ValueError(f"got {len(images)} images but {len(labels)} labels")
    if shift_right not in list(shifts) or shift_down not in list(shifts):
        raise ValueError(f"shift_right and shift_down must be among the shifts {list(shifts)}, "
                         f"got {shift_right} and {shift_down}")
    if rotation not in list(angles):
        raise ValueError(f"rotation must be one of the angles {list(angles)}, got {rotation}")
    if not 1 <= len(models) <= 3:
        raise ValueError(f"pass one to three models by name, got {len(models)}")
    shifts, angles = np.asarray(shifts, dtype=int), np.asarray(angles, dtype=float)
    grid = move_grid(images, shifts, angles)
    flat = scale_images(grid.reshape(-1, *images.shape[1:]))
    probs = {name: probabilities(model, flat).reshape(*grid.shape[:4], -1) for name, model in models.items()}
    classes = next(iter(probs.values())).shape[-1]
    names = list(class_names) if class_names is not None else [str(k) for k in range(classes)]
    if len(names) != classes:
        raise ValueError(f"got {len(names)} class names for {classes} classes")
    parts: dict[str, Any] = {}
    height = 0.8 / len(models)

    def build(fig: Figure) -> None:
        ax_image, ax_bars = fig.subplots(1, 2, width_ratios=[1, 1.6])
        parts["image"] = ax_image.imshow(grid[0, 0, 0, 0], cmap="gray_r", vmin=0, vmax=255, interpolation="nearest")
        ax_image.set(title="The moved image", xlabel="column (pixels)", ylabel="row (pixels)")
        ax_image.grid(False)
        parts["bars"] = {}
        rows = np.arange(classes)
        for k, name in enumerate(models):
            parts["bars"][name] = ax_bars.barh(rows - 0.4 + height * (k + 0.5), np.zeros(classes), height=height,
                                               color=PALETTE[k], label=name)
        ax_bars.set(title="Predicted probabilities", xlabel="probability", xlim=(0, 1),
                    ylabel="class", yticks=rows, yticklabels=names, ylim=(classes - 0.5, -0.5))
        parts["truth"] = ax_bars.add_patch(Rectangle((0, -0.5), 1, 1, color="grey", alpha=0.15, zorder=0,
                                                     label="true class"))
        ax_bars.legend(loc="lower right", fontsize=8)
        artists = [parts["image"], parts["truth"]] + [bar for bars in parts["bars"].values() for bar in bars]
        for artist in artists:
            artist.set_animated(True)

    def draw(fig: Figure, image: int, shift_right: int, shift_down: int, rotation: float) -> str:
        if not parts:
            build(fig)
        a, r, c = _nearest(angles, rotation), _nearest(shifts, shift_down), _nearest(shifts, shift_right)
        parts["image"].set_data(grid[image, a, r, c])
        truth = int(labels[image])
        parts["truth"].set_y(truth - 0.5)
        said = []
        for name, bars in parts["bars"].items():
            p = probs[name][image, a, r, c]
            for bar, value in zip(bars, p):
                bar.set_width(float(value))
            best = int(np.argmax(p))
            said.append(f"{name}: {names[best]} ({p[best]:.0%}){' ✓' if best == truth else ' ✗'}")
        return (f"true: {names[truth]}, moved {shifts[c]:+d} px right, {shifts[r]:+d} px down, "
                f"turned {angles[a]:+.0f}°  →  " + ";  ".join(said))

    options = [(f"test image {k} ({names[int(label)]})", k) for k, label in enumerate(labels)]
    step = int(shifts[1] - shifts[0]) if len(shifts) > 1 else 1
    angle_step = float(angles[1] - angles[0]) if len(angles) > 1 else 1.0
    controls = {
        "image": ipw.Dropdown(options=options, value=0, description="image"),
        "shift_right": ipw.IntSlider(value=int(shift_right), min=int(shifts.min()),
                                     max=int(shifts.max()), step=step, description="shift right (px)",
                                     continuous_update=False),
        "shift_down": ipw.IntSlider(value=int(shift_down), min=int(shifts.min()),
                                    max=int(shifts.max()), step=step, description="shift down (px)",
                                    continuous_update=False),
        "rotation": ipw.FloatSlider(value=float(rotation), min=float(angles.min()),
                                    max=float(angles.max()), step=angle_step, description="rotation (°)",
                                    continuous_update=False, readout_format=".0f"),
    }
    return Explorer(controls, draw, figsize=(8.5, 3.6), rebuild=False)
