"""The set-up call and the target report."""

import json
import os
import random

import matplotlib as mpl
import numpy as np
import pytest

from utils import course, plots


def test_setup_seeds_everything_and_returns_a_generator():
    rng = course.setup(seed=7)
    first = (random.random(), np.random.rand(), rng.random())
    rng = course.setup(seed=7)
    assert (random.random(), np.random.rand(), rng.random()) == first
    assert isinstance(rng, np.random.Generator)


def test_setup_seeds_tensorflow():
    import tensorflow as tf

    course.setup(seed=3)
    a = tf.random.uniform((3,)).numpy()
    course.setup(seed=3)
    np.testing.assert_array_equal(a, tf.random.uniform((3,)).numpy())


def test_setup_applies_style_and_quiets_tensorflow(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)  # whatever the caller's shell set
    mpl.rcParams["axes.grid"] = False
    course.setup()
    assert mpl.rcParams["axes.grid"] is True
    assert mpl.rcParams["axes.spines.top"] is False
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "2"


def test_setup_without_style_leaves_rcparams():
    mpl.rcParams["axes.grid"] = False
    course.setup(style=False)
    assert mpl.rcParams["axes.grid"] is False
    plots.use_course_style()


@pytest.mark.parametrize("seed", [-1, 1.5, "42", True])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        course.setup(seed=seed)


def test_quiet_tensorflow_keeps_a_level_the_learner_chose(monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    course.quiet_tensorflow()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"


def test_setup_turns_tf32_off_and_names_the_device(capsys):
    import tensorflow as tf

    tf.config.experimental.enable_tensor_float_32_execution(True)
    course.setup(seed=5)
    assert tf.config.experimental.tensor_float_32_execution_enabled() is False
    line = capsys.readouterr().out.strip()
    assert line == f"TensorFlow {tf.__version__} on the CPU; seed 5", line


def test_in_colab_is_false_here():
    assert course.in_colab() is False


def test_report_target_writes_json(tmp_path, monkeypatch):
    monkeypatch.setenv(course.REPORT_DIR_VARIABLE, str(tmp_path))
    result = course.report_target("02_neuron", test_accuracy=np.float32(0.96), passed=True, note="ok")
    assert json.loads((tmp_path / "02_neuron.json").read_text()) == result
    assert isinstance(result["test_accuracy"], float)


def test_report_target_without_folder_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(course.REPORT_DIR_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    assert course.report_target("x", a=1) == {"a": 1}
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad", [{"a": [1, 2]}, {"a": float("nan")}, {"a": None}])
def test_report_target_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="result 'a'"):
        course.report_target("x", **bad)


def test_report_target_needs_a_name():
    with pytest.raises(ValueError, match="non-empty"):
        course.report_target("", a=1)
