"""Notebook 36's helpers: text cleaning and split, counts against Counter, smoothing, perplexity,
temperature, the NumPy GRU language model against Keras, and the temperature explorer."""

from collections import Counter

import numpy as np
import pytest

from utils.sequences import language_model as lm


@pytest.fixture(scope="module")
def split():
    return lm.austen_split("Pride & Prejudice", held_out_chapters=6)


def test_clean_text_unwraps_lines_keeps_paragraphs_and_the_alphabet():
    raw = "It is a _truth_ universally\nacknowledged,  that a Single man\n\n\"My dear Mr. Bennet,\" é"
    cleaned = lm.clean_text(raw)
    assert cleaned == "it is a truth universally acknowledged, that a single man\n\"my dear mr. bennet,\""
    assert set(cleaned) <= set(lm.ALPHABET)
    with pytest.raises(TypeError):
        lm.clean_text(None)


def test_austen_split_holds_out_the_last_chapters(split):
    train, held_out = split
    assert held_out.startswith("chapter 56\n")
    assert "chapter 55\n" in train and "chapter 56" not in train
    assert train.startswith("pride and prejudice")
    assert 600_000 < len(train) < 620_000 and 60_000 < len(held_out) < 70_000
    assert set(held_out) <= set(train) <= set(lm.ALPHABET)
    with pytest.raises(ValueError, match="held_out_chapters"):
        lm.austen_split("Pride & Prejudice", held_out_chapters=0)
    with pytest.raises(ValueError, match="61 chapters"):
        lm.austen_split("Pride & Prejudice", held_out_chapters=61)
    with pytest.raises(ValueError, match="unknown book"):
        lm.austen_split("Ulysses")


def test_chapter_starts_reads_arabic_and_roman_headings():
    text = "Title\n\nCHAPTER I\n\nSome text.\n\nChapter 2\nMore.\nchapter ix\n"
    starts = lm.chapter_starts(text)
    assert [text[s:s + 9] for s in starts] == ["CHAPTER I", "Chapter 2", "chapter i"]


def test_char_vocabulary_round_trip_and_clear_errors():
    vocabulary = lm.char_vocabulary("banana split")
    assert vocabulary.chars == (" ", "a", "b", "i", "l", "n", "p", "s", "t")
    ids = vocabulary.encode("a tab")
    assert ids.dtype == np.int32 and vocabulary.decode(ids) == "a tab"
    with pytest.raises(ValueError, match="'z'"):
        vocabulary.encode("zebra")
    with pytest.raises(ValueError):
        vocabulary.decode([0, 99])
    with pytest.raises(ValueError):
        lm.CharVocabulary(("a", "a"))
    with pytest.raises(ValueError):
        lm.char_vocabulary("")


def test_words_vocabulary_and_unknown_words():
    words = lm.tokenize_words("Don't go, Mr. Darcy! Go -- now; don't.")
    assert words == ["don't", "go", "mr", "darcy", "go", "now", "don't"]
    vocabulary = lm.word_vocabulary(words, size=3, min_count=1)
    assert vocabulary == ["<unk>", "don't", "go"]
    assert lm.encode_words(["go", "darcy"], vocabulary).tolist() == [2, 0]
    with pytest.raises(ValueError):
        lm.encode_words(["go"], ["go"])


def test_counts_equal_an_independent_counter():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 7, size=500)
    unigrams = lm.unigram_counts(ids, 7)
    bigrams = lm.bigram_counts(ids, 7)
    pairs = Counter(zip(ids[:-1].tolist(), ids[1:].tolist()))
    assert unigrams.tolist() == [Counter(ids.tolist())[i] for i in range(7)]
    assert bigrams.tolist() == [[pairs[i, j] for j in range(7)] for i in range(7)]
    assert bigrams.sum() == len(ids) - 1
    with pytest.raises(ValueError, match="0..6"):
        lm.bigram_counts(np.array([0, 7]), 7)
    with pytest.raises(ValueError, match="integer"):
        lm.unigram_counts(np.array([0.5, 1.0]), 3)


def test_add_k_smoothing():
    counts = np.array([[0, 3, 1], [0, 0, 0], [2, 2, 0]])
    laplace = lm.bigram_probabilities(counts, 1.0)
    assert np.allclose(laplace.sum(axis=1), 1)
    assert np.allclose(laplace[0], [1 / 7, 4 / 7, 2 / 7])
    assert np.allclose(laplace[1], 1 / 3)  # an unseen previous token: uniform
    raw = lm.bigram_probabilities(counts)
    assert np.allclose(raw[0], [0, 0.75, 0.25]) and np.all(raw[1] == 0)
    assert np.allclose(lm.unigram_probabilities([3, 1, 0], k=0.5), [3.5 / 5.5, 1.5 / 5.5, 0.5 / 5.5])
    with pytest.raises(ValueError, match="pseudo-count"):
        lm.bigram_probabilities(counts, -1)
    with pytest.raises(ValueError, match="square"):
        lm.bigram_probabilities(np.ones((2, 3)))
    with pytest.raises(ValueError):
        lm.unigram_probabilities([0, 0])


def test_sequence_log_probability_is_the_chain_rule():
    unigram = np.array([0.5, 0.3, 0.2])
    bigram = np.array([[0.1, 0.6, 0.3], [0.5, 0.25, 0.25], [0.2, 0.2, 0.6]])
    ids = np.array([0, 1, 2, 2])
    expected = np.log(0.5) + np.log(0.6) + np.log(0.25) + np.log(0.6)
    assert np.isclose(lm.sequence_log_probability(ids, unigram, bigram), expected)
    assert np.isclose(lm.sequence_log_probability(ids, unigram), lm.sequence_log_probability(ids[::-1], unigram))
    assert lm.sequence_log_probability(np.array([0, 0]), unigram, np.eye(3)[[1, 0, 2]]) == -np.inf
    with pytest.raises(ValueError):
        lm.sequence_log_probability(np.array([], dtype=int), unigram)


def test_perplexity_equals_exp_of_keras_cross_entropy():
    import keras

    assert np.isclose(lm.perplexity(np.full(10, 1 / 49)), 49)
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(4, 9, 6)) * 2
    targets = rng.integers(0, 6, size=(4, 9))
    p = lm.softmax_with_temperature(logits, 1.0)
    p_next = np.take_along_axis(p, targets[..., None], -1)[..., 0]
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(targets, logits)
    assert np.isclose(lm.perplexity(p_next), np.exp(float(loss)), rtol=1e-5)
    assert lm.perplexity([1.0, 0.0]) == np.inf
    for bad in ([], [0.5, 1.5], [np.nan]):
        with pytest.raises(ValueError):
            lm.perplexity(bad)


def test_bigram_perplexity_and_windows():
    probabilities = np.array([[0.5, 0.5], [0.9, 0.1]])
    ids = np.array([0, 1, 0, 0])
    assert np.isclose(lm.bigram_perplexity(probabilities, ids), np.exp(-np.mean(np.log([0.5, 0.9, 0.5]))))
    X, Y = lm.windows(np.arange(23), 5)
    assert X.shape == Y.shape == (4, 5)
    assert np.array_equal(Y, X + 1)
    with pytest.raises(ValueError, match="too short"):
        lm.windows(np.arange(5), 5)
    with pytest.raises(ValueError):
        lm.bigram_perplexity(probabilities, np.array([1]))


def test_softmax_with_temperature():
    from scipy.special import softmax

    z = np.array([[2.0, 1.0, 0.1], [0.0, -1.0, 3.0]])
    for t in (0.3, 1.0, 2.5):
        assert np.allclose(lm.softmax_with_temperature(z, t), softmax(z / t, axis=-1))
        # p(T) is proportional to p(1) ** (1 / T)
        powered = softmax(z, axis=-1) ** (1 / t)
        assert np.allclose(lm.softmax_with_temperature(z, t), powered / powered.sum(-1, keepdims=True))
    sharp = lm.softmax_with_temperature(np.array([1000.0, 999.0]), 0.01)
    assert np.all(np.isfinite(sharp)) and sharp[0] > 0.999
    assert np.all(np.diff(lm.entropy(np.stack([lm.softmax_with_temperature(z[0], t) for t in (0.2, 1, 5)]))) > 0)
    assert np.isclose(lm.entropy(np.full(8, 1 / 8)), np.log(8))
    for bad in (0, -1.0, np.nan):
        with pytest.raises(ValueError, match="temperature"):
            lm.softmax_with_temperature(z, bad)


def test_sample_bigram_is_seeded_and_greedy_when_cold():
    probabilities = np.array([[0.1, 0.9, 0.0], [0.2, 0.1, 0.7], [0.8, 0.1, 0.1]])
    first = lm.sample_bigram(probabilities, 0, 50, seed=3)
    assert np.array_equal(first, lm.sample_bigram(probabilities, 0, 50, seed=3))
    assert not np.any((first[:-1] == 0) & (first[1:] == 2))  # a zero-probability pair never appears
    cold = lm.sample_bigram(probabilities, 0, 6, temperature=0.01, seed=0)
    assert cold.tolist() == [1, 2, 0, 1, 2, 0]
    with pytest.raises(ValueError):
        lm.sample_bigram(probabilities, 5, 3)


@pytest.fixture(scope="module")
def small_model():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(None,), dtype="int32"), keras.layers.Embedding(7, 4),
                              keras.layers.GRU(5, return_sequences=True), keras.layers.Dense(7)])
    model.set_weights([w + np.random.default_rng(1).normal(size=w.shape) * 0.3 for w in model.get_weights()])
    return model


def test_numpy_gru_language_model_equals_keras(small_model):
    ids = np.random.default_rng(2).integers(0, 7, size=(3, 12))
    weights = lm.gru_weights(small_model)
    assert np.allclose(lm.gru_logits(weights, ids), np.asarray(small_model(ids)), atol=1e-5)
    with pytest.raises(ValueError, match="lack"):
        lm.gru_logits({"embedding": weights["embedding"]}, ids)


def test_gru_generate_is_seeded_and_cold_sampling_is_greedy(small_model):
    weights = lm.gru_weights(small_model)
    prompt = np.array([1, 2, 3])
    ids, first = lm.gru_generate(weights, prompt, 8, [0.5, 1.0, 0.001], seed=4)
    again, _ = lm.gru_generate(weights, prompt, 8, [0.5, 1.0, 0.001], seed=4)
    assert ids.shape == (3, 8) and np.array_equal(ids, again)
    assert np.allclose(first, lm.gru_logits(weights, prompt[None])[0, -1], atol=1e-10)
    greedy = list(prompt)
    for _ in range(8):
        greedy.append(int(np.argmax(lm.gru_logits(weights, np.array(greedy)[None])[0, -1])))
    assert ids[2].tolist() == greedy[3:]
    with pytest.raises(ValueError, match="temperatures"):
        lm.gru_generate(weights, prompt, 8, [0.0])


def test_wrap_overlay_lines_up_prompt_and_sample():
    prompt, sample = "it is a truth universally", " acknowledged that a single man in want of a wife"
    first, second = lm.wrap_overlay(prompt, sample, width=20)
    assert len(first.split("\n")) == len(second.split("\n"))
    merged = "".join(a if a not in " \n" else b for a, b in zip(first.ljust(len(second)), second))
    assert merged.replace("\n", "").replace(" ", "") == (prompt + sample).replace(" ", "")
    assert first.replace("\n", "").strip().startswith("it is a truth")


def test_temperature_explorer_redraws_and_rejects_bad_input():
    vocabulary = lm.char_vocabulary("abcdefgh ")
    logits = np.random.default_rng(5).normal(size=len(vocabulary)) * 2
    samples = {0.5: "aaa bbb aaa", 1.0: "abc def gha", 2.0: "hgf edc bae"}
    explorer = lm.temperature_explorer(samples, logits, vocabulary, "a b ", temperature=1.0)
    picture, status = explorer.view.value, explorer.status.value
    assert "T = 1" in status
    explorer.controls["temperature"].value = 2.0
    assert explorer.view.value != picture and "T = 2" in explorer.status.value
    with pytest.raises(ValueError, match="one of the sampled"):
        lm.temperature_explorer(samples, logits, vocabulary, "a", temperature=0.7)
    with pytest.raises(ValueError, match="one entry per character"):
        lm.temperature_explorer(samples, logits[:3], vocabulary, "a")
    with pytest.raises(ValueError):
        lm.temperature_explorer({}, logits, vocabulary, "a")
