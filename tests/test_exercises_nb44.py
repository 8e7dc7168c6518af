"""Exercise checks of notebook 44 accept the solutions and their valid variants, and name each mistake."""

import logging

import numpy as np
import pytest

from utils.exercises import nb44_packaging as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def version_key(version):
    parts = [int(part) for part in version.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def shown(record_levels, logger_level, handler_levels):
    records = np.asarray(record_levels)[:, None]
    return (records >= logger_level) & (records >= np.asarray(handler_levels)[None, :])


def effective_levels(levels, names):
    found = []
    for name in names:
        parts = name.split(".")
        level = 0
        while parts and not level:
            level = levels.get(".".join(parts), 0)
            parts = parts[:-1]
        found.append(level or levels.get("", logging.WARNING))
    return found


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_version_key, version_key),
    (ex.evaluate_version_key, lambda v: np.array(version_key(v))),
    (ex.evaluate_version_key, lambda v: [int(p) for p in (v + ".0.0").split(".")[:3]]),
    (ex.evaluate_shown, shown),
    (ex.evaluate_shown, lambda r, lg, hs: [[lv >= max(lg, h) for h in hs] for lv in r]),
    (ex.evaluate_shown, lambda r, lg, hs: (np.asarray(r)[:, None] >= np.maximum(lg, hs)).astype(int)),
    (ex.evaluate_effective_levels, effective_levels),
    (ex.evaluate_effective_levels, lambda lv, ns: np.array(effective_levels(lv, ns))),
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_version_key, lambda v: [0] * (3 - len(v.split("."))) + [int(p) for p in v.split(".")], "at the end"),
    (ex.evaluate_version_key, ex._as_float, "not a decimal number"),
    (ex.evaluate_version_key, lambda v: np.array(version_key(v), dtype=float), "ints are expected"),
    (ex.evaluate_shown, lambda r, lg, hs: np.repeat((np.asarray(r) >= lg)[:, None], len(hs), axis=1), "AND"),
    (ex.evaluate_shown, lambda r, lg, hs: np.asarray(r)[:, None] >= np.asarray(hs)[None, :], "comes first"),
    (ex.evaluate_shown, lambda r, lg, hs: np.asarray(r)[:, None] > np.maximum(lg, hs), "AT the level"),
    (ex.evaluate_shown, lambda r, lg, hs: np.asarray(r)[:, None] >= np.minimum(lg, hs), "stricter"),
    (ex.evaluate_shown, lambda r, lg, hs: shown(r, lg, hs).T, "one row per record"),
    (ex.evaluate_effective_levels, lambda lv, ns: [lv.get(n, 0) for n in ns], "walk up"),
    (ex.evaluate_effective_levels, ex._levels(steps=1), "ITS parent"),
    (ex.evaluate_effective_levels, ex._levels(order="down"), "NEAREST"),
    (ex.evaluate_effective_levels, ex._levels(default=0), "the root's applies"),
])
def test_plausible_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed
    assert result.message.startswith("❌") and hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_version_key, ex.evaluate_shown, ex.evaluate_effective_levels])
def test_todo_crash_and_nan_never_raise(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    assert evaluate(crash).message.startswith("❌")
    assert evaluate(lambda *a: np.nan).message.startswith("❌")
    assert evaluate("answer").message.startswith("❌")


def test_reference_levels_agree_with_pythons_logging():
    levels, names = ex._level_cases()[0].args
    manager = logging.Manager(logging.RootLogger(levels.get("", logging.WARNING)))
    for name, level in levels.items():
        if name:
            manager.getLogger(name).setLevel(level)
    real = [manager.getLogger(name).getEffectiveLevel() for name in names]
    assert list(ex._reference_levels(levels, names)) == real


def test_points_and_not_allowed_cover_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"version_key", "shown", "effective_levels"}
