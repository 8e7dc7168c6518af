"""Exercise checks of notebook 37 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.exercises import nb37_embeddings as ex
from utils.sequences import embeddings


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def skipgram_pairs(ids, window):
    pairs = []
    for i in range(len(ids)):
        for j in range(max(0, i - window), min(len(ids), i + window + 1)):
            if j != i:
                pairs.append((ids[i], ids[j]))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def sgns_loss(v_centre, u_context, u_negatives):
    def log_sigmoid(x):
        return -np.logaddexp(0.0, -x)

    return float(-log_sigmoid(u_context @ v_centre) - log_sigmoid(-(u_negatives @ v_centre)).sum())


def analogy(E, a, b, c):
    unit = E / np.linalg.norm(E, axis=1, keepdims=True)
    target = unit[b] - unit[a] + unit[c]
    scores = unit @ target / np.linalg.norm(target)
    scores[[a, b, c]] = -np.inf
    return int(np.argmax(scores))


def sgns_loss_tf(v, u, negatives):
    import tensorflow as tf

    v, u, negatives = (tf.constant(x) for x in (v, u, negatives))
    return -tf.math.log_sigmoid(tf.tensordot(u, v, 1)) - tf.reduce_sum(
        tf.math.log_sigmoid(-tf.linalg.matvec(negatives, v)))


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_skipgram_pairs, skipgram_pairs),
    (ex.evaluate_skipgram_pairs, lambda ids, w: skipgram_pairs(ids, w)[::-1]),  # any order
    (ex.evaluate_skipgram_pairs, lambda ids, w: [tuple(int(x) for x in row) for row in skipgram_pairs(ids, w)]),
    (ex.evaluate_skipgram_pairs, lambda ids, w: skipgram_pairs(ids, w)[:, ::-1]),  # (context, centre): same set
    (ex.evaluate_skipgram_pairs, embeddings.skipgram_pairs),
    (ex.evaluate_sgns_loss, sgns_loss),
    (ex.evaluate_sgns_loss, embeddings.sgns_loss),
    (ex.evaluate_sgns_loss, sgns_loss_tf),
    (ex.evaluate_sgns_loss, lambda v, u, n: np.array([sgns_loss(v, u, n)], dtype=np.float32)),
    (ex.evaluate_sgns_loss,  # the naive formula is fine at these sizes
     lambda v, u, n: float(-np.log(1 / (1 + np.exp(-(u @ v)))) - np.log(1 / (1 + np.exp(n @ v))).sum())),
    (ex.evaluate_analogy, analogy),
    (ex.evaluate_analogy, lambda E, a, b, c: np.int64(analogy(E, a, b, c))),
    (ex.evaluate_analogy, lambda E, a, b, c: np.array([analogy(E, a, b, c)])),
    (ex.evaluate_analogy,  # not dividing by the target's length gives the same argmax
     lambda E, a, b, c: int(np.argmax(np.where(np.isin(np.arange(len(E)), [a, b, c]), -np.inf,
                                               (E / np.linalg.norm(E, axis=1, keepdims=True))
                                               @ ((E[b] / np.linalg.norm(E[b])) - E[a] / np.linalg.norm(E[a])
                                                  + E[c] / np.linalg.norm(E[c])))))),
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_skipgram_pairs, lambda ids, w: skipgram_pairs(ids, w - 1) if w > 1 else skipgram_pairs(ids, w)[:0],
     "stopped one word short"),
    (ex.evaluate_skipgram_pairs, lambda ids, w: skipgram_pairs(ids, w + 1), "one word too far"),
    (ex.evaluate_skipgram_pairs,
     lambda ids, w: np.array([(ids[i], ids[j]) for i in range(len(ids))
                              for j in range(max(0, i - w), min(len(ids), i + w + 1))]), "centre word"),
    (ex.evaluate_skipgram_pairs, lambda ids, w: np.unique(skipgram_pairs(ids, w), axis=0), "keep repeated pairs"),
    (ex.evaluate_skipgram_pairs, lambda ids, w: skipgram_pairs(ids, w).astype(float), "ints are expected"),
    (ex.evaluate_sgns_loss,
     lambda v, u, n: float(-np.log(1 / (1 + np.exp(-(u @ v)))) - np.log(1 / (1 + np.exp(-(n @ v)))).sum()),
     "minus sign inside the sigmoid"),
    (ex.evaluate_sgns_loss, lambda v, u, n: -sgns_loss(v, u, n), "opposite sign"),
    (ex.evaluate_sgns_loss,
     lambda v, u, n: float(-np.log(1 / (1 + np.exp(-(u @ v)))) - np.log(1 / (1 + np.exp(n @ v))).mean()),
     "you averaged them"),
    (ex.evaluate_sgns_loss, lambda v, u, n: float(np.logaddexp(0, -(u @ v))), "kept only the positive"),
    (ex.evaluate_sgns_loss, lambda v, u, n: float(np.logaddexp(0, -(u @ v)) + np.logaddexp(0, v @ n).sum()),
     "the other way round"),
    (ex.evaluate_analogy, lambda E, a, b, c: analogy(E, b, a, c), "not a - b + c"),
    (ex.evaluate_analogy, lambda E, a, b, c: float(analogy(E, a, b, c)), "ints are expected"),
    (ex.evaluate_analogy,
     lambda E, a, b, c: int(np.argmax((E / np.linalg.norm(E, axis=1, keepdims=True))
                                      @ (E[b] - E[a] + E[c]) - np.isin(np.arange(len(E)), [a, b, c]) * 1e9)),
     "BEFORE the arithmetic"),
])
def test_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed and result.message.startswith("❌")
    assert "Traceback" not in result.message
    assert hint in result.message, result.message


def test_the_analogy_that_keeps_the_query_words_is_named():
    def keeps_queries(E, a, b, c):
        unit = E / np.linalg.norm(E, axis=1, keepdims=True)
        return int(np.argmax(unit @ (unit[b] - unit[a] + unit[c])))

    assert "leave out the three query words" in ex.evaluate_analogy(keeps_queries).message


@pytest.mark.parametrize("evaluate", [ex.evaluate_skipgram_pairs, ex.evaluate_sgns_loss, ex.evaluate_analogy])
def test_every_modelled_mistake_is_named(evaluate):
    from tests.test_exercise_hints import CALLS

    name = evaluate.__name__.removeprefix("evaluate_")
    (param,) = [c for c in CALLS if c.id == f"nb37_embeddings.{name}"]
    reference, cases, mistakes, options = param.values
    assert len(mistakes) >= 5
    for mistake in mistakes:
        result = ex.evaluate_function(mistake.wrong, reference, cases, mistakes=mistakes, **options)
        assert result.message.endswith(mistake.hint)


@pytest.mark.parametrize("evaluate", [ex.evaluate_skipgram_pairs, ex.evaluate_sgns_loss, ex.evaluate_analogy])
@pytest.mark.parametrize("broken", [todo, crash, lambda *a: None, lambda *a: float("nan"), lambda *a: "queen"])
def test_broken_answers_get_a_message(evaluate, broken):
    result = evaluate(broken)
    assert not result.passed and result.message[0] in "⏳❌"
    assert "Traceback" not in result.message
    if broken is todo:
        assert result.message.startswith("⏳")


def test_points_and_bans():
    assert ex.POINTS == {"skipgram_pairs": 2, "sgns_loss": 2, "analogy": 2}
    assert ex.evaluate_analogy(analogy).max_points == 2
    assert "skipgrams" in ex.NOT_ALLOWED["skipgram_pairs"]
    assert "most_similar" in ex.NOT_ALLOWED["analogy"]


def test_the_references_agree_with_the_helpers():
    rng = np.random.default_rng(5)
    for _ in range(5):
        ids = rng.integers(1, 9, size=rng.integers(2, 9))
        np.testing.assert_array_equal(skipgram_pairs(ids, 2), embeddings.skipgram_pairs(ids, 2))
        v, u, n = rng.normal(size=3), rng.normal(size=3), rng.normal(size=(4, 3))
        assert np.isclose(sgns_loss(v, u, n), embeddings.sgns_loss(v, u, n))
        E = np.vstack([np.full(4, 0.1), rng.normal(size=(10, 4))])
        expected = analogy(E, 1, 2, 3)
        assert embeddings.analogy(E, 1, 2, 3)[0][0] == expected or expected == 0  # the helper skips row 0


def test_a_wrong_number_of_pairs_is_told_as_such():
    message = ex.evaluate_skipgram_pairs(lambda ids, w: skipgram_pairs(ids, w)[:-1]).message
    assert "different number of pairs" in message and "which axis you sum over" not in message
