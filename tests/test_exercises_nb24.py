"""Notebook 24's exercise checks accept the solutions and reject plausible wrong answers with a hint."""

import numpy as np
import pytest

from utils.exercises import nb24_transfer as ex


def todo(*args, **kwargs):
    raise NotImplementedError


def crash(*args, **kwargs):
    return 1 / 0


# --- exercise 1: relabel ---------------------------------------------------------------------

def relabel_dict(labels, classes):
    position = {c: k for k, c in enumerate(classes)}
    return np.array([position[int(v)] for v in labels])


def test_relabel_solutions_pass():
    assert ex.evaluate_relabel(relabel_dict).passed
    assert ex.evaluate_relabel(lambda y, classes: [list(classes).index(v) for v in y]).passed
    assert ex.evaluate_relabel(lambda y, classes: np.argmax(np.asarray(y)[:, None] == np.asarray(classes),
                                                            axis=1)).passed


@pytest.mark.parametrize("wrong, hint", [
    (lambda y, classes: np.asarray(y) - classes[0], "POSITION"),
    (lambda y, classes: np.asarray(y) - min(classes), "position in classes"),
    (lambda y, classes: relabel_dict(y, classes) + 1, "count from 0"),
    (lambda y, classes: relabel_dict(y, sorted(classes)), "order of classes"),
    (lambda y, classes: np.arange(len(classes)), "same length"),
])
def test_relabel_mistakes_get_their_hint(wrong, hint):
    result = ex.evaluate_relabel(wrong)
    assert not result.passed and hint in result.message


def test_relabel_floats_todo_and_crash():
    result = ex.evaluate_relabel(lambda y, c: relabel_dict(y, c).astype(float) + 0.5)
    assert not result.passed
    assert "⏳" in ex.evaluate_relabel(todo).message
    assert not ex.evaluate_relabel(crash).passed


# --- exercise 2: count trainable -------------------------------------------------------------

def count_nested(model):
    trainable = frozen = 0
    for layer in model.layers:
        if hasattr(layer, "layers"):
            a, b = count_nested(layer)
            trainable, frozen = trainable + a, frozen + b
            continue
        for w in layer.weights:
            if layer.trainable and w.trainable:
                trainable += int(np.prod(w.shape))
            else:
                frozen += int(np.prod(w.shape))
    return trainable, frozen


def test_count_trainable_solutions_pass():
    assert ex.evaluate_count_trainable(count_nested).passed
    assert ex.evaluate_count_trainable(lambda m: list(count_nested(m))).passed
    assert ex.evaluate_count_trainable(lambda m: np.array(count_nested(m))).passed


@pytest.mark.parametrize("mistake", range(len(ex.COUNT_MISTAKES)))
def test_count_trainable_mistakes_get_their_hint(mistake):
    entry = ex.COUNT_MISTAKES[mistake]
    result = ex.evaluate_count_trainable(entry.wrong)
    assert not result.passed and entry.hint in result.message


def test_count_trainable_todo_and_crash():
    assert "⏳" in ex.evaluate_count_trainable(todo).message
    assert not ex.evaluate_count_trainable(crash).passed
    assert not ex.evaluate_count_trainable(lambda m: None).passed


# --- exercise 3: pick per class --------------------------------------------------------------

def pick_loop(labels, k, seed):
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    out = []
    for c in np.unique(labels):
        out.extend(rng.choice(np.flatnonzero(labels == c), size=k, replace=False).tolist())
    return sorted(out)


def test_pick_solutions_pass():
    assert ex.evaluate_pick_per_class(pick_loop).passed
    assert ex.evaluate_pick_per_class(lambda y, k, s: np.array(pick_loop(y, k, s), dtype=np.int32)).passed


@pytest.mark.parametrize("mistake", range(len(ex.PICK_MISTAKES)))
def test_pick_mistakes_get_their_hint(mistake):
    entry = ex.PICK_MISTAKES[mistake]
    result = ex.evaluate_pick_per_class(entry.wrong)
    assert not result.passed and entry.hint in result.message


def test_pick_floats_todo_and_crash():
    result = ex.evaluate_pick_per_class(lambda y, k, s: np.array(pick_loop(y, k, s), dtype=float))
    assert not result.passed and "int" in result.message
    assert "⏳" in ex.evaluate_pick_per_class(todo).message
    assert not ex.evaluate_pick_per_class(crash).passed


def test_points_and_not_allowed_name_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"relabel", "count_trainable", "pick_per_class"}
