"""The NER helpers of notebook 33: the corpus, BIO spans, entity scores (against seqeval), encoding, the explorer."""

import re

import numpy as np
import pytest

from utils.sequences import ner


def test_corpus_is_seeded_tagged_and_valid():
    first, again = ner.make_sentences(200, seed=3), ner.make_sentences(200, seed=3)
    assert first == again and first != ner.make_sentences(200, seed=4)
    for words, tags in first:
        assert len(words) == len(tags) >= 3
        ner.validate_tags(tags)
        assert ner.spans_to_bio(len(tags), ner.bio_to_spans(tags)) == tags
    kinds = {kind for _, tags in first for kind, _, _ in ner.bio_to_spans(tags)}
    assert kinds == set(ner.TYPES)


def test_ambiguous_first_words_have_several_readings_decided_later():
    sentences = ner.make_sentences(3000, seed=0)
    starts = [(w, t) for w, t in sentences if w[0] in ner.AMBIGUOUS]
    assert 0.55 < len(starts) / len(sentences) < 0.65
    for word in ner.AMBIGUOUS:
        tags = {t[0] for w, t in starts if w[0] == word}
        assert len(tags) >= 2, (word, tags)
    assert all(w[0] not in ner.AMBIGUOUS for w, _ in ner.make_sentences(300, seed=1, ambiguous_share=0.0))


def test_teddy_is_decided_by_the_word_after_it():
    readings = {(tuple(w[:2]), t[0]) for w, t in ner.make_sentences(3000, seed=0) if w[0] == "Teddy"}
    assert (("Teddy", "bears"), "O") in readings and (("Teddy", "Roosevelt"), "B-PER") in readings


def test_bio_to_spans_reads_stray_i_tags_as_seqeval_does():
    from seqeval.metrics.sequence_labeling import get_entities

    rng = np.random.default_rng(0)
    for _ in range(300):
        tags = list(rng.choice(ner.TAGS, size=rng.integers(1, 9)))
        theirs = [(kind, start, end + 1) for kind, start, end in get_entities(tags)]
        assert ner.bio_to_spans(tags) == theirs, tags
    assert ner.bio_to_spans(["I-PER", "I-PER", "B-PER", "I-LOC"]) == [("PER", 0, 2), ("PER", 2, 3), ("LOC", 3, 4)]
    assert ner.bio_to_spans(["O", "O"]) == []


def test_entity_scores_equal_seqeval_on_random_taggings():
    from seqeval.metrics import f1_score, precision_score, recall_score

    sentences = ner.make_sentences(120, seed=5)
    truth = [t for _, t in sentences]
    rng = np.random.default_rng(1)
    guess = [[tag if rng.random() < 0.8 else str(rng.choice(ner.TAGS)) for tag in tags] for tags in truth]
    ours = ner.entity_scores(truth, guess)
    assert ours["f1"] == pytest.approx(f1_score(truth, guess), abs=1e-12)
    assert ours["precision"] == pytest.approx(precision_score(truth, guess), abs=1e-12)
    assert ours["recall"] == pytest.approx(recall_score(truth, guess), abs=1e-12)
    assert 0.3 < ours["f1"] < 0.95
    assert ner.entity_scores(truth, truth)["f1"] == 1.0


def test_entity_scores_count_exact_typed_spans_only():
    truth = [["B-PER", "I-PER", "O", "B-LOC"]]
    assert ner.entity_scores(truth, [["B-PER", "O", "O", "B-LOC"]])["correct"] == 1  # partial PER
    assert ner.entity_scores(truth, [["B-ORG", "I-ORG", "O", "B-LOC"]])["correct"] == 1  # wrong type
    nothing = ner.entity_scores(truth, [["O", "O", "O", "O"]])
    assert (nothing["precision"], nothing["recall"], nothing["f1"]) == (0.0, 0.0, 0.0)
    by_type = ner.scores_by_type(truth, [["B-PER", "I-PER", "O", "O"]])
    assert by_type["PER"]["f1"] == 1.0 and by_type["LOC"]["recall"] == 0.0


def test_encoding_pads_with_zero_and_maps_unknown_words_to_oov():
    sentences = ner.make_sentences(50, seed=2)
    vocabulary = ner.build_vocabulary(sentences)
    assert min(vocabulary.values()) == 2 and len(set(vocabulary.values())) == len(vocabulary)
    X, y = ner.encode(sentences, vocabulary, 8)
    assert X.shape == y.shape == (50, 8) and X.dtype.kind == "i"
    for row, (words, tags) in enumerate(sentences):
        assert np.all(X[row, len(words):] == ner.PAD) and np.all(X[row, : len(words)] >= 2)
        assert ner.decode_tags(y[row:row + 1], [len(words)])[0] == tags
    ids = ner.encode_words(["TEDDY", "zebra"], vocabulary, 4)
    assert ids[1] == ner.OOV and ids[2] == ner.PAD
    probabilities = np.eye(len(ner.TAGS))[y]
    assert ner.decode_tags(probabilities, [len(w) for w, _ in sentences]) == [t for _, t in sentences]


def test_masked_mean_and_tokenize():
    values = np.array([[1.0, 2.0, 9.0], [4.0, 9.0, 9.0]])
    ids = np.array([[5, 1, 0], [3, 0, 0]])
    assert ner.masked_mean(values, ids) == pytest.approx(7 / 3)
    assert ner.tokenize("  Teddy bears, are on sale! ") == ["Teddy", "bears", "are", "on", "sale"]


def test_lookup_tagger_uses_the_most_frequent_tag():
    tagger = ner.lookup_tagger([(["Jordan", "x"], ["B-LOC", "O"]), (["Jordan"], ["B-PER"]), (["Jordan"], ["B-LOC"])])
    assert tagger(["jordan", "unseen"]) == ["B-LOC", "O"]


@pytest.mark.parametrize("call, message", [
    (lambda: ner.validate_tags(["B-PER", "B-XYZ"]), "tags[1] is 'B-XYZ'"),
    (lambda: ner.validate_tags([]), "empty"),
    (lambda: ner.validate_tags("B-PER"), "not one string"),
    (lambda: ner.bio_to_spans(["B-PER", "X"]), "not a known tag"),
    (lambda: ner.entity_scores([["O"]], [["O"], ["O"]]), "1 sentences but pred_tags has 2"),
    (lambda: ner.entity_scores([["O", "O"]], [["O"]]), "sentence 0: 2 true tags but 1 predicted"),
    (lambda: ner.entity_scores([], []), "no sentences"),
    (lambda: ner.entity_scores([[]], [[]]), "empty"),
    (lambda: ner.entity_scores([["B-PER"]], [["b-per"]]), "pred_tags[0][0]"),
    (lambda: ner.spans_to_bio(3, [("PER", 1, 1)]), "end is exclusive"),
    (lambda: ner.spans_to_bio(3, [("PER", 0, 2), ("LOC", 1, 3)]), "overlaps"),
    (lambda: ner.spans_to_bio(3, [("CITY", 0, 1)]), "unknown entity type"),
    (lambda: ner.spans_to_bio(0, []), "positive number"),
    (lambda: ner.make_sentences(0), "positive whole number"),
    (lambda: ner.make_sentences(5, ambiguous_share=1.5), "ambiguous_share"),
    (lambda: ner.encode([(["a", "b"], ["O"])], {"a": 2}, 4), "2 words but 1 tags"),
    (lambda: ner.encode_words([], {}, 4), "empty"),
    (lambda: ner.encode_words("Teddy bears", {}, 4), "tokenize"),
    (lambda: ner.encode_words(["a"] * 5, {}, 4), "more than the model's length 4"),
    (lambda: ner.decode_tags(np.zeros((2, 3), int), [3]), "shape (n, length)"),
    (lambda: ner.masked_mean(np.zeros((2, 3)), np.zeros((2, 2))), "must match"),
    (lambda: ner.masked_mean(np.ones((1, 2)), np.zeros((1, 2))), "only padding"),
    (lambda: ner.tokenize(3), "must be a string"),
    (lambda: ner.build_vocabulary([]), "at least one sentence"),
    (lambda: ner.tagger_explorer({}, {}, 8), "at least one model"),
])
def test_bad_inputs_get_clear_messages(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def _explorer():
    sentences = ner.make_sentences(300, seed=0)
    vocabulary = ner.build_vocabulary(sentences)
    lookup = ner.lookup_tagger(sentences)
    taggers = {"lookup": lookup, "all O": lambda words: ["O"] * len(words)}
    return ner.tagger_explorer(taggers, vocabulary, 8, "Teddy bears are on sale", ["Paris is a big city"])


def test_explorer_redraws_with_the_typed_sentence_and_explains_bad_ones():
    explorer = _explorer()
    before, count = explorer.view.value, explorer.draw_count
    explorer.controls["sentence"].value = "Anna visited Jordan zzz"
    assert explorer.draw_count == count + 1 and explorer.view.value != before
    assert "Anna = person" in explorer.status.value and "all O: no entity" in explorer.status.value
    explorer.controls["sentence"].value = "   "
    assert "type a sentence" in explorer.status.value
    explorer.controls["sentence"].value = "a b c d e f g h i j"
    assert "at most 8" in explorer.status.value


def test_tagging_view_marks_unknown_words():
    sentences = ner.make_sentences(100, seed=0)
    vocabulary = ner.build_vocabulary(sentences)
    view = ner.tagging_view(["Teddy", "zebra"], {"lookup": ner.lookup_tagger(sentences)}, vocabulary, 8)
    assert view["unknown"] == [False, True] and len(view["rows"]["lookup"]) == 2


def test_model_tagger_calls_a_keras_model_on_one_sentence():
    import keras

    sentences = ner.make_sentences(20, seed=0)
    vocabulary = ner.build_vocabulary(sentences)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,), dtype="int32"),
                              keras.layers.Embedding(len(vocabulary) + 2, 4, mask_zero=True),
                              keras.layers.Dense(len(ner.TAGS), activation="softmax")])
    tags = ner.model_tagger(model, vocabulary, 6)(["Teddy", "bears", "unknownword"])
    assert len(tags) == 3 and all(tag in ner.TAGS for tag in tags)
