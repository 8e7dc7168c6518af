"""Quantization: int8 arithmetic in NumPy, the TFLite converter, the LiteRT interpreter, fake-quant training.

The NumPy part (scale and zero point, quantize/dequantize, an integer dense layer with int32
accumulation and requantization, TFLite's fixed-point multiplier) is the reference the notebook
checks the interpreter against; the rest wraps the converter and the interpreter so a notebook
cell stays one line, builds the digit CNN with fake-quantized weights for quantization-aware
training, and draws the bit-width explorer. Introduced in notebook 43.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import sys
import time
import warnings
from typing import Any, Callable, Iterator, Mapping, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer

INT8_MIN, INT8_MAX = -128, 127
MODES = ("float32", "float16", "dynamic range", "int8")


def _finite(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.size and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite numbers, got NaN or infinity")
    return array


def _bits(bits: Any) -> int:
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not 2 <= bits <= 16:
        raise ValueError(f"bits must be an integer from 2 to 16, got {bits!r}")
    return int(bits)


def integer_range(bits: int = 8) -> tuple[int, int]:
    """The smallest and largest signed integer of ``bits`` bits, e.g. (-128, 127). Introduced in notebook 43."""
    bits = _bits(bits)
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def scale_and_zero_point(low: float, high: float, bits: int = 8) -> tuple[float, int]:
    """Affine (asymmetric) scale and integer zero point mapping [low, high] onto the signed range. Introduced in notebook 43.

    The range is first widened to contain 0, so that 0.0 (padding, ReLU's zeros) is exact.
    """
    low, high = float(_finite(low, "low")), float(_finite(high, "high"))
    if low > high:
        raise ValueError(f"low must not exceed high, got low={low}, high={high}")
    qmin, qmax = integer_range(bits)
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        return 1.0, 0
    scale = (high - low) / (qmax - qmin)
    zero_point = int(np.clip(np.round(qmin - low / scale), qmin, qmax))
    return float(scale), zero_point


def symmetric_scale(values: Any, bits: int = 8, axis: int | None = None) -> np.ndarray:
    """Symmetric scale max|w| / (2^(bits-1) - 1), per tensor or per slice along ``axis``. Introduced in notebook 43."""
    values = _finite(values, "values")
    qmax = integer_range(bits)[1]
    if axis is None:
        largest = np.abs(values).max(initial=0.0)
    else:
        if not -values.ndim <= axis < values.ndim:
            raise ValueError(f"axis {axis} is out of range for an array of shape {values.shape}")
        others = tuple(k for k in range(values.ndim) if k != axis % values.ndim)
        largest = np.abs(values).max(axis=others, initial=0.0)
    return np.where(largest > 0, largest / qmax, 1.0)


def quantize(x: Any, scale: Any, zero_point: Any, bits: int = 8) -> np.ndarray:
    """q = clip(round(x / scale) + zero_point) to the signed ``bits``-bit range, as int32. Introduced in notebook 43."""
    x, scale = _finite(x, "x"), _finite(scale, "scale")
    if np.any(scale <= 0):
        raise ValueError("scale must be positive")
    qmin, qmax = integer_range(bits)
    return np.clip(np.round(x / scale) + np.asarray(zero_point), qmin, qmax).astype(np.int32)


def dequantize(q: Any, scale: Any, zero_point: Any) -> np.ndarray:
    """x ≈ scale · (q - zero_point), as float64. Introduced in notebook 43."""
    q = np.asarray(q)
    if q.dtype.kind not in "iu":
        raise ValueError(f"q must hold integers, got dtype {q.dtype}")
    return _finite(scale, "scale") * (q.astype(np.int64) - np.asarray(zero_point))


def quantize_multiplier(multiplier: Any) -> tuple[np.ndarray, np.ndarray]:
    """TFLite's fixed-point form of a real multiplier: M = m0 · 2^(shift - 31), m0 an int32 in [2^30, 2^31). Introduced in notebook 43."""
    multiplier = _finite(multiplier, "multiplier")
    if np.any(multiplier < 0):
        raise ValueError("multiplier must be non-negative")
    fraction, shift = np.frexp(multiplier)  # multiplier = fraction · 2^shift, fraction in [0.5, 1)
    fixed = np.round(fraction * 2.0 ** 31).astype(np.int64)
    carry = fixed == 2 ** 31
    fixed = np.where(carry, fixed // 2, fixed)
    shift = np.where(carry, shift + 1, shift).astype(np.int64)
    shift = np.where(fixed == 0, 0, shift)
    return fixed, shift


def multiply_by_quantized_multiplier(acc: Any, fixed: Any, shift: Any) -> np.ndarray:
    """round(acc · M) in integers only, as TFLite's reference kernels do it (double rounding). Introduced in notebook 43."""
    acc = np.asarray(acc)
    if acc.dtype.kind not in "iu":
        raise ValueError(f"acc must hold integers (the int32 accumulators), got dtype {acc.dtype}")
    acc = acc.astype(np.int64)
    fixed, shift = np.asarray(fixed, dtype=np.int64), np.asarray(shift, dtype=np.int64)
    left = np.maximum(shift, 0)
    right = np.maximum(-shift, 0)
    a = acc * (2 ** left)
    product = a * fixed  # fits in int64: |a| < 2^31 and fixed < 2^31
    nudge = np.where(product >= 0, 2 ** 30, 1 - 2 ** 30)
    high = product + nudge
    high = np.where(high >= 0, high // 2 ** 31, -((-high) // 2 ** 31))  # C division: towards zero
    mask = (2 ** right) - 1
    remainder = high & mask
    threshold = (mask >> 1) + (high < 0)
    return (high >> right) + (remainder > threshold)


def dense_int8(x_q: Any, x_zero_point: int, w_q: Any, b_q: Any, multiplier: Any, y_zero_point: int,
               relu: bool = False, fixed_point: bool = False) -> np.ndarray:
    """An int8 dense layer: int32 sums (x_q - x_zp) · w_q + b_q, requantized by ``multiplier`` to int8. Introduced in notebook 43.

    ``w_q`` has shape (inputs, outputs) and zero point 0 (symmetric weights, as TFLite's);
    ``multiplier`` is s_x · s_w / s_y, one number or one per output; ``fixed_point`` does the
    rescaling with TFLite's int32 multiplier and shift instead of a float multiply.
    """
    x_q, w_q, b_q = np.asarray(x_q), np.asarray(w_q), np.asarray(b_q)
    for name, array in (("x_q", x_q), ("w_q", w_q), ("b_q", b_q)):
        if array.dtype.kind not in "iu":
            raise ValueError(f"{name} must hold integers, got dtype {array.dtype}")
    if x_q.ndim != 2 or w_q.ndim != 2 or x_q.shape[1] != w_q.shape[0]:
        raise ValueError(f"x_q (n, inputs) and w_q (inputs, outputs) do not chain: {x_q.shape}, {w_q.shape}")
    if b_q.shape != (w_q.shape[1],):
        raise ValueError(f"b_q must have shape ({w_q.shape[1]},), got {b_q.shape}")
    acc = (x_q.astype(np.int64) - int(x_zero_point)) @ w_q.astype(np.int64) + b_q.astype(np.int64)
    if fixed_point:
        scaled = multiply_by_quantized_multiplier(acc, *quantize_multiplier(multiplier))
    else:
        scaled = np.round(acc * _finite(multiplier, "multiplier"))
    low = max(int(y_zero_point), INT8_MIN) if relu else INT8_MIN
    return np.clip(scaled + int(y_zero_point), low, INT8_MAX).astype(np.int8)


def weight_quantization(weights: Any, bits: int = 8, clip: float = 1.0) -> dict[str, Any]:
    """Symmetric quantization of a weight array clipped at ``clip`` · max|w|: the dequantized weights and the error. Introduced in notebook 43."""
    weights = _finite(weights, "weights").ravel()
    if weights.size == 0:
        raise ValueError("weights must not be empty")
    if not 0 < clip <= 1:
        raise ValueError(f"clip must be in (0, 1], a fraction of the largest |weight|, got {clip}")
    qmax = integer_range(bits)[1]
    limit = clip * np.abs(weights).max()
    scale = limit / qmax if limit > 0 else 1.0
    q = np.clip(np.round(weights / scale), -qmax, qmax)
    restored = q * scale
    error = restored - weights
    signal, noise = float(np.mean(weights ** 2)), float(np.mean(error ** 2))
    return {"restored": restored, "error": error, "scale": float(scale), "limit": float(limit),
            "levels": 2 * qmax + 1, "rms_error": float(np.sqrt(noise)),
            "clipped": float(np.mean(np.abs(weights) > limit + 0.5 * scale)),
            "sqnr_db": float(10 * np.log10(signal / noise)) if noise > 0 else float("inf")}


# --- the TFLite converter and the LiteRT interpreter -------------------------------------------


LITERT = "ai_edge_litert.interpreter"
KERNELS = ("default", "builtin")
FALLBACK_NOTE = ("Note: ai-edge-litert is not installed, so the models run with tf.lite.Interpreter, "
                 "its deprecated predecessor, which runs the same .tflite files. "
                 "`pip install ai-edge-litert` to use LiteRT.")


@functools.cache
def _interpreter_module() -> tuple[Any, str]:
    try:
        # optional: the helper package does not depend on it; notebook 43 installs it
        module = importlib.import_module(LITERT)
    except ImportError:
        import tensorflow as tf

        print(FALLBACK_NOTE)
        return tf.lite, "tf.lite.Interpreter (fallback: ai-edge-litert is not installed)"
    return module, f"{LITERT}.Interpreter (LiteRT)"


def interpreter_class() -> tuple[type, str]:
    """LiteRT's ``Interpreter`` (package ai-edge-litert), or ``tf.lite.Interpreter`` with a printed note where it is missing. Introduced in notebook 43."""
    module, description = _interpreter_module()
    return module.Interpreter, description


@contextlib.contextmanager
def _native_stderr_hidden() -> Iterator[None]:
    """Hide what C++ code prints straight to file descriptor 2 (the converter's and XNNPACK's notices).

    Failures still raise Python exceptions that carry their messages.
    """
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 to redirect: nothing to hide
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _resolver(kernels: str) -> Any:
    module, _ = _interpreter_module()
    resolvers = module.OpResolverType if hasattr(module, "OpResolverType") else module.experimental.OpResolverType
    return resolvers.AUTO if kernels == "default" else resolvers.BUILTIN_WITHOUT_DEFAULT_DELEGATES


def make_interpreter(model_content: bytes, keep_all_tensors: bool = False, kernels: str = "default") -> Any:
    """An interpreter with its tensors allocated; ``keep_all_tensors`` keeps every intermediate result readable. Introduced in notebook 43.

    ``kernels="default"`` runs what a phone runs (the XNNPACK delegate where it applies);
    ``"builtin"`` runs TFLite's own built-in kernels, with no delegate.
    """
    if not isinstance(model_content, (bytes, bytearray)) or not model_content:
        raise ValueError("model_content must be the bytes of a .tflite model")
    if kernels not in KERNELS:
        raise ValueError(f"unknown kernels {kernels!r}; choose one of {KERNELS}")
    interpreter_type, _ = interpreter_class()
    with warnings.catch_warnings(), _native_stderr_hidden():
        warnings.simplefilter("ignore", UserWarning)  # keeping all tensors is for debugging: we are
        interpreter = interpreter_type(model_content=bytes(model_content),
                                       experimental_op_resolver_type=_resolver(kernels),
                                       experimental_preserve_all_tensors=keep_all_tensors)
        interpreter.allocate_tensors()
    return interpreter


def representative_images(x: Any, count: int = 200) -> Callable[[], Iterator[list[np.ndarray]]]:
    """A representative dataset for the converter: the first ``count`` inputs, one at a time. Introduced in notebook 43."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"x must be a non-empty batch of inputs, got shape {x.shape}")
    if not 1 <= count <= len(x):
        raise ValueError(f"count must be from 1 to {len(x)}, got {count}")

    def dataset() -> Iterator[list[np.ndarray]]:
        for i in range(count):
            yield [x[i:i + 1]]

    return dataset


def convert(saved_model_dir: str, mode: str = "float32",
            representative: Callable[[], Iterator[list[np.ndarray]]] | None = None) -> bytes:
    """Convert a SavedModel to a .tflite flatbuffer: float32, float16, dynamic range or full int8. Introduced in notebook 43."""
    import tensorflow as tf

    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {MODES}")
    if not os.path.isdir(str(saved_model_dir)):
        raise ValueError(f"saved_model_dir {saved_model_dir!r} is not a directory (export the model first)")
    if mode == "int8" and representative is None:
        raise ValueError("int8 needs a representative dataset to measure the activations' ranges")
    converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model_dir))
    if mode != "float32":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if mode == "int8":
        converter.representative_dataset = representative
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    with _native_stderr_hidden():
        return converter.convert()


def _input_output(interpreter: Any) -> tuple[dict, dict]:
    inputs, outputs = interpreter.get_input_details(), interpreter.get_output_details()
    if len(inputs) != 1 or len(outputs) != 1:
        raise ValueError("the helpers expect a model with one input and one output")
    return inputs[0], outputs[0]


def predict(interpreter: Any, x: Any) -> np.ndarray:
    """Outputs (as float) of a one-input interpreter for a batch, quantizing int8 inputs and outputs. Introduced in notebook 43."""
    inp, out = _input_output(interpreter)
    x = _finite(x, "x").astype(np.float32)
    if x.shape[1:] != tuple(inp["shape"][1:]):
        raise ValueError(f"x must have shape (n, {', '.join(map(str, inp['shape'][1:]))}), got {x.shape}")
    if tuple(inp["shape"]) != x.shape:
        interpreter.resize_tensor_input(inp["index"], list(x.shape))
        interpreter.allocate_tensors()
        inp, out = _input_output(interpreter)
    if inp["dtype"] == np.int8:
        x = quantize(x, *inp["quantization"]).astype(np.int8)
    interpreter.set_tensor(inp["index"], x)
    interpreter.invoke()
    y = interpreter.get_tensor(out["index"])
    if out["dtype"] == np.int8:
        return dequantize(y, *out["quantization"])
    return y.astype(np.float64)


def seconds_per_call(call: Callable[[], Any], repeats: int = 200, clock: Callable[[], float] = time.perf_counter) -> float:
    """Median seconds of ``repeats`` calls of ``call`` (after one warm-up call). Introduced in notebook 43."""
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    call()
    times = []
    for _ in range(repeats):
        start = clock()
        call()
        times.append(clock() - start)
    return float(np.median(times))


def invoke_one(interpreter: Any, x_one: Any) -> Callable[[], None]:
    """A function that runs the interpreter on one input already set, for timing. Introduced in notebook 43."""
    inp, _ = _input_output(interpreter)
    x_one = np.asarray(x_one, dtype=np.float32)
    shape = tuple(int(n) for n in inp["shape"][1:])
    if x_one.shape != shape:
        raise ValueError(f"x_one must be one input of shape {shape}, got {x_one.shape}")
    if inp["shape"][0] != 1:
        interpreter.resize_tensor_input(inp["index"], [1, *x_one.shape])
        interpreter.allocate_tensors()
        inp, _ = _input_output(interpreter)
    batch = x_one[None]
    if inp["dtype"] == np.int8:
        batch = quantize(batch, *inp["quantization"]).astype(np.int8)
    interpreter.set_tensor(inp["index"], batch)
    return interpreter.invoke


def operators(interpreter: Any) -> list[dict[str, Any]]:
    """The model's operators in order (name, input and output tensor indices), delegate nodes left out. Introduced in notebook 43."""
    # the Python interpreter exposes the graph only through this underscored method
    return [op for op in interpreter._get_ops_details() if op["op_name"] != "DELEGATE"]


def _quantization(detail: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    parameters = detail["quantization_parameters"]
    return np.asarray(parameters["scales"], dtype=np.float64), np.asarray(parameters["zero_points"])


def fully_connected_layer(interpreter: Any, which: int = 0) -> dict[str, Any]:
    """The integers and quantization parameters of one FULLY_CONNECTED op after an invoke. Introduced in notebook 43.

    Needs an interpreter made with ``keep_all_tensors=True``; ``w_q`` is returned as
    (inputs, outputs), the layout of a Keras Dense kernel (TFLite stores it transposed).
    """
    layers = [op for op in operators(interpreter) if op["op_name"] == "FULLY_CONNECTED"]
    if not -len(layers) <= which < len(layers):
        raise ValueError(f"which must pick one of the {len(layers)} FULLY_CONNECTED ops, got {which}")
    op = layers[which]
    details = {d["index"]: d for d in interpreter.get_tensor_details()}
    x_index, w_index, b_index = (int(i) for i in op["inputs"][:3])
    y_index = int(op["outputs"][0])
    w_q = interpreter.get_tensor(w_index).T
    # an all-zero bias is dropped by the converter (index -1): it adds nothing to the sums
    b_q = interpreter.get_tensor(b_index) if b_index >= 0 else np.zeros(w_q.shape[1], np.int32)
    x_scale, x_zero = _quantization(details[x_index])
    w_scale, _ = _quantization(details[w_index])
    y_scale, y_zero = _quantization(details[y_index])
    if x_scale.size != 1 or y_scale.size != 1:
        raise ValueError("this op is not int8-quantized (convert with mode='int8')")
    return {"name": details[y_index]["name"], "x_q": interpreter.get_tensor(x_index),
            "x_scale": float(x_scale[0]), "x_zero_point": int(x_zero[0]),
            "w_q": w_q, "w_scale": w_scale, "b_q": b_q, "y_q": interpreter.get_tensor(y_index),
            "y_scale": float(y_scale[0]), "y_zero_point": int(y_zero[0])}


def model_size(content: bytes) -> int:
    """Bytes of a serialized model. Introduced in notebook 43."""
    if not isinstance(content, (bytes, bytearray)):
        raise ValueError(f"content must be bytes, got {type(content).__name__}")
    return len(content)


# --- quantization-aware training -----------------------------------------------------------------


def fake_quantize(x: Any, bits: int = 8, axis: int | None = None) -> Any:
    """Symmetric fake quantization (quantize then dequantize) with a straight-through gradient, in keras.ops. Introduced in notebook 43."""
    from keras import ops

    qmax = float(integer_range(bits)[1])
    if axis is None:
        largest = ops.max(ops.abs(x))
    else:
        others = tuple(k for k in range(len(x.shape)) if k != axis % len(x.shape))
        largest = ops.max(ops.abs(x), axis=others, keepdims=True)
    scale = ops.maximum(largest, 1e-12) / qmax
    rounded = ops.clip(ops.round(x / scale), -qmax, qmax) * scale
    return x + ops.stop_gradient(rounded - x)  # forward: rounded; backward: identity


@functools.cache
def _fake_quant_layers() -> tuple[type, type]:
    import keras

    @keras.saving.register_keras_serializable(package="course")
    class FakeQuantConv2D(keras.layers.Conv2D):
        """Conv2D whose kernel is fake-quantized per output channel in the forward pass."""

        def __init__(self, *args: Any, weight_bits: int = 8, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.weight_bits = _bits(weight_bits)

        def convolution_op(self, inputs: Any, kernel: Any) -> Any:
            return super().convolution_op(inputs, fake_quantize(kernel, self.weight_bits, axis=-1))

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "weight_bits": self.weight_bits}

    @keras.saving.register_keras_serializable(package="course")
    class FakeQuantDense(keras.layers.Dense):
        """Dense whose kernel is fake-quantized per output unit in the forward pass."""

        def __init__(self, *args: Any, weight_bits: int = 8, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.weight_bits = _bits(weight_bits)

        def call(self, inputs: Any, training: Any = None) -> Any:
            kernel = fake_quantize(self.kernel, self.weight_bits, axis=-1)
            outputs = keras.ops.matmul(inputs, kernel)
            if self.use_bias:
                outputs = outputs + self.bias
            return self.activation(outputs)

        def get_config(self) -> dict[str, Any]:
            return {**super().get_config(), "weight_bits": self.weight_bits}

    return FakeQuantConv2D, FakeQuantDense


def build_digit_cnn(weight_bits: int | None = None, filters: Sequence[int] = (16, 32), hidden: int = 128,
                    name: str | None = None) -> Any:
    """The digit CNN of this notebook; with ``weight_bits`` its kernels are fake-quantized (for QAT). Introduced in notebook 43."""
    import keras

    if len(filters) != 2 or hidden < 1:
        raise ValueError(f"filters must give two convolutions' filter counts and hidden >= 1, got {filters}, {hidden}")
    if weight_bits is None:
        conv, dense, extra = keras.layers.Conv2D, keras.layers.Dense, {}
    else:
        (conv, dense), extra = _fake_quant_layers(), {"weight_bits": _bits(weight_bits)}
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        conv(filters[0], 3, activation="relu", name="conv1", **extra), keras.layers.MaxPooling2D(2, name="pool1"),
        conv(filters[1], 3, activation="relu", name="conv2", **extra), keras.layers.MaxPooling2D(2, name="pool2"),
        keras.layers.Flatten(name="flatten"),
        dense(hidden, activation="relu", name="hidden", **extra),
        dense(10, activation="softmax", name="classes", **extra),
    ], name=name or ("digit_cnn" if weight_bits is None else f"digit_cnn_qat{weight_bits}"))


def simulated_accuracy(model: Any, x: Any, y: Any, weight_bits: int) -> float:
    """Accuracy of a float model whose kernels are rounded to ``weight_bits`` bits (per channel), weights restored after. Introduced in notebook 43."""
    y = np.asarray(y).ravel()
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)}")
    bits = _bits(weight_bits)
    saved = model.get_weights()
    try:
        rounded = []
        for weights in saved:
            if weights.ndim >= 2:  # kernels; biases stay in 32 bits, as in TFLite
                scale = symmetric_scale(weights, bits, axis=-1)
                qmax = integer_range(bits)[1]
                weights = (np.clip(np.round(weights / scale), -qmax, qmax) * scale).astype(weights.dtype)
            rounded.append(weights)
        model.set_weights(rounded)
        predicted = np.asarray(model.predict(x, verbose=0, batch_size=500)).argmax(axis=1)
    finally:
        model.set_weights(saved)
    return float(np.mean(predicted == y))


# --- the explorer ---------------------------------------------------------------------------------


def weight_quantization_explorer(weights: Any, bits: int = 8, clip: float = 1.0, name: str = "weights") -> Explorer:
    """Pick a bit width and a clipping range: a weight histogram, its quantization grid and the rounding error. Introduced in notebook 43."""
    weights = _finite(weights, "weights").ravel()
    if weights.size < 2:
        raise ValueError("weights must hold at least two numbers")
    _bits(bits)
    weight_quantization(weights, bits, clip)  # validates clip
    largest = float(np.abs(weights).max())
    shown = weights if weights.size <= 3000 else np.random.default_rng(0).choice(weights, 3000, replace=False)
    shown = np.append(shown, weights[np.argmax(np.abs(weights))])  # the sample keeps the same scale
    edges = np.linspace(-largest, largest, 121)
    counts_per_bin, _ = np.histogram(weights, bins=edges)  # once: the weights never change

    def draw(fig: Figure, bits: int, clip: float) -> str:
        result = weight_quantization(weights, bits, clip)
        sample = weight_quantization(shown, bits, clip)
        left, right = fig.subplots(1, 2)
        # one filled outline instead of 120 bar patches: the redraw stays fast
        left.stairs(counts_per_bin, edges, fill=True, color=PALETTE[0], alpha=0.55,
                    label="float32 weights")
        values, counts = np.unique(result["restored"], return_counts=True)
        left.vlines(values, 0, counts * (edges[1] - edges[0]) / max(result["scale"], 1e-12),
                    color=PALETTE[1], linewidth=1.2, label="quantized levels (height ∝ weights on it)")
        for sign in (-1, 1):
            left.axvline(sign * result["limit"], color=PALETTE[3], linestyle="--", linewidth=1)
        left.set(title=f"{name}: {result['levels']} levels, clip at ±{result['limit']:.3f}",
                 xlabel="weight value", ylabel="count per histogram bin")
        left.legend(loc="upper left", fontsize=7, framealpha=0.9)
        right.plot(shown, sample["error"], ".", markersize=2, color=PALETTE[2], alpha=0.5)
        right.axhline(0, color="grey", linewidth=0.8)
        for sign in (-1, 1):
            right.axvline(sign * result["limit"], color=PALETTE[3], linestyle="--", linewidth=1)
        right.set(title="Error of each weight (quantized − float)", xlabel="weight value",
                  ylabel="error (weight units)")
        return (f"{bits} bits, clip at {clip:.2f} × max|w|: scale {result['scale']:.2e}, "
                f"RMS error {result['rms_error']:.2e}, {result['clipped']:.1%} of the weights clipped, "
                f"signal-to-noise {result['sqnr_db']:.1f} dB")

    controls = {
        "bits": ipw.IntSlider(value=bits, min=2, max=8, step=1, description="bits", continuous_update=False),
        "clip": ipw.FloatSlider(value=clip, min=0.05, max=1.0, step=0.05, description="clip (× max|w|)",
                                continuous_update=False, readout_format=".2f"),
    }
    return Explorer(controls, draw, figsize=(9.0, 3.4))


# --- figures ---------------------------------------------------------------------------------------


def rounding_figure(low: float = -1.0, high: float = 2.0, bits: int = 3) -> Figure:
    """The affine round trip x -> q -> x̂ on [low, high] at ``bits`` bits, and its error. Introduced in notebook 43."""
    scale, zero_point = scale_and_zero_point(low, high, bits)
    qmin, qmax = integer_range(bits)
    x = np.linspace(min(low, 0.0) - 0.4 * (high - low), max(high, 0.0) + 0.4 * (high - low), 1201)
    restored = dequantize(quantize(x, scale, zero_point, bits), scale, zero_point)
    fig = Figure(figsize=(9.0, 3.4), dpi=90, layout="constrained")
    left, right = fig.subplots(1, 2)
    left.plot(x, x, color="grey", linewidth=0.8, linestyle=":", label="x (no rounding)")
    left.plot(x, restored, color=PALETTE[0], linewidth=1.6, label="scale · (q − zero point)")
    left.axvspan(low, high, color=PALETTE[2], alpha=0.12, label=f"calibrated range [{low:g}, {high:g}]")
    left.axhline(0, color="black", linewidth=0.5)
    left.set(title=f"{bits} bits: {qmax - qmin + 1} levels, scale {scale:.3f}, zero point {zero_point}",
             xlabel="real value x", ylabel="dequantized value x̂")
    left.legend(fontsize=8, loc="upper left")
    right.plot(x, restored - x, color=PALETTE[1], linewidth=1.2)
    for bound in (-scale / 2, scale / 2):
        right.axhline(bound, color=PALETTE[3], linestyle="--", linewidth=0.9)
    right.axvspan(low, high, color=PALETTE[2], alpha=0.12)
    right.set(title="Error x̂ − x: at most scale/2 inside the range",
              xlabel="real value x", ylabel="error (same units as x)")
    return fig


def comparison_figure(names: Sequence[str], size_kb: Sequence[float], latency_us: Sequence[float],
                      accuracy: Sequence[float]) -> Figure:
    """Three bar charts side by side: each model's file size, latency per image and test accuracy. Introduced in notebook 43."""
    columns = {"size_kb": size_kb, "latency_us": latency_us, "accuracy": accuracy}
    values = {key: _finite(column, key).ravel() for key, column in columns.items()}
    names = [str(name) for name in names]
    for key, column in values.items():
        if len(column) != len(names) or not names:
            raise ValueError(f"{key} must give one number per model ({len(names)} names), got {len(column)}")
    fig = Figure(figsize=(10.0, 3.3), dpi=90, layout="constrained")
    axes = fig.subplots(1, 3)
    colours = [PALETTE[k % len(PALETTE)] for k in range(len(names))]
    panels = [("size_kb", "File size", "kilobytes", "{:.0f}"),
              ("latency_us", "Latency, one image", "microseconds", "{:.0f}"),
              ("accuracy", "Test accuracy", "accuracy", "{:.3f}")]
    for ax, (key, title, unit, label) in zip(axes, panels):
        bars = ax.bar(range(len(names)), values[key], color=colours)
        ax.bar_label(bars, [label.format(v) for v in values[key]], fontsize=8)
        ax.set_xticks(range(len(names)), names, rotation=25, ha="right")
        ax.set(title=title, ylabel=unit)
        ax.margins(y=0.15)
    low = float(values["accuracy"].min())
    axes[2].set_ylim(max(0.0, low - 0.05), 1.0)
    return fig
