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


# ---------------------------------------------------------------- harmless shapes of a scalar


def mean_square(x):
    return float(np.mean(np.asarray(x, dtype=float) ** 2))


SCALAR_CASES = [Case((np.array([1.0, 2.0, 3.0]),)), Case((np.array([0.5, -1.5]),))]


@pytest.mark.parametrize(
    "wrap",
    [
        lambda v: np.array([[v]]),  # (1, 1), e.g. from keepdims or a Keras output
        lambda v: np.array([v]),  # (1,)
        lambda v: np.array(v),  # 0-d array
        lambda v: np.float32(v),  # NumPy scalar of another precision
        lambda v: float(v),  # Python float
    ],
    ids=["(1, 1)", "(1,)", "0-d", "np.float32", "float"],
)
def test_scalar_in_a_harmless_shape_passes_without_an_axis_hint(wrap):
    result = evaluate_function(lambda x: wrap(mean_square(x)), mean_square, SCALAR_CASES, name="ms")
    assert result.passed, result.message


def test_scalar_tensorflow_tensor_passes():
    import tensorflow as tf

    result = evaluate_function(lambda x: tf.reduce_mean(tf.square(x)), mean_square, SCALAR_CASES, name="ms")
    assert result.passed, result.message
    assert evaluate_value(tf.constant([[2.5]]), 2.5, name="v").passed


def test_a_real_shape_difference_still_gets_the_axis_hint():
    result = evaluate_function(lambda x: np.asarray(x) ** 2, mean_square, SCALAR_CASES, name="ms")
    assert "expected shape ()" in result.message and "axis" in result.message


def test_wrong_scalar_in_a_harmless_shape_is_compared_by_value():
    result = evaluate_function(lambda x: np.array([[2 * mean_square(x)]]), mean_square, SCALAR_CASES, name="ms",
                               mistakes=[Mistake("doubled", lambda x: 2 * mean_square(x))])
    assert not result.passed and "shape" not in result.message and result.message.endswith("doubled")


# ---------------------------------------------------------------- integers where indices are expected


def cell(x):
    return int(x // 10), int(x % 10)


@pytest.mark.parametrize("wrong", [lambda x: (x // 10, x % 10), lambda x: np.array(cell(x), dtype=float),
                                   lambda x: tuple(float(v) for v in cell(x))])
def test_floats_are_rejected_where_ints_are_expected(wrong):
    result = evaluate_function(wrong, cell, [Case((37.0,))], name="cell_of", integer=True)
    assert not result.passed and "ints are expected" in result.message, result.message
    assert "indices" in result.message


@pytest.mark.parametrize("right", [cell, lambda x: np.array(cell(x)), lambda x: [np.int64(v) for v in cell(x)],
                                   lambda x: tuple(np.array(cell(x), dtype=np.int32))])
def test_every_kind_of_int_is_accepted(right):
    assert evaluate_function(right, cell, [Case((37.0,))], name="cell_of", integer=True).passed


def test_wrong_ints_still_get_their_hint_with_integer_on():
    result = evaluate_function(lambda x: cell(x)[::-1], cell, [Case((37.0,))], name="cell_of", integer=True,
                               mistakes=[Mistake("swapped", lambda x: cell(x)[::-1])])
    assert result.message.endswith("swapped")


def test_integer_values_are_checked_by_evaluate_value_too():
    assert "ints are expected" in evaluate_value(3.0, 3, name="n", integer=True).message
    assert evaluate_value(3, 3, name="n", integer=True).passed


# ---------------------------------------------------------------- where arrays differ


def test_array_difference_names_index_axes_values_and_count():
    expected = np.zeros((4, 4, 3))
    got = expected.copy()
    expected[0, 2, 1], got[0, 2, 1] = 0.25, 0.5
    got[1, 1, 0] = got[3, 3, 2] = 1.0
    result = evaluate_value(got, expected, name="encode_box", axes=("row", "column", "channel"))
    assert "first difference at index (0, 2, 1) (row 0, column 2, channel 1): expected 0.25, got 0.5" in result.message
    assert "3 of 48 elements differ" in result.message
    assert "[[[" not in result.message and "…" not in result.message


def test_matrix_difference_names_row_and_column_by_default():
    expected = np.arange(12.0).reshape(3, 4)
    got = expected.copy()
    got[2, 1] = -1
    result = evaluate_value(got, expected, name="m")
    assert "index (2, 1) (row 2, column 1): expected 9, got -1; 1 of 12 elements differ" in result.message


def test_vector_difference_names_the_index_and_shows_small_arrays_whole():
    result = evaluate_value(np.array([1.0, 2.0, 3.5]), np.array([1.0, 2.0, 3.0]), name="v")
    assert "first difference at index 2: expected 3, got 3.5" in result.message
    assert "([1., 2., 3.5], expected [1., 2., 3.])" in result.message


def test_function_difference_names_the_case_and_the_element():
    result = evaluate_function(lambda x: np.asarray(x) ** 2 + (np.asarray(x) > 2), square, CASES, name="square")
    assert "for input ([1., 2., 3.])" in result.message and "[1., 4., 10.]" in result.message and "first difference at index 2" in result.message


# ---------------------------------------------------------------- earlier answers replaced by references


def test_with_references_replaces_the_learners_earlier_helper():
    namespace = {}
    exec(
        "def helper(x):\n    return -x\n"  # the learner's wrong earlier answer
        "def later(x, scale=3):\n    return scale * helper(x)\n",
        namespace,
    )
    fixed = checks.with_references(namespace["later"], {"helper": lambda x: x})
    assert fixed(2) == 6 and namespace["later"](2) == -6  # the learner's function is untouched
    assert fixed.__name__ == "later"


def test_with_references_reaches_helpers_called_inside_nested_functions():
    namespace = {}
    exec("def helper(x):\n    return -x\ndef later(xs):\n    return [helper(x) for x in xs]\n", namespace)
    assert checks.with_references(namespace["later"], {"helper": abs})([-1, 2]) == [1, 2]


def test_with_references_leaves_other_callables_alone():
    assert checks.with_references(np.sum, {"helper": abs}) is np.sum
    function = lambda x: x  # noqa: E731
    assert checks.with_references(function, {"helper": abs}) is function


def test_evaluate_function_uses_the_references():
    namespace = {"np": np}
    exec("def helper(x):\n    return x * 0\ndef later(x):\n    return helper(x) ** 2\n", namespace)
    result = evaluate_function(namespace["later"], square, CASES, name="later", references={"helper": lambda x: x})
    assert result.passed, result.message


# ---------------------------------------------------------------- compare and confirm


def test_compare_prints_a_tick_and_returns_true(capsys):
    verdict = checks.compare("loss vs Keras", 0.1234567, np.float32(0.1234567))
    assert verdict == True and bool(verdict)  # noqa: E712 - a bool-like Verdict
    assert capsys.readouterr().out.startswith("✅ loss vs Keras: equal")


@pytest.mark.parametrize("ours, theirs, words", [
    (np.array([1.0, 2.0]), np.array([1.0, 2.5]), "first difference at index 1"),
    (np.zeros(3), np.zeros(4), "shape (3,)"),
    (None, 1.0, "None"),
    ("text", 1.0, "str"),
    (np.nan, 1.0, "NaN"),
])
def test_compare_explains_a_difference_and_never_raises(capsys, ours, theirs, words):
    assert not checks.compare("thing", ours, theirs)
    out = capsys.readouterr().out
    assert out.startswith("❌ thing") and words in out and "run its check again" in out


def test_compare_accepts_tensorflow_tensors(capsys):
    import tensorflow as tf

    assert checks.compare("tape", tf.constant([1.0, 2.0]), np.array([1.0, 2.0]))


def test_confirm_prints_and_returns_the_condition(capsys):
    assert checks.confirm("round trip", [True, True], "never shown when it holds")
    assert not checks.confirm("kept boxes", np.array([True, False]), "box 1 differs")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✅ round trip" and out[1].startswith("❌ kept boxes: not true box 1 differs")


def test_guarded_keeps_the_real_signature():
    import inspect

    @checks.guarded
    def evaluate_thing(answer, w, b):
        """Evaluate a thing."""
        return checks.Result(True, "ok")

    assert list(inspect.signature(evaluate_thing).parameters) == ["answer", "w", "b"]


def test_verdict_is_bool_like_and_shows_nothing_as_a_cells_last_value():
    from IPython.core.formatters import DisplayFormatter

    yes, no = checks.Verdict(True), checks.Verdict(False)
    assert yes and not no and yes == True and no == False and repr(no) == "False"  # noqa: E712
    assert all([yes, checks.Verdict(np.bool_(True))]) and not all([yes, no])
    assert DisplayFormatter().format(yes) == ({}, {})  # IPython publishes no Out[] for it


@pytest.mark.parametrize("value, text", [(np.int64(4), "4"), (np.float32(0.5), "0.5"),
                                         (np.bool_(True), "True"), (np.array(7), "7")])
def test_numpy_scalars_read_as_plain_numbers(value, text):
    assert checks._short(value) == text


def test_a_hint_about_integer_arrays_names_plain_numbers():
    message = checks._first_difference(np.array([1, 3]), np.array([1, 4]), rtol=0, atol=0)
    assert "expected 4, got 3" in message and "np." not in message
