"""Exercises of notebook 23 (CNN architectures): a convolution's MACs, a residual block's and a separable convolution's parameters."""

from __future__ import annotations

import math
from typing import Any, Callable

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer

# ---------------------------------------------------------------------------------------------
# Exercise 1: multiply-accumulates of a Conv2D layer ('same' padding)
# ---------------------------------------------------------------------------------------------


def _conv_macs(n: int, f: int, in_channels: int, filters: int, stride: int) -> int:
    side = math.ceil(n / stride)
    return side * side * f * f * in_channels * filters


@guarded
def evaluate_conv_macs(conv_macs: Callable[[int, int, int, int, int], Any]) -> Result:
    """Evaluate ``conv_macs(n, f, in_channels, filters, stride)`` = ⌈n/s⌉² · f² · C_in · K."""
    cases = [Case(args) for args in [
        # first: an odd input with stride 2, where every modelled mistake gives its own number
        (15, 3, 6, 16, 2), (28, 5, 1, 6, 1), (32, 3, 3, 16, 1), (14, 1, 64, 32, 1), (9, 7, 4, 8, 3), (7, 3, 16, 4, 2),
    ]]

    def out(n: int, s: int) -> int:
        return math.ceil(n / s)

    mistakes = [
        Mistake("a MAC is done for every OUTPUT value: use the output side ⌈n / stride⌉, not the input side n.",
                lambda n, f, c, k, s: n * n * f * f * c * k),
        Mistake("with padding 'same' the output side is ⌈n / stride⌉: round UP (math.ceil), not down.",
                lambda n, f, c, k, s: (n // s) ** 2 * f * f * c * k),
        Mistake("each output value is a dot product over the f×f window in ALL input channels: multiply by in_channels.",
                lambda n, f, c, k, s: out(n, s) ** 2 * f * f * k),
        Mistake("the window is f × f: that is f² weights per channel, not f.",
                lambda n, f, c, k, s: out(n, s) ** 2 * f * c * k),
        Mistake("the output is a square: out × out positions (square the output side).",
                lambda n, f, c, k, s: out(n, s) * f * f * c * k),
        Mistake("every filter makes its own output channel: multiply by the number of filters.",
                lambda n, f, c, k, s: out(n, s) ** 2 * f * f * c),
        Mistake("the bias is an addition, not a multiply-accumulate: count f²·C_in MACs per output value, "
                "not f²·C_in + 1.", lambda n, f, c, k, s: out(n, s) ** 2 * (f * f * c + 1) * k),
        Mistake("that is the number of parameters; MACs multiply it by the number of output positions.",
                lambda n, f, c, k, s: (f * f * c + 1) * k),
    ]
    return evaluate_function(
        conv_macs, _conv_macs, cases, name="conv_macs", mistakes=mistakes, check_dtype=False, integer=True,
        success="Parameters do not depend on the image size, but the cost does: it grows with the output area.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: parameters of a residual block, as count_params() counts them
# ---------------------------------------------------------------------------------------------


def _main_path(c: int, k: int, f: int) -> int:
    return f * f * c * k + 4 * k + f * f * k * k + 4 * k


def _residual_block_parameters(in_channels: int, out_channels: int, f: int, stride: int) -> int:
    projection = stride != 1 or in_channels != out_channels
    shortcut = in_channels * out_channels + 4 * out_channels if projection else 0
    return _main_path(in_channels, out_channels, f) + shortcut


@guarded
def evaluate_residual_block_parameters(residual_block_parameters: Callable[[int, int, int, int], Any]) -> Result:
    """Evaluate ``residual_block_parameters(in_channels, out_channels, f, stride)`` with the projection and BN."""
    cases = [Case(args) for args in [
        # first: channels change and the stride is 2, so a projection is needed
        (32, 64, 3, 2), (16, 16, 3, 1), (64, 64, 3, 2), (24, 40, 5, 1), (8, 8, 1, 1), (3, 12, 3, 1),
    ]]

    def projection(c: int, k: int, s: int) -> bool:
        return s != 1 or c != k

    # (whether the shortcut needs a projection is seen by the later cases; the message names the input)
    mistakes = [
        Mistake("when the block changes the shape, the shortcut x must be projected by a 1×1 convolution (with "
                "its batch norm) before it can be added: count that branch too.",
                lambda c, k, f, s: _main_path(c, k, f)),
        Mistake("count_params() counts all four numbers batch normalization keeps per channel: γ and β "
                "(trained) and the moving mean and variance (not trained). That is 4 per channel, not 2.",
                lambda c, k, f, s: (f * f * c * k + 2 * k + f * f * k * k + 2 * k
                                    + (c * k + 2 * k if projection(c, k, s) else 0))),
        Mistake("the convolutions here have no bias (use_bias=False): batch normalization's β already shifts "
                "each channel, so a bias would be redundant.",
                lambda c, k, f, s: _residual_block_parameters(c, k, f, s)
                + 2 * k + (k if projection(c, k, s) else 0)),
        Mistake("the second convolution reads the FIRST one's output, which has out_channels channels, "
                "not in_channels.",
                lambda c, k, f, s: 2 * f * f * c * k + 8 * k + (c * k + 4 * k if projection(c, k, s) else 0)),
        Mistake("the projection is a 1×1 convolution: in_channels·out_channels weights, not f·f times that.",
                lambda c, k, f, s: _main_path(c, k, f) + (f * f * c * k + 4 * k if projection(c, k, s) else 0)),
        Mistake("the projection's output goes through its own batch normalization: add its 4 per channel.",
                lambda c, k, f, s: _main_path(c, k, f) + (c * k if projection(c, k, s) else 0)),
    ]
    return evaluate_function(
        residual_block_parameters, _residual_block_parameters, cases, name="residual_block_parameters",
        mistakes=mistakes, check_dtype=False, integer=True,
        success="The shortcut itself is free when the shapes match: that is why ResNets can be so deep.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: parameters of a Keras SeparableConv2D
# ---------------------------------------------------------------------------------------------


def _separable_parameters(f: int, in_channels: int, filters: int) -> int:
    return f * f * in_channels + in_channels * filters + filters


@guarded
def evaluate_separable_parameters(separable_parameters: Callable[[int, int, int], Any]) -> Result:
    """Evaluate ``separable_parameters(f, in_channels, filters)`` = f²·C_in + C_in·K + K."""
    cases = [Case(args) for args in [(5, 16, 32), (3, 32, 64), (3, 3, 16), (1, 8, 8), (7, 24, 12), (3, 128, 256)]]
    mistakes = [
        Mistake("the depthwise step does NOT mix channels: it has ONE f×f filter per input channel, "
                "f²·in_channels weights, not f²·in_channels·filters like a full convolution.",
                lambda f, c, k: f * f * c * k + c * k + k),
        Mistake("that is an ordinary Conv2D's count; a separable one splits it into a depthwise f×f step "
                "and a 1×1 pointwise step.", lambda f, c, k: (f * f * c + 1) * k),
        Mistake("the 1×1 pointwise convolution has one bias per filter: add `filters`.",
                lambda f, c, k: f * f * c + c * k),
        Mistake("in Keras' SeparableConv2D only the pointwise step has a bias; the depthwise filters have none.",
                lambda f, c, k: f * f * c + c + c * k + k),
        Mistake("the depthwise step has one f×f filter PER input channel: multiply f² by in_channels.",
                lambda f, c, k: f * f + c * k + k),
        Mistake("the 1×1 pointwise step mixes all in_channels into each of the filters: in_channels·filters weights.",
                lambda f, c, k: f * f * c + k + k),
        Mistake("you counted only the depthwise step; the 1×1 pointwise convolution comes after it.",
                lambda f, c, k: f * f * c),
    ]
    return evaluate_function(
        separable_parameters, _separable_parameters, cases, name="separable_parameters", mistakes=mistakes,
        check_dtype=False, integer=True,
        success="For a 3×3 kernel and many filters that is about 8-9 times fewer weights than a full convolution.",
    )


check_conv_macs = printer(evaluate_conv_macs)
check_residual_block_parameters = printer(evaluate_residual_block_parameters)
check_separable_parameters = printer(evaluate_separable_parameters)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"conv_macs": 1, "residual_block_parameters": 2, "separable_parameters": 1}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "conv_macs": ("architectures.conv_macs", "architectures.block_cost", "architectures.model_costs"),
    "residual_block_parameters": (
        "architectures.block_cost", "architectures.build_block", "architectures.model_costs", "count_params",
        "keras.layers",
    ),
    "separable_parameters": (
        "architectures.separable_parameters", "architectures.block_cost", "architectures.model_costs",
        "count_params", "keras.layers",
    ),
}
