"""Scaling up: data-parallel training by hand, ring all-reduce, and real worker processes.

The arithmetic of synchronous data parallelism (the per-replica loss, the shard each worker reads,
the ring all-reduce that sums gradients and what it costs), a stepper through the ring, and the
machinery that starts ``MultiWorkerMirroredStrategy`` workers on 127.0.0.1 (``TF_CONFIG``, free
ports, bounded in time, always cleaned up). A worker is this module run as a program::

    python -m utils.production.distributed --work-dir DIR

with ``TF_CONFIG`` in its environment. Introduced in notebook 45.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from utils.plots import PALETTE

LOOPBACK = "127.0.0.1"
LOGGER = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# The arithmetic of data parallelism
# ---------------------------------------------------------------------------------------------


def _whole(name: str, value: Any, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def replica_loss(per_example_losses: Any, global_batch_size: int) -> float:
    """One replica's share of the loss: its per-example losses summed, divided by the GLOBAL batch."""
    losses = np.asarray(per_example_losses, dtype=np.float64)
    if losses.ndim != 1 or losses.size == 0:
        raise ValueError(f"per_example_losses must be a non-empty 1-D array, got shape {losses.shape}")
    if not np.all(np.isfinite(losses)):
        raise ValueError("per_example_losses contains NaN or an infinite value")
    return float(losses.sum() / _whole("global_batch_size", global_batch_size))


def shard_indices(num_examples: int, global_batch_size: int, num_workers: int,
                  worker_index: int) -> np.ndarray:
    """The example ids one worker trains on when a batched dataset is distributed and sharded by data.

    Each global batch is cut into ``num_workers`` per-replica batches, and worker k takes the k-th
    of every ``num_workers`` of them: from global batch b, the ids
    ``b * global_batch_size + k * per_replica ... + per_replica - 1``. An incomplete last batch is dropped.
    """
    n = _whole("num_examples", num_examples, 0)
    batch = _whole("global_batch_size", global_batch_size)
    workers = _whole("num_workers", num_workers)
    index = _whole("worker_index", worker_index, 0)
    if index >= workers:
        raise ValueError(f"worker_index must be below num_workers={workers}, got {index}")
    if batch % workers:
        raise ValueError(f"global_batch_size ({batch}) must be a multiple of num_workers ({workers})")
    per_replica = batch // workers
    starts = np.arange(n // batch) * batch + index * per_replica
    return (starts[:, None] + np.arange(per_replica)[None, :]).ravel()


def ring_traffic(num_workers: int, num_values: int) -> float:
    """Values each worker sends in a ring all-reduce of ``num_values`` numbers: 2 (N - 1) n / N."""
    workers = _whole("num_workers", num_workers)
    return 2.0 * (workers - 1) * _whole("num_values", num_values) / workers


@dataclass(frozen=True)
class RingStep:
    """One step of a ring all-reduce: what every worker holds, and which chunk each one sent."""

    phase: str  # "start", "reduce-scatter" or "all-gather"
    chunks: np.ndarray  # (workers, workers, values per chunk): worker w's copy of chunk c
    contributions: np.ndarray  # (workers, workers): how many workers' values w's chunk c sums
    sent: tuple[tuple[int, int, int], ...]  # (from worker, to worker, chunk)


def ring_allreduce(buffers: Any) -> tuple[np.ndarray, list[RingStep]]:
    """Sum equal-length vectors held by N workers the way NCCL and TF's RING collective do.

    Each vector is cut into N chunks. In N - 1 reduce-scatter steps every worker passes one chunk
    to its right neighbour, who adds it to its own; then each worker owns one fully summed chunk.
    In N - 1 all-gather steps the summed chunks travel round the ring, replacing the partial ones.
    Returns every worker's final vector (all equal to the sum) and the steps, for drawing.
    """
    data = np.asarray(buffers, dtype=np.float64)
    if data.ndim != 2 or data.shape[0] < 2:
        raise ValueError(f"buffers must be (workers >= 2, values), got shape {data.shape}")
    workers, values = data.shape
    if values % workers:
        raise ValueError(f"the number of values ({values}) must be a multiple of the workers ({workers})")
    chunks = data.reshape(workers, workers, values // workers).copy()
    counts = np.broadcast_to(np.eye(workers, dtype=int)[:, None, :], (workers, workers, workers)).copy()
    steps = [RingStep("start", chunks.copy(), counts.sum(axis=2), ())]
    for s in range(workers - 1):  # reduce-scatter: worker w sends chunk (w - s) mod N to w + 1
        sent = tuple((w, (w + 1) % workers, (w - s) % workers) for w in range(workers))
        incoming = [(dst, c, chunks[src, c].copy(), counts[src, c].copy()) for src, dst, c in sent]
        for dst, c, chunk, count in incoming:
            chunks[dst, c] += chunk
            counts[dst, c] += count
        steps.append(RingStep("reduce-scatter", chunks.copy(), counts.sum(axis=2), sent))
    for s in range(workers - 1):  # all-gather: worker w sends its complete chunk (w + 1 - s) mod N
        sent = tuple((w, (w + 1) % workers, (w + 1 - s) % workers) for w in range(workers))
        incoming = [(dst, c, chunks[src, c].copy(), counts[src, c].copy()) for src, dst, c in sent]
        for dst, c, chunk, count in incoming:
            chunks[dst, c] = chunk
            counts[dst, c] = count
        steps.append(RingStep("all-gather", chunks.copy(), counts.sum(axis=2), sent))
    return chunks.reshape(workers, values), steps


def draw_ring_step(fig: Figure, step: RingStep, index: int) -> None:
    """Workers on a circle; each one's chunks as a row of cells shaded by how many workers they sum."""
    workers = step.chunks.shape[0]
    fig.clear()
    ring, table = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.0, 1.25]})
    angles = np.pi / 2 - 2 * np.pi * np.arange(workers) / workers
    xy = np.c_[np.cos(angles), np.sin(angles)]
    ring.add_patch(Circle((0, 0), 1.0, fill=False, color="0.8", linewidth=1))
    for src, dst, chunk in step.sent:
        start, end = xy[src] * 0.85, xy[dst] * 0.85
        ring.annotate("", xy=end, xytext=start, arrowprops={
            "arrowstyle": "-|>", "color": PALETTE[chunk % len(PALETTE)], "linewidth": 2.0,
            "connectionstyle": "arc3,rad=-0.25"})
        middle = 0.62 * (start + end) / 2 / max(np.linalg.norm((start + end) / 2), 1e-9)
        ring.text(*middle, f"c{chunk}", ha="center", va="center", fontsize=8,
                  color=PALETTE[chunk % len(PALETTE)])
    for w in range(workers):
        ring.scatter(*xy[w], s=700, color="white", edgecolors="k", zorder=3)
        ring.text(*xy[w], f"w{w}", ha="center", va="center", zorder=4)
    ring.set(xlim=(-1.4, 1.4), ylim=(-1.4, 1.4), aspect="equal", xticks=[], yticks=[],
             title=f"step {index}: {step.phase}")
    image = table.imshow(step.contributions, cmap="Blues", vmin=0, vmax=workers)
    for w in range(workers):
        for c in range(workers):
            count = step.contributions[w, c]
            table.text(c, w, f"{count}/{workers}", ha="center", va="center", fontsize=8,
                       color="white" if count > workers / 2 else "k")
    table.set(xticks=range(workers), xticklabels=[f"c{c}" for c in range(workers)],
              yticks=range(workers), yticklabels=[f"w{w}" for w in range(workers)],
              xlabel="chunk of the gradient vector", ylabel="worker",
              title="workers' gradients summed in each copy")
    fig.colorbar(image, ax=table, shrink=0.8, label="workers summed")


def ring_explorer(num_workers: int = 4, seed: int = 45) -> Any:
    """Step through a ring all-reduce of random gradients on ``num_workers`` workers."""
    import ipywidgets as ipw

    from utils.widgets import Explorer

    workers = _whole("num_workers", num_workers, 2)
    rng = np.random.default_rng(seed)
    gradients = rng.normal(size=(workers, 2 * workers))
    _, steps = ring_allreduce(gradients)
    chunk_size = gradients.shape[1] // workers
    total = gradients.sum(axis=0)

    def draw(fig: Figure, step: int) -> str:
        draw_ring_step(fig, steps[step], step)
        sent = step * chunk_size
        done = np.allclose(steps[step].chunks.reshape(workers, -1), total)
        return (f"{steps[step].phase}: after {step} of {2 * (workers - 1)} steps each worker has sent "
                f"{sent} of the {2 * workers} gradient values" + (" - every worker holds the sum."
                                                                  if done else "."))

    controls = {"step": ipw.IntSlider(value=0, min=0, max=len(steps) - 1, description="step",
                                      continuous_update=False)}
    return Explorer(controls, draw, figsize=(8.4, 3.6))


# ---------------------------------------------------------------------------------------------
# The cluster: TF_CONFIG, ports, worker processes
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def tf_config(workers: Sequence[str], index: int) -> dict[str, Any]:
    """The ``TF_CONFIG`` of worker ``index`` in a cluster of ``workers`` ("host:port" strings)."""
    addresses = list(workers)
    if not addresses or not all(isinstance(a, str) and a.rpartition(":")[2].isdigit() for a in addresses):
        raise ValueError(f"workers must be 'host:port' strings, got {workers!r}")
    position = _whole("index", index, 0)
    if position >= len(addresses):
        raise ValueError(f"index must be below the {len(addresses)} workers, got {position}")
    return {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": position}}


@dataclass
class WorkerRun:
    """What a multi-worker run left: every worker's log, its exit code, the chief's result, seconds."""

    logs: list[str]
    returncodes: list[int]
    result: dict[str, Any]
    seconds: float
    work_dir: Path = field(default_factory=Path)

    def log_lines(self, worker: int, contains: str = "") -> list[str]:
        """The lines of one worker's log (without TensorFlow's start-up noise) holding ``contains``."""
        return [line for line in self.logs[worker].splitlines()
                if line.startswith("worker") and contains in line]


_RUNNING: set[subprocess.Popen] = set()


def track_process(process: subprocess.Popen) -> subprocess.Popen:
    """Register a child process (started in its own session) to be stopped at interpreter exit."""
    _RUNNING.add(process)
    return process


def stop_process(process: subprocess.Popen, grace: float = 3.0) -> None:
    """Terminate a child process group (SIGTERM), then kill it (SIGKILL) if it outlives ``grace`` s."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=grace)
    _RUNNING.discard(process)


@atexit.register
def _stop_all() -> None:
    for process in list(_RUNNING):
        stop_process(process, grace=1.0)


@contextlib.contextmanager
def worker_processes(work_dir: Path, num_workers: int = 2,
                     cluster_size: int | None = None) -> Iterator[list[subprocess.Popen]]:
    """Start ``num_workers`` worker processes on 127.0.0.1; stop every one of them on the way out.

    ``cluster_size`` (default: ``num_workers``) larger than ``num_workers`` leaves the last workers
    of the cluster missing, as when a machine never comes up: the started ones wait for them.
    """
    work_dir = Path(work_dir)
    count = _whole("num_workers", num_workers)
    size = count if cluster_size is None else _whole("cluster_size", cluster_size, count)
    addresses = [f"{LOOPBACK}:{free_port()}" for _ in range(size)]
    processes: list[subprocess.Popen] = []
    root = Path(__file__).resolve().parents[2]
    try:
        for index in range(count):
            env = dict(os.environ, TF_CONFIG=json.dumps(tf_config(addresses, index)),
                       CUDA_VISIBLE_DEVICES="-1", TF_CPP_MIN_LOG_LEVEL="2",
                       PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
            log = open(work_dir / f"worker{index}.log", "w")  # noqa: SIM115 - closed with the process
            process = subprocess.Popen(
                [sys.executable, "-m", "utils.production.distributed", "--work-dir", str(work_dir)],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=work_dir)
            log.close()
            processes.append(process)
            track_process(process)
        yield processes
    finally:
        for process in processes:
            stop_process(process)


def run_workers(work_dir: Path, num_workers: int = 2, timeout: float = 120.0,
                cluster_size: int | None = None) -> WorkerRun:
    """Run a multi-worker training to the end (or ``timeout`` seconds) and collect what it left."""
    work_dir = Path(work_dir)
    if not (work_dir / "job.json").exists():
        raise ValueError(f"{work_dir} has no job.json: write the job with write_job first")
    for stale in [*work_dir.glob("result*.json"), *work_dir.glob("ids*.npy")]:
        stale.unlink()
    start = time.perf_counter()
    with worker_processes(work_dir, num_workers, cluster_size) as processes:
        deadline = start + timeout
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.perf_counter()))
            except subprocess.TimeoutExpired:
                break
        codes = [process.poll() for process in processes]
    seconds = time.perf_counter() - start
    logs = [(work_dir / f"worker{k}.log").read_text() for k in range(num_workers)]
    if any(code is None for code in codes):
        raise TimeoutError(f"the workers did not finish within {timeout:.0f} s (a worker missing, failed "
                           "or too slow); the last lines of worker 0:\n" + "\n".join(logs[0].splitlines()[-8:]))
    if any(codes):
        failed = next(k for k, code in enumerate(codes) if code)
        raise RuntimeError(f"worker {failed} exited with code {codes[failed]}; its last lines:\n"
                           + "\n".join(logs[failed].splitlines()[-12:]))
    result = json.loads((work_dir / "result0.json").read_text())
    result["ids"] = [np.load(work_dir / f"ids{k}.npy") for k in range(num_workers)]
    return WorkerRun(logs, [int(c) for c in codes], result, seconds, work_dir)


# ---------------------------------------------------------------------------------------------
# The job: data, initial weights, the training loop (the same on one device and on many)
# ---------------------------------------------------------------------------------------------


def build_classifier(input_dim: int, classes: int, hidden: int = 64) -> Any:
    """The small dense classifier every worker builds (softmax output)."""
    import keras

    return keras.Sequential([
        keras.Input((_whole("input_dim", input_dim),)),
        keras.layers.Dense(_whole("hidden", hidden), activation="relu"),
        keras.layers.Dense(_whole("classes", classes, 2), activation="softmax"),
    ])


def write_job(work_dir: Path, X: Any, y: Any, model: Any, *, epochs: int, global_batch_size: int,
              learning_rate: float) -> Path:
    """Write what every worker reads: the data, the model's initial weights, the settings."""
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    X, y = np.asarray(X, dtype=np.float32), np.asarray(y)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X must be (n, features) and y (n,), got {X.shape} and {y.shape}")
    np.savez(work_dir / "data.npz", X=X, y=y.astype(np.int64))
    np.savez(work_dir / "initial_weights.npz", *model.get_weights())
    job = {"epochs": _whole("epochs", epochs), "global_batch_size": _whole("global_batch_size", global_batch_size),
           "learning_rate": float(learning_rate), "input_dim": int(X.shape[1]), "classes": int(y.max() + 1),
           "hidden": int(model.layers[0].units)}
    (work_dir / "job.json").write_text(json.dumps(job, indent=1))
    return work_dir


def train_loop(model: Any, dataset: Any, *, epochs: int, global_batch_size: int, learning_rate: float,
               strategy: Any = None, log: logging.Logger | None = None,
               seen_ids: list[int] | None = None) -> list[float]:
    """Plain SGD on sparse cross-entropy, one replica or many; returns the mean loss of each epoch.

    ``seen_ids``, when given, collects the ids of the examples this process trained on in epoch 1.

    Under a strategy each replica's loss is its summed per-example losses over the global batch
    (``tf.nn.compute_average_loss``), so the all-reduced gradient equals the one-device gradient.
    """
    import keras
    import tensorflow as tf

    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        optimizer = keras.optimizers.SGD(learning_rate)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(reduction="none")

    def step(x: Any, y: Any, ids: Any) -> Any:
        with tf.GradientTape() as tape:
            per_example = loss_fn(y, model(x, training=True))
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch_size)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss, ids

    @tf.function
    def distributed_step(x: Any, y: Any, ids: Any) -> Any:
        loss, ids = strategy.run(step, args=(x, y, ids))
        return (strategy.reduce(tf.distribute.ReduceOp.SUM, loss, axis=None),
                strategy.experimental_local_results(ids))

    losses = []
    for epoch in range(_whole("epochs", epochs)):
        total, steps = 0.0, 0
        for x, y, ids in dataset:
            loss, local_ids = distributed_step(x, y, ids)
            total, steps = total + float(loss), steps + 1
            here = np.concatenate([np.asarray(part) for part in local_ids])
            if epoch == 0 and seen_ids is not None:
                seen_ids.extend(int(i) for i in here)
            if log is not None and epoch == 0 and steps <= 2:
                log.info("epoch 1 step %d: %d examples here, ids %d..%d, global loss %.4f", steps,
                         len(here), here.min(), here.max(), float(loss))
        losses.append(total / steps)
        if log is not None:
            log.info("epoch %d: mean loss %.6f over %d steps", epoch + 1, losses[-1], steps)
    return losses


class Preempted(RuntimeError):
    """Raised by :func:`simulated_preemption`: the machine was taken away in the middle of training."""


def simulated_preemption(after_epoch: int) -> Any:
    """A Keras callback that stops training with :class:`Preempted` at the end of epoch ``after_epoch`` (0-based)."""
    import keras

    last = _whole("after_epoch", after_epoch, 0)

    class SimulatedPreemption(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if epoch == last:
                raise Preempted(f"the worker was preempted after epoch {epoch + 1}")

    return SimulatedPreemption()


def dataset_for(X: Any, y: Any, global_batch_size: int, *, shard: bool = False) -> Any:
    """Batches of (x, y, example id) in a fixed order; with ``shard`` the workers split them by data."""
    import tensorflow as tf

    ids = np.arange(len(X), dtype=np.int64)
    dataset = tf.data.Dataset.from_tensor_slices((X, y, ids)).batch(global_batch_size, drop_remainder=True)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = (
        tf.data.experimental.AutoShardPolicy.DATA if shard else tf.data.experimental.AutoShardPolicy.OFF)
    return dataset.with_options(options)


def worker_main(work_dir: Path) -> int:
    """One worker of the cluster described by ``TF_CONFIG``: train on its shard, the chief saves."""
    config = json.loads(os.environ.get("TF_CONFIG", "{}"))
    index = int(config.get("task", {}).get("index", 0))
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format=f"worker {index} %(asctime)s.%(msecs)03d %(message)s", datefmt="%H:%M:%S")
    log = logging.getLogger(f"worker{index}")
    import keras
    import tensorflow as tf

    job = json.loads((work_dir / "job.json").read_text())
    communication = tf.distribute.experimental.CommunicationOptions(
        implementation=tf.distribute.experimental.CommunicationImplementation.RING)
    strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=communication)
    log.info("joined a cluster of %d workers (%s); %d replica(s) in sync", len(config["cluster"]["worker"]),
             ", ".join(config["cluster"]["worker"]), strategy.num_replicas_in_sync)
    data = np.load(work_dir / "data.npz")
    with strategy.scope():
        model = build_classifier(job["input_dim"], job["classes"], job["hidden"])
        weights = np.load(work_dir / "initial_weights.npz")
        model.set_weights([weights[f"arr_{k}"] for k in range(len(weights.files))])
    dataset = strategy.experimental_distribute_dataset(
        dataset_for(data["X"], data["y"], job["global_batch_size"], shard=True))
    start = time.perf_counter()
    seen: list[int] = []
    losses = train_loop(model, dataset, epochs=job["epochs"], global_batch_size=job["global_batch_size"],
                        learning_rate=job["learning_rate"], strategy=strategy, log=log, seen_ids=seen)
    np.save(work_dir / f"ids{index}.npy", np.array(seen, dtype=np.int64))
    seconds = time.perf_counter() - start
    log.info("training took %.2f s", seconds)
    if index == 0:  # the chief writes the result; the others only train
        np.savez(work_dir / "final_weights.npz", *model.get_weights())
        (work_dir / "result0.json").write_text(json.dumps({"losses": losses, "seconds": seconds}))
    keras.backend.clear_session()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of a worker process."""
    parser = argparse.ArgumentParser(description="one worker of a MultiWorkerMirroredStrategy job")
    parser.add_argument("--work-dir", type=Path, required=True, help="folder with job.json and data.npz")
    args = parser.parse_args(argv)
    return worker_main(args.work_dir)


if __name__ == "__main__":
    sys.exit(main())
