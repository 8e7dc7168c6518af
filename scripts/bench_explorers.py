"""Redraw time of every explorer in the helper package, built as its notebook builds it.

Prints a table (explorer, median seconds per redraw, goal) and writes ``reports/explorers.json``.
Each explorer is built with its notebook's arguments and data, then each control is moved in turn
through a few values; one move is one redraw (figure drawn, PNG encoded, picture and text set).
The goal is judged on the CPU seconds of the redraw's thread (one core's work, steady on a busy
machine); wall-clock seconds are reported beside them.
Notebook 26 feeds its explorer a trained detector's predictions; here a seeded stand-in grid
(the true boxes, each echoed by a neighbouring cell) takes their place, so no TensorFlow is needed.

Usage: ``python scripts/bench_explorers.py [--moves N] [--only NAME ...] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import matplotlib

matplotlib.use("Agg")

import ipywidgets as ipw  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOAL_SECONDS = 0.25  # median redraw on one laptop core: the explorer feels live


# ---------------------------------------------------------------------------------------------
# Each explorer as its notebook builds it
# ---------------------------------------------------------------------------------------------

def _circles() -> tuple[np.ndarray, ...]:
    from sklearn.datasets import make_circles
    from sklearn.model_selection import train_test_split

    X, y = make_circles(n_samples=500, noise=0.1, factor=0.5, random_state=0)
    return tuple(train_test_split(X, y, test_size=0.3, random_state=0, stratify=y))


def nb01_hidden_units() -> Any:
    from utils.foundations import networks

    X_train, X_test, y_train, y_test = _circles()
    return networks.hidden_units_explorer(X_train, y_train, X_test, y_test, units=(0, 1, 2, 3, 4, 8))


def nb02_neuron() -> Any:
    from utils import datasets, widgets

    X_train, _, y_train, _ = datasets.load_split("insurance", features=["age"])
    return widgets.neuron_explorer(X_train[:, 0], y_train, w=5.0, b=0.0)


def nb03_koala() -> Any:
    from utils.foundations import networks

    return networks.koala_explorer(eyes=0.1, nose=0.05, ears=0.9, fur=0.95, limbs=0.85, head_weight=5.0)


def nb04_tangent() -> Any:
    from utils.foundations import calculus

    return calculus.tangent_explorer(function="x^2", x=2.0)


def nb04_gradient() -> Any:
    from utils.foundations import calculus

    return calculus.gradient_explorer(x=1.0, y=1.0)


def nb05_broadcast() -> Any:
    from utils.foundations import linalg_viz

    return linalg_viz.broadcast_explorer(shape_a="(3, 4)", shape_b="(4,)", operation="+ (element-wise)")


def nb07_activation() -> Any:
    from utils.training import activations

    return activations.activation_explorer("sigmoid", x=2.0)


def nb08_loss() -> Any:
    from utils.training import losses

    return losses.loss_explorer(label=1, prediction=0.3)


def nb09_learning_rate() -> Any:
    from utils import datasets
    from utils.training import descent

    X_train, _, y_train, _ = datasets.load_split("insurance")
    X_train = X_train / np.array([100.0, 1.0])
    return descent.learning_rate_explorer(X_train[:, 0], y_train.astype(float), learning_rate=5.0, epochs=300)


def nb10_minibatch() -> Any:
    from utils import datasets
    from utils.training import batching

    X_train, X_test, y_train, _ = datasets.load_split("home_prices")
    X_train_s, *_ = batching.standardize(X_train, X_test)
    return batching.minibatch_explorer(X_train_s, y_train, batch_size=16, learning_rate=0.05)


def nb11_epsilon() -> Any:
    from sklearn.datasets import make_moons

    from utils.training import backprop

    X, y = make_moons(n_samples=200, noise=0.2, random_state=0)
    params = backprop.init_params(n_inputs=2, n_hidden=4, seed=0)
    return backprop.epsilon_explorer(params, X[:16], y[:16], log10_epsilon=-6.0)


def nb12_confusion() -> Any:
    """Notebook 12's confusion-cell browser over the bundled test digits; seeded stand-in predictions."""
    from utils import datasets
    from utils.training import digits

    (_, _), (X_test, y_test) = datasets.load_images("mnist")
    rng = np.random.default_rng(12)
    y_hat = np.where(rng.random(len(y_test)) < 0.94, y_test, rng.integers(0, 10, len(y_test)))
    y_prob = rng.dirichlet(np.ones(10), size=len(y_test))
    true, predicted, _ = digits.most_confused(digits.confusion_counts(y_test, y_hat), k=1)[0]
    return digits.confusion_explorer(X_test, y_test, y_hat, y_prob, true, predicted)


def nb13_smoothing() -> Any:
    """Notebook 13's TensorBoard smoothing slider over a seeded stand-in batch-loss series."""
    import pandas as pd

    from utils.training import keras_io

    rng = np.random.default_rng(13)
    frames = []
    for run, tag, count in [("train", "batch_loss", 200), ("train", "epoch_loss", 20), ("validation", "epoch_loss", 20)]:
        steps = np.arange(count)
        values = np.exp(-steps / (count / 3)) + rng.normal(0, 0.05, count)
        frames.append(pd.DataFrame({"run": run, "tag": tag, "step": steps, "value": values}))
    scalars = pd.concat(frames, ignore_index=True)  # the runs and tags notebook 13 logs
    return keras_io.smoothing_explorer(scalars, run="train", tag="batch_loss", weight=0.6)


def nb16_regularization() -> Any:
    """Notebook 16's 4 × 4 grid of dropout rates and L2 strengths; seeded stand-in curves (no training)."""
    from utils.training import regularization

    rates, strengths = [0.0, 0.2, 0.4, 0.6], [0.0, 1e-4, 1e-3, 1e-2]
    rng = np.random.default_rng(16)
    epochs = np.arange(1, 201)[:, None]
    decay = np.exp(-epochs / rng.uniform(10, 40, size=16))
    loss = {"train": 0.7 * decay, "test": 0.4 + 0.3 * decay + rng.uniform(0, 0.004, 16) * epochs}
    accuracy = {"train": 1 - 0.5 * decay, "test": 0.8 - 0.3 * decay}
    curves = regularization.Curves(loss, accuracy)
    return regularization.regularization_explorer(curves, rates, strengths)


def nb17_grid_vs_random() -> Any:
    from utils.training import tuning

    return tuning.grid_vs_random_explorer(n_trials=9, importance=0.1)


def _stand_in_probabilities(table: str, target: str) -> tuple[Any, Any]:
    """Test labels and a seeded logistic regression's P(class 1): stands in for notebooks 18-19's network."""
    from sklearn.linear_model import LogisticRegression

    from utils import datasets
    from utils.training import imbalance

    frame = datasets.load_frame(table)
    frame = frame.fillna({"total_charges": 0.0}) if table == "churn" else frame.dropna()
    X, y, _ = imbalance.encode_table(frame.reset_index(drop=True), target)
    train, test = datasets.train_test_indices(len(y), test_size=0.25, seed=0, stratify=y)
    x_train, x_test = imbalance.standardize(X[train], X[test])
    model = LogisticRegression(max_iter=500).fit(x_train, y[train])
    return y[test], model.predict_proba(x_test)[:, 1]


def nb18_focal() -> Any:
    from utils.training import imbalance

    return imbalance.focal_explorer(*_stand_in_probabilities("churn", "churn"), gamma=2.0, alpha=0.75)


def nb19_threshold() -> Any:
    from utils.training import metrics

    y_test, p_test = _stand_in_probabilities("credit", "default")
    return metrics.threshold_explorer(y_test, p_test, threshold=0.5, cost_fp=1.0, cost_fn=5.0)


def nb20_kernel() -> Any:
    from utils.vision import convolution

    return convolution.kernel_explorer(convolution.photo("camera", size=256), preset="Sobel x")


def nb20_geometry() -> Any:
    from utils.vision import convolution

    return convolution.geometry_explorer(n=7, f=3, p=1, s=2)


def stand_in_predictions(true_boxes: Any, true_labels: Any, grid_size: int, image_size: float,
                         num_classes: int, seed: int = 0) -> np.ndarray:
    """Predicted-probability grids for tests and benchmarks: every true box, echoed by a neighbouring cell."""
    from utils.vision import boxes as bx

    rng = np.random.default_rng(seed)
    grids = bx.encode_grids(true_boxes, true_labels, grid_size, image_size, num_classes)
    empty = grids[..., 0] == 0
    grids[..., 0] = np.where(empty, rng.uniform(0, 0.2, grids.shape[:3]), rng.uniform(0.8, 0.97, grids.shape[:3]))
    grids[empty, 1:5] = rng.uniform(0.2, 0.8, (int(empty.sum()), 4)) * [1, 1, 0.4, 0.4]  # faint stray boxes
    grids[empty, 5:] = 1.0 / num_classes
    cell = image_size / grid_size
    for image, (image_boxes, image_labels) in enumerate(zip(true_boxes, true_labels)):
        for box, label in zip(np.asarray(image_boxes).reshape(-1, 4), np.ravel(image_labels)):
            x_centre, y_centre = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            row, column = int(y_centre // cell), int(x_centre // cell)
            echo = column + 1 if column + 1 < grid_size else column - 1
            if grids[image, row, echo, 0] > 0.5:
                continue  # that cell already owns an object
            grids[image, row, echo, 0] = rng.uniform(0.55, 0.75)
            grids[image, row, echo, 1] = 0.0 if echo > column else 0.999  # at the edge nearest the object
            grids[image, row, echo, 2] = y_centre / cell - row
            grids[image, row, echo, 3:5] = (box[2:] - box[:2]) / image_size
            grids[image, row, echo, 5:] = 0.05 / max(num_classes - 1, 1)
            grids[image, row, echo, 5 + int(label)] = 0.95
    return grids


def nb15_init() -> Any:
    from utils.training import initialization

    return initialization.init_explorer(gain=1.4, depth=20)


def nb26_detection() -> Any:
    from utils.vision import detection_widgets, shapes

    X_test, boxes_test, labels_test = shapes.make_shapes(300, objects=(1, 3), seed=2)
    probabilities = stand_in_predictions(boxes_test, labels_test, 8, 64, len(shapes.CLASS_NAMES))
    shown = detection_widgets.nms_sensitive_images(probabilities, boxes_test, 64)
    return detection_widgets.detection_explorer(
        X_test[shown], probabilities[shown], [boxes_test[i] for i in shown], [labels_test[i] for i in shown],
        shapes.CLASS_NAMES, confidence=0.5, nms_iou=0.5)


def _digit_stand_in(seed: int) -> Any:
    """Seeded stand-in for a trained MNIST model: softmax of a fixed random linear map of the pixels."""
    weights = np.random.default_rng(seed).normal(0.0, 0.05, size=(28 * 28, 10))

    def predict(batch: np.ndarray) -> np.ndarray:
        logits = batch.reshape(len(batch), -1) @ weights
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    return predict


def nb21_shift_rotate() -> Any:
    """Notebook 21's shift/rotate explorer over six test digits (one each of 1, 3, 4, 6, 7, 9); seeded stand-ins for the CNN and dense net."""
    from utils import datasets
    from utils.vision import cnn

    (_, _), (X_test, y_test) = datasets.load_images("mnist")
    models = {"CNN": _digit_stand_in(21), "dense net": _digit_stand_in(22)}
    shown = [int(np.flatnonzero(y_test == digit)[0]) for digit in (1, 3, 4, 6, 7, 9)]
    return cnn.shift_rotate_explorer(X_test[shown], y_test[shown], models, shift_right=2)


def nb22_augmentation() -> Any:
    """Notebook 22's augmentation-strength sliders over seven training digits (no model needed)."""
    from utils import datasets
    from utils.vision import augment

    (X_train, y_train), _ = datasets.load_images("mnist")
    return augment.augmentation_explorer(X_train[:7], y_train[:7], rotation=20.0, zoom=0.15, shift=3.0,
                                         contrast_change=0.3)


def nb23_block() -> Any:
    """Notebook 23's block explorer: formulas only, nothing trained."""
    from utils.vision import architectures

    return architectures.block_explorer(kind="residual", n=28, in_channels=64, out_channels=128, f=3, stride=2)


def nb31_gradient_norm() -> Any:
    """Notebook 31's sequence-length slider: SimpleRNN vs LSTM gradient norms through time, Keras-like initial weights."""
    from utils.sequences import gates

    X_long, _ = gates.first_symbol_task(1, length=100, seed=7)
    rnn_weights = gates.keras_like_weights("simple_rnn", X_long.shape[2], 16, seed=0)
    lstm_weights = gates.keras_like_weights("lstm", X_long.shape[2], 16, seed=0, forget_bias=5.0)
    return gates.gradient_norm_explorer(X_long[0], rnn_weights, lstm_weights, length=50)


def nb32_echo() -> Any:
    """Notebook 32's echo explorer over its sweep's 4 × 3 grid; seeded stand-in predictions (no training)."""
    from utils.sequences import echo

    ks, units = (2, 4, 6, 8), (4, 8, 32)
    x = echo.make_echo_data(500, 20, 6, 4, seed=4).x
    rng = np.random.default_rng(32)
    y_prob = {}
    for k in ks:
        target = echo.keras_targets(echo.echo_targets(x[:1], k))[0][0]
        for size in units:
            logits = rng.normal(size=(20, 4))
            logits[np.arange(20), target] += 4.0 * size / (size + k)  # surer with more units, less with k
            y_prob[k, size] = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return echo.echo_explorer(x[0], y_prob, k=6, units=32, step=12)


def nb33_tagger() -> Any:
    """Notebook 33's tagger explorer; a lookup tagger (and a copy that guesses the first word) stands in for the trained LSTMs."""
    from utils.sequences import ner

    sentences = ner.make_sentences(4000, seed=0)
    train = sentences[:3000]
    vocabulary = ner.build_vocabulary(train)
    max_length = max(len(words) for words, _ in sentences)
    lookup = ner.lookup_tagger(train)  # stand-ins for the two trained taggers: no TensorFlow needed
    rng = np.random.default_rng(33)
    flips = {word: str(rng.choice(ner.TAGS)) for word in ner.AMBIGUOUS}

    def left_to_right(words: list[str]) -> list[str]:
        tags = lookup(words)
        return [flips.get(words[0], tags[0])] + tags[1:]

    examples = ["Teddy Roosevelt was a president", "Paris Hilton visited Jordan",
                "Paris is a big city", "Apple pie is sweet", "Apple Watch sold out",
                "Apple hired engineers", "Anna visited Jordan", "Jaguar hunts at night"]
    taggers = {"left-to-right": left_to_right, "bidirectional": lookup}
    return ner.tagger_explorer(taggers, vocabulary, max_length, "Teddy bears are on sale", examples)


def nb24_transfer() -> Any:
    """Notebook 24's transfer explorer on the 1,000 target test images; seeded stand-in predictions (~10-25% wrong)."""
    from utils import datasets
    from utils.vision import transfer

    (_, _), (F_test, f_test) = datasets.load_images("fashion_mnist")
    T_test, t_test = transfer.class_subset(F_test, f_test, [5, 6, 7, 8, 9])
    names = [datasets.FASHION_CLASSES[c] for c in (5, 6, 7, 8, 9)]
    rng = np.random.default_rng(24)
    ks = [5, 20, 50]  # the notebook's learning-curve points
    predictions = {}
    for mode, base_error in (("frozen base", 0.15), ("fine-tuned", 0.13), ("from scratch", 0.25)):
        for k in ks:
            wrong = rng.random(len(t_test)) < base_error * (20 / k) ** 0.3
            predictions[mode, k] = np.where(wrong, (t_test + rng.integers(1, 5, len(t_test))) % 5, t_test)
    return transfer.transfer_explorer(T_test, t_test, names, ks, predictions, k=20)


def nb47_interval() -> Any:
    """Notebook 47's confidence-interval explorer, as the notebook builds it (no model involved)."""
    from utils.toolbox import logistic

    return logistic.interval_explorer(mean=50, sd=10, n=10, level=0.95)


def nb50_kmeans() -> Any:
    """Notebook 50's k-means stepper on its blobs, the two runs computed as the notebook does."""
    from sklearn.datasets import make_blobs

    from utils.toolbox import clustering

    blobs, _ = make_blobs(300, centers=4, cluster_std=1.0, random_state=3)
    runs = {
        "4 left-most points": clustering.kmeans(blobs, blobs[np.argsort(blobs[:, 0])[:4]]),
        "k-means++": clustering.kmeans(
            blobs, clustering.kmeans_plus_plus(blobs, 4, np.random.default_rng(2))),
    }
    return clustering.kmeans_explorer(blobs, runs)


def nb38_forecast() -> Any:
    """Notebook 38's forecast-origin slider over the held-out years; SARIMA and the LSTM replaced by seeded stand-ins (no fitting)."""
    from utils.sequences import forecasting

    co2 = forecasting.monthly_co2()
    y = co2.to_numpy()
    first_test = co2.index.get_loc("1995-01-01")
    origins = forecasting.walk_forward_origins(len(y), first_test, 12)
    truth = forecasting.future_values(y, origins, 12)
    rng = np.random.default_rng(38)
    forecasts = {name: forecasting.walk_forward(y, origins, 12, forecaster) for name, forecaster in [
        ("naive", forecasting.naive_forecast), ("seasonal naive", forecasting.seasonal_naive_forecast),
        ("moving average", forecasting.moving_average_forecast)]}
    forecasts["SARIMA"] = truth + rng.normal(0, 0.5, truth.shape)  # stand-ins about as good as the models
    forecasts["LSTM"] = truth + rng.normal(0, 0.6, truth.shape)
    return forecasting.forecast_explorer(co2.index, y, origins, forecasts, origin=int(origins[10]))


def nb48_depth() -> Any:
    """Notebook 48's depth explorer on its two breast-cancer features and split (grows 12 small trees)."""
    from sklearn import datasets, model_selection

    from utils.toolbox import trees

    cancer = datasets.load_breast_cancer()
    names = [str(name) for name in cancer.feature_names]
    X_train, X_test, y_train, y_test = model_selection.train_test_split(
        cancer.data, cancer.target, test_size=0.3, random_state=0, stratify=cancer.target)
    pair = [names.index("worst radius"), names.index("worst concave points")]
    return trees.depth_explorer(X_train[:, pair], y_train, X_test[:, pair], y_test,
                                depths=list(range(1, 13)), feature_names=[names[j] for j in pair], depth=3)


def nb27_segmentation() -> Any:
    """Notebook 27's scene/class explorer on 60 held-out scenes; a seeded stand-in (the true masks with ~8% of pixels relabelled, mostly on the outlines) replaces the trained U-Net."""
    from scipy import ndimage

    from utils.vision import segmentation

    X_test, Y_test = segmentation.make_segmentation_data(300, 32, seed=2)
    rng = np.random.default_rng(27)
    outline = np.stack([ndimage.morphological_gradient(mask, size=2) > 0 for mask in Y_test])
    flip = (outline & (rng.random(Y_test.shape) < 0.5)) | (rng.random(Y_test.shape) < 0.01)
    predicted = np.where(flip, rng.integers(0, 4, Y_test.shape), Y_test)
    return segmentation.segmentation_explorer(X_test[:60], Y_test[:60], predicted[:60],
                                              segmentation.SEGMENT_CLASSES)


def nb29_style_weight() -> Any:
    """Notebook 29's style-weight slider over three results; seeded stand-in images (no optimisation)."""
    from utils.vision import style

    content = style.load_photo("chelsea", size=96)
    painting = style.load_photo("immunohistochemistry", size=96)
    rng = np.random.default_rng(29)
    weights = [1e3, 1e4, 1e5]  # the notebook's style weights
    images, content_losses, style_losses = {}, {}, {}
    for k, w in enumerate(weights):  # a blend of the two photos plus speckle stands in for a result
        mix = 0.15 * (k + 1)
        speckle = rng.normal(scale=0.03 * (k + 1), size=content.shape)
        images[w] = np.clip((1 - mix) * content + mix * painting + speckle, 0, 1)
        content_losses[w], style_losses[w] = 3e-4 * 2.2**k, 2e-7 / 5.5**k
    return style.style_weight_explorer(content, painting, images, content_losses, style_losses)


def nb37_embedding() -> Any:
    """Notebook 37's word picker on a PCA map; seeded random stand-in vectors, no training."""
    from utils.sequences import embeddings

    words = embeddings.build_vocabulary(embeddings.make_analogy_corpus(3000, seed=0))
    rng = np.random.default_rng(37)
    vectors = rng.normal(size=(len(words), 16))
    return embeddings.embedding_explorer(words, vectors, word="king", k=5)


def nb36_temperature() -> Any:
    """Notebook 36's temperature slider over its 20 temperatures; a character bigram model's samples and logits stand in for the trained GRU's."""
    from utils.sequences import language_model

    train_text, _ = language_model.austen_split("Pride & Prejudice", held_out_chapters=6)
    vocabulary = language_model.char_vocabulary(train_text)
    ids = vocabulary.encode(train_text)
    bigram = language_model.bigram_probabilities(language_model.bigram_counts(ids, len(vocabulary)), k=1.0)
    prompt = "\nelizabeth was th"
    last = int(vocabulary.encode(prompt)[-1])
    temperatures = np.round(np.arange(0.1, 2.01, 0.1), 1)
    samples = {float(t): vocabulary.decode(language_model.sample_bigram(bigram, last, 320, float(t), seed=36))
               for t in temperatures}
    return language_model.temperature_explorer(samples, np.log(bigram[last]), vocabulary, prompt, temperature=1.0)


def nb34_nearest() -> Any:
    """Notebook 34's nearest-review explorer on its 2,000-review corpus (no model: the index is precomputed)."""
    from utils import datasets
    from utils.sequences import text

    (texts_train, y_train), _ = datasets.load_reviews()
    index = text.build_index(list(texts_train[:2000]), min_df=2)
    examples = ["strong dark roast coffee", "my dog loves these treats", "gluten free pasta",
                "too sweet, tastes artificial", "great gift for the holidays", "stale and bland"]
    return text.nearest_explorer(index, examples[0], examples, labels=y_train[:2000])


def nb51_threshold() -> Any:
    """Notebook 51's threshold explorer on the validation runs, the Gaussian fitted as the notebook does."""
    from utils.toolbox import anomaly

    training = anomaly.make_engines(3000, 2, seed=0)
    validation = anomaly.make_engines(1000, 20, seed=1)
    mean, covariance = anomaly.fit_multivariate(training.X[training.y == 0][:, :2])
    return anomaly.threshold_explorer(validation.X[:, :2], validation.y, mean, covariance,
                                      anomaly.ENGINE_FEATURES[:2], log_epsilon=-8.0)


def nb28_verification() -> Any:
    """Notebook 28's verification explorer on the 600 test pictures; seeded stand-in embeddings (one cluster per identity)."""
    from utils import datasets
    from utils.vision import verification

    _, (X_digits_test, y_digits_test) = datasets.load_images("mnist")
    _, _, test_ids = verification.split_numbers(seed=0)
    test_half = np.random.default_rng(1).permutation(len(y_digits_test))[1000:]
    X_test, y_test = verification.compose_numbers(X_digits_test[test_half], y_digits_test[test_half],
                                                  test_ids, 40, seed=2)
    rng = np.random.default_rng(28)  # stand-in for the trained network: noisy points around a centre per identity
    centres = rng.normal(size=(100, 32))
    embeddings = centres[y_test] + 0.6 * rng.normal(size=(len(y_test), 32))
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    first, second, same = verification.make_pairs(y_test, 2000, seed=2)
    distances = verification.distance(embeddings[first], embeddings[second])
    threshold, _ = verification.choose_threshold(distances, same)
    return verification.verification_explorer(X_test, y_test, embeddings, threshold, first=0, second=1,
                                              pair_distances=distances, pair_same=same)


def nb35_review() -> Any:
    """Notebook 35's review explorer; a seeded word-score model stands in for the trained LSTM."""
    from utils import datasets
    from utils.sequences import sentiment

    (_, _), (texts_test, _) = datasets.load_reviews()
    texts_test = sentiment.clean_reviews(texts_test)
    examples = [str(texts_test[k]) for k in np.flatnonzero(
        [len(text.split()) <= 45 for text in texts_test])[:5]] + [
        "Delicious and fresh, my kids love it. Will buy again!",
        "Not good. The tea was stale and the box arrived crushed.",
        "Good flavor but way too expensive for what you get."]
    return sentiment.review_explorer(sentiment.stand_in_explainer(seed=35), examples)


def nb44_logging() -> Any:
    """Notebook 44's log-routing explorer (the packaged CLI's example records; nothing trained)."""
    from utils.production import packaging

    return packaging.logging_explorer()


def nb45_ring() -> Any:
    """Notebook 45's ring all-reduce stepper over four workers (random gradients, nothing trained)."""
    from utils.production import distributed

    return distributed.ring_explorer(num_workers=4)


def nb49_boosting() -> Any:
    """Notebook 49's boosting-rounds explorer on its 1-D wave data (boosts 200 rounds at three learning rates, no stand-in needed)."""
    from utils.toolbox import ensembles

    X, y = ensembles.make_wave(120, noise=0.4, seed=0)
    X_test, y_test = ensembles.make_wave(500, noise=0.4, seed=1)
    return ensembles.boosting_explorer(X, y, X_test, y_test, n_rounds=200,
                                       learning_rates=(0.1, 0.3, 1.0), max_depth=2, rounds=3)


def nb46_column() -> Any:
    """Notebook 46's column explorer on the bundled credit table (nothing trained)."""
    from utils import datasets
    from utils.toolbox import eda

    return eda.column_explorer(datasets.load_frame("credit"), target="default")


def nb42_request() -> Any:
    """Notebook 42's request explorer on an in-process model server holding two exported versions
    (untrained digit models of the notebook's shape: the explorer's cost is the request, not the weights)."""
    import tempfile
    from pathlib import Path

    import keras
    from utils import datasets
    from utils.production import serving, serving_client

    base_path = Path(tempfile.mkdtemp(prefix="bench-serving-")) / "digits"
    for version in (1, 2):
        model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                                  keras.layers.Dense(10, activation="softmax")])
        serving.export_version(model, base_path, version)
    server = serving.ModelServer([serving.ModelConfig(
        "digits", str(base_path), {"all": {}}, {"stable": 1, "canary": 2})])
    server.poll()
    (_, _), (x_test, _) = datasets.load_images("mnist")
    return serving_client.request_explorer(server, "digits", x_test[100::500][:4] / 255.0)


def nb39_attention() -> Any:
    """Notebook 39's attention explorer on its ten sentences, with the weights of an untrained sense
    tagger of the notebook's shape (the explorer's cost is the drawing, not the training)."""
    from utils.attention import explore, senses

    words = senses.vocabulary()
    test = senses.make_sense_data(500, seed=1)
    model = senses.build_tagger(len(words), 10, len(senses.sense_tags()), attention=True)
    sentences = list(senses.EXAMPLES) + [" ".join(s) for s in test.sentences[:4]]
    ids, _ = senses.encode_sentences([s.split() for s in sentences], words, 10)
    weights = senses.tagger_forward(model, ids)["weights"]
    focus = [next(i for i, w in enumerate(s.split()) if w in senses.SENSES) for s in sentences]
    return explore.attention_explorer(sentences, weights, focus=focus)


def nb43_weight_quantization() -> Any:
    """Notebook 43's bit-width explorer on 102,400 weights, the shape of its hidden-layer kernel
    (a seeded normal stand-in for the trained weights: the redraw's cost is their number, not their values)."""
    from utils.production import quantization

    weights = np.random.default_rng(43).normal(0.0, 0.05, size=(800, 128))
    return quantization.weight_quantization_explorer(weights, bits=4, clip=1.0, name="hidden layer")


def nb40_masked_word() -> Any:
    """Notebook 40's masked-word explorer on its held-out Austen windows, with an untrained tiny BERT
    of the notebook's shape (the redraw's cost is the NumPy forward pass, not the weights' values)."""
    import keras
    from utils.attention import encoder
    from utils.sequences import language_model

    train_text, held_out_text = language_model.austen_split("Pride & Prejudice", held_out_chapters=6)
    words = language_model.word_vocabulary(language_model.tokenize_words(train_text), size=999)
    words = words + [encoder.MASK_TOKEN]
    held_out_ids = language_model.encode_words(language_model.tokenize_words(held_out_text), words)
    windows = encoder.word_windows(held_out_ids, 16)
    keras.utils.set_random_seed(40)
    model = encoder.build_tiny_bert(len(words), 16, width=64, num_heads=4, ff_dim=128, num_layers=2)
    return encoder.masked_word_explorer(encoder.bert_weights(model), list(windows[:40]), words,
                                        len(words) - 1, sentence=3, position=6, layer=1)




def nb41_prompt() -> Any:
    """Notebook 41's prompt explorer on the Austen vocabulary; an untrained GPT of the notebook's size (seeded) stands in for the trained one (same NumPy forward pass, same cost)."""
    import keras

    from utils.attention import decoder
    from utils.sequences import language_model

    train_text, _ = language_model.austen_split("Pride & Prejudice", held_out_chapters=6)
    vocabulary = language_model.char_vocabulary(train_text)
    keras.utils.set_random_seed(41)
    model = decoder.build_gpt(len(vocabulary), 32, width=64, heads=4, layers=2)
    model(np.zeros((1, 32), dtype="int32"))
    prompts = ["it is a truth universally acknowledged", "elizabeth was", "mr. darcy",
               "\"my dear mr. bennet,\" said his lady", "she could not help", "the lady"]
    return decoder.prompt_explorer(decoder.gpt_weights(model), vocabulary, prompts,
                                   temperature=0.8, top_k=10)


CASES: dict[str, Callable[[], Any]] = {
    "01 hidden_units_explorer": nb01_hidden_units,
    "02 neuron_explorer": nb02_neuron,
    "03 koala_explorer": nb03_koala,
    "04 gradient_explorer": nb04_gradient,
    "04 tangent_explorer": nb04_tangent,
    "05 broadcast_explorer": nb05_broadcast,
    "07 activation_explorer": nb07_activation,
    "08 loss_explorer": nb08_loss,
    "09 learning_rate_explorer": nb09_learning_rate,
    "10 minibatch_explorer": nb10_minibatch,
    "11 epsilon_explorer": nb11_epsilon,
    "12 confusion_explorer": nb12_confusion,
    "13 smoothing_explorer": nb13_smoothing,
    "15 init_explorer": nb15_init,
    "16 regularization_explorer": nb16_regularization,
    "17 grid_vs_random_explorer": nb17_grid_vs_random,
    "18 focal_explorer": nb18_focal,
    "19 threshold_explorer": nb19_threshold,
    "20 geometry_explorer": nb20_geometry,
    "20 kernel_explorer": nb20_kernel,
    "21 shift_rotate_explorer": nb21_shift_rotate,
    "22 augmentation_explorer": nb22_augmentation,
    "23 block_explorer": nb23_block,
    "24 transfer_explorer": nb24_transfer,
    "26 detection_explorer": nb26_detection,
    "27 segmentation_explorer": nb27_segmentation,
    "28 verification_explorer": nb28_verification,
    "29 style_weight_explorer": nb29_style_weight,
    "31 gradient_norm_explorer": nb31_gradient_norm,
    "32 echo_explorer": nb32_echo,
    "33 tagger_explorer": nb33_tagger,
    "34 nearest_explorer": nb34_nearest,
    "35 review_explorer": nb35_review,
    "36 temperature_explorer": nb36_temperature,
    "37 embedding_explorer": nb37_embedding,
    "38 forecast_explorer": nb38_forecast,
    "39 attention_explorer": nb39_attention,
    "40 masked_word_explorer": nb40_masked_word,
    "41 prompt_explorer": nb41_prompt,
    "42 request_explorer": nb42_request,
    "43 weight_quantization_explorer": nb43_weight_quantization,
    "44 logging_explorer": nb44_logging,
    "45 ring_explorer": nb45_ring,
    "46 column_explorer": nb46_column,
    "47 interval_explorer": nb47_interval,
    "48 depth_explorer": nb48_depth,
    "49 boosting_explorer": nb49_boosting,
    "50 kmeans_explorer": nb50_kmeans,
    "51 threshold_explorer": nb51_threshold,
}


# ---------------------------------------------------------------------------------------------
# Moving the controls
# ---------------------------------------------------------------------------------------------

def other_values(control: ipw.ValueWidget, count: int = 3) -> list[Any]:
    """A few values of ``control`` other than its current one, spread over its range or options."""
    if hasattr(control, "options") and not isinstance(control, (ipw.FloatSlider, ipw.IntSlider)):
        options = [option[1] if isinstance(option, tuple) else option for option in control.options]
        others = [option for option in options if option != control.value]
        step = max(len(others) // count, 1)
        return others[::step][:count]
    low, high = control.min, control.max
    spread = np.linspace(low, high, count + 2)[1:-1]
    if isinstance(control, ipw.IntSlider):
        values = sorted({int(round(v)) for v in spread} - {control.value})
        return values or [high if control.value != high else low]
    step = control.step or (high - low) / 100
    values = [float(low + round((v - low) / step) * step) for v in spread if abs(v - control.value) > step / 2]
    return values or [float(high if control.value < (low + high) / 2 else low)]


def moves(explorer: Any, per_control: int = 3) -> list[tuple[str, Any]]:
    """(control name, new value) pairs that move each control in turn."""
    plans = {name: other_values(control, per_control) for name, control in explorer.controls.items()}
    return [(name, plans[name][k]) for k in range(per_control) for name in plans if k < len(plans[name])]


def time_redraws(explorer: Any, per_control: int = 3) -> tuple[list[float], list[float]]:
    """CPU and wall-clock seconds of each redraw while the controls are moved (a move that draws nothing is skipped).

    A redraw runs on one thread, so its CPU seconds are what one laptop core would spend on it,
    however busy this machine is; wall-clock seconds include waiting for a shared core.
    """
    cpu, wall = [], []
    for name, value in moves(explorer, per_control):
        count = explorer.draw_count
        start, start_cpu = time.perf_counter(), time.thread_time()
        explorer.controls[name].value = value
        elapsed, elapsed_cpu = time.perf_counter() - start, time.thread_time() - start_cpu
        if explorer.draw_count > count:
            cpu.append(elapsed_cpu)
            wall.append(elapsed)
    return cpu, wall


def benchmark(names: list[str] | None = None, per_control: int = 3) -> list[dict[str, Any]]:
    """One row per explorer: median CPU and wall seconds per redraw, max CPU seconds, redraws timed, within goal."""
    rows = []
    for name, build in CASES.items():
        if names and not any(part in name for part in names):
            continue
        start = time.perf_counter()
        explorer = build()
        built = time.perf_counter() - start
        cpu, wall = time_redraws(explorer, per_control)
        median = statistics.median(cpu)
        rows.append({"explorer": name, "median_seconds": round(median, 4), "max_seconds": round(max(cpu), 4),
                     "median_wall_seconds": round(statistics.median(wall), 4), "redraws": len(cpu),
                     "build_seconds": round(built, 3), "goal_seconds": GOAL_SECONDS,
                     "within_goal": median <= GOAL_SECONDS})
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    """The rows as a fixed-width table."""
    print("seconds per redraw: CPU of the redraw's one thread (median, max) and wall clock (median)")
    print(f"{'explorer':30s} {'median s':>9s} {'max s':>7s} {'wall s':>7s} {'redraws':>8s} {'goal s':>7s}  ok")
    for row in rows:
        print(f"{row['explorer']:30s} {row['median_seconds']:9.3f} {row['max_seconds']:7.3f} "
              f"{row['median_wall_seconds']:7.3f} {row['redraws']:8d} {row['goal_seconds']:7.2f}  "
              f"{'yes' if row['within_goal'] else 'NO'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=3, help="values tried per control (default 3)")
    parser.add_argument("--only", nargs="*", help="explorers whose name contains one of these")
    parser.add_argument("--json", type=Path, default=ROOT / "reports" / "explorers.json")
    args = parser.parse_args(argv)
    from utils import plots

    plots.use_course_style()  # as course.setup() does in every notebook
    rows = benchmark(args.only, args.moves)
    print_table(rows)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    report = {"goal_seconds": GOAL_SECONDS, "python": platform.python_version(), "cpus": os.cpu_count(),
              "matplotlib": matplotlib.__version__, "ipywidgets": ipw.__version__, "explorers": rows}
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
