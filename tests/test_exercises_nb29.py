"""Notebook 29's exercise checks accept the solutions and reject plausible wrong answers with a hint."""

import numpy as np
import pytest
import tensorflow as tf

from utils.exercises import nb29_style as ex


def todo(*args, **kwargs):
    raise NotImplementedError


def crash(*args, **kwargs):
    return 1 / 0


# --- exercise 1: gram_matrix -----------------------------------------------------------------

def gram_reshape(features):
    h, w, c = features.shape
    f = features.reshape(h * w, c)
    return f.T @ f / (h * w)


def test_gram_solutions_pass():
    assert ex.evaluate_gram_matrix(gram_reshape).passed
    assert ex.evaluate_gram_matrix(lambda f: np.einsum("ijc,ijd->cd", f, f) / (f.shape[0] * f.shape[1])).passed
    assert ex.evaluate_gram_matrix(lambda f: tf.einsum("ijc,ijd->cd", tf.constant(f), tf.constant(f))
                                   / (f.shape[0] * f.shape[1])).passed
    assert ex.evaluate_gram_matrix(lambda f: gram_reshape(f).tolist()).passed
    assert ex.evaluate_gram_matrix(lambda f: gram_reshape(f).astype(np.float32)).passed


@pytest.mark.parametrize("mistake", range(len(ex.GRAM_MISTAKES)))
def test_gram_mistakes_get_their_hint(mistake):
    entry = ex.GRAM_MISTAKES[mistake]
    result = ex.evaluate_gram_matrix(entry.wrong)
    assert not result.passed and entry.hint in result.message


def test_gram_todo_crash_and_nan():
    assert "⏳" in ex.evaluate_gram_matrix(todo).message
    assert not ex.evaluate_gram_matrix(crash).passed
    assert not ex.evaluate_gram_matrix(lambda f: gram_reshape(f) * np.nan).passed
    assert not ex.evaluate_gram_matrix(lambda f: None).passed


# --- exercise 2: style_layer_loss -------------------------------------------------------------

def gram_matrix(features):  # what a learner's own exercise-1 answer provides
    return gram_reshape(np.asarray(features))


def style_loss_solution(features, target_gram):
    g = gram_matrix(features)
    c = g.shape[0]
    return np.sum((g - target_gram) ** 2) / (4 * c**2)


def wrong_gram_matrix(features):  # an earlier answer with a mistake must not mislead this check
    f = np.asarray(features).reshape(-1, np.shape(features)[-1])
    return f.T @ f


def style_loss_with_wrong_gram(features, target_gram):
    g = wrong_gram_matrix(features)
    return np.sum((g - target_gram) ** 2) / (4 * g.shape[0] ** 2)


def test_style_loss_solutions_pass():
    assert ex.evaluate_style_layer_loss(style_loss_solution).passed
    assert ex.evaluate_style_layer_loss(lambda f, a: float(style_loss_solution(f, a))).passed
    assert ex.evaluate_style_layer_loss(lambda f, a: np.array([style_loss_solution(f, a)])).passed
    assert ex.evaluate_style_layer_loss(
        lambda f, a: np.mean((gram_matrix(f) - a) ** 2) / 4).passed


@pytest.mark.parametrize("mistake", range(len(ex.STYLE_MISTAKES)))
def test_style_loss_mistakes_get_their_hint(mistake):
    entry = ex.STYLE_MISTAKES[mistake]
    result = ex.evaluate_style_layer_loss(entry.wrong)
    assert not result.passed and entry.hint in result.message


def test_style_loss_todo_and_crash():
    assert "⏳" in ex.evaluate_style_layer_loss(todo).message
    assert not ex.evaluate_style_layer_loss(crash).passed
    assert not ex.evaluate_style_layer_loss(lambda f, a: "loss").passed


# --- exercise 3: total_variation --------------------------------------------------------------

def tv_slices(image):
    x = np.asarray(image, dtype=np.float64)
    return np.abs(x[1:] - x[:-1]).sum() + np.abs(x[:, 1:] - x[:, :-1]).sum()


def test_tv_solutions_pass():
    assert ex.evaluate_total_variation(tv_slices).passed
    assert ex.evaluate_total_variation(lambda x: tf.image.total_variation(tf.constant(x))).passed
    assert ex.evaluate_total_variation(lambda x: [tv_slices(x)]).passed


@pytest.mark.parametrize("mistake", range(len(ex.TV_MISTAKES)))
def test_tv_mistakes_get_their_hint(mistake):
    entry = ex.TV_MISTAKES[mistake]
    result = ex.evaluate_total_variation(entry.wrong)
    assert not result.passed and entry.hint in result.message


def test_tv_todo_and_crash():
    assert "⏳" in ex.evaluate_total_variation(todo).message
    assert not ex.evaluate_total_variation(crash).passed


def test_reference_total_variation_is_tensorflows():
    rng = np.random.default_rng(0)
    image = rng.uniform(size=(9, 7, 3)).astype(np.float32)
    assert np.isclose(tv_slices(image), float(tf.image.total_variation(tf.constant(image))), rtol=1e-5)


def test_points_and_not_allowed_name_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"gram_matrix", "style_layer_loss", "total_variation"}
