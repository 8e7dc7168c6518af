"""Pictures of attention weights: a heatmap, arrows from one word to the words it attends to, and an explorer.

Introduced in notebook 39. The weights are precomputed (one (T, T) matrix per sentence, rows =
the attending words, columns = the attended ones), so a redraw only draws.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from utils.widgets import Explorer

__all__ = ["check_weights", "top_attended", "attention_heatmap", "attention_arrows",
           "attention_explorer"]


def check_weights(words: Sequence[str], weights: Any, name: str = "weights") -> np.ndarray:
    """``weights`` as a finite (T, T) float array for T = len(words), or a ValueError. Introduced in notebook 39."""
    if isinstance(words, str):
        raise ValueError("words must be a sequence of words (e.g. sentence.split()), not one string")
    if len(words) == 0:
        raise ValueError("words must hold at least one word")
    array = np.asarray(weights, dtype=np.float64)
    if array.shape != (len(words), len(words)):
        raise ValueError(f"{name} must be ({len(words)}, {len(words)}) for {len(words)} words, "
                         f"got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{name} must hold finite, non-negative attention weights")
    return array


def _position(words: Sequence[str], position: int) -> int:
    if isinstance(position, (bool, np.bool_)) or not isinstance(position, (int, np.integer)):
        raise ValueError(f"position must be a whole number, got {position!r}")
    if not 0 <= position < len(words):
        raise ValueError(f"position must lie in 0 … {len(words) - 1} for {len(words)} words, got {position}")
    return int(position)


def top_attended(words: Sequence[str], weights: Any, position: int, k: int = 3) -> list[tuple[str, float]]:
    """The ``k`` words that word ``position`` gives most weight to, with their weights, largest first. Introduced in notebook 39."""
    array = check_weights(words, weights)
    position = _position(words, position)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a whole number >= 1, got {k!r}")
    row = array[position]
    order = np.argsort(-row, kind="stable")[:k]
    return [(str(words[j]), float(row[j])) for j in order]


def attention_heatmap(ax: Axes, words: Sequence[str], weights: Any, position: int | None = None,
                      title: str = "Attention weights", colorbar: bool = True) -> Any:
    """Draw a (T, T) weight matrix: rows attend to columns; ``position``'s row is outlined. Introduced in notebook 39."""
    array = check_weights(words, weights)
    image = ax.imshow(array, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
    ticks = range(len(words))
    ax.set_xticks(ticks, list(words), rotation=60, ha="right", fontsize=8)
    ax.set_yticks(ticks, list(words), fontsize=8)
    ax.set(title=title, xlabel="attended word (key)", ylabel="attending word (query)")
    ax.grid(False)
    if position is not None:
        row = _position(words, position)
        ax.add_patch(Rectangle((-0.5, row - 0.5), len(words), 1, fill=False, edgecolor="white",
                               linewidth=2.0))
    if colorbar:
        ax.figure.colorbar(image, ax=ax, shrink=0.85, label="weight (each row sums to 1)")
    return image


def attention_arrows(ax: Axes, words: Sequence[str], weights: Any, position: int,
                     title: str | None = None, smallest: float = 0.02) -> None:
    """Words on a line, an arrow from word ``position`` to each word it attends to, as thick as the weight. Introduced in notebook 39."""
    array = check_weights(words, weights)
    position = _position(words, position)
    row = array[position]
    xs = np.arange(len(words), dtype=float)
    ax.set(xlim=(-0.7, len(words) - 0.3), ylim=(-0.85, 1.35))
    ax.axis("off")
    strongest = max(float(row.max()), 1e-12)
    for j, (x, word) in enumerate(zip(xs, words)):
        shade = row[j] / strongest
        face = (1.0, 1.0 - 0.55 * shade, 1.0 - 0.85 * shade)  # white to orange with the weight
        edge = "black" if j == position else "grey"
        ax.text(x, 0.0, word, ha="center", va="center", fontsize=10,
                fontweight="bold" if j == position else "normal",
                bbox={"boxstyle": "round,pad=0.3", "facecolor": face, "edgecolor": edge})
        if row[j] >= smallest:
            ax.text(x, -0.55, f"{row[j]:.2f}", ha="center", va="center", fontsize=8, color="dimgrey")
    for j in np.argsort(row):  # the strongest arrow drawn last, on top
        if row[j] < smallest:
            continue
        width = 0.6 + 6.0 * row[j]
        if j == position:  # a word attending to itself: a small loop above it
            arrow = FancyArrowPatch((xs[j] - 0.15, 0.25), (xs[j] + 0.15, 0.25),
                                    connectionstyle="arc3,rad=-1.6", arrowstyle="-|>",
                                    mutation_scale=10, linewidth=width, color="tab:orange", alpha=0.8)
        else:
            bend = -0.3 if j > position else 0.3
            arrow = FancyArrowPatch((xs[position], 0.25), (xs[j], 0.25),
                                    connectionstyle=f"arc3,rad={bend}", arrowstyle="-|>",
                                    mutation_scale=10 + 8 * row[j], linewidth=width,
                                    color="tab:orange", alpha=0.35 + 0.6 * row[j] / strongest,
                                    shrinkA=6, shrinkB=6)
        ax.add_patch(arrow)
    ax.set_title(title or f"Where '{words[position]}' looks (arrow width = weight)")


def _sentence_words(sentences: Sequence[Any]) -> list[list[str]]:
    out = []
    for sentence in sentences:
        words = sentence.split() if isinstance(sentence, str) else [str(w) for w in sentence]
        if not words:
            raise ValueError("every sentence must hold at least one word")
        out.append(words)
    return out


def attention_explorer(sentences: Sequence[Any], weights: Sequence[Any], sentence: int = 0,
                       focus: Sequence[int] | None = None, title: str = "") -> Explorer:
    """Pick a sentence and a word: its attention weights as a heatmap and as arrows between words. Introduced in notebook 39.

    ``sentences`` are strings or word lists; ``weights[i]`` is sentence i's (T, T) matrix (a
    longer, padded matrix is cut to the sentence's length); ``focus[i]`` is the word shown first
    when sentence i is picked (default: its first word).
    """
    all_words = _sentence_words(sentences)
    if len(weights) != len(all_words):
        raise ValueError(f"weights must hold one matrix per sentence: {len(all_words)} sentences, "
                         f"{len(weights)} matrices")
    matrices = []
    for i, (words, matrix) in enumerate(zip(all_words, weights)):
        array = np.asarray(matrix, dtype=np.float64)
        n = len(words)
        if array.ndim != 2 or array.shape[0] < n or array.shape[1] < n:
            raise ValueError(f"weights[{i}] must be at least ({n}, {n}) for sentence {i}, "
                             f"got shape {array.shape}")
        matrices.append(check_weights(words, array[:n, :n], f"weights[{i}]"))
    focus = [0] * len(all_words) if focus is None else [int(f) for f in focus]
    if len(focus) != len(all_words):
        raise ValueError(f"focus must give one word position per sentence, got {len(focus)}")
    for i, (words, f) in enumerate(zip(all_words, focus)):
        if not 0 <= f < len(words):
            raise ValueError(f"focus[{i}] = {f} is outside sentence {i}'s {len(words)} words")
    if not 0 <= sentence < len(all_words):
        raise ValueError(f"sentence must lie in 0 … {len(all_words) - 1}, got {sentence}")

    import ipywidgets as ipw

    def word_options(i: int) -> list[tuple[str, int]]:
        return [(f"{j}: {w}", j) for j, w in enumerate(all_words[i])]

    controls = {
        "sentence": ipw.Dropdown(options=[(" ".join(w), i) for i, w in enumerate(all_words)],
                                 value=sentence, description="sentence",
                                 layout=ipw.Layout(width="440px")),
        "word": ipw.Dropdown(options=word_options(sentence), value=focus[sentence],
                             description="word", layout=ipw.Layout(width="200px")),
    }
    box: dict[str, Explorer] = {}

    def follow_sentence(change: Any) -> None:
        # registered before the explorer's observers: the word list follows the sentence while
        # redraws are held, so picking a sentence redraws once
        i = change["new"]
        if "explorer" in box:
            with box["explorer"].hold(redraw=False):
                controls["word"].options = word_options(i)
                controls["word"].value = focus[i]

    controls["sentence"].observe(follow_sentence, names="value")

    def draw(fig: Figure, sentence: int, word: int) -> str:
        words, matrix = all_words[sentence], matrices[sentence]
        word = min(int(word), len(words) - 1)
        left, right = fig.subplots(1, 2, width_ratios=[1.0, 1.5])
        attention_heatmap(left, words, matrix, word, title=title or "All the weights of the sentence")
        attention_arrows(right, words, matrix, word)
        best = ", ".join(f"{w} ({p:.2f})" for w, p in top_attended(words, matrix, word, 3))
        return f"'{words[word]}' attends most to: {best}"

    explorer = Explorer(controls, draw, figsize=(11.0, 4.2), dpi=90)
    box["explorer"] = explorer
    return explorer
