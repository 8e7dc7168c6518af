"""The exercise-check engine: passes right answers, explains every kind of wrong one, never raises."""

import numpy as np
import pytest

from utils import checks
from utils.checks import Case, Mistake, evaluate_function, evaluate_value


def square(x):
    return np.asarray(x, dtype=float) ** 2


CASES = [Case((np.array([1.0, 2.0, 3.0]),)), Case((np.array([[0.5, -1.0]]),))]


def run(answer, **options):
    return evaluate_function(answer, square, CASES, name="square", **options)


def test_right_answer_passes_with_tick():
    result = run(lambda x: x * x)
    assert result.passed and bool(result)
    assert result.message.startswith("✅") and "2 hidden tests" in result.message


def test_not_attempted_gets_hourglass():
    def todo(x):
        raise NotImplementedError

    result = run(todo)
    assert not result.passed and result.message.startswith("⏳")


def test_exception_is_reported_not_raised():
    result = run(lambda x: x.nope)
    assert not result.passed
    assert result.message.startswith("❌") and "AttributeError" in result.message


def test_none_means_missing_return():
    result = run(lambda x: None)
    assert "forget the `return`" in result.message


def test_nan_is_explained():
    result = run(lambda x: x * np.nan)
    assert "NaN" in result.message and not result.passed


def test_infinity_is_explained():
    result = run(lambda x: x / 0.0)
    assert "infinite" in result.message


def test_wrong_shape_is_explained():
    result = run(lambda x: (x * x).sum())
    assert "shape ()" in result.message and "expected shape (3,)" in result.message


def test_wrong_dtype_is_explained():
    result = run(lambda x: (x * x).astype(int))
    assert "floating-point" in result.message


def test_float_where_labels_expected():
    result = evaluate_function(
        lambda x: x * 0.5, lambda x: (x > 1).astype(int), [Case((np.array([1.0, 3.0]),))], name="labels"
    )
    assert "threshold" in result.message


def test_non_numeric_output_is_explained():
    assert "gave a str" in run(lambda x: "nine").message


def test_not_callable_answer():
    assert "should be a function" in run(42).message


def test_known_mistake_gets_its_hint():
    mistakes = [Mistake("square, don't double.", lambda x: 2 * x)]
    result = run(lambda x: 2 * x, mistakes=mistakes)
    assert "Hint: square, don't double." in result.message


def test_unknown_mistake_still_gets_difference():
    result = run(lambda x: x * x + 1, mistakes=[Mistake("never", lambda x: 2 * x)])
    assert "Hint" not in result.message and "largest difference" in result.message


def test_crashing_mistake_model_is_ignored():
    def broken(x):
        raise RuntimeError("model of a mistake is broken")

    result = run(lambda x: x + 1, mistakes=[Mistake("never shown", broken)])
    assert not result.passed and "never shown" not in result.message


def test_answer_cannot_mutate_hidden_inputs():
    def mutating(x):
        x[...] = 0
        return x

    assert not run(mutating).passed
    assert run(lambda x: x * x).passed  # the cases are intact for the next learner


def test_finite_only_case_accepts_any_finite_value():
    cases = [Case((np.array([0.0]),), finite_only=True)]
    assert evaluate_function(lambda x: x + 5, square, cases, name="f").passed
    assert not evaluate_function(lambda x: x / 0.0, square, cases, name="f").passed


def test_empty_cases_is_a_programming_error():
    with pytest.raises(ValueError, match="at least one Case"):
        evaluate_function(square, square, [], name="f")


def test_values():
    assert evaluate_value(2.0, 2.0, name="v").passed
    assert evaluate_value(..., 2.0, name="v").message.startswith("⏳")
    wrong = evaluate_value(-2.0, 2.0, name="v", mistakes=[Mistake("mind the sign.", -2.0)])
    assert "Hint: mind the sign." in wrong.message
    assert "gave a str" in evaluate_value("2", 2.0, name="v").message
    assert "shape" in evaluate_value(np.ones(2), 2.0, name="v").message


def test_values_accept_tensor_like_objects():
    class FakeTensor:
        def numpy(self):
            return np.array(3.0)

    assert evaluate_value(FakeTensor(), 3.0, name="t").passed


def test_guarded_and_printer_never_raise(capsys):
    @checks.guarded
    def evaluate_boom(answer):
        """Evaluate something."""
        raise KeyError("internal")

    assert "KeyError" in evaluate_boom(1).message
    check = checks.printer(evaluate_boom)
    assert check.__name__ == "check_boom"
    check(1)
    assert "❌" in capsys.readouterr().out

    @checks.guarded
    def evaluate_todo(answer):
        raise NotImplementedError

    assert evaluate_todo(1).message.startswith("⏳")


def test_check_functions_print(capsys):
    checks.check_function(lambda x: x * x, square, CASES, name="square")
    checks.check_value(1.0, 1.0, name="one")
    out = capsys.readouterr().out
    assert out.count("✅") == 2


def test_long_values_are_shortened():
    assert len(checks._short(np.arange(1000.0))) <= 120
    assert checks._short("x" * 500).endswith("…")
