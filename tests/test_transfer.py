"""Transfer-learning helpers of notebook 24: splits, few labels per class, freezing, the NumPy head, the explorer."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.vision import transfer  # noqa: E402


def test_relabel_uses_positions_in_the_given_order():
    assert transfer.relabel(np.array([5, 9, 7, 5]), [5, 6, 7, 8, 9]).tolist() == [0, 4, 2, 0]
    assert transfer.relabel(np.array([7, 2, 9]), [9, 2, 7]).tolist() == [2, 1, 0]


@pytest.mark.parametrize("labels, classes, match", [
    (np.array([1, 2]), [1], "not among the classes"),
    (np.array([1, 2]), [], "at least one class"),
    (np.array([1, 1]), [1, 1], "must not repeat"),
    (np.array([1.0, 2.0]), [1, 2], "integers"),
    (np.zeros((2, 2), dtype=int), [0], "1-D"),
])
def test_relabel_bad_inputs(labels, classes, match):
    with pytest.raises(ValueError, match=match):
        transfer.relabel(labels, classes)


def test_class_subset_keeps_and_renumbers():
    images = np.arange(6)[:, None, None] * np.ones((6, 2, 2), dtype=np.uint8)
    labels = np.array([0, 5, 6, 5, 1, 6])
    kept, relabelled = transfer.class_subset(images, labels, [6, 5])
    assert kept[:, 0, 0].tolist() == [1, 2, 3, 5] and relabelled.tolist() == [1, 0, 1, 0]
    with pytest.raises(ValueError, match="do not occur"):
        transfer.class_subset(images, labels, [5, 7])
    with pytest.raises(ValueError, match="images but"):
        transfer.class_subset(images[:3], labels, [5])


def test_pick_per_class_balanced_seeded_no_repeats():
    labels = np.random.default_rng(0).permutation(np.repeat(np.arange(4), 25))
    picked = transfer.pick_per_class(labels, 6, seed=3)
    assert len(picked) == 24 and len(set(picked.tolist())) == 24
    assert np.bincount(labels[picked]).tolist() == [6, 6, 6, 6]
    assert np.all(np.diff(picked) > 0)
    assert np.array_equal(picked, transfer.pick_per_class(labels, 6, seed=3))
    assert not np.array_equal(picked, transfer.pick_per_class(labels, 6, seed=4))


@pytest.mark.parametrize("k, match", [(0, "positive"), (-1, "positive"), (2.0, "positive"), (True, "positive"),
                                      (26, "only 25 examples")])
def test_pick_per_class_bad_k(k, match):
    with pytest.raises(ValueError, match=match):
        transfer.pick_per_class(np.repeat(np.arange(4), 25), k)


def test_step_order_covers_permutations():
    order = transfer.step_order(10, steps=5, batch_size=4, seed=1)
    assert len(order) == 20
    assert sorted(order[:10].tolist()) == list(range(10))
    with pytest.raises(ValueError, match="steps"):
        transfer.step_order(10, 0, 4)


def test_softmax_head_fit_learns_and_checks():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(60, 4))
    labels = np.argmax(features[:, :3], axis=1)
    weights, bias = transfer.softmax_head_fit(features, labels, 3, steps=300)
    assert weights.shape == (4, 3) and bias.shape == (3,)
    assert np.mean(np.argmax(features @ weights + bias, axis=1) == labels) > 0.9
    with pytest.raises(ValueError, match="features must be"):
        transfer.softmax_head_fit(features[:5], labels, 3)
    with pytest.raises(ValueError, match="labels must lie"):
        transfer.softmax_head_fit(features, labels + 1, 3)


def test_batchnorm_inference_matches_keras():
    import keras

    layer = keras.layers.BatchNormalization()
    x = np.random.default_rng(1).normal(2.0, 3.0, size=(8, 5)).astype("float32")
    layer(x, training=True)  # builds it and moves its statistics once
    gamma, beta, mean, variance = [w.numpy() for w in layer.weights]
    ours = transfer.batchnorm_inference(x, gamma, beta, mean, variance, layer.epsilon)
    assert np.allclose(ours, layer(x, training=False).numpy(), atol=1e-5)


def test_freezing_counts_and_bad_names():
    base = transfer.build_base()
    model = transfer.build_classifier(base, 5)
    assert transfer.trainable_counts(model) == (4848 - 32 + 4005, 32)
    assert transfer.set_trainable(model, ["head"]) == ["head"]
    assert transfer.trainable_counts(model) == (4005, 4848)
    assert transfer.set_trainable(model, ["conv2", "head"]) == ["conv2", "head"]
    assert transfer.trainable_counts(model) == (4640 + 4005, 4848 - 4640)
    assert not base.get_layer("bn1").trainable
    with pytest.raises(ValueError, match="no layers named"):
        transfer.set_trainable(model, ["conv9"])
    with pytest.raises(ValueError, match="classes"):
        transfer.build_classifier(base, 1)


def test_restart_gives_the_same_training_twice():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
    start = model.get_weights()
    x = np.random.default_rng(0).normal(size=(20, 3)).astype("float32")
    y = (x[:, 0] > 0).astype(int)
    transfer.fit_steps(model, x, y, steps=10, batch_size=5)
    first = model.get_weights()
    transfer.restart(model, start)
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.05)
    transfer.fit_steps(model, x, y, steps=10, batch_size=5)
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(first, model.get_weights()))
    assert not np.allclose(first[0], start[0])
    assert transfer.predict_classes(model, x, batch_size=7).shape == (20,)


def test_learning_curve_plot_and_bad_shapes():
    fig, ax = plt.subplots()
    transfer.plot_learning_curve(ax, [5, 10], {"a": [[0.5, 0.6], [0.55, 0.65]], "b": [0.4, 0.5]}, total=100)
    assert len(ax.lines) == 2 and "100" in ax.get_ylabel()
    with pytest.raises(ValueError, match="accuracies per seed"):
        transfer.plot_learning_curve(ax, [5, 10, 20], {"a": [0.5, 0.6]})
    plt.close(fig)


def _explorer_inputs():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(30, 28, 28)).astype(np.uint8)
    labels = rng.integers(0, 5, size=30)
    predictions = {(mode, k): np.where(rng.random(30) < 0.3, (labels + 1) % 5, labels)
                   for mode in ("frozen", "scratch") for k in (5, 20)}
    return images, labels, predictions


def test_explorer_shows_accuracy_and_mistakes():
    images, labels, predictions = _explorer_inputs()
    names = list("ABCDE")
    explorer = transfer.transfer_explorer(images, labels, names, [5, 20], predictions, k=20, mode="scratch")
    wrong = int(np.sum(predictions["scratch", 20] != labels))
    assert f"{wrong} of 30 wrong" in explorer.status.value
    explorer.set(k=5, mode="frozen")
    accuracy = np.mean(predictions["frozen", 5] == labels)
    assert f"{accuracy:.3f}" in explorer.status.value


@pytest.mark.parametrize("kwargs, match", [({"k": 7}, "k must be one of"), ({"mode": "other"}, "mode one of"),
                                           ({"ks": [5, 10]}, "every mode and every k")])
def test_explorer_bad_inputs(kwargs, match):
    images, labels, predictions = _explorer_inputs()
    args = {"ks": [5, 20], **kwargs}
    ks = args.pop("ks")
    with pytest.raises(ValueError, match=match):
        transfer.transfer_explorer(images, labels, list("ABCDE"), ks, predictions, **args)
