"""The arithmetic of data parallelism, the ring all-reduce, and real worker processes on loopback."""

import json
import socket

import numpy as np
import pytest
import tensorflow as tf

from utils.production import distributed


def test_replica_losses_add_up_to_the_global_mean_and_equal_tensorflows():
    losses = np.random.default_rng(0).gamma(2.0, size=12)
    parts = [distributed.replica_loss(part, 12) for part in np.split(losses, 3)]
    assert sum(parts) == pytest.approx(losses.mean())
    assert parts[0] == pytest.approx(float(tf.nn.compute_average_loss(losses[:4], global_batch_size=12)))


@pytest.mark.parametrize("call, message", [
    (lambda: distributed.replica_loss([], 4), "non-empty"),
    (lambda: distributed.replica_loss([[1.0]], 4), "1-D"),
    (lambda: distributed.replica_loss([1.0, np.nan], 4), "NaN"),
    (lambda: distributed.replica_loss([1.0], 0), "global_batch_size"),
    (lambda: distributed.shard_indices(10, 4, 2, 2), "below num_workers"),
    (lambda: distributed.shard_indices(10, 5, 2, 0), "multiple of num_workers"),
    (lambda: distributed.shard_indices(10, 4, 2.0, 0), "whole number"),
    (lambda: distributed.ring_traffic(0, 10), "num_workers"),
    (lambda: distributed.ring_allreduce(np.ones((1, 4))), "workers >= 2"),
    (lambda: distributed.ring_allreduce(np.ones((3, 4))), "multiple"),
    (lambda: distributed.tf_config(["localhost"], 0), "host:port"),
    (lambda: distributed.tf_config(["a:1", "b:2"], 2), "below the 2 workers"),
    (lambda: distributed.ring_explorer(1), "num_workers"),
])
def test_bad_arguments_say_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_shards_partition_the_full_batches():
    shards = [distributed.shard_indices(103, 12, 3, k) for k in range(3)]
    assert np.array_equal(np.sort(np.concatenate(shards)), np.arange(96))
    assert list(shards[1][:5]) == [4, 5, 6, 7, 16]


@pytest.mark.parametrize("workers", [2, 3, 5])
def test_ring_allreduce_sums_and_sends_what_ring_traffic_says(workers):
    buffers = np.random.default_rng(workers).normal(size=(workers, 4 * workers))
    result, steps = distributed.ring_allreduce(buffers)
    assert np.allclose(result, buffers.sum(axis=0))
    assert len(steps) == 2 * (workers - 1) + 1
    assert steps[workers - 1].contributions.max() == workers  # reduce-scatter done: a full chunk each
    sent = sum(len(step.sent) for step in steps) * 4 / workers  # chunks of 4 values, all workers
    assert sent == pytest.approx(distributed.ring_traffic(workers, 4 * workers))
    assert np.all(steps[-1].contributions == workers)


def test_ring_explorer_steps_to_the_sum():
    explorer = distributed.ring_explorer(3)
    assert "0 of 4 steps" in explorer.status.value
    explorer.set(step=4)
    assert "every worker holds the sum" in explorer.status.value


def test_free_port_is_on_loopback_and_tf_config_names_the_task():
    port = distributed.free_port()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # still free
    config = distributed.tf_config([f"127.0.0.1:{port}", "127.0.0.1:1"], 1)
    assert config == {"cluster": {"worker": [f"127.0.0.1:{port}", "127.0.0.1:1"]},
                      "task": {"type": "worker", "index": 1}}
    json.dumps(config)


def _job(tmp_path, epochs=2):
    import keras

    rng = np.random.default_rng(1)
    X = rng.normal(size=(256, 6)).astype("float32")
    y = (X[:, 0] + X[:, 1] > 0).astype("int64")
    keras.utils.set_random_seed(3)
    model = distributed.build_classifier(6, 2, hidden=8)
    distributed.write_job(tmp_path, X, y, model, epochs=epochs, global_batch_size=32, learning_rate=0.3)
    return X, y, model


def test_write_job_rejects_bad_shapes(tmp_path):
    model = distributed.build_classifier(3, 2, hidden=4)
    with pytest.raises(ValueError, match="X must be"):
        distributed.write_job(tmp_path, np.ones((4, 3)), np.ones(5), model, epochs=1, global_batch_size=2,
                              learning_rate=0.1)
    with pytest.raises(ValueError, match="no job.json"):
        distributed.run_workers(tmp_path / "empty")


def test_two_workers_train_like_one_device(tmp_path):
    X, y, model = _job(tmp_path)
    single = distributed.train_loop(model, distributed.dataset_for(X, y, 32), epochs=2, global_batch_size=32,
                                    learning_rate=0.3)
    run = distributed.run_workers(tmp_path, 2, timeout=120)
    assert run.returncodes == [0, 0]
    assert np.allclose(run.result["losses"], single, rtol=1e-5)
    for k in range(2):
        assert np.array_equal(np.sort(run.result["ids"][k]), distributed.shard_indices(256, 32, 2, k))
        assert run.log_lines(k, "epoch 2: mean loss")
    final = np.load(tmp_path / "final_weights.npz")
    assert all(np.allclose(w, final[f"arr_{k}"], atol=1e-5) for k, w in enumerate(model.get_weights()))


def test_a_worker_whose_peer_never_comes_is_stopped_and_its_port_freed(tmp_path):
    _job(tmp_path, epochs=1)
    with pytest.raises(TimeoutError, match="did not finish within 4 s"):
        distributed.run_workers(tmp_path, 1, timeout=4, cluster_size=2)
    assert not distributed._RUNNING
    with pytest.raises(ValueError, match="cluster_size"):
        distributed.run_workers(tmp_path, 2, cluster_size=1)


def test_backup_and_restore_resumes_after_a_simulated_preemption(tmp_path):
    import keras

    X = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = (X[:, 0] > 0).astype("int64")
    model = distributed.build_classifier(3, 2, hidden=4)
    model.compile("sgd", "sparse_categorical_crossentropy")
    backup = keras.callbacks.BackupAndRestore(str(tmp_path))
    with pytest.raises(distributed.Preempted, match="after epoch 2"):
        model.fit(X, y, epochs=4, verbose=0, callbacks=[backup, distributed.simulated_preemption(1)])
    history = model.fit(X, y, epochs=4, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(str(tmp_path))])
    assert history.epoch == [2, 3]
    with pytest.raises(ValueError, match="after_epoch"):
        distributed.simulated_preemption(-1)
