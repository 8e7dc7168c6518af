"""Exercise checks of notebook 40 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.attention import core, encoder
from utils.exercises import nb40_encoder as ex


def layer_norm(x, gamma, beta, epsilon):
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + epsilon) * gamma + beta


def apply_masking_rule(ids, chosen, draws, random_ids, mask_id):
    corrupted = np.array(ids, copy=True)
    to_mask = chosen & (draws < 0.8)
    to_random = chosen & (draws >= 0.8) & (draws < 0.9)
    corrupted[to_mask] = mask_id
    corrupted[to_random] = random_ids[to_random]
    return corrupted


def attention_by_offset(scores, max_offset):
    scores = np.asarray(scores, dtype=float)
    length = scores.shape[-1]
    table = np.zeros((scores.shape[1], 2 * max_offset + 1))
    for k, offset in enumerate(range(-max_offset, max_offset + 1)):
        queries = np.arange(max(0, -offset), min(length, length - offset))
        table[:, k] = scores[:, :, queries, queries + offset].mean(axis=(0, 2))
    return table


def loop_by_offset(scores, max_offset):
    scores = np.asarray(scores)
    batch, heads, length, _ = scores.shape
    table = []
    for h in range(heads):
        row = []
        for d in range(-max_offset, max_offset + 1):
            values = [scores[b, h, t, t + d] for b in range(batch) for t in range(length)
                      if 0 <= t + d < length]
            row.append(sum(values) / len(values))
        table.append(row)
    return table


def diagonal_by_offset(scores, max_offset):  # np.diagonal picks the same pairs
    scores = np.asarray(scores)
    return np.stack([np.diagonal(scores, offset=d, axis1=-2, axis2=-1).mean(axis=(0, 2))
                     for d in range(-max_offset, max_offset + 1)], axis=1)


def where_masking_rule(ids, chosen, draws, random_ids, mask_id):
    return np.where(chosen & (draws < 0.8), mask_id,
                    np.where(chosen & (draws < 0.9), random_ids, ids))


def _tf(function):
    import tensorflow as tf

    return lambda *args: tf.constant(np.asarray(function(*args)))


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_layer_norm, layer_norm),
    (ex.evaluate_layer_norm, _tf(layer_norm)),
    (ex.evaluate_layer_norm, lambda x, g, b, e: layer_norm(x, g, b, e).tolist()),
    (ex.evaluate_layer_norm,  # the standard score by hand, written with np.std
     lambda x, g, b, e: g * (x - np.mean(x, -1, keepdims=True))
     / np.sqrt(np.std(x, -1, keepdims=True) ** 2 + e) + b),
    (ex.evaluate_apply_masking_rule, apply_masking_rule),
    (ex.evaluate_apply_masking_rule, where_masking_rule),
    (ex.evaluate_apply_masking_rule, lambda *a: apply_masking_rule(*a).tolist()),
    (ex.evaluate_attention_by_offset, attention_by_offset),
    (ex.evaluate_attention_by_offset, loop_by_offset),
    (ex.evaluate_attention_by_offset, diagonal_by_offset),
    (ex.evaluate_attention_by_offset, _tf(attention_by_offset)),
])
def test_solutions_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


def _wrong_masking(order):
    def rule(ids, chosen, draws, random_ids, mask_id):
        out = np.array(ids, copy=True)
        if order == "all":
            out[chosen] = mask_id
        elif order == "everywhere":
            out[draws < 0.8] = mask_id
            band = (draws >= 0.8) & (draws < 0.9)
            out[band] = random_ids[band]
        elif order == "no random":
            out[chosen & (draws < 0.8)] = mask_id
        return out
    return rule


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_layer_norm, lambda x, g, b, e: (x - np.mean(x, 0)) / np.sqrt(np.var(x, 0) + e) * g + b,
     "batch normalisation"),
    (ex.evaluate_layer_norm, lambda x, g, b, e: (x - np.mean(x, -1, keepdims=True))
     / (np.std(x, -1, keepdims=True) + e) * g + b, "inside the square root"),
    (ex.evaluate_layer_norm, lambda x, g, b, e: layer_norm(x, 1.0, 0.0, e), "multiply the normalised"),
    (ex.evaluate_layer_norm, lambda x, g, b, e: (layer_norm(x, 1.0, 0.0, e) + b) * g, "scale first"),
    (ex.evaluate_layer_norm, lambda x, g, b, e: (x - np.mean(x, -1, keepdims=True))
     / np.sqrt(np.var(x, -1, ddof=1, keepdims=True) + e) * g + b, "population variance"),
    (ex.evaluate_layer_norm, lambda x, g, b, e: (x - np.mean(x, -1, keepdims=True))
     / (np.var(x, -1, keepdims=True) + e) * g + b, "not by the variance"),
    (ex.evaluate_layer_norm, lambda x, g, b, e: np.asarray(x) * 0 + 1, None),
    (ex.evaluate_apply_masking_rule, _wrong_masking("all"), "only 80%"),
    (ex.evaluate_apply_masking_rule, _wrong_masking("everywhere"), "only where chosen"),
    (ex.evaluate_apply_masking_rule, _wrong_masking("no random"), "random_ids[i]"),
    (ex.evaluate_apply_masking_rule,
     lambda i, c, d, r, m: np.where(c & (d < 0.8), m, np.where(c & (d >= 0.9), r, i)),
     "a draw ≥ 0.9 leaves the word"),
    (ex.evaluate_apply_masking_rule,
     lambda i, c, d, r, m: np.where(c & (d < 0.8), m, np.where(c & (d < 0.9), r, i)).astype(float),
     "ints are expected"),
    (ex.evaluate_attention_by_offset, lambda s, m: attention_by_offset(np.swapaxes(s, -1, -2), m),
     "mirrored"),
    (ex.evaluate_attention_by_offset,
     lambda s, m: np.stack([np.mean(np.roll(np.asarray(s), -d, axis=-1).diagonal(0, -2, -1), axis=(0, 2))
                            for d in range(-m, m + 1)], axis=1), "wrapping around"),
    (ex.evaluate_attention_by_offset, lambda s, m: attention_by_offset(s, m)[:, ::-1], "reverse order"),
    (ex.evaluate_attention_by_offset, lambda s, m: attention_by_offset(np.asarray(s)[:1], m),
     "every example"),
    (ex.evaluate_attention_by_offset, lambda s, m: attention_by_offset(s, m).T, "shape"),
])
def test_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed and result.message.startswith("❌"), result.message
    assert "Traceback" not in result.message
    if hint:
        assert hint in result.message, result.message


EVALUATES = [ex.evaluate_layer_norm, ex.evaluate_apply_masking_rule, ex.evaluate_attention_by_offset]


@pytest.mark.parametrize("evaluate", EVALUATES)
def test_every_modelled_mistake_is_named(evaluate):
    from tests.test_exercise_hints import CALLS

    name = evaluate.__name__.removeprefix("evaluate_")
    (param,) = [c for c in CALLS if c.id == f"nb40_encoder.{name}"]
    reference, cases, mistakes, options = param.values
    assert len(mistakes) >= 5
    for mistake in mistakes:
        result = ex.__dict__["evaluate_function"](mistake.wrong, reference, cases, mistakes=mistakes, **options)
        assert result.message.endswith(mistake.hint)


def todo(*args):
    raise NotImplementedError


@pytest.mark.parametrize("evaluate", EVALUATES)
@pytest.mark.parametrize("broken", [todo, lambda *a: 1 / 0, lambda *a: None, lambda *a: float("nan"), "text"])
def test_broken_answers_get_a_message(evaluate, broken):
    result = evaluate(broken)
    assert not result.passed and result.message[0] in "⏳❌"
    assert "Traceback" not in result.message
    if broken is todo:
        assert result.message.startswith("⏳")


def test_points_and_bans():
    assert ex.POINTS == {"layer_norm": 1, "apply_masking_rule": 2, "attention_by_offset": 2}
    assert ex.evaluate_apply_masking_rule(apply_masking_rule).max_points == 2
    assert "core.layer_norm" in ex.NOT_ALLOWED["layer_norm"]
    assert "encoder.attention_by_offset" in ex.NOT_ALLOWED["attention_by_offset"]


def test_the_references_agree_with_the_helpers():
    rng = np.random.default_rng(0)
    x, g, b = rng.normal(size=(3, 5)), rng.uniform(size=5), rng.normal(size=5)
    assert np.allclose(layer_norm(x, g, b, 1e-3), core.layer_norm(x, g, b, epsilon=1e-3))
    scores = core.softmax(rng.normal(size=(2, 3, 7, 7)))
    assert np.allclose(attention_by_offset(scores, 3), encoder.attention_by_offset(scores, 3))
