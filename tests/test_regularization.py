"""utils.training.regularization: inverted dropout, L2, early stopping vs Keras; many nets at once."""

import numpy as np
import pytest

from utils.training import regularization as reg


def test_inverted_dropout_keeps_the_expectation():
    rng = np.random.default_rng(0)
    out, keep = reg.inverted_dropout(np.full((400, 500), 2.0), 0.25, rng)
    assert keep.dtype == bool and out.shape == keep.shape
    assert abs(1 - keep.mean() - 0.25) < 0.005
    assert np.allclose(np.unique(out), [0.0, 2.0 / 0.75])
    assert abs(out.mean() - 2.0) < 0.02


def test_inverted_dropout_matches_keras_rule():
    import keras

    ones = np.ones((300, 300), dtype="float32")
    theirs = keras.layers.Dropout(0.4, seed=1)(ones, training=True).numpy()
    ours, _ = reg.inverted_dropout(ones, 0.4, np.random.default_rng(1))
    assert np.allclose(np.unique(theirs[theirs > 0]), np.unique(ours[ours > 0]), rtol=1e-6)
    assert abs(np.mean(theirs == 0) - np.mean(ours == 0)) < 0.01


@pytest.mark.parametrize("rate", [-0.1, 1.0, "0.5", float("nan")])
def test_inverted_dropout_rejects_bad_rates(rate):
    with pytest.raises(ValueError, match="rate"):
        reg.inverted_dropout(np.ones(3), rate, np.random.default_rng(0))


def test_inverted_dropout_rejects_bad_input():
    with pytest.raises(ValueError, match="rng"):
        reg.inverted_dropout(np.ones(3), 0.5, 0)
    with pytest.raises(ValueError, match="NaN"):
        reg.inverted_dropout(np.array([1.0, np.nan]), 0.5, np.random.default_rng(0))


def test_l2_penalty_equals_keras_model_losses():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((5,)),
                              keras.layers.Dense(4, kernel_regularizer=keras.regularizers.L2(0.01)),
                              keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L2(0.01))])
    kernels = [layer.kernel.numpy() for layer in model.layers]
    assert reg.l2_penalty(kernels, 0.01) == pytest.approx(float(sum(model.losses)), rel=1e-5)
    assert reg.l2_penalty(np.array([3.0, 4.0]), 0.5) == pytest.approx(12.5)
    with pytest.raises(ValueError, match="strength"):
        reg.l2_penalty([np.ones(2)], -1.0)


@pytest.mark.parametrize("losses, patience, expected", [
    ([1.0, 0.8, 0.9, 0.8, 0.85, 0.95, 0.7], 3, (4, 1)),
    ([1.0, 0.9, 0.8], 1, (2, 2)),
    ([1.0, 1.1, 1.2, 0.5], 2, (2, 0)),
    ([0.5], 3, (0, 0)),
])
def test_early_stopping_rule(losses, patience, expected):
    assert reg.early_stopping(losses, patience) == expected


def test_early_stopping_matches_keras_callback():
    import keras

    losses = [1.0, 0.8, 0.9, 0.8, 0.85, 0.95, 0.7, 0.6, 0.65, 0.66, 0.67, 0.68]
    callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3)

    class Stub:
        stop_training = False

    callback.set_model(Stub())
    callback.on_train_begin()
    for epoch, value in enumerate(losses):
        callback.on_epoch_end(epoch, {"val_loss": value})
        if callback.model.stop_training:
            break
    assert reg.early_stopping(losses, 3) == (callback.stopped_epoch, callback.best_epoch)


@pytest.mark.parametrize("losses, patience, match", [
    ([], 2, "at least one"), ([1.0, float("nan")], 2, "NaN"), ([1.0], 0, "patience"),
    ([1.0], 1.5, "patience"),
])
def test_early_stopping_bad_input(losses, patience, match):
    with pytest.raises(ValueError, match=match):
        reg.early_stopping(losses, patience)


def test_masks_and_hold_out():
    splits = [([0, 1, 2, 3], [4, 5]), ([2, 3, 4, 5], [0, 1])]
    train, test = reg.masks_from_splits(splits, 6)
    assert train.shape == (6, 2) and not np.any(train & test)
    assert train[:, 0].tolist() == [True] * 4 + [False] * 2
    with pytest.raises(ValueError, match="both"):
        reg.masks_from_splits([([0, 1], [1, 2])], 3)
    with pytest.raises(ValueError, match="at least one"):
        reg.masks_from_splits([], 3)
    y = np.array([0, 1] * 10)
    fit, val = reg.hold_out(np.ones((20, 3), bool), y, 0.2, seed=0)
    assert np.all(val.sum(axis=0) == 4) and np.all(y[val[:, 0]].sum() == 2)
    assert not np.any(fit & val) and np.all(fit | val)


def _toy(n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4)).astype("float32")
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, y


def test_train_many_models_learn_and_are_independent():
    X, y = _toy()
    train = np.zeros((80, 2), bool)
    train[:60] = True
    test = ~train
    curves = reg.train_many(X, y, train, {"train": train, "test": test}, hidden=(8,),
                            epochs=150, learning_rate=0.05, seed=0)
    assert curves.models == 2 and curves.loss["train"].shape == (150, 2)
    assert np.all(curves.accuracy["train"][-1] > 0.9) and np.all(curves.accuracy["test"][-1] > 0.8)
    # a model's curve does not depend on which other models train beside it
    alone = reg.train_many(X, y, train[:, :1], {"train": train[:, :1]}, hidden=(8,),
                           epochs=150, learning_rate=0.05, seed=0)
    assert np.allclose(alone.loss["train"][:, 0], curves.loss["train"][:, 0], atol=1e-5)


def test_train_many_per_model_dropout_and_l2():
    X, y = _toy()
    train = np.ones((80, 3), bool)
    curves = reg.train_many(X, y, train, {"train": train}, hidden=(8, 8), dropout=[0.0, 0.5, 0.0],
                            l2=[0.0, 0.0, 0.5], epochs=100, learning_rate=0.05, seed=0)
    final = curves.loss["train"][-1]
    assert final[0] < final[2]  # a heavy L2 penalty keeps the fit loose


@pytest.mark.parametrize("kwargs, match", [
    ({"dropout": 1.0}, "dropout"), ({"l2": -1.0}, "l2"), ({"epochs": 0}, "epochs"),
])
def test_train_many_bad_arguments(kwargs, match):
    X, y = _toy()
    with pytest.raises(ValueError, match=match):
        reg.train_many(X, y, np.ones((80, 1), bool), {}, **kwargs)


def test_train_many_bad_masks():
    X, y = _toy()
    with pytest.raises(ValueError, match="fit_mask"):
        reg.train_many(X, y, np.ones((10, 1), bool), {})
    with pytest.raises(ValueError, match="eval_masks"):
        reg.train_many(X, y, np.ones((80, 1), bool), {"test": np.ones((80, 2), bool)})


def test_mean_std():
    assert reg.mean_std([0.8, 0.9]) == "0.850 ± 0.071"
    with pytest.raises(ValueError, match="two"):
        reg.mean_std([0.5])


def test_regularization_explorer_redraws():
    X, y = _toy()
    train = np.zeros((80, 4), bool)
    train[:60] = True
    curves = reg.train_many(X, y, train, {"train": train, "test": ~train}, hidden=(4,),
                            dropout=[0.0, 0.0, 0.5, 0.5], l2=[0.0, 0.01, 0.0, 0.01], epochs=5)
    explorer = reg.regularization_explorer(curves, [0.0, 0.5], [0.0, 0.01])
    first = (explorer.view.value, explorer.status.value)
    explorer.set(dropout=0.5, l2=0.01)
    assert explorer.view.value != first[0] and "dropout 0.5" in explorer.status.value
    with pytest.raises(ValueError, match="models"):
        reg.regularization_explorer(curves, [0.0], [0.0])


def test_epoch_metrics_records_and_feeds_early_stopping():
    import keras

    X, y = _toy()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    metrics = reg.epoch_metrics(val=(X[60:], y[60:]), train=(X[:60], y[:60]))
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2)
    model.fit(X[:60], y[:60], epochs=4, verbose=0, callbacks=[metrics, stopper])
    assert len(metrics.history["val_loss"]) == 4 and len(metrics.history["train_accuracy"]) == 4
    expected = float(model.evaluate(X[60:], y[60:], verbose=0)[0])
    assert metrics.history["val_loss"][-1] == pytest.approx(expected, rel=1e-4)
    with pytest.raises(ValueError, match="pair"):
        reg.epoch_metrics(test=X)
    with pytest.raises(ValueError, match="rows"):
        reg.epoch_metrics(test=(X, y[:5]))
