"""Exercise checks of notebook 43 accept the solutions and valid variants and give each mistake its hint."""

import numpy as np
import pytest

from utils.exercises import nb43_quantization as ex


def todo(*args):
    raise NotImplementedError


def quantize(x, scale, zero_point):
    return np.clip(np.round(np.asarray(x) / scale) + zero_point, -128, 127).astype(np.int8)


def scale_and_zero_point(low, high):
    low, high = min(low, 0.0), max(high, 0.0)
    scale = (high - low) / 255
    return scale, int(round(-128 - low / scale))


def dense_int8(x_q, x_zero_point, w_q, b_q, multiplier, y_zero_point):
    acc = (x_q.astype(np.int32) - x_zero_point) @ w_q.astype(np.int32) + b_q
    return np.clip(np.round(acc * multiplier) + y_zero_point, -128, 127).astype(np.int8)


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_quantize, quantize),
    (ex.evaluate_quantize, lambda x, s, z: np.clip(np.rint(np.divide(x, s)) + z, -128, 127)),
    (ex.evaluate_scale_and_zero_point, scale_and_zero_point),
    (ex.evaluate_scale_and_zero_point,  # the zero point measured from the top end: the same number
     lambda lo, hi: ((max(hi, 0) - min(lo, 0)) / 255,
                     round(127 - max(hi, 0) / ((max(hi, 0) - min(lo, 0)) / 255)))),
    (ex.evaluate_dense_int8, dense_int8),
    (ex.evaluate_dense_int8, lambda x, xz, w, b, m, yz: np.clip(
        np.round((np.einsum("ni,io->no", x.astype(np.int64) - xz, w.astype(np.int64)) + b) * m) + yz,
        -128, 127)),
])
def test_solutions_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed and result.message.startswith("✅"), result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_quantize, ex.evaluate_scale_and_zero_point,
                                      ex.evaluate_dense_int8])
def test_todo_crash_none_and_nan_get_messages(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    crashed = evaluate(lambda *a: 1 / 0)
    assert not crashed.passed and "ZeroDivisionError" in crashed.message
    assert "return" in evaluate(lambda *a: None).message
    assert not evaluate(lambda *a: np.nan).passed


def _q(x, s, z, rounder=np.round, low=-128, high=127):
    return np.clip(rounder(np.asarray(x) / s) + z, low, high)


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, s, z: np.round(np.asarray(x) / s) + z, "saturate"),
    (lambda x, s, z: _q(np.asarray(x) * s * s, s, z), "multiplying"),
    (lambda x, s, z: _q(x, s, -z), "you subtracted it"),
    (lambda x, s, z: _q(x, s, 0), "add the zero point"),
    (lambda x, s, z: _q(x, s, z, rounder=np.floor), "np.floor"),
    (lambda x, s, z: _q(x, s, z, rounder=np.trunc), "truncates"),
    (lambda x, s, z: np.clip(np.round(np.asarray(x) / s), -128, 127) + z, "BEFORE clipping"),
    (lambda x, s, z: _q(x, s, z, low=0, high=255), "uint8"),
])
def test_quantize_mistakes(wrong, hint):
    result = ex.evaluate_quantize(wrong)
    assert not result.passed and hint in result.message, result.message


def _sz(lo, hi, steps=255, qmin=-128, sign=-1, rounder=round):
    lo, hi = min(lo, 0), max(hi, 0)
    scale = (hi - lo) / steps
    return scale, rounder(qmin + sign * lo / scale)


@pytest.mark.parametrize("wrong, hint", [
    (lambda lo, hi: _sz(lo, hi, steps=256), "255 steps"),
    (lambda lo, hi: _sz(lo, hi, steps=127), "not 127"),
    (lambda lo, hi: _sz(lo, hi, sign=1), "you added low / scale"),
    (lambda lo, hi: _sz(lo, hi, rounder=float), "round the zero point"),
    (lambda lo, hi: _sz(lo, hi, qmin=0), "uint8"),
    (lambda lo, hi: (max(abs(lo), abs(hi)) / 127, 0), "symmetric"),
])
def test_scale_and_zero_point_mistakes(wrong, hint):
    result = ex.evaluate_scale_and_zero_point(wrong)
    assert not result.passed and hint in result.message, result.message


def test_forgetting_to_widen_the_range_fails():
    def unwidened(low, high):
        scale = (high - low) / 255
        return scale, round(-128 - low / scale)

    assert not ex.evaluate_scale_and_zero_point(unwidened).passed


def _sums(x, xz, w):
    return (x.astype(np.int64) - xz) @ w.astype(np.int64)


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, xz, w, b, m, yz: np.clip(np.round((_sums(x, 0, w) + b) * m) + yz, -128, 127),
     "subtract the input zero point"),
    (lambda x, xz, w, b, m, yz: np.clip(np.round((_sums(x, -xz, w) + b) * m) + yz, -128, 127), "you added it"),
    (lambda x, xz, w, b, m, yz: np.clip(np.round(_sums(x, xz, w) * m) + yz, -128, 127), "add the int32 bias"),
    (lambda x, xz, w, b, m, yz: np.clip(np.round(_sums(x, xz, w) * m + b) + yz, -128, 127), "BEFORE multiplying"),
    (lambda x, xz, w, b, m, yz: np.clip(np.round((_sums(x, xz, w) + b) * m), -128, 127), "output zero point"),
    (lambda x, xz, w, b, m, yz: np.clip(np.round((_sums(x, xz, w) + b) / m) + yz, -128, 127), "you divided"),
    (lambda x, xz, w, b, m, yz: (np.round((_sums(x, xz, w) + b) * m) + yz).astype(np.int8), "clip the result"),
    (lambda x, xz, w, b, m, yz: np.clip(np.round(((x - np.int8(xz)) @ w + b) * m) + yz, -128, 127),
     "accumulate in int32"),
    (lambda x, xz, w, b, m, yz: np.clip(np.trunc((_sums(x, xz, w) + b) * m) + yz, -128, 127), "truncates"),
])
def test_dense_int8_mistakes(wrong, hint):
    with np.errstate(over="ignore"):
        result = ex.evaluate_dense_int8(wrong)
    assert not result.passed and hint in result.message, result.message


def test_points_and_not_allowed_cover_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"quantize", "scale_and_zero_point", "dense_int8"}


def test_whole_numbers_as_floats_pass_but_unrounded_values_fail():
    as_floats = ex.evaluate_quantize(lambda x, s, z: np.clip(np.round(np.asarray(x) / s) + z, -128, 127)
                                     .astype(np.float64))
    assert as_floats.passed, as_floats.message
    unrounded = ex.evaluate_quantize(lambda x, s, z: np.clip(np.asarray(x) / s + z, -128, 127))
    assert not unrounded.passed
    off_by_a_little = ex.evaluate_dense_int8(lambda *a: dense_int8(*a).astype(np.float64) + 1e-4)
    assert not off_by_a_little.passed  # the comparison of integer codes is exact


def test_the_wrapped_int8_store_gets_the_clip_hint():
    def wrapped(x, xz, w, b, m, yz):
        return (np.round((_sums(x, xz, w) + b) * m) + yz).astype(np.int64).astype(np.int8)

    result = ex.evaluate_dense_int8(wrapped)
    assert not result.passed and "clip the result" in result.message
