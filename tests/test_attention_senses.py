"""The dish/bank/bat sense corpus and tagger of notebook 39: seeded data, clear errors, a NumPy twin of the model."""

import numpy as np
import pytest

from utils.attention import senses


def test_sentences_are_seeded_and_hold_one_ambiguous_word_with_its_clues():
    first = senses.make_sense_sentences(50, seed=3)
    assert first == senses.make_sense_sentences(50, seed=3)
    assert first != senses.make_sense_sentences(50, seed=4)
    for words, tag in first:
        ambiguous = [w for w in words if w in senses.SENSES]
        assert len(ambiguous) == 1 and 5 <= len(words) <= 9
        if tag == senses.UNCLEAR:
            continue
        word, sense = tag.split(":")
        assert word == ambiguous[0]
        assert any(w in senses.SENSES[word][sense] for w in words)


def test_data_tags_only_the_ambiguous_words():
    data = senses.make_sense_data(40, seed=0, length=10)
    assert data.ids.shape == data.tags.shape == (40, 10)
    assert np.all(data.tags[~data.ambiguous] == 0) and np.all(data.tags[data.ambiguous] > 0)
    assert data.words[0] == senses.PAD and len(set(data.words)) == len(data.words)
    assert data.tag_names == senses.sense_tags() and data.tag_names[0] == senses.NO_SENSE


def test_examples_are_in_the_vocabulary():
    ids, _ = senses.encode_sentences([s.split() for s in senses.EXAMPLES], senses.vocabulary(), 10)
    assert ids.shape == (len(senses.EXAMPLES), 10) and np.all(ids[:, 0] > 0)


@pytest.mark.parametrize("call, message", [
    (lambda: senses.make_sense_sentences(0), "n must be"),
    (lambda: senses.make_sense_sentences(5, unclear=1.0), "unclear must be"),
    (lambda: senses.make_sense_sentences(5, length=(3, 9)), "length must be"),
    (lambda: senses.encode_sentences([["dish"] * 4], senses.vocabulary(), 3), "more than length"),
    (lambda: senses.encode_sentences([["spaceship"]], senses.vocabulary(), 3), "outside the vocabulary"),
    (lambda: senses.encode_sentences([["dish"]], senses.vocabulary(), 3, ["dish:moon"]), "unknown tag"),
])
def test_bad_arguments_get_clear_messages(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.fixture(scope="module")
def tiny_models():
    data = senses.make_sense_data(64, seed=0)
    models = {}
    for attention in (False, True):
        model = senses.build_tagger(len(data.words), 10, len(data.tag_names), depth=8, attention=attention)
        model.fit(data.ids, data.tags, sample_weight=(data.ids != 0).astype("float32"), epochs=1,
                  batch_size=32, verbose=0)
        models[attention] = model
    return data, models


@pytest.mark.parametrize("attention", [False, True])
def test_numpy_forward_pass_equals_keras(tiny_models, attention):
    data, models = tiny_models
    model = models[attention]
    out = senses.tagger_forward(model, data.ids[:16])
    np.testing.assert_allclose(out["probabilities"], model.predict(data.ids[:16], verbose=0), atol=1e-5)
    assert ("weights" in out) == attention
    if attention:
        weights = out["weights"]
        assert weights.shape == (16, 10, 10)
        np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-6)
        assert np.all(weights[data.ids[:16] [:, None, :].repeat(10, axis=1) == 0] == 0)  # no weight on padding


def test_forward_and_accuracy_reject_bad_inputs(tiny_models):
    data, models = tiny_models
    with pytest.raises(ValueError, match="2-D"):
        senses.tagger_forward(models[True], data.ids[0])
    with pytest.raises(ValueError, match="ids must lie"):
        senses.tagger_forward(models[True], np.full((1, 10), 999))
    with pytest.raises(ValueError, match="positions"):
        senses.tagger_forward(models[True], np.ones((1, 12), dtype=int))
    with pytest.raises(ValueError, match="probabilities must be"):
        senses.ambiguous_accuracy(np.zeros((3, 10, 8)), data)


def test_ambiguous_accuracy_counts_only_ambiguous_words():
    data = senses.make_sense_data(20, seed=1)
    perfect = np.eye(len(data.tag_names))[data.tags]
    assert senses.ambiguous_accuracy(perfect, data) == 1.0
    wrong = perfect.copy()
    wrong[~data.ambiguous] = np.roll(wrong[~data.ambiguous], 1, axis=-1)  # fillers wrong: ignored
    assert senses.ambiguous_accuracy(wrong, data) == 1.0
