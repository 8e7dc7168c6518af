"""Exercise checks of notebook 33 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.exercises import nb33_ner as ex
from utils.sequences import ner


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def bio_to_spans(tags):
    spans, kind, start = [], None, 0
    for position, tag in enumerate(list(tags) + ["O"]):
        prefix, _, tag_kind = tag.partition("-")
        carries_on = prefix == "I" and tag_kind == kind
        if kind is not None and not carries_on:
            spans.append((kind, start, position))
            kind = None
        if prefix in ("B", "I") and not carries_on:
            kind, start = tag_kind, position
    return spans


def entity_scores(true_tags, pred_tags):
    true_set = {(i, *s) for i, tags in enumerate(true_tags) for s in bio_to_spans(tags)}
    pred_set = {(i, *s) for i, tags in enumerate(pred_tags) for s in bio_to_spans(tags)}
    hits = len(true_set & pred_set)
    p = hits / len(pred_set) if pred_set else 0.0
    r = hits / len(true_set) if true_set else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def masked_mean(values, ids):
    keep = np.asarray(ids) != 0
    return float(np.asarray(values)[keep].sum() / keep.sum())


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_bio_to_spans, bio_to_spans),
    (ex.evaluate_bio_to_spans, lambda tags: [list(span) for span in bio_to_spans(tags)]),  # lists, not tuples
    (ex.evaluate_bio_to_spans, lambda tags: reversed(bio_to_spans(tags))),  # any order
    (ex.evaluate_bio_to_spans, lambda tags: [(k, np.int64(s), np.int64(e)) for k, s, e in bio_to_spans(tags)]),
    (ex.evaluate_entity_scores, entity_scores),
    (ex.evaluate_entity_scores, lambda t, p: list(entity_scores(t, p))),
    (ex.evaluate_entity_scores, lambda t, p: np.array(entity_scores(t, p), dtype=np.float32)),
    (ex.evaluate_masked_mean, masked_mean),
    (ex.evaluate_masked_mean, lambda v, i: np.float32(masked_mean(v, i))),
    (ex.evaluate_masked_mean, lambda v, i: np.array([masked_mean(v, i)])),
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


def test_entity_scores_is_checked_with_the_reference_bio_to_spans():
    """A wrong bio_to_spans of the learner's own cannot make a right entity_scores fail."""
    namespace = {"np": np, "bio_to_spans": lambda tags: []}
    source = "def scores(t, p):\n    return entity_scores(t, p)\n"
    exec(source.replace("entity_scores(t, p)", "_impl(t, p)"), namespace)
    namespace["_impl"] = entity_scores
    right = type(entity_scores)(entity_scores.__code__, {**globals(), "bio_to_spans": lambda tags: []})
    assert ex.evaluate_entity_scores(right).passed


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_bio_to_spans, lambda t: [(k, s, e - 1) for k, s, e in bio_to_spans(t)], "end is exclusive"),
    (ex.evaluate_bio_to_spans, lambda t: bio_to_spans(t)[:-1] if t[-1] != "O" else bio_to_spans(t),
     "still counts"),
    (ex.evaluate_bio_to_spans, lambda t: [(tag[2:], i, i + 1) for i, tag in enumerate(t) if tag != "O"],
     "not one span per tagged word"),
    (ex.evaluate_bio_to_spans, lambda t: [(f"B-{k}", s, e) for k, s, e in bio_to_spans(t)], "without its B-/I- prefix"),
    (ex.evaluate_bio_to_spans, lambda t: "PER 0 2", "expected a number"),
    (ex.evaluate_entity_scores, lambda t, p: entity_scores(t, p)[::-1], None),
    (ex.evaluate_entity_scores, lambda t, p: (entity_scores(t, p)[1], entity_scores(t, p)[0], entity_scores(t, p)[2]),
     "swapped them"),
    (ex.evaluate_masked_mean, lambda v, i: float(np.mean(v)), "averaged over every position"),
    (ex.evaluate_masked_mean, lambda v, i: masked_mean(v, np.where(np.asarray(i) == 1, 0, i)), "OOV"),
])
def test_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed and result.message.startswith("❌")
    assert "Traceback" not in result.message
    if hint:
        assert hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_bio_to_spans, ex.evaluate_entity_scores, ex.evaluate_masked_mean])
def test_every_modelled_mistake_is_named(evaluate):
    from tests.test_exercise_hints import CALLS

    name = evaluate.__name__.removeprefix("evaluate_")
    (param,) = [c for c in CALLS if c.id == f"nb33_ner.{name}"]
    reference, cases, mistakes, options = param.values
    assert len(mistakes) >= 5
    for mistake in mistakes:
        result = ex.__dict__["evaluate_function"](mistake.wrong, reference, cases, mistakes=mistakes, **options)
        assert result.message.endswith(mistake.hint)


@pytest.mark.parametrize("evaluate", [ex.evaluate_bio_to_spans, ex.evaluate_entity_scores, ex.evaluate_masked_mean])
@pytest.mark.parametrize("broken", [todo, crash, lambda *a: None, lambda *a: float("nan")])
def test_broken_answers_get_a_message(evaluate, broken):
    result = evaluate(broken)
    assert not result.passed and result.message[0] in "⏳❌"
    assert "Traceback" not in result.message
    if broken is todo:
        assert result.message.startswith("⏳")


def test_points_and_bans():
    assert ex.POINTS == {"bio_to_spans": 2, "entity_scores": 2, "masked_mean": 1}
    assert ex.evaluate_bio_to_spans(bio_to_spans).max_points == 2
    assert "seqeval" in ex.NOT_ALLOWED["entity_scores"]


def test_the_reference_agrees_with_the_helper():
    sentences = ner.make_sentences(50, seed=9)
    for _, tags in sentences:
        assert bio_to_spans(tags) == ner.bio_to_spans(tags)
