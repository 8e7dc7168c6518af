"""utils.training.keras_io: the two-input churn data, the text layer graph, saved files, smoothing, explorer."""

import numpy as np
import pandas as pd
import pytest

from utils.training import keras_io


def test_churn_two_inputs_shapes_and_ranges():
    data = keras_io.churn_two_inputs()
    assert data["customer"].shape == (7043, 9) and data["services"].shape == (7043, 10)
    assert all(v.dtype == np.float32 for v in data.values())
    assert data["customer"].min() >= 0 and data["customer"].max() <= 1
    np.testing.assert_array_equal(data["customer"][:, 6:].sum(axis=1), 1)  # one contract each
    assert set(np.unique(data["churn"])) == {0.0, 1.0} and 0.1 < data["charges"].min() < data["charges"].max() < 1.3
    with pytest.raises(ValueError, match="lacks the churn column"):
        keras_io.churn_two_inputs(pd.DataFrame({"churn": [0]}))


def test_layer_graph_of_sequential_and_functional():
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="hidden"),
                              keras.layers.Dense(1, name="out")])
    assert keras_io.layer_graph(model) == ["hidden (Dense, output (None, 3)) <- input",
                                           "out (Dense, output (None, 1)) <- hidden"]
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    joined = keras.layers.Concatenate(name="both")([a, b])
    two = keras.Model([a, b], [keras.layers.Dense(1, name="y1")(joined), keras.layers.Dense(2, name="y2")(joined)])
    lines = keras_io.layer_graph(two)
    assert "both (Concatenate, output (None, 5)) <- a, b" in lines and "y2 (Dense, output (None, 2)) <- both" in lines
    with pytest.raises(ValueError, match="Keras model"):
        keras_io.layer_graph(object())


def test_draw_model_falls_back_to_text(monkeypatch, capsys, tmp_path):
    import keras

    monkeypatch.setattr(keras_io, "can_plot_models", lambda: False)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="hidden")])
    assert keras_io.draw_model(model, tmp_path / "m.png") is None
    assert "hidden (Dense" in capsys.readouterr().out


def test_saved_files_h5_arrays_and_sizes(tmp_path):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    arrays = keras_io.h5_arrays(path)
    kernels = [v for k, v in sorted(arrays.items()) if k.endswith("vars/0")]
    np.testing.assert_array_equal(kernels[0], model.get_weights()[0])
    assert keras_io.size_on_disk(path) == path.stat().st_size and keras_io.size_on_disk(tmp_path) >= path.stat().st_size
    with pytest.raises(ValueError, match="not a file"):
        keras_io.h5_arrays(tmp_path / "missing.h5")
    with pytest.raises(ValueError, match="does not exist"):
        keras_io.size_on_disk(tmp_path / "missing")


def test_references_of_the_exercises():
    assert keras_io.dense_parameter_count([784, 128, 10]) == 784 * 128 + 128 + 1290
    assert keras_io.weighted_total_loss([0.5, 2.0], [1.0, 0.2]) == pytest.approx(0.9)
    assert keras_io.max_abs_difference([1.0, 2.0], [1.5, 0.5]) == 1.5
    assert keras_io.max_abs_difference(np.zeros((2, 0)), np.zeros((2, 0))) == 0.0
    for call, match in [(lambda: keras_io.dense_parameter_count([3]), "layer_sizes"),
                        (lambda: keras_io.weighted_total_loss([1.0], [1.0, 2.0]), "one weight"),
                        (lambda: keras_io.max_abs_difference([1.0], [1.0, 2.0]), "same shape")]:
        with pytest.raises(ValueError, match=match):
            call()


def test_smooth_is_tensorboards_debiased_average():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(keras_io.smooth(values, 0.0), values)
    np.testing.assert_allclose(keras_io.smooth(values, 0.5), [1.0, 5 / 3, 17 / 7, 49 / 15])
    assert keras_io.smooth([5.0, 5.0, 5.0], 0.9) == pytest.approx([5.0, 5.0, 5.0])  # no bias toward 0
    with pytest.raises(ValueError, match="weight"):
        keras_io.smooth(values, 1.0)


def test_smoothing_explorer_redraws():
    scalars = pd.DataFrame({"run": ["train"] * 5 + ["validation"] * 2, "tag": ["batch_loss"] * 5 + ["epoch_loss"] * 2,
                            "step": [0, 1, 2, 3, 4, 0, 1], "value": [1.0, 0.8, 0.9, 0.5, 0.6, 0.9, 0.7]})
    explorer = keras_io.smoothing_explorer(scalars)
    first = explorer.view.value
    explorer.set(weight=0.9)
    assert explorer.view.value != first and "5 points" in explorer.status.value
    explorer.set(series_name="validation/epoch_loss")
    assert "2 points" in explorer.status.value
    with pytest.raises(ValueError, match="no series"):
        keras_io.smoothing_explorer(scalars, tag="missing")
