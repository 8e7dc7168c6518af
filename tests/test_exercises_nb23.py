"""Notebook 23's exercise checks accept the solutions and reject plausible wrong answers with a hint."""

import math

import numpy as np
import pytest
import tensorflow as tf

from utils.exercises import nb23_architectures as ex


def todo(*args, **kwargs):
    raise NotImplementedError


def crash(*args, **kwargs):
    return 1 / 0


def out(n, s):
    return math.ceil(n / s)


# --- exercise 1: MACs of a convolution ----------------------------------------------------------

def test_conv_macs_solutions_pass():
    assert ex.evaluate_conv_macs(lambda n, f, c, k, s: out(n, s) ** 2 * f * f * c * k).passed
    assert ex.evaluate_conv_macs(lambda n, f, c, k, s: int(-(-n // s)) ** 2 * f**2 * c * k).passed
    assert ex.evaluate_conv_macs(lambda n, f, c, k, s: np.int64(out(n, s)) ** 2 * f * f * c * k).passed
    assert ex.evaluate_conv_macs(lambda n, f, c, k, s: tf.constant(out(n, s) ** 2 * f * f * c * k)).passed
    assert ex.evaluate_conv_macs(lambda n, f, c, k, s: [out(n, s) ** 2 * f * f * c * k]).passed


def test_conv_macs_as_float_is_told_ints_are_expected():
    result = ex.evaluate_conv_macs(lambda n, f, c, k, s: float(out(n, s) ** 2 * f * f * c * k))
    assert not result.passed and "ints are expected" in result.message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda n, f, c, k, s: n * n * f * f * c * k, "not the input side"),
        (lambda n, f, c, k, s: (n // s) ** 2 * f * f * c * k, "round UP"),
        (lambda n, f, c, k, s: out(n, s) ** 2 * f * f * k, "ALL input channels"),
        (lambda n, f, c, k, s: out(n, s) ** 2 * f * c * k, "f² weights"),
        (lambda n, f, c, k, s: out(n, s) * f * f * c * k, "square the output side"),
        (lambda n, f, c, k, s: out(n, s) ** 2 * f * f * c, "number of filters"),
        (lambda n, f, c, k, s: out(n, s) ** 2 * (f * f * c + 1) * k, "bias is an addition"),
        (lambda n, f, c, k, s: (f * f * c + 1) * k, "number of parameters"),
    ],
)
def test_conv_macs_mistakes_get_hints(wrong, hint):
    result = ex.evaluate_conv_macs(wrong)
    assert not result.passed and "Hint" in result.message and hint in result.message, result.message


# --- exercise 2: a residual block's parameters --------------------------------------------------

def right_residual(c, k, f, s):
    main = f * f * c * k + 4 * k + f * f * k * k + 4 * k
    return main + ((c * k + 4 * k) if (s != 1 or c != k) else 0)


def main_path(c, k, f):
    return f * f * c * k + 4 * k + f * f * k * k + 4 * k


def needs(c, k, s):
    return s != 1 or c != k


def test_residual_solutions_pass():
    assert ex.evaluate_residual_block_parameters(right_residual).passed
    assert ex.evaluate_residual_block_parameters(lambda c, k, f, s: np.int64(right_residual(c, k, f, s))).passed


def test_residual_matches_keras_count_params():
    from utils.vision import architectures

    for c, k, f, s in [(32, 64, 3, 2), (16, 16, 3, 1), (64, 64, 3, 2), (24, 40, 5, 1)]:
        assert right_residual(c, k, f, s) == architectures.build_block("residual", 12, c, k, f, s).count_params()


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda c, k, f, s: main_path(c, k, f), "projected by a 1×1"),
        (lambda c, k, f, s: (f * f * c * k + 2 * k + f * f * k * k + 2 * k
                             + (c * k + 2 * k if needs(c, k, s) else 0)), "4 per channel, not 2"),
        (lambda c, k, f, s: right_residual(c, k, f, s) + 2 * k + (k if needs(c, k, s) else 0), "no bias"),
        (lambda c, k, f, s: 2 * f * f * c * k + 8 * k + (c * k + 4 * k if needs(c, k, s) else 0),
         "FIRST one's output"),
        (lambda c, k, f, s: main_path(c, k, f) + (f * f * c * k + 4 * k if needs(c, k, s) else 0),
         "not f·f times"),
        (lambda c, k, f, s: main_path(c, k, f) + (c * k if needs(c, k, s) else 0), "its own batch"),
    ],
)
def test_residual_mistakes_get_hints(wrong, hint):
    result = ex.evaluate_residual_block_parameters(wrong)
    assert not result.passed and "Hint" in result.message and hint in result.message, result.message


@pytest.mark.parametrize(
    "wrong",
    [
        lambda c, k, f, s: main_path(c, k, f) + (c * k + 4 * k if c != k else 0),  # ignores the stride
        lambda c, k, f, s: main_path(c, k, f) + c * k + 4 * k,  # always projects
    ],
)
def test_residual_wrong_shortcut_rule_fails_naming_the_input(wrong):
    result = ex.evaluate_residual_block_parameters(wrong)
    assert not result.passed and "for input (" in result.message, result.message


# --- exercise 3: a separable convolution's parameters -------------------------------------------

def test_separable_solutions_pass():
    assert ex.evaluate_separable_parameters(lambda f, c, k: f * f * c + c * k + k).passed
    assert ex.evaluate_separable_parameters(lambda f, c, k: f**2 * c + (c + 1) * k).passed
    assert ex.evaluate_separable_parameters(lambda f, c, k: np.array([f * f * c + c * k + k])).passed


def test_separable_matches_keras():
    import keras

    for f, c, k in [(5, 16, 32), (3, 3, 16), (1, 8, 8)]:
        layer = keras.layers.SeparableConv2D(k, f)
        layer.build((None, 9, 9, c))
        assert f * f * c + c * k + k == layer.count_params()


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda f, c, k: f * f * c * k + c * k + k, "does NOT mix channels"),
        (lambda f, c, k: (f * f * c + 1) * k, "ordinary Conv2D"),
        (lambda f, c, k: f * f * c + c * k, "one bias per filter"),
        (lambda f, c, k: f * f * c + c + c * k + k, "depthwise filters have none"),
        (lambda f, c, k: f * f + c * k + k, "multiply f² by in_channels"),
        (lambda f, c, k: f * f * c + k + k, "in_channels·filters"),
        (lambda f, c, k: f * f * c, "only the depthwise step"),
    ],
)
def test_separable_mistakes_get_hints(wrong, hint):
    result = ex.evaluate_separable_parameters(wrong)
    assert not result.passed and "Hint" in result.message and hint in result.message, result.message


# --- every check: not attempted, crashing, NaN, wrong type ---------------------------------------

@pytest.mark.parametrize("evaluate", [ex.evaluate_conv_macs, ex.evaluate_residual_block_parameters,
                                      ex.evaluate_separable_parameters])
def test_broken_answers_get_messages_not_tracebacks(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    for broken in (crash, lambda *a: None, lambda *a: float("nan"), lambda *a: "12", 42):
        result = evaluate(broken)
        assert not result.passed and result.message.startswith("❌"), result.message


def test_points_and_not_allowed_cover_every_exercise():
    names = {"conv_macs", "residual_block_parameters", "separable_parameters"}
    assert set(ex.POINTS) == names and set(ex.NOT_ALLOWED) == names
