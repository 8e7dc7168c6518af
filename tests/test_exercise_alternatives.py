"""Valid alternative solutions, as learners write them (TensorFlow ops, other formulas, Python
loops and floats), pass every exercise check."""

from __future__ import annotations

import math

import numpy as np
import pytest
import tensorflow as tf

from utils.exercises import (
    nb01_why_deep_learning as nb01, nb02_neuron as nb02, nb03_network_intuition as nb03,
    nb04_derivatives as nb04, nb05_vectorization as nb05, nb07_activations as nb07, nb08_losses as nb08,
    nb09_gradient_descent as nb09, nb10_minibatch as nb10, nb11_backprop as nb11,
    nb20_convolution as nb20, nb25_localization as nb25, nb26_yolo as nb26,
)


def f64(x):
    return tf.constant(np.asarray(x, dtype=np.float64))


def tf_distances(X, point):
    return tf.norm(f64(X) - f64(point), axis=1)


def loop_max_pool(feature_map, size=2, stride=2):
    rows = (len(feature_map) - size) // stride + 1
    cols = (len(feature_map[0]) - size) // stride + 1
    return [[max(feature_map[i * stride + u][j * stride + v] for u in range(size) for v in range(size))
             for j in range(cols)] for i in range(rows)]


def loop_iou(a, b):
    a, b = [float(v) for v in a], [float(v) for v in b]
    inter = max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def loop_average_precision(recall, precision):
    total, previous = 0.0, 0.0
    for i, r in enumerate(recall):
        total += (r - previous) * max(precision[i:])
        previous = r
    return total


def tape_gradients(X, y, w, b):
    w_var, b_var = tf.Variable(np.asarray(w, dtype=np.float64)), tf.Variable(float(b), dtype=tf.float64)
    with tf.GradientTape() as tape:
        p = tf.sigmoid(tf.linalg.matvec(f64(X), w_var) + b_var)
        loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(f64(y)[:, None], p[:, None]))
    dw, db = tape.gradient(loss, [w_var, b_var])
    return dw.numpy(), float(db)


def explicit_inverse(Xb, y):
    return np.linalg.inv(Xb.T @ Xb) @ Xb.T @ y


def shuffled_by_choice(n, batch_size, rng):
    order = rng.choice(n, size=n, replace=False)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


ALTERNATIVES = [
    (nb01.evaluate_count_parameters, lambda s: sum((a + 1) * b for a, b in zip(s, s[1:]))),
    (nb01.evaluate_matmul_flops, lambda n, k, m: n * m * (k + k)),
    (nb01.evaluate_accuracy, lambda y, p: sum(int((pi >= 0.5) == (yi == 1)) for yi, pi in zip(y, p)) / len(y)),
    (nb02.evaluate_sigmoid, lambda z: tf.sigmoid(f64(z))),
    (nb02.evaluate_sigmoid, lambda z: np.exp(z) / (1 + np.exp(z)) if np.ndim(z) == 0 else 0.5 * (1 + np.tanh(z / 2))),
    (nb02.evaluate_neuron, lambda X, w, b: tf.sigmoid(tf.linalg.matvec(f64(X), f64(w)) + b)),
    (nb02.evaluate_neuron, lambda X, w, b: 1 / (1 + np.exp(-(np.dot(X, w) + b)))),
    (nb02.evaluate_log_loss, lambda y, p: -np.mean(np.where(y == 1, np.log(np.clip(p, 1e-7, 1 - 1e-7)),
                                                            np.log(1 - np.clip(p, 1e-7, 1 - 1e-7))))),
    (nb03.evaluate_dense_layer, lambda x, W, b: tf.sigmoid(f64(x) @ f64(W) + f64(b))),
    (nb03.evaluate_dense_layer, lambda x, W, b: 1 / (1 + np.exp(-(np.einsum("ij,jk->ik", x, W) + b)))),
    (nb04.evaluate_central_difference, lambda f, x, h: (f(x + h) - f(x - h)) / h / 2),
    (nb04.evaluate_gradient, lambda x, y: [3 * x * x, 2 * y]),  # a list of Python floats
    (nb04.evaluate_gradient, lambda x, y: tf.constant([3.0 * x**2, 2.0 * y], dtype=tf.float64)),
    (nb04.evaluate_loss_slope, lambda x, y, w: 2 * x * (x * w - y)),
    (nb05.evaluate_dense_forward, lambda X, W, b: np.matmul(X, W) + b[None, :]),
    (nb05.evaluate_dense_forward, lambda X, W, b: tf.matmul(f64(X), f64(W)) + f64(b)),
    (nb05.evaluate_center_columns, lambda X: X - np.mean(X, axis=0, keepdims=True)),
    (nb05.evaluate_center_columns, lambda X: f64(X) - tf.reduce_mean(f64(X), axis=0)),
    (nb05.evaluate_distances, lambda X, p: np.linalg.norm(X - p, axis=1)),
    (nb05.evaluate_distances, tf_distances),
    (nb07.evaluate_tanh_derivative, lambda x: 1 / np.cosh(x) ** 2),
    (nb07.evaluate_tanh_derivative, lambda x: 1 - tf.tanh(f64(x)) ** 2),
    (nb07.evaluate_softmax, lambda z: tf.nn.softmax(f64(z), axis=1)),
    (nb07.evaluate_softmax, lambda z: np.exp(z - np.max(z, axis=1, keepdims=True))
     / np.exp(z - np.max(z, axis=1, keepdims=True)).sum(axis=1, keepdims=True)),
    (nb08.evaluate_mse, lambda y, p: np.square(np.subtract(y, p)).mean()),
    (nb08.evaluate_mse, lambda y, p: tf.reduce_mean(tf.square(f64(y) - f64(p)))),
    (nb08.evaluate_categorical_cross_entropy,
     lambda y, p: -np.sum(y * np.log(np.clip(p, 1e-7, 1 - 1e-7))) / len(y)),
    (nb08.evaluate_sparse_categorical_cross_entropy,
     lambda k, p: -np.mean(np.log(np.clip(np.take_along_axis(p, k[:, None], axis=1), 1e-7, 1 - 1e-7)))),
    (nb09.evaluate_gradients, tape_gradients),
    (nb09.evaluate_accuracy, lambda X, y, w, b: float(np.mean(((X @ w + b) >= 0).astype(float) == y))),
    (nb10.evaluate_normal_equation, explicit_inverse),
    (nb10.evaluate_normal_equation, lambda Xb, y: np.linalg.lstsq(Xb, y, rcond=None)[0]),
    (nb10.evaluate_mse_gradient, lambda Xb, y, t: 2 * np.mean((Xb @ t - y)[:, None] * Xb, axis=0)),
    (nb10.evaluate_minibatch_indices, shuffled_by_choice),
    (nb11.evaluate_hidden_delta, lambda d, a: d - d * a * a),
    (nb11.evaluate_relative_difference,
     lambda a, b: float(tf.norm(f64(a) - f64(b)) / (tf.norm(f64(a)) + tf.norm(f64(b))))
     if np.any(a) or np.any(b) else 0.0),
    (nb20.evaluate_output_size, lambda n, f, p, s: math.floor((n + 2 * p - f) / s) + 1),
    (nb20.evaluate_convolve_patch, lambda x, k: float(tf.reduce_sum(f64(x) * f64(k)))),
    (nb20.evaluate_convolve_patch, lambda x, k: np.vdot(x, k)),
    (nb20.evaluate_max_pool, loop_max_pool),
    (nb20.evaluate_conv_parameters, lambda f, c, k: f * f * c * k + k),
    (nb25.evaluate_iou, loop_iou),
    (nb25.evaluate_corners_to_centre, lambda b: np.column_stack([(b[:, :2] + b[:, 2:]) / 2, b[:, 2:] - b[:, :2]])),
    (nb26.evaluate_average_precision, loop_average_precision),
    (nb26.evaluate_cell_of, lambda box, S, size: tuple(int(v) for v in np.floor(
        [(box[1] + box[3]) / 2 / (size / S), (box[0] + box[2]) / 2 / (size / S)]))),
]


@pytest.mark.parametrize("evaluate, answer", ALTERNATIVES,
                         ids=[f"{e.__name__[9:]}-{i}" for i, (e, _) in enumerate(ALTERNATIVES)])
def test_valid_alternative_passes(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
