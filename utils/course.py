"""The one call every notebook's set-up cell makes, plus the hidden-target report.

Introduced in notebook 02.
"""

from __future__ import annotations

import io
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
        # in an interactive session (a notebook) TensorFlow sets its logger to INFO the first
        # time it logs, which would print tf.distribute's chatter: create it now, then quiet it
        tf.get_logger().setLevel(logging.ERROR)
        print(f"TensorFlow {tf.__version__} on {exact_tensorflow()}; seed {seed}")
    if style:
        from utils import plots

        plots.use_course_style()
        _sharp_inline_figures()
    return rng


# A figure's pixels are drawn at twice its size (sharp on high-density screens); 256 colours
# hold a plot's lines, text and colour maps exactly enough (about a third of the bytes), and a
# photo that 256 colours would band is stored as JPEG when that is clearly smaller.
RETINA_SCALE = 2
PALETTE_COLOURS = 256
BANDED_PIXEL_ERROR = 8  # 0-255 levels: a pixel the palette moves this far is visibly changed
BANDED_PIXEL_SHARE = 0.01
JPEG_QUALITY = 90
JPEG_GAIN = 0.75  # JPEG only when at most this fraction of the full-colour PNG's size


def compact_figure_image(png: bytes) -> tuple[bytes, str]:
    """Re-encode a rendered figure smaller: ``(data, mime)``, a 256-colour PNG, PNG or JPEG."""
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    image.load()
    if image.mode == "RGBA" and image.getextrema()[3][0] == 255:
        image = image.convert("RGB")
    if image.mode not in ("RGB", "L"):
        return png, "image/png"
    palette = image.quantize(colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT,
                             dither=Image.Dither.NONE)
    error = np.abs(np.asarray(image, dtype=np.int16)
                   - np.asarray(palette.convert(image.mode), dtype=np.int16))
    if error.ndim == 3:
        error = error.max(axis=2)
    if np.mean(error > BANDED_PIXEL_ERROR) <= BANDED_PIXEL_SHARE:
        encoded = io.BytesIO()
        palette.save(encoded, format="PNG", optimize=True)
        return min((encoded.getvalue(), "image/png"), (png, "image/png"), key=lambda e: len(e[0]))
    jpeg = io.BytesIO()
    image.save(jpeg, format="JPEG", quality=JPEG_QUALITY)
    if len(jpeg.getvalue()) <= JPEG_GAIN * len(png):
        return jpeg.getvalue(), "image/jpeg"
    return png, "image/png"


def figure_image(figure) -> tuple[bytes, str, dict[str, int]]:
    """A matplotlib figure as the notebook shows it: ``(data, mime, {"width", "height"})``."""
    from PIL import Image

    rendered = io.BytesIO()
    figure.savefig(rendered, format="png", dpi=figure.dpi * RETINA_SCALE, bbox_inches="tight",
                   facecolor=figure.get_facecolor(), edgecolor=figure.get_edgecolor())
    png = rendered.getvalue()
    width, height = Image.open(io.BytesIO(png)).size
    data, mime = compact_figure_image(png)
    return data, mime, {"width": width // RETINA_SCALE, "height": height // RETINA_SCALE}


class _FigureFormatters:
    """IPython display formatters for figures: one render, shown as PNG or as JPEG."""

    def __init__(self) -> None:
        self._pending: dict[int, tuple[bytes, str, dict[str, int]]] = {}

    def _image(self, figure, mime: str):
        # IPython asks the PNG formatter first, then the JPEG one, for the same figure
        key = id(figure)
        if mime == "image/png" or key not in self._pending:
            self._pending[key] = figure_image(figure)
        data, chosen, size = self._pending[key] if mime == "image/png" else self._pending.pop(key)
        return (data, size) if chosen == mime else None

    def png(self, figure):
        """The figure for the ``image/png`` formatter (None when it is shown as JPEG)."""
        return self._image(figure, "image/png")

    def jpeg(self, figure):
        """The figure for the ``image/jpeg`` formatter (None when it is shown as PNG)."""
        return self._image(figure, "image/jpeg")


def _sharp_inline_figures() -> None:
    """Show figures sharp on high-density screens, compactly encoded (no-op outside IPython)."""
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is None:
        return
    set_matplotlib_formats("png")  # drops any other figure format a previous call registered
    formatters = _FigureFormatters()
    display = shell.display_formatter.formatters
    display["image/png"].for_type(Figure, formatters.png)
    display["image/jpeg"].for_type(Figure, formatters.jpeg)
    display["image/jpeg"].enabled = True


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
