"""The sentiment helpers of notebook 35: cleaning, duplicates, padding, bags of words, contributions, explorer."""

import numpy as np
import pytest

from utils.sequences import sentiment


def test_clean_review_turns_line_breaks_into_spaces():
    assert sentiment.clean_review("Great.<br /><br />Buy it.  Now<br>") == "Great. Buy it. Now"
    with pytest.raises(TypeError, match="str"):
        sentiment.clean_review(3)


def test_clean_reviews_returns_an_object_array():
    cleaned = sentiment.clean_reviews(["a<br />b", "c"])
    assert cleaned.dtype == object and list(cleaned) == ["a b", "c"]
    with pytest.raises(TypeError, match="not one string"):
        sentiment.clean_reviews("one review")


def test_duplicates_are_counted_and_found():
    train = ["a", "b", "a", "c", "a", "b"]
    report = sentiment.duplicate_report(train, ["b", "x", "c", "y"])
    assert report["train_extra_copies"] == 3 and report["train_repeated_texts"] == 2
    assert report["test_in_train"].tolist() == [True, False, True, False]
    assert report["test_in_train_count"] == 2
    assert sentiment.first_occurrences(train).tolist() == [0, 1, 3]


def test_the_bundled_reviews_repeat_as_the_notebook_says():
    from utils import datasets

    (texts_train, _), (texts_test, _) = datasets.load_reviews()
    report = sentiment.duplicate_report(texts_train, texts_test)
    assert report["train_extra_copies"] == 20 and report["test_in_train_count"] == 7


def test_pad_or_truncate_matches_keras_text_vectorization():
    import keras

    texts = ["good good tea", "bad", "the tea was really very good and cheap too"]
    vectorize = keras.layers.TextVectorization(output_sequence_length=5)
    vectorize.adapt(texts)
    full = keras.layers.TextVectorization(vocabulary=vectorize.get_vocabulary()[2:])
    reviews = [np.asarray(full([text]))[0] for text in texts]
    reviews = [ids[ids != 0] for ids in reviews]
    assert np.array_equal(sentiment.pad_or_truncate(reviews, 5), np.asarray(vectorize(texts)))


def test_pad_or_truncate_rejects_bad_input():
    with pytest.raises(ValueError, match="length"):
        sentiment.pad_or_truncate([[1, 2]], 0)
    with pytest.raises(ValueError, match="integer token ids"):
        sentiment.pad_or_truncate([[1.5, 2]], 3)
    with pytest.raises(ValueError, match="list of reviews"):
        sentiment.pad_or_truncate(np.array([1, 2, 3]), 3)


def test_bag_of_words_matches_keras_category_encoding():
    import keras

    batch = np.array([[4, 2, 4, 1, 0, 0], [3, 3, 3, 5, 1, 0]])
    ours = sentiment.bag_of_words(batch, 6)
    theirs = np.array(keras.layers.CategoryEncoding(num_tokens=6, output_mode="count")(batch))
    theirs[:, 0] = 0
    assert np.array_equal(ours, theirs)
    assert ours[0].tolist() == [0, 1, 1, 0, 2, 0]


def test_bag_of_words_rejects_ids_outside_the_vocabulary():
    with pytest.raises(ValueError, match="outside a vocabulary of 4"):
        sentiment.bag_of_words(np.array([[1, 5]]), 4)
    with pytest.raises(ValueError, match="2 axis"):
        sentiment.bag_of_words(np.array([1, 2]), 4)


def test_accuracy_vs_majority_uses_the_training_majority_on_test():
    accuracy, majority = sentiment.accuracy_vs_majority([0, 0, 1], [1, 1, 0, 1], [0.9, 0.4, 0.2, 0.6])
    assert accuracy == pytest.approx(0.75) and majority == pytest.approx(0.25)
    with pytest.raises(ValueError, match="0/1"):
        sentiment.accuracy_vs_majority([0, 2], [1], [0.5])
    with pytest.raises(ValueError, match="finite"):
        sentiment.accuracy_vs_majority([0, 1], [1, 0], [np.nan, 0.2])


def test_word_contributions_leave_each_word_out():
    weights = {2: 0.5, 3: -0.25, 4: 0.1}

    def predict(batch):
        return np.array([sum(weights.get(int(i), 0.0) for i in row) for row in batch]) + 0.2

    probability, contributions = sentiment.word_contributions(predict, np.array([2, 3, 4, 0, 0]))
    assert probability == pytest.approx(0.55)
    assert np.allclose(contributions, [0.5, -0.25, 0.1])
    with pytest.raises(ValueError, match="no real word"):
        sentiment.word_contributions(predict, np.array([0, 0]))
    with pytest.raises(ValueError, match="one probability per review"):
        sentiment.word_contributions(lambda batch: np.zeros(2), np.array([2, 3, 4]))


def test_explain_marks_unknown_words():
    vocabulary = ["", "[UNK]", "good", "tea"]

    def vectorize(texts):
        return np.array([[vocabulary.index(w) if w in vocabulary else 1 for w in texts[0].split()] + [0]])

    explanation = sentiment.explain("good zebra tea", vectorize, vocabulary,
                                    lambda batch: np.full(len(batch), 0.7))
    assert explanation.words == ("good", "[?]", "tea") and explanation.known == (True, False, True)
    assert explanation.probability == pytest.approx(0.7)
    with pytest.raises(ValueError, match="no words"):
        sentiment.explain("", lambda texts: np.zeros((1, 3), dtype=int), vocabulary, lambda b: b[:, 0])


def test_review_explorer_precomputes_examples_and_explains_typed_text():
    calls = []
    stand_in = sentiment.stand_in_explainer(seed=1)

    def explain_review(text):
        calls.append(text)
        return stand_in(text)

    explorer = sentiment.review_explorer(explain_review, ["great tea", "awful coffee"])
    assert calls == ["great tea", "awful coffee"]  # both explained once, at build time
    assert "P(great)" in explorer.status.value
    explorer.set(review="awful coffee")
    assert calls == ["great tea", "awful coffee"]
    explorer.set(review="a typed review")
    assert calls[-1] == "a typed review" and "P(great)" in explorer.status.value
    explorer.set(review="   ")
    assert "type a few words" in explorer.status.value


def test_stand_in_explainer_is_seeded():
    one, two = sentiment.stand_in_explainer(3), sentiment.stand_in_explainer(3)
    assert one("lovely tea").probability == two("lovely tea").probability


def test_results_table_lines_up_columns():
    table = sentiment.results_table({"majority": {"accuracy": 0.65}, "LSTM": {"accuracy": 0.8, "loss": 0.4}})
    lines = table.splitlines()
    assert len(lines) == 3 and "0.650" in lines[1] and "0.400" in lines[2]
    with pytest.raises(ValueError):
        sentiment.results_table({})


def test_id_sentences_drop_padding():
    assert sentiment.id_sentences(np.array([[5, 2, 0, 0], [0, 0, 0, 0], [3, 1, 4, 9]])) == [
        ["w5", "w2"], [], ["w3", "w1", "w4", "w9"]]


def test_skipgram_embedding_is_reproducible_and_unit_length():
    rng = np.random.default_rng(0)
    batch = rng.integers(2, 10, size=(60, 12))  # ids 2-9 only: 10-19 never occur
    batch[:, 8:] = 0  # padding at the end
    matrix, covered = sentiment.skipgram_embedding(batch, 20, dim=8, epochs=2, seed=3)
    again, _ = sentiment.skipgram_embedding(batch, 20, dim=8, epochs=2, seed=3)
    assert matrix.shape == (20, 8) and matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix, again)
    assert np.all(matrix[0] == 0)
    used = np.unique(batch[batch != 0])
    np.testing.assert_allclose(np.linalg.norm(matrix[used], axis=1), 1.0, rtol=1e-5)
    assert np.all(np.linalg.norm(matrix[10:], axis=1) < 0.5)  # never seen: small random rows
    assert covered == pytest.approx(len(used) / 19)


@pytest.mark.parametrize("kwargs, message", [
    ({"vocabulary_size": 5}, "outside a vocabulary of 5"),
    ({"dim": 0}, "dim must be an integer >= 1"),
    ({"epochs": 1.5}, "epochs must be an integer"),
])
def test_skipgram_embedding_rejects_bad_arguments(kwargs, message):
    arguments = {"batch": np.array([[2, 7, 3, 0]]), "vocabulary_size": 10, **kwargs}
    with pytest.raises(ValueError, match=message):
        sentiment.skipgram_embedding(**arguments)
    with pytest.raises(ValueError, match="only padding"):
        sentiment.skipgram_embedding(np.zeros((2, 3), dtype=int), 10)
