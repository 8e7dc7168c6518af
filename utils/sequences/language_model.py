"""Language models: n-gram counts with add-k smoothing, perplexity, sampling with a temperature.

A character vocabulary, the unigram and bigram baselines, a NumPy GRU language model that reads a
trained Keras model's weights and generates text, and a temperature explorer. Introduced in
notebook 36; notebook 41 reuses the character vocabulary, the Austen split and the bigram baseline.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE

# The characters ``clean_text`` keeps: newline (a paragraph break), space, punctuation, digits, a-z.
ALPHABET = "\n !\"'(),-.:;?0123456789abcdefghijklmnopqrstuvwxyz"
WORD_PATTERN = re.compile(r"[a-z]+(?:'[a-z]+)?")
UNKNOWN_WORD = "<unk>"

# ---------------------------------------------------------------------------------------------
# Text: cleaning, the chapter split, the character vocabulary, words
# ---------------------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Lower-case, unwrap the printed lines (one paragraph per line), keep only ``ALPHABET``."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    text = text.lower().replace("\r", "")
    text = re.sub(r"[_*]", "", text)  # the edition's italics and separator marks
    text = re.sub(r"\n\s*\n\s*", "\0", text)  # a blank line ends a paragraph
    text = re.sub(r"\s+", " ", text).replace("\0", "\n")
    text = re.sub(r" *\n *", "\n", text)
    kept = "".join(character for character in text if character in ALPHABET)
    return re.sub(r" {2,}", " ", kept).strip()


def chapter_starts(text: str) -> list[int]:
    """Where each chapter heading ("Chapter 12", "CHAPTER XII") starts in ``text``."""
    return [match.start() for match in re.finditer(r"(?im)^chapter [0-9ivxlc]+[ \t]*$", text)]


def austen_split(book: str = "Pride & Prejudice", held_out_chapters: int = 6) -> tuple[str, str]:
    """``(train_text, held_out_text)``: one novel, cleaned, its last chapters held out."""
    from utils import datasets

    if not isinstance(held_out_chapters, (int, np.integer)) or held_out_chapters < 1:
        raise ValueError(f"held_out_chapters must be a positive whole number, got {held_out_chapters!r}")
    raw = datasets.load_austen(book)
    starts = chapter_starts(raw)
    if held_out_chapters >= len(starts):
        raise ValueError(f"held_out_chapters must be below the book's {len(starts)} chapters, "
                         f"got {held_out_chapters}")
    cut = starts[len(starts) - held_out_chapters]
    return clean_text(raw[:cut]), clean_text(raw[cut:])


@dataclass(frozen=True)
class CharVocabulary:
    """The characters of a text, numbered 0..n-1 in sorted order; encodes text to ids and back."""

    chars: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.chars or len(set(self.chars)) != len(self.chars):
            raise ValueError("a vocabulary needs at least one character and no repeats")
        if any(not isinstance(c, str) or len(c) != 1 for c in self.chars):
            raise ValueError("every entry of a character vocabulary must be one character")
        object.__setattr__(self, "_index", {c: k for k, c in enumerate(self.chars)})

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """The ids of ``text``'s characters (int32); an unknown character is an error that names it."""
        index = self._index  # type: ignore[attr-defined]
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {unknown!r}; clean the text first "
                             "(clean_text) or build the vocabulary from it")
        return np.array([index[c] for c in text], dtype=np.int32)

    def decode(self, ids: Any) -> str:
        """The text of a sequence of ids."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and (ids.min() < 0 or ids.max() >= len(self.chars))):
            raise ValueError(f"ids must be a 1-D sequence of ids in 0..{len(self.chars) - 1}")
        return "".join(self.chars[int(i)] for i in ids)


def char_vocabulary(text: str) -> CharVocabulary:
    """The vocabulary of every character in ``text``, sorted."""
    if not isinstance(text, str) or not text:
        raise ValueError("text must be a non-empty str")
    return CharVocabulary(tuple(sorted(set(text))))


def tokenize_words(text: str) -> list[str]:
    """Lower-cased words (letters, with an inner apostrophe as in "don't"); punctuation dropped."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return WORD_PATTERN.findall(text.lower())


def word_vocabulary(words: Sequence[str], size: int = 2000, min_count: int = 2) -> list[str]:
    """``<unk>`` then the ``size - 1`` most frequent words seen at least ``min_count`` times."""
    from collections import Counter

    if min_count < 1 or size < 2:
        raise ValueError(f"size must be >= 2 and min_count >= 1, got {size!r} and {min_count!r}")
    counts = Counter(words)
    kept = sorted((w for w, n in counts.items() if n >= min_count), key=lambda w: (-counts[w], w))
    return [UNKNOWN_WORD, *kept[: size - 1]]


def encode_words(words: Sequence[str], vocabulary: Sequence[str]) -> np.ndarray:
    """Word ids; a word outside the vocabulary gets the id of ``<unk>`` (0)."""
    if not vocabulary or vocabulary[0] != UNKNOWN_WORD:
        raise ValueError(f"the vocabulary must start with {UNKNOWN_WORD!r} (see word_vocabulary)")
    index = {w: k for k, w in enumerate(vocabulary)}
    return np.array([index.get(w, 0) for w in words], dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# Counts, smoothing, probabilities
# ---------------------------------------------------------------------------------------------


def _ids(ids: Any, size: int) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"ids must be a 1-D array of integer ids, got shape {ids.shape}, dtype {ids.dtype}")
    if not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be the vocabulary size (a positive int), got {size!r}")
    if ids.size and (ids.min() < 0 or ids.max() >= size):
        raise ValueError(f"ids must lie in 0..{size - 1} (size={size}), got {ids.min()}..{ids.max()}")
    return ids


def unigram_counts(ids: Any, size: int) -> np.ndarray:
    """How often each id occurs: an array of length ``size``."""
    return np.bincount(_ids(ids, size), minlength=size)


def bigram_counts(ids: Any, size: int) -> np.ndarray:
    """``counts[i, j]``: how often id ``j`` follows id ``i`` (a ``size`` × ``size`` array)."""
    ids = _ids(ids, size)
    counts = np.zeros((size, size), dtype=np.int64)
    np.add.at(counts, (ids[:-1], ids[1:]), 1)
    return counts


def _k(k: Any) -> float:
    if not np.isscalar(k) or not np.isfinite(k) or k < 0:
        raise ValueError(f"k (the pseudo-count) must be a number >= 0, got {k!r}")
    return float(k)


def unigram_probabilities(counts: Any, k: float = 0.0) -> np.ndarray:
    """Add-k unigram probabilities ``(c + k) / (N + k·V)``."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 1 or np.any(counts < 0):
        raise ValueError(f"counts must be a 1-D array of counts >= 0, got shape {counts.shape}")
    k = _k(k)
    total = counts.sum() + k * counts.size
    if total == 0:
        raise ValueError("all counts are zero and k = 0: no probabilities can be estimated")
    return (counts + k) / total


def bigram_probabilities(counts: Any, k: float = 0.0) -> np.ndarray:
    """Add-k bigram probabilities ``P[i, j] = (C[i, j] + k) / (sum_j C[i, j] + k·V)``, rows sum to 1.

    With ``k = 0`` a row never seen (all zeros) stays all zeros: it has no estimate.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1] or np.any(counts < 0):
        raise ValueError(f"counts must be a square V × V array of counts >= 0, got shape {counts.shape}")
    k = _k(k)
    totals = counts.sum(axis=1, keepdims=True) + k * counts.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, (counts + k) / np.where(totals > 0, totals, 1.0), 0.0)


def sequence_log_probability(ids: Any, unigram: Any, bigram: Any = None) -> float:
    """The chain rule, in natural logs: ``log P(x_1) + sum_t log P(x_t | x_{t-1})``.

    Without ``bigram`` every factor is a unigram probability (the words are independent).
    """
    unigram = np.asarray(unigram, dtype=np.float64)
    ids = _ids(ids, len(unigram))
    if len(ids) == 0:
        raise ValueError("ids must hold at least one id")
    with np.errstate(divide="ignore"):
        if bigram is None:
            return float(np.log(unigram[ids]).sum())
        bigram = np.asarray(bigram, dtype=np.float64)
        if bigram.shape != (len(unigram), len(unigram)):
            raise ValueError(f"bigram must be {len(unigram)} × {len(unigram)}, got {bigram.shape}")
        return float(np.log(unigram[ids[0]]) + np.log(bigram[ids[:-1], ids[1:]]).sum())


def perplexity(probabilities: Any) -> float:
    """``exp(-mean(log p))`` of the probabilities a model gave the tokens that really came next."""
    p = np.asarray(probabilities, dtype=np.float64).ravel()
    if p.size == 0 or np.any(~np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise ValueError("probabilities must be a non-empty array of values in [0, 1]")
    with np.errstate(divide="ignore"):
        return float(np.exp(-np.mean(np.log(p))))


def bigram_perplexity(probabilities: Any, ids: Any) -> float:
    """Perplexity of a bigram model (a V × V array) on the sequence ``ids`` (each id after the first)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    ids = _ids(ids, len(probabilities))
    if len(ids) < 2:
        raise ValueError("ids must hold at least two ids (one prediction)")
    return perplexity(probabilities[ids[:-1], ids[1:]])


def windows(ids: Any, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-overlapping training windows: inputs ``X`` (n, length) and targets ``Y``, ``X`` shifted by one."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"ids must be a 1-D array of integer ids, got shape {ids.shape}")
    if not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length must be a positive int, got {length!r}")
    n = (len(ids) - 1) // length
    if n < 1:
        raise ValueError(f"ids (length {len(ids)}) is too short for one window of {length} + 1 ids")
    return ids[: n * length].reshape(n, length), ids[1 : n * length + 1].reshape(n, length)


# ---------------------------------------------------------------------------------------------
# Temperature and sampling
# ---------------------------------------------------------------------------------------------


def softmax_with_temperature(logits: Any, temperature: float = 1.0) -> np.ndarray:
    """``softmax(logits / T)`` over the last axis, computed stably (the maximum subtracted first)."""
    if not np.isscalar(temperature) or not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature must be a number > 0, got {temperature!r}")
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    if z.ndim == 0 or not np.all(np.isfinite(z)):
        raise ValueError("logits must be a finite array with at least one axis")
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def entropy(probabilities: Any) -> np.ndarray:
    """Entropy in nats of each distribution along the last axis."""
    p = np.asarray(probabilities, dtype=np.float64)
    return -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=-1)


def sample_bigram(probabilities: Any, start: int, length: int, temperature: float = 1.0,
                  seed: int = 0) -> np.ndarray:
    """``length`` ids drawn one after another from a bigram model, starting after id ``start``."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    size = len(probabilities)
    if probabilities.shape != (size, size) or not 0 <= start < size:
        raise ValueError(f"probabilities must be V × V and start an id in 0..{size - 1}")
    if not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length must be a positive int, got {length!r}")
    with np.errstate(divide="ignore"):
        logits = np.log(probabilities)  # softmax(log p / T) is p^(1/T), normalised
    rng = np.random.default_rng(seed)
    out, current = [], int(start)
    for _ in range(length):
        row = softmax_with_temperature(np.where(np.isfinite(logits[current]), logits[current], -1e9),
                                       temperature)
        current = int(rng.choice(size, p=row))
        out.append(current)
    return np.array(out, dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# A trained Embedding → GRU → Dense language model, run in NumPy
# ---------------------------------------------------------------------------------------------

GRU_WEIGHT_NAMES = ("embedding", "kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias")


def gru_weights(model: Any) -> dict[str, np.ndarray]:
    """The weights of a Keras ``Embedding → GRU(reset_after=True) → Dense`` model, by name, float64."""
    weights = [np.asarray(w, dtype=np.float64) for w in model.get_weights()]
    if len(weights) != 6 or weights[3].ndim != 2:
        raise ValueError("expected Embedding, GRU (reset_after=True) and Dense weights: 6 arrays, "
                         f"got {len(weights)}")
    return dict(zip(GRU_WEIGHT_NAMES, weights))


def _check_weights(weights: Mapping[str, Any]) -> None:
    missing = [name for name in GRU_WEIGHT_NAMES if name not in weights]
    if missing:
        raise ValueError(f"weights lack {missing}; build them with gru_weights(model)")


def gru_logits(weights: Mapping[str, Any], ids: Any) -> np.ndarray:
    """Next-id logits after every position of each sequence: ids (batch, time) → (batch, time, V)."""
    from utils.sequences import gates

    _check_weights(weights)
    ids = np.atleast_2d(np.asarray(ids))
    x = np.asarray(weights["embedding"])[ids]
    h = gates.gru_forward(x, weights["kernel"], weights["recurrent_kernel"], weights["bias"])
    return h @ weights["dense_kernel"] + weights["dense_bias"]


def gru_generate(weights: Mapping[str, Any], prompt: Any, length: int,
                 temperatures: Sequence[float], seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``length`` ids after ``prompt`` for each temperature (one row each).

    Returns ``(ids, first_logits)``: ids (len(temperatures), length) and the logits of the first
    sampled position (after the prompt), the same for every row.
    """
    from utils.sequences import gates

    _check_weights(weights)
    prompt = np.asarray(prompt)
    temperatures = [float(t) for t in temperatures]
    if prompt.ndim != 1 or len(prompt) == 0:
        raise ValueError("prompt must be a non-empty 1-D sequence of ids")
    if not temperatures or min(temperatures) <= 0:
        raise ValueError("temperatures must be a non-empty list of numbers > 0")
    if not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length must be a positive int, got {length!r}")
    rng = np.random.default_rng(seed)
    rows = len(temperatures)
    embedding = np.asarray(weights["embedding"])
    step = (weights["kernel"], weights["recurrent_kernel"], weights["bias"])
    h = np.zeros((rows, np.shape(weights["recurrent_kernel"])[0]))
    for token in prompt:
        h = gates.gru_cell(np.repeat(embedding[[int(token)]], rows, axis=0), h, *step)
    out = np.zeros((rows, length), dtype=np.int64)
    first_logits = None
    for t in range(length):
        logits = h @ weights["dense_kernel"] + weights["dense_bias"]
        if first_logits is None:
            first_logits = logits[0].copy()
        for row, temperature in enumerate(temperatures):
            p = softmax_with_temperature(logits[row], temperature)
            out[row, t] = rng.choice(len(p), p=p)
        h = gates.gru_cell(embedding[out[:, t]], h, *step)
    return out, first_logits


# ---------------------------------------------------------------------------------------------
# Figures and the temperature explorer
# ---------------------------------------------------------------------------------------------


def shown_char(character: str) -> str:
    """A printable label for a character: ␣ for a space, ⏎ for a newline."""
    return {" ": "␣", "\n": "⏎"}.get(character, character)


def draw_distribution(ax: Any, probabilities: Any, vocabulary: CharVocabulary, order: Any,
                      title: str = "", color: str = PALETTE[0]) -> Any:
    """Bars of a next-character distribution, characters in the order given; returns the bars."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    order = np.asarray(order)
    bars = ax.bar(np.arange(len(order)), probabilities[order], color=color)
    ax.set_xticks(np.arange(len(order)), [shown_char(vocabulary.chars[i]) for i in order])
    ax.set(ylim=(0, 1), xlabel="next character", ylabel="probability", title=title)
    return bars


def temperature_explorer(samples: Mapping[float, str], logits: Any, vocabulary: CharVocabulary,
                         prompt: str, temperature: float = 1.0, top: int = 15) -> Any:
    """Slide the temperature T: softmax(logits / T) for the next character and a sample at that T.

    ``samples`` maps each temperature to a text sampled at it (precomputed, so a redraw only
    swaps bars and text). Introduced in notebook 36.
    """
    import ipywidgets as ipw

    from utils.widgets import Explorer

    if not samples:
        raise ValueError("samples must map at least one temperature to a sampled text")
    temperatures = sorted(float(t) for t in samples)
    if min(temperatures) <= 0:
        raise ValueError("every temperature must be > 0")
    if float(temperature) not in temperatures:
        raise ValueError(f"temperature must be one of the sampled ones {temperatures}, got {temperature!r}")
    logits = np.asarray(logits, dtype=np.float64)
    if logits.shape != (len(vocabulary),):
        raise ValueError(f"logits must have one entry per character ({len(vocabulary)}), got {logits.shape}")
    texts = {float(t): str(s) for t, s in samples.items()}
    order = np.argsort(-logits)[: min(top, len(vocabulary))]
    table = {t: softmax_with_temperature(logits, t) for t in temperatures}
    spread = {t: float(entropy(p)) for t, p in table.items()}
    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        bars_ax, text_ax = fig.subplots(1, 2, width_ratios=(1.0, 1.25))
        parts["bars"] = draw_distribution(bars_ax, table[temperatures[0]], vocabulary, order,
                                          title=f"Next character after “…{prompt.strip()[-20:]}”")
        bars_ax.set_ylim(0, max(float(p[order].max()) for p in table.values()) * 1.05)
        text_ax.axis("off")
        text_ax.set_title("A sample at this temperature (prompt in grey)")
        parts["prompt"] = text_ax.text(0.0, 1.0, "", va="top", ha="left", family="monospace",
                                       fontsize=9, color="grey", transform=text_ax.transAxes)
        parts["text"] = text_ax.text(0.0, 1.0, "", va="top", ha="left", family="monospace",
                                     fontsize=9, transform=text_ax.transAxes)
        for artist in (*parts["bars"], parts["text"], parts["prompt"]):
            artist.set_animated(True)

    def draw(fig: Figure, temperature: float) -> str:
        if not parts:
            build(fig)
        p = table[temperature]
        for bar, value in zip(parts["bars"], p[order]):
            bar.set_height(value)
        shown_prompt, shown_sample = wrap_overlay(prompt, texts[temperature])
        parts["prompt"].set_text(shown_prompt)
        parts["text"].set_text(shown_sample)
        best = int(np.argmax(p))
        return (f"T = {temperature:g}: the likeliest next character “{shown_char(vocabulary.chars[best])}” "
                f"has p = {p[best]:.2f}; entropy {spread[temperature]:.2f} nats "
                f"(uniform over {len(vocabulary)}: {np.log(len(vocabulary)):.2f})")

    control = ipw.SelectionSlider(options=[(f"{t:g}", t) for t in temperatures], value=float(temperature),
                                  description="temperature T", continuous_update=False,
                                  layout=ipw.Layout(width="420px"))
    return Explorer({"temperature": control}, draw, figsize=(10.0, 3.9), rebuild=False)


def wrap_overlay(prompt: str, sample: str, width: int = 62, lines: int = 14) -> tuple[str, str]:
    """``prompt + sample`` wrapped, as two texts of the same layout: the prompt alone, the sample alone.

    Newlines become spaces. Drawn on top of each other in a monospaced font, the two read as one
    text in two colours.
    """
    prompt = prompt.replace("\n", " ").lstrip()
    text = prompt + sample.replace("\n", " ")
    wrapped = textwrap.wrap(text, width=width, break_on_hyphens=False)[:lines]
    first, second, position = [], [], 0
    for line in wrapped:
        start = text.index(line, position)  # wrapping drops spaces: find where the line began
        cut = min(max(len(prompt) - start, 0), len(line))
        first.append(line[:cut])
        second.append(" " * cut + line[cut:])
        position = start + len(line)
    return "\n".join(first), "\n".join(second)
