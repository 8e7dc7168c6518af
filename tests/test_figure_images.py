"""How notebook figures are stored: drawn at twice their size, compactly encoded."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from utils import course  # noqa: E402


def _line_plot() -> plt.Figure:
    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    x = np.linspace(0, 10, 400)
    for shift in range(4):
        ax.plot(x, np.sin(x + shift), label=f"shift {shift}")
    ax.set(title="Lines", xlabel="x (no unit)", ylabel="y (no unit)")
    ax.legend()
    return fig


def _photo() -> plt.Figure:
    rng = np.random.default_rng(0)
    smooth = np.cumsum(np.cumsum(rng.standard_normal((200, 300, 3)), axis=0), axis=1)
    smooth = (smooth - smooth.min()) / np.ptp(smooth)
    noisy = np.clip(smooth + 0.08 * rng.standard_normal(smooth.shape), 0, 1)
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    ax.imshow(noisy)
    ax.set(title="A photo-like image")
    return fig


def _plain_retina(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi * 2, bbox_inches="tight")
    return buffer.getvalue()


def test_a_plot_is_a_palette_png_at_twice_its_size() -> None:
    fig = _line_plot()
    data, mime, size = course.figure_image(fig)
    plain = _plain_retina(fig)
    plt.close(fig)
    image = Image.open(io.BytesIO(data))
    assert mime == "image/png" and image.mode == "P"
    assert (size["width"], size["height"]) == (image.width // 2, image.height // 2)
    assert len(data) < 0.6 * len(plain), f"{len(data)} bytes, plain retina PNG {len(plain)}"


def test_a_photo_is_not_banded() -> None:
    fig = _photo()
    data, mime, _ = course.figure_image(fig)
    plain = _plain_retina(fig)
    plt.close(fig)
    assert mime == "image/jpeg" or Image.open(io.BytesIO(data)).mode != "P"
    assert len(data) <= len(plain)


def test_compact_figure_image_keeps_what_it_cannot_shrink() -> None:
    buffer = io.BytesIO()
    Image.new("LA", (4, 4)).save(buffer, format="PNG")
    assert course.compact_figure_image(buffer.getvalue()) == (buffer.getvalue(), "image/png")


def test_formatters_show_each_figure_once() -> None:
    formatters = course._FigureFormatters()
    for make in (_line_plot, _photo):
        fig = make()
        shown = [formatters.png(fig), formatters.jpeg(fig)]
        plt.close(fig)
        assert sum(result is not None for result in shown) == 1
        data, size = next(result for result in shown if result is not None)
        assert isinstance(data, bytes) and set(size) == {"width", "height"}


def test_inline_figures_in_an_ipython_shell() -> None:
    interactiveshell = pytest.importorskip("IPython.core.interactiveshell")
    shell = interactiveshell.InteractiveShell.instance()
    try:
        course._sharp_inline_figures()
        fig = _line_plot()
        formats, metadata = shell.display_formatter.format(fig)
        plt.close(fig)
        assert "image/png" in formats and "image/jpeg" not in formats
        assert set(metadata["image/png"]) == {"width", "height"}
    finally:
        interactiveshell.InteractiveShell.clear_instance()
