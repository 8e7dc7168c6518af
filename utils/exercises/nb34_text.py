"""Exercises of notebook 34 (text mining): one TF-IDF weight, the Jaccard similarity, the edit distance."""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import replace
from typing import Any, Callable

import numpy as np

from utils.checks import FAIL, Case, Mistake, Result, evaluate_function, guarded, printer
from utils.sequences import text

# ---------------------------------------------------------------------------------------------
# Exercise 1: the TF-IDF weight of one term in one document (scikit-learn's defaults)
# ---------------------------------------------------------------------------------------------


def _weight(counts: Any, doc: int, term: int) -> float:
    return float(text.tfidf(counts)[doc, term])


def _variant(counts: Any, doc: int, term: int, *, idf: str = "smooth", norm: str | None = "l2",
             df_from: str = "documents", n_from: str = "documents", tf: str = "raw",
             axis: int = 1) -> float:
    """The weight with one convention changed: a model of a specific mistake."""
    counts = np.asarray(counts, dtype=np.float64)
    n = counts.shape[0] if n_from == "documents" else counts.shape[1]
    df = (counts > 0).sum(axis=0) if df_from == "documents" else counts.sum(axis=0)
    weights = {
        "smooth": np.log((1 + n) / (1 + df)) + 1,
        "log10": np.log10((1 + n) / (1 + df)) + 1,
        "plain": np.log(n / np.maximum(df, 1e-300)) + 1,
        "no +1": np.log((1 + n) / (1 + df)),
    }[idf]
    frequency = np.where(counts > 0, 1 + np.log(np.where(counts > 0, counts, 1)), 0) if tf == "sublinear" else counts
    matrix = frequency * weights
    if norm == "l2":
        matrix = matrix / np.sqrt((matrix ** 2).sum(axis=axis, keepdims=True))
    elif norm == "l1":
        matrix = matrix / np.abs(matrix).sum(axis=axis, keepdims=True)
    return float(matrix[doc, term])


@guarded
def evaluate_tfidf_weight(tfidf_weight: Callable[[Any, int, int], Any]) -> Result:
    """Evaluate ``tfidf_weight(counts, doc, term)``: smooth idf, raw counts, the document's row scaled to unit L2 norm."""
    cases = [
        Case((np.array([[2, 0, 1, 0, 0, 1], [0, 1, 0, 0, 4, 1], [0, 3, 1, 2, 0, 1], [1, 0, 2, 0, 1, 1]]), 2, 1)),
        Case((np.array([[0, 1, 1, 5], [2, 0, 1, 1], [1, 1, 0, 2]]), 0, 3)),
        Case((np.array([[1, 2, 0, 0, 3], [0, 0, 1, 1, 1], [2, 1, 1, 0, 0], [0, 3, 0, 2, 1], [1, 0, 1, 0, 1]]), 3, 1)),
        Case((np.array([[4, 1, 0], [0, 1, 2]]), 1, 2)),
    ]
    mistakes = [
        Mistake("scikit-learn's idf uses the natural logarithm (np.log), not log base 10.",
                lambda c, d, t: _variant(c, d, t, idf="log10")),
        Mistake("with smooth_idf (the default) add 1 to n and to df inside the log: ln((1 + n) / (1 + df)) + 1, "
                "as if one extra document contained every term once.",
                lambda c, d, t: _variant(c, d, t, idf="plain")),
        Mistake("scikit-learn adds 1 to the log: idf = ln((1 + n) / (1 + df)) + 1, so a term in every "
                "document still keeps some weight.", lambda c, d, t: _variant(c, d, t, idf="no +1")),
        Mistake("the weights of the document's row are scaled to unit L2 norm (divide by the square root "
                "of the sum of the squared tf·idf of that row); you returned the raw count × idf.",
                lambda c, d, t: _variant(c, d, t, norm=None)),
        Mistake("the norm is L2 (square root of the sum of squares), not L1 (sum of absolute values).",
                lambda c, d, t: _variant(c, d, t, norm="l1")),
        Mistake("normalise the document's ROW (all the terms of document `doc`), not the term's column.",
                lambda c, d, t: _variant(c, d, t, axis=0)),
        Mistake("df counts the DOCUMENTS that contain the term (count > 0), not its total number of "
                "occurrences.", lambda c, d, t: _variant(c, d, t, df_from="occurrences")),
        Mistake("n is the number of documents (rows of counts), not the number of terms (columns).",
                lambda c, d, t: _variant(c, d, t, n_from="terms")),
        Mistake("the default tf is the raw count; 1 + ln(count) is the sublinear_tf option, off by default.",
                lambda c, d, t: _variant(c, d, t, tf="sublinear")),
        Mistake("counts[doc, term] is row `doc`, column `term`: you swapped the two indices.",
                lambda c, d, t: _variant(np.asarray(c).T, t, d)),
    ]
    result = evaluate_function(
        tfidf_weight, _weight, cases, name="tfidf_weight", mistakes=mistakes, check_dtype=False, rtol=1e-7,
        atol=1e-10,
        success="That is one entry of TfidfVectorizer's matrix, conventions and all.",
    )
    if result.passed or not result.message.startswith(FAIL) or " Hint: " in result.message:
        return result
    return replace(result, message=result.message + _unnormalised_hint(tfidf_weight, cases[0]))


def _unnormalised_hint(tfidf_weight: Callable[[Any, int, int], Any], case: Case) -> str:
    """A hint for answers with several mistakes at once, one of them a missing L2 normalisation."""
    try:
        got = float(np.asarray(tfidf_weight(*copy.deepcopy(case.args))).ravel()[0])
    except Exception:  # noqa: BLE001 - the engine's message already explains a crash or a wrong type
        return ""
    if got > 1 + 1e-9:
        return (" Hint: after the row is scaled to unit L2 norm no weight can exceed 1, so the row's "
                "normalisation is missing (and perhaps something else too: check the idf formula).")
    return ""


# ---------------------------------------------------------------------------------------------
# Exercise 2: the Jaccard similarity of two token lists
# ---------------------------------------------------------------------------------------------


def _jaccard(a: list[str], b: list[str]) -> float:
    return text.jaccard_similarity(a, b)


def _multiset(a: list[str], b: list[str]) -> float:
    ca, cb = Counter(a), Counter(b)
    return sum((ca & cb).values()) / sum((ca | cb).values())


def _list_lengths(a: list[str], b: list[str]) -> float:
    shared = len(set(a) & set(b))
    return shared / (len(a) + len(b) - shared)


@guarded
def evaluate_jaccard_similarity(jaccard_similarity: Callable[[list[str], list[str]], Any]) -> Result:
    """Evaluate ``jaccard_similarity(a, b)``: |A ∩ B| / |A ∪ B| of the two token lists read as sets."""
    cases = [
        Case((["the", "bold", "aroma", "a", "the", "bold", "rich", "the"],
              ["dark", "aroma", "strong", "strong", "coffee", "bold", "and", "a", "bold"])),
        Case((["the", "coffee", "is", "strong", "and", "the", "aroma", "is", "rich"],
              ["strong", "coffee", "strong", "aroma", "and", "a", "smooth", "finish"])),
        Case((["tea", "tea", "green", "tea"], ["green", "tea", "bags", "tea"])),
        Case((["dog", "treats", "my", "dog", "loves"], ["cat", "food", "my", "cat", "hates", "it"])),
        Case((["salty", "chips", "crunchy", "salty", "snack", "chips"], ["salty", "snack"])),
    ]
    mistakes = [
        Mistake("read the lists as SETS (each distinct word once): you counted repeated words.", _multiset),
        Mistake("read the lists as sets: the union's size is the number of distinct words in either list, "
                "not the sum of the list lengths minus the shared words.", _list_lengths),
        Mistake("work with sets, set(a) & set(b) over set(a) | set(b): counting the entries of the lists "
                "counts repeated words again and again, and len(a + b) counts the shared words twice.",
                lambda a, b: len([word for word in a if word in b]) / len(a + b)),
        Mistake("that is the Jaccard DISTANCE 1 - J; the similarity is |A ∩ B| / |A ∪ B|.",
                lambda a, b: 1 - _jaccard(a, b)),
        Mistake("divide by the size of the UNION, not of the smaller set (that is the overlap coefficient).",
                lambda a, b: len(set(a) & set(b)) / min(len(set(a)), len(set(b)))),
        Mistake("divide by the size of the union |A ∪ B|, not by |A| + |B| (which counts shared words twice).",
                lambda a, b: len(set(a) & set(b)) / (len(set(a)) + len(set(b)))),
        Mistake("that is the Dice coefficient 2|A ∩ B| / (|A| + |B|); Jaccard divides by the union.",
                lambda a, b: 2 * len(set(a) & set(b)) / (len(set(a)) + len(set(b)))),
        Mistake("intersection over union, not union over intersection.",
                lambda a, b: len(set(a) | set(b)) / len(set(a) & set(b))),
    ]
    return evaluate_function(
        jaccard_similarity, _jaccard, cases, name="jaccard_similarity", mistakes=mistakes, check_dtype=False,
        success="Word sets ignore counts and order: fast, crude, and good for near-duplicates.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: the edit (Levenshtein) distance
# ---------------------------------------------------------------------------------------------


def _edit(a: str, b: str) -> int:
    return text.edit_distance(a, b)


def _positional(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))


def _zero_border(a: str, b: str) -> int:
    table = np.zeros((len(a) + 1, len(b) + 1), dtype=np.int64)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            change = int(a[i - 1] != b[j - 1])
            table[i, j] = min(table[i - 1, j] + 1, table[i, j - 1] + 1, table[i - 1, j - 1] + change)
    return int(table[-1, -1])


def _with_transpositions(a: str, b: str) -> int:
    table = text.edit_table(a, b)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            change = int(a[i - 1] != b[j - 1])
            best = min(table[i - 1, j] + 1, table[i, j - 1] + 1, table[i - 1, j - 1] + change)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, table[i - 2, j - 2] + 1)
            table[i, j] = best
    return int(table[-1, -1])


@guarded
def evaluate_edit_distance(edit_distance: Callable[[str, str], Any]) -> Result:
    """Evaluate ``edit_distance(a, b)``: Levenshtein, insertions, deletions and substitutions each cost 1."""
    cases = [
        Case(("walknig", "smelling")),
        Case(("recieve", "perceived")),
        Case(("caffiene", "caffeine")),
        Case(("tasty", "toasted")),
        Case(("kitten", "sitting")),
        Case(("flavour", "flavor")),
        Case(("", "tea")),
        Case(("sweet", "sweet")),
    ]
    mistakes = [
        Mistake("a substitution costs 1 (one edit), not 2: with cost 2 you count it as a deletion plus an "
                "insertion.", lambda a, b: text.edit_distance(a, b, substitution_cost=2)),
        Mistake("compare the words by alignment, not letter by letter at the same position: one inserted "
                "letter shifts all the rest (use the table of prefixes).", _positional),
        Mistake("fill the first row and column with 0, 1, 2, ...: turning a prefix into the empty string "
                "takes one deletion per letter.", _zero_border),
        Mistake("your loops stop one short: i runs from 1 to len(a) INCLUDED (range(1, len(a) + 1)), and "
                "so does j, or the last row and column, where the answer is, stay unfilled.",
                lambda a, b: 0 if a and b else max(len(a), len(b))),
        Mistake("in the Levenshtein distance swapping two neighbouring letters ('ie' -> 'ei') is two "
                "substitutions, not one edit (that is the Damerau variant).", _with_transpositions),
        Mistake("return the bottom-right cell D[len(a), len(b)] (the whole words), not the table's "
                "smallest or largest entry.", lambda a, b: int(text.edit_table(a, b).max())),
    ]
    return evaluate_function(
        edit_distance, _edit, cases, name="edit_distance", mistakes=mistakes, integer=True,
        success="Spelling correctors, DNA alignment and diff all run on this table.",
    )


check_tfidf_weight = printer(evaluate_tfidf_weight)
check_jaccard_similarity = printer(evaluate_jaccard_similarity)
check_edit_distance = printer(evaluate_edit_distance)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"tfidf_weight": 2, "jaccard_similarity": 1, "edit_distance": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "tfidf_weight": ("TfidfVectorizer", "TfidfTransformer", "sklearn", "text.tfidf", "text.idf_weights",
                     "TextVectorization"),
    "jaccard_similarity": ("scipy", "sklearn", "text.jaccard_rows", "jaccard_score"),
    "edit_distance": ("text.edit_table", "text.edit_distance_by_search", "rapidfuzz", "Levenshtein", "nltk",
                      "editdistance"),
}
