"""The engine behind every exercise check: run hidden cases, explain what is wrong, never raise.

A check compares a learner's function (or value) with a reference on hidden cases and returns a
:class:`Result` whose message starts with ✅ (passed), ⏳ (not attempted yet) or ❌ (with a
specific hint). ``check_*`` print the message; ``evaluate_*`` return the :class:`Result`, which is
what instructors' grading scripts and the unit tests use. Introduced in notebook 02.
"""

from __future__ import annotations

import copy
import math
import sys
import types
import warnings
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

import numpy as np

PASS, TODO, FAIL = "✅", "⏳", "❌"


@dataclass(frozen=True)
class Result:
    """Outcome of a check: whether it passed, the message shown to the learner, and its points.

    ``fraction`` is the share of hidden cases the answer passed (None: all or nothing);
    ``max_points`` comes from the exercise module's ``POINTS``. Introduced for grading.
    """

    passed: bool
    message: str
    fraction: float | None = None
    max_points: float = 1.0

    @property
    def points(self) -> float:
        """Full points when passed; otherwise the share of cases passed, rounded down to half points."""
        if self.passed:
            return float(self.max_points)
        share = min(max(self.fraction or 0.0, 0.0), 1.0)
        points = math.floor(2 * self.max_points * share + 1e-9) / 2
        return float(min(points, max(self.max_points - 0.5, 0.0)))

    def scored(self, max_points: float) -> "Result":
        """The same outcome worth ``max_points``."""
        return replace(self, max_points=float(max_points))

    def __str__(self) -> str:
        return self.message

    def __bool__(self) -> bool:
        return self.passed


@dataclass(frozen=True)
class Case:
    """One hidden test input; with ``finite_only`` only shape and finiteness are checked."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    finite_only: bool = False


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer (a function, or a value) and the hint to give when it is seen."""

    hint: str
    wrong: Any


def _short(value: Any, limit: int = 120) -> str:
    """A compact one-line repr of a number, array or other object."""
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        value = value.item()  # a NumPy scalar reads as a plain number, not np.int64(4)
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=4, separator=", ", threshold=8, edgeitems=3)
    elif isinstance(value, (float, np.floating)):
        text = f"{float(value):.6g}"
    else:
        text = repr(value)
    text = " ".join(text.split()).replace(" ,", ",").replace(" ]", "]").replace("[ ", "[")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_case(case: Case) -> str:
    parts = [_short(a, 60) for a in case.args] + [f"{k}={_short(v, 60)}" for k, v in case.kwargs.items()]
    return "(" + ", ".join(parts) + ")"


def _is_numeric(value: Any) -> bool:
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything unconvertible is simply "not numeric"
        return False
    return array.dtype.kind in "biufc"


def _to_array(value: Any) -> np.ndarray:
    """Convert NumPy, Python and TensorFlow values alike to a NumPy array."""
    if hasattr(value, "numpy") and callable(value.numpy):
        value = value.numpy()
    return np.asarray(value)


def _kind(array: np.ndarray) -> str:
    return "integer" if array.dtype.kind in "biu" else "float" if array.dtype.kind == "f" else array.dtype.kind


def _harmless_shape(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """``got`` reshaped to ``expected``'s shape when both hold one number (shape (), (1,), (1, 1)...)."""
    if got.size == 1 and expected.size == 1 and got.shape != expected.shape:
        return got.reshape(expected.shape)
    return got


DEFAULT_AXES = {1: ("index",), 2: ("row", "column")}


def _first_difference(
    got: np.ndarray, expected: np.ndarray, rtol: float, atol: float, axes: Sequence[str] | None = None
) -> str:
    """Where two same-shaped arrays first differ, in words: index, axis names, both values, how many."""
    differs = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    index = tuple(int(i) for i in np.argwhere(differs)[0])
    names = list(axes) if axes is not None and len(axes) == got.ndim else list(DEFAULT_AXES.get(got.ndim, ()))
    position = f"index {index if len(index) > 1 else index[0]}"
    if names and names != ["index"]:
        position += " (" + ", ".join(f"{n} {i}" for n, i in zip(names, index)) + ")"
    return (
        f"first difference at {position}: expected {_short(expected[index])}, got {_short(got[index])}; "
        f"{int(differs.sum())} of {differs.size} elements differ"
    )


def _compare(
    name: str,
    got: Any,
    expected: Any,
    rtol: float,
    atol: float,
    where: str,
    finite_only: bool = False,
    check_dtype: bool = True,
    integer: bool = False,
    axes: Sequence[str] | None = None,
) -> str | None:
    """Return a specific complaint about ``got`` versus ``expected``, or None when they agree."""
    if got is None:
        return f"{name} gave None{where}. Did you forget the `return` statement?"
    try:
        got_array = _to_array(got)
    except Exception:  # noqa: BLE001 - ragged lists and other unconvertible values
        got_array = np.asarray(None)
    if not _is_numeric(got_array):
        return f"{name} gave a {type(got).__name__}{where}; expected a number or an array of numbers."
    expected_array = _to_array(expected)
    got_array = _harmless_shape(got_array, expected_array)
    if got_array.shape != expected_array.shape:
        return (
            f"{name} gave shape {got_array.shape}{where}; expected shape {expected_array.shape}. "
            "Check which axis you sum over, and that you do not add or drop a dimension."
        )
    if got_array.dtype.kind in "fc" and not np.all(np.isfinite(got_array)):
        bad = "NaN" if np.any(np.isnan(got_array)) else "an infinite value"
        return (
            f"{name} gave {bad}{where}. Look for log(0), division by zero or an overflowing exp; "
            "clipping the values that go into log or exp usually fixes it."
        )
    if finite_only:
        return None
    if integer and got_array.dtype.kind not in "iu":
        return (
            f"{name} gave {got_array.dtype} values{where}, like {_short(got_array.ravel()[:3])}; "
            "ints are expected, because these numbers are used as indices or counts "
            "(a float such as 3.0 cannot index an array). Use // for the division and int(...) "
            "or .astype(int) on the result."
        )
    if check_dtype and _kind(got_array) != _kind(expected_array):
        if _kind(expected_array) == "integer":
            return (
                f"{name} gave {got_array.dtype} values{where}, like {_short(got_array.ravel()[:3])}; "
                "expected whole numbers or class labels (0/1). Did you forget to threshold or round?"
            )
        if _kind(expected_array) == "float":
            return (
                f"{name} gave {got_array.dtype} values{where}; expected floating-point numbers. "
                "Integer division (//) or an integer cast loses the fractional part."
            )
    if not np.allclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True):
        difference = np.abs(got_array.astype(np.float64) - expected_array.astype(np.float64))
        largest = f"largest difference {float(np.nanmax(difference)):.3g}"
        if expected_array.size == 1:
            return f"{name} gave {_short(got_array)}{where}; expected {_short(expected_array)} ({largest})."
        whole = (f" ({_short(got_array)}, expected {_short(expected_array)})"
                 if expected_array.size <= 8 else "")
        return (
            f"{name} gave a different array{where}{whole}: "
            f"{_first_difference(got_array, expected_array, rtol, atol, axes)}; {largest}."
        )
    return None


def _matches(got: Any, wrong: Any, rtol: float, atol: float) -> bool:
    try:
        wrong_array = _to_array(wrong)
        got_array = _harmless_shape(_to_array(got), wrong_array)
        return got_array.shape == wrong_array.shape and bool(
            np.allclose(got_array, wrong_array, rtol=rtol, atol=atol)
        )
    except Exception:  # noqa: BLE001 - a wrong answer that cannot be compared is not a match
        return False


def evaluate_function(
    answer: Callable[..., Any],
    reference: Callable[..., Any],
    cases: Sequence[Case],
    *,
    name: str,
    mistakes: Sequence[Mistake] = (),
    rtol: float = 1e-5,
    atol: float = 1e-7,
    check_dtype: bool = True,
    success: str = "",
    integer: bool = False,
    axes: Sequence[str] | None = None,
    references: dict[str, Callable[..., Any]] | None = None,
) -> Result:
    """Run ``answer`` and ``reference`` on every case; explain the first disagreement.

    ``integer`` rejects non-integer answers (indices, counts, shapes); ``axes`` names the axes in
    messages about arrays; ``references`` maps names of the learner's earlier exercise functions
    to their reference implementations, which the answer then calls instead.
    """
    if not cases:
        raise ValueError("a function check needs at least one Case")
    if not callable(answer):
        return Result(False, f"{FAIL} {name} should be a function, but it is a {type(answer).__name__}.")
    if references:
        answer = with_references(answer, references)
    first: Result | None = None  # the first failure is what the learner is told about
    passed = 0
    for case in cases:
        outcome = _run_case(answer, reference, case, name, mistakes, rtol, atol, check_dtype, integer, axes)
        if outcome is None:
            passed += 1
        elif outcome.message.startswith(TODO):
            return replace(outcome, fraction=0.0)
        elif first is None:
            first = outcome
    if first is not None:
        return replace(first, fraction=passed / len(cases))
    return Result(True, f"{PASS} {name} passes all {len(cases)} hidden tests. {success}".rstrip(), fraction=1.0)


def _run_case(
    answer: Callable[..., Any],
    reference: Callable[..., Any],
    case: Case,
    name: str,
    mistakes: Sequence[Mistake],
    rtol: float,
    atol: float,
    check_dtype: bool,
    integer: bool,
    axes: Sequence[str] | None,
) -> Result | None:
    """None when the answer agrees with the reference on one case, else the failing Result."""
    where = f" for input {_describe_case(case)}"
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # the learner sees our hint, not NumPy's warnings
            got = answer(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
    except NotImplementedError:
        return Result(
            False,
            f"{TODO} {name} is not written yet: replace `raise NotImplementedError` with your "
            "code, run that cell, then run this check again.",
        )
    except Exception as error:  # noqa: BLE001 - the learner sees the error, not a traceback
        return Result(False, f"{FAIL} {name} raised {type(error).__name__}: {error}{where}.")
    expected = reference(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
    complaint = _compare(
        name, got, expected, rtol, atol, where, case.finite_only, check_dtype, integer, axes
    )
    if complaint:
        if not case.finite_only:
            for mistake in mistakes:
                try:
                    with np.errstate(all="ignore"):
                        wrong = mistake.wrong(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
                except Exception:  # noqa: BLE001 - a crashing model of a mistake just does not match
                    continue
                if _matches(got, wrong, rtol, atol):
                    return Result(False, f"{FAIL} {complaint} Hint: {mistake.hint}")
        return Result(False, f"{FAIL} {complaint}")
    return None


def evaluate_value(
    answer: Any,
    expected: Any,
    *,
    name: str,
    mistakes: Sequence[Mistake] = (),
    rtol: float = 1e-5,
    atol: float = 1e-7,
    check_dtype: bool = False,
    success: str = "",
    integer: bool = False,
    axes: Sequence[str] | None = None,
) -> Result:
    """Compare a learner's value with the expected one; recognise listed mistaken values."""
    if answer is Ellipsis:
        return Result(False, f"{TODO} {name} is not filled in yet: replace `...` with your answer.")
    complaint = _compare(name, answer, expected, rtol, atol, "", False, check_dtype, integer, axes)
    if complaint is None:
        return Result(True, f"{PASS} {name} is correct. {success}".rstrip())
    for mistake in mistakes:
        if _matches(answer, mistake.wrong, rtol, atol):
            return Result(False, f"{FAIL} {complaint} Hint: {mistake.hint}")
    return Result(False, f"{FAIL} {complaint}")


def _global_names(code: types.CodeType) -> set[str]:
    """Every global name a code object (or a function nested in it) may look up."""
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names


def with_references(answer: Callable[..., Any], references: dict[str, Callable[..., Any]]) -> Callable[..., Any]:
    """A copy of ``answer`` that calls the given reference functions in place of the learner's own.

    A later exercise often calls an earlier one (``encode_box`` calls ``cell_of``); checking it
    with the references means a mistake in the earlier answer cannot send the later hint astray.
    """
    if not isinstance(answer, types.FunctionType):
        return answer
    used = {key: value for key, value in references.items() if key in _global_names(answer.__code__)}
    if not used:
        return answer
    namespace = {**answer.__globals__, **used}
    clone = types.FunctionType(answer.__code__, namespace, answer.__name__, answer.__defaults__, answer.__closure__)
    clone.__kwdefaults__ = answer.__kwdefaults__
    clone.__doc__ = answer.__doc__
    return clone


class Verdict:
    """What compare and confirm return: true or false like a bool, and invisible as a cell's last value.

    The message is already printed, so a notebook cell ending in ``checks.compare(...)`` should not
    also show ``True`` under it.
    """

    __slots__ = ("passed",)

    def __init__(self, passed: bool) -> None:
        self.passed = bool(passed)

    def __bool__(self) -> bool:
        return self.passed

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (bool, np.bool_, Verdict)):
            return self.passed == bool(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.passed)

    def __repr__(self) -> str:
        return repr(self.passed)

    def _ipython_display_(self) -> None:
        """Display nothing: the ✅/❌ line was printed already."""


def compare(name: str, ours: Any, theirs: Any, *, rtol: float = 1e-5, atol: float = 1e-8) -> Verdict:
    """Print whether ``ours`` equals ``theirs`` (a ✅ or a ❌ saying where they differ); return it.

    The notebooks' "same as Keras" cells call this instead of a bare ``assert``, so a learner
    whose earlier answer is wrong sees what differs instead of an ``AssertionError``. The
    tolerances mean what they mean in ``np.allclose`` (same defaults).
    """
    try:
        complaint = _compare("ours", ours, theirs, rtol, atol, "", check_dtype=False)
    except Exception as error:  # noqa: BLE001 - a comparison must not raise into the learner's face
        complaint = f"the two could not be compared ({type(error).__name__}: {error})"
    if complaint is None:
        try:
            gap = float(np.max(np.abs(_to_array(ours).astype(np.float64).ravel()
                                      - _to_array(theirs).astype(np.float64).ravel()), initial=0.0))
            detail = f" (largest difference {gap:.1e})"
        except Exception:  # noqa: BLE001 - the gap is decoration only
            detail = ""
        print(f"{PASS} {name}: equal{detail}")
        return Verdict(True)
    complaint = complaint.replace("ours gave a different array: ", "").replace("ours gave", "ours is", 1)
    complaint = complaint.split(" Check which axis")[0]
    print(f"{FAIL} {name}: ours and theirs differ: {complaint} "
          "If you changed an exercise's function above, run its check again.")
    return Verdict(False)


def confirm(name: str, condition: Any, detail: str = "") -> Verdict:
    """Print a ✅ or a ❌ for a yes/no fact the lesson relies on (``detail`` only with ❌); return it."""
    try:
        holds = bool(np.all(condition))
    except Exception as error:  # noqa: BLE001 - never raise into the learner's face
        holds, detail = False, f"{detail} ({type(error).__name__}: {error})".strip()
    print(f"{PASS} {name}" if holds else f"{FAIL} {name}: not true{(' ' + detail) if detail else ''}")
    return Verdict(holds)


def check_function(answer: Callable[..., Any], reference: Callable[..., Any], cases: Sequence[Case], **options: Any) -> None:
    """Print the outcome of :func:`evaluate_function` (what a notebook's check cell shows)."""
    print(evaluate_function(answer, reference, cases, **options))


def check_value(answer: Any, expected: Any, **options: Any) -> None:
    """Print the outcome of :func:`evaluate_value`."""
    print(evaluate_value(answer, expected, **options))


def exercise_points(evaluate: Callable[..., Result]) -> float:
    """The points of an exercise: its entry in its module's ``POINTS`` (1 when the module has none)."""
    points = getattr(sys.modules.get(evaluate.__module__), "POINTS", {})
    return float(points.get(evaluate.__name__.removeprefix("evaluate_"), 1))


def guarded(evaluate: Callable[..., Result]) -> Callable[..., Result]:
    """Make an exercise's evaluate function safe: any unexpected error becomes a ❌ message."""

    def run(*args: Any, **kwargs: Any) -> Result:
        try:
            result = evaluate(*args, **kwargs)
        except NotImplementedError:
            result = Result(False, f"{TODO} Not attempted yet: replace `raise NotImplementedError` with your code.")
        except Exception as error:  # noqa: BLE001 - a check must never raise into the learner's face
            result = Result(False, f"{FAIL} The check could not run your answer: {type(error).__name__}: {error}")
        return result.scored(exercise_points(evaluate))

    run.__name__ = evaluate.__name__
    run.__doc__ = evaluate.__doc__
    run.__wrapped__ = evaluate  # inspect.signature shows the real parameters
    return run


def printer(evaluate: Callable[..., Result]) -> Callable[..., None]:
    """Turn a guarded evaluate function into the check a notebook calls: it prints the message."""
    safe = guarded(evaluate)

    def check(*args: Any, **kwargs: Any) -> None:
        print(safe(*args, **kwargs))

    check.__name__ = evaluate.__name__.replace("evaluate_", "check_")
    check.__doc__ = (evaluate.__doc__ or "").replace("Evaluate", "Check")
    return check
