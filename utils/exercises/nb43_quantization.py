"""Exercises of notebook 43 (quantization: int8 scale and zero point, an integer dense layer)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.production import quantization

LOW, HIGH = -128, 127


def _quantize(x: Any, scale: float, zero_point: int) -> np.ndarray:
    return quantization.quantize(x, scale, zero_point)


def _divided(x: Any, scale: float) -> np.ndarray:
    return np.asarray(x, dtype=np.float64) / scale


@guarded
def evaluate_quantize(quantize: Callable[[Any, float, int], Any]) -> Result:
    """Evaluate ``quantize(x, scale, zero_point)``: clip(round(x / scale) + zero_point, -128, 127)."""
    first = np.array([-3.1, -1.234, -0.0862, 0.3333, 1.1119, 2.5, -0.0185])
    rng = np.random.default_rng(43)
    cases = [Case((first, 0.0123, -7)),
             Case((rng.normal(0, 1.0, size=(4, 5)), 0.02, 12)),
             Case((rng.uniform(0, 6, size=9), 6 / 255, -128))]
    mistakes = [
        Mistake("clip the result to the int8 range [-128, 127]: values beyond it must saturate at the ends.",
                lambda x, s, z: np.round(_divided(x, s)) + z),
        Mistake("divide by the scale (q = x / scale + zero point); multiplying by it goes the wrong way.",
                lambda x, s, z: np.clip(np.round(np.asarray(x) * s) + z, LOW, HIGH)),
        Mistake("ADD the zero point after dividing by the scale (q = round(x / s) + z); you subtracted it.",
                lambda x, s, z: np.clip(np.round(_divided(x, s)) - z, LOW, HIGH)),
        Mistake("add the zero point: without it the real number 0.0 does not land on the integer zero_point.",
                lambda x, s, z: np.clip(np.round(_divided(x, s)), LOW, HIGH)),
        Mistake("round to the NEAREST integer (np.round): np.floor always rounds down, a bias of half a step.",
                lambda x, s, z: np.clip(np.floor(_divided(x, s)) + z, LOW, HIGH)),
        Mistake("round to the nearest integer (np.round): astype(int) truncates towards zero.",
                lambda x, s, z: np.clip(_divided(x, s).astype(np.int64) + z, LOW, HIGH)),
        Mistake("add the zero point BEFORE clipping: the clipped range is the stored integers' range.",
                lambda x, s, z: np.clip(np.round(_divided(x, s)), LOW, HIGH) + z),
        Mistake("int8 runs from -128 to 127 (signed); you clipped to uint8's [0, 255].",
                lambda x, s, z: np.clip(np.round(_divided(x, s)) + z, 0, 255)),
    ]
    # whole numbers held as floats (np.round returns floats) are right; anything else is not,
    # so the comparison is exact (rtol = atol = 0) rather than integer-typed
    return evaluate_function(
        quantize, _quantize, cases, name="quantize", mistakes=mistakes, rtol=0.0, atol=0.0,
        check_dtype=False,
        success="Every float became one of 256 integers; dequantize with scale · (q - zero_point).",
    )


def _scale_zero(low: float, high: float) -> tuple[float, int]:
    return quantization.scale_and_zero_point(low, high)


def _with_zero(low: float, high: float) -> tuple[float, float]:
    return min(low, 0.0), max(high, 0.0)


def _affine(low: float, high: float, steps: float, qmin: float,
            rounder: Callable[[float], float] = np.round, sign: float = -1.0) -> tuple[float, float]:
    low, high = _with_zero(low, high)
    scale = (high - low) / steps
    return scale, float(rounder(qmin + sign * low / scale))


@guarded
def evaluate_scale_and_zero_point(scale_and_zero_point: Callable[[float, float], Any]) -> Result:
    """Evaluate ``scale_and_zero_point(low, high)``: the int8 affine scale and zero point of a range."""
    # no case puts the zero point exactly half-way between two integers, where valid ways of
    # rounding (np.round, round, floor(v + 0.5)) may disagree
    cases = [Case((-1.7, 5.3)), Case((-0.26, 0.05)), Case((0.4, 6.2)), Case((-6.0, -0.5)), Case((-2.0, 2.2))]
    mistakes = [
        Mistake("int8 has 256 values, so the range is split into 255 steps: scale = (high - low) / 255.",
                lambda lo, hi: _affine(lo, hi, 256, LOW)),
        Mistake("the whole range [-128, 127] is 255 steps, not 127: scale = (high - low) / 255.",
                lambda lo, hi: _affine(lo, hi, 127, LOW)),
        Mistake("the zero point is -128 - low / scale (low maps to -128); you added low / scale.",
                lambda lo, hi: _affine(lo, hi, 255, LOW, sign=1.0)),
        Mistake("round the zero point to an integer: it must be a stored int8 value so 0.0 is exact.",
                lambda lo, hi: _affine(lo, hi, 255, LOW, rounder=lambda v: v)),
        Mistake("low must map to -128, the smallest int8 (zero point = -128 - low / scale); "
                "you mapped it to 0, as for uint8.",
                lambda lo, hi: _affine(lo, hi, 255, 0)),
        Mistake("this is the affine (asymmetric) scheme: scale = (high - low) / 255 and a zero point; "
                "you gave the symmetric one, max(|low|, |high|) / 127 with zero point 0.",
                lambda lo, hi: (max(abs(lo), abs(hi)) / 127, 0.0)),
    ]
    return evaluate_function(
        scale_and_zero_point, _scale_zero, cases, name="scale_and_zero_point", mistakes=mistakes,
        check_dtype=False,
        success="low lands on -128, high on 127 and 0.0 on the zero point exactly.",
    )


def _dense(x_q: Any, x_zp: int, w_q: Any, b_q: Any, multiplier: Any, y_zp: int) -> np.ndarray:
    return quantization.dense_int8(x_q, x_zp, w_q, b_q, multiplier, y_zp)


CLIP_HINT = ("clip the result to [-128, 127] before storing it as int8 (astype wraps around, "
             "so 130 would become -126).")


def _acc(x_q: Any, x_zp: int, w_q: Any) -> np.ndarray:
    return (np.asarray(x_q, dtype=np.int64) - x_zp) @ np.asarray(w_q, dtype=np.int64)


def _layer(seed: int, n: int, n_in: int, n_out: int, x_zp: int, y_zp: int,
           per_channel: bool, largest: float = 0.003) -> tuple[Any, ...]:
    rng = np.random.default_rng(seed)
    x_q = rng.integers(-128, 128, size=(n, n_in)).astype(np.int8)
    w_q = rng.integers(-127, 128, size=(n_in, n_out)).astype(np.int8)
    b_q = rng.integers(-3000, 3000, size=n_out).astype(np.int32)
    size = n_out if per_channel else None
    multiplier = rng.uniform(0.0008, largest, size=size)
    return x_q, x_zp, w_q, b_q, multiplier, y_zp


@guarded
def evaluate_dense_int8(dense_int8: Callable[..., Any]) -> Result:
    """Evaluate ``dense_int8(x_q, x_zero_point, w_q, b_q, multiplier, y_zero_point)``: int32 sums, requantized."""
    cases = [Case(_layer(43, 3, 12, 5, -9, 6, True, largest=0.02)), Case(_layer(1, 4, 30, 3, 5, -20, False)),
             Case(_layer(2, 2, 64, 8, -128, -128, True))]
    mistakes = [
        Mistake("subtract the input zero point from x_q before multiplying: the real input is "
                "s_x · (x_q - x_zero_point).",
                lambda x, xz, w, b, m, yz: np.clip(np.round((_acc(x, 0, w) + b) * m) + yz, LOW, HIGH)),
        Mistake("SUBTRACT the input zero point (x_q - x_zero_point); you added it.",
                lambda x, xz, w, b, m, yz: np.clip(np.round((_acc(x, -xz, w) + b) * m) + yz, LOW, HIGH)),
        Mistake("add the int32 bias b_q to the sums before rescaling.",
                lambda x, xz, w, b, m, yz: np.clip(np.round(_acc(x, xz, w) * m) + yz, LOW, HIGH)),
        Mistake("the bias is already in the sums' scale (s_x · s_w): add it BEFORE multiplying by the "
                "multiplier, not after.",
                lambda x, xz, w, b, m, yz: np.clip(np.round(_acc(x, xz, w) * m + b) + yz, LOW, HIGH)),
        Mistake("add the output zero point y_zero_point after rescaling.",
                lambda x, xz, w, b, m, yz: np.clip(np.round((_acc(x, xz, w) + b) * m), LOW, HIGH)),
        Mistake("multiply the sums by the multiplier (s_x · s_w / s_y); you divided by it.",
                lambda x, xz, w, b, m, yz: np.clip(np.round((_acc(x, xz, w) + b) / m) + yz, LOW, HIGH)),
        Mistake(CLIP_HINT, lambda x, xz, w, b, m, yz: np.round((_acc(x, xz, w) + b) * m) + yz),
        Mistake(CLIP_HINT, lambda x, xz, w, b, m, yz: (np.round((_acc(x, xz, w) + b) * m) + yz)
                .astype(np.int64).astype(np.int8)),  # the same, stored without clipping: wrapped
        Mistake("accumulate in int32 (or int64), not int8: a sum of products of int8 values overflows "
                "int8 and wraps around. Cast with .astype(np.int32) first.",
                lambda x, xz, w, b, m, yz: np.clip(np.round(
                    (((np.asarray(x) - np.int8(xz)) @ np.asarray(w)).astype(np.int64) + b) * m) + yz,
                    LOW, HIGH)),
        Mistake("round to the nearest integer (np.round) after rescaling; astype(int) truncates.",
                lambda x, xz, w, b, m, yz: np.clip(((_acc(x, xz, w) + b) * m).astype(np.int64) + yz, LOW, HIGH)),
    ]
    return evaluate_function(
        dense_int8, _dense, cases, name="dense_int8", mistakes=mistakes, rtol=0.0, atol=0.0,
        check_dtype=False,
        axes=("example", "output unit"),
        success="Integer products, int32 sums and one multiply per output: an int8 Dense layer.",
    )


check_quantize = printer(evaluate_quantize)
check_scale_and_zero_point = printer(evaluate_scale_and_zero_point)
check_dense_int8 = printer(evaluate_dense_int8)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"quantize": 1, "scale_and_zero_point": 2, "dense_int8": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "quantize": ("tensorflow", "quantization.quantize"),
    "scale_and_zero_point": ("tensorflow", "quantization.scale_and_zero_point"),
    "dense_int8": ("tensorflow", "keras", "quantization.dense_int8"),
}
