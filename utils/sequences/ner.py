"""Named-entity recognition: a seeded corpus of tagged sentences, BIO tags, entity-level scores, a tagging explorer.

Spans are ``(type, start, end)`` with ``end`` exclusive, like a Python slice: ``words[start:end]``
is the entity. Invalid BIO sequences are read as seqeval does by default (the CoNLL ``conlleval``
convention): an ``I-X`` that does not continue an entity of type ``X`` (after ``O``, at the start,
or after a tag of another type) begins a new entity of type ``X``. Introduced in notebook 33.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer

TYPES = ("PER", "LOC", "ORG", "PROD")
TAGS = ("O",) + tuple(f"{prefix}-{kind}" for kind in TYPES for prefix in ("B", "I"))
TYPE_NAMES = {"PER": "person", "LOC": "place", "ORG": "organisation", "PROD": "product"}
PAD, OOV = 0, 1  # word ids 0 and 1 are reserved: padding (masked) and out-of-vocabulary

Span = tuple[str, int, int]
Sentence = tuple[list[str], list[str]]

# ---------------------------------------------------------------------------------------------
# The corpus: a small grammar whose first word is often ambiguous
# ---------------------------------------------------------------------------------------------

# Each phrase is (words, type or None); the type covers all its words.
_PERSONS = [(["Maria"], "PER"), (["John", "Smith"], "PER"), (["Anna", "Lee"], "PER"), (["David"], "PER"),
            (["Sofia", "Garcia"], "PER"), (["Teddy", "Roosevelt"], "PER"), (["Paris", "Hilton"], "PER"),
            (["Jordan"], "PER"), (["Washington"], "PER"), (["Teddy", "Kennedy"], "PER")]
_PLACES = [(["London"], "LOC"), (["Kenya"], "LOC"), (["Berlin"], "LOC"), (["New", "York"], "LOC"),
           (["Paris"], "LOC"), (["Jordan"], "LOC"), (["Washington"], "LOC"), (["Amazon", "river"], "LOC")]
_ORGANISATIONS = [(["Google"], "ORG"), (["Siemens"], "ORG"), (["Toyota"], "ORG"), (["Apple"], "ORG"),
                  (["Amazon"], "ORG"), (["Jaguar"], "ORG"), (["United", "Nations"], "ORG")]
_PRODUCTS = [(["Kindle"], "PROD"), (["iPhone"], "PROD"), (["Walkman"], "PROD"), (["Game", "Boy"], "PROD"),
             (["Apple", "Watch"], "PROD"), (["PlayStation"], "PROD")]
_POOLS = {"PER": _PERSONS, "LOC": _PLACES, "ORG": _ORGANISATIONS, "PROD": _PRODUCTS}

# What may follow a subject of each kind; "{PER}" and the like are filled with an entity.
_PREDICATES = {
    "PER": ["was a president", "visited {LOC}", "met {PER}", "works at {ORG}", "founded {ORG}",
            "bought a {PROD}", "lives in {LOC}", "called {PER} yesterday"],
    "LOC": ["is a country", "is a big city", "borders {LOC}", "hosted the summit", "is rainy in winter",
            "welcomed {PER}"],
    "ORG": ["hired engineers", "sells the {PROD}", "bought {ORG}", "opened an office in {LOC}",
            "shares rose", "sued {ORG}"],
    "PROD": ["is on sale", "sold out", "costs a lot", "was made by {ORG}", "is popular in {LOC}"],
    "TOY": ["are on sale", "are soft", "are cheap in {LOC}"],
    "FOOD": ["is sweet", "is on sale", "tastes great"],
    "ANIMAL": ["hunts at night", "sleeps all day", "lives in {LOC}"],
}
# Subjects that are not entities, though they start with an entity's word.
_PLAIN = {"TOY": ["Teddy", "bears"], "FOOD": ["Apple", "pie"], "ANIMAL": ["Jaguar"]}

# A first word, and each reading of it as a subject: (words, kind of the predicate that follows).
AMBIGUOUS = {
    "Teddy": [(["Teddy", "Roosevelt"], "PER"), (["Teddy", "Kennedy"], "PER"), (["Teddy", "bears"], "TOY")],
    "Paris": [(["Paris", "Hilton"], "PER"), (["Paris"], "LOC")],
    "Jordan": [(["Jordan"], "PER"), (["Jordan"], "LOC")],
    "Washington": [(["Washington"], "PER"), (["Washington"], "LOC")],
    "Apple": [(["Apple"], "ORG"), (["Apple", "Watch"], "PROD"), (["Apple", "pie"], "FOOD")],
    "Amazon": [(["Amazon"], "ORG"), (["Amazon", "river"], "LOC")],
    "Jaguar": [(["Jaguar"], "ORG"), (["Jaguar"], "ANIMAL")],
}


def _phrase_tags(words: list[str], kind: str | None) -> list[str]:
    if kind is None or kind not in TYPES:
        return ["O"] * len(words)
    return [f"B-{kind}"] + [f"I-{kind}"] * (len(words) - 1)


def _predicate(kind: str, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    template = _PREDICATES[kind][rng.integers(len(_PREDICATES[kind]))]
    words: list[str] = []
    tags: list[str] = []
    for token in template.split():
        if token.startswith("{"):
            pool = _POOLS[token.strip("{}")]
            entity, entity_kind = pool[rng.integers(len(pool))]
            words += entity
            tags += _phrase_tags(entity, entity_kind)
        else:
            words.append(token)
            tags.append("O")
    return words, tags


def make_sentences(n: int, seed: int = 0, ambiguous_share: float = 0.6) -> list[Sentence]:
    """``n`` seeded (words, BIO tags) sentences; a share of them starts with an ambiguous word. Introduced in notebook 33.

    An ambiguous first word ("Teddy", "Paris", "Apple", ...) is read one way or another with equal
    probability, and only the words after it tell which: "Teddy Roosevelt was a president" versus
    "Teddy bears are on sale".
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive whole number of sentences, got {n!r}")
    if not 0.0 <= ambiguous_share <= 1.0:
        raise ValueError(f"ambiguous_share must lie in [0, 1], got {ambiguous_share}")
    rng = np.random.default_rng(seed)
    first_words = sorted(AMBIGUOUS)
    sentences = []
    for _ in range(int(n)):
        if rng.random() < ambiguous_share:
            readings = AMBIGUOUS[first_words[rng.integers(len(first_words))]]
            words, kind = readings[rng.integers(len(readings))]
            subject = (list(words), _phrase_tags(list(words), kind))
        else:
            kind = TYPES[rng.integers(len(TYPES))]
            pool = [p for p in _POOLS[kind] if p[0][0] not in AMBIGUOUS]
            words, _ = pool[rng.integers(len(pool))]
            subject = (list(words), _phrase_tags(list(words), kind))
        rest_words, rest_tags = _predicate(kind, rng)
        sentences.append((subject[0] + rest_words, subject[1] + rest_tags))
    return sentences


# ---------------------------------------------------------------------------------------------
# BIO tags and entity spans
# ---------------------------------------------------------------------------------------------

def validate_tags(tags: Sequence[str], name: str = "tags") -> list[str]:
    """``tags`` as a list after checking it is a non-empty sequence of known BIO tags. Introduced in notebook 33."""
    if isinstance(tags, str):
        raise ValueError(f"{name} must be a sequence of tags such as ['B-PER', 'I-PER', 'O'], not one string")
    tags = list(tags)
    if not tags:
        raise ValueError(f"{name} is empty: a sentence needs at least one word and one tag")
    for position, tag in enumerate(tags):
        if tag not in TAGS:
            raise ValueError(f"{name}[{position}] is {tag!r}, not a known tag; expected one of {list(TAGS)}")
    return tags


def bio_to_spans(tags: Sequence[str]) -> list[Span]:
    """The entities of one sentence's BIO tags as (type, start, end) spans, end exclusive. Introduced in notebook 33.

    An ``I-X`` that does not continue an entity of type ``X`` starts a new one (seqeval's default).
    """
    tags = validate_tags(tags)
    spans: list[Span] = []
    kind, start = None, 0
    for position, tag in enumerate(tags + ["O"]):
        prefix, _, tag_kind = tag.partition("-")
        continues = prefix == "I" and tag_kind == kind
        if kind is not None and not continues:
            spans.append((kind, start, position))
            kind = None
        if prefix == "B" or (prefix == "I" and not continues):
            kind, start = tag_kind, position
    return spans


def spans_to_bio(length: int, spans: Sequence[Span]) -> list[str]:
    """BIO tags of a sentence of ``length`` words holding the given (type, start, end) spans. Introduced in notebook 33."""
    if not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length must be a positive number of words, got {length!r}")
    tags = ["O"] * int(length)
    for span in spans:
        if len(span) != 3:
            raise ValueError(f"a span is (type, start, end), got {span!r}")
        kind, start, end = span
        if kind not in TYPES:
            raise ValueError(f"unknown entity type {kind!r} in span {span!r}; expected one of {list(TYPES)}")
        if not 0 <= start < end <= length:
            raise ValueError(f"span {span!r} must satisfy 0 <= start < end <= {length} (end is exclusive)")
        if any(tag != "O" for tag in tags[start:end]):
            raise ValueError(f"span {span!r} overlaps another span")
        tags[start:end] = [f"B-{kind}"] + [f"I-{kind}"] * (end - start - 1)
    return tags


def _paired(true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> list[tuple[list[str], list[str]]]:
    if isinstance(true_tags, str) or isinstance(pred_tags, str):
        raise ValueError("true_tags and pred_tags are lists of sentences, each a list of tags")
    true_tags, pred_tags = list(true_tags), list(pred_tags)
    if len(true_tags) != len(pred_tags):
        raise ValueError(f"true_tags has {len(true_tags)} sentences but pred_tags has {len(pred_tags)}")
    if not true_tags:
        raise ValueError("no sentences to score: true_tags and pred_tags are empty")
    pairs = []
    for index, (truth, guess) in enumerate(zip(true_tags, pred_tags)):
        truth = validate_tags(truth, f"true_tags[{index}]")
        guess = validate_tags(guess, f"pred_tags[{index}]")
        if len(truth) != len(guess):
            raise ValueError(f"sentence {index}: {len(truth)} true tags but {len(guess)} predicted tags")
        pairs.append((truth, guess))
    return pairs


def entity_scores(true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> dict[str, float]:
    """Entity-level micro precision, recall and F1 (exact span and type), with the counts. Introduced in notebook 33.

    A predicted entity counts only when its type, start and end all equal a true entity's; a
    score whose denominator is zero is 0 (as seqeval's default ``zero_division``).
    """
    true_spans, pred_spans = set(), set()
    for index, (truth, guess) in enumerate(_paired(true_tags, pred_tags)):
        true_spans |= {(index, *span) for span in bio_to_spans(truth)}
        pred_spans |= {(index, *span) for span in bio_to_spans(guess)}
    correct = len(true_spans & pred_spans)
    precision = correct / len(pred_spans) if pred_spans else 0.0
    recall = correct / len(true_spans) if true_spans else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "correct": correct,
            "predicted": len(pred_spans), "true": len(true_spans)}


def scores_by_type(true_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> dict[str, dict[str, float]]:
    """:func:`entity_scores` for each entity type alone. Introduced in notebook 33."""
    pairs = _paired(true_tags, pred_tags)

    def only(tags: list[str], kind: str) -> list[str]:
        return [tag if tag.endswith(f"-{kind}") else "O" for tag in tags]

    return {kind: entity_scores([only(t, kind) for t, _ in pairs], [only(p, kind) for _, p in pairs])
            for kind in TYPES}


# ---------------------------------------------------------------------------------------------
# Words and tags as integer arrays
# ---------------------------------------------------------------------------------------------

def tokenize(text: str) -> list[str]:
    """The words of a typed sentence: split at spaces, surrounding punctuation dropped. Introduced in notebook 33."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    words = [word.strip(".,;:!?\"'()") for word in text.split()]
    return [word for word in words if word]


def build_vocabulary(sentences: Sequence[Sentence]) -> dict[str, int]:
    """Word → id for every (lower-cased) word of the sentences; ids 0 and 1 are padding and OOV. Introduced in notebook 33."""
    if not sentences:
        raise ValueError("build_vocabulary needs at least one sentence")
    words = sorted({word.lower() for sentence_words, _ in sentences for word in sentence_words})
    return {word: index for index, word in enumerate(words, start=2)}


def encode_words(words: Sequence[str], vocabulary: Mapping[str, int], length: int) -> np.ndarray:
    """Word ids of one sentence, padded with 0 at the end to ``length``; unknown words get id 1. Introduced in notebook 33."""
    if isinstance(words, str):
        raise ValueError("words must be a list of words; use tokenize(text) on a typed sentence")
    if not words:
        raise ValueError("words is empty: a sentence needs at least one word")
    if len(words) > length:
        raise ValueError(f"the sentence has {len(words)} words, more than the model's length {length}")
    ids = np.zeros(length, dtype=np.int32)
    ids[: len(words)] = [vocabulary.get(word.lower(), OOV) for word in words]
    return ids


def encode(sentences: Sequence[Sentence], vocabulary: Mapping[str, int], length: int) -> tuple[np.ndarray, np.ndarray]:
    """Word ids ``X`` and tag ids ``y``, both (n, length), padded with 0 at the end. Introduced in notebook 33."""
    if not sentences:
        raise ValueError("encode needs at least one sentence")
    X = np.zeros((len(sentences), length), dtype=np.int32)
    y = np.zeros((len(sentences), length), dtype=np.int32)
    for row, (words, tags) in enumerate(sentences):
        tags = validate_tags(tags, f"the tags of sentence {row}")
        if len(words) != len(tags):
            raise ValueError(f"sentence {row} has {len(words)} words but {len(tags)} tags")
        X[row] = encode_words(words, vocabulary, length)
        y[row, : len(tags)] = [TAGS.index(tag) for tag in tags]
    return X, y


def decode_tags(tag_ids: Any, lengths: Sequence[int]) -> list[list[str]]:
    """Tag names of each sentence from an (n, length) array of tag ids (or of probabilities), cut to its length. Introduced in notebook 33."""
    tag_ids = np.asarray(tag_ids)
    if tag_ids.ndim == 3:
        tag_ids = tag_ids.argmax(axis=-1)
    if tag_ids.ndim != 2 or len(tag_ids) != len(lengths):
        raise ValueError(f"expected tag ids of shape (n, length) with n = {len(lengths)}, got {tag_ids.shape}")
    return [[TAGS[int(i)] for i in row[:n]] for row, n in zip(tag_ids, lengths)]


def masked_mean(values: Any, ids: Any) -> float:
    """Mean of per-position ``values`` over the real words of padded ``ids`` (id 0 is padding). Introduced in notebook 33."""
    values, ids = np.asarray(values, dtype=np.float64), np.asarray(ids)
    if values.shape != ids.shape:
        raise ValueError(f"values has shape {values.shape} but ids has shape {ids.shape}; they must match")
    real = ids != PAD
    if not real.any():
        raise ValueError("ids holds only padding (0): there is no word to average over")
    return float(values[real].mean())


Tagger = Callable[[Sequence[str]], list[str]]


def model_tagger(model: Any, vocabulary: Mapping[str, int], length: int) -> Tagger:
    """A function words → predicted tags, calling a Keras tagger on one sentence. Introduced in notebook 33."""

    def tag(words: Sequence[str]) -> list[str]:
        ids = encode_words(list(words), vocabulary, length)[None]
        probabilities = np.asarray(model.predict_on_batch(ids))  # compiled: faster than model(ids)
        return decode_tags(probabilities, [len(words)])[0]

    return tag


def lookup_tagger(sentences: Sequence[Sentence]) -> Tagger:
    """A baseline that gives each word the tag it had most often in ``sentences`` (O if unseen). Introduced in notebook 33."""
    counts: dict[str, dict[str, int]] = {}
    for words, tags in sentences:
        for word, tag in zip(words, validate_tags(tags)):
            counts.setdefault(word.lower(), {}).setdefault(tag, 0)
            counts[word.lower()][tag] += 1
    best = {word: max(sorted(tags), key=tags.get) for word, tags in counts.items()}

    def tag(words: Sequence[str]) -> list[str]:
        return [best.get(word.lower(), "O") for word in words]

    return tag


# ---------------------------------------------------------------------------------------------
# The explorer: type a sentence, read each model's tags
# ---------------------------------------------------------------------------------------------

TAG_COLOURS = {"O": "#f2f2f2", **{kind: PALETTE[i % len(PALETTE)] for i, kind in enumerate(TYPES)}}


def draw_tag_table(ax: Any, words: Sequence[str], rows: Mapping[str, Sequence[str]],
                   unknown: Sequence[bool] | None = None, title: str = "", columns: int = 0) -> Any:
    """One row of coloured tag boxes per model under the sentence's words; returns ``ax``. Introduced in notebook 33.

    ``columns`` fixes the width of the table in words, so that tables of different sentences share
    one scale (words keep their size whatever the sentence's length).
    """
    words = list(words)
    if not words:
        raise ValueError("words is empty: nothing to draw")
    unknown = list(unknown) if unknown is not None else [False] * len(words)
    for name, tags in rows.items():
        if len(tags) != len(words):
            raise ValueError(f"row {name!r} has {len(tags)} tags for {len(words)} words")
    names = list(rows)
    for column, word in enumerate(words):
        label = f"{word}\n(unknown)" if unknown[column] else word
        ax.text(column, len(names), label, ha="center", va="center", fontsize=10,
                fontweight="bold", color="grey" if unknown[column] else "black")
        for row, name in enumerate(names):
            tag = rows[name][column]
            kind = tag.partition("-")[2] or "O"
            y = len(names) - 1 - row
            colour = TAG_COLOURS[kind]
            ax.add_patch(_box(column, y, colour))
            ax.text(column, y, tag, ha="center", va="center", fontsize=9,
                    color="black" if kind == "O" else "white")
    for row, name in enumerate(names):
        ax.text(-0.6, len(names) - 1 - row, name, ha="right", va="center", fontsize=10)
    ax.set_xlim(-0.7 - 0.11 * max(len(n) for n in names), max(len(words), columns) - 0.5)
    ax.set_ylim(-0.6, len(names) + 0.6)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def _box(x: float, y: float, colour: str) -> Any:
    from matplotlib.patches import FancyBboxPatch

    return FancyBboxPatch((x - 0.45, y - 0.32), 0.9, 0.64, boxstyle="round,pad=0.02", facecolor=colour,
                          edgecolor="none")


def tagging_view(words: Sequence[str], taggers: Mapping[str, Tagger], vocabulary: Mapping[str, int],
                 max_length: int) -> dict[str, Any]:
    """Each tagger's tags for a sentence, which words are unknown, and a one-line summary. Introduced in notebook 33."""
    words = list(words)
    if not words:
        raise ValueError("type a sentence: there are no words to tag")
    if len(words) > max_length:
        raise ValueError(f"the sentence has {len(words)} words; the models read at most {max_length}")
    rows = {name: list(tagger(words)) for name, tagger in taggers.items()}
    unknown = [word.lower() not in vocabulary for word in words]
    entities = {name: ", ".join(f"{' '.join(words[s:e])} = {TYPE_NAMES[k]}" for k, s, e in bio_to_spans(tags))
                or "no entity" for name, tags in rows.items()}
    summary = " | ".join(f"{name}: {text}" for name, text in entities.items())
    return {"rows": rows, "unknown": unknown, "summary": summary}


def tagger_explorer(taggers: Mapping[str, Tagger], vocabulary: Mapping[str, int], max_length: int,
                    sentence: str = "Teddy bears are on sale", examples: Sequence[str] = ()) -> Explorer:
    """Type a sentence (or pick an example) and see each model's tag for every word. Introduced in notebook 33."""
    import ipywidgets as ipw

    if not taggers:
        raise ValueError("taggers must map at least one model name to a function words -> tags")
    options = list(dict.fromkeys([sentence, *examples]))
    box = ipw.Combobox(value=sentence, options=options, ensure_option=False, continuous_update=False,
                       description="sentence", placeholder="type a sentence, then press Enter",
                       layout=ipw.Layout(width="560px"))

    def draw(fig: Figure, sentence: str) -> str:
        words = tokenize(sentence)
        ax = fig.add_subplot()
        try:
            view = tagging_view(words, taggers, vocabulary, max_length)
        except ValueError as error:
            ax.axis("off")
            ax.text(0.5, 0.5, str(error), ha="center", va="center", fontsize=11)
            return str(error)
        draw_tag_table(ax, words, view["rows"], view["unknown"], columns=max_length,
                       title="Each model's tag for each word (grey word: not in the vocabulary)")
        return view["summary"]

    return Explorer({"sentence": box}, draw, figsize=(10.0, 2.6))
