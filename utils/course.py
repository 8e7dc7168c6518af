"""The one call every notebook's set-up cell makes, plus the hidden-target report.

Introduced in notebook 02.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import sys
from pathlib import Path

import numpy as np

DEFAULT_SEED = 42
REPORT_DIR_VARIABLE = "COURSE_REPORT_DIR"


def in_colab() -> bool:
    """True when running inside Google Colab."""
    return "google.colab" in sys.modules


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ start-up messages and Python-side info logs."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # oneDNN reorders float sums (run-to-run differences) and prints a banner at import time;
    # the course wants the same numbers on every laptop, so it is off unless set otherwise.
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)


def seed_everything(seed: int = DEFAULT_SEED) -> np.random.Generator:
    """Seed Python, NumPy and (if installed) TensorFlow/Keras; return a seeded NumPy Generator."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    try:
        import keras
    except ImportError:  # pragma: no cover - every course environment has Keras
        return np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    return np.random.default_rng(seed)


def exact_tensorflow() -> str:
    """Turn TensorFlow's TF32 matmuls off (GPUs) and name the device it computes on.

    On Ampere and newer GPUs (Colab's A100 and L4) TensorFlow multiplies float32 matrices in
    TF32 by default, with a 10-bit mantissa: "from scratch equals the library" to 1e-6 would
    fail there. With TF32 off, float32 means float32 on every device.
    """
    import tensorflow as tf

    tf.config.experimental.enable_tensor_float_32_execution(False)
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return "the CPU"
    details = tf.config.experimental.get_device_details(gpus[0])
    name = details.get("device_name", gpus[0].name)
    return f"GPU {name}" + (f" (+{len(gpus) - 1} more)" if len(gpus) > 1 else "")


def setup(seed: int = DEFAULT_SEED, style: bool = True) -> np.random.Generator:
    """Quiet TensorFlow, seed every RNG, apply the course's plot style; return a seeded Generator.

    Prints one line: the TensorFlow version and the device it computes on.
    """
    quiet_tensorflow()
    rng = seed_everything(seed)
    try:
        import tensorflow as tf
    except ImportError:  # pragma: no cover - every course environment has TensorFlow
        pass
    else:
        print(f"TensorFlow {tf.__version__} on {exact_tensorflow()}; seed {seed}")
    if style:
        from utils import plots

        plots.use_course_style()
        _sharp_inline_figures()
    return rng


def _sharp_inline_figures() -> None:
    """Ask IPython's inline backend for high-resolution PNGs (no-op outside IPython)."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover
        return
    if get_ipython() is not None:  # pragma: no cover - only inside a kernel
        set_matplotlib_formats("retina")


def report_target(notebook: str, **results: float | int | bool | str) -> dict:
    """Record a notebook's hidden-target results for the test report (written when CI asks for it)."""
    if not notebook:
        raise ValueError("notebook must be a non-empty name such as '02_neuron'")
    clean: dict[str, float | int | bool | str] = {}
    for key, value in results.items():
        if isinstance(value, (np.generic,)):
            value = value.item()
        if not isinstance(value, (float, int, bool, str)):
            raise ValueError(f"result {key!r} must be a number, bool or string, got {type(value).__name__}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"result {key!r} is not finite: {value}")
        clean[key] = value
    folder = os.environ.get(REPORT_DIR_VARIABLE)
    if folder:
        path = Path(folder) / f"{notebook}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(clean, indent=2, sort_keys=True))
    return clean
