"""utils.exercises.grading: points from the checks, and answers that borrow instead of implementing get 0."""

from __future__ import annotations

import linecache
import uuid

import numpy as np
import pytest

from utils.exercises import grading, nb04_derivatives, nb08_losses, nb25_localization


def define(source: str, name: str, **names):
    """Define a function as a notebook cell does (module __main__, source kept in linecache)."""
    filename = f"<cell-{uuid.uuid4().hex}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__name__": "__main__", "np": np, **names}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - test fixture
    return namespace[name]


OWN_MSE = "def mse(y_true, y_pred):\n    return float(np.mean((y_true - y_pred) ** 2))\n"


def test_exercise_names_in_source_order():
    assert grading.exercise_names(nb08_losses) == ["mse", "categorical_cross_entropy", "sparse_categorical_cross_entropy"]


def test_own_answer_gets_full_points_and_no_flags():
    outcome = grading.grade(nb08_losses, "mse", define(OWN_MSE, "mse"))
    assert outcome["flags"] == [] and outcome["passed"]
    assert outcome["points"] == outcome["max_points"] == nb08_losses.POINTS["mse"]


@pytest.mark.parametrize("source, name", [
    ("def mse(y_true, y_pred):\n    return losses_module.mse(y_true, y_pred)\n", "mse"),
    ("def mse(y_true, y_pred):\n    return float(keras.losses.MeanSquaredError()(y_true, y_pred))\n", "mse"),
    ("def mse(y_true, y_pred):\n    from sklearn.metrics import mean_squared_error\n"
     "    return mean_squared_error(y_true, y_pred)\n", "mse"),
    ("def mse(y_true, y_pred):\n    return ex._mse(y_true, y_pred)\n", "mse"),
    ("def helper(a, b):\n    return batching.mse_cost(a, b)\n\ndef mse(y_true, y_pred):\n    return helper(y_true, y_pred)\n",
     "mse"),
])
def test_borrowed_answers_are_flagged_and_get_zero(source, name):
    import keras

    from utils.exercises import nb08_losses as ex
    from utils.training import batching

    fake_losses = type(np)("utils.training.losses")
    fake_losses.mse = lambda a, b: float(np.mean((a - b) ** 2))
    answer = define(source, name, losses_module=fake_losses, keras=keras, ex=ex, batching=batching)
    outcome = grading.grade(nb08_losses, name, answer)
    assert outcome["flags"], outcome
    assert outcome["points"] == 0.0 and not outcome["passed"]


def test_an_imported_reference_is_not_the_learners_function():
    from utils.training.losses import categorical_cross_entropy

    flags = grading.borrowed(categorical_cross_entropy, nb08_losses, "categorical_cross_entropy")
    assert flags and "not a function written in the notebook" in flags[0]
    assert grading.borrowed(np.gradient, nb04_derivatives, "central_difference")


def test_helpers_of_other_exercises_stay_allowed():
    from utils.vision import boxes

    source = (
        "def non_max_suppression(candidate_boxes, scores, iou_threshold):\n"
        "    order = list(np.argsort(-np.asarray(scores), kind='stable'))\n"
        "    kept = []\n"
        "    while order:\n"
        "        best = order.pop(0)\n"
        "        kept.append(int(best))\n"
        "        order = [i for i in order if boxes.iou(candidate_boxes[best], candidate_boxes[i]) <= iou_threshold]\n"
        "    return np.array(kept)\n"
    )
    answer = define(source, "non_max_suppression", boxes=boxes)
    outcome = grading.grade(nb25_localization, "non_max_suppression", answer)
    assert outcome["flags"] == [] and outcome["passed"], outcome


def test_matching_is_by_whole_components():
    assert grading.matches("tensorflow.keras.losses.MSE", "keras.losses")
    assert grading.matches("utils.training.losses.mse", "losses.mse")
    assert not grading.matches("utils.training.losses.mse_extra", "losses.mse")
    assert grading.canonical("numpy.gradient") == "np.gradient"


def test_values_are_graded_without_flags():
    from utils.exercises import nb02_neuron

    outcome = grading.grade(nb02_neuron, "boundary_age", ..., 1.0, -30.0)
    assert outcome["flags"] == [] and outcome["points"] == 0.0 and outcome["message"].startswith("⏳")
