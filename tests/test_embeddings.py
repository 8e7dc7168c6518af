"""Notebook 37's helpers: the analogy corpus, skip-gram pairs (against Keras), the SGNS and GloVe
gradients (against tf.GradientTape), neighbours, analogies and the projection explorer."""

from __future__ import annotations

import numpy as np
import pytest

from utils.sequences import embeddings


@pytest.fixture(scope="module")
def corpus():
    sentences = embeddings.make_analogy_corpus(600, seed=1)
    words = embeddings.build_vocabulary(sentences)
    return sentences, words, embeddings.encode(sentences, words)


def test_the_corpus_is_seeded_and_built_from_the_attribute_words():
    first = embeddings.make_analogy_corpus(200, seed=3)
    assert first == embeddings.make_analogy_corpus(200, seed=3)
    assert first != embeddings.make_analogy_corpus(200, seed=4)
    allowed = {w for pool in embeddings.ATTRIBUTE_WORDS.values() for w in pool}
    for sentence in first:
        people = [w for w in sentence if w in embeddings.PEOPLE]
        if people:
            (person,) = people
            attributes = embeddings.PEOPLE[person]
            own = {w for a in attributes for w in embeddings.ATTRIBUTE_WORDS[a]}
            context = [w for w in sentence if w not in ("the", person)]
            assert len(context) == 4 and set(context) <= own <= allowed
    assert any("orange" in s and "juice" in s for s in first)
    assert any("orange" in s and "juice" not in s for s in first)


@pytest.mark.parametrize("kwargs, message", [({"n_sentences": 3}, "n_sentences"),
                                             ({"n_sentences": 2.5}, "n_sentences"),
                                             ({"people_share": 1.0}, "people_share")])
def test_the_corpus_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        embeddings.make_analogy_corpus(**kwargs)


def test_vocabulary_ids_and_one_hot(corpus):
    sentences, words, encoded = corpus
    assert words[0] == "the"  # the most frequent word gets id 1; id 0 is padding
    assert all(ids.min() >= 1 for ids in encoded)
    counts = embeddings.counts_of(encoded, len(words) + 1)
    assert counts[0] == 0 and counts.sum() == sum(map(len, sentences))
    rows = embeddings.one_hot([1, 3], 5)
    assert rows.shape == (2, 5) and rows.sum() == 2 and rows[1, 3] == 1
    with pytest.raises(ValueError, match="integers"):
        embeddings.one_hot([1.0], 5)
    with pytest.raises(ValueError, match="lie in"):
        embeddings.one_hot([5], 5)


def test_tokenize_splits_sentences_and_lowercases():
    text = "It is a truth universally acknowledged. Mr. Darcy!\n\nShe smiled; he did not"
    assert embeddings.tokenize(text) == [["it", "is", "a", "truth", "universally", "acknowledged"],
                                         ["she", "smiled"], ["he", "did", "not"]]
    with pytest.raises(TypeError):
        embeddings.tokenize(["a list"])


def test_skipgram_pairs_equal_keras_skipgrams(corpus):
    import tensorflow as tf

    _, words, encoded = corpus
    for window in (1, 2, 3):
        ours = embeddings.corpus_pairs(encoded[:50], window)
        theirs = np.concatenate([tf.keras.preprocessing.sequence.skipgrams(
            ids.tolist(), len(words) + 1, window_size=window, negative_samples=0.0, shuffle=False)[0]
            for ids in encoded[:50]])
        np.testing.assert_array_equal(ours, theirs)


def test_skipgram_pairs_by_hand_and_bad_input():
    pairs = embeddings.skipgram_pairs(np.array([5, 6, 7]), 1)
    assert pairs.tolist() == [[5, 6], [6, 5], [6, 7], [7, 6]]
    assert embeddings.skipgram_pairs(np.array([5]), 2).shape == (0, 2)
    with pytest.raises(ValueError, match="window"):
        embeddings.skipgram_pairs(np.array([1, 2]), 0)
    with pytest.raises(ValueError, match="1-D"):
        embeddings.skipgram_pairs(np.array([[1, 2]]), 1)


def test_noise_distribution_flattens_the_counts():
    noise = embeddings.noise_distribution(np.array([0.0, 100.0, 10.0, 1.0]))
    assert noise[0] == 0 and np.isclose(noise.sum(), 1)
    unigram = np.array([0, 100, 10, 1]) / 111
    assert noise[3] > unigram[3] and noise[1] < unigram[1]
    with pytest.raises(ValueError):
        embeddings.noise_distribution(np.array([1.0, -1.0]))


def test_sgns_loss_by_hand_and_stable_for_large_scores():
    v, u, negatives = np.array([1.0, 0.0]), np.array([2.0, 0.0]), np.array([[-1.0, 0.0], [0.0, 3.0]])
    expected = -np.log(1 / (1 + np.exp(-2.0))) - np.log(1 / (1 + np.exp(-1.0))) - np.log(0.5)
    assert np.isclose(embeddings.sgns_loss(v, u, negatives), expected)
    assert np.isfinite(embeddings.sgns_loss(np.array([100.0]), np.array([-100.0]), np.array([[100.0]])))


def test_sgns_numpy_gradients_equal_gradient_tape():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    W_in, W_out = rng.normal(size=(12, 4)), rng.normal(size=(12, 4))
    pairs = rng.integers(1, 12, size=(30, 2))
    negatives = rng.integers(1, 12, size=(30, 3))  # repeated ids: gradients must accumulate
    loss, grad_in, grad_out = embeddings.sgns_batch_loss_numpy(W_in, W_out, pairs, negatives)
    mean = np.mean([embeddings.sgns_loss(W_in[c], W_out[o], W_out[n]) for (c, o), n in zip(pairs, negatives)])
    variables = [tf.Variable(W_in), tf.Variable(W_out)]
    with tf.GradientTape() as tape:
        tf_loss = embeddings.sgns_batch_loss(*variables, pairs, negatives)
    tf_in, tf_out = (tf.convert_to_tensor(g).numpy() for g in tape.gradient(tf_loss, variables))
    assert np.isclose(loss, mean) and np.isclose(loss, float(tf_loss))
    np.testing.assert_allclose(grad_in, tf_in, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grad_out, tf_out, rtol=1e-9, atol=1e-12)


def test_glove_weight_and_gradients():
    import tensorflow as tf

    assert embeddings.glove_weight(np.array([0.0, 5.0, 10.0, 50.0]), 10.0, 0.75).tolist() == [
        0.0, 0.5 ** 0.75, 1.0, 1.0]
    with pytest.raises(ValueError):
        embeddings.glove_weight(np.array([-1.0]))
    rng = np.random.default_rng(1)
    X = rng.poisson(2.0, size=(9, 9)).astype(float)
    X = X + X.T
    params = embeddings.initial_glove_params(9, 3, seed=2)
    params["b"] = rng.normal(size=9)
    loss, grads = embeddings.glove_loss_numpy(params, X, 5.0, 0.75)
    tf_params = {k: tf.Variable(v) for k, v in params.items()}
    with tf.GradientTape() as tape:
        tf_loss = embeddings.glove_loss_tf(tf_params, X, 5.0, 0.75)
    assert np.isclose(loss, float(tf_loss))
    for name, gradient in tape.gradient(tf_loss, tf_params).items():
        np.testing.assert_allclose(grads[name], tf.convert_to_tensor(gradient).numpy(), rtol=1e-9, atol=1e-12)


def test_cooccurrence_is_symmetric_with_one_over_distance():
    X = embeddings.cooccurrence([np.array([1, 2, 3])], 4, 2)
    assert np.allclose(X, X.T)
    assert X[1, 2] == 1.0 and X[1, 3] == 0.5 and X[0].sum() == 0


def test_neighbours_analogy_and_agreement():
    E = np.array([[0, 0], [1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9], [-1, 0]], dtype=float)
    ids, similarity = embeddings.neighbours(E, 1, 2)
    assert ids.tolist() == [2, 4] and similarity[0] > similarity[1]
    # 1 : 3 :: 2 : ? -> 4 (the three query words and the padding row are never answers)
    assert embeddings.analogy(E, 1, 3, 2)[0][0] == 4
    assert set(embeddings.analogy(E, 1, 3, 2, k=5, keep_queries=True)[0]) == {1, 2, 3, 4, 5}
    assert embeddings.neighbour_overlap(E, E * 3.0, k=2) == 1.0
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])
    assert np.isclose(embeddings.similarity_rank_correlation(E + 0.01, (E + 0.01) @ rotation), 1.0)
    assert np.isclose(embeddings.cosine_similarity([1, 0], [1, 1]), 2 ** -0.5)


def test_the_analogy_holds_on_the_built_corpus_with_exact_vectors():
    """Vectors made of the attributes (what the corpus is built from) solve king - man + woman."""
    names = sorted({a for attributes in embeddings.PEOPLE.values() for a in attributes})
    words = [""] + list(embeddings.PEOPLE)
    E = np.zeros((len(words), len(names)))
    for row, person in enumerate(words[1:], start=1):
        E[row, [names.index(a) for a in embeddings.PEOPLE[person]]] = 1.0
    ids, _ = embeddings.analogy(E, words.index("man"), words.index("king"), words.index("woman"))
    assert words[ids[0]] == "queen"


def test_next_word_windows_pad_on_the_left():
    X, y = embeddings.next_word_windows([np.array([4, 5, 6])], 2)
    assert X.tolist() == [[0, 4], [4, 5]] and y.tolist() == [5, 6]
    with pytest.raises(ValueError):
        embeddings.next_word_windows([np.array([4, 5])], 0)


def test_context_vector_and_pca():
    E = np.eye(4)
    assert np.allclose(embeddings.context_vector(E, np.array([1, 2, 3]), 0, 1), [0, 0.5, 0.5, 0])
    with pytest.raises(ValueError):
        embeddings.context_vector(E, np.array([1, 2]), 5)
    points, shares = embeddings.pca_2d(np.random.default_rng(0).normal(size=(20, 5)) * [5, 2, 1, 1, 1])
    assert points.shape == (20, 2) and shares[0] >= shares[1] and shares.sum() <= 1


def test_keyed_matrix_follows_our_ids_and_stable_hash_is_stable():
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=2)
    kv.add_vectors(["b", "a"], np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert embeddings.keyed_matrix(kv, ["a", "b"]).tolist() == [[0, 0], [3, 4], [1, 2]]
    with pytest.raises(ValueError, match="no gensim vector"):
        embeddings.keyed_matrix(kv, ["c"])
    import zlib

    assert embeddings.stable_hash("king0") == zlib.crc32(b"king0")  # not Python's salted hash()


def test_explorer_highlights_the_word_and_its_neighbours():
    words = ["a", "b", "c", "d", "e", "f"]
    E = np.random.default_rng(3).normal(size=(6, 4))
    explorer = embeddings.embedding_explorer(words, E, word="c", k=2)
    view = embeddings.projection_view(words, E, k=2)
    first = explorer.status.value
    assert "nearest to c" in first and words[view["neighbours"][2][0]] in first
    explorer.set(word="f")
    assert "nearest to f" in explorer.status.value
    with pytest.raises(ValueError, match="not among"):
        embeddings.embedding_explorer(words, E, word="z")
    with pytest.raises(ValueError, match="rows"):
        embeddings.projection_view(words, E[:3])
