"""Words with two senses ("dish": food or antenna): a seeded corpus, a tiny attention tagger and its NumPy twin.

Each generated sentence holds one ambiguous word (dish, bank, bat), one or two clue words of
one of its senses (*rice*, *satellite*, …) and filler words, in random order. The task is to tag
every word with its sense; only the ambiguous words have two possible tags, and only the clue
words around them tell which. A static embedding cannot do it; one attention layer can.
Introduced in notebook 39.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from utils.attention import core

PAD = "<pad>"
# each ambiguous word, its two senses, and the clue words of each sense
SENSES: dict[str, dict[str, tuple[str, ...]]] = {
    "dish": {
        "food": ("sweet", "indian", "rice", "spicy", "cooked", "tasty", "dinner", "curry"),
        "antenna": ("satellite", "signal", "roof", "tv", "channels", "fixed", "antenna", "aerial"),
    },
    "bank": {
        "river": ("river", "fishing", "muddy", "water", "grassy", "boat", "swam", "reeds"),
        "money": ("money", "loan", "cash", "account", "deposit", "manager", "paid", "savings"),
    },
    "bat": {
        "animal": ("cave", "wings", "night", "flew", "vampire", "furry", "insects", "squeaked"),
        "sport": ("cricket", "wooden", "swung", "ball", "hit", "baseball", "player", "match"),
    },
}
FILLERS: tuple[str, ...] = (
    "the", "a", "we", "they", "saw", "near", "old", "new", "big", "small", "was", "on", "his",
    "her", "that", "this", "very", "there", "looked", "at", "and", "with", "by", "it", "he",
    "were", "out", "of",
)
NO_SENSE = "-"  # the tag of every word that is not ambiguous
UNCLEAR = "unclear"  # the tag of an ambiguous word with no clue in its sentence
EXAMPLES: tuple[str, ...] = (  # the sentences the notebook looks at (not in the training set)
    "they cooked a sweet indian rice dish",
    "we fixed the satellite dish on the roof",
    "the old boat was near the river bank",
    "his savings were at the bank",
    "a bat flew out of the cave at night",
    "he swung the wooden cricket bat",
)


def sense_tags() -> list[str]:
    """The tag names: '-' (not ambiguous), 'dish:food', 'dish:antenna', …, 'unclear' (no clue). Introduced in notebook 39."""
    senses = [f"{word}:{sense}" for word, senses in SENSES.items() for sense in senses]
    return [NO_SENSE, *senses, UNCLEAR]


def vocabulary() -> list[str]:
    """Every word the corpus can use, '<pad>' first (id 0), then sorted. Introduced in notebook 39."""
    words = set(FILLERS) | set(SENSES)
    for senses in SENSES.values():
        for clues in senses.values():
            words |= set(clues)
    for sentence in EXAMPLES:
        words |= set(sentence.split())
    return [PAD] + sorted(words)


@dataclass(frozen=True)
class SenseData:
    """Token ids (n, T) padded with 0, tags (n, T) with 0 on padding and fillers, and the sentences."""

    ids: np.ndarray
    tags: np.ndarray
    sentences: list[list[str]]
    words: list[str]
    tag_names: list[str]

    @property
    def ambiguous(self) -> np.ndarray:
        """True where the word is one of the ambiguous words (the positions that need context)."""
        ambiguous_ids = [self.words.index(word) for word in SENSES]
        return np.isin(self.ids, ambiguous_ids)


def _check_count(value: Any, name: str, low: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def make_sense_sentences(n: int, seed: int = 0, length: tuple[int, int] = (5, 9),
                         unclear: float = 0.15) -> list[tuple[list[str], str]]:
    """n seeded (words, tag of the ambiguous word) sentences: one ambiguous word, 1-2 clues, fillers. Introduced in notebook 39.

    A share ``unclear`` of the sentences has no clue at all: its ambiguous word is tagged 'unclear'.
    """
    n = _check_count(n, "n", 1)
    if not 0 <= unclear < 1:
        raise ValueError(f"unclear must be a share in [0, 1), got {unclear!r}")
    low, high = length
    if not 4 <= low <= high:
        raise ValueError(f"length must be (low, high) with 4 <= low <= high, got {length!r}")
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        word = list(SENSES)[rng.integers(len(SENSES))]
        sense = list(SENSES[word])[rng.integers(2)]
        size = int(rng.integers(low, high + 1))
        n_clues = 0 if rng.random() < unclear else int(rng.integers(1, 3))
        clues = list(rng.choice(SENSES[word][sense], size=n_clues, replace=False))
        fillers = list(rng.choice(FILLERS, size=size - 1 - n_clues))
        sentence = [word, *clues, *fillers]
        order = rng.permutation(len(sentence))
        tag = f"{word}:{sense}" if n_clues else UNCLEAR
        out.append(([str(sentence[i]) for i in order], tag))
    return out


def encode_sentences(sentences: Sequence[Sequence[str]], words: Sequence[str], length: int,
                     tags: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(ids, tags), each (n, length), padded with 0; ``tags`` gives the ambiguous word's tag per sentence. Introduced in notebook 39."""
    index = {word: i for i, word in enumerate(words)}
    tag_index = {tag: i for i, tag in enumerate(sense_tags())}
    length = _check_count(length, "length", 1)
    ids = np.zeros((len(sentences), length), dtype=np.int64)
    labels = np.zeros((len(sentences), length), dtype=np.int64)
    for row, sentence in enumerate(sentences):
        if len(sentence) > length:
            raise ValueError(f"sentence {row} has {len(sentence)} words, more than length {length}")
        unknown = [w for w in sentence if w not in index]
        if unknown:
            raise ValueError(f"sentence {row} has words outside the vocabulary: {unknown}")
        ids[row, :len(sentence)] = [index[w] for w in sentence]
        if tags is not None:
            if tags[row] not in tag_index:
                raise ValueError(f"unknown tag {tags[row]!r}; the tags are {sense_tags()}")
            for position, w in enumerate(sentence):
                if w in SENSES:
                    labels[row, position] = tag_index[tags[row]]
    return ids, labels


def make_sense_data(n: int, seed: int = 0, length: int = 10) -> SenseData:
    """The tagging data set: n seeded sentences encoded to ``length`` ids. Introduced in notebook 39."""
    pairs = make_sense_sentences(n, seed=seed, length=(5, min(9, length)))
    sentences = [words for words, _ in pairs]
    words = vocabulary()
    ids, tags = encode_sentences(sentences, words, length, [tag for _, tag in pairs])
    return SenseData(ids, tags, sentences, words, sense_tags())


def build_tagger(vocab_size: int, length: int, n_tags: int, depth: int = 16,
                 attention: bool = True, seed: int = 0, hidden: int = 32) -> Any:
    """Word + learned position embeddings, one single-head attention layer (optional), a small ReLU layer, a softmax per word. Introduced in notebook 39.

    The layers are named ``words``, ``positions``, ``attention``, ``hidden`` and ``tags``; the
    attention's mask lets every word attend to every word that is not padding (id 0). The ReLU
    layer lets the tag depend on the word *and* its context together; with a linear softmax alone
    training often stalls with one ambiguous word unsolved.
    """
    import keras

    keras.utils.set_random_seed(seed)
    ids = keras.Input((length,), dtype="int32", name="ids")
    # word vectors of spread 0.3, not Keras's default +-0.05: attention scores are products of two
    # vectors, and with tiny vectors every word starts attending to all equally and learns slowly
    x = keras.layers.Embedding(vocab_size, depth, name="words",
                               embeddings_initializer=keras.initializers.RandomNormal(stddev=0.3))(ids)
    x = position_layer()(length, depth, name="positions")(x)
    if attention:
        keys = keras.ops.expand_dims(keras.ops.not_equal(ids, 0), axis=1)  # (batch, 1, T)
        context = keras.layers.MultiHeadAttention(1, depth, name="attention")(
            x, x, attention_mask=keys)
        x = keras.layers.Concatenate(name="word_and_context")([x, context])
    x = keras.layers.Dense(hidden, activation="relu", name="hidden")(x)
    outputs = keras.layers.Dense(n_tags, activation="softmax", name="tags")(x)
    model = keras.Model(ids, outputs, name="attention_tagger" if attention else "static_tagger")
    model.compile(optimizer=keras.optimizers.Adam(0.003), loss="sparse_categorical_crossentropy",
                  weighted_metrics=["accuracy"])
    return model


@functools.lru_cache(maxsize=None)
def position_layer() -> type:
    """The Keras layer that adds a learned (length, depth) position table; made on first use. Introduced in notebook 39."""
    import keras

    @keras.saving.register_keras_serializable(package="course")
    class PositionEmbedding(keras.layers.Layer):
        """Adds a learned vector per position (a (length, depth) table) to each word's vector."""

        def __init__(self, length: int, depth: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.length, self.depth = int(length), int(depth)

        def build(self, input_shape: Any) -> None:
            self.table = self.add_weight(shape=(self.length, self.depth), name="table",
                                         initializer=keras.initializers.RandomNormal(stddev=0.05))

        def call(self, x: Any) -> Any:
            return x + self.table[None, : keras.ops.shape(x)[1]]

        def get_config(self) -> dict:
            return {**super().get_config(), "length": self.length, "depth": self.depth}

    return PositionEmbedding


def tagger_forward(model: Any, ids: Any) -> dict[str, np.ndarray]:
    """The tagger's forward pass in NumPy from its weights: inputs x, attention weights, context, tag probabilities. Introduced in notebook 39."""
    ids = np.asarray(ids)
    if ids.ndim != 2:
        raise ValueError(f"ids must be 2-D (sentences, positions), got shape {ids.shape}")
    E = np.asarray(model.get_layer("words").get_weights()[0], dtype=np.float64)
    P = np.asarray(model.get_layer("positions").get_weights()[0], dtype=np.float64)
    if ids.shape[1] > len(P):
        raise ValueError(f"ids has {ids.shape[1]} positions, the model {len(P)}")
    if ids.min() < 0 or ids.max() >= len(E):
        raise ValueError(f"ids must lie in 0 … {len(E) - 1}")
    x = E[ids] + P[: ids.shape[1]]
    out: dict[str, np.ndarray] = {"x": x}
    names = [layer.name for layer in model.layers]
    if "attention" in names:
        layer = model.get_layer("attention")
        context, weights = core.multi_head_attention(
            x, x, layer.get_weights(), layer.num_heads, mask=core.padding_mask(ids))
        out["context"], out["weights"] = context, weights[:, 0]
        features = np.concatenate([x, context], axis=-1)
    else:
        features = x
    if "hidden" in names:
        kernel, bias = model.get_layer("hidden").get_weights()
        features = np.maximum(features @ kernel + bias, 0.0)
    kernel, bias = model.get_layer("tags").get_weights()
    out["probabilities"] = core.softmax(features @ kernel + bias)
    return out


def ambiguous_accuracy(probabilities: Any, data: SenseData) -> float:
    """Share of the ambiguous words whose most probable tag is right. Introduced in notebook 39."""
    probabilities = np.asarray(probabilities)
    if probabilities.shape[:2] != data.ids.shape:
        raise ValueError(f"probabilities must be (n, T, tags) for ids {data.ids.shape}, got {probabilities.shape}")
    where = data.ambiguous
    return float(np.mean(probabilities.argmax(-1)[where] == data.tags[where]))
