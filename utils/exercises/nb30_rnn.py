"""Exercises of notebook 30 (RNN fundamentals): one RNN step, unrolling a sequence, the BPTT gradient of W_hh."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.sequences import recurrent


def _f64(*arrays: Any) -> list[np.ndarray]:
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _weights(rng: np.random.Generator, features: int, units: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-symmetric weights with a clearly non-zero bias (so no mistake can hide)."""
    return (rng.normal(0, 0.8, size=(features, units)), rng.normal(0, 0.6, size=(units, units)),
            rng.uniform(0.2, 0.6, size=units) * rng.choice([-1, 1], size=units))


# ---------------------------------------------------------------------------------------------
# Exercise 1: one step of the cell
# ---------------------------------------------------------------------------------------------


def _rnn_step(x_t: Any, h_prev: Any, W_xh: Any, W_hh: Any, b: Any) -> np.ndarray:
    return recurrent.simple_rnn_step(x_t, h_prev, W_xh, W_hh, b)


def _step_cases() -> list[Case]:
    rng = np.random.default_rng(30)
    cases = []
    # first case: features == units, so swapped or transposed weights still give an answer to recognise
    for batch, features, units in [(2, 3, 3), (4, 2, 5), (1, 4, 3), (3, 1, 2)]:
        W_xh, W_hh, b = _weights(rng, features, units)
        cases.append(Case((rng.normal(size=(batch, features)), np.tanh(rng.normal(size=(batch, units))),
                           W_xh, W_hh, b)))
    return cases


@guarded
def evaluate_rnn_step(rnn_step: Callable[..., Any]) -> Result:
    """Evaluate ``rnn_step(x_t, h_prev, W_xh, W_hh, b)``: tanh(x_t W_xh + h_prev W_hh + b)."""
    mistakes = [
        Mistake("the bias b is missing: h_t = tanh(x_t W_xh + h_prev W_hh + b).",
                lambda x, h, W, U, b: np.tanh(x @ W + h @ U)),
        Mistake("W_xh multiplies the input x_t and W_hh the previous state h_prev; you swapped them.",
                lambda x, h, W, U, b: np.tanh(x @ U + h @ W + b)),
        Mistake("Keras's layout is (inputs × units): multiply x_t @ W_xh and h_prev @ W_hh, no transposes.",
                lambda x, h, W, U, b: np.tanh(x @ W.T + h @ U.T + b)),
        Mistake("h_prev @ W_hh, not h_prev @ W_hh.T: the recurrent kernel is stored (units_in × units_out).",
                lambda x, h, W, U, b: np.tanh(x @ W + h @ U.T + b)),
        Mistake("apply tanh to the sum: without it the state is a linear function and can grow without bound.",
                lambda x, h, W, U, b: x @ W + h @ U + b),
        Mistake("the previous state is missing: without h_prev @ W_hh the cell has no memory.",
                lambda x, h, W, U, b: np.tanh(x @ W + b)),
        Mistake("SimpleRNN's activation is tanh (values in (−1, 1)), not the sigmoid.",
                lambda x, h, W, U, b: 1 / (1 + np.exp(-(x @ W + h @ U + b)))),
        Mistake("SimpleRNN's activation is tanh, not ReLU.",
                lambda x, h, W, U, b: np.maximum(x @ W + h @ U + b, 0)),
        Mistake("h_prev enters through W_hh before the tanh, not added afterwards.",
                lambda x, h, W, U, b: np.tanh(x @ W + b) + h @ U),
        Mistake("return one row per sequence, shape (batch, units): that is the column form W_xhᵀ x_tᵀ; "
                "with Keras's layout write x_t @ W_xh (and h_prev @ W_hh).",
                lambda x, h, W, U, b: _rnn_step(x, h, W, U, b).T),
    ]
    return evaluate_function(
        rnn_step, _rnn_step, _step_cases(), name="rnn_step", mistakes=mistakes, rtol=1e-6, atol=1e-9,
        axes=("sequence in batch", "unit"),
        success="Two matrix products, a bias and a tanh: that is the whole cell.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: unroll the cell over a sequence
# ---------------------------------------------------------------------------------------------


def _unroll(x: Any, W_xh: Any, W_hh: Any, b: Any) -> np.ndarray:
    return recurrent.simple_rnn_forward(x, W_xh, W_hh, b)


def _unroll_shifted(x: Any, W_xh: Any, W_hh: Any, b: Any) -> np.ndarray:
    states = _unroll(x, W_xh, W_hh, b)
    return np.concatenate([np.zeros_like(states[:, :1]), states[:, :-1]], axis=1)


def _unroll_h0_ones(x: Any, W_xh: Any, W_hh: Any, b: Any) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return recurrent.simple_rnn_forward(x, W_xh, W_hh, b, h0=np.ones(np.shape(W_hh)[0]))


def _unroll_without_memory(x: Any, W_xh: Any, W_hh: Any, b: Any) -> np.ndarray:
    x, W_xh, b = _f64(x, W_xh, b)
    return np.tanh(x @ W_xh + b)


def _unroll_reversed(x: Any, W_xh: Any, W_hh: Any, b: Any) -> np.ndarray:
    return _unroll(np.asarray(x)[:, ::-1], W_xh, W_hh, b)


def _unroll_linear(x: Any, W_xh: Any, W_hh: Any, b: Any) -> np.ndarray:
    x, W_xh, W_hh, b = _f64(x, W_xh, W_hh, b)
    h, states = np.zeros((x.shape[0], W_hh.shape[0])), []
    for t in range(x.shape[1]):
        h = x[:, t] @ W_xh + h @ W_hh + b
        states.append(h)
    return np.stack(states, axis=1)


def _unroll_cases() -> list[Case]:
    rng = np.random.default_rng(31)
    cases = []
    for batch, time, features, units in [(2, 4, 2, 3), (3, 6, 1, 4), (1, 5, 3, 2), (4, 1, 2, 3)]:
        W_xh, W_hh, b = _weights(rng, features, units)
        cases.append(Case((rng.normal(size=(batch, time, features)), W_xh, W_hh, b)))
    return cases


@guarded
def evaluate_unroll(unroll: Callable[..., Any]) -> Result:
    """Evaluate ``unroll(x, W_xh, W_hh, b)``: every hidden state (batch, time, units), from h_0 = 0."""
    mistakes = [
        Mistake("return EVERY hidden state, shape (batch, time, units), not only the last one.",
                lambda *a: _unroll(*a)[:, -1]),
        Mistake("np.stack(states) stacks along axis 0, giving (time, batch, units); use np.stack(states, axis=1).",
                lambda *a: np.swapaxes(_unroll(*a), 0, 1)),
        Mistake("off by one step: you stored h_{t-1} (starting with h_0 = 0) instead of h_t. Update h first, "
                "then append it.", _unroll_shifted),
        Mistake("the state starts at h_0 = 0 (np.zeros), not at ones.", _unroll_h0_ones),
        Mistake("feed each new state back in: h = rnn_step(x[:, t], h, ...) must reuse the h of the step "
                "before, not start from zeros every time.", _unroll_without_memory),
        Mistake("walk forwards in time, t = 0, 1, ..., T − 1 (x[:, t] is step t).", _unroll_reversed),
        Mistake("a step is missing: loop over every step, t in range(x.shape[1]); x[:, 0] is the first.",
                lambda x, W, U, b: _unroll(np.asarray(x)[:, 1:], W, U, b)),
        Mistake("each step needs the tanh (use rnn_step): without it the states are linear.", _unroll_linear),
    ]
    return evaluate_function(
        unroll, _unroll, _unroll_cases(), name="unroll", mistakes=mistakes, rtol=1e-6, atol=1e-9,
        axes=("sequence in batch", "time step", "unit"), references={"rnn_step": _rnn_step},
        success="One cell, reused at every step: the same three weights whatever the length.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: backpropagation through time for W_hh (many-to-one loss)
# ---------------------------------------------------------------------------------------------


def _grad_W_hh(H: Any, W_hh: Any, dL_dhT: Any, *, slope: str = "tanh", carry: str = "transposed",
               previous: str = "h_prev", last_only: bool = False, outer: str = "hT_dz") -> np.ndarray:
    """dL/dW_hh = Σ_t h_{t-1}ᵀ dz_t, and the modelled mistakes as options."""
    H, W_hh, dh = _f64(H, W_hh, dL_dhT)
    time = H.shape[1]
    grad = np.zeros_like(W_hh)
    for t in reversed(range(time)):
        h = H[:, t]
        dz = dh * {"tanh": 1 - h**2, "none": 1.0, "unsquared": 1 - h}[slope]
        if previous == "h_prev":
            h_before = H[:, t - 1] if t > 0 else np.zeros_like(h)
        elif previous == "wrapped":
            h_before = H[:, t - 1]  # at t = 0 Python's H[:, -1] is the LAST state
        else:
            h_before = h
        grad += h_before.T @ dz if outer == "hT_dz" else dz.T @ h_before
        if last_only:
            break
        dh = {"transposed": dz @ W_hh.T, "plain": dz @ W_hh, "none": dz}[carry]
    return grad


def _bptt_cases() -> list[Case]:
    rng = np.random.default_rng(32)
    cases = []
    for batch, time, features, units in [(2, 4, 2, 3), (3, 6, 1, 4), (1, 3, 2, 2), (2, 2, 3, 3)]:
        W_xh, W_hh, b = _weights(rng, features, units)
        H = recurrent.simple_rnn_forward(rng.normal(size=(batch, time, features)), W_xh, W_hh, b)
        cases.append(Case((H, W_hh, rng.normal(size=(batch, units)))))
    return cases


@guarded
def evaluate_grad_W_hh(grad_W_hh: Callable[..., Any]) -> Result:
    """Evaluate ``grad_W_hh(H, W_hh, dL_dhT)``: ∂L/∂W_hh = Σ_t h_{t-1}ᵀ dz_t, back through time from h_T."""
    mistakes = [
        Mistake("go through tanh at every step: dz_t = dh_t ⊙ (1 − h_t²) before using it.",
                lambda H, U, d: _grad_W_hh(H, U, d, slope="none")),
        Mistake("tanh′ = 1 − h², not 1 − h: you forgot the square.",
                lambda H, U, d: _grad_W_hh(H, U, d, slope="unsquared")),
        Mistake("carry the gradient back with the TRANSPOSE: dh_{t-1} = dz_t @ W_hh.T.",
                lambda H, U, d: _grad_W_hh(H, U, d, carry="plain")),
        Mistake("dh_{t-1} = dz_t @ W_hh.T: the gradient reaches the earlier state through W_hh; you passed dz_t "
                "back unchanged.", lambda H, U, d: _grad_W_hh(H, U, d, carry="none")),
        Mistake("off by one in time: step t's term uses the state that came IN, h_{t-1}, not h_t.",
                lambda H, U, d: _grad_W_hh(H, U, d, previous="h_t")),
        Mistake("at the first step the state that came in is h_0 = 0, but H[:, t-1] with t = 0 is H[:, -1], "
                "the LAST state (Python wraps around). Use zeros there.",
                lambda H, U, d: _grad_W_hh(H, U, d, previous="wrapped")),
        Mistake("that is only the last step's term h_{T-1}ᵀ dz_T; W_hh is used at EVERY step, so sum the terms "
                "of all steps, carrying the gradient back.", lambda H, U, d: _grad_W_hh(H, U, d, last_only=True)),
        Mistake("the term is h_{t-1}ᵀ @ dz_t (units_in × units_out, like W_hh); you computed its transpose "
                "dz_tᵀ @ h_{t-1}.", lambda H, U, d: _grad_W_hh(H, U, d, outer="dzT_h")),
        Mistake("the sign is wrong: the gradient of L, not of −L.", lambda H, U, d: -_grad_W_hh(H, U, d)),
    ]
    return evaluate_function(
        grad_W_hh, _grad_W_hh, _bptt_cases(), name="grad_W_hh", mistakes=mistakes, rtol=1e-6, atol=1e-9,
        axes=("unit in", "unit out"),
        success="Backpropagation through time is backprop on the unrolled graph: one W_hh, one term per step.",
    )


check_rnn_step = printer(evaluate_rnn_step)
check_unroll = printer(evaluate_unroll)
check_grad_W_hh = printer(evaluate_grad_W_hh)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"rnn_step": 1, "unroll": 1, "grad_W_hh": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "rnn_step": ("recurrent.simple_rnn_step", "recurrent.simple_rnn_forward", "keras.layers", "layers.SimpleRNN"),
    "unroll": ("recurrent.simple_rnn_forward", "keras.layers", "layers.SimpleRNN"),
    "grad_W_hh": ("recurrent.simple_rnn_bptt", "GradientTape"),
}
