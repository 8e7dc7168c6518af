"""Exercises of notebook 44 (packaging models): version order, which records handlers show, logger levels."""

from __future__ import annotations

import logging
from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.production import packaging

# ---------------------------------------------------------------------------------------------
# Exercise 1: a version's sort key
# ---------------------------------------------------------------------------------------------


def _version_cases() -> list[Case]:
    return [Case(("1.10",)), Case(("0.9.12",)), Case(("2",)), Case(("10.0.3",)), Case(("3.12.0",))]


def _padded_in_front(version: str) -> np.ndarray:
    parts = [int(p) for p in version.split(".")]
    return np.array([0] * (3 - len(parts)) + parts)


def _as_float(version: str) -> np.ndarray:
    major, _, rest = version.partition(".")
    minor_patch = float(f"0.{rest.replace('.', '')}") if rest else 0.0
    number = int(major) + minor_patch
    text = f"{number:.6f}".rstrip("0").split(".")
    minor = int(text[1][0]) if len(text) > 1 and text[1] else 0
    return np.array([int(text[0]), minor, 0])


@guarded
def evaluate_version_key(version_key: Callable[[str], Any]) -> Result:
    """Evaluate ``version_key(version)`` → (major, minor, patch) as integers, missing parts 0."""
    mistakes = [
        Mistake("the missing parts are the LAST ones: '1.10' is 1.10.0, so pad with zeros at the end.",
                _padded_in_front),
        Mistake("a version is not a decimal number: '1.10' is minor version ten, after 1.9; split at the "
                "dots and convert each part to an int.", _as_float),
    ]
    return evaluate_function(
        version_key, packaging.version_key, _version_cases(), name="version_key", mistakes=mistakes,
        integer=True, axes=("part",),
        success="Tuples compare part by part, so sorted(versions, key=...) orders releases as pip does.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: which records a handler shows
# ---------------------------------------------------------------------------------------------

ALL_LEVELS = np.array([logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL, 25])


def _shown_cases() -> list[Case]:
    # the first handler is stricter than the logger, the second looser: both filters matter
    return [Case((ALL_LEVELS, logging.INFO, [logging.WARNING, logging.DEBUG])),
            Case((ALL_LEVELS, logging.DEBUG, [logging.DEBUG, logging.ERROR, 25])),
            Case((ALL_LEVELS[::-1], logging.ERROR, [logging.INFO]))]


def _table(rule: Callable[[int, int, int], bool]) -> Callable[..., np.ndarray]:
    def table(record_levels: Any, logger_level: int, handler_levels: Any) -> np.ndarray:
        return np.array([[rule(int(r), int(logger_level), int(h)) for h in handler_levels]
                         for r in record_levels], dtype=bool)
    return table


_shown = _table(packaging.passes)


@guarded
def evaluate_shown(shown: Callable[..., Any]) -> Result:
    """Evaluate ``shown(record_levels, logger_level, handler_levels)`` → (records, handlers) booleans."""
    mistakes = [
        Mistake("the handler's level filters too: a record must pass the logger's level AND the handler's.",
                _table(lambda r, lg, h: r >= lg)),
        Mistake("the logger's level comes first: a record below it never reaches any handler.",
                _table(lambda r, lg, h: r >= h)),
        Mistake("a record AT the level passes (>=): logger.setLevel(WARNING) still shows warnings.",
                _table(lambda r, lg, h: r > max(lg, h))),
        Mistake("both levels must let the record through, so the stricter (higher) one decides, not the "
                "lower one.", _table(lambda r, lg, h: r >= min(lg, h))),
        Mistake("one row per record and one column per handler, not the other way round.",
                lambda r, lg, hs: _shown(r, lg, hs).T),
    ]
    return evaluate_function(
        shown, _shown, _shown_cases(), name="shown", mistakes=mistakes, axes=("record", "handler"),
        success="Two filters in a row: the logger's level, then each handler's.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: loggers' effective levels
# ---------------------------------------------------------------------------------------------


def _level_cases() -> list[Case]:
    levels = {"digit_reader": logging.INFO, "digit_reader.model": 0, "digit_reader.model.io": 0,
              "app": logging.ERROR, "app.db": logging.DEBUG}
    names = ["digit_reader.model.io", "app.db", "urllib3", "app.db.pool", "digit_reader"]
    return [Case((levels, names)),
            Case(({"": logging.INFO, "a.b": logging.ERROR}, ["a.b.c", "a", "a.b"])),
            Case(({"": logging.CRITICAL, "x": 0}, ["x.y.z", "x"])),
            Case(({"": 0, "a": 0, "a.b": logging.DEBUG}, ["a.b", "a.b.c.d", "b"]))]


def _walk(levels: dict, name: str, *, order: str = "up", steps: int | None = None, default: int = 30) -> int:
    parts = name.split(".") if name else []
    ends = list(range(len(parts), -1, -1))
    if steps is not None:
        ends = ends[: steps + 1]
    if order == "down":
        ends = ends[::-1]
    for end in ends:
        if end == 0:
            if "" in levels and order == "up" and default:
                return int(levels[""])
            continue
        level = int(levels.get(".".join(parts[:end]), 0))
        if level:
            return level
    return int(levels.get("", default)) if default else default


def _levels(**options: Any) -> Callable[..., np.ndarray]:
    def levels_of(levels: dict, names: Any) -> np.ndarray:
        return np.array([_walk(levels, name, **options) for name in names])
    return levels_of


def _reference_levels(levels: dict, names: Any) -> np.ndarray:
    return np.array([packaging.effective_level(levels, name) for name in names])


@guarded
def evaluate_effective_levels(effective_levels: Callable[..., Any]) -> Result:
    """Evaluate ``effective_levels(levels, names)`` → the level each named logger acts on."""
    mistakes = [
        Mistake("a logger whose level is NOTSET (0) asks its parent, then the parent's parent, up to the "
                "root: walk up the dotted name.", _levels(steps=0, default=0)),
        Mistake("keep walking up: when the parent is NOTSET too, ask ITS parent (drop one dotted part at a "
                "time) before the root.", _levels(steps=1)),
        Mistake("the NEAREST set ancestor decides: start from the logger itself and walk towards the root, "
                "not from the root down.", _levels(order="down")),
        Mistake("when no logger up the dots has a level, the root's applies: WARNING (30) unless it was "
                "changed.",
                _levels(default=0)),
    ]
    return evaluate_function(
        effective_levels, _reference_levels, _level_cases(), name="effective_levels", mistakes=mistakes,
        integer=True, axes=("logger",),
        success="That is logging.Logger.getEffectiveLevel(): set 'digit_reader' once, all its modules follow.",
    )


check_version_key = printer(evaluate_version_key)
check_shown = printer(evaluate_shown)
check_effective_levels = printer(evaluate_effective_levels)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"version_key": 1, "shown": 1, "effective_levels": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "version_key": ("packaging.version_key", "packaging.version", "Version(", "LooseVersion"),
    "shown": ("packaging.passes", "packaging.routing"),
    "effective_levels": ("packaging.effective_level", "getEffectiveLevel", "getLogger"),
}
