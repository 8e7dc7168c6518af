"""Packaging a model: write an installable package around it, build its wheel, install it offline.

The package (``src`` layout, ``pyproject.toml``, the weights as package data, a ``predict``
function, a command-line entry point and library-style logging) is written from the templates
below; the wheel is built by pip with this environment's setuptools, without network; a fresh
virtual environment sees this environment's packages through a ``.pth`` file, so installing with
``--no-index`` needs nothing from the internet. Logging levels and a log-routing explorer too.
Introduced in notebook 44.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

PACKAGE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
VERSION = re.compile(r"^\d+(\.\d+){0,2}$")
LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING,
          "ERROR": logging.ERROR, "CRITICAL": logging.CRITICAL}

# ---------------------------------------------------------------------------------------------
# Versions and logging levels
# ---------------------------------------------------------------------------------------------


def version_key(version: str) -> np.ndarray:
    """``"MAJOR.MINOR.PATCH"`` as three integers, missing parts 0: compare versions by this key."""
    if not isinstance(version, str) or not VERSION.match(version.strip()):
        raise ValueError(f"version must look like '1.2.3' (one to three whole numbers), got {version!r}")
    parts = [int(part) for part in version.strip().split(".")]
    return np.array(parts + [0] * (3 - len(parts)), dtype=np.int64)


def passes(record_level: int, logger_level: int, handler_level: int) -> bool:
    """Whether a record logged at ``record_level`` reaches a handler: both levels must let it through."""
    for name, value in (("record_level", record_level), ("logger_level", logger_level),
                        ("handler_level", handler_level)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a logging level (a whole number >= 0), got {value!r}")
    return bool(record_level >= logger_level and record_level >= handler_level)


def effective_level(levels: Mapping[str, int], name: str) -> int:
    """The level a logger acts on: its own, else the nearest ancestor's that is set, else the root's.

    ``levels`` maps dotted logger names to levels, 0 (NOTSET) meaning "not set"; the root logger
    is ``""`` and, when absent, has Python's default level WARNING.
    """
    if not isinstance(name, str):
        raise ValueError(f"name must be a dotted logger name, got {name!r}")
    parts = name.split(".") if name else []
    for end in range(len(parts), 0, -1):
        level = int(levels.get(".".join(parts[:end]), 0))
        if level:
            return level
    return int(levels.get("", logging.WARNING))


# ---------------------------------------------------------------------------------------------
# The package: templates and writing it
# ---------------------------------------------------------------------------------------------

PYPROJECT = '''\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "{distribution}"
version = "{version}"
description = "{description}"
readme = "README.md"
requires-python = ">=3.10"
# Keras runs on whichever backend the user installed (TensorFlow, JAX or PyTorch)
dependencies = ["numpy>=2.0", "keras>=3.10"]

[project.scripts]
{command} = "{package}.cli:main"

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
{package} = ["model.keras"]
'''

INIT = '''\
"""{description}"""

import logging
from importlib.metadata import PackageNotFoundError, version

from {package}.model import predict, predict_proba

__all__ = ["predict", "predict_proba"]
try:
    __version__ = version("{distribution}")
except PackageNotFoundError:  # imported from a source folder, not installed
    __version__ = "0+unknown"

# a library never configures logging: it hands its records to whoever uses it
logging.getLogger(__name__).addHandler(logging.NullHandler())
'''

MODEL = '''\
"""The trained model, loaded once from the package's own data."""

import logging
from functools import lru_cache
from importlib.resources import as_file, files

import numpy as np

log = logging.getLogger(__name__)
INPUT_SHAPE = {input_shape}
CLASSES = {classes}


@lru_cache(maxsize=1)
def _model():
    import keras

    with as_file(files("{package}") / "model.keras") as path:
        log.debug("loading weights from %s", path)
        model = keras.models.load_model(path, compile=False)
    log.info("model loaded: %d parameters", model.count_params())
    return model


def predict_proba(images):
    """Class probabilities, one row per image ({input_shape_text} floats in [0, 1])."""
    batch = np.asarray(images, dtype="float32")
    if batch.shape[1:] != INPUT_SHAPE:
        raise ValueError(f"images must be (n, {input_shape_text}), got {{batch.shape}}")
    if not np.all(np.isfinite(batch)):
        raise ValueError("images contain NaN or infinite values")
    if batch.min() < 0 or batch.max() > 1:
        log.warning("pixel values outside [0, 1] (min %.3g, max %.3g): were the images scaled?",
                    batch.min(), batch.max())
    log.debug("predicting %d images", len(batch))
    return _model().predict(batch, verbose=0)


def predict(images):
    """The most probable class of each image."""
    return predict_proba(images).argmax(axis=1)
'''

CLI = '''\
"""Command line: {command} IMAGES.npy [--proba] [--log-level LEVEL]"""

import argparse
import json
import logging
import sys

import numpy as np

from {package} import __version__
from {package}.model import predict_proba

log = logging.getLogger(__name__)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="{command}", description="{description}")
    parser.add_argument("images", help="a .npy file of images, shape (n, {input_shape_text})")
    parser.add_argument("--proba", action="store_true", help="print probabilities too")
    parser.add_argument("--log-level", default="WARNING",
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="what to log on stderr (default: WARNING)")
    parser.add_argument("--version", action="version", version=__version__)
    args = parser.parse_args(argv)
    # the application, not the library, decides where records go and how they look
    logging.basicConfig(level=args.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    log.info("{command} %s reading %s", __version__, args.images)
    try:
        images = np.load(args.images)
        probabilities = predict_proba(images)
    except (OSError, ValueError) as error:
        log.error("%s", error)
        return 2
    result = {{"predictions": probabilities.argmax(axis=1).tolist()}}
    if args.proba:
        result["probabilities"] = probabilities.tolist()
    sys.stdout.write(json.dumps(result) + "\\n")  # the answer goes to stdout, the log to stderr
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''

README = '''\
# {distribution}

{description}

    pip install {distribution}
    {command} images.npy --log-level INFO

```python
import {package}
{package}.predict(images)   # images: (n, {input_shape_text}) floats in [0, 1]
```
'''


@dataclass(frozen=True)
class PackageSpec:
    """What the written package is called and what it wraps."""

    package: str = "digit_reader"
    version: str = "1.0.0"
    command: str = "read-digits"
    description: str = "Reads handwritten digits (28 x 28 MNIST-style images)."

    @property
    def distribution(self) -> str:
        return self.package.replace("_", "-")


def _check_spec(spec: PackageSpec) -> None:
    if not PACKAGE_NAME.match(spec.package):
        raise ValueError(f"package must be a lower-case Python name like 'digit_reader', got {spec.package!r}")
    version_key(spec.version)
    if not re.match(r"^[a-z][a-z0-9-]*$", spec.command):
        raise ValueError(f"command must be lower-case letters, digits and dashes, got {spec.command!r}")


def write_package(root: Path, model: Any, spec: PackageSpec = PackageSpec()) -> Path:
    """Write the package's source tree around ``model`` (saved as package data) into ``root``."""
    _check_spec(spec)
    root = Path(root)
    shape = tuple(int(d) for d in model.input_shape[1:])
    if not shape or any(d <= 0 for d in shape):
        raise ValueError(f"the model needs a fixed input shape, got {model.input_shape}")
    import keras

    values = {"distribution": spec.distribution, "version": spec.version, "package": spec.package,
              "command": spec.command, "description": spec.description,
              "input_shape": repr(shape), "input_shape_text": " x ".join(map(str, shape)),
              "classes": int(model.output_shape[-1])}
    source = root / "src" / spec.package
    source.mkdir(parents=True, exist_ok=True)
    files = {root / "pyproject.toml": PYPROJECT, root / "README.md": README,
             source / "__init__.py": INIT, source / "model.py": MODEL, source / "cli.py": CLI}
    for path, template in files.items():
        path.write_text(template.format(**values))
    keras.models.save_model(model, source / "model.keras")
    return root


def tree(root: Path) -> str:
    """The files under ``root`` as an indented listing with sizes (build folders left out)."""
    root = Path(root)
    lines = [f"{root.name}/"]
    for path in sorted(root.rglob("*")):
        if any(part in {"build", "__pycache__"} or part.endswith(".egg-info")
               for part in path.relative_to(root).parts):
            continue
        depth = len(path.relative_to(root).parts)
        size = f"  ({path.stat().st_size / 1e3:.1f} kB)" if path.is_file() else "/"
        lines.append("    " * depth + path.name + size)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Building, a fresh environment, installing, running
# ---------------------------------------------------------------------------------------------


def _run(command: Sequence[Any], timeout: float, **options: Any) -> subprocess.CompletedProcess:
    result = subprocess.run(list(map(str, command)), capture_output=True, text=True, timeout=timeout,
                            **options)
    if result.returncode:
        raise RuntimeError(f"{' '.join(map(str, command[:4]))} ... failed ({result.returncode}):\n"
                           + (result.stderr or result.stdout)[-2000:])
    return result


def build_wheel(root: Path, out_dir: Path, timeout: float = 120.0) -> Path:
    """Build the package's wheel with pip and this environment's setuptools, offline."""
    root, out_dir = Path(root), Path(out_dir)
    if not (root / "pyproject.toml").exists():
        raise ValueError(f"{root} has no pyproject.toml")
    out_dir.mkdir(parents=True, exist_ok=True)
    before = set(out_dir.glob("*.whl"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "--quiet", "--wheel-dir", out_dir, root], timeout)
    built = sorted(set(out_dir.glob("*.whl")) - before) or sorted(out_dir.glob("*.whl"))
    return built[-1]


def wheel_contents(wheel: Path) -> list[tuple[str, int]]:
    """Every file in a wheel with its size in bytes."""
    with zipfile.ZipFile(wheel) as archive:
        return [(info.filename, info.file_size) for info in archive.infolist()]


def wheel_file(wheel: Path, suffix: str) -> str:
    """The text of the one file in a wheel whose name ends with ``suffix`` (METADATA, entry_points.txt)."""
    with zipfile.ZipFile(wheel) as archive:
        names = [name for name in archive.namelist() if name.endswith(suffix)]
        if len(names) != 1:
            raise ValueError(f"expected one file ending in {suffix!r} in {Path(wheel).name}, found {names}")
        return archive.read(names[0]).decode()


@dataclass(frozen=True)
class Environment:
    """A virtual environment: its folder, its Python and its scripts folder."""

    path: Path

    @property
    def python(self) -> Path:
        return self.path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")

    def script(self, name: str) -> Path:
        """The path of one of the environment's commands."""
        return self.path / ("Scripts" if os.name == "nt" else "bin") / name


def fresh_environment(path: Path, see_packages_of: str | None = None, timeout: float = 120.0) -> Environment:
    """A new virtual environment that also sees ``see_packages_of``'s site-packages (default: ours).

    It is created without a pip of its own (some Pythons, Colab's among them, lack ``ensurepip``):
    this environment's pip installs into it with ``pip --python``. A ``.pth`` file puts the
    course's packages (NumPy, Keras, TensorFlow) on its path, so ``pip install --no-index`` finds
    the package's dependencies already there, as on a machine where they were installed before.
    """
    env = Environment(Path(path))
    if env.path.exists() and any(env.path.iterdir()):
        raise ValueError(f"{env.path} exists and is not empty: choose a new folder")
    _run([sys.executable, "-m", "venv", "--without-pip", env.path], timeout)
    purelib = _run([env.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                   timeout).stdout.strip()
    visible = see_packages_of or sysconfig.get_paths()["purelib"]
    (Path(purelib) / "course_packages.pth").write_text(visible + "\n")
    return env


def pip_install(env: Environment, wheel: Path, timeout: float = 180.0) -> list[str]:
    """Install a wheel into ``env`` with no package index (offline); pip's lines about it."""
    wheel = Path(wheel)
    result = _run([sys.executable, "-m", "pip", "--python", env.python, "install", "--no-index",
                   "--find-links", wheel.parent, "--disable-pip-version-check", wheel], timeout)
    return [line for line in result.stdout.splitlines() if line.strip()]


def run_in(env: Environment, command: Sequence[Any], timeout: float = 120.0) -> subprocess.CompletedProcess:
    """Run a command of ``env`` (its Python or one of its scripts) with no course code on the path."""
    clean = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    clean["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return subprocess.run(list(map(str, command)), capture_output=True, text=True, timeout=timeout,
                          env=clean, cwd=env.path)


# ---------------------------------------------------------------------------------------------
# The log-routing explorer
# ---------------------------------------------------------------------------------------------

# the records a run of the packaged model's CLI logs: (logger, level, message)
EXAMPLE_RECORDS: tuple[tuple[str, int, str], ...] = (
    ("digit_reader.cli", logging.INFO, "read-digits 1.0.0 reading images.npy"),
    ("digit_reader.model", logging.DEBUG, "loading weights from .../model.keras"),
    ("digit_reader.model", logging.INFO, "model loaded: 50,890 parameters"),
    ("digit_reader.model", logging.DEBUG, "predicting 8 images"),
    ("digit_reader.model", logging.WARNING, "pixel values outside [0, 1]: were the images scaled?"),
    ("digit_reader.cli", logging.ERROR, "images must be (n, 784), got (8, 28, 28)"),
    ("urllib3", logging.DEBUG, "another library the application uses"),
)


def routing(records: Sequence[tuple[str, int, str]], levels: Mapping[str, int],
            handler_levels: Mapping[str, int]) -> np.ndarray:
    """(records, handlers) booleans: which handler (attached to the root logger) shows which record."""
    table = np.zeros((len(records), len(handler_levels)), dtype=bool)
    for i, (name, level, _) in enumerate(records):
        for j, handler_level in enumerate(handler_levels.values()):
            table[i, j] = passes(level, effective_level(levels, name), handler_level)
    return table


def logging_explorer(records: Sequence[tuple[str, int, str]] = EXAMPLE_RECORDS) -> Any:
    """Set the package's logger level and two handlers' levels; see which records each shows."""
    import ipywidgets as ipw

    from utils.widgets import Explorer

    records = list(records)
    if not records:
        raise ValueError("records must hold at least one (logger, level, message) triple")
    names = ["NOTSET", *LEVELS]
    value_of = {"NOTSET": logging.NOTSET, **LEVELS}

    def draw(fig: Figure, package: str, console: str, logfile: str) -> str:
        levels = {"": logging.WARNING, "digit_reader": value_of[package]}
        handlers = {f"console\n(>= {console})": value_of[console],
                    f"log file\n(>= {logfile})": value_of[logfile]}
        table = routing(records, levels, handlers)
        ax = fig.subplots()
        ax.imshow(np.where(table, 1.0, 0.0), cmap="Greens", vmin=-0.3, vmax=1.6, aspect="auto")
        for i in range(len(records)):
            for j in range(table.shape[1]):
                ax.text(j, i, "shown" if table[i, j] else "-", ha="center", va="center", fontsize=8)
        ax.set_yticks(range(len(records)),
                      [f"{logging.getLevelName(level):<8} {name}: {textwrap.shorten(message, 34)}"
                       for name, level, message in records], fontsize=7.5, family="monospace")
        ax.set_xticks(range(len(handlers)), list(handlers))
        ax.set_title(f"logger 'digit_reader' at {package} (root at WARNING)")
        shown = table.sum(axis=0)
        acting = logging.getLevelName(effective_level(levels, "digit_reader.model"))
        return (f"console shows {shown[0]} of {len(records)} records, the log file {shown[1]}; "
                f"'digit_reader.model' acts on level {acting}.")

    controls = {
        "package": ipw.Dropdown(options=names, value="NOTSET", description="digit_reader"),
        "console": ipw.Dropdown(options=names[1:], value="WARNING", description="console"),
        "logfile": ipw.Dropdown(options=names[1:], value="DEBUG", description="log file"),
    }
    return Explorer(controls, draw, figsize=(8.6, 3.6))
