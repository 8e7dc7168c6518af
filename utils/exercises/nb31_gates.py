"""Exercises of notebook 31 (vanishing gradients, GRU and LSTM)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _floats(*values: Any) -> list[np.ndarray]:
    return [np.asarray(v, dtype=np.float64) for v in values]


# ---------------------------------------------------------------------------------------------
# Exercise 1: one LSTM step
# ---------------------------------------------------------------------------------------------

def _lstm(x, h, c, kernel, recurrent, bias, order="ifco", forget=True, candidate=np.tanh,
          squash_cell=True, recurrence=True):
    x, h, c, kernel, recurrent, bias = _floats(x, h, c, kernel, recurrent, bias)
    z = x @ kernel + (h @ recurrent if recurrence else 0.0) + bias
    parts = dict(zip(order, np.split(z, 4, axis=-1)))
    i, f, o = _sigmoid(parts["i"]), _sigmoid(parts["f"]), _sigmoid(parts["o"])
    g = candidate(parts["c"])
    c_new = (f * c if forget else c) + i * g
    return o * (np.tanh(c_new) if squash_cell else c_new), c_new


def _lstm_step(x_t: Any, h_prev: Any, c_prev: Any, kernel: Any, recurrent_kernel: Any, bias: Any):
    return _lstm(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)


def _lstm_cases() -> list[Case]:
    rng = np.random.default_rng(31)
    cases = []
    for batch, features, units in ((2, 3, 2), (1, 2, 3), (4, 5, 3)):
        cases.append(Case((rng.normal(size=(batch, features)), rng.uniform(-0.9, 0.9, size=(batch, units)),
                           rng.normal(size=(batch, units)) * 1.5, rng.normal(size=(features, 4 * units)),
                           rng.normal(size=(units, 4 * units)), rng.normal(size=4 * units))))
    return cases


@guarded
def evaluate_lstm_step(lstm_step: Callable[..., Any]) -> Result:
    """Evaluate ``lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)`` → (h, c), Keras's gate order."""
    mistakes = [
        Mistake("Keras lays the gates out as i, f, c, o; you read the input and forget gates in swapped places.",
                lambda *a: _lstm(*a, order="fico")),
        Mistake("Keras lays the gates out as i, f, c, o: the candidate is the THIRD block and the output gate the "
                "last; you swapped them.", lambda *a: _lstm(*a, order="ifoc")),
        Mistake("the old cell state must pass through the forget gate: c = f ⊙ c_prev + i ⊙ c̃.",
                lambda *a: _lstm(*a, forget=False)),
        Mistake("return (h, c) in that order: h = o ⊙ tanh(c) is the output, c is the cell state.",
                lambda *a: _lstm(*a)[::-1]),
        Mistake("the candidate c̃ uses tanh (values in −1..1, it can add or subtract); sigmoid is for the gates.",
                lambda *a: _lstm(*a, candidate=_sigmoid)),
        Mistake("h = o ⊙ tanh(c): squash the new cell state with tanh before the output gate.",
                lambda *a: _lstm(*a, squash_cell=False)),
        Mistake("every gate also sees the previous hidden state: add h_prev @ recurrent_kernel to x_t @ kernel.",
                lambda *a: _lstm(*a, recurrence=False)),
    ]
    return evaluate_function(
        lstm_step, _lstm_step, _lstm_cases(), name="lstm_step", mistakes=mistakes, axes=("h or c", "example", "unit"),
        success="Four gates from one matrix product, and the cell state changes only by ⊙ f and + i ⊙ c̃.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: one GRU step (Keras's reset_after=True)
# ---------------------------------------------------------------------------------------------

def _gru(x, h, kernel, recurrent, bias, order="zrh", where="after", keras_blend=True, candidate=np.tanh,
         recurrent_bias=True, rows=(0, 1)):
    x, h, kernel, recurrent, bias = _floats(x, h, kernel, recurrent, bias)
    b_in, b_rec = bias[rows[0]], (bias[rows[1]] if recurrent_bias else np.zeros_like(bias[0]))
    xi = dict(zip(order, np.split(x @ kernel + b_in, 3, axis=-1)))
    weights = dict(zip(order, np.split(recurrent, 3, axis=-1)))
    biases = dict(zip(order, np.split(b_rec, 3, axis=-1)))
    hr = {k: h @ weights[k] + biases[k] for k in order}
    z = _sigmoid(xi["z"] + hr["z"])
    r = _sigmoid(xi["r"] + hr["r"])
    if where == "after":
        pre = xi["h"] + r * hr["h"]
    elif where == "before":
        pre = xi["h"] + (r * h) @ weights["h"] + biases["h"]
    else:  # on the input side
        pre = r * xi["h"] + hr["h"]
    c = candidate(pre)
    return z * h + (1 - z) * c if keras_blend else (1 - z) * h + z * c


def _gru_step(x_t: Any, h_prev: Any, kernel: Any, recurrent_kernel: Any, bias: Any):
    return _gru(x_t, h_prev, kernel, recurrent_kernel, bias)


def _gru_cases() -> list[Case]:
    rng = np.random.default_rng(32)
    cases = []
    for batch, features, units in ((2, 3, 2), (1, 4, 3), (3, 2, 4)):
        cases.append(Case((rng.normal(size=(batch, features)), rng.uniform(-0.9, 0.9, size=(batch, units)),
                           rng.normal(size=(features, 3 * units)), rng.normal(size=(units, 3 * units)),
                           rng.normal(size=(2, 3 * units)))))
    return cases


@guarded
def evaluate_gru_step(gru_step: Callable[..., Any]) -> Result:
    """Evaluate ``gru_step(x_t, h_prev, kernel, recurrent_kernel, bias)``: Keras's GRU with reset_after=True."""
    mistakes = [
        Mistake("with reset_after=True the reset gate multiplies the RESULT of the product, r ⊙ (h_prev @ R_h + b_h); "
                "you applied it to h_prev before the product (that is reset_after=False).",
                lambda *a: _gru(*a, where="before")),
        Mistake("the reset gate acts on the recurrent part (what comes from h_prev), not on the input part x_t @ W_h.",
                lambda *a: _gru(*a, where="input")),
        Mistake("Keras keeps the old state with z: h = z ⊙ h_prev + (1 − z) ⊙ h̃; you swapped z and 1 − z.",
                lambda *a: _gru(*a, keras_blend=False)),
        Mistake("Keras lays the GRU gates out as z, r, h: the update gate z is the FIRST block, the reset gate r "
                "the second.", lambda *a: _gru(*a, order="rzh")),
        Mistake("the bias has two rows: bias[0] goes with x_t @ kernel, bias[1] with h_prev @ recurrent_kernel "
                "(inside the reset gate's product); you left the second row out.",
                lambda *a: _gru(*a, recurrent_bias=False)),
        Mistake("bias[0] is the input bias and bias[1] the recurrent one; you used them the other way round.",
                lambda *a: _gru(*a, rows=(1, 0))),
        Mistake("the candidate h̃ uses tanh; sigmoid is for the gates z and r.",
                lambda *a: _gru(*a, candidate=_sigmoid)),
    ]
    return evaluate_function(
        gru_step, _gru_step, _gru_cases(), name="gru_step", mistakes=mistakes, axes=("example", "unit"),
        success="Two gates and no separate cell state: z decides how much of h_prev survives the step.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: the Jacobian product, as norms through time
# ---------------------------------------------------------------------------------------------

def _norms(W_hh, states, transpose=True, order="left", norm=2, slope="square", shift=False,
           first=None):
    W_hh, states = _floats(W_hh, states)
    if shift:  # the derivative at step t taken at h_{t-1} (h_0 = 0)
        states = np.vstack([np.zeros((1, states.shape[1])), states[:-1]])
    weights = W_hh.T if transpose else W_hh
    if slope == "square":
        slopes = 1 - states**2
    elif slope == "linear":
        slopes = 1 - states
    else:
        slopes = np.ones_like(states)
    product = np.eye(W_hh.shape[0])
    norms = [np.linalg.norm(product, norm)]
    for t in range(len(states) - 1, -1, -1):
        jacobian = slopes[t][:, None] * weights
        product = product @ jacobian if order == "left" else jacobian @ product
        norms.append(np.linalg.norm(product, norm))
    if first is not None:
        norms[0] = first
    return np.array(norms)


FROBENIUS = ("use the spectral norm np.linalg.norm(matrix, 2) (the largest singular value); "
             "np.linalg.norm(matrix) alone is the Frobenius norm.")


def _gradient_norms(W_hh: Any, states: Any) -> np.ndarray:
    return _norms(W_hh, states)


def _norm_cases() -> list[Case]:
    rng = np.random.default_rng(33)
    cases = []
    for steps, units, scale in ((4, 3, 1.3), (6, 2, 0.9), (8, 4, 1.1)):
        W_hh = rng.normal(size=(units, units)) * scale / np.sqrt(units)
        states = np.tanh(rng.normal(size=(steps, units)))
        cases.append(Case((W_hh, states)))
    return cases


@guarded
def evaluate_gradient_norms(gradient_norms: Callable[[Any, Any], Any]) -> Result:
    """Evaluate ``gradient_norms(W_hh, states)``: ‖J_T ⋯ J_{T−s+1}‖₂ for s = 0..T, J_t = diag(1 − h_t²) W_hhᵀ."""
    mistakes = [
        Mistake("J_t = diag(1 − h_t²) W_hhᵀ: with row vectors h_t = tanh(… + h_{t−1} W_hh), so ∂h_t/∂h_{t−1} "
                "holds W_hh TRANSPOSED.", lambda W, s: _norms(W, s, transpose=False)),
        Mistake("multiply from the last step backwards, each new Jacobian on the RIGHT: product = product @ J_t; "
                "you put it on the left.", lambda W, s: _norms(W, s, order="right")),
        Mistake(FROBENIUS, lambda W, s: _norms(W, s, norm="fro")),
        Mistake(FROBENIUS, lambda W, s: _norms(W, s, norm="fro", first=1.0)),
        Mistake("each step also multiplies by tanh's slope 1 − h_t²; you used W_hhᵀ alone.",
                lambda W, s: _norms(W, s, slope="none")),
        Mistake("tanh's slope is 1 − h_t², not 1 − h_t.", lambda W, s: _norms(W, s, slope="linear")),
        Mistake("off by one step: J_t uses the state h_t that step t produced (states[t − 1] when states holds "
                "h_1..h_T), not the one before it.", lambda W, s: _norms(W, s, shift=True)),
    ]
    return evaluate_function(
        gradient_norms, _gradient_norms, _norm_cases(), name="gradient_norms", mistakes=mistakes,
        axes=("steps back s",),
        success="A product of T Jacobians: below 1 per step and the gradient vanishes geometrically.",
    )


check_lstm_step = printer(evaluate_lstm_step)
check_gru_step = printer(evaluate_gru_step)
check_gradient_norms = printer(evaluate_gradient_norms)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"lstm_step": 2, "gru_step": 2, "gradient_norms": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "lstm_step": ("gates.lstm_cell", "gates.lstm_forward", "keras.layers.LSTM", "layers.LSTM"),
    "gru_step": ("gates.gru_cell", "gates.gru_forward", "keras.layers.GRU", "layers.GRU"),
    "gradient_norms": ("gates.simple_rnn_gradient_norms", "gates.lstm_gradient_norms", "tf.GradientTape",
                       "jacobian"),
}
