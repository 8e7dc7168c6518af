"""Exercise checks of notebooks 01 (why deep learning) and 03 (network intuition): solutions pass, mistakes get hints."""

import numpy as np
import pytest

from utils.exercises import nb03_network_intuition as ni
from utils.exercises import nb01_why_deep_learning as wdl
from utils.foundations.networks import koala_weights


def todo(*args):
    raise NotImplementedError


def crash(*args):
    raise KeyError("oops")


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def dense(x, W, b):
    return sigmoid(x @ W + b)


def koala(cues, w):
    return dense(dense(dense(cues, w["W_detect"], w["b_detect"]), w["W_coord"], w["b_coord"]), w["W_decide"], w["b_decide"])


def pairs(s):
    return list(zip(s[:-1], s[1:]))


SOLUTIONS = {
    wdl.evaluate_count_parameters: lambda s: sum(a * b + b for a, b in pairs(s)),
    wdl.evaluate_matmul_flops: lambda n, k, m: 2 * n * k * m,
    wdl.evaluate_accuracy: lambda y, p: float(np.mean((p >= 0.5) == (y == 1))),
    ni.evaluate_dense_layer: dense,
    ni.evaluate_koala_probability: koala,
    ni.evaluate_coordinator_error: lambda e, W, c: (e @ W.T) * c * (1 - c),
}


@pytest.mark.parametrize("evaluate", list(SOLUTIONS), ids=lambda f: f.__name__)
def test_solution_passes(evaluate):
    result = evaluate(SOLUTIONS[evaluate])
    assert result.passed and result.message.startswith("✅"), result.message


@pytest.mark.parametrize("evaluate", list(SOLUTIONS), ids=lambda f: f.__name__)
def test_not_attempted_and_crashing_and_not_a_function(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    crashed = evaluate(crash)
    assert not crashed.passed and crashed.message.startswith("❌") and "KeyError" in crashed.message
    assert evaluate(42).message.startswith("❌")
    assert not evaluate(lambda *args: None).passed


MISTAKES = [
    (wdl.evaluate_count_parameters, lambda s: sum(a * b for a, b in pairs(s)), "add one parameter per unit"),
    (wdl.evaluate_count_parameters, lambda s: sum(a * b + b for a, b in pairs(s)) + s[0], "inputs are data"),
    (wdl.evaluate_count_parameters, lambda s: sum(a * b + a for a, b in pairs(s)), "not one per input"),
    (wdl.evaluate_count_parameters, lambda s: sum(a + b + b for a, b in pairs(s)), "multiply the sizes"),
    (wdl.evaluate_count_parameters, lambda s: sum(a * b + b for a, b in pairs(s[:-1])), "including the last one"),
    (wdl.evaluate_matmul_flops, lambda n, k, m: n * k * m, "AND an addition"),
    (wdl.evaluate_matmul_flops, lambda n, k, m: (2 * k - 1) * n * m, "k additions per entry"),
    (wdl.evaluate_matmul_flops, lambda n, k, m: 2 * n * m, "factor k"),
    (wdl.evaluate_matmul_flops, lambda n, k, m: n * k + k * m, "numbers in the two inputs"),
    (wdl.evaluate_matmul_flops, lambda n, k, m: 2 * (n + k + m), "you added them"),
    (wdl.evaluate_accuracy, lambda y, p: float(np.sum((p >= 0.5) == (y == 1))), "fraction"),
    (wdl.evaluate_accuracy, lambda y, p: 1 - float(np.mean((p >= 0.5) == (y == 1))), "error rate"),
    (wdl.evaluate_accuracy, lambda y, p: float(np.mean((p > 0.5) == (y == 1))), ">= 0.5"),
    (wdl.evaluate_accuracy, lambda y, p: float(np.mean(y == p)), "0/1 decisions first"),
    (wdl.evaluate_accuracy, lambda y, p: float(np.mean(p)), "mean probability"),
    (wdl.evaluate_accuracy, lambda y, p: ((p >= 0.5) == (y == 1)).astype(float), "one number"),
    (ni.evaluate_dense_layer, lambda x, W, b: dense(x, W.T, b), "x @ W (not x @ W.T)"),
    (ni.evaluate_dense_layer, lambda x, W, b: sigmoid(x @ W), "add the bias"),
    (ni.evaluate_dense_layer, lambda x, W, b: x @ W + b, "through the sigmoid"),
    (ni.evaluate_dense_layer, lambda x, W, b: sigmoid(x @ W) + b, "inside the sigmoid"),
    (ni.evaluate_dense_layer, lambda x, W, b: dense(x, W, -b), "subtracted the bias"),
    (ni.evaluate_koala_probability,
     lambda c, w: dense(dense(c, w["W_detect"], w["b_detect"]), w["W_coord"], w["b_coord"]) @ w["W_decide"] + w["b_decide"],
     "decision also goes through a sigmoid"),
    (ni.evaluate_koala_probability,
     lambda c, w: dense((c @ w["W_detect"] + w["b_detect"]) @ w["W_coord"] + w["b_coord"], w["W_decide"], w["b_decide"]),
     "each hidden layer needs its sigmoid"),
    (ni.evaluate_koala_probability,
     lambda c, w: dense(dense(dense(c, w["W_detect"], 0), w["W_coord"], 0), w["W_decide"], 0), "adds its bias"),
    (ni.evaluate_koala_probability,
     lambda c, w: dense(dense(c, w["W_detect"], w["b_detect"]), w["W_coord"], w["b_coord"]), "returned the coordinators"),
    (ni.evaluate_coordinator_error, lambda e, W, c: e @ W.T, "slope of each coordinator"),
    (ni.evaluate_coordinator_error, lambda e, W, c: (e @ W.T) * c, "not c."),
    (ni.evaluate_coordinator_error, lambda e, W, c: (e @ W.T) * (1 - c), "not (1 − c)"),
    (ni.evaluate_coordinator_error, lambda e, W, c: -(e @ W.T) * c * (1 - c), "no minus sign"),
    (ni.evaluate_coordinator_error, lambda e, W, c: (e @ W) * c * (1 - c), "its transpose"),
]


@pytest.mark.parametrize("evaluate, wrong, hint", MISTAKES, ids=[f"{e.__name__}-{i}" for i, (e, _, _) in enumerate(MISTAKES)])
def test_mistakes_fail_with_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed and result.message.startswith("❌") and hint in result.message, result.message


def test_koala_exercise_uses_the_course_weights():
    assert koala(np.ones((1, 6)), koala_weights()).shape == (1, 1)


def test_check_functions_print(capsys):
    wdl.check_matmul_flops(lambda n, k, m: 2 * n * k * m)
    ni.check_dense_layer(todo)
    out = capsys.readouterr().out
    assert "✅" in out and "⏳" in out
