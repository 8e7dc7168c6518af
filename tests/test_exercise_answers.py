"""Learners' answers as they really write them, run through the exercise checks: each wrong one
gets its specific hint, each valid variant passes, and an earlier wrong answer cannot mislead a
later check (those call the reference of the earlier exercise)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from utils.exercises import nb01_why_deep_learning as nb01
from utils.exercises import nb02_neuron as nb02
from utils.exercises import nb03_network_intuition as nb03
from utils.exercises import nb09_gradient_descent as nb09
from utils.exercises import nb20_convolution as nb20
from utils.exercises import nb25_localization as nb25
from utils.exercises import nb26_yolo as nb26


def notebook(source: str) -> dict:
    """Run ``source`` as a notebook cell would (its own globals) and return the namespace."""
    namespace = {"np": np, "tf": tf}
    exec(source, namespace)
    return namespace


# ---------------------------------------------------------------- notebook 26: ints for cells

CELL_OF = """
def cell_of(box, grid_size, image_size):
    cell = image_size / grid_size
    x_centre, y_centre = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return {row}, {column}
"""


@pytest.mark.parametrize("row, column", [
    ("y_centre // cell", "x_centre // cell"),  # floats such as 0.0 and 3.0
    ("np.floor(y_centre / cell)", "np.floor(x_centre / cell)"),
])
def test_cell_of_returning_floats_is_told_ints_are_expected(row, column):
    result = nb26.evaluate_cell_of(notebook(CELL_OF.format(row=row, column=column))["cell_of"])
    assert not result.passed and "ints are expected" in result.message, result.message


@pytest.mark.parametrize("row, column", [
    ("int(y_centre // cell)", "int(x_centre // cell)"),
    ("int(y_centre / cell)", "int(x_centre / cell)"),
    ("np.int64(y_centre // cell)", "np.int64(x_centre // cell)"),
    ("math.floor(y_centre / cell)", "math.floor(x_centre / cell)"),
])
def test_cell_of_valid_int_variants_pass(row, column):
    source = "import math\n" + CELL_OF.format(row=row, column=column)
    assert nb26.evaluate_cell_of(notebook(source)["cell_of"]).passed


ENCODE_BOX = """
def encode_box(box, label, grid_size, image_size, num_classes):
    target = np.zeros((grid_size, grid_size, 5 + num_classes))
    row, column = cell_of(box, grid_size, image_size)
    cell = image_size / grid_size
    x_centre, y_centre = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    target[row, column, 0] = 1.0
    target[row, column, 1] = x_centre / cell - column
    target[row, column, 2] = y_centre / cell - row
    target[row, column, 3] = (box[2] - box[0]) / image_size
    target[row, column, 4] = (box[3] - box[1]) / image_size
    target[row, column, 5 + label] = 1.0
    return target
"""


@pytest.mark.parametrize("earlier", [
    "def cell_of(box, grid_size, image_size):\n    return 0.0, 3.0\n",  # floats: would be an IndexError
    "def cell_of(box, grid_size, image_size):\n    return 2, 1\n",  # simply wrong
    "def cell_of(box, grid_size, image_size):\n    raise NotImplementedError\n",
])
def test_encode_box_is_judged_with_the_reference_cell_of(earlier):
    result = nb26.evaluate_encode_box(notebook(earlier + ENCODE_BOX)["encode_box"])
    assert result.passed, result.message


def test_encode_box_difference_names_row_column_and_channel():
    source = CELL_OF.format(row="int(y_centre // cell)", column="int(x_centre // cell)") + ENCODE_BOX.replace(
        "x_centre / cell - column", "x_centre / cell")  # forgot to subtract the column
    result = nb26.evaluate_encode_box(notebook(source)["encode_box"])
    assert not result.passed and "(row 0, column 3, channel 1)" in result.message, result.message
    assert "subtract the cell's column" in result.message and "[[[" not in result.message


# ---------------------------------------------------------------- notebook 02

def test_neuron_is_judged_with_the_reference_sigmoid():
    source = ("def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n"  # exercise 1 wrong: sign flipped
              "def neuron(X, w, b):\n    return sigmoid(X @ w + b)\n")
    assert nb02.evaluate_neuron(notebook(source)["neuron"]).passed


def test_neuron_without_bias_gets_the_bias_hint_on_the_first_case():
    result = nb02.evaluate_neuron(notebook("def neuron(X, w, b):\n    return 1 / (1 + np.exp(-(X @ w)))\n")["neuron"])
    assert "add the bias" in result.message and "[[1., 2.]]" in result.message


def test_sigmoid_with_flipped_sign_is_caught_on_the_first_case():
    result = nb02.evaluate_sigmoid(lambda z: 1 / (1 + np.exp(z)))
    assert "for input (0.8)" in result.message and "e^(−z)" in result.message


@pytest.mark.parametrize("answer", [
    lambda y, p: tf.keras.losses.BinaryCrossentropy()(y, p),  # a TensorFlow scalar
    lambda y, p: np.mean(-(y * np.log(np.clip(p, 1e-7, 1 - 1e-7)) + (1 - y) * np.log(1 - np.clip(p, 1e-7, 1 - 1e-7))),
                         keepdims=True).reshape(1, 1),  # shape (1, 1)
])
def test_log_loss_valid_variants_pass(answer):
    result = nb02.evaluate_log_loss(answer)
    assert result.passed, result.message


W, B = 9.5, -4.2


@pytest.mark.parametrize("answer", [-B / W * 100, np.array([[-B / W * 100]]), tf.constant(-B / W * 100),
                                    np.float32(-B / W * 100), [-B / W * 100]])
def test_boundary_age_in_any_scalar_shape_passes(answer):
    assert nb02.evaluate_boundary_age(answer, np.array([[W]]), np.array([B])).passed


@pytest.mark.parametrize("answer, hint", [
    (-B / W, "multiply your answer by 100"),
    (B / W * 100, "mind the sign"),
    (-W / B * 100, "not −w / b"),
])
def test_boundary_age_mistakes_get_their_hint(answer, hint):
    result = nb02.evaluate_boundary_age(answer, W, B)
    assert not result.passed and hint in result.message


@pytest.mark.parametrize("answer", [float("nan"), "44", None, ...])
def test_boundary_age_broken_values_get_a_message(answer):
    result = nb02.evaluate_boundary_age(answer, W, B)
    assert not result.passed and result.message[0] in "❌⏳" and "Traceback" not in result.message


# ---------------------------------------------------------------- notebook 03

def test_koala_probability_is_judged_with_the_reference_dense_layer():
    source = ("def sigmoid(z):\n    return 1.0 / (1.0 + np.exp(-z))\n"
              "def dense_layer(x, W, b):\n    return sigmoid(x @ W.T + b)\n"  # exercise 1 wrong
              "def koala_probability(cues, weights):\n"
              "    d = dense_layer(cues, weights['W_detect'], weights['b_detect'])\n"
              "    c = dense_layer(d, weights['W_coord'], weights['b_coord'])\n"
              "    return dense_layer(c, weights['W_decide'], weights['b_decide'])\n")
    result = nb03.evaluate_koala_probability(notebook(source)["koala_probability"])
    assert result.passed, result.message


# ---------------------------------------------------------------- notebook 09

TRAIN = """
def train(X, y, w, b, learning_rate, epochs):
    for _ in range(epochs):
        dw, db = gradients(X, y, w, b)
        w, b = w {sign} learning_rate * dw, b {sign} learning_rate * db
    return w, b
"""


def test_train_is_judged_with_the_reference_gradients():
    wrong_gradients = "def gradients(X, y, w, b):\n    return -X.T @ y, 0.0\n"
    assert nb09.evaluate_train(notebook(wrong_gradients + TRAIN.format(sign="-"))["train"]).passed


def test_train_climbing_gets_its_hint_even_with_wrong_gradients():
    wrong_gradients = "def gradients(X, y, w, b):\n    return X.T @ y * 0, 0.0\n"
    result = nb09.evaluate_train(notebook(wrong_gradients + TRAIN.format(sign="+"))["train"])
    assert "the update subtracts" in result.message


# ---------------------------------------------------------------- notebook 25

NMS = """
def non_max_suppression(candidate_boxes, scores, iou_threshold):
    order = list(np.argsort(-np.asarray(scores), kind="stable"))
    kept = []
    while order:
        best = order.pop(0)
        kept.append({keep})
        order = [i for i in order if iou(candidate_boxes[best], candidate_boxes[i]) <= iou_threshold]
    return {result}
"""


def test_nms_is_judged_with_the_reference_iou():
    source = "def iou(a, b):\n    return 0.0\n" + NMS.format(keep="int(best)", result="np.array(kept)")
    assert nb25.evaluate_non_max_suppression(notebook(source)["non_max_suppression"]).passed


@pytest.mark.parametrize("keep, result", [("int(best)", "kept"), ("best", "np.array(kept)"),
                                          ("int(best)", "tf.constant(kept)")])
def test_nms_valid_return_types_pass(keep, result):
    source = "def iou(a, b):\n    return 0.0\n" + NMS.format(keep=keep, result=result)
    assert nb25.evaluate_non_max_suppression(notebook(source)["non_max_suppression"]).passed


def test_nms_float_indices_are_told_ints_are_expected():
    source = "def iou(a, b):\n    return 0.0\n" + NMS.format(keep="float(best)", result="np.array(kept)")
    result = nb25.evaluate_non_max_suppression(notebook(source)["non_max_suppression"])
    assert not result.passed and "ints are expected" in result.message


# ---------------------------------------------------------------- counts: notebooks 01 and 20


@pytest.mark.parametrize("evaluate, answer", [
    (nb01.evaluate_count_parameters, lambda s: float(sum(a * b + b for a, b in zip(s[:-1], s[1:])))),
    (nb01.evaluate_matmul_flops, lambda n, k, m: 2.0 * n * k * m),
    (nb20.evaluate_output_size, lambda n, f, p, s: (n + 2 * p - f) / s + 1),
    (nb20.evaluate_conv_parameters, lambda f, c, k: float((f * f * c + 1) * k)),
])
def test_counts_as_floats_are_told_ints_are_expected(evaluate, answer):
    result = evaluate(answer)
    assert not result.passed and "ints are expected" in result.message, result.message


@pytest.mark.parametrize("evaluate, answer", [
    (nb01.evaluate_count_parameters, lambda s: np.int64(sum(a * b + b for a, b in zip(s[:-1], s[1:])))),
    (nb01.evaluate_count_parameters, lambda s: int(np.sum(np.array(s[:-1]) * np.array(s[1:]) + np.array(s[1:])))),
    (nb01.evaluate_matmul_flops, lambda n, k, m: int(np.prod([2, n, k, m]))),
    (nb20.evaluate_output_size, lambda n, f, p, s: int((n + 2 * p - f) / s) + 1),
    (nb20.evaluate_conv_parameters, lambda f, c, k: f * f * c * k + k),
])
def test_count_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
