"""Quantization helpers of notebook 43: int8 arithmetic in NumPy, the TFLite converter, the LiteRT
interpreter (and its fallback), fake-quant layers, the figures and the bit-width explorer."""

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from utils.production import quantization as qz  # noqa: E402

RNG = np.random.default_rng(43)


# --- scale, zero point, quantize and dequantize ---------------------------------------------------


def test_integer_range_and_bad_bits():
    assert qz.integer_range(8) == (-128, 127)
    assert qz.integer_range(2) == (-2, 1)
    assert qz.integer_range(16) == (-32768, 32767)
    for bits in (1, 17, 8.0, True, "8"):
        with pytest.raises(ValueError, match="bits must be an integer from 2 to 16"):
            qz.integer_range(bits)


def test_scale_and_zero_point_maps_the_ends_and_keeps_zero_exact():
    scale, zero_point = qz.scale_and_zero_point(-1.7, 5.3)
    assert np.isclose(scale, 7.0 / 255) and isinstance(zero_point, int)
    assert zero_point == round(-128 + 1.7 / scale)
    q = qz.quantize([-1.7, 0.0, 5.3], scale, zero_point)
    assert q[0] == -128 and q[2] == 127 and q[1] == zero_point
    assert qz.dequantize(q[1:2], scale, zero_point)[0] == 0.0
    # a range that excludes 0 is widened to contain it
    assert qz.scale_and_zero_point(0.4, 6.2) == pytest.approx((6.2 / 255, -128))
    assert qz.scale_and_zero_point(-6.0, -0.5) == pytest.approx((6.0 / 255, 127))
    assert qz.scale_and_zero_point(0.0, 0.0) == (1.0, 0)
    low_bits = qz.scale_and_zero_point(-1.0, 2.0, bits=3)
    assert low_bits == pytest.approx((3.0 / 7, -2))


@pytest.mark.parametrize("low, high, match", [(2.0, 1.0, "low must not exceed high"),
                                              (np.nan, 1.0, "low must be finite"),
                                              (0.0, np.inf, "high must be finite")])
def test_scale_and_zero_point_bad_inputs(low, high, match):
    with pytest.raises(ValueError, match=match):
        qz.scale_and_zero_point(low, high)


def test_symmetric_scale_per_tensor_and_per_channel():
    w = np.array([[0.5, -2.54], [-1.27, 0.1], [0.0, 0.0]]).T  # (2, 3): the last axis is the channel
    assert np.isclose(qz.symmetric_scale(w), 2.54 / 127)
    assert np.allclose(qz.symmetric_scale(w, axis=-1), [2.54 / 127, 1.27 / 127, 1.0])  # all-zero: 1
    assert np.allclose(qz.symmetric_scale(w, bits=4, axis=1), [2.54 / 7, 1.27 / 7, 1.0])
    assert np.allclose(qz.symmetric_scale(w, axis=0), [1.27 / 127, 2.54 / 127])
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        qz.symmetric_scale(w, axis=2)
    with pytest.raises(ValueError, match="values must be finite"):
        qz.symmetric_scale([1.0, np.nan])


def test_quantize_round_trip_error_is_at_most_half_a_step_and_clips():
    x = RNG.uniform(-1.0, 3.0, size=1000)
    scale, zero_point = qz.scale_and_zero_point(-1.0, 3.0)
    q = qz.quantize(x, scale, zero_point)
    assert q.dtype == np.int32 and q.min() >= -128 and q.max() <= 127
    assert np.max(np.abs(qz.dequantize(q, scale, zero_point) - x)) <= scale / 2 + 1e-12
    assert list(qz.quantize([-50.0, 50.0], scale, zero_point)) == [-128, 127]
    assert list(qz.quantize([-50.0, 50.0], 1.0, 0, bits=4)) == [-8, 7]
    per_channel = qz.quantize(np.ones((2, 3)), np.array([0.5, 0.25, 1.0]), 0)
    assert per_channel.tolist() == [[2, 4, 1], [2, 4, 1]]


def test_quantize_and_dequantize_bad_inputs():
    with pytest.raises(ValueError, match="scale must be positive"):
        qz.quantize([1.0], 0.0, 0)
    with pytest.raises(ValueError, match="x must be finite"):
        qz.quantize([np.nan], 0.1, 0)
    with pytest.raises(ValueError, match="q must hold integers"):
        qz.dequantize([1.5], 0.1, 0)


# --- TFLite's fixed-point multiplier and the int8 dense layer -------------------------------------


def test_quantize_multiplier_reconstructs_the_real_multiplier():
    multipliers = np.array([0.5, 0.75, 1e-4, 3.7e-3, 0.999999999999, 2.5, 0.0])
    fixed, shift = qz.quantize_multiplier(multipliers)
    nonzero = multipliers > 0
    assert np.all((fixed[nonzero] >= 2 ** 30) & (fixed[nonzero] < 2 ** 31))
    rebuilt = fixed * 2.0 ** (shift - 31)
    assert np.allclose(rebuilt, multipliers, rtol=2.0 ** -30, atol=0)
    assert fixed[-1] == 0 and shift[-1] == 0
    with pytest.raises(ValueError, match="multiplier must be non-negative"):
        qz.quantize_multiplier([-0.1])


def test_integer_rescaling_rounds_like_a_float_multiply_except_at_ties():
    acc = RNG.integers(-2 ** 20, 2 ** 20, size=5000)
    multiplier = 3.7e-4
    integer = qz.multiply_by_quantized_multiplier(acc, *qz.quantize_multiplier(multiplier))
    assert np.max(np.abs(integer - np.round(acc * multiplier))) <= 1
    assert np.mean(integer == np.round(acc * multiplier)) > 0.99
    # at an exact half the high multiply's nudge rounds up (towards +inf), as gemmlowp's does
    halves = qz.multiply_by_quantized_multiplier(np.array([3, -3, 5, 4]), *qz.quantize_multiplier(0.5))
    assert halves.tolist() == [2, -1, 3, 2]
    # a right shift (multiplier below 1/2) rounds half away from zero
    quarter = qz.multiply_by_quantized_multiplier(np.array([2, -2, 6]), *qz.quantize_multiplier(0.25))
    assert quarter.tolist() == [1, -1, 2]
    with pytest.raises(ValueError, match="acc must hold integers"):
        qz.multiply_by_quantized_multiplier(np.array([1.0]), 2 ** 30, 0)


def test_dense_int8_by_hand():
    x_q = np.array([[10, -5, 0]], dtype=np.int8)
    w_q = np.array([[1, -2], [3, 0], [-1, 4]], dtype=np.int8)
    b_q = np.array([100, -100], dtype=np.int32)
    # sums: (10+2)*1 + (-5+2)*3 + (0+2)*(-1) + 100 = 101;  (12)*(-2) + 0 + 2*4 - 100 = -116
    y = qz.dense_int8(x_q, -2, w_q, b_q, 0.5, 3)
    assert y.dtype == np.int8 and y.tolist() == [[round(101 * 0.5) + 3, round(-116 * 0.5) + 3]]
    relu = qz.dense_int8(x_q, -2, w_q, b_q, 0.5, 3, relu=True)
    assert relu.tolist() == [[53, 3]]  # the negative output stops at the code of 0.0
    big = qz.dense_int8(x_q, -2, w_q, b_q, np.array([10.0, 10.0]), 0)
    assert big.tolist() == [[127, -128]]  # saturates instead of wrapping
    fixed = qz.dense_int8(x_q, -2, w_q, b_q, np.array([0.37, 0.21]), 3, fixed_point=True)
    assert np.abs(fixed.astype(int) - qz.dense_int8(x_q, -2, w_q, b_q, np.array([0.37, 0.21]), 3)).max() <= 1


def test_dense_int8_bad_inputs():
    x_q, w_q, b_q = np.zeros((2, 3), np.int8), np.zeros((3, 4), np.int8), np.zeros(4, np.int32)
    with pytest.raises(ValueError, match="x_q must hold integers"):
        qz.dense_int8(x_q.astype(float), 0, w_q, b_q, 0.1, 0)
    with pytest.raises(ValueError, match="do not chain"):
        qz.dense_int8(x_q, 0, w_q.T, b_q, 0.1, 0)
    with pytest.raises(ValueError, match=r"b_q must have shape \(4,\)"):
        qz.dense_int8(x_q, 0, w_q, b_q[:3], 0.1, 0)
    with pytest.raises(ValueError, match="multiplier must be finite"):
        qz.dense_int8(x_q, 0, w_q, b_q, np.nan, 0)


def test_weight_quantization_levels_error_and_clipping():
    weights = RNG.normal(0, 0.05, size=5000)
    eight = qz.weight_quantization(weights, bits=8)
    four = qz.weight_quantization(weights, bits=4)
    assert eight["levels"] == 255 and four["levels"] == 15
    assert eight["clipped"] == 0.0 and eight["rms_error"] < four["rms_error"]
    assert 20 < eight["sqnr_db"] - four["sqnr_db"] < 28  # about 6 dB per bit
    assert np.max(np.abs(eight["error"])) <= eight["scale"] / 2 + 1e-12
    clipped = qz.weight_quantization(weights, bits=4, clip=0.3)
    assert clipped["limit"] == pytest.approx(0.3 * np.abs(weights).max()) and clipped["clipped"] > 0
    assert len(np.unique(clipped["restored"])) <= 15
    with pytest.raises(ValueError, match=r"clip must be in \(0, 1\]"):
        qz.weight_quantization(weights, clip=0.0)
    with pytest.raises(ValueError, match="weights must not be empty"):
        qz.weight_quantization([])


# --- the converter and the interpreter -----------------------------------------------------------


def test_representative_images_yields_single_float32_batches():
    images = RNG.uniform(size=(10, 4, 4, 1))
    batches = list(qz.representative_images(images, count=3)())
    assert len(batches) == 3 and all(len(b) == 1 and b[0].shape == (1, 4, 4, 1) for b in batches)
    assert batches[0][0].dtype == np.float32 and np.allclose(batches[2][0][0], images[2])
    with pytest.raises(ValueError, match="count must be from 1 to 10"):
        qz.representative_images(images, count=11)
    with pytest.raises(ValueError, match="non-empty batch"):
        qz.representative_images(np.zeros(5))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A small trained-looking dense model, exported and converted in every mode."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((32,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    rng = np.random.default_rng(0)
    model.layers[0].bias.assign(rng.normal(0, 0.3, size=64).astype(np.float32))
    model.layers[1].bias.assign(rng.normal(0, 0.3, size=3).astype(np.float32))
    x = rng.uniform(-1, 1, size=(64, 32)).astype(np.float32)
    path = tmp_path_factory.mktemp("tiny") / "saved"
    model.export(path, verbose=False)
    flat = {mode: qz.convert(path, mode, qz.representative_images(x, 32) if mode == "int8" else None)
            for mode in qz.MODES}
    return model, x, path, flat


def test_convert_every_mode_smaller_for_fewer_bits(tiny):
    _, _, _, flat = tiny
    sizes = {mode: qz.model_size(content) for mode, content in flat.items()}
    assert sizes["float16"] < sizes["float32"] and sizes["int8"] < sizes["float32"]
    assert all(content[4:8] == b"TFL3" for content in flat.values())  # the flatbuffer's identifier


def test_convert_bad_inputs(tiny, tmp_path):
    _, _, path, _ = tiny
    with pytest.raises(ValueError, match="unknown mode 'int4'"):
        qz.convert(path, "int4")
    with pytest.raises(ValueError, match="is not a directory"):
        qz.convert(tmp_path / "missing", "float32")
    with pytest.raises(ValueError, match="int8 needs a representative dataset"):
        qz.convert(path, "int8")


def test_interpreters_predict_what_keras_predicts(tiny):
    model, x, _, flat = tiny
    expected = model.predict(x, verbose=0)
    for mode, tolerance in (("float32", 1e-5), ("float16", 5e-3), ("int8", 0.05)):
        interpreter = qz.make_interpreter(flat[mode])
        got = qz.predict(interpreter, x)
        assert got.shape == expected.shape and np.max(np.abs(got - expected)) < tolerance, mode
    int8 = qz.make_interpreter(flat["int8"])
    assert int8.get_input_details()[0]["dtype"] == np.int8
    assert qz.predict(int8, x[:5]).shape == (5, 3)  # the input is resized to each batch


def test_hand_written_layers_equal_both_kinds_of_kernels(tiny):
    _, x, _, flat = tiny
    for kernels, fixed_point in (("default", False), ("builtin", True)):
        interpreter = qz.make_interpreter(flat["int8"], keep_all_tensors=True, kernels=kernels)
        qz.predict(interpreter, x)
        for which, relu in ((0, True), (-1, False)):
            layer = qz.fully_connected_layer(interpreter, which)
            assert layer["w_q"].shape == ((32, 64) if which == 0 else (64, 3))
            assert layer["b_q"].dtype == np.int32 and np.any(layer["b_q"] != 0)
            multiplier = layer["x_scale"] * layer["w_scale"] / layer["y_scale"]
            ours = qz.dense_int8(layer["x_q"], layer["x_zero_point"], layer["w_q"], layer["b_q"],
                                 multiplier, layer["y_zero_point"], relu=relu, fixed_point=fixed_point)
            assert np.array_equal(ours, layer["y_q"]), (kernels, which)


def test_interpreter_helpers_bad_inputs(tiny):
    _, x, _, flat = tiny
    with pytest.raises(ValueError, match="model_content must be the bytes"):
        qz.make_interpreter(b"")
    with pytest.raises(ValueError, match="unknown kernels 'gpu'"):
        qz.make_interpreter(flat["float32"], kernels="gpu")
    interpreter = qz.make_interpreter(flat["float32"], keep_all_tensors=True)
    with pytest.raises(ValueError, match=r"x must have shape \(n, 32\)"):
        qz.predict(interpreter, np.zeros((2, 5)))
    with pytest.raises(ValueError, match="x must be finite"):
        qz.predict(interpreter, np.full((2, 32), np.nan))
    with pytest.raises(ValueError, match=r"x_one must be one input of shape \(32,\)"):
        qz.invoke_one(interpreter, x[:2])
    qz.predict(interpreter, x)
    with pytest.raises(ValueError, match="not int8-quantized"):
        qz.fully_connected_layer(interpreter, 0)
    with pytest.raises(ValueError, match="which must pick one of the 2"):
        qz.fully_connected_layer(interpreter, 2)
    with pytest.raises(ValueError, match="content must be bytes"):
        qz.model_size("model.tflite")


def test_operators_and_timing(tiny):
    _, x, _, flat = tiny
    interpreter = qz.make_interpreter(flat["int8"])
    names = [op["op_name"] for op in qz.operators(interpreter)]
    assert names.count("FULLY_CONNECTED") == 2 and "DELEGATE" not in names
    call = qz.invoke_one(interpreter, x[0])
    assert qz.seconds_per_call(call, repeats=3) > 0
    ticks = iter(np.arange(0.0, 100.0, 0.5))
    assert qz.seconds_per_call(lambda: None, repeats=4, clock=lambda: next(ticks)) == 0.5
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        qz.seconds_per_call(lambda: None, repeats=0)


def test_interpreter_falls_back_to_tf_lite_with_a_printed_note(monkeypatch, capsys, tiny):
    _, x, _, flat = tiny
    real_import = qz.importlib.import_module

    def no_litert(name, *args):
        if name == qz.LITERT:
            raise ImportError("No module named 'ai_edge_litert'")
        return real_import(name, *args)

    qz._interpreter_module.cache_clear()
    monkeypatch.setattr(qz.importlib, "import_module", no_litert)
    try:
        interpreter_type, description = qz.interpreter_class()
        assert interpreter_type is tf.lite.Interpreter and "fallback" in description
        assert "ai-edge-litert is not installed" in capsys.readouterr().out
        interpreter = qz.make_interpreter(flat["int8"], kernels="builtin")
        assert qz.predict(interpreter, x[:4]).shape == (4, 3)
    finally:
        monkeypatch.undo()
        qz._interpreter_module.cache_clear()
    assert "LiteRT" in qz.interpreter_class()[1]


# --- fake quantization and the digit CNN ---------------------------------------------------------


def test_fake_quantize_rounds_forward_and_passes_gradients_straight_through():
    w = tf.constant(RNG.normal(size=(3, 3, 4, 5)).astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch(w)
        out = qz.fake_quantize(w, bits=3, axis=-1)
        loss = tf.reduce_sum(out * tf.range(5, dtype=tf.float32))
    grad = tape.gradient(loss, w).numpy()
    assert np.allclose(grad, np.broadcast_to(np.arange(5.0), w.shape))
    levels = out.numpy() / (np.abs(w.numpy()).max(axis=(0, 1, 2)) / 3)
    assert np.allclose(levels, np.round(levels), atol=1e-4) and np.abs(levels).max() <= 3 + 1e-4
    largest = np.abs(w.numpy()).max(axis=(0, 1, 2))
    theirs = tf.quantization.fake_quant_with_min_max_vars_per_channel(
        w, min=-largest, max=largest, num_bits=3, narrow_range=True).numpy()
    assert np.allclose(out.numpy(), theirs, atol=1e-6)
    whole = qz.fake_quantize(w, bits=8).numpy()
    assert np.max(np.abs(whole - w.numpy())) <= np.abs(w.numpy()).max() / 127 / 2 + 1e-6


def test_digit_cnn_float_and_fake_quantized():
    model = qz.build_digit_cnn()
    assert model.count_params() == 108_618 and model.name == "digit_cnn"
    qat = qz.build_digit_cnn(weight_bits=4)
    assert qat.name == "digit_cnn_qat4" and qat.count_params() == 108_618
    qat.set_weights(model.get_weights())
    assert qat.get_layer("hidden").get_config()["weight_bits"] == 4
    images = RNG.uniform(size=(6, 28, 28, 1)).astype(np.float32)
    labels = np.argmax(model.predict(images, verbose=0), axis=1)
    # rounding the float model's kernels gives what the fake-quantized model computes
    saved = [w.copy() for w in model.get_weights()]
    qat_labels = np.argmax(qat.predict(images, verbose=0), axis=1)
    assert qz.simulated_accuracy(model, images, qat_labels, 4) == 1.0
    assert all(np.array_equal(a, b) for a, b in zip(saved, model.get_weights()))  # restored
    assert labels.shape == (6,)
    with pytest.raises(ValueError, match="filters must give two convolutions"):
        qz.build_digit_cnn(filters=(8,))
    with pytest.raises(ValueError, match="bits must be an integer"):
        qz.build_digit_cnn(weight_bits=1)
    with pytest.raises(ValueError, match="x has 6 examples but y has 5"):
        qz.simulated_accuracy(model, images, labels[:5], 8)


# --- figures and the explorer --------------------------------------------------------------------


def test_figures_have_titled_labelled_panels():
    rounding = qz.rounding_figure(-1.0, 2.0, bits=3)
    assert len(rounding.axes) == 2 and "8 levels" in rounding.axes[0].get_title()
    comparison = qz.comparison_figure(["float32", "int8"], [400.0, 110.0], [25.0, 15.0], [0.97, 0.969])
    assert [ax.get_title() for ax in comparison.axes] == ["File size", "Latency, one image", "Test accuracy"]
    assert all(ax.get_ylabel() for ax in comparison.axes)
    with pytest.raises(ValueError, match="latency_us must give one number per model"):
        qz.comparison_figure(["float32", "int8"], [400.0, 110.0], [25.0], [0.97, 0.969])
    with pytest.raises(ValueError, match="accuracy must be finite"):
        qz.comparison_figure(["float32"], [400.0], [25.0], [np.nan])


def test_explorer_redraws_and_reports_the_error():
    weights = RNG.normal(0, 0.05, size=(200, 30))
    explorer = qz.weight_quantization_explorer(weights, bits=4, name="test layer")
    assert "4 bits" in explorer.status.value and "15 levels" in explorer.figure.axes[0].get_title()
    before, count = explorer.view.value, explorer.draw_count
    explorer.controls["bits"].value = 2
    assert explorer.draw_count == count + 1 and explorer.view.value != before
    assert "2 bits" in explorer.status.value
    explorer.controls["clip"].value = 0.5
    assert "clip at 0.50" in explorer.status.value
    with pytest.raises(ValueError, match="at least two numbers"):
        qz.weight_quantization_explorer([0.1])
    with pytest.raises(ValueError, match="clip must be in"):
        qz.weight_quantization_explorer(weights, clip=1.5)
    with pytest.raises(ValueError, match="weights must be finite"):
        qz.weight_quantization_explorer([0.1, np.nan])


def test_native_notices_on_file_descriptor_2_are_hidden_then_restored(capfd):
    import os

    with qz._native_stderr_hidden():
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"
