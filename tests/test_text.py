"""Text helpers of notebook 34: tokens, bag of words, TF-IDF against scikit-learn and Keras,
distances against scikit-learn and SciPy, the edit distance against a brute-force search, the
nearest-document search and its explorer."""

import numpy as np
import pytest

from utils.sequences import text

REVIEWS = [
    "Great coffee.<br /><br />Strong, dark and GREAT!",
    "the tea is weak and the coffee is worse",
    "My dog loves these treats; my cat doesn't.",
    "Strong tea, strong coffee, strong opinions",
    "dark chocolate and dark coffee",
    "weak tea",
]


def test_tokenize_choices():
    sample = "GREAT price.<br /><br />Don't miss it!"
    assert text.tokenize(sample) == ["great", "price", "don't", "miss", "it"]
    assert text.tokenize(sample, strip_breaks=False) == ["great", "price", "br", "br", "don't", "miss", "it"]
    assert text.tokenize(sample, lowercase=False)[0] == "GREAT"
    assert text.tokenize(sample, strip_punctuation=False, strip_breaks=False)[:2] == ["great", "price.<br"]
    assert text.tokenize("café_au lait") == ["café", "au", "lait"]
    with pytest.raises(TypeError, match="text must be a str"):
        text.tokenize(["not", "a", "string"])


def test_vocabulary_sizes_shrink_step_by_step():
    sizes = list(text.vocabulary_sizes(REVIEWS).values())
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > sizes[-1]


def test_vocabulary_and_counts():
    documents = [text.tokenize(review) for review in REVIEWS]
    vocabulary = text.build_vocabulary(documents, min_df=2)
    assert list(vocabulary) == sorted(vocabulary)
    assert "dog" not in vocabulary and "coffee" in vocabulary
    counts = text.count_matrix(documents, vocabulary)
    assert counts.shape == (len(REVIEWS), len(vocabulary))
    assert counts[3, vocabulary["strong"]] == 3
    with pytest.raises(ValueError, match="min_df"):
        text.build_vocabulary(documents, min_df=0)
    with pytest.raises(TypeError, match="tokenize each text first"):
        text.build_vocabulary("a string")
    with pytest.raises(ValueError, match="vocabulary"):
        text.count_matrix(documents, {})


@pytest.mark.parametrize("smooth_idf", [True, False])
@pytest.mark.parametrize("sublinear_tf", [False, True])
@pytest.mark.parametrize("norm", ["l2", "l1", None])
def test_tfidf_equals_scikit_learn(smooth_idf, sublinear_tf, norm):
    from sklearn.feature_extraction.text import TfidfVectorizer

    documents = [text.tokenize(review) for review in REVIEWS]
    vocabulary = text.build_vocabulary(documents)
    ours = text.tfidf(text.count_matrix(documents, vocabulary), smooth_idf=smooth_idf,
                      sublinear_tf=sublinear_tf, norm=norm)
    vectorizer = TfidfVectorizer(tokenizer=text.tokenize, lowercase=False, token_pattern=None,
                                 smooth_idf=smooth_idf, sublinear_tf=sublinear_tf, norm=norm)
    theirs = vectorizer.fit_transform(REVIEWS).toarray()
    assert list(vectorizer.get_feature_names_out()) == list(vocabulary)
    assert np.abs(ours - theirs).max() <= 1e-12


def test_idf_conventions_and_errors():
    counts = np.array([[1, 0, 2], [0, 1, 1], [3, 0, 1]])
    df = np.array([2, 1, 3])
    np.testing.assert_allclose(text.idf_weights(counts), np.log(4 / (1 + df)) + 1)
    np.testing.assert_allclose(text.idf_weights(counts, smooth=False), np.log(3 / df) + 1)
    np.testing.assert_allclose(text.keras_idf_weights(counts), np.log(1 + 3 / (1 + df)))
    with pytest.raises(ValueError, match="df > 0"):
        text.idf_weights(np.array([[1, 0], [2, 0]]), smooth=False)
    with pytest.raises(ValueError, match="2-D"):
        text.tfidf(np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        text.tfidf(-np.ones((2, 2)))
    with pytest.raises(ValueError, match="one weight per term"):
        text.tfidf(np.ones((2, 3)), idf=np.ones(2))
    with pytest.raises(ValueError, match="norm"):
        text.normalize_rows(np.ones((2, 2)), norm="l3")
    assert np.all(text.normalize_rows(np.zeros((2, 3))) == 0)  # empty documents stay zero


def test_keras_text_vectorization_tf_idf_convention():
    import keras

    documents = [text.tokenize(review) for review in REVIEWS]
    joined = [" ".join(tokens) for tokens in documents]
    layer = keras.layers.TextVectorization(standardize=None, output_mode="tf_idf")
    layer.adapt(joined)
    terms = [str(term) for term in layer.get_vocabulary()]
    vocabulary = {term: column for column, term in enumerate(terms) if column > 0}
    counts = np.zeros((len(documents), len(terms)))
    for row, tokens in enumerate(documents):
        for token in tokens:
            counts[row, vocabulary[token]] += 1
    expected = counts[:, 1:] * text.keras_idf_weights(counts[:, 1:])
    np.testing.assert_allclose(np.asarray(layer(joined))[:, 1:], expected, rtol=1e-5, atol=1e-6)


def test_distances_equal_scikit_learn_and_scipy():
    from scipy.spatial.distance import jaccard
    from sklearn.metrics import pairwise

    rng = np.random.default_rng(0)
    rows = rng.poisson(1.0, size=(6, 9)).astype(float)
    np.testing.assert_allclose(text.euclidean(rows[:, None], rows[None]), pairwise.euclidean_distances(rows), atol=1e-12)
    np.testing.assert_allclose(text.manhattan(rows[:, None], rows[None]), pairwise.manhattan_distances(rows), atol=1e-12)
    np.testing.assert_allclose(text.cosine_similarity(rows[:, None], rows[None]), pairwise.cosine_similarity(rows),
                               atol=1e-12)
    assert text.cosine_similarity(np.zeros(3), np.ones(3)) == 0.0
    present = rows > 0
    np.testing.assert_allclose(text.jaccard_rows(present[0], present), [1 - jaccard(present[0], r) for r in present])
    assert text.jaccard_similarity(["a", "b", "b"], ["b", "c"]) == pytest.approx(1 / 3)
    assert text.jaccard_similarity([], []) == 1.0
    with pytest.raises(TypeError, match="not str"):
        text.jaccard_similarity("abc", ["a"])
    with pytest.raises(ValueError, match="same length"):
        text.euclidean(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="present must be"):
        text.jaccard_rows(np.ones(3), np.ones((2, 4)))


@pytest.mark.parametrize("a, b, distance", [("kitten", "sitting", 3), ("tasty", "toasted", 3), ("", "tea", 3),
                                            ("flavour", "flavor", 1), ("caffiene", "caffeine", 2), ("same", "same", 0)])
def test_edit_distance_table_and_search_agree(a, b, distance):
    assert text.edit_distance(a, b) == distance
    assert text.edit_distance_by_search(a, b) == distance
    table = text.edit_table(a, b)
    assert table.shape == (len(a) + 1, len(b) + 1)
    assert list(table[0]) == list(range(len(b) + 1)) and list(table[:, 0]) == list(range(len(a) + 1))


def test_edit_distance_options_and_path():
    assert text.edit_distance("form", "from", substitution_cost=2) == 2  # insert and delete beat 2 substitutions
    assert text.edit_distance("cat", "cut", substitution_cost=2) == 2
    path = text.edit_path("tasty", "toasted")
    assert path[0] == (0, 0, "start") and path[-1][:2] == (5, 7)
    assert sum(step != "keep" for _, _, step in path[1:]) == 3
    with pytest.raises(ValueError, match="more than 1 edits apart"):
        text.edit_distance_by_search("abc", "xyz", max_distance=1)
    with pytest.raises(ValueError, match="substitution_cost"):
        text.edit_table("a", "b", substitution_cost=-1)
    with pytest.raises(TypeError, match="b must be a str"):
        text.edit_distance("a", 3)


def test_draw_edit_table_returns_the_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert text.draw_edit_table(ax, "tasty", "toasted") is ax
    assert "3" in ax.get_title()
    plt.close(fig)


def test_nearest_documents():
    index = text.build_index(REVIEWS, min_df=1)
    best = text.nearest(index, "strong coffee", "cosine (TF-IDF)", k=2)
    assert best[0][0] == 3 and best[0][1] > best[1][1]
    # on unit vectors Euclidean ranks as cosine does
    assert [d for d, _ in text.nearest(index, "strong coffee", "Euclidean (TF-IDF)", k=6)] == \
        [d for d, _ in text.nearest(index, "strong coffee", "cosine (TF-IDF)", k=6)]
    assert text.nearest(index, "weak tea", "Euclidean (counts)", k=1)[0] == (5, 0.0)
    assert text.nearest(index, "weak tea", "Jaccard (word sets)", k=1)[0] == (5, 1.0)
    assert text.nearest(index, "weak tea", "Manhattan (counts)", k=1)[0][0] == 5
    with pytest.raises(ValueError, match="unknown metric"):
        text.nearest(index, "tea", "hamming")
    with pytest.raises(ValueError, match="k must be"):
        text.nearest(index, "tea", k=0)
    with pytest.raises(ValueError, match="at least one document"):
        text.build_index([])


def test_nearest_explorer_redraws_on_query_and_metric():
    index = text.build_index(REVIEWS, min_df=1)
    explorer = text.nearest_explorer(index, "strong coffee", ["weak tea"], labels=[1, 0, 1, 1, 0, 0], k=3)
    first, picture = explorer.status.value, explorer.view.value
    assert "#3" in first
    explorer.set(metric="Euclidean (counts)")
    assert explorer.status.value != first and explorer.view.value != picture
    explorer.set(query="zebra")
    assert "none of the words" in explorer.status.value
    with pytest.raises(ValueError, match="labels"):
        text.nearest_explorer(index, "tea", labels=[1, 0])


def test_fast_scores_equal_the_direct_formulas():
    from utils import datasets

    (texts, _), _ = datasets.load_reviews()
    index = text.build_index(list(texts[:300]), min_df=2)
    for query in ["strong dark roast coffee coffee", "the the and i", "my dog loves these treats"]:
        q = text.query_vectors(index, query)
        direct = {"cosine (TF-IDF)": text.cosine_similarity(q["weights"], index.weights),
                  "Jaccard (word sets)": text.jaccard_rows(q["present"], index.present),
                  "Euclidean (TF-IDF)": text.euclidean(q["weights"], index.weights),
                  "Euclidean (counts)": text.euclidean(q["counts"], index.counts),
                  "Manhattan (counts)": text.manhattan(q["counts"], index.counts)}
        for metric, expected in direct.items():
            np.testing.assert_allclose(text.scores(index, query, metric), expected, rtol=0, atol=1e-9,
                                       err_msg=f"{metric} for {query!r}")


def test_idf_curve_matches_the_count_based_weights():
    counts = np.array([[1, 0, 2, 1], [0, 1, 1, 1], [3, 0, 1, 1]])
    df = (counts > 0).sum(axis=0)
    np.testing.assert_allclose(text.idf_curve(df, 3, "smooth"), text.idf_weights(counts))
    np.testing.assert_allclose(text.idf_curve(df, 3, "plain"), text.idf_weights(counts, smooth=False))
    np.testing.assert_allclose(text.idf_curve(df, 3, "keras"), text.keras_idf_weights(counts))
    with pytest.raises(ValueError, match="convention"):
        text.idf_curve(df, 3, "bm25")
    with pytest.raises(ValueError, match="0 <= df <= n"):
        text.idf_curve([5], 3)
