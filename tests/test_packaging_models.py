"""Packaging a model: the written package builds into a wheel offline, installs into a fresh
environment with no index, and predicts from its CLI and from Python what the model predicts."""

import json
import logging

import numpy as np
import pytest

from utils.production import packaging


def test_version_keys_order_releases_like_pip():
    versions = ["1.10.0", "1.9.3", "1.2", "2", "0.12.1"]
    assert sorted(versions, key=lambda v: tuple(packaging.version_key(v))) == ["0.12.1", "1.2", "1.9.3",
                                                                               "1.10.0", "2"]
    assert list(packaging.version_key("3")) == [3, 0, 0]


@pytest.mark.parametrize("call, message", [
    (lambda: packaging.version_key("1.2.3.4"), "1.2.3"),
    (lambda: packaging.version_key("v1"), "1.2.3"),
    (lambda: packaging.version_key(1.2), "1.2.3"),
    (lambda: packaging.passes(10, -1, 0), "logger_level"),
    (lambda: packaging.passes(True, 0, 0), "record_level"),
    (lambda: packaging.effective_level({}, None), "dotted logger name"),
    (lambda: packaging.logging_explorer([]), "at least one"),
    (lambda: packaging._check_spec(packaging.PackageSpec(package="Digit-Reader")), "lower-case Python name"),
    (lambda: packaging._check_spec(packaging.PackageSpec(version="one")), "1.2.3"),
    (lambda: packaging._check_spec(packaging.PackageSpec(command="Read Digits")), "command"),
])
def test_bad_arguments_say_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_effective_level_and_routing_match_pythons_logging():
    levels = {"": logging.ERROR, "pkg": logging.DEBUG, "pkg.sub": 0}
    manager = logging.Manager(logging.RootLogger(levels[""]))
    manager.getLogger("pkg").setLevel(logging.DEBUG)
    for name in ["pkg.sub.leaf", "pkg", "other"]:
        assert packaging.effective_level(levels, name) == manager.getLogger(name).getEffectiveLevel()
    assert packaging.effective_level({}, "a.b") == logging.WARNING
    records = [("pkg.sub", logging.INFO, "a"), ("other", logging.WARNING, "b")]
    table = packaging.routing(records, levels, {"console": logging.WARNING, "file": logging.DEBUG})
    assert table.tolist() == [[False, True], [False, False]]


def test_logging_explorer_counts_what_each_handler_shows():
    explorer = packaging.logging_explorer()
    assert "console shows 2 of 7 records, the log file 2" in explorer.status.value
    explorer.set(package="DEBUG")
    assert "console shows 2 of 7 records, the log file 6" in explorer.status.value


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    import keras

    work = tmp_path_factory.mktemp("package")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3, activation="softmax")])
    spec = packaging.PackageSpec(package="tiny_model", version="0.3.1", command="tiny-model",
                                 description="A tiny test model.")
    root = packaging.write_package(work / "tiny", model, spec)
    wheel = packaging.build_wheel(root, work / "dist")
    env = packaging.fresh_environment(work / "env")
    lines = packaging.pip_install(env, wheel)
    return model, work, wheel, env, lines


def test_the_wheel_carries_the_weights_metadata_and_entry_point(installed):
    model, work, wheel, env, lines = installed
    assert wheel.name == "tiny_model-0.3.1-py3-none-any.whl"
    names = dict(packaging.wheel_contents(wheel))
    assert names["tiny_model/model.keras"] > 1000
    assert "tiny-model = tiny_model.cli:main" in packaging.wheel_file(wheel, "entry_points.txt")
    assert "Requires-Dist: keras>=3.10" in packaging.wheel_file(wheel, "METADATA")
    assert any("Successfully installed tiny-model-0.3.1" in line for line in lines)
    assert "tiny_model.cli" in packaging.tree(work / "tiny").replace("/", ".") or "cli.py" in packaging.tree(
        work / "tiny")


def test_installed_package_predicts_what_the_model_predicts(installed):
    model, work, wheel, env, _ = installed
    images = np.random.default_rng(1).uniform(size=(5, 6)).astype("float32")
    np.save(work / "x.npy", images)
    cli = packaging.run_in(env, [env.script("tiny-model"), work / "x.npy", "--proba", "--log-level", "INFO"])
    assert cli.returncode == 0, cli.stderr
    answer = json.loads(cli.stdout)
    expected = model.predict(images, verbose=0)
    assert answer["predictions"] == expected.argmax(axis=1).tolist()
    assert np.allclose(answer["probabilities"], expected, atol=1e-6)
    assert "INFO    tiny_model.model: model loaded" in cli.stderr  # the log went to stderr
    python = packaging.run_in(env, [env.python, "-c", "import tiny_model, sys; print(tiny_model.__version__, "
                                    "tiny_model.__file__.startswith(sys.prefix))"])
    assert python.stdout.split() == ["0.3.1", "True"], python.stderr


def test_the_cli_reports_bad_input_as_a_logged_error(installed):
    model, work, wheel, env, _ = installed
    np.save(work / "bad.npy", np.zeros((2, 5), dtype="float32"))
    cli = packaging.run_in(env, [env.script("tiny-model"), work / "bad.npy"])
    assert cli.returncode == 2 and cli.stdout == ""
    assert "ERROR" in cli.stderr and "images must be (n, 6)" in cli.stderr


def test_fresh_environment_refuses_a_used_folder_and_build_needs_a_project(tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "file").write_text("x")
    with pytest.raises(ValueError, match="not empty"):
        packaging.fresh_environment(tmp_path / "used")
    with pytest.raises(ValueError, match="pyproject.toml"):
        packaging.build_wheel(tmp_path, tmp_path / "dist")
