"""Exercises of notebook 40 (the transformer encoder): layer norm, BERT's 80/10/10 masking rule,
attention by offset."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.attention import core, encoder
from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer

# ---------------------------------------------------------------------------------------------
# Exercise 1: layer normalisation over the features of each position
# ---------------------------------------------------------------------------------------------


def _f(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _layer_norm(x: Any, gamma: Any, beta: Any, epsilon: float) -> np.ndarray:
    return core.layer_norm(x, gamma, beta, epsilon=epsilon)


def _normalised(x: Any, axis: int = -1, ddof: int = 0) -> tuple[np.ndarray, np.ndarray]:
    x = _f(x)
    return x - x.mean(axis=axis, keepdims=True), x.var(axis=axis, keepdims=True, ddof=ddof)


@guarded
def evaluate_layer_norm(layer_norm: Callable[..., Any]) -> Result:
    """Evaluate ``layer_norm(x, gamma, beta, epsilon)`` → (x − mean) / √(var + ε) · γ + β over the
    last axis."""
    rng = np.random.default_rng(40)
    cases = [
        Case((np.array([[1.0, 3.0, 2.0, 6.0], [0.5, -1.0, 4.0, 2.5], [2.0, 2.5, -3.0, 1.0]]),
              np.array([1.5, 0.5, 2.0, 1.0]), np.array([0.1, -0.2, 0.3, 0.5]), 0.5)),
        Case((rng.normal(size=(2, 3, 5)) * 3 + 1, rng.uniform(0.5, 2, 5), rng.normal(size=5), 1e-3)),
        Case((rng.normal(size=(4, 6)), np.ones(6), np.zeros(6), 0.1)),
        Case((rng.normal(size=(1, 8)) * 10, rng.uniform(0.5, 2, 8), rng.normal(size=8), 1e-5)),
    ]

    def over_batch(x, g, b, e):
        centred, var = _normalised(x, axis=0)
        return centred / np.sqrt(var + e) * g + b

    def std_plus_epsilon(x, g, b, e):
        centred, var = _normalised(x)
        return centred / (np.sqrt(var) + e) * g + b

    def no_epsilon(x, g, b, e):
        centred, var = _normalised(x)
        return centred / np.sqrt(var) * g + b

    def no_scale_shift(x, g, b, e):
        centred, var = _normalised(x)
        return centred / np.sqrt(var + e)

    def shift_then_scale(x, g, b, e):
        centred, var = _normalised(x)
        return (centred / np.sqrt(var + e) + b) * g

    def sample_variance(x, g, b, e):
        centred, var = _normalised(x, ddof=1)
        return centred / np.sqrt(var + e) * g + b

    def by_variance(x, g, b, e):
        centred, var = _normalised(x)
        return centred / (var + e) * g + b

    def not_centred(x, g, b, e):
        _, var = _normalised(x)
        return _f(x) / np.sqrt(var + e) * g + b

    mistakes = [
        Mistake("layer norm averages over the FEATURES of each position (the last axis, axis=-1, "
                "keepdims=True); averaging over the examples (axis 0) is batch normalisation.",
                over_batch),
        Mistake("ε goes inside the square root: divide by √(var + ε), not by √var + ε.",
                std_plus_epsilon),
        Mistake("use the ε you are given, inside the square root: √(var + ε) keeps a constant row "
                "from dividing by zero.", no_epsilon),
        Mistake("multiply the normalised values by gamma and add beta: the learned scale and shift "
                "let the layer undo the normalisation where that helps.", no_scale_shift),
        Mistake("scale first, then shift: x̂ · γ + β, not (x̂ + β) · γ.", shift_then_scale),
        Mistake("use the population variance (np.var's default ddof=0, divide by n), as Keras does, "
                "not the sample variance (n − 1).", sample_variance),
        Mistake("divide by the standard deviation √(var + ε), not by the variance.", by_variance),
        Mistake("subtract each row's mean before dividing: x̂ = (x − mean) / √(var + ε).",
                not_centred),
    ]
    return evaluate_function(
        layer_norm, _layer_norm, cases, name="layer_norm", mistakes=mistakes, check_dtype=False,
        success="Each position's features now have mean 0 and variance 1 (before γ and β "
                "rescale them), whatever scale they came in with.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: BERT's 80/10/10 rule
# ---------------------------------------------------------------------------------------------


def _rule(ids: Any, chosen: Any, draws: Any, random_ids: Any, mask_id: int) -> np.ndarray:
    return encoder.apply_masking_rule(ids, chosen, draws, random_ids, mask_id)


def _arrays(ids, chosen, draws, random_ids):
    return (np.asarray(ids).copy(), np.asarray(chosen, bool), np.asarray(draws, float),
            np.asarray(random_ids))


def _masking_cases() -> list[Case]:
    rng = np.random.default_rng(400)
    first = (np.array([[5, 8, 2, 9, 4, 7, 3, 6], [4, 4, 9, 2, 8, 5, 6, 3]]),
             np.array([[True, False, True, True, False, True, True, False],
                       [False, True, True, False, True, True, False, True]]),
             np.array([[0.12, 0.5, 0.85, 0.95, 0.3, 0.79, 0.88, 0.05],
                       [0.85, 0.41, 0.93, 0.85, 0.81, 0.2, 0.92, 0.97]]),
             np.array([[3, 6, 7, 4, 2, 8, 9, 5], [7, 3, 5, 6, 9, 7, 2, 8]]), 1)
    cases = [Case(first)]
    for size, mask_id in (((3, 10), 0), ((20,), 11), ((4, 6), 2)):
        ids = rng.integers(3, 12, size=size)
        cases.append(Case((ids, rng.random(size) < 0.5, rng.random(size),
                           rng.integers(3, 12, size=size), mask_id)))
    return cases


@guarded
def evaluate_apply_masking_rule(apply_masking_rule: Callable[..., Any]) -> Result:
    """Evaluate ``apply_masking_rule(ids, chosen, draws, random_ids, mask_id)`` → the corrupted
    ids: chosen with draw < 0.8 → mask_id, 0.8 ≤ draw < 0.9 → random id, else unchanged."""

    def everything_masked(ids, chosen, draws, random_ids, mask_id):
        ids, chosen, _, _ = _arrays(ids, chosen, draws, random_ids)
        ids[chosen] = mask_id
        return ids

    def ignores_chosen(ids, chosen, draws, random_ids, mask_id):
        everywhere = np.ones(np.shape(ids), bool)
        return encoder.apply_masking_rule(ids, everywhere, draws, random_ids, mask_id)

    def swapped_bands(ids, chosen, draws, random_ids, mask_id):
        ids, chosen, draws, random_ids = _arrays(ids, chosen, draws, random_ids)
        out = ids.copy()
        out[chosen & (draws < 0.8)] = mask_id
        keep = chosen & (draws >= 0.9)
        out[keep] = random_ids[keep]
        return out

    def random_first(ids, chosen, draws, random_ids, mask_id):
        ids, chosen, draws, random_ids = _arrays(ids, chosen, draws, random_ids)
        out = ids.copy()
        out[chosen & (draws < 0.1)] = random_ids[chosen & (draws < 0.1)]
        out[chosen & (draws >= 0.1) & (draws < 0.9)] = mask_id
        return out

    def no_random(ids, chosen, draws, random_ids, mask_id):
        ids, chosen, draws, _ = _arrays(ids, chosen, draws, random_ids)
        ids[chosen & (draws < 0.8)] = mask_id
        return ids

    def whole_random_array(ids, chosen, draws, random_ids, mask_id):
        ids, chosen, draws, random_ids = _arrays(ids, chosen, draws, random_ids)
        ids[chosen & (draws < 0.8)] = mask_id
        band = chosen & (draws >= 0.8) & (draws < 0.9)
        ids[band] = random_ids.ravel()[: int(band.sum())]
        return ids

    mistakes = [
        Mistake("only 80% of the chosen positions become [mask]: draw < 0.8 → mask_id, "
                "0.8 ≤ draw < 0.9 → the random id, draw ≥ 0.9 → the word stays itself.",
                everything_masked),
        Mistake("apply the rule only where chosen is True: positions that were not chosen never "
                "change.", ignores_chosen),
        Mistake("the random word takes the band 0.8 ≤ draw < 0.9; a draw ≥ 0.9 leaves the word "
                "unchanged.", swapped_bands),
        Mistake("the [mask] band comes first: draw < 0.8 → mask_id, then 0.8 ≤ draw < 0.9 → the "
                "random id.", random_first),
        Mistake("a chosen position with 0.8 ≤ draw < 0.9 becomes the random id at that same "
                "position, random_ids[i], not stay itself.", no_random),
        Mistake("take the random id at the same position (random_ids[band]), not the first ones "
                "of the array.", whole_random_array),
    ]
    return evaluate_function(
        apply_masking_rule, _rule, _masking_cases(), name="apply_masking_rule",
        mistakes=mistakes, integer=True,
        success="The model cannot tell a kept or swapped word from any other, so it must check "
                "every word, not only the [mask]s.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: attention by offset
# ---------------------------------------------------------------------------------------------


def _by_offset(scores: Any, max_offset: int) -> np.ndarray:
    return encoder.attention_by_offset(scores, max_offset)


def _attention(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return core.softmax(rng.normal(size=shape) * 2.0, axis=-1)


def _pairs(scores: Any, max_offset: int, rolled: bool = False, reduce: str = "mean",
           keys_first: bool = False) -> np.ndarray:
    scores = _f(scores)
    if keys_first:
        scores = np.swapaxes(scores, -1, -2)
    length = scores.shape[-1]
    steps = np.arange(length)
    table = []
    for offset in range(-max_offset, max_offset + 1):
        if rolled:
            picked = scores[:, :, steps, (steps + offset) % length]
        else:
            keep = (steps + offset >= 0) & (steps + offset < length)
            picked = scores[:, :, steps[keep], steps[keep] + offset]
        if reduce == "sum":
            table.append(picked.sum(axis=(0, 2)))
        elif reduce == "all":
            table.append(picked.sum(axis=(0, 2)) / (scores.shape[0] * length))
        else:
            table.append(picked.mean(axis=(0, 2)))
    return np.stack(table, axis=1)


@guarded
def evaluate_attention_by_offset(attention_by_offset: Callable[..., Any]) -> Result:
    """Evaluate ``attention_by_offset(scores, max_offset)`` → (heads, 2·max_offset + 1): the mean
    weight from query t to key t + d, over the batch and the queries that have such a key."""
    rng = np.random.default_rng(4000)
    cases = [Case((_attention(rng, (2, 3, 6, 6)), 2)), Case((_attention(rng, (1, 2, 5, 5)), 3)),
             Case((_attention(rng, (3, 4, 8, 8)), 4)), Case((_attention(rng, (2, 1, 4, 4)), 1))]
    mistakes = [
        Mistake("scores[b, h, t, s] is the weight query t gives key s, so offset d means key "
                "t + d (the last axis), and the columns run from −max_offset to +max_offset: your "
                "table is mirrored (queries and keys swapped, or the offsets in reverse order).",
                lambda s, m: _pairs(s, m, keys_first=True)),
        Mistake("near the edges some queries have no key d places away: skip them instead of "
                "wrapping around (np.roll or % length reach the other end).",
                lambda s, m: _pairs(s, m, rolled=True)),
        Mistake("average (np.mean), do not sum: a mean weight is comparable across offsets, a sum "
                "favours offsets that more queries have.", lambda s, m: _pairs(s, m, reduce="sum")),
        Mistake("divide by the number of (query, key) pairs that exist at that offset, not by the "
                "number of all queries: near the edges there are fewer.",
                lambda s, m: _pairs(s, m, reduce="all")),
        Mistake("average over every example of the batch (axis 0) too, not only the first one.",
                lambda s, m: _pairs(_f(s)[:1], m)),
    ]
    return evaluate_function(
        attention_by_offset, _by_offset, cases, name="attention_by_offset", mistakes=mistakes,
        check_dtype=False, axes=("head", "offset"),
        success="A head with a tall column at −1 reads the word before; one at 0 reads itself.",
    )


check_layer_norm = printer(evaluate_layer_norm)
check_apply_masking_rule = printer(evaluate_apply_masking_rule)
check_attention_by_offset = printer(evaluate_attention_by_offset)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"layer_norm": 1, "apply_masking_rule": 2, "attention_by_offset": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "layer_norm": ("core.layer_norm", "keras.layers", "tf.nn.moments", "keras.ops",
                   "tf.keras"),
    "apply_masking_rule": ("encoder.apply_masking_rule", "encoder.mask_tokens", "keras_hub"),
    "attention_by_offset": ("encoder.attention_by_offset",),
}
