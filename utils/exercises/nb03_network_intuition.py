"""Exercises of notebook 03 (neural network intuition): a dense layer, the koala forward pass, error feedback."""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.foundations.networks import koala_weights
from utils.foundations.networks import sigmoid as _sigmoid


def _dense(x: Any, W: Any, b: Any) -> np.ndarray:
    return _sigmoid(np.asarray(x, dtype=np.float64) @ np.asarray(W, dtype=np.float64) + b)


@guarded
def evaluate_dense_layer(dense_layer: Callable[[Any, Any, Any], Any]) -> Result:
    """Evaluate a learner's ``dense_layer(x, W, b)``: sigmoid(x @ W + b) for a batch of rows."""
    rng = np.random.default_rng(3)
    cases = [
        Case((rng.uniform(0, 1, (3, 3)), rng.normal(size=(3, 3)), rng.normal(size=3))),  # square W on purpose
        Case((rng.uniform(0, 1, (4, 6)), rng.normal(size=(6, 5)), rng.normal(size=5))),
        Case((rng.uniform(0, 1, (2, 5)), rng.normal(size=(5, 2)), rng.normal(size=2))),
    ]
    mistakes = [
        Mistake("W has one row per input and one column per unit, so the product is x @ W (not x @ W.T).",
                lambda x, W, b: _dense(x, W.T, b)),
        Mistake("add the bias b (one per unit) before the sigmoid.", lambda x, W, b: _sigmoid(x @ W)),
        Mistake("pass the weighted sum through the sigmoid: you returned x @ W + b itself.",
                lambda x, W, b: x @ W + b),
        Mistake("the bias goes inside the sigmoid: σ(x @ W + b), not σ(x @ W) + b.",
                lambda x, W, b: _sigmoid(x @ W) + b),
        Mistake("z = x @ W + b: you subtracted the bias.", lambda x, W, b: _dense(x, W, -b)),
        Mistake("a layer multiplies the inputs by the weights as a matrix product (@), "
                "not element by element (*).", lambda x, W, b: _sigmoid(x * W + b)),
    ]
    return evaluate_function(
        dense_layer, _dense, cases, name="dense_layer", mistakes=mistakes,
        success="One matrix product computes every unit of the layer for every example at once.",
    )


def _forward(cues: Any, weights: Mapping[str, Any]) -> np.ndarray:
    detectors = _dense(cues, weights["W_detect"], weights["b_detect"])
    coordinators = _dense(detectors, weights["W_coord"], weights["b_coord"])
    return _dense(coordinators, weights["W_decide"], weights["b_decide"])


def _random_weights(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {key: rng.normal(0, 1.5, np.shape(value)) for key, value in koala_weights().items()}


def _linear_hidden(cues: Any, w: Mapping[str, Any]) -> np.ndarray:
    detectors = cues @ w["W_detect"] + w["b_detect"]
    coordinators = detectors @ w["W_coord"] + w["b_coord"]
    return _dense(coordinators, w["W_decide"], w["b_decide"])


def _no_bias(cues: Any, w: Mapping[str, Any]) -> np.ndarray:
    zero = {key: (np.zeros_like(value) if key.startswith("b_") else value) for key, value in w.items()}
    return _forward(cues, zero)


def _coordinators(cues: Any, w: Mapping[str, Any]) -> np.ndarray:
    return _dense(_dense(cues, w["W_detect"], w["b_detect"]), w["W_coord"], w["b_coord"])


@guarded
def evaluate_koala_probability(koala_probability: Callable[[Any, Mapping[str, Any]], Any]) -> Result:
    """Evaluate a learner's ``koala_probability(cues, weights)``: cues → detectors → head/body → P(koala)."""
    rng = np.random.default_rng(4)
    cases = [
        Case((rng.uniform(0, 1, (4, 6)), koala_weights())),
        Case((rng.uniform(0, 1, (3, 6)), _random_weights(1))),
        Case((rng.uniform(0, 1, (5, 6)), _random_weights(2))),
    ]
    mistakes = [
        Mistake("the decision also goes through a sigmoid: return σ(coordinators @ W_decide + b_decide), "
                "a probability between 0 and 1.",
                lambda c, w: _coordinators(c, w) @ w["W_decide"] + w["b_decide"]),
        Mistake("each hidden layer needs its sigmoid too; without it the two hidden layers collapse into one "
                "linear step.", _linear_hidden),
        Mistake("every layer adds its bias (b_detect, b_coord, b_decide).", _no_bias),
        Mistake("you returned the coordinators (head, body); feed them into the decision layer "
                "(W_decide, b_decide) to get one probability per picture.", _coordinators),
    ]
    return evaluate_function(
        koala_probability, _forward, cases, name="koala_probability", mistakes=mistakes,
        references={"dense_layer": _dense, "sigmoid": _sigmoid},
        success="Three layers, each a matrix product plus bias through a sigmoid: a 2-hidden-layer network.",
    )


def _coordinator_error(error_decide: Any, W_decide: Any, coordinators: Any) -> np.ndarray:
    return (error_decide @ W_decide.T) * coordinators * (1 - coordinators)


@guarded
def evaluate_coordinator_error(coordinator_error: Callable[[Any, Any, Any], Any]) -> Result:
    """Evaluate a learner's ``coordinator_error(error_decide, W_decide, coordinators)``: the blame passed back."""
    rng = np.random.default_rng(5)
    cases = []
    for m in (1, 4, 3):
        cases.append(Case((rng.uniform(-1, 1, (m, 1)), rng.normal(0, 3, (2, 1)), rng.uniform(0.05, 0.95, (m, 2)))))
    mistakes = [
        Mistake("multiply by the slope of each coordinator's sigmoid, c·(1 − c): a unit that is "
                "saturated near 0 or 1 passes back little blame.", lambda e, W, c: e @ W.T),
        Mistake("the sigmoid's slope is c·(1 − c), not c.", lambda e, W, c: (e @ W.T) * c),
        Mistake("the sigmoid's slope is c·(1 − c), not (1 − c).", lambda e, W, c: (e @ W.T) * (1 - c)),
        Mistake("the blame keeps the sign of the output error: no minus sign.",
                lambda e, W, c: -_coordinator_error(e, W, c)),
        Mistake("the slope multiplies element by element (*), once per coordinator and example.",
                lambda e, W, c: (e @ W.T) * (c * (1 - c)).sum(axis=1, keepdims=True)),
    ]

    def explained(error_decide: Any, W_decide: Any, coordinators: Any) -> Any:
        try:
            return coordinator_error(error_decide, W_decide, coordinators)
        except ValueError as error:
            if "mismatch" in str(error) or "shapes" in str(error) or "aligned" in str(error):
                raise ValueError(f"{error}. Hint: W_decide has shape (2, 1) (coordinators → decision); to pass "
                                 "the error backwards, multiply by its transpose, error_decide @ W_decide.T") from None
            raise

    explained.__name__ = getattr(coordinator_error, "__name__", "coordinator_error")
    if not callable(coordinator_error):
        explained = coordinator_error
    return evaluate_function(
        explained, _coordinator_error, cases, name="coordinator_error", mistakes=mistakes,
        success="Each coordinator gets the output error, scaled by its weight and by its own slope: that is backpropagation.",
    )


check_dense_layer = printer(evaluate_dense_layer)
check_koala_probability = printer(evaluate_koala_probability)
check_coordinator_error = printer(evaluate_coordinator_error)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"dense_layer": 2, "koala_probability": 2, "coordinator_error": 3}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "dense_layer": ("networks.dense_forward", "networks.forward_pass", "keras.layers"),
    "koala_probability": ("networks.koala_forward", "networks.koala_from_detectors"),
    "coordinator_error": ("networks.error_feedback", "networks.feedback_step"),
}
