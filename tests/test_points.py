"""Points per exercise live with the check: every module's POINTS, and partial credit in Result."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import utils.exercises
from utils.checks import Case, Result, evaluate_function, guarded

MODULES = [
    importlib.import_module(f"utils.exercises.{info.name}")
    for info in pkgutil.iter_modules(utils.exercises.__path__)
    if info.name.startswith("nb")
]


def _evaluates(module) -> list[str]:
    return [name.removeprefix("evaluate_") for name, value in inspect.getmembers(module, inspect.isfunction)
            if name.startswith("evaluate_") and getattr(value, "__wrapped__", value).__module__ == module.__name__]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_exercise_has_whole_positive_points_and_only_known_bans(module):
    assert hasattr(module, "POINTS") and hasattr(module, "NOT_ALLOWED"), (
        f"{module.__name__} must declare POINTS and NOT_ALLOWED: both graders read them")
    assert sorted(module.POINTS) == sorted(_evaluates(module))
    assert all(isinstance(p, int) and p > 0 for p in module.POINTS.values())
    assert set(getattr(module, "NOT_ALLOWED", {})) <= set(module.POINTS)
    for banned in getattr(module, "NOT_ALLOWED", {}).values():
        assert isinstance(banned, tuple) and all(isinstance(b, str) and b for b in banned)


def test_the_course_modules_all_declare_points():
    declared = {m.__name__.split(".")[-1][:4] for m in MODULES if hasattr(m, "POINTS")}
    assert {"nb02", "nb04", "nb08", "nb26"} <= declared


def test_points_full_only_when_passed_and_rounded_down_to_half_points():
    assert Result(True, "ok", max_points=3).points == 3.0
    assert Result(False, "no", fraction=0.99, max_points=3).points == 2.5  # never full without passing
    assert Result(False, "no", fraction=0.5, max_points=3).points == 1.5
    assert Result(False, "no", fraction=0.25, max_points=2).points == 0.5
    assert Result(False, "no", fraction=0.2, max_points=2).points == 0.0
    assert Result(False, "no", fraction=0.9, max_points=1).points == 0.5
    assert Result(False, "no").points == 0.0
    assert Result(False, "no", fraction=1.0, max_points=2).points == 1.5  # all cases but a failing extra rule
    assert isinstance(Result(True, "ok").points, float)


def test_evaluate_function_counts_the_cases_an_answer_passes():
    cases = [Case((x,)) for x in (1.0, 2.0, 3.0, -4.0)]
    half = evaluate_function(lambda x: x ** 2 if abs(x) < 2.5 else 0.0, np.square, cases, name="f")
    assert not half.passed and half.fraction == 0.5
    assert "for input (3)" in half.message  # the first failure is the one explained
    crashing = evaluate_function(lambda x: 1 / (x - 2.0) ** 0 if x != 2.0 else 1 / 0, np.square, cases, name="f")
    assert not crashing.passed and crashing.fraction == 0.25
    assert evaluate_function(np.square, np.square, cases, name="f").fraction == 1.0


def test_not_attempted_gets_no_points():
    def todo(x):
        raise NotImplementedError
    result = evaluate_function(todo, np.square, [Case((1.0,))], name="f")
    assert result.message.startswith("⏳") and result.fraction == 0.0 and result.points == 0.0


def test_guarded_evaluates_carry_their_modules_points():
    from utils.exercises import nb04_derivatives as ex

    right = ex.evaluate_gradient(lambda x, y: np.array([3 * x**2, 2 * y]))
    assert right.passed and right.max_points == ex.POINTS["gradient"] == right.points
    wrong = ex.evaluate_gradient(lambda x, y: np.array([3 * x**2, 2 * y]) if x > 0 else np.zeros(2))
    assert not wrong.passed and 0 < wrong.points < wrong.max_points
    crashed = ex.evaluate_loss_slope("not a function")
    assert crashed.points == 0.0 and crashed.max_points == ex.POINTS["loss_slope"]


def test_a_module_without_points_gives_one_point():
    @guarded
    def evaluate_anything(answer) -> Result:
        return Result(bool(answer), "done")

    assert evaluate_anything(True).max_points == 1.0 and evaluate_anything(False).points == 0.0
