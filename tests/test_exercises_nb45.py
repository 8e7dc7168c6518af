"""Exercise checks of notebook 45 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest
import tensorflow as tf

from utils.exercises import nb45_scaling as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def replica_loss(per_example_losses, global_batch_size):
    return float(np.sum(per_example_losses)) / global_batch_size


def shard_indices(num_examples, global_batch_size, num_workers, worker_index):
    per_replica = global_batch_size // num_workers
    ids = []
    for batch in range(num_examples // global_batch_size):
        first = batch * global_batch_size + worker_index * per_replica
        ids.extend(range(first, first + per_replica))
    return np.array(ids)


def ring_traffic(num_workers, num_values):
    return 2 * (num_workers - 1) * num_values / num_workers


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_replica_loss, replica_loss),
    (ex.evaluate_replica_loss, lambda l, g: np.mean(l) * len(l) / g),
    (ex.evaluate_replica_loss, lambda l, g: tf.nn.compute_average_loss(tf.constant(l), global_batch_size=g)),
    (ex.evaluate_shard_indices, shard_indices),
    (ex.evaluate_shard_indices, lambda *a: list(shard_indices(*a))),
    (ex.evaluate_shard_indices, lambda n, b, w, i: np.arange(n - n % b).reshape(-1, w, b // w)[:, i].ravel()),
    (ex.evaluate_ring_traffic, ring_traffic),
    (ex.evaluate_ring_traffic, lambda N, n: 2 * (N - 1) * (n // N)),  # n is a multiple of N in every case
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_replica_loss, lambda l, g: np.mean(l), "GLOBAL batch size"),
    (ex.evaluate_replica_loss, lambda l, g: np.sum(l), "sum the per-example losses, then divide"),
    (ex.evaluate_replica_loss, lambda l, g: np.mean(l) / (g / len(l)) ** 2, "divided twice"),
    (ex.evaluate_shard_indices, lambda n, b, w, i: np.arange(i, n, w), "EVERY global batch"),
    (ex.evaluate_shard_indices, lambda n, b, w, i: np.arange(i * (n // w), (i + 1) * (n // w)), "contiguous"),
    (ex.evaluate_shard_indices, ex._keep_remainder, "drop_remainder"),
    (ex.evaluate_shard_indices, lambda n, b, w, i: shard_indices(n, b, w, i - 1) if i else np.array([], int),
     "count from 0"),
    (ex.evaluate_shard_indices, ex._whole_batches, "not every num_workers-th whole"),
    (ex.evaluate_shard_indices, lambda *a: shard_indices(*a).astype(float), "ints are expected"),
    (ex.evaluate_ring_traffic, lambda N, n: (N - 1) * n / N, "reduce-scatter half"),
    (ex.evaluate_ring_traffic, lambda N, n: 2.0 * n, "2 (N - 1) steps"),
    (ex.evaluate_ring_traffic, lambda N, n: 2.0 * (N - 1) * n, "not the whole vector"),
    (ex.evaluate_ring_traffic, lambda N, n: N * n, "parameter server"),
])
def test_plausible_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed
    assert result.message.startswith("❌") and hint in result.message, result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_replica_loss, ex.evaluate_shard_indices,
                                      ex.evaluate_ring_traffic])
def test_todo_crash_and_nan_never_raise(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    assert evaluate(crash).message.startswith("❌")
    assert evaluate(lambda *a: np.nan).message.startswith("❌")
    assert evaluate("answer").message.startswith("❌")


def test_first_shard_case_has_a_dropped_remainder_that_reaches_the_worker():
    num_examples, batch, workers, index = ex._shard_cases()[0].args
    assert num_examples % batch >= (index + 1) * batch // workers


def test_points_and_not_allowed_cover_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"replica_loss", "shard_indices", "ring_traffic"}
