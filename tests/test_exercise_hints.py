"""Every exercise check, audited as a whole: each modelled mistake gets its own hint, and the first
hidden case is not degenerate (the reference and each mistake already disagree there)."""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil

import numpy as np
import pytest

import utils.exercises
from utils import checks

MODULES = [
    importlib.import_module(f"utils.exercises.{info.name}")
    for info in pkgutil.iter_modules(utils.exercises.__path__)
    if info.name.startswith("nb")
]

# Mistakes that only a special case can reveal, so the first case legitimately cannot.
EDGE_MISTAKES = {
    "use >= 0.5, not > 0.5",  # only a probability of exactly 0.5 tells >= from >
    "use >= 0.5, as Keras does",
    "you dropped the last, smaller batch",
    "round down (floor), not up",
    "round DOWN (floor, or // in Python)",
    "a window of negative numbers has a negative maximum",
    "clamp the intersection's width and height at zero",
    "windows that would hang over the edge are dropped",
}


def recorded_checks():
    """(module, check name, reference, cases, mistakes, options) of every evaluate_function call."""
    calls = []
    for module in MODULES:
        for name, evaluate in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("evaluate_") or name in ("evaluate_function", "evaluate_value"):
                continue
            if not hasattr(module, "evaluate_function"):
                continue
            seen = []

            def recorder(answer, reference, cases, **options):
                seen.append((reference, list(cases), list(options.pop("mistakes", ())), options))
                return checks.evaluate_function(answer, reference, cases, **options)

            original = module.evaluate_function
            module.evaluate_function = recorder
            try:
                signature = inspect.signature(evaluate)
                arguments = [lambda *a, **k: None] + [1.0] * (len(signature.parameters) - 1)
                evaluate(*arguments)
            finally:
                module.evaluate_function = original
            for reference, cases, mistakes, options in seen:
                calls.append(pytest.param(reference, cases, mistakes, options, id=f"{module.__name__[16:]}.{name[9:]}"))
    return calls


CALLS = recorded_checks()


def _run(function, case):
    with np.errstate(all="ignore"):
        return function(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))


def _same(a, b) -> bool:
    try:
        a, b = checks._to_array(a), checks._to_array(b)
        a = checks._harmless_shape(a, b)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-5, atol=1e-7, equal_nan=True))
    except Exception:  # noqa: BLE001
        return False


def test_every_check_was_recorded():
    assert len(CALLS) >= 35


@pytest.mark.parametrize("reference, cases, mistakes, options", CALLS)
def test_reference_passes_its_own_check(reference, cases, mistakes, options):
    result = checks.evaluate_function(reference, reference, cases, mistakes=mistakes, **options)
    assert result.passed, result.message


@pytest.mark.parametrize("reference, cases, mistakes, options", CALLS)
def test_each_modelled_mistake_gets_its_own_hint(reference, cases, mistakes, options):
    for mistake in mistakes:
        result = checks.evaluate_function(mistake.wrong, reference, cases, mistakes=mistakes, **options)
        assert not result.passed, mistake.hint
        assert "Traceback" not in result.message
        assert result.message.endswith(mistake.hint), (mistake.hint, result.message)


@pytest.mark.parametrize("reference, cases, mistakes, options", CALLS)
def test_first_case_is_not_degenerate(reference, cases, mistakes, options):
    first = cases[0]
    expected = _run(reference, first)
    blind = []
    for mistake in mistakes:
        if any(marker in mistake.hint for marker in EDGE_MISTAKES):
            continue
        try:
            wrong = _run(mistake.wrong, first)
        except Exception:  # noqa: BLE001 - a mistake that cannot even run here is visible
            continue
        if _same(wrong, expected):
            blind.append(mistake.hint)
    assert not blind, f"the first case {checks._describe_case(first)} cannot see: {blind}"


@pytest.mark.parametrize("reference, cases, mistakes, options", CALLS)
def test_first_case_has_no_all_zero_input_or_output(reference, cases, mistakes, options):
    first = cases[0]
    for value in (*first.args, *first.kwargs.values()):
        if isinstance(value, (int, float, np.ndarray)) and not isinstance(value, bool):
            array = np.asarray(value, dtype=float)
            assert array.size == 0 or np.any(array != 0), f"an all-zero input in {checks._describe_case(first)}"
    output = checks._to_array(_run(reference, first))
    assert np.any(output.astype(float) != 0), f"the reference gives all zeros on {checks._describe_case(first)}"


def _variants(reference):
    """Valid ways of returning the reference's answer: a list, a TensorFlow tensor, a (1, 1) scalar."""
    import tensorflow as tf

    def as_list(*args, **kwargs):
        value = reference(*args, **kwargs)
        return np.asarray(value).tolist() if np.ndim(value) else value

    def as_tensor(*args, **kwargs):
        return tf.constant(np.asarray(reference(*args, **kwargs)))

    def as_column(*args, **kwargs):
        value = np.asarray(reference(*args, **kwargs))
        return value.reshape(1, 1) if value.size == 1 else value

    def as_numpy_scalar(*args, **kwargs):
        value = np.asarray(reference(*args, **kwargs))
        return value[()] if value.ndim == 0 else value

    return {"list": as_list, "tensor": as_tensor, "(1, 1)": as_column, "numpy scalar": as_numpy_scalar}


@pytest.mark.parametrize("reference, cases, mistakes, options", CALLS)
@pytest.mark.parametrize("variant", ["list", "tensor", "(1, 1)", "numpy scalar"])
def test_harmless_variants_of_the_right_answer_pass(reference, cases, mistakes, options, variant):
    answer = _variants(reference)[variant]
    result = checks.evaluate_function(answer, reference, cases, mistakes=mistakes, **options)
    assert result.passed, result.message
    assert "Check which axis" not in result.message


def _crash(*args, **kwargs):
    return [1, 2][5]


def _nan(*args, **kwargs):
    return np.full(np.shape(args[0]) if np.ndim(args[0]) else (), np.nan)


@pytest.mark.parametrize("reference, cases, mistakes, options", CALLS)
@pytest.mark.parametrize("wrong", [_crash, _nan, lambda *a, **k: None, lambda *a, **k: "0.5",
                                   lambda *a, **k: {"answer": 1}, lambda *a, **k: [[1.0, 2.0], [3.0]]])
def test_broken_answers_get_a_message_not_a_traceback(reference, cases, mistakes, options, wrong):
    result = checks.evaluate_function(wrong, reference, cases, mistakes=mistakes, **options)
    assert not result.passed and result.message.startswith("❌"), result.message
    assert "Traceback" not in result.message
