"""utils.training.digits: flattening, the NumPy forward pass against Keras, confusion counts, the explorer."""

import numpy as np
import pytest

from utils.training import digits


def test_flatten_and_scale_rows_and_range():
    images = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 14
    flat = digits.flatten_and_scale(images)
    assert flat.shape == (2, 9) and flat.dtype == np.float32
    assert flat[1, 0] == pytest.approx(images[1, 0, 0] / 255) and flat[0, 5] == pytest.approx(images[0, 1, 2] / 255)


@pytest.mark.parametrize("bad", [np.zeros((3, 4)), np.zeros((0, 2, 2)), np.array([[["a"]]])])
def test_flatten_and_scale_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="images"):
        digits.flatten_and_scale(bad)


def test_softmax_is_stable_and_sums_to_one():
    probabilities = digits.softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    np.testing.assert_allclose(probabilities, [[0.5, 0.5], [0.25, 0.75]])
    with pytest.raises(ValueError, match="z"):
        digits.softmax(np.zeros(3))


def test_forward_probabilities_equals_keras():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(4, activation="softmax")])
    x = np.random.default_rng(0).normal(size=(7, 6)).astype("float32")
    ours = digits.forward_probabilities(x, *model.get_weights())
    np.testing.assert_allclose(ours, model.predict(x, verbose=0), atol=1e-6)
    with pytest.raises(ValueError, match="chain"):
        digits.forward_probabilities(x, np.zeros((5, 5)), np.zeros(5), np.zeros((5, 4)), np.zeros(4))


def test_confusion_counts_matches_scikit_learn():
    from sklearn.metrics import confusion_matrix

    rng = np.random.default_rng(1)
    y_true, y_pred = rng.integers(0, 10, 200), rng.integers(0, 10, 200)
    matrix = digits.confusion_counts(y_true, y_pred)
    np.testing.assert_array_equal(matrix, confusion_matrix(y_true, y_pred, labels=range(10)))
    assert matrix.dtype.kind == "i" and matrix.sum() == 200


@pytest.mark.parametrize("y_true, y_pred, n, match", [
    ([0, 1], [0], 10, "labels but"), ([0.0, 1.0], [0, 1], 10, "integer labels"),
    ([0, 12], [0, 1], 10, "integer labels"), ([0, 1], [0, 1], 1, "n_classes"),
])
def test_confusion_counts_rejects_bad_input(y_true, y_pred, n, match):
    with pytest.raises(ValueError, match=match):
        digits.confusion_counts(np.asarray(y_true), np.asarray(y_pred), n)


def test_most_confused_and_cell_examples():
    y_true = np.array([4, 4, 4, 9, 7, 7, 1])
    y_pred = np.array([9, 9, 4, 4, 1, 7, 1])
    matrix = digits.confusion_counts(y_true, y_pred)
    assert digits.most_confused(matrix, 2) == [(4, 9, 2), (7, 1, 1)]
    np.testing.assert_array_equal(digits.cell_examples(y_true, y_pred, 4, 9), [0, 1])
    assert digits.cell_examples(y_true, y_pred, 4, 9, limit=1).tolist() == [0]
    with pytest.raises(ValueError, match="square"):
        digits.most_confused(np.zeros((2, 3)))


def test_compare_classifiers_table():
    from sklearn.dummy import DummyClassifier

    ticks = iter([0.0, 1.5])
    x, y = np.zeros((6, 2)), np.array([1, 1, 1, 1, 0, 0])
    table = digits.compare_classifiers({"majority": DummyClassifier()}, x, y, x, y, clock=lambda: next(ticks))
    assert table.loc["majority", "test accuracy"] == pytest.approx(4 / 6)
    assert table.loc["majority", "training seconds"] == pytest.approx(1.5)
    with pytest.raises(ValueError, match="fit and predict"):
        digits.compare_classifiers({"bad": object()}, x, y, x, y)


def test_confusion_explorer_redraws_the_chosen_cell():
    rng = np.random.default_rng(2)
    images = rng.integers(0, 255, (30, 8, 8)).astype(np.uint8)
    y_true, y_pred = rng.integers(0, 10, 30), rng.integers(0, 10, 30)
    explorer = digits.confusion_explorer(images, y_true, y_pred, true=int(y_true[0]), predicted=int(y_pred[0]))
    first = explorer.view.value
    count = int(digits.confusion_counts(y_true, y_pred)[y_true[0], y_pred[0]])
    assert f"{count} test digits" in explorer.status.value
    other = (int(y_true[1]), int(y_pred[1]))
    explorer.set(true=other[0], predicted=other[1])
    assert explorer.view.value != first and f"true {other[0]}, predicted {other[1]}" in explorer.status.value
    with pytest.raises(ValueError, match="digit 0-9"):
        digits.confusion_explorer(images, y_true, y_pred, true=10)
    with pytest.raises(ValueError, match="y_prob"):
        digits.confusion_explorer(images, y_true, y_pred, y_prob=np.zeros((30, 3)))
