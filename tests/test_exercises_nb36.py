"""Exercise checks of notebook 36 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.exercises import nb36_language_model as ex
from utils.sequences import language_model


def smoothed_bigram(counts, k):
    counts = np.asarray(counts, dtype=float)
    return (counts + k) / (counts.sum(axis=1, keepdims=True) + k * counts.shape[1])


def perplexity(probabilities):
    return float(np.exp(-np.mean(np.log(probabilities))))


def softmax_with_temperature(logits, temperature):
    z = np.asarray(logits, dtype=float) / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _tf(function):
    import tensorflow as tf

    return lambda *args: tf.constant(np.asarray(function(*args)))


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_smoothed_bigram, smoothed_bigram),
    (ex.evaluate_smoothed_bigram, lambda c, k: smoothed_bigram(c, k).tolist()),
    (ex.evaluate_smoothed_bigram, lambda c, k: smoothed_bigram(c, k).astype(np.float32)),
    (ex.evaluate_smoothed_bigram, _tf(smoothed_bigram)),
    (ex.evaluate_smoothed_bigram,  # row by row, in plain Python
     lambda c, k: [[(n + k) / (sum(row) + k * len(row)) for n in row] for row in np.asarray(c).tolist()]),
    (ex.evaluate_perplexity, perplexity),
    (ex.evaluate_perplexity, lambda p: 2 ** np.mean(-np.log2(p))),  # any base, undone by its own power
    (ex.evaluate_perplexity, lambda p: 10 ** np.mean(-np.log10(p))),
    (ex.evaluate_perplexity, lambda p: np.prod(np.asarray(p, dtype=float)) ** (-1 / np.size(p))),
    (ex.evaluate_perplexity, lambda p: np.array([perplexity(p)])),
    (ex.evaluate_perplexity, lambda p: np.float32(perplexity(p))),
    (ex.evaluate_softmax_with_temperature, softmax_with_temperature),
    (ex.evaluate_softmax_with_temperature, _tf(softmax_with_temperature)),
    (ex.evaluate_softmax_with_temperature, lambda z, t: language_model.softmax_with_temperature(z, t).tolist()),
    (ex.evaluate_softmax_with_temperature,  # p ** (1 / T), renormalised: the same distribution
     lambda z, t: softmax_with_temperature(z, 1.0) ** (1 / t)
     / (softmax_with_temperature(z, 1.0) ** (1 / t)).sum(axis=-1, keepdims=True)),
])
def test_solutions_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_smoothed_bigram, lambda c, k: (np.asarray(c) + k) / (np.sum(c, axis=1, keepdims=True) + k),
     "grows by k·V"),
    (ex.evaluate_smoothed_bigram, lambda c, k: (np.asarray(c) + k) / np.sum(c, axis=1, keepdims=True),
     "add k·V to the denominator"),
    (ex.evaluate_smoothed_bigram, lambda c, k: smoothed_bigram(np.asarray(c).T, k).T, None),
    (ex.evaluate_smoothed_bigram, lambda c, k: np.asarray(c) / np.sum(c, axis=1, keepdims=True), "pseudo-count"),
    (ex.evaluate_smoothed_bigram, lambda c, k: smoothed_bigram(c, 1.0), "Laplace"),
    (ex.evaluate_perplexity, lambda p: float(np.mean(-np.log(p))), "that is the cross-entropy"),
    (ex.evaluate_perplexity, lambda p: float(np.exp(-np.sum(np.log(p)))), "MEAN"),
    (ex.evaluate_perplexity, lambda p: float(np.exp(np.mean(-np.log2(p)))), "np.log2"),
    (ex.evaluate_perplexity, lambda p: float(np.exp(np.mean(-np.log10(p)))), "np.log10"),
    (ex.evaluate_perplexity, lambda p: float(np.exp(np.mean(np.log(p)))), "mind the sign"),
    (ex.evaluate_perplexity, lambda p: float(np.mean(1 / np.asarray(p))), "GEOMETRIC"),
    (ex.evaluate_softmax_with_temperature, lambda z, t: softmax_with_temperature(np.asarray(z) * t * t, t),
     "DIVIDE the logits by T"),
    (ex.evaluate_softmax_with_temperature, lambda z, t: softmax_with_temperature(z, 1.0), "temperature is missing"),
    (ex.evaluate_softmax_with_temperature, lambda z, t: softmax_with_temperature(z, 1.0) / t, "afterwards"),
    (ex.evaluate_softmax_with_temperature, lambda z, t: np.exp(np.asarray(z) / t), "normalise"),
    (ex.evaluate_softmax_with_temperature,
     lambda z, t: np.exp(np.asarray(z) / t) / np.exp(np.asarray(z) / t).sum(axis=0), "axis 0"),
    (ex.evaluate_softmax_with_temperature,  # no max subtracted: overflows at T = 0.25 on logits of 400
     lambda z, t: np.exp(np.asarray(z) / t) / np.exp(np.asarray(z) / t).sum(axis=-1, keepdims=True),
     "subtract each row's largest value"),
])
def test_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed and result.message.startswith("❌"), result.message
    assert "Traceback" not in result.message
    if hint:
        assert hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_smoothed_bigram, ex.evaluate_perplexity,
                                      ex.evaluate_softmax_with_temperature])
def test_every_modelled_mistake_is_named(evaluate):
    from tests.test_exercise_hints import CALLS

    name = evaluate.__name__.removeprefix("evaluate_")
    (param,) = [c for c in CALLS if c.id == f"nb36_language_model.{name}"]
    reference, cases, mistakes, options = param.values
    assert len(mistakes) >= 5
    for mistake in mistakes:
        result = ex.__dict__["evaluate_function"](mistake.wrong, reference, cases, mistakes=mistakes, **options)
        assert result.message.endswith(mistake.hint)


def todo(*args):
    raise NotImplementedError


@pytest.mark.parametrize("evaluate", [ex.evaluate_smoothed_bigram, ex.evaluate_perplexity,
                                      ex.evaluate_softmax_with_temperature])
@pytest.mark.parametrize("broken", [todo, lambda *a: 1 / 0, lambda *a: None, lambda *a: float("nan"), "text"])
def test_broken_answers_get_a_message(evaluate, broken):
    result = evaluate(broken)
    assert not result.passed and result.message[0] in "⏳❌"
    assert "Traceback" not in result.message
    if broken is todo:
        assert result.message.startswith("⏳")


def test_points_and_bans():
    assert ex.POINTS == {"smoothed_bigram": 2, "perplexity": 1, "softmax_with_temperature": 2}
    assert ex.evaluate_smoothed_bigram(smoothed_bigram).max_points == 2
    assert "language_model.perplexity" in ex.NOT_ALLOWED["perplexity"]
    assert "tf.nn.softmax" in ex.NOT_ALLOWED["softmax_with_temperature"]


def test_the_references_agree_with_the_helpers():
    counts = np.random.default_rng(0).integers(0, 5, size=(6, 6))
    assert np.allclose(smoothed_bigram(counts, 0.3), language_model.bigram_probabilities(counts, 0.3))
    p = np.random.default_rng(1).uniform(0.05, 1, size=30)
    assert np.isclose(perplexity(p), language_model.perplexity(p))
