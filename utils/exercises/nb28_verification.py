"""Exercises of notebook 28 (face verification): the contrastive loss of pairs, the triplet loss of a batch,
and the verification accuracy at a distance threshold."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.vision import verification

# ---------------------------------------------------------------------------------------------
# Exercise 1: the contrastive loss of a batch of pairs
# ---------------------------------------------------------------------------------------------


def _float(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).ravel()


def _contrastive(distances: Any, same: Any, margin: float) -> float:
    return verification.contrastive_loss(distances, same, margin)


def _contrastive_terms(distances: Any, same: Any, margin: float, power_same: int = 2, power_different: int = 2,
                       sign: int = 1, clip: bool = True, swap: bool = False) -> np.ndarray:
    d, y = _float(distances), _float(same)
    if swap:
        y = 1 - y
    gap = (margin - d) if sign > 0 else (d - margin)
    hinge = np.maximum(gap, 0.0) if clip else gap
    return y * d**power_same + (1 - y) * hinge**power_different


CONTRASTIVE_MISTAKES = [
    Mistake("a same pair pays the SQUARED distance d², not d: the loss is d² for y = 1.",
            lambda d, y, m: float(np.mean(_contrastive_terms(d, y, m, power_same=1)))),
    Mistake("square the hinge too: a different pair pays max(0, margin − d)², not max(0, margin − d).",
            lambda d, y, m: float(np.mean(_contrastive_terms(d, y, m, power_different=1)))),
    Mistake("the hinge is max(0, margin − d): a different pair pays only while it is CLOSER than the "
            "margin; max(0, d − margin) punishes pairs that are already far apart.",
            lambda d, y, m: float(np.mean(_contrastive_terms(d, y, m, sign=-1)))),
    Mistake("clip at zero with max(0, margin − d): a different pair farther than the margin costs "
            "nothing, but (margin − d)² keeps pulling it back.",
            lambda d, y, m: float(np.mean(_contrastive_terms(d, y, m, clip=False)))),
    Mistake("same = 1 marks a pair of the SAME identity, which is pulled together (d²); you swapped "
            "the two terms.",
            lambda d, y, m: float(np.mean(_contrastive_terms(d, y, m, swap=True)))),
    Mistake("return the MEAN over the pairs (np.mean), not the sum: the loss should not grow with the "
            "batch size.",
            lambda d, y, m: float(np.sum(_contrastive_terms(d, y, m)))),
]


@guarded
def evaluate_contrastive_loss(contrastive_loss: Callable[[Any, Any, float], Any]) -> Result:
    """Evaluate ``contrastive_loss(distances, same, margin)``: mean of y·d² + (1 − y)·max(0, m − d)²."""
    rng = np.random.default_rng(28)
    cases = [
        # same pairs at 0.3, 0.6, 1.2; different pairs inside (0.4, 0.8) and beyond (1.5) the margin
        Case((np.array([0.3, 0.4, 0.6, 1.5, 1.2, 0.8]), np.array([1, 0, 1, 0, 1, 0]), 1.0)),
        Case((rng.uniform(0, 2, size=10), rng.integers(0, 2, size=10), 1.0)),
        Case((rng.uniform(0, 1, size=8), np.array([0, 1, 0, 1, 0, 0, 1, 1]), 0.5)),
        Case((np.array([0.25]), np.array([0]), 1.0)),
        Case((rng.uniform(0, 3, size=20), rng.integers(0, 2, size=20), 2.0)),
    ]
    return evaluate_function(
        contrastive_loss, _contrastive, cases, name="contrastive_loss", mistakes=CONTRASTIVE_MISTAKES,
        check_dtype=False, success="Same pairs are pulled together, different pairs pushed out to the margin.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: the triplet loss of a batch of triplets
# ---------------------------------------------------------------------------------------------


def _triplet(anchor: Any, positive: Any, negative: Any, margin: float) -> float:
    return verification.triplet_loss(anchor, positive, negative, margin)


def _gaps(anchor: Any, positive: Any, negative: Any, margin: float, squared: bool = True,
          sign: int = 1, swap: bool = False) -> np.ndarray:
    a, p, n = (np.asarray(v, dtype=np.float64) for v in (anchor, positive, negative))
    if swap:
        p, n = n, p
    d_ap, d_an = np.sum((a - p) ** 2, axis=1), np.sum((a - n) ** 2, axis=1)
    if not squared:
        d_ap, d_an = np.sqrt(d_ap), np.sqrt(d_an)
    return d_ap - d_an + sign * margin


TRIPLET_MISTAKES = [
    Mistake("FaceNet's triplet loss compares SQUARED distances ‖a − p‖² and ‖a − n‖² (sums of squares, "
            "no square root).",
            lambda a, p, n, m: float(np.mean(np.maximum(_gaps(a, p, n, m, squared=False), 0)))),
    Mistake("the margin is ADDED: max(0, d(a, p) − d(a, n) + margin) asks the negative to be farther "
            "than the positive by at least the margin.",
            lambda a, p, n, m: float(np.mean(np.maximum(_gaps(a, p, n, m, sign=-1), 0)))),
    Mistake("clip at zero with max(0, ...): a triplet that already satisfies the margin costs nothing, "
            "it must not give a negative loss.",
            lambda a, p, n, m: float(np.mean(_gaps(a, p, n, m)))),
    Mistake("the loss grows with the distance to the POSITIVE and falls with the distance to the "
            "negative: d(a, p) − d(a, n) + margin, you swapped them.",
            lambda a, p, n, m: float(np.mean(np.maximum(_gaps(a, p, n, m, swap=True), 0)))),
    Mistake("return the MEAN over the triplets (np.mean), not the sum.",
            lambda a, p, n, m: float(np.sum(np.maximum(_gaps(a, p, n, m), 0)))),
    Mistake("return one number, the mean over the triplets, not one loss per triplet.",
            lambda a, p, n, m: np.maximum(_gaps(a, p, n, m), 0)),
]


def _triplet_case(rng: np.random.Generator, count: int, size: int) -> tuple[np.ndarray, ...]:
    anchor = rng.normal(size=(count, size))
    positive = anchor + 0.5 * rng.normal(size=(count, size))
    negative = anchor + rng.normal(size=(count, size))
    return anchor, positive, negative


@guarded
def evaluate_triplet_loss(triplet_loss: Callable[[Any, Any, Any, float], Any]) -> Result:
    """Evaluate ``triplet_loss(anchor, positive, negative, margin)``: mean of max(0, ‖a−p‖² − ‖a−n‖² + m)."""
    rng = np.random.default_rng(280)
    # four triplets in 2-D: two violate the margin, two satisfy it
    anchor = np.array([[0.0, 1.0], [1.0, 0.0], [0.6, 0.8], [-1.0, 0.0]])
    positive = np.array([[0.3, 0.9], [0.5, 0.5], [0.6, 0.2], [-0.9, 0.3]])
    negative = np.array([[0.8, 0.6], [0.7, -0.1], [-0.8, 0.6], [0.0, -1.0]])
    cases = [
        Case((anchor, positive, negative, 0.2)),
        Case((*_triplet_case(rng, 6, 3), 0.5)),
        Case((*_triplet_case(rng, 10, 8), 0.2)),
        Case((np.array([[1.0, 0.0]]), np.array([[0.9, 0.1]]), np.array([[0.8, 0.3]]), 0.3)),
        Case((*_triplet_case(rng, 16, 32), 1.0)),
    ]
    return evaluate_function(
        triplet_loss, _triplet, cases, name="triplet_loss", mistakes=TRIPLET_MISTAKES, check_dtype=False,
        success="Only triplets that break the margin contribute: the others are already fine.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: verification accuracy at a threshold
# ---------------------------------------------------------------------------------------------


def _accuracy(distances: Any, same: Any, threshold: float) -> float:
    return float(verification.accuracy_at(distances, same, threshold)[0])


def _decisions(distances: Any, threshold: float) -> np.ndarray:
    return _float(distances) <= threshold


ACCURACY_MISTAKES = [
    Mistake("a pair is declared 'same' when its distance is SMALL (at most the threshold): you flipped the "
            "comparison.",
            lambda d, y, t: float(np.mean((_float(d) > t) == _float(y).astype(bool)))),
    Mistake("return the FRACTION of pairs decided correctly (a mean), not their count.",
            lambda d, y, t: float(np.sum(_decisions(d, t) == _float(y).astype(bool)))),
    Mistake("compare the distance itself with the threshold, not the squared distance.",
            lambda d, y, t: float(np.mean((_float(d) ** 2 <= t) == _float(y).astype(bool)))),
    Mistake("count every pair, same AND different: you measured only how many same pairs were accepted.",
            lambda d, y, t: float(np.mean(_decisions(d, t)[_float(y).astype(bool)]))),
    Mistake("return one number, the accuracy, not the decision for every pair.",
            lambda d, y, t: _decisions(d, t).astype(float)),
]


@guarded
def evaluate_verification_accuracy(verification_accuracy: Callable[[Any, Any, float], Any]) -> Result:
    """Evaluate ``verification_accuracy(distances, same, threshold)``: fraction of pairs decided correctly."""
    rng = np.random.default_rng(2828)
    same = rng.integers(0, 2, size=30)
    distances = np.where(same == 1, rng.uniform(0.1, 1.1, size=30), rng.uniform(0.7, 1.8, size=30))
    cases = [
        Case((np.array([0.2, 0.95, 1.05, 1.3, 0.92, 1.6, 0.7, 0.4, 0.94, 1.2]),
              np.array([1, 1, 0, 0, 0, 0, 1, 1, 0, 0]), 0.9)),
        Case((distances, same, 0.9)),
        Case((distances, same, 0.6)),
        Case((np.array([0.5]), np.array([1]), 0.4)),
        Case((rng.uniform(0, 2, size=50), rng.integers(0, 2, size=50), 1.2)),
    ]
    return evaluate_function(
        verification_accuracy, _accuracy, cases, name="verification_accuracy", mistakes=ACCURACY_MISTAKES,
        check_dtype=False, success="One number per threshold: now sweep it and keep the best one on validation pairs.",
    )


check_contrastive_loss = printer(evaluate_contrastive_loss)
check_triplet_loss = printer(evaluate_triplet_loss)
check_verification_accuracy = printer(evaluate_verification_accuracy)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"contrastive_loss": 2, "triplet_loss": 2, "verification_accuracy": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "contrastive_loss": ("verification.contrastive_loss", "contrastive_loss_tf", "keras.losses"),
    "triplet_loss": ("verification.triplet_loss", "triplet_loss_tf", "semi_hard_loss", "keras.losses"),
    "verification_accuracy": ("verification.accuracy_at", "choose_threshold", "accuracy_score"),
}
