"""Exercises of notebook 14 (optimizers): one step of momentum, RMSprop and Adam in Keras 3's form."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.training import optimizers

F = np.float64


def _a(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=F)


# ----- exercise 1: momentum --------------------------------------------------------------------

def _momentum(w: Any, g: Any, velocity: Any, lr: float, momentum: float) -> tuple[np.ndarray, np.ndarray]:
    return optimizers.momentum_step(w, g, velocity, lr, momentum)


def _momentum_torch_form(w, g, velocity, lr, momentum):
    velocity = momentum * _a(velocity) + _a(g)
    return _a(w) - lr * velocity, velocity


def _momentum_uphill(w, g, velocity, lr, momentum):
    velocity = momentum * _a(velocity) + lr * _a(g)
    return _a(w) + velocity, velocity


def _momentum_old_velocity(w, g, velocity, lr, momentum):
    new = momentum * _a(velocity) - lr * _a(g)
    return _a(w) + _a(velocity), new


def _momentum_forgot_mu(w, g, velocity, lr, momentum):
    new = _a(velocity) - lr * _a(g)
    return _a(w) + new, new


def _momentum_swapped(w, g, velocity, lr, momentum):
    new_w, new_v = _momentum(w, g, velocity, lr, momentum)
    return new_v, new_w


def _momentum_nesterov(w, g, velocity, lr, momentum):
    return optimizers.nesterov_step(w, g, velocity, lr, momentum)


def _momentum_forgot_lr(w, g, velocity, lr, momentum):
    new = momentum * _a(velocity) - _a(g)
    return _a(w) + new, new


@guarded
def evaluate_momentum_step(momentum_step: Callable[..., Any]) -> Result:
    """Evaluate ``momentum_step(w, g, velocity, learning_rate, momentum)`` → (w, velocity), Keras' form."""
    rng = np.random.default_rng(14)
    cases = [
        Case((np.array([2.0, -1.0, 0.5]), np.array([0.8, -0.3, 1.5]), np.array([0.4, 0.2, -0.6]), 0.1, 0.9)),
        Case((rng.normal(size=4), rng.normal(size=4), rng.normal(size=4), 0.05, 0.8)),
        Case((rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), 0.3, 0.5)),
    ]
    mistakes = [
        Mistake("that is the other common form (v ← μv + g, then w ← w − lr·v, as PyTorch writes it). "
                "Keras keeps the learning rate inside the velocity: v ← μv − lr·g, then w ← w + v.",
                _momentum_torch_form),
        Mistake("the velocity must point downhill: v ← μv − lr·g (minus), then w ← w + v.", _momentum_uphill),
        Mistake("update the velocity first, then move w by the NEW velocity.", _momentum_old_velocity),
        Mistake("the old velocity is multiplied by the momentum μ before the gradient step is added.",
                _momentum_forgot_mu),
        Mistake("return the new parameters first and the new velocity second: (w, velocity).",
                _momentum_swapped),
        Mistake("that is Nesterov's look-ahead step (w ← w + μv − lr·g); plain momentum moves w by v itself.",
                _momentum_nesterov),
        Mistake("the gradient is scaled by the learning rate: v ← μv − lr·g.", _momentum_forgot_lr),
    ]
    return evaluate_function(
        momentum_step, _momentum, cases, name="momentum_step", mistakes=mistakes,
        axes=("returned item (0 = w, 1 = velocity)", "parameter"),
        success="The velocity remembers past gradients: steps that agree add up, steps that zigzag cancel.",
    )


# ----- exercise 2: RMSprop ---------------------------------------------------------------------

def _rmsprop(w, g, mean_square, lr, rho, epsilon):
    return optimizers.rmsprop_step(w, g, mean_square, lr, rho, epsilon)


def _rms_eps_outside(w, g, s, lr, rho, epsilon):
    s = rho * _a(s) + (1 - rho) * _a(g) ** 2
    return _a(w) - lr * _a(g) / (np.sqrt(s) + epsilon), s


def _rms_old_average(w, g, s, lr, rho, epsilon):
    new = rho * _a(s) + (1 - rho) * _a(g) ** 2
    return _a(w) - lr * _a(g) / np.sqrt(_a(s) + epsilon), new


def _rms_swapped_rho(w, g, s, lr, rho, epsilon):
    s = (1 - rho) * _a(s) + rho * _a(g) ** 2
    return _a(w) - lr * _a(g) / np.sqrt(s + epsilon), s


def _rms_no_sqrt(w, g, s, lr, rho, epsilon):
    s = rho * _a(s) + (1 - rho) * _a(g) ** 2
    return _a(w) - lr * _a(g) / (s + epsilon), s


def _rms_no_square(w, g, s, lr, rho, epsilon):
    s = rho * _a(s) + (1 - rho) * np.abs(_a(g))
    return _a(w) - lr * _a(g) / np.sqrt(s + epsilon), s


def _rms_uphill(w, g, s, lr, rho, epsilon):
    new_w, s = _rmsprop(w, g, s, lr, rho, epsilon)
    return 2 * _a(w) - new_w, s


@guarded
def evaluate_rmsprop_step(rmsprop_step: Callable[..., Any]) -> Result:
    """Evaluate ``rmsprop_step(w, g, mean_square, learning_rate, rho, epsilon)`` → (w, mean_square)."""
    rng = np.random.default_rng(41)
    cases = [
        Case((np.array([1.0, -2.0, 0.5]), np.array([0.6, -0.2, 1.4]), np.array([0.3, 0.05, 0.8]), 0.1, 0.9, 0.01)),
        Case((rng.normal(size=4), rng.normal(size=4), rng.uniform(0.01, 2, size=4), 0.01, 0.99, 1e-7)),
        Case((rng.normal(size=(2, 2)), rng.normal(size=(2, 2)), rng.uniform(0, 1, size=(2, 2)), 0.2, 0.5, 0.1)),
    ]
    mistakes = [
        Mistake("Keras puts ε INSIDE the square root, √(s + ε); you added it to √s.", _rms_eps_outside),
        Mistake("update the running average s first, then divide by √(s + ε) with the NEW s.", _rms_old_average),
        Mistake("ρ weighs the OLD average and 1 − ρ the new squared gradient: s ← ρs + (1 − ρ)g².",
                _rms_swapped_rho),
        Mistake("divide by the square ROOT √(s + ε): s is an average of squared gradients.", _rms_no_sqrt),
        Mistake("average the SQUARED gradient g² (element-wise g**2).", _rms_no_square),
        Mistake("step downhill: w ← w − lr·g/√(s + ε).", _rms_uphill),
    ]
    return evaluate_function(
        rmsprop_step, _rmsprop, cases, name="rmsprop_step", mistakes=mistakes,
        axes=("returned item (0 = w, 1 = mean_square)", "parameter"),
        success="Each coordinate gets its own step size: large where gradients are large, and the reverse.",
    )


# ----- exercise 3: Adam ------------------------------------------------------------------------

def _adam(w, g, m, v, t, lr, beta_1, beta_2, epsilon):
    return optimizers.adam_step(w, g, m, v, t, lr, beta_1, beta_2, epsilon)


def _moments(g, m, v, beta_1, beta_2):
    return beta_1 * _a(m) + (1 - beta_1) * _a(g), beta_2 * _a(v) + (1 - beta_2) * _a(g) ** 2


def _adam_paper_form(w, g, m, v, t, lr, beta_1, beta_2, epsilon):
    m, v = _moments(g, m, v, beta_1, beta_2)
    m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
    return _a(w) - lr * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def _adam_no_correction(w, g, m, v, t, lr, beta_1, beta_2, epsilon):
    m, v = _moments(g, m, v, beta_1, beta_2)
    return _a(w) - lr * m / (np.sqrt(v) + epsilon), m, v


def _adam_t_off_by_one(w, g, m, v, t, lr, beta_1, beta_2, epsilon):
    return _adam(w, g, m, v, t + 1, lr, beta_1, beta_2, epsilon)


def _adam_first_only(w, g, m, v, t, lr, beta_1, beta_2, epsilon):
    m, v = _moments(g, m, v, beta_1, beta_2)
    return _a(w) - lr / (1 - beta_1**t) * m / (np.sqrt(v) + epsilon), m, v


def _adam_swapped_betas(w, g, m, v, t, lr, beta_1, beta_2, epsilon):
    m = (1 - beta_1) * _a(m) + beta_1 * _a(g)
    v = (1 - beta_2) * _a(v) + beta_2 * _a(g) ** 2
    step = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return _a(w) - step * m / (np.sqrt(v) + epsilon), m, v


def _adam_v_unsquared(w, g, m, v, t, lr, beta_1, beta_2, epsilon):
    m = beta_1 * _a(m) + (1 - beta_1) * _a(g)
    v = beta_2 * _a(v) + (1 - beta_2) * np.abs(_a(g))
    step = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return _a(w) - step * m / (np.sqrt(v) + epsilon), m, v


def _adam_correction_inverted(w, g, m, v, t, lr, beta_1, beta_2, epsilon):
    m, v = _moments(g, m, v, beta_1, beta_2)
    step = lr * (1 - beta_1**t) / np.sqrt(1 - beta_2**t)
    return _a(w) - step * m / (np.sqrt(v) + epsilon), m, v


@guarded
def evaluate_adam_step(adam_step: Callable[..., Any]) -> Result:
    """Evaluate ``adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon)`` → (w, m, v), Keras' form."""
    rng = np.random.default_rng(4)
    cases = [
        Case((np.array([1.0, -2.0, 0.5]), np.array([0.6, -0.2, 1.4]), np.array([0.2, -0.1, 0.3]),
              np.array([0.05, 0.02, 0.4]), 3, 0.1, 0.9, 0.999, 0.01)),
        Case((rng.normal(size=4), rng.normal(size=4), np.zeros(4), np.zeros(4), 1, 0.001, 0.9, 0.999, 1e-7)),
        Case((rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3)) * 0.1,
              rng.uniform(0, 0.5, size=(2, 3)), 10, 0.05, 0.8, 0.99, 1e-3)),
    ]
    mistakes = [
        Mistake("that is Algorithm 1 of the paper, m̂/(√v̂ + ε). Keras folds both corrections into the step "
                "size, lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ), and adds ε to √v (not to √v̂): the two differ through ε.",
                _adam_paper_form),
        Mistake("you left out the bias corrections: early on m and v are biased towards their zero start; "
                "scale the step by √(1 − β₂ᵗ)/(1 − β₁ᵗ).", _adam_no_correction),
        Mistake("t is already the number of this step (1 for the first update): use β₁ᵗ and β₂ᵗ as given, "
                "not t + 1.", _adam_t_off_by_one),
        Mistake("correct both moments: the step size has √(1 − β₂ᵗ) on top as well as 1/(1 − β₁ᵗ).",
                _adam_first_only),
        Mistake("β weighs the OLD moment: m ← β₁m + (1 − β₁)g and v ← β₂v + (1 − β₂)g².", _adam_swapped_betas),
        Mistake("v averages the SQUARED gradient, g**2.", _adam_v_unsquared),
        Mistake("the correction is √(1 − β₂ᵗ) / (1 − β₁ᵗ): the β₁ term is below the line.",
                _adam_correction_inverted),
    ]
    return evaluate_function(
        adam_step, _adam, cases, name="adam_step", mistakes=mistakes,
        axes=("returned item (0 = w, 1 = m, 2 = v)", "parameter"),
        success="Momentum (m) and RMSprop's per-coordinate scale (v) in one step, with the zero start corrected.",
    )


check_momentum_step = printer(evaluate_momentum_step)
check_rmsprop_step = printer(evaluate_rmsprop_step)
check_adam_step = printer(evaluate_adam_step)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"momentum_step": 2, "rmsprop_step": 2, "adam_step": 3}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "momentum_step": ("optimizers.nesterov_step", "optimizers.numpy_path", "keras.optimizers"),
    "rmsprop_step": ("optimizers.numpy_path", "keras.optimizers"),
    "adam_step": ("optimizers.adamw_step", "optimizers.numpy_path", "keras.optimizers"),
}
