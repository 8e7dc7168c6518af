"""utils.training.losses: the NumPy losses give the textbook numbers, reject bad input, and the explorer reacts."""

import numpy as np
import pytest

from utils.training import losses


def test_regression_losses_by_hand():
    y, p = np.array([3.0, -0.5, 2.0, 7.0]), np.array([2.5, 0.0, 2.0, 8.0])
    assert losses.mean_absolute_error(y, p) == pytest.approx(0.5)
    assert losses.mean_squared_error(y, p) == pytest.approx(0.375)
    np.testing.assert_allclose(losses.mean_squared_error(y, p, per_sample=True), [0.25, 0.25, 0.0, 1.0])
    np.testing.assert_allclose(losses.mean_absolute_error(y, p, per_sample=True), [0.5, 0.5, 0.0, 1.0])


def test_two_dimensional_targets_average_over_outputs_first():
    y = np.array([[1.0, 2.0], [3.0, 4.0]])
    p = np.array([[1.0, 4.0], [3.0, 3.0]])
    np.testing.assert_allclose(losses.mean_squared_error(y, p, per_sample=True), [2.0, 0.5])
    assert losses.mean_squared_error(y, p) == pytest.approx(1.25)


def test_binary_cross_entropy_by_hand_and_clipped():
    y, p = np.array([1.0, 0.0]), np.array([0.8, 0.4])
    expected = -(np.log(0.8) + np.log(0.6)) / 2
    assert losses.binary_cross_entropy(y, p) == pytest.approx(expected)
    extreme = losses.binary_cross_entropy([1.0, 0.0, 1.0], [0.0, 1.0, 1.0], per_sample=True)
    assert np.all(np.isfinite(extreme))
    assert extreme[0] == pytest.approx(-np.log(losses.EPSILON))
    assert extreme[2] == pytest.approx(-np.log(1 - losses.EPSILON))


def test_categorical_and_sparse_agree():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
    labels = np.array([0, 1, 0])
    expected = -np.mean(np.log([0.7, 0.8, 0.3]))
    assert losses.categorical_cross_entropy(losses.one_hot(labels, 3), p) == pytest.approx(expected)
    assert losses.sparse_categorical_cross_entropy(labels, p) == pytest.approx(expected)
    np.testing.assert_allclose(losses.sparse_categorical_cross_entropy(labels, p, per_sample=True),
                               -np.log([0.7, 0.8, 0.3]))
    assert np.isfinite(losses.sparse_categorical_cross_entropy(np.array([2]), np.array([[0.5, 0.5, 0.0]])))


def test_one_hot():
    np.testing.assert_array_equal(losses.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: losses.mean_squared_error([1.0, 2.0], [1.0]), "shape"),
        (lambda: losses.mean_absolute_error([1.0, np.nan], [1.0, 2.0]), "y_true contains NaN"),
        (lambda: losses.mean_absolute_error([], []), "empty"),
        (lambda: losses.mean_absolute_error(["a"], [1.0]), "y_true must be numbers"),
        (lambda: losses.binary_cross_entropy([1.0], [1.5]), "y_prob must hold probabilities"),
        (lambda: losses.categorical_cross_entropy([0, 1], [[0.5, 0.5]]), "one-hot"),
        (lambda: losses.categorical_cross_entropy([[0, 1]], [0.5, 0.5]), "(samples, classes)"),
        (lambda: losses.sparse_categorical_cross_entropy(np.array([0.0]), [[0.5, 0.5]]), "integers"),
        (lambda: losses.sparse_categorical_cross_entropy(np.array([3]), [[0.5, 0.5]]), "0..1"),
        (lambda: losses.sparse_categorical_cross_entropy(np.array([0, 1]), [[0.5, 0.5]]), "rows"),
        (lambda: losses.one_hot(np.array([0, 5]), 3), "0..2"),
        (lambda: losses.one_hot(np.array([0, 1]), 1), "classes"),
        (lambda: losses.single_prediction_losses(2, 0.5), "label"),
        (lambda: losses.single_prediction_losses(1, 1.5), "prediction"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_single_prediction_losses():
    values = losses.single_prediction_losses(1, 0.25)
    assert values["MAE"] == pytest.approx(0.75)
    assert values["MSE"] == pytest.approx(0.5625)
    assert values["binary cross-entropy"] == pytest.approx(-np.log(0.25))


def test_loss_explorer_reacts_to_its_controls():
    explorer = losses.loss_explorer(label=1, prediction=0.3)
    status, image = explorer.status.value, explorer.view.value
    assert "MAE 0.700" in status
    explorer.set(prediction=0.9)
    assert "MAE 0.100" in explorer.status.value and explorer.view.value != image
    explorer.controls["label"].value = 0
    assert "y = 0" in explorer.status.value and "MAE 0.900" in explorer.status.value
    assert "Interactive explorer" in explorer.snapshot_html()
