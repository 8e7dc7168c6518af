"""Exercises of notebook 33 (bidirectional RNN for named entities): BIO tags to spans, entity-level scores, the masked mean."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any, Callable, Sequence

import numpy as np

from utils.checks import FAIL, Case, Mistake, Result, evaluate_function, guarded, printer
from utils.sequences import ner

# ---------------------------------------------------------------------------------------------
# Exercise 1: BIO tags to entity spans
# ---------------------------------------------------------------------------------------------


def _as_rows(spans: Any) -> np.ndarray:
    """Spans (type, start, end) as an integer array of rows (type number, start, end), sorted."""
    if isinstance(spans, np.ndarray) and spans.dtype.kind in "iu":
        return spans
    if spans is None or isinstance(spans, (str, dict)):
        return spans  # the engine explains a None or a wrong type
    rows = []
    for span in spans:
        if isinstance(span, str) or len(span) != 3:
            raise ValueError(f"each span must be a tuple (type, start, end), got {span!r}")
        kind, start, end = span
        if kind not in ner.TYPES:
            raise ValueError(f"span {tuple(span)!r} has type {kind!r}; a type is the tag without its "
                             f"B-/I- prefix, one of {list(ner.TYPES)}")
        rows.append((ner.TYPES.index(kind), int(start), int(end)))
    return np.array(sorted(rows, key=lambda row: (row[1], row[2], row[0])), dtype=np.int64).reshape(-1, 3)


def _encoded(function: Callable[[Sequence[str]], Any]) -> Callable[[Sequence[str]], Any]:
    def run(tags: Sequence[str]) -> Any:
        return _as_rows(function(tags))

    return run


def _spans_reference(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    return ner.bio_to_spans(tags)


def _spans_inclusive(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    return [(kind, start, end - 1) for kind, start, end in ner.bio_to_spans(tags)]


def _spans_read(tags: Sequence[str], *, stray_i: str = "new", typed_i: bool = True, flush: bool = True,
                split_b: bool = True) -> list[tuple[str, int, int]]:
    """A decoder with one rule changed: a model of a specific mistake."""
    spans, kind, start = [], None, 0
    for position, tag in enumerate(list(tags)):
        prefix, _, tag_kind = tag.partition("-")
        continues = prefix == "I" and kind is not None and (tag_kind == kind or not typed_i)
        if prefix == "B" and not split_b and kind == tag_kind:
            continues = True
        if kind is not None and not continues:
            spans.append((kind, start, position))
            kind = None
        if prefix == "B" and not continues:
            kind, start = tag_kind, position
        elif prefix == "I" and not continues and stray_i == "new":
            kind, start = tag_kind, position
    if flush and kind is not None:
        spans.append((kind, start, len(tags)))
    return spans


def _spans_per_token(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    return [(tag[2:], position, position + 1) for position, tag in enumerate(tags) if tag != "O"]


@guarded
def evaluate_bio_to_spans(bio_to_spans: Callable[[Sequence[str]], Any]) -> Result:
    """Evaluate ``bio_to_spans(tags)`` → list of (type, start, end) entities, end exclusive, seqeval's reading of a stray I-."""
    cases = [
        Case((["B-PER", "I-PER", "O", "I-LOC", "B-ORG", "B-ORG", "I-PER", "B-PROD", "I-PROD"],)),
        Case((["B-PER", "I-PER", "O", "O", "B-LOC"],)),
        Case((["O", "B-ORG", "I-ORG", "I-ORG", "O", "B-PROD"],)),
        Case((["B-LOC", "B-LOC", "O", "I-PER", "I-PER"],)),
        Case((["O", "I-ORG", "O"],)),
    ]
    mistakes = [
        Mistake("end is exclusive, like a Python slice: words[start:end] is the entity, so an entity "
                "that ends at the last word of a 9-word sentence has end = 9, one past its last index.",
                _encoded(_spans_inclusive)),
        Mistake("when the tags end inside an entity, that last entity still counts: add it after the loop.",
                _encoded(lambda t: _spans_read(t, flush=False))),
        Mistake("an I- that does not continue an entity (after O, at the start, or after another type) "
                "starts a new entity of its type, as seqeval does by default; you dropped it.",
                _encoded(lambda t: _spans_read(t, stray_i="drop"))),
        Mistake("an I-X only continues an entity of the same type X; after B-ORG, an I-PER starts a "
                "new PER entity.", _encoded(lambda t: _spans_read(t, typed_i=False))),
        Mistake("every B- starts a new entity, even right after an entity of the same type: "
                "B-ORG B-ORG is two organisations.", _encoded(lambda t: _spans_read(t, split_b=False))),
        Mistake("an entity is a whole span of words (B- then its I-s), not one span per tagged word.",
                _encoded(_spans_per_token)),
    ]
    result = evaluate_function(
        _encoded(bio_to_spans), _encoded(_spans_reference), cases, name="bio_to_spans", mistakes=mistakes,
        integer=True, axes=("span", "type number, start, end"),
        success="Spans are what NER is scored on: the tags are only a way to write them down.",
    )
    if result.passed or not result.message.startswith(FAIL):
        return result
    return replace(result, message=_in_spans(bio_to_spans, cases, result.message))


def _in_spans(bio_to_spans: Callable[[Sequence[str]], Any], cases: Sequence[Case], message: str) -> str:
    """The engine's message about arrays, told in spans: what was found, what was expected, what differs."""
    hint = message[message.index(" Hint: "):] if " Hint: " in message else ""
    for case in cases:
        (tags,) = case.args
        expected = ner.bio_to_spans(tags)
        try:
            got = bio_to_spans(copy.deepcopy(tags))
            rows = _as_rows(got)
        except ValueError as error:
            return f"{FAIL} bio_to_spans({list(tags)}) returned {got!r}: {error}."
        except Exception:  # noqa: BLE001 - the engine's own message already explains a crash
            return message
        if not isinstance(rows, np.ndarray):
            return message
        found = [(ner.TYPES[k], int(start), int(end)) for k, start, end in rows]
        if found == sorted(expected, key=lambda span: (span[1], span[2], span[0])):
            continue
        missing = [span for span in expected if span not in found]
        extra = [span for span in found if span not in expected]
        if not hint and any((kind, start, end + 1) in expected for kind, start, end in extra):
            hint = " Hint: end is exclusive, like a Python slice: words[start:end] is the entity."
        return (f"{FAIL} bio_to_spans({list(tags)}) gave {found}; expected {expected}. "
                f"Missing: {missing or 'none'}; not entities: {extra or 'none'}.{hint}")
    return message


# ---------------------------------------------------------------------------------------------
# Exercise 2: entity-level precision, recall and F1
# ---------------------------------------------------------------------------------------------


def _scores(true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> tuple[float, float, float]:
    result = ner.entity_scores(true_tags, pred_tags)
    return result["precision"], result["recall"], result["f1"]


def _from_counts(correct: float, predicted: float, true: float) -> tuple[float, float, float]:
    precision = correct / predicted if predicted else 0.0
    recall = correct / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _token_level(true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> tuple[float, float, float]:
    pairs = [(t, p) for truth, guess in zip(true_tags, pred_tags) for t, p in zip(truth, guess)]
    correct = sum(t == p and t != "O" for t, p in pairs)
    return _from_counts(correct, sum(p != "O" for _, p in pairs), sum(t != "O" for t, _ in pairs))


def _matched(true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]],
             same: Callable[[tuple, tuple], bool]) -> tuple[float, float, float]:
    correct = predicted = true = 0
    for truth, guess in zip(true_tags, pred_tags):
        true_spans, pred_spans = ner.bio_to_spans(truth), ner.bio_to_spans(guess)
        correct += sum(any(same(p, t) for t in true_spans) for p in pred_spans)
        predicted += len(pred_spans)
        true += len(true_spans)
    return _from_counts(correct, predicted, true)


def _overlap(true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> tuple[float, float, float]:
    return _matched(true_tags, pred_tags, lambda p, t: p[0] == t[0] and p[1] < t[2] and t[1] < p[2])


def _untyped(true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> tuple[float, float, float]:
    return _matched(true_tags, pred_tags, lambda p, t: p[1:] == t[1:])


def _per_sentence(true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> tuple[float, float, float]:
    rows = np.array([_scores([t], [p]) for t, p in zip(true_tags, pred_tags)])
    return tuple(float(v) for v in rows.mean(axis=0))


def _swapped(true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> tuple[float, float, float]:
    precision, recall, f1 = _scores(true_tags, pred_tags)
    return recall, precision, f1


def _arithmetic(true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> tuple[float, float, float]:
    precision, recall, _ = _scores(true_tags, pred_tags)
    return precision, recall, (precision + recall) / 2


@guarded
def evaluate_entity_scores(entity_scores: Callable[[Any, Any], Any]) -> Result:
    """Evaluate ``entity_scores(true_tags, pred_tags)`` → (precision, recall, F1) over exact entities, micro-averaged."""
    cases = [
        Case(([["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O", "B-PER", "B-PROD"], ["B-LOC", "O", "B-PER"]],
              [["B-PER", "O", "O", "B-LOC"], ["B-LOC", "O", "O", "B-PROD"], ["B-LOC", "O", "B-ORG"]])),
        Case(([["B-ORG", "I-ORG", "O", "B-PER"], ["O", "B-LOC", "I-LOC"]],
              [["B-ORG", "I-ORG", "O", "B-PER"], ["O", "B-LOC", "O"]])),
        Case(([["B-PROD", "O", "O"], ["B-PER", "I-PER", "O", "B-ORG"], ["O", "O"]],
              [["B-PROD", "O", "B-PER"], ["B-PER", "I-PER", "O", "B-LOC"], ["B-LOC", "I-LOC"]])),
        Case(([["B-PER", "O"], ["B-LOC", "O"]], [["O", "O"], ["O", "O"]])),
    ]
    mistakes = [
        Mistake("score whole entities, not tokens: a person half-tagged (B-PER then O for I-PER) is a "
                "wrong entity, though one of its two tokens is right.", _token_level),
        Mistake("a predicted entity counts only when it matches a true one exactly (same start AND end); "
                "you counted partial overlaps as matches.", _overlap),
        Mistake("the type must match too: a place predicted where an organisation is (same words) is wrong.",
                _untyped),
        Mistake("count correct, predicted and true entities over ALL sentences, then divide once (micro "
                "average); you averaged per-sentence scores.", _per_sentence),
        Mistake("precision = correct / predicted entities, recall = correct / true entities: you swapped them.",
                _swapped),
        Mistake("F1 is the harmonic mean 2PR / (P + R), not the arithmetic mean (P + R) / 2.", _arithmetic),
    ]
    return evaluate_function(
        entity_scores, _scores, cases, name="entity_scores", mistakes=mistakes, check_dtype=False,
        references={"bio_to_spans": ner.bio_to_spans},
        success="These are the CoNLL scores every NER paper reports (seqeval computes them too).",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: the mean of a per-token quantity over real (unpadded) words
# ---------------------------------------------------------------------------------------------


def _masked_mean(values: Any, ids: Any) -> float:
    values, mask = np.asarray(values, dtype=np.float64), np.asarray(ids) != ner.PAD
    return float((values * mask).sum() / mask.sum())


def _per_row_mean(values: Any, ids: Any) -> float:
    values, mask = np.asarray(values, dtype=np.float64), np.asarray(ids) != ner.PAD
    return float(np.mean((values * mask).sum(axis=1) / mask.sum(axis=1)))


@guarded
def evaluate_masked_mean(masked_mean: Callable[[Any, Any], Any]) -> Result:
    """Evaluate ``masked_mean(values, ids)``: the mean of ``values`` over the positions where ``ids`` is not padding (0)."""
    rng = np.random.default_rng(33)
    cases = [
        Case((np.array([[0.5, 1.5, 2.0, 4.0], [3.0, 1.0, 0.7, 0.2]]), np.array([[4, 1, 7, 0], [5, 0, 0, 0]]))),
        Case((rng.uniform(0, 3, size=(3, 5)), np.array([[2, 3, 4, 0, 0], [9, 1, 1, 8, 6], [3, 0, 0, 0, 0]]))),
        Case((rng.uniform(0, 3, size=(4, 6)), np.array([[2, 3, 4, 5, 6, 0], [9, 8, 0, 0, 0, 0],
                                                        [7, 7, 7, 7, 7, 7], [1, 2, 0, 0, 0, 0]]))),
    ]
    mistakes = [
        Mistake("leave out the padded positions (ids == 0): you averaged over every position.",
                lambda v, i: float(np.mean(v))),
        Mistake("divide by the number of REAL words (the mask's sum), not by every position: the padded "
                "zeros you multiplied away still count in your denominator.",
                lambda v, i: float(np.sum(v * (np.asarray(i) != 0)) / np.size(v))),
        Mistake("divide the masked sum by the number of real words to get a mean.",
                lambda v, i: float(np.sum(v * (np.asarray(i) != 0)))),
        Mistake("only id 0 is padding; id 1 is a real word the vocabulary did not know (OOV), and it counts.",
                lambda v, i: _masked_mean(v, np.where(np.asarray(i) == 1, 0, i))),
        Mistake("the mask is ids != 0 (True for real words); you kept the padding and dropped the words.",
                lambda v, i: float(np.sum(v * (np.asarray(i) == 0)) / np.sum(np.asarray(i) == 0))),
        Mistake("average over all real words at once: a mean of per-sentence means gives the words of "
                "short sentences more weight.", _per_row_mean),
    ]
    return evaluate_function(
        masked_mean, _masked_mean, cases, name="masked_mean", mistakes=mistakes, check_dtype=False,
        success="This is how Keras averages a loss over a masked sequence.",
    )


check_bio_to_spans = printer(evaluate_bio_to_spans)
check_entity_scores = printer(evaluate_entity_scores)
check_masked_mean = printer(evaluate_masked_mean)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"bio_to_spans": 2, "entity_scores": 2, "masked_mean": 1}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "bio_to_spans": ("get_entities", "seqeval"),
    "entity_scores": ("ner.entity_scores", "f1_score", "precision_score", "recall_score", "seqeval"),
    "masked_mean": ("keras.losses", "np.ma", "numpy.ma"),
}
