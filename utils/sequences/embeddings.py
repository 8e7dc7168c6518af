"""Word embeddings: a seeded analogy corpus, skip-gram pairs, negative sampling, GloVe, analogies, a projection explorer.

Word ids come from :func:`build_vocabulary`: id 0 is reserved (padding, as in Keras's ``skipgrams``
and ``Embedding(mask_zero=True)``), the words are numbered from 1 by falling frequency. Embedding
matrices have one row per id (row 0 unused). Introduced in notebook 37.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer

PAD = 0

# ---------------------------------------------------------------------------------------------
# The built corpus: people with a gender, a rank and an age; fruits; colours; "orange" is both
# ---------------------------------------------------------------------------------------------

PEOPLE: dict[str, tuple[str, str, str]] = {
    "king": ("male", "royal", "adult"), "queen": ("female", "royal", "adult"),
    "prince": ("male", "royal", "young"), "princess": ("female", "royal", "young"),
    "man": ("male", "common", "adult"), "woman": ("female", "common", "adult"),
    "boy": ("male", "common", "young"), "girl": ("female", "common", "young"),
}
# Words that go with each attribute: a person's sentence draws its context words from these.
ATTRIBUTE_WORDS: dict[str, tuple[str, ...]] = {
    "male": ("he", "his", "him", "himself", "sir"),
    "female": ("she", "her", "hers", "herself", "madam"),
    "royal": ("crown", "throne", "palace", "royal", "kingdom", "rules"),
    "common": ("village", "farm", "market", "cottage", "works", "field"),
    "adult": ("old", "wise", "married", "tall"),
    "young": ("young", "little", "plays", "school"),
}
FRUITS: tuple[str, ...] = ("orange", "apple", "mango", "lemon", "grape", "cherry")
COLOURS: tuple[str, ...] = ("orange", "red", "blue", "green", "purple", "yellow")
FRUIT_TEMPLATES: tuple[str, ...] = ("i want a glass of {} juice", "a ripe {} fell from the tree",
                                    "we ate a sweet {} today")
COLOUR_TEMPLATES: tuple[str, ...] = ("they painted the door {}", "she bought a bright {} coat",
                                     "the sky turned {} tonight")


def person_sentence(person: str, rng: np.random.Generator, context: int = 4) -> list[str]:
    """One sentence about ``person``: context words drawn from its attributes' words. Introduced in notebook 37."""
    if person not in PEOPLE:
        raise ValueError(f"unknown person {person!r}; choose one of {sorted(PEOPLE)}")
    attributes = PEOPLE[person]
    words = []
    for _ in range(context):
        pool = ATTRIBUTE_WORDS[attributes[rng.integers(len(attributes))]]
        words.append(pool[rng.integers(len(pool))])
    half = context // 2
    return [*words[:half], "the", person, *words[half:]]


def make_analogy_corpus(n_sentences: int = 3000, seed: int = 0, people_share: float = 0.6) -> list[list[str]]:
    """Seeded sentences (lists of words): people, fruit juice and colours, built to show analogies. Introduced in notebook 37."""
    if not isinstance(n_sentences, (int, np.integer)) or n_sentences < 10:
        raise ValueError(f"n_sentences must be an int >= 10, got {n_sentences!r}")
    if not 0.0 < people_share < 1.0:
        raise ValueError(f"people_share must lie strictly between 0 and 1, got {people_share!r}")
    rng = np.random.default_rng(seed)
    people = list(PEOPLE)
    sentences = []
    for _ in range(int(n_sentences)):
        draw = rng.random()
        if draw < people_share:
            sentences.append(person_sentence(people[rng.integers(len(people))], rng))
        else:
            fruit = draw < people_share + (1.0 - people_share) / 2
            words, templates = (FRUITS, FRUIT_TEMPLATES) if fruit else (COLOURS, COLOUR_TEMPLATES)
            template = templates[rng.integers(len(templates))]
            sentences.append(template.format(words[rng.integers(len(words))]).split())
    return sentences


# ---------------------------------------------------------------------------------------------
# Text to ids
# ---------------------------------------------------------------------------------------------

def tokenize(text: str) -> list[list[str]]:
    """Lower-cased word sentences of a text: split at . ! ? ; and blank lines, words are runs of letters. Introduced in notebook 37."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    sentences = []
    for part in re.split(r"[.!?;]+|\n\s*\n", text.lower()):
        words = re.findall(r"[a-z]+", part)
        if len(words) >= 2:
            sentences.append(words)
    return sentences


def build_vocabulary(sentences: Sequence[Sequence[str]], min_count: int = 1) -> list[str]:
    """The words seen at least ``min_count`` times, most frequent first; word k has id k + 1. Introduced in notebook 37."""
    if min_count < 1:
        raise ValueError(f"min_count must be >= 1, got {min_count!r}")
    counts = Counter(word for sentence in sentences for word in sentence)
    if not counts:
        raise ValueError("sentences hold no words")
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, count in ranked if count >= min_count]


def encode(sentences: Sequence[Sequence[str]], words: Sequence[str]) -> list[np.ndarray]:
    """Each sentence as an int array of ids (word k of ``words`` → k + 1), unknown words dropped. Introduced in notebook 37."""
    index = {word: k + 1 for k, word in enumerate(words)}
    encoded = [np.array([index[w] for w in sentence if w in index], dtype=np.int64) for sentence in sentences]
    return [ids for ids in encoded if len(ids) >= 2]


def one_hot(ids: Any, size: int) -> np.ndarray:
    """One-hot rows, (len(ids), size) float32. Introduced in notebook 37."""
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise ValueError(f"ids must be integers, got dtype {ids.dtype}")
    if ids.size and (ids.min() < 0 or ids.max() >= size):
        raise ValueError(f"ids must lie in 0 … {size - 1}, got {ids.min()} … {ids.max()}")
    return np.eye(size, dtype=np.float32)[ids]


def stable_hash(text: str) -> int:
    """A hash of a string that is the same in every Python process (CRC-32), for gensim's ``hashfxn``. Introduced in notebook 37."""
    return zlib.crc32(text.encode("utf-8"))


def counts_of(encoded: Sequence[np.ndarray], vocab_size: int) -> np.ndarray:
    """How often each id occurs (length ``vocab_size``, id 0 gets 0). Introduced in notebook 37."""
    return np.bincount(np.concatenate(list(encoded)), minlength=vocab_size).astype(np.float64)


# ---------------------------------------------------------------------------------------------
# Skip-gram with negative sampling
# ---------------------------------------------------------------------------------------------

def skipgram_pairs(ids: Any, window: int) -> np.ndarray:
    """(centre, context) id pairs of one sentence: every word within ``window`` positions, centre excluded. Introduced in notebook 37."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"ids must be a 1-D array of integer word ids, got shape {ids.shape}, dtype {ids.dtype}")
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be an int >= 1, got {window!r}")
    pairs = [(ids[i], ids[j]) for i in range(len(ids))
             for j in range(max(0, i - window), min(len(ids), i + window + 1)) if j != i]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def corpus_pairs(encoded: Sequence[np.ndarray], window: int) -> np.ndarray:
    """Skip-gram pairs of every sentence, stacked (pairs never cross a sentence boundary). Introduced in notebook 37."""
    return np.concatenate([skipgram_pairs(ids, window) for ids in encoded])


def noise_distribution(counts: Any, power: float = 0.75) -> np.ndarray:
    """word2vec's negative-sampling distribution: counts ** power, normalised (id 0 never drawn). Introduced in notebook 37."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 1 or np.any(counts < 0) or counts.sum() <= 0:
        raise ValueError("counts must be a 1-D array of non-negative counts with a positive sum")
    weights = counts ** power
    weights[PAD] = 0.0
    return weights / weights.sum()


def sample_negatives(n_pairs: int, k: int, distribution: Any, rng: np.random.Generator) -> np.ndarray:
    """(n_pairs, k) negative word ids drawn from ``distribution``. Introduced in notebook 37."""
    distribution = np.asarray(distribution, dtype=np.float64)
    return rng.choice(len(distribution), size=(int(n_pairs), int(k)), p=distribution).astype(np.int64)


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def sgns_loss(v_centre: Any, u_context: Any, u_negatives: Any) -> float:
    """Skip-gram negative-sampling loss of one pair, -log σ(u·v) - Σ log σ(-u_k·v) (NumPy). Introduced in notebook 37."""
    v = np.asarray(v_centre, dtype=np.float64)
    u = np.asarray(u_context, dtype=np.float64)
    negatives = np.asarray(u_negatives, dtype=np.float64).reshape(-1, v.shape[-1])
    return float(-_log_sigmoid(u @ v) - _log_sigmoid(-(negatives @ v)).sum())


def sgns_batch_loss_numpy(W_in: Any, W_out: Any, pairs: Any, negatives: Any) -> tuple[float, np.ndarray, np.ndarray]:
    """Mean SGNS loss over a batch and its gradients for W_in and W_out, from scratch. Introduced in notebook 37."""
    W_in, W_out = np.asarray(W_in, dtype=np.float64), np.asarray(W_out, dtype=np.float64)
    pairs, negatives = np.asarray(pairs), np.asarray(negatives)
    n = len(pairs)
    v = W_in[pairs[:, 0]]                       # (n, d)
    u = W_out[pairs[:, 1]]                      # (n, d)
    u_neg = W_out[negatives]                    # (n, k, d)
    positive = np.sum(u * v, axis=1)            # (n,)
    negative = np.einsum("nkd,nd->nk", u_neg, v)
    loss = float(np.mean(-_log_sigmoid(positive) - _log_sigmoid(-negative).sum(axis=1)))
    # d/dx of -log σ(x) is σ(x) - 1; d/dx of -log σ(-x) is σ(x)
    g_pos = (1.0 / (1.0 + np.exp(-positive)) - 1.0) / n
    g_neg = (1.0 / (1.0 + np.exp(-negative))) / n
    grad_v = g_pos[:, None] * u + np.einsum("nk,nkd->nd", g_neg, u_neg)
    grad_in, grad_out = np.zeros_like(W_in), np.zeros_like(W_out)
    np.add.at(grad_in, pairs[:, 0], grad_v)
    np.add.at(grad_out, pairs[:, 1], g_pos[:, None] * v)
    np.add.at(grad_out, negatives.ravel(), (g_neg[..., None] * v[:, None, :]).reshape(-1, v.shape[1]))
    return loss, grad_in, grad_out


def sgns_batch_loss(W_in: Any, W_out: Any, pairs: Any, negatives: Any) -> Any:
    """Mean SGNS loss over a batch in TensorFlow (differentiable with GradientTape). Introduced in notebook 37."""
    import tensorflow as tf

    v = tf.gather(W_in, pairs[:, 0])
    u = tf.gather(W_out, pairs[:, 1])
    u_neg = tf.gather(W_out, negatives)
    positive = tf.reduce_sum(u * v, axis=1)
    negative = tf.einsum("nkd,nd->nk", u_neg, v)
    return tf.reduce_mean(-tf.math.log_sigmoid(positive)
                          - tf.reduce_sum(tf.math.log_sigmoid(-negative), axis=1))


def initial_sgns_weights(vocab_size: int, dim: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """word2vec's start: input vectors uniform in ±0.5/dim, output vectors zero (float32). Introduced in notebook 37."""
    rng = np.random.default_rng(seed)
    W_in = rng.uniform(-0.5 / dim, 0.5 / dim, size=(vocab_size, dim)).astype(np.float32)
    return W_in, np.zeros((vocab_size, dim), dtype=np.float32)


# ---------------------------------------------------------------------------------------------
# GloVe
# ---------------------------------------------------------------------------------------------

def cooccurrence(encoded: Sequence[np.ndarray], vocab_size: int, window: int) -> np.ndarray:
    """GloVe's symmetric co-occurrence counts: a pair d words apart adds 1/d. Introduced in notebook 37."""
    X = np.zeros((vocab_size, vocab_size))
    for ids in encoded:
        for distance in range(1, window + 1):
            left, right = ids[:-distance], ids[distance:]
            np.add.at(X, (left, right), 1.0 / distance)
            np.add.at(X, (right, left), 1.0 / distance)
    return X


def glove_weight(x: Any, x_max: float = 100.0, alpha: float = 0.75) -> np.ndarray:
    """GloVe's weighting f(x) = (x / x_max) ** alpha below x_max, 1 above (0 at x = 0). Introduced in notebook 37."""
    x = np.asarray(x, dtype=np.float64)
    if np.any(x < 0):
        raise ValueError("co-occurrence counts must be non-negative")
    return np.where(x < x_max, (x / x_max) ** alpha, 1.0)


def glove_loss_numpy(params: dict[str, np.ndarray], X: Any, x_max: float = 100.0,
                     alpha: float = 0.75) -> tuple[float, dict[str, np.ndarray]]:
    """GloVe's weighted least squares over the non-zero counts, and its gradients, from scratch. Introduced in notebook 37."""
    X = np.asarray(X, dtype=np.float64)
    W, W_tilde, b, b_tilde = (params[k] for k in ("W", "W_tilde", "b", "b_tilde"))
    weight = glove_weight(X, x_max, alpha)
    seen = X > 0
    error = np.where(seen, W @ W_tilde.T + b[:, None] + b_tilde[None, :] - np.log(np.where(seen, X, 1.0)), 0.0)
    loss = float(np.sum(weight * error ** 2))
    g = 2.0 * weight * error
    grads = {"W": g @ W_tilde, "W_tilde": g.T @ W, "b": g.sum(axis=1), "b_tilde": g.sum(axis=0)}
    return loss, grads


def glove_loss_tf(params: dict[str, Any], X: Any, x_max: float = 100.0, alpha: float = 0.75) -> Any:
    """The same GloVe objective in TensorFlow, for tf.GradientTape. Introduced in notebook 37."""
    import tensorflow as tf

    X = tf.constant(np.asarray(X, dtype=np.float64))
    weight = tf.constant(glove_weight(X.numpy(), x_max, alpha))
    seen = X > 0
    log_x = tf.math.log(tf.where(seen, X, tf.ones_like(X)))
    fit = (tf.matmul(params["W"], params["W_tilde"], transpose_b=True)
           + params["b"][:, None] + params["b_tilde"][None, :])
    error = tf.where(seen, fit - log_x, tf.zeros_like(X))
    return tf.reduce_sum(weight * error ** 2)


def initial_glove_params(vocab_size: int, dim: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Small random word and context vectors, zero biases (float64). Introduced in notebook 37."""
    rng = np.random.default_rng(seed)
    return {"W": rng.uniform(-0.5, 0.5, (vocab_size, dim)) / dim,
            "W_tilde": rng.uniform(-0.5, 0.5, (vocab_size, dim)) / dim,
            "b": np.zeros(vocab_size), "b_tilde": np.zeros(vocab_size)}


# ---------------------------------------------------------------------------------------------
# Similarity, neighbours, analogies
# ---------------------------------------------------------------------------------------------

def normalise_rows(E: Any) -> np.ndarray:
    """Each row divided by its length (zero rows stay zero). Introduced in notebook 37."""
    E = np.asarray(E, dtype=np.float64)
    if E.ndim != 2:
        raise ValueError(f"E must be a 2-D matrix (words × dimensions), got shape {E.shape}")
    norms = np.linalg.norm(E, axis=1, keepdims=True)
    return E / np.where(norms == 0, 1.0, norms)


def cosine_similarity(a: Any, b: Any) -> float:
    """cos(a, b) = a·b / (|a| |b|). Introduced in notebook 37."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def nearest(E: Any, query: Any, k: int = 5, exclude: Sequence[int] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Ids of the k rows most cosine-similar to ``query`` (a vector), best first, and their similarities. Introduced in notebook 37."""
    unit = normalise_rows(E)
    query = np.asarray(query, dtype=np.float64)
    scores = unit @ (query / (np.linalg.norm(query) or 1.0))
    scores[PAD] = -np.inf
    scores[list(exclude)] = -np.inf
    order = np.argsort(-scores, kind="stable")[:k]
    return order, scores[order]


def neighbours(E: Any, word_id: int, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest words (ids, cosine) of one word, itself excluded. Introduced in notebook 37."""
    E = np.asarray(E, dtype=np.float64)
    return nearest(E, E[word_id], k, exclude=[word_id])


def analogy(E: Any, a: int, b: int, c: int, k: int = 1, keep_queries: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """a is to b as c is to ?: the nearest (cosine) words to b - a + c on unit vectors, a, b, c excluded unless ``keep_queries``. Introduced in notebook 37."""
    unit = normalise_rows(E)
    return nearest(unit, unit[b] - unit[a] + unit[c], k, exclude=[] if keep_queries else [a, b, c])


def neighbour_overlap(E1: Any, E2: Any, k: int = 5, ids: Sequence[int] | None = None) -> float:
    """Mean share of common words in the top-k neighbour lists of two embeddings of the same ids. Introduced in notebook 37."""
    ids = range(1, len(E1)) if ids is None else ids
    shares = [len(set(neighbours(E1, i, k)[0]) & set(neighbours(E2, i, k)[0])) / k for i in ids]
    return float(np.mean(shares))


def similarity_rank_correlation(E1: Any, E2: Any) -> float:
    """Spearman correlation of all pairwise cosine similarities (ids 1…V-1) under two embeddings. Introduced in notebook 37."""
    from scipy.stats import spearmanr

    S1, S2 = (normalise_rows(E)[1:] @ normalise_rows(E)[1:].T for E in (E1, E2))
    upper = np.triu_indices(len(S1), k=1)
    return float(spearmanr(S1[upper], S2[upper]).statistic)


def pca_2d(E: Any) -> tuple[np.ndarray, np.ndarray]:
    """Rows projected on their first two principal components, and the variance share of each. Introduced in notebook 37."""
    E = np.asarray(E, dtype=np.float64)
    centred = E - E.mean(axis=0)
    _, s, Vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ Vt[:2].T, (s[:2] ** 2) / np.sum(s ** 2)


# ---------------------------------------------------------------------------------------------
# Explorer
# ---------------------------------------------------------------------------------------------

def projection_view(words: Sequence[str], E: Any, k: int = 5) -> dict[str, Any]:
    """Precomputed 2-D PCA points and each word's k nearest neighbours (cosine in the full space). Introduced in notebook 37."""
    E = np.asarray(E, dtype=np.float64)
    if len(words) != len(E):
        raise ValueError(f"words has {len(words)} entries but E has {len(E)} rows")
    points, shares = pca_2d(E)
    unit = normalise_rows(E)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)
    order = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    return {"points": points, "shares": shares, "neighbours": order,
            "similarity": np.take_along_axis(similarity, order, axis=1)}


def embedding_explorer(words: Sequence[str], E: Any, word: str = "king", k: int = 5,
                       title: str = "Word vectors projected on their first two principal components") -> Explorer:
    """Pick a word: it and its k nearest neighbours are highlighted on a 2-D PCA map of the vectors. Introduced in notebook 37."""
    import ipywidgets as ipw

    words = list(words)
    if word not in words:
        raise ValueError(f"word {word!r} is not among the {len(words)} words")
    view = projection_view(words, E, k)
    points = view["points"]
    parts: dict[str, Any] = {}
    picker = ipw.Dropdown(options=sorted(words), value=word, description="word")

    def build(fig: Figure) -> None:
        ax = fig.add_subplot()
        ax.scatter(points[:, 0], points[:, 1], s=14, color="#BBBBBB")
        for index, name in enumerate(words):
            ax.annotate(name, points[index], fontsize=7, color="#888888", xytext=(2, 2),
                        textcoords="offset points")
        parts["near"] = ax.scatter(points[:k, 0], points[:k, 1], s=60, color=PALETTE[1], zorder=3,
                                   label=f"its {k} nearest words (cosine, all dimensions)")
        parts["self"] = ax.scatter(points[:1, 0], points[:1, 1], s=110, marker="*", color=PALETTE[0],
                                   zorder=4, label="the chosen word")
        parts["labels"] = [ax.annotate("", (0, 0), xytext=(5, -11), textcoords="offset points", fontsize=9,
                                       fontweight="bold", zorder=5,
                                       bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1})
                           for _ in range(k + 1)]
        ax.set(xlabel=f"principal component 1 ({view['shares'][0]:.0%} of the variance)",
               ylabel=f"principal component 2 ({view['shares'][1]:.0%})", title=title)
        ax.legend(loc="best", fontsize=8)
        for artist in [parts["near"], parts["self"], *parts["labels"]]:
            artist.set_animated(True)

    def draw(fig: Figure, word: str) -> str:
        if not parts:
            build(fig)
        index = words.index(word)
        near = view["neighbours"][index]
        parts["near"].set_offsets(points[near])
        parts["self"].set_offsets(points[[index]])
        for label, chosen in zip(parts["labels"], [index, *near]):
            label.xy = tuple(points[chosen])
            label.set_text(words[chosen])
            label.set_color(PALETTE[0] if chosen == index else PALETTE[1])
        listing = ", ".join(f"{words[j]} ({s:.2f})" for j, s in zip(near, view["similarity"][index]))
        return f"nearest to {word}: {listing}"

    return Explorer({"word": picker}, draw, figsize=(8.5, 5.2), rebuild=False)


def next_word_windows(encoded: Sequence[np.ndarray], context: int) -> tuple[np.ndarray, np.ndarray]:
    """(previous ``context`` ids, next id) for every word of every sentence, padded on the left with 0. Introduced in notebook 37."""
    if context < 1:
        raise ValueError(f"context must be >= 1, got {context!r}")
    inputs, targets = [], []
    for ids in encoded:
        padded = np.concatenate([np.zeros(context, dtype=np.int64), ids])
        for position in range(1, len(ids)):
            inputs.append(padded[position:position + context])
            targets.append(ids[position])
    return np.array(inputs, dtype=np.int64), np.array(targets, dtype=np.int64)


def keyed_matrix(keyed_vectors: Any, words: Sequence[str]) -> np.ndarray:
    """A gensim ``KeyedVectors``' vectors in our id order (row k + 1 for word k, row 0 zeros). Introduced in notebook 37."""
    missing = [word for word in words if word not in keyed_vectors.key_to_index]
    if missing:
        raise ValueError(f"{len(missing)} words have no gensim vector, e.g. {missing[:5]}")
    matrix = np.zeros((len(words) + 1, keyed_vectors.vector_size))
    matrix[1:] = np.stack([keyed_vectors[word] for word in words])
    return matrix


def context_vector(E: Any, ids: Any, position: int, window: int = 2) -> np.ndarray:
    """A crude contextual vector: the mean unit vector of the words within ``window`` of ``position`` (itself included). Introduced in notebook 37."""
    ids = np.asarray(ids)
    if not 0 <= position < len(ids):
        raise ValueError(f"position must lie in 0 … {len(ids) - 1}, got {position}")
    unit = normalise_rows(E)
    return unit[ids[max(0, position - window):position + window + 1]].mean(axis=0)
