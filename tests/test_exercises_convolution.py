"""Notebook 20's exercise checks accept the solutions and reject plausible wrong answers with a hint."""

import math

import numpy as np
import pytest

from utils.exercises import nb20_convolution as ex


def todo(*args, **kwargs):
    raise NotImplementedError


def crash(*args, **kwargs):
    return 1 / 0


# --- exercise 1: output size ------------------------------------------------------------------

def test_output_size_solutions_pass():
    assert ex.evaluate_output_size(lambda n, f, p, s: (n + 2 * p - f) // s + 1).passed
    assert ex.evaluate_output_size(lambda n, f, p, s: math.floor((n + 2 * p - f) / s) + 1).passed
    assert ex.evaluate_output_size(lambda n, f, p, s: int(np.floor((n + 2 * p - f) / s)) + 1).passed
    assert ex.evaluate_output_size(lambda n, f, p, s: np.int64((n + 2 * p - f) // s + 1)).passed


def test_output_size_as_float_is_told_ints_are_expected():
    result = ex.evaluate_output_size(lambda n, f, p, s: np.floor((n + 2 * p - f) / s) + 1)
    assert not result.passed and "ints are expected" in result.message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda n, f, p, s: (n + 2 * p - f) // s, "add 1 after dividing"),
        (lambda n, f, p, s: (n + p - f) // s + 1, "BOTH sides"),
        (lambda n, f, p, s: (n - 2 * p - f) // s + 1, "not n − 2p"),
        (lambda n, f, p, s: (n + 2 * p - f) / s + 1, "round DOWN"),
        (lambda n, f, p, s: math.ceil((n + 2 * p - f) / s) + 1, "not up"),
        (lambda n, f, p, s: n + 2 * p - f + 1, "divide by the stride"),
        (lambda n, f, p, s: (n + 2 * p - f + 1) // s, "add 1 after dividing"),
    ],
)
def test_output_size_mistakes_get_hints(wrong, hint):
    result = ex.evaluate_output_size(wrong)
    assert not result.passed and "Hint" in result.message and hint in result.message, result.message


# --- exercise 2: one patch --------------------------------------------------------------------

def test_convolve_patch_solution_passes():
    assert ex.evaluate_convolve_patch(lambda x, k: np.sum(x * k)).passed
    assert ex.evaluate_convolve_patch(lambda x, k: float((x * k).sum())).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x, k: np.sum(x * k[::-1, ::-1]), "flipped the kernel"),
        (lambda x, k: np.mean(x * k), "not their mean"),
        (lambda x, k: x @ k, "not with the matrix product"),
        (lambda x, k: np.sum(x @ k), "then sum"),
        (lambda x, k: x * k, "result is one number"),
        (lambda x, k: np.sum(x * k.T), "transposed"),
    ],
)
def test_convolve_patch_mistakes_get_hints(wrong, hint):
    result = ex.evaluate_convolve_patch(wrong)
    assert not result.passed and "Hint" in result.message and hint in result.message, result.message


# --- exercise 3: max pooling ------------------------------------------------------------------

def loop_max_pool(feature_map, size=2, stride=2, reduce=np.max, start=None):
    rows = (feature_map.shape[0] - size) // stride + 1
    cols = (feature_map.shape[1] - size) // stride + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            window = feature_map[i * stride : i * stride + size, j * stride : j * stride + size]
            out[i, j] = reduce(window) if start is None else max(start, reduce(window))
    return out


def test_max_pool_solution_passes():
    assert ex.evaluate_max_pool(loop_max_pool).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x, size=2, stride=2: loop_max_pool(x, size, stride, np.mean), "average pooling"),
        (lambda x, size=2, stride=2: loop_max_pool(x, size, stride, np.min), "not the smallest"),
        (lambda x, size=2, stride=2: loop_max_pool(x, size, stride, np.sum), "not the sum"),
        (lambda x, size=2, stride=2: loop_max_pool(x, size, stride, lambda w: np.abs(w).max()), "abs()"),
        (lambda x, size=2, stride=2: loop_max_pool(x, size, stride, start=0.0), "negative maximum"),
        (lambda x, size=2, stride=2: loop_max_pool(x, size, 1), "not one cell at a time"),
        (lambda x, size=2, stride=2: loop_max_pool(x, size, size), "may differ from the window"),
    ],
)
def test_max_pool_mistakes_get_hints(wrong, hint):
    result = ex.evaluate_max_pool(wrong)
    assert not result.passed and "Hint" in result.message and hint in result.message, result.message


def test_max_pool_keeping_partial_windows_gets_a_hint():
    def ceil_mode(x, size=2, stride=2):
        rows = math.ceil((x.shape[0] - size) / stride) + 1
        cols = math.ceil((x.shape[1] - size) / stride) + 1
        return np.array([[x[i * stride : i * stride + size, j * stride : j * stride + size].max()
                          for j in range(cols)] for i in range(rows)])

    result = ex.evaluate_max_pool(ceil_mode)
    assert not result.passed and "hang over the edge" in result.message, result.message


# --- exercise 4: parameters of a Conv2D -------------------------------------------------------

def test_conv_parameters_solution_passes():
    assert ex.evaluate_conv_parameters(lambda f, c, k: (f * f * c + 1) * k).passed
    assert ex.evaluate_conv_parameters(lambda f, c, k: f * f * c * k + k).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda f, c, k: f * f * c * k, "one bias"),
        (lambda f, c, k: (f * f + 1) * k, "ALL input channels"),
        (lambda f, c, k: (f * f + 1) * c * k, "not one per input channel"),
        (lambda f, c, k: (f * c + 1) * k, "f² weights"),
        (lambda f, c, k: f * f * c * k + 1, "not one for the whole layer"),
        (lambda f, c, k: f * f * c + 1, "multiply by the number of filters"),
    ],
)
def test_conv_parameters_mistakes_get_hints(wrong, hint):
    result = ex.evaluate_conv_parameters(wrong)
    assert not result.passed and "Hint" in result.message and hint in result.message, result.message


# --- every check: not attempted, crashing, wrong type -----------------------------------------

@pytest.mark.parametrize(
    "evaluate", [ex.evaluate_output_size, ex.evaluate_convolve_patch, ex.evaluate_max_pool, ex.evaluate_conv_parameters]
)
def test_not_attempted_crashing_and_not_a_function(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    message = evaluate(crash).message
    assert message.startswith("❌") and "ZeroDivisionError" in message
    assert evaluate(42).message.startswith("❌") and "should be a function" in evaluate(42).message
    assert not evaluate(lambda *a, **k: None).passed
    assert not evaluate(lambda *a, **k: "five").passed


def test_check_functions_print(capsys):
    ex.check_output_size(lambda n, f, p, s: (n + 2 * p - f) // s + 1)
    ex.check_conv_parameters(todo)
    out = capsys.readouterr().out
    assert "✅" in out and "⏳" in out
