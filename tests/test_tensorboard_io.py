"""Scalars and graphs written with tf.summary (and Keras' callback) are read back from the event files."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.foundations import tensorboard_io as tbio  # noqa: E402

tf = pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    folder = tbio.reset_logdir(tmp_path_factory.mktemp("run") / "logs")
    writer = tf.summary.create_file_writer(str(folder / "train"))

    @tf.function
    def square(x):
        return tf.reduce_sum(x * x)

    with writer.as_default():
        tf.summary.trace_on(graph=True)
        square(tf.constant([1.0, 2.0]))
        tf.summary.trace_export("square", step=0)
        for step in range(5):
            tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
    writer.flush()
    other = tf.summary.create_file_writer(str(folder / "valid"))
    with other.as_default():
        for step in range(3):
            tf.summary.scalar("loss", 2.0 - step, step=step)
    other.flush()
    return folder


def test_reset_logdir_empties_and_recreates(tmp_path):
    folder = tmp_path / "logs"
    (folder / "old").mkdir(parents=True)
    (folder / "old" / "file.txt").write_text("x")
    assert tbio.reset_logdir(folder) == folder and folder.is_dir() and not any(folder.iterdir())
    assert tbio.reset_logdir(tmp_path / "new" / "logs").is_dir()


def test_reset_logdir_refuses_other_folders(tmp_path):
    with pytest.raises(ValueError, match="named 'logs'"):
        tbio.reset_logdir(tmp_path)
    (tmp_path / "logs").write_text("a file")
    with pytest.raises(ValueError, match="not a folder"):
        tbio.reset_logdir(tmp_path / "logs")


def test_event_files(logdir, tmp_path):
    files = tbio.event_files(logdir)
    assert len(files) == 2 and all(f.name.startswith("events.out.tfevents.") for f in files)
    with pytest.raises(ValueError, match="not an existing folder"):
        tbio.event_files(tmp_path / "missing")
    with pytest.raises(ValueError, match="no TensorBoard event files"):
        tbio.event_files(tmp_path)


def test_read_scalars(logdir):
    scalars = tbio.read_scalars(logdir)
    assert list(scalars.columns) == ["run", "tag", "step", "value", "wall_time"]
    train = scalars[scalars.run == "train"]
    assert train.step.tolist() == [0, 1, 2, 3, 4]
    assert np.allclose(train.value, [1.0, 0.5, 1 / 3, 0.25, 0.2])
    assert scalars[scalars.run == "valid"].value.tolist() == [2.0, 1.0, 0.0]
    assert "square" not in set(scalars.tag)  # the graph is not a scalar


def test_scalar_table(logdir):
    table = tbio.scalar_table(tbio.read_scalars(logdir))
    assert list(table.columns) == ["train/loss", "valid/loss"] and len(table) == 5
    assert np.isnan(table.loc[4, "valid/loss"])
    only = tbio.scalar_table(tbio.read_scalars(logdir), runs=["valid"])
    assert list(only.columns) == ["valid/loss"]
    with pytest.raises(ValueError, match="unknown run"):
        tbio.scalar_table(tbio.read_scalars(logdir), runs=["test"])
    with pytest.raises(ValueError, match="missing column"):
        tbio.scalar_table(tbio.read_scalars(logdir).drop(columns="step"))


def test_graph_op_types(logdir):
    ops = tbio.graph_op_types(logdir)
    assert "Mul" in ops and "Sum" in ops and ops == dict(sorted(ops.items(), key=lambda kv: (-kv[1], kv[0])))
    with pytest.raises(ValueError, match="no graph"):
        tbio.graph_op_types(logdir / "valid")
