"""Exercises of notebook 45 (scaling up): a replica's loss, a worker's shard, the ring's traffic."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from utils.checks import Case, Mistake, Result, evaluate_function, guarded, printer
from utils.production import distributed

# ---------------------------------------------------------------------------------------------
# Exercise 1: one replica's loss
# ---------------------------------------------------------------------------------------------


def _loss_cases() -> list[Case]:
    rng = np.random.default_rng(45)
    # 4 replicas share a global batch of 16: this one holds 4 examples
    cases = [Case((np.array([0.25, 1.5, 0.75, 2.0]), 16))]
    for size, replicas in ((8, 2), (5, 3), (32, 8)):
        cases.append(Case((rng.gamma(2.0, 0.5, size=size), size * replicas)))
    return cases


def _local_mean(losses: Any, global_batch_size: int) -> float:
    return float(np.mean(losses))


def _plain_sum(losses: Any, global_batch_size: int) -> float:
    return float(np.sum(losses))


def _over_replicas(losses: Any, global_batch_size: int) -> float:
    replicas = global_batch_size / len(losses)
    return float(np.mean(losses) / replicas**2)


@guarded
def evaluate_replica_loss(replica_loss: Callable[..., Any]) -> Result:
    """Evaluate ``replica_loss(per_example_losses, global_batch_size)`` → sum / global batch size."""
    mistakes = [
        Mistake("the mean over THIS replica's examples is what one device would compute, but the replicas' "
                "gradients are then summed: every replica's loss would count once per replica. Divide the "
                "sum by the GLOBAL batch size.", _local_mean),
        Mistake("sum the per-example losses, then divide by the global batch size, so that the all-reduced "
                "(summed) gradient equals the gradient of the mean loss over the global batch.", _plain_sum),
        Mistake("the mean of the local losses divided by the number of replicas once is the answer; you "
                "divided twice.", _over_replicas),
    ]
    return evaluate_function(
        replica_loss, distributed.replica_loss, _loss_cases(), name="replica_loss", mistakes=mistakes,
        check_dtype=False, rtol=1e-9, atol=1e-12,
        success="That is tf.nn.compute_average_loss: summed over replicas, it is the global mean.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: which examples a worker reads
# ---------------------------------------------------------------------------------------------


def _shard_cases() -> list[Case]:
    # 3 workers, global batch 12 (4 per replica), 44 examples: 3 full batches, 8 dropped
    return [Case((44, 12, 3, 1)), Case((64, 16, 2, 0)), Case((100, 20, 4, 3)), Case((50, 10, 5, 2))]


def _every_nth(n: int, batch: int, workers: int, index: int) -> np.ndarray:
    return np.arange(index, n, workers)


def _blocks(n: int, batch: int, workers: int, index: int) -> np.ndarray:
    size = n // workers
    return np.arange(index * size, (index + 1) * size)


def _keep_remainder(n: int, batch: int, workers: int, index: int) -> np.ndarray:
    per = batch // workers
    ids = [b * batch + index * per + j for b in range(-(-n // batch)) for j in range(per)]
    return np.array([i for i in ids if i < n])


def _one_based(n: int, batch: int, workers: int, index: int) -> np.ndarray:
    return distributed.shard_indices(n, batch, workers, index - 1) if index >= 1 else np.array([], int)


def _whole_batches(n: int, batch: int, workers: int, index: int) -> np.ndarray:
    starts = np.arange(index, n // batch, workers) * batch
    return (starts[:, None] + np.arange(batch)[None, :]).ravel()


@guarded
def evaluate_shard_indices(shard_indices: Callable[..., Any]) -> Result:
    """Evaluate ``shard_indices(num_examples, global_batch_size, num_workers, worker_index)``."""
    mistakes = [
        Mistake("the dataset is batched first: a worker reads its part of EVERY global batch (a per-replica "
                "batch of global_batch_size // num_workers consecutive ids), not every num_workers-th example.",
                _every_nth),
        Mistake("a worker does not get one contiguous block of the data: each global batch is split between "
                "all workers, so every step uses data from everyone.", _blocks),
        Mistake("the incomplete last global batch is dropped (drop_remainder=True), so every step has the "
                "same global batch size.", _keep_remainder),
        Mistake("worker indices count from 0: worker 0 is the chief and takes the first per-replica batch.",
                _one_based),
        Mistake("each worker takes a per-replica batch (global_batch_size // num_workers examples) of every "
                "global batch, not every num_workers-th whole global batch.", _whole_batches),
    ]
    return evaluate_function(
        shard_indices, distributed.shard_indices, _shard_cases(), name="shard_indices", mistakes=mistakes,
        integer=True, axes=("example",),
        success="The workers' logs show exactly these ids.",
    )


# ---------------------------------------------------------------------------------------------
# Exercise 3: what the ring costs
# ---------------------------------------------------------------------------------------------


def _traffic_cases() -> list[Case]:
    return [Case((4, 1_000_000)), Case((2, 10)), Case((8, 4096)), Case((16, 1600)), Case((3, 9))]


@guarded
def evaluate_ring_traffic(ring_traffic: Callable[..., Any]) -> Result:
    """Evaluate ``ring_traffic(num_workers, num_values)`` → values each worker sends: 2 (N - 1) n / N."""
    mistakes = [
        Mistake("that is only the reduce-scatter half: the all-gather half sends as much again, so the "
                "factor is 2 (N - 1) / N.", lambda N, n: (N - 1) * n / N),
        Mistake("each step sends one chunk of n / N values, and there are 2 (N - 1) steps; you counted N "
                "steps per phase.", lambda N, n: 2.0 * n),
        Mistake("each step sends one chunk of n / N values, not the whole vector of n values.",
                lambda N, n: 2.0 * (N - 1) * n),
        Mistake("that is what a parameter server receives from N workers; in a ring each worker sends "
                "2 (N - 1) chunks of n / N values.", lambda N, n: float(N * n)),
    ]
    return evaluate_function(
        ring_traffic, distributed.ring_traffic, _traffic_cases(), name="ring_traffic", mistakes=mistakes,
        check_dtype=False, rtol=1e-9, atol=1e-9,
        success="Below 2 n for any number of workers: the ring scales.",
    )


check_replica_loss = printer(evaluate_replica_loss)
check_shard_indices = printer(evaluate_shard_indices)
check_ring_traffic = printer(evaluate_ring_traffic)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"replica_loss": 1, "shard_indices": 2, "ring_traffic": 1}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "replica_loss": ("distributed.replica_loss", "compute_average_loss", "tf.nn"),
    "shard_indices": ("distributed.shard_indices", "tf.data", "experimental_distribute_dataset"),
    "ring_traffic": ("distributed.ring_traffic", "ring_allreduce"),
}
