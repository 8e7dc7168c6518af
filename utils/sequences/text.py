"""Text as numbers: tokens, vocabularies, bags of words, TF-IDF, distances and nearest documents.

Everything here is written in plain NumPy so a notebook can compare it with scikit-learn and Keras.
Conventions follow scikit-learn's ``TfidfVectorizer`` (vocabulary in alphabetical order, smooth
idf ``ln((1 + n) / (1 + df)) + 1``, rows scaled to unit L2 norm). Introduced in notebook 34.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

# the review site's line breaks, written as HTML: "<br />", "<br/>", "<br>"
LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# a word: letters or digits, with inner apostrophes kept ("don't", "kellogg's")
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")

SIMILARITIES = ("cosine (TF-IDF)", "Jaccard (word sets)")
DISTANCES = ("Euclidean (TF-IDF)", "Euclidean (counts)", "Manhattan (counts)")
METRICS = SIMILARITIES + DISTANCES


# ---------------------------------------------------------------------------------------------
# Tokens and vocabularies
# ---------------------------------------------------------------------------------------------

def _text(text: Any, name: str = "text") -> str:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    return text


def tokenize(text: str, *, lowercase: bool = True, strip_punctuation: bool = True,
             strip_breaks: bool = True) -> list[str]:
    """Split a text into tokens; each keyword switches one choice off. Introduced in notebook 34.

    ``strip_breaks`` turns the HTML line breaks ``<br />`` into spaces; ``lowercase`` folds case;
    ``strip_punctuation`` keeps only runs of letters and digits (inner apostrophes kept), else the
    text is split on whitespace and punctuation stays glued to its word.
    """
    text = _text(text)
    if strip_breaks:
        text = LINE_BREAK.sub(" ", text)
    if lowercase:
        text = text.lower()
    return WORD.findall(text) if strip_punctuation else text.split()


def _documents(documents: Any) -> list[list[str]]:
    if isinstance(documents, str):
        raise TypeError("documents must be a list of token lists, got one str; tokenize each text first")
    rows = []
    for index, tokens in enumerate(documents):
        if isinstance(tokens, str) or not all(isinstance(token, str) for token in tokens):
            raise TypeError(f"document {index} must be a list of str tokens, got {type(tokens).__name__}")
        rows.append(list(tokens))
    return rows


def build_vocabulary(documents: Sequence[Sequence[str]], min_df: int = 1) -> dict[str, int]:
    """Token -> column, alphabetical (scikit-learn's order), keeping tokens in >= min_df documents.

    Introduced in notebook 34.
    """
    if not isinstance(min_df, (int, np.integer)) or min_df < 1:
        raise ValueError(f"min_df must be a whole number >= 1, got {min_df!r}")
    frequency = Counter(token for tokens in _documents(documents) for token in set(tokens))
    kept = sorted(token for token, df in frequency.items() if df >= min_df)
    return {token: column for column, token in enumerate(kept)}


def count_matrix(documents: Sequence[Sequence[str]], vocabulary: dict[str, int]) -> np.ndarray:
    """The bag of words: (documents, terms) counts as float64; tokens outside the vocabulary are dropped.

    Introduced in notebook 34.
    """
    if not isinstance(vocabulary, dict) or not vocabulary:
        raise ValueError("vocabulary must be a non-empty dict token -> column (see build_vocabulary)")
    rows = _documents(documents)
    counts = np.zeros((len(rows), len(vocabulary)), dtype=np.float64)
    for row, tokens in enumerate(rows):
        columns = [vocabulary[token] for token in tokens if token in vocabulary]
        np.add.at(counts[row], columns, 1.0)
    return counts


# ---------------------------------------------------------------------------------------------
# TF-IDF
# ---------------------------------------------------------------------------------------------

def _counts(counts: Any, name: str = "counts") -> np.ndarray:
    array = np.asarray(counts, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (documents, terms) array, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{name} must hold finite, non-negative counts")
    return array


def document_frequency(counts: Any) -> np.ndarray:
    """df: in how many documents (rows) each term (column) occurs. Introduced in notebook 34."""
    return (_counts(counts) > 0).sum(axis=0)


def idf_weights(counts: Any, smooth: bool = True) -> np.ndarray:
    """scikit-learn's idf: ln((1 + n) / (1 + df)) + 1 (smooth) or ln(n / df) + 1. Introduced in notebook 34."""
    counts = _counts(counts)
    n, df = counts.shape[0], document_frequency(counts)
    if smooth:
        return np.log((1.0 + n) / (1.0 + df)) + 1.0
    if np.any(df == 0):
        raise ValueError("without smoothing every term must occur in some document (df > 0)")
    return np.log(n / df) + 1.0


IDF_CONVENTIONS = ("smooth", "plain", "keras")


def idf_curve(df: Any, n: int, convention: str = "smooth") -> np.ndarray:
    """idf as a function of document frequency: scikit-learn smooth or plain, or Keras's.

    Introduced in notebook 34.
    """
    if convention not in IDF_CONVENTIONS:
        raise ValueError(f"convention must be one of {list(IDF_CONVENTIONS)}, got {convention!r}")
    df = np.asarray(df, dtype=np.float64)
    if not isinstance(n, (int, np.integer)) or n < 1 or np.any(df < 0) or np.any(df > n):
        raise ValueError(f"n must be a whole number >= 1 and 0 <= df <= n, got n={n!r}")
    if convention == "smooth":
        return np.log((1.0 + n) / (1.0 + df)) + 1.0
    if convention == "keras":
        return np.log(1.0 + n / (1.0 + df))
    if np.any(df == 0):
        raise ValueError("without smoothing every term must occur in some document (df > 0)")
    return np.log(n / df) + 1.0


def keras_idf_weights(counts: Any) -> np.ndarray:
    """Keras TextVectorization's idf: ln(1 + n / (1 + df)), no +1 outside. Introduced in notebook 34."""
    counts = _counts(counts)
    return np.log(1.0 + counts.shape[0] / (1.0 + document_frequency(counts)))


def _normalize_in_place(matrix: np.ndarray, norm: str | None) -> np.ndarray:
    """Divide each row of a float matrix by its L2 or L1 norm, in place (all-zero rows stay zero)."""
    if norm is None:
        return matrix
    if norm not in ("l1", "l2"):
        raise ValueError(f"norm must be 'l2', 'l1' or None, got {norm!r}")
    if norm == "l1":
        size = np.abs(matrix).sum(axis=-1)
    else:
        size = np.sqrt(np.einsum("...i,...i->...", matrix, matrix))  # no squared copy of the matrix
    size[size == 0] = 1.0
    matrix /= size[..., None]
    return matrix


def normalize_rows(matrix: Any, norm: str | None = "l2") -> np.ndarray:
    """Each row divided by its L2 (or L1) norm; all-zero rows stay zero. Introduced in notebook 34."""
    return _normalize_in_place(np.array(matrix, dtype=np.float64), norm)


def tfidf(counts: Any, *, smooth_idf: bool = True, sublinear_tf: bool = False, norm: str | None = "l2",
          idf: Any = None) -> np.ndarray:
    """TF-IDF weights of a count matrix, with scikit-learn's conventions. Introduced in notebook 34.

    tf is the count (or 1 + ln(count) with ``sublinear_tf``), times the idf of ``idf_weights`` (or
    a given ``idf``, e.g. a corpus's, for a query), then each row scaled to unit ``norm``.
    """
    counts = _counts(counts)
    if norm not in ("l1", "l2", None):
        raise ValueError(f"norm must be 'l2', 'l1' or None, got {norm!r}")
    if idf is None:
        idf = idf_weights(counts, smooth=smooth_idf)
    idf = np.asarray(idf, dtype=np.float64)
    if idf.shape != (counts.shape[1],):
        raise ValueError(f"idf must have one weight per term, shape ({counts.shape[1]},), got {idf.shape}")
    if sublinear_tf:
        weights = np.zeros_like(counts)
        np.log(counts, out=weights, where=counts > 0)
        np.add(weights, 1.0, out=weights, where=counts > 0)
        weights *= idf
    else:
        weights = counts * idf
    return _normalize_in_place(weights, norm)


# ---------------------------------------------------------------------------------------------
# Distances and similarities
# ---------------------------------------------------------------------------------------------

def _vectors(u: Any, v: Any) -> tuple[np.ndarray, np.ndarray]:
    u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    if u.shape[-1:] != v.shape[-1:]:
        raise ValueError(f"u and v must have the same length (last axis), got shapes {u.shape} and {v.shape}")
    return u, v


def euclidean(u: Any, v: Any) -> np.ndarray | float:
    """sqrt(sum((u - v)^2)) over the last axis (broadcasts one vector against rows). Introduced in notebook 34."""
    u, v = _vectors(u, v)
    return np.sqrt(((u - v) ** 2).sum(axis=-1))


def manhattan(u: Any, v: Any) -> np.ndarray | float:
    """sum(|u - v|) over the last axis. Introduced in notebook 34."""
    u, v = _vectors(u, v)
    return np.abs(u - v).sum(axis=-1)


def cosine_similarity(u: Any, v: Any) -> np.ndarray | float:
    """u·v / (|u| |v|) over the last axis; 0 when either vector is all zeros. Introduced in notebook 34."""
    u, v = _vectors(u, v)
    sizes = np.sqrt((u ** 2).sum(axis=-1)) * np.sqrt((v ** 2).sum(axis=-1))
    return np.where(sizes == 0, 0.0, (u * v).sum(axis=-1) / np.where(sizes == 0, 1.0, sizes))


def jaccard_similarity(a: Iterable[str], b: Iterable[str]) -> float:
    """|A ∩ B| / |A ∪ B| of two token collections read as sets; 1.0 for two empty ones. Introduced in notebook 34."""
    if isinstance(a, str) or isinstance(b, str):
        raise TypeError("a and b must be collections of tokens (lists or sets), not str; tokenize first")
    a, b = set(a), set(b)
    return 1.0 if not a | b else len(a & b) / len(a | b)


def jaccard_rows(present: Any, matrix: Any) -> np.ndarray:
    """Jaccard similarity of one boolean term vector with each boolean row of a matrix. Introduced in notebook 34."""
    present, matrix = np.asarray(present, dtype=bool), np.asarray(matrix, dtype=bool)
    if present.ndim != 1 or matrix.ndim != 2 or matrix.shape[1] != present.shape[0]:
        raise ValueError(f"present must be (terms,) and matrix (documents, terms), got {present.shape} "
                         f"and {matrix.shape}")
    both = (matrix & present).sum(axis=1)
    either = (matrix | present).sum(axis=1)
    return np.where(either == 0, 1.0, both / np.where(either == 0, 1, either))


# ---------------------------------------------------------------------------------------------
# Edit (Levenshtein) distance
# ---------------------------------------------------------------------------------------------

def edit_table(a: str, b: str, substitution_cost: int = 1) -> np.ndarray:
    """The dynamic-programming table D[i, j] = edits turning a[:i] into b[:j]. Introduced in notebook 34."""
    a, b = _text(a, "a"), _text(b, "b")
    if not isinstance(substitution_cost, (int, np.integer)) or substitution_cost < 0:
        raise ValueError(f"substitution_cost must be a whole number >= 0, got {substitution_cost!r}")
    rows = [list(range(len(b) + 1))]  # Python lists: much faster than indexing NumPy cell by cell
    for i, letter in enumerate(a, start=1):
        above, row = rows[-1], [i]
        for j, other in enumerate(b, start=1):
            change = 0 if letter == other else substitution_cost
            row.append(min(above[j] + 1, row[j - 1] + 1, above[j - 1] + change))
        rows.append(row)
    return np.array(rows, dtype=np.int64).reshape(len(a) + 1, len(b) + 1)


def edit_distance(a: str, b: str, substitution_cost: int = 1) -> int:
    """Levenshtein distance: fewest insertions, deletions and substitutions from a to b. Introduced in notebook 34."""
    return int(edit_table(a, b, substitution_cost)[-1, -1])


def edit_path(a: str, b: str) -> list[tuple[int, int, str]]:
    """One cheapest alignment, as table cells (i, j) from (0, 0) with the edit that enters each.

    The edit is "start", "keep", "substitute", "delete" (a letter of a) or "insert" (a letter of b).
    Introduced in notebook 34.
    """
    table = edit_table(a, b)
    i, j, path = len(a), len(b), []
    while i > 0 or j > 0:
        if i > 0 and j > 0 and table[i, j] == table[i - 1, j - 1] + (a[i - 1] != b[j - 1]):
            path.append((i, j, "keep" if a[i - 1] == b[j - 1] else "substitute"))
            i, j = i - 1, j - 1
        elif i > 0 and table[i, j] == table[i - 1, j] + 1:
            path.append((i, j, "delete"))
            i -= 1
        else:
            path.append((i, j, "insert"))
            j -= 1
    path.append((0, 0, "start"))
    return path[::-1]


def _one_edit(word: str, alphabet: str) -> set[str]:
    """Every string one insertion, deletion or substitution away from word."""
    splits = [(word[:k], word[k:]) for k in range(len(word) + 1)]
    deleted = {left + right[1:] for left, right in splits if right}
    substituted = {left + c + right[1:] for left, right in splits if right for c in alphabet}
    inserted = {left + c + right for left, right in splits for c in alphabet}
    return (deleted | substituted | inserted) - {word}


def edit_distance_by_search(a: str, b: str, max_distance: int = 4) -> int:
    """Edit distance found by brute force: breadth-first search over strings from both ends.

    Independent of the table: it applies every single edit, level by level, from a and from b,
    until the two frontiers meet. Only for short words and small distances. Introduced in notebook 34.
    """
    a, b = _text(a, "a"), _text(b, "b")
    if max_distance < 0 or max_distance > 6:
        raise ValueError(f"max_distance must be between 0 and 6 (the search grows fast), got {max_distance}")
    alphabet = "".join(sorted(set(a) | set(b)))  # an optimal edit only ever writes one of these letters
    seen: list[dict[str, int]] = [{a: 0}, {b: 0}]
    frontiers, depth = [{a}, {b}], [0, 0]
    for total in range(max_distance + 1):
        common = seen[0].keys() & seen[1].keys()
        if common:
            return min(seen[0][word] + seen[1][word] for word in common)
        if total == max_distance:
            break
        side = 0 if depth[0] <= depth[1] else 1  # grow the two searches in turn
        depth[side] += 1
        grown = {w for word in frontiers[side] for w in _one_edit(word, alphabet) if w not in seen[side]}
        seen[side].update(dict.fromkeys(grown, depth[side]))
        frontiers[side] = grown
    raise ValueError(f"{a!r} and {b!r} are more than {max_distance} edits apart")


def draw_edit_table(ax: Any, a: str, b: str, title: str | None = None) -> Any:
    """Draw the edit-distance table of a -> b with one cheapest path highlighted; returns ax.

    Introduced in notebook 34.
    """
    from utils.plots import PALETTE

    table = edit_table(a, b)
    path = edit_path(a, b)
    ax.imshow(table, cmap="Blues", alpha=0.55, vmin=0, vmax=max(int(table.max()), 1) * 1.6)
    on_path = {(i, j): op for i, j, op in path}
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            bold = (i, j) in on_path
            ax.text(j, i, str(table[i, j]), ha="center", va="center", fontsize=11,
                    fontweight="bold" if bold else "normal", color="black" if bold else "0.35")
    rows, cols = zip(*[(i, j) for i, j, _ in path])
    ax.plot(cols, rows, color=PALETTE[1], lw=2.5, alpha=0.8, marker="o", ms=20, mfc="none", mew=1.5)
    ax.set_xticks(range(len(b) + 1), ["ε", *b], fontsize=11)
    ax.set_yticks(range(len(a) + 1), ["ε", *a], fontsize=11)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlabel(f"target b = {b!r}  (j letters written)")
    ax.set_ylabel(f"source a = {a!r}  (i letters read)")
    ax.set_title(title or f"Edit distance D[i, j] from {a!r} to {b!r}: {int(table[-1, -1])}", pad=12)
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax


# ---------------------------------------------------------------------------------------------
# Nearest documents
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentIndex:
    """A corpus ready for queries: its texts, vocabulary, idf, counts, TF-IDF rows and word sets.

    ``sizes`` holds per-document sums a query reuses: "abs" (sum of counts), "squares" (sum of
    squared counts), "weight squares" (of the TF-IDF row) and "words" (size of the word set).
    """

    texts: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray
    counts: np.ndarray
    weights: np.ndarray
    present: np.ndarray
    sizes: dict[str, np.ndarray]


def build_index(texts: Sequence[str], min_df: int = 2) -> DocumentIndex:
    """Tokenise texts, keep terms in >= min_df documents, precompute every matrix a query needs.

    Introduced in notebook 34.
    """
    texts = tuple(_text(text, "each text") for text in texts)
    if not texts:
        raise ValueError("texts must hold at least one document")
    documents = [tokenize(text) for text in texts]
    vocabulary = build_vocabulary(documents, min_df=min_df)
    counts = count_matrix(documents, vocabulary)
    idf = idf_weights(counts)
    weights = tfidf(counts, idf=idf)
    sizes = {"abs": counts.sum(axis=1), "squares": (counts ** 2).sum(axis=1),
             "weight squares": (weights ** 2).sum(axis=1), "words": (counts > 0).sum(axis=1)}
    return DocumentIndex(texts, vocabulary, idf, counts, weights, counts > 0, sizes)


def query_vectors(index: DocumentIndex, query: str) -> dict[str, np.ndarray]:
    """The query's counts, TF-IDF row (with the corpus's idf) and word set, in the index's columns.

    Introduced in notebook 34.
    """
    counts = count_matrix([tokenize(_text(query, "query"))], index.vocabulary)
    return {"counts": counts[0], "weights": tfidf(counts, idf=index.idf)[0], "present": counts[0] > 0}


def scores(index: DocumentIndex, query: str, metric: str) -> np.ndarray:
    """The query's score against every document under one of METRICS. Introduced in notebook 34."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {list(METRICS)}")
    q = query_vectors(index, query)
    # A query has few words: only its columns can differ from a document's own sums, so each
    # score is the document's precomputed sum corrected on those columns: the numbers of
    # euclidean(), manhattan(), cosine_similarity() and jaccard_rows() over all columns (up to
    # rounding), without touching the other thousands of columns.
    columns = np.flatnonzero(q["counts"])
    if metric == "cosine (TF-IDF)":
        return _cosine_on(q["weights"][columns], index.weights[:, columns], index.sizes["weight squares"])
    if metric == "Jaccard (word sets)":
        both = index.present[:, columns].sum(axis=1)
        either = index.sizes["words"] + len(columns) - both
        return np.where(either == 0, 1.0, both / np.where(either == 0, 1, either))
    if metric == "Euclidean (TF-IDF)":
        return _euclidean_on(q["weights"][columns], index.weights[:, columns], index.sizes["weight squares"])
    if metric == "Euclidean (counts)":
        return _euclidean_on(q["counts"][columns], index.counts[:, columns], index.sizes["squares"])
    part = index.counts[:, columns]
    return index.sizes["abs"] - part.sum(axis=1) + np.abs(part - q["counts"][columns]).sum(axis=1)


def _euclidean_on(q: np.ndarray, part: np.ndarray, squares: np.ndarray) -> np.ndarray:
    """Distances from q (zero outside ``part``'s columns) to rows whose squared norms are ``squares``."""
    rest = np.maximum(squares - (part ** 2).sum(axis=1), 0.0)
    return np.sqrt(rest + ((part - q) ** 2).sum(axis=1))


def _cosine_on(q: np.ndarray, part: np.ndarray, squares: np.ndarray) -> np.ndarray:
    """Cosine similarity of q (zero outside ``part``'s columns) with rows whose squared norms are ``squares``."""
    sizes = np.sqrt(squares) * np.sqrt((q ** 2).sum())
    return np.where(sizes == 0, 0.0, part @ q / np.where(sizes == 0, 1.0, sizes))


def nearest(index: DocumentIndex, query: str, metric: str = "cosine (TF-IDF)", k: int = 5) -> list[tuple[int, float]]:
    """The k documents nearest the query: (document number, score), best first (ties: lower number).

    Introduced in notebook 34.
    """
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a whole number >= 1, got {k!r}")
    values = scores(index, query, metric)
    order = np.argsort(-values if metric in SIMILARITIES else values, kind="stable")[:k]
    return [(int(document), float(values[document])) for document in order]


def snippet(text: str, length: int = 70) -> str:
    """A review's first words on one line, without HTML breaks, cut at ``length`` characters."""
    flat = " ".join(LINE_BREAK.sub(" ", _text(text)).split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def nearest_explorer(index: DocumentIndex, query: str, examples: Sequence[str] = (),
                     labels: Sequence[int] | None = None, k: int = 5) -> Any:
    """Type (or pick) a query and a metric: the k nearest reviews and their scores. Introduced in notebook 34."""
    import ipywidgets as ipw

    from utils.plots import PALETTE
    from utils.widgets import Explorer

    if labels is not None and len(labels) != len(index.texts):
        raise ValueError(f"labels must have one entry per document ({len(index.texts)}), got {len(labels)}")
    options = list(dict.fromkeys([query, *examples]))
    box = ipw.Combobox(value=query, options=options, ensure_option=False, continuous_update=False,
                       description="query", placeholder="type a query, then press Enter",
                       layout=ipw.Layout(width="420px"))
    metric = ipw.Dropdown(options=list(METRICS), value=METRICS[0], description="metric")

    def draw(fig: Any, query: str, metric: str) -> str:
        ax = fig.add_subplot()
        known = [t for t in tokenize(query) if t in index.vocabulary]
        if not known:
            ax.axis("off")
            message = f"none of the words of {query!r} is in the vocabulary: try other words"
            ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11)
            return message
        found = nearest(index, query, metric, k)
        values = [score for _, score in found]
        names = [f"#{doc} " + snippet(index.texts[doc], 60) for doc, _ in found]
        colours = [PALETTE[0] if labels is None or labels[doc] else PALETTE[1] for doc, _ in found]
        bars = ax.barh(range(len(found)), values, color=colours)
        ax.bar_label(bars, [f"{v:.3f}" for v in values], padding=3, fontsize=9)
        ax.set_yticks(range(len(found)), names, fontsize=9)
        ax.invert_yaxis()
        better = "higher is nearer" if metric in SIMILARITIES else "lower is nearer"
        ax.set_xlim(0, max(max(values), 1e-9) * 1.2)
        ax.set(xlabel=f"{metric} ({better})", title=f"The {k} reviews nearest {query!r}")
        stars = [("" if labels is None else (", 5 stars" if labels[doc] else ", fewer stars"))
                 for doc, _ in found]
        ranked = "; ".join(f"#{doc} ({score:.3f}{star})" for (doc, score), star in zip(found, stars))
        return f"{metric}, {better}. Query words in the vocabulary: {' '.join(known)}. Nearest: {ranked}"

    return Explorer({"query": box, "metric": metric}, draw, figsize=(10.0, 3.4))


TOKENIZER_STEPS: dict[str, dict[str, bool]] = {
    "split on spaces": dict(lowercase=False, strip_punctuation=False, strip_breaks=False),
    "+ lower case": dict(lowercase=True, strip_punctuation=False, strip_breaks=False),
    "+ strip punctuation": dict(lowercase=True, strip_punctuation=True, strip_breaks=False),
    "+ remove <br />": dict(lowercase=True, strip_punctuation=True, strip_breaks=True),
}


def vocabulary_sizes(texts: Sequence[str]) -> dict[str, int]:
    """Vocabulary size of the texts under each of TOKENIZER_STEPS (choices switched on in turn).

    Introduced in notebook 34.
    """
    return {name: len({token for text in texts for token in tokenize(text, **options)})
            for name, options in TOKENIZER_STEPS.items()}


__all__ = [
    "LINE_BREAK", "METRICS", "DocumentIndex", "build_index", "build_vocabulary", "cosine_similarity",
    "count_matrix", "document_frequency", "draw_edit_table", "edit_distance", "edit_distance_by_search",
    "edit_path", "edit_table", "euclidean", "idf_curve", "idf_weights", "jaccard_rows", "jaccard_similarity",
    "keras_idf_weights", "manhattan", "nearest", "nearest_explorer", "normalize_rows", "query_vectors",
    "scores", "snippet", "tfidf", "tokenize", "TOKENIZER_STEPS", "vocabulary_sizes",
]
