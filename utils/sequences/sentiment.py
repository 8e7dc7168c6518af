"""Sentiment analysis of reviews: cleaning, duplicates, padding, bags of words, word contributions.

A many-to-one model reads a whole review and gives one probability. These helpers prepare the
texts, score a classifier against the majority class, measure how much each word moves the
model's output, and show it in an explorer. Introduced in notebook 35.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer

PAD, OOV = 0, 1  # TextVectorization's ids: 0 is padding, 1 any word outside the vocabulary

_BREAK = re.compile(r"<br\s*/?>", flags=re.IGNORECASE)

Predict = Callable[[np.ndarray], Any]  # a batch of padded ids (reviews, positions) -> probabilities


def _texts(name: str, texts: Any) -> list[str]:
    """``texts`` as a list of str, or a clear error."""
    if isinstance(texts, str):
        raise TypeError(f"{name} must be a sequence of reviews, not one string")
    items = list(texts)
    for k, text in enumerate(items):
        if not isinstance(text, str):
            raise TypeError(f"{name}[{k}] must be a str, got {type(text).__name__}")
    return items


def clean_review(text: str) -> str:
    """A review with the site's ``<br />`` line breaks turned into spaces and runs of spaces collapsed."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return " ".join(_BREAK.sub(" ", text).split())


def clean_reviews(texts: Sequence[str]) -> np.ndarray:
    """Every review cleaned with :func:`clean_review`, as a NumPy array of str (dtype object)."""
    items = _texts("texts", texts)
    cleaned = np.empty(len(items), dtype=object)
    cleaned[:] = [clean_review(text) for text in items]
    return cleaned


def first_occurrences(texts: Sequence[str]) -> np.ndarray:
    """Indices of the first copy of every distinct text, in order (later repeats left out)."""
    seen: set[str] = set()
    keep = []
    for k, text in enumerate(_texts("texts", texts)):
        if text not in seen:
            seen.add(text)
            keep.append(k)
    return np.array(keep, dtype=np.int64)


def duplicate_report(texts_train: Sequence[str], texts_test: Sequence[str]) -> dict[str, Any]:
    """How the two splits repeat themselves: extra copies within train, and test texts also in train."""
    train, test = _texts("texts_train", texts_train), _texts("texts_test", texts_test)
    distinct = set(train)
    counts: dict[str, int] = {}
    for text in train:
        counts[text] = counts.get(text, 0) + 1
    in_train = np.array([text in distinct for text in test], dtype=bool)
    return {"train_extra_copies": len(train) - len(distinct),
            "train_repeated_texts": sum(count > 1 for count in counts.values()),
            "test_in_train": in_train, "test_in_train_count": int(in_train.sum())}


def _ids(name: str, ids: Any, ndim: int) -> np.ndarray:
    """``ids`` as an integer array with ``ndim`` axes, or a clear error."""
    array = np.asarray(ids)
    if array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} axis/axes, got shape {array.shape}")
    if array.size and array.dtype.kind not in "iu":
        if array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
            array = array.astype(np.int64)
        else:
            raise ValueError(f"{name} must hold integer token ids, got dtype {array.dtype}")
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must hold ids >= 0, got {int(array.min())}")
    return array.astype(np.int64)


def pad_or_truncate(reviews: Sequence[Sequence[int]], length: int) -> np.ndarray:
    """Each review's first ``length`` ids, padded with 0s at the end, as one (reviews, length) batch.

    This is what ``TextVectorization(output_sequence_length=length)`` does to its reviews.
    """
    if not isinstance(length, (int, np.integer)) or isinstance(length, bool) or length < 1:
        raise ValueError(f"length must be a positive integer, got {length!r}")
    if isinstance(reviews, (str, np.ndarray)) and np.ndim(reviews) != 2:
        raise ValueError("reviews must be a list of reviews, each a sequence of token ids")
    batch = np.zeros((len(reviews), length), dtype=np.int64)
    for row, ids in enumerate(reviews):
        kept = _ids(f"reviews[{row}]", ids, 1)[:length]
        batch[row, : len(kept)] = kept
    return batch


def bag_of_words(batch: Any, vocabulary_size: int) -> np.ndarray:
    """Counts of each id in each padded review, (reviews, vocabulary_size); the padding column 0 stays 0."""
    array = _ids("batch", batch, 2)
    if not isinstance(vocabulary_size, (int, np.integer)) or vocabulary_size < 2:
        raise ValueError(f"vocabulary_size must be an integer >= 2, got {vocabulary_size!r}")
    if array.size and array.max() >= vocabulary_size:
        raise ValueError(f"batch holds id {int(array.max())}, outside a vocabulary of {vocabulary_size}")
    counts = np.zeros((array.shape[0], vocabulary_size), dtype=np.int64)
    rows = np.repeat(np.arange(array.shape[0]), array.shape[1])
    np.add.at(counts, (rows, array.ravel()), 1)
    counts[:, PAD] = 0
    return counts


def _labels(name: str, y: Any) -> np.ndarray:
    array = np.asarray(y).ravel()
    if array.size == 0 or not np.all(np.isin(array, (0, 1))):
        raise ValueError(f"{name} must be a non-empty array of 0/1 labels")
    return array.astype(np.int64)


def accuracy_vs_majority(y_train: Any, y_test: Any, y_prob: Any,
                         threshold: float = 0.5) -> tuple[float, float]:
    """(test accuracy of ``y_prob > threshold``, test accuracy of always answering train's majority class)."""
    train, test = _labels("y_train", y_train), _labels("y_test", y_test)
    prob = np.asarray(y_prob, dtype=np.float64).ravel()
    if prob.shape != test.shape or not np.all(np.isfinite(prob)):
        raise ValueError(f"y_prob must hold {test.size} finite probabilities, got shape {prob.shape}")
    majority = int(train.mean() > 0.5)
    accuracy = float(np.mean((prob > threshold).astype(np.int64) == test))
    return accuracy, float(np.mean(test == majority))


def word_contributions(predict: Predict, ids: Any) -> tuple[float, np.ndarray]:
    """(probability of one review, how much each real word raises it: full minus without that word)."""
    array = _ids("ids", ids, 1)
    real = array[array != PAD]
    if real.size == 0:
        raise ValueError("ids holds no real word (only padding)")
    n = len(real)
    variants = np.zeros((n + 1, n), dtype=np.int64)
    variants[0] = real
    for k in range(n):  # the review with word k left out, the rest moved up, padded at the end
        variants[k + 1, : n - 1] = np.delete(real, k)
    probabilities = np.asarray(predict(variants), dtype=np.float64).ravel()
    if probabilities.shape != (n + 1,):
        raise ValueError(f"predict must return one probability per review, got shape {probabilities.shape}")
    return float(probabilities[0]), probabilities[0] - probabilities[1:]


@dataclass(frozen=True)
class Explanation:
    """A review as the model read it: its words (OOV marked), P(great) and each word's contribution."""

    text: str
    words: tuple[str, ...]
    known: tuple[bool, ...]
    probability: float
    contributions: np.ndarray


def explain(text: str, vectorize: Callable[[list[str]], Any], vocabulary: Sequence[str],
            predict: Predict) -> Explanation:
    """The :class:`Explanation` of one review: ``vectorize`` gives its ids, ``vocabulary[id]`` the word."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    ids = _ids("vectorize(text)", np.asarray(vectorize([text]))[0], 1)
    real = ids[ids != PAD]
    if real.size == 0:
        raise ValueError("the review has no words the model can read; type a few words")
    probability, contributions = word_contributions(predict, real)
    words = tuple("[?]" if i == OOV else str(vocabulary[i]) for i in real)
    return Explanation(text, words, tuple(bool(i != OOV) for i in real), probability, contributions)


def draw_explanation(fig: Figure, explanation: Explanation, max_words: int = 60) -> None:
    """P(great) as a bar and the review's words coloured by contribution (blue raises it, red lowers it)."""
    bar_ax, words_ax = fig.subplots(2, 1, height_ratios=[1, 4])
    p = explanation.probability
    bar_ax.barh([0], [p], color=PALETTE[0] if p > 0.5 else PALETTE[1], height=0.6)
    bar_ax.axvline(0.5, color="0.3", linestyle="--", linewidth=1)
    bar_ax.set(xlim=(0, 1), yticks=[], xlabel="P(great)",
               title=f"P(great) = {p:.3f}: predicted {'great' if p > 0.5 else 'not great'}")
    words_ax.axis("off")
    words_ax.set(xlim=(0, 1), ylim=(0, 1))
    shown = explanation.words[:max_words]
    scale = max(float(np.max(np.abs(explanation.contributions), initial=0.0)), 0.05)
    x, y, line = 0.0, 0.9, 0.13
    for word, known, contribution in zip(shown, explanation.known, explanation.contributions):
        width = 0.0086 * (len(word) + 1.2)  # monospace, 10 pt, on a 10-inch figure
        if x + width > 1.0:
            x, y = 0.0, y - line
        strength = min(abs(contribution) / scale, 1.0)
        colour = (np.array([0.12, 0.47, 0.71]) if contribution > 0 else np.array([0.84, 0.15, 0.16]))
        face = tuple(1 - strength * 0.75 * (1 - colour))
        words_ax.text(x, y, word, family="monospace", fontsize=10, va="center",
                      color="0.55" if not known else "black",
                      bbox={"boxstyle": "square,pad=0.15", "facecolor": face, "edgecolor": "none"})
        x += width
    more = len(explanation.words) - len(shown)
    words_ax.set_title("Each word's contribution: P(great) minus P(great) without it "
                       "(blue raises, red lowers; [?] not in the vocabulary)"
                       + (f"; {more} more words not shown" if more > 0 else ""), fontsize=9)


def review_explorer(explain_review: Callable[[str], Explanation], examples: Sequence[str],
                    review: str | None = None) -> Explorer:
    """Type a review (or pick one) and see P(great) and each word's contribution. Introduced in notebook 35."""
    import ipywidgets as ipw

    options = list(dict.fromkeys([*([review] if review else []), *examples]))
    if not options:
        raise ValueError("give at least one example review")
    cache: dict[str, Explanation] = {text: explain_review(text) for text in options}
    box = ipw.Combobox(value=options[0], options=options, ensure_option=False, continuous_update=False,
                       description="review", placeholder="type a review, then press Enter",
                       layout=ipw.Layout(width="720px"))

    def draw(fig: Figure, review: str) -> str:
        try:
            if review not in cache:
                cache[review] = explain_review(review)
            explanation = cache[review]
        except (ValueError, TypeError) as error:
            ax = fig.add_subplot()
            ax.axis("off")
            ax.text(0.5, 0.5, str(error), ha="center", va="center", fontsize=11)
            return str(error)
        draw_explanation(fig, explanation)
        order = np.argsort(explanation.contributions)
        top, bottom = explanation.words[order[-1]], explanation.words[order[0]]
        return (f"P(great) = {explanation.probability:.3f}; the word that raises it most: "
                f"<b>{top}</b>, lowers it most: <b>{bottom}</b>")

    return Explorer({"review": box}, draw, figsize=(10.0, 3.2))


def stand_in_explainer(seed: int = 35) -> Callable[[str], Explanation]:
    """A seeded word-score model standing in for a trained one (tests and the explorer benchmark)."""
    rng = np.random.default_rng(seed)
    scores: dict[str, float] = {}

    def explain_review(text: str) -> Explanation:
        words = tuple(re.findall(r"[a-z0-9']+", clean_review(text).lower()))
        if not words:
            raise ValueError("the review has no words the model can read; type a few words")
        for word in words:
            scores.setdefault(word, float(rng.normal(0, 0.8)))
        logit = 0.6 + sum(scores[word] for word in words) / np.sqrt(len(words))
        probability = float(1 / (1 + np.exp(-logit)))
        contributions = np.array([scores[word] for word in words]) / (4 * np.sqrt(len(words)))
        return Explanation(text, words, (True,) * len(words), probability, contributions)

    return explain_review


def results_table(rows: Mapping[str, Mapping[str, float]]) -> str:
    """A fixed-width table: one row per model, one column per score (rounded to 3 digits)."""
    if not rows:
        raise ValueError("rows must map at least one model name to its scores")
    columns = list(dict.fromkeys(key for scores in rows.values() for key in scores))
    width = max(len(name) for name in rows) + 2
    lines = [" " * width + "".join(f"{column:>16s}" for column in columns)]
    for name, scores in rows.items():
        cells = "".join(f"{scores[c]:16.3f}" if c in scores else f"{'':16s}" for c in columns)
        lines.append(f"{name:<{width}s}{cells}")
    return "\n".join(lines)


def id_sentences(batch: Any) -> list[list[str]]:
    """Each padded review's real ids as a list of word tokens ``"w<id>"`` (padding dropped), for gensim."""
    array = _ids("batch", batch, 2)
    return [[f"w{i}" for i in row[row != PAD]] for row in array]


def skipgram_embedding(batch: Any, vocabulary_size: int, dim: int = 100, epochs: int = 10,
                       window: int = 5, seed: int = 0) -> tuple[np.ndarray, float]:
    """(an Embedding matrix from gensim skip-gram vectors of the ids in ``batch``, share of ids covered).

    Row ``i`` is the unit-length skip-gram vector of id ``i``, the padding row 0 is zeros, and ids
    the reviews never use keep small random values. Trained on one thread with a stable hash, so the
    same reviews give the same matrix in every process. Introduced in notebook 35.
    """
    from gensim.models import Word2Vec

    from utils.sequences.embeddings import stable_hash

    array = _ids("batch", batch, 2)
    for name, value, low in (("vocabulary_size", vocabulary_size, 2), ("dim", dim, 1),
                             ("epochs", epochs, 1), ("window", window, 1)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if array.size and array.max() >= vocabulary_size:
        raise ValueError(f"batch holds id {int(array.max())}, outside a vocabulary of {vocabulary_size}")
    sentences = [tokens for tokens in id_sentences(array) if tokens]
    if not sentences:
        raise ValueError("batch holds no real word (only padding)")
    w2v = Word2Vec(sentences, sg=1, negative=5, window=window, vector_size=dim, epochs=epochs,
                   min_count=1, workers=1, seed=seed, hashfxn=stable_hash)
    matrix = np.random.default_rng(seed).normal(0.0, 0.05, (vocabulary_size, dim))
    covered = 0
    for i in range(1, vocabulary_size):
        token = f"w{i}"
        if token in w2v.wv.key_to_index:
            vector = w2v.wv[token]
            matrix[i] = vector / max(float(np.linalg.norm(vector)), 1e-8)
            covered += 1
    matrix[PAD] = 0.0
    return matrix.astype(np.float32), covered / (vocabulary_size - 1)
