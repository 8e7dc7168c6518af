"""Exercise checks of notebook 41 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.attention import decoder
from utils.exercises import nb41_decoder as ex


def decoder_mask(ids, pad_id):
    ids = np.asarray(ids)
    length = ids.shape[1]
    causal = np.tril(np.ones((length, length), dtype=bool))
    return causal[None, :, :] & (ids != pad_id)[:, None, :]


def top_k_probabilities(logits, k, temperature):
    z = np.asarray(logits, dtype=float) / temperature
    kth = np.sort(z, axis=-1)[..., -k][..., None]
    z = np.where(z >= kth, z, -np.inf)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def shift_right(targets, start_id):
    targets = np.asarray(targets)
    start = np.full((len(targets), 1), start_id)
    return np.concatenate([start, targets[:, :-1]], axis=1)


def _tf(function):
    import tensorflow as tf

    return lambda *args: tf.constant(np.asarray(function(*args)))


def loop_mask(ids, pad_id):  # three nested loops, as a learner might write it
    ids = np.asarray(ids).tolist()
    return [[[j <= i and row[j] != pad_id for j in range(len(row))] for i in range(len(row))]
            for row in ids]


def argsort_top_k(logits, k, temperature):
    z = np.asarray(logits, dtype=float)
    keep = np.argsort(z, axis=-1)[..., -k:]
    filtered = np.full_like(z, -np.inf)
    np.put_along_axis(filtered, keep, np.take_along_axis(z, keep, axis=-1), axis=-1)
    e = np.exp((filtered - filtered.max(axis=-1, keepdims=True)) / temperature)
    return e / e.sum(axis=-1, keepdims=True)


def _smallest_k(logits, k, temperature):  # np.argsort ascending, first k: the smallest
    z = np.asarray(logits, dtype=float)
    keep = np.argsort(z, axis=-1)[..., :k]
    kept = np.zeros(z.shape, bool)
    np.put_along_axis(kept, keep, True, axis=-1)
    e = np.where(kept, np.exp((z - np.where(kept, z, -np.inf).max(axis=-1, keepdims=True)) / temperature), 0)
    return e / e.sum(axis=-1, keepdims=True)


def tf_top_k(logits, k, temperature):
    import tensorflow as tf

    z = tf.constant(np.asarray(logits, dtype=np.float64))
    values, _ = tf.math.top_k(z, k=k)
    z = tf.where(z >= values[..., -1:], z, tf.constant(-np.inf, tf.float64))
    return tf.nn.softmax(z / temperature, axis=-1)


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_decoder_mask, decoder_mask),
    (ex.evaluate_decoder_mask, loop_mask),
    (ex.evaluate_decoder_mask, lambda ids, p: decoder_mask(ids, p).astype(int)),  # 0/1 is a mask too
    (ex.evaluate_decoder_mask, _tf(decoder_mask)),
    (ex.evaluate_decoder_mask,  # the lower triangle by comparing indices
     lambda ids, p: (np.arange(np.shape(ids)[1])[None, :] <= np.arange(np.shape(ids)[1])[:, None])
     & (np.asarray(ids) != p)[:, None, :]),
    (ex.evaluate_top_k_probabilities, top_k_probabilities),
    (ex.evaluate_top_k_probabilities, argsort_top_k),
    (ex.evaluate_top_k_probabilities, tf_top_k),
    (ex.evaluate_top_k_probabilities, lambda z, k, t: top_k_probabilities(z, k, t).astype(np.float32)),
    (ex.evaluate_shift_right, shift_right),
    (ex.evaluate_shift_right, lambda y, s: [[s] + list(row[:-1]) for row in np.asarray(y).tolist()]),
    (ex.evaluate_shift_right, lambda y, s: np.pad(np.asarray(y)[:, :-1], ((0, 0), (1, 0)),
                                                  constant_values=s)),
    (ex.evaluate_shift_right, _tf(shift_right)),
])
def test_solutions_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_decoder_mask,
     lambda ids, p: np.triu(np.ones((np.shape(ids)[1],) * 2, bool))[None] & (np.asarray(ids) != p)[:, None, :],
     "np.triu keeps the FUTURE"),
    (ex.evaluate_decoder_mask,
     lambda ids, p: np.tril(np.ones((np.shape(ids)[1],) * 2, bool), -1)[None]
     & (np.asarray(ids) != p)[:, None, :], "ITSELF"),
    (ex.evaluate_decoder_mask,
     lambda ids, p: np.tril(np.ones((np.shape(ids)[1],) * 2, bool))[None]
     & (np.asarray(ids) != p)[:, :, None], "padding hides KEYS"),
    (ex.evaluate_decoder_mask, lambda ids, p: decoder_mask(ids, p) & (np.asarray(ids) != p)[:, :, None],
     "a padded query still looks"),
    (ex.evaluate_decoder_mask,
     lambda ids, p: np.tril(np.ones((np.shape(ids)[1],) * 2, bool))[None]
     | (np.asarray(ids) != p)[:, None, :], "(AND)"),
    (ex.evaluate_decoder_mask, lambda ids, p: decoder_mask(ids, -1), "padding is missing"),
    (ex.evaluate_decoder_mask, lambda ids, p: decoder_mask(ids, 0), "not with 0"),
    (ex.evaluate_decoder_mask, lambda ids, p: np.where(decoder_mask(ids, p), 0.0, -np.inf), "additive"),
    (ex.evaluate_decoder_mask,
     lambda ids, p: np.tril(np.ones((np.shape(ids)[1],) * 2, bool))[None], None),  # wrong shape
    (ex.evaluate_top_k_probabilities, _smallest_k, "LARGEST"),
    (ex.evaluate_top_k_probabilities, lambda z, k, t: top_k_probabilities(z, k + 1, t), "k + 1"),
    (ex.evaluate_top_k_probabilities, lambda z, k, t: top_k_probabilities(z, k, 1.0), "temperature is missing"),
    (ex.evaluate_top_k_probabilities,
     lambda z, k, t: np.where(top_k_probabilities(z, k, t) > 0,
                              top_k_probabilities(z, np.shape(z)[-1], t), 0.0), "renormalise"),
    (ex.evaluate_top_k_probabilities,
     lambda z, k, t: top_k_probabilities(np.where(top_k_probabilities(z, k, t) > 0, z, 0.0),
                                         np.shape(z)[-1], t), "exp(0)"),
    (ex.evaluate_shift_right, lambda y, s: np.roll(y, 1, axis=1), "np.roll"),
    (ex.evaluate_shift_right, lambda y, s: np.concatenate([np.full((len(y), 1), s), y], axis=1),
     "drop the last target"),
    (ex.evaluate_shift_right, lambda y, s: np.concatenate([np.asarray(y)[:, 1:], np.full((len(y), 1), s)],
                                                          axis=1), "shifted left"),
    (ex.evaluate_shift_right, lambda y, s: shift_right(y, 0), "not 0"),
    (ex.evaluate_shift_right, lambda y, s: np.asarray(y), "targets themselves"),
    (ex.evaluate_shift_right, lambda y, s: shift_right(y, s).astype(float), "ints are expected"),
])
def test_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed and result.message.startswith("❌"), result.message
    assert "Traceback" not in result.message
    if hint:
        assert hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_decoder_mask, ex.evaluate_top_k_probabilities,
                                      ex.evaluate_shift_right])
def test_every_modelled_mistake_is_named(evaluate):
    from tests.test_exercise_hints import CALLS

    name = evaluate.__name__.removeprefix("evaluate_")
    (param,) = [c for c in CALLS if c.id == f"nb41_decoder.{name}"]
    reference, cases, mistakes, options = param.values
    assert len(mistakes) >= 5
    for mistake in mistakes:
        result = ex.__dict__["evaluate_function"](mistake.wrong, reference, cases, mistakes=mistakes,
                                                  **options)
        assert result.message.endswith(mistake.hint)


def todo(*args):
    raise NotImplementedError


@pytest.mark.parametrize("evaluate", [ex.evaluate_decoder_mask, ex.evaluate_top_k_probabilities,
                                      ex.evaluate_shift_right])
@pytest.mark.parametrize("broken", [todo, lambda *a: 1 / 0, lambda *a: None, lambda *a: float("nan"),
                                    "text"])
def test_broken_answers_get_a_message(evaluate, broken):
    result = evaluate(broken)
    assert not result.passed and result.message[0] in "⏳❌"
    assert "Traceback" not in result.message
    if broken is todo:
        assert result.message.startswith("⏳")


def test_points_and_bans():
    assert ex.POINTS == {"decoder_mask": 2, "top_k_probabilities": 2, "shift_right": 1}
    assert ex.evaluate_decoder_mask(decoder_mask).max_points == 2
    assert "decoder.shift_right" in ex.NOT_ALLOWED["shift_right"]
    assert "tf.math.top_k" in ex.NOT_ALLOWED["top_k_probabilities"]


def test_the_references_agree_with_the_helpers():
    ids = np.array([[4, 1, 5, 0, 0]])
    assert np.array_equal(decoder_mask(ids, 0), ex._decoder_mask(ids, 0))
    z = np.random.default_rng(0).normal(size=(2, 7))
    assert np.allclose(top_k_probabilities(z, 3, 0.8), decoder.next_token_probabilities(z, 0.8, 3))
    y = np.arange(12).reshape(2, 6)
    assert np.array_equal(shift_right(y, 99), decoder.shift_right(y, 99))
