"""Self-contained HTML animations (matplotlib ``to_jshtml``) that play in JupyterLab, Colab and the static book."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Callable

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib import animation as mpl_animation
from matplotlib.figure import Figure

MAX_FRAMES = 200  # keeps an embedded animation under a few MB
FRAME_DPI = 72  # each frame is a PNG embedded in the notebook: 72 dpi keeps 40 frames near 1 MB
EMBED_LIMIT_MB = 40.0  # frames past this size would be dropped from the player


def jshtml(
    fig: Figure,
    draw_frame: Callable[[int], Any],
    frames: int,
    interval_ms: int = 120,
    loop: bool = True,
    dpi: int = FRAME_DPI,
) -> str:
    """Render ``draw_frame(i)`` for ``i in range(frames)`` into a self-contained HTML player; closes ``fig``."""
    if not isinstance(frames, int) or not 1 <= frames <= MAX_FRAMES:
        raise ValueError(f"frames must be an integer between 1 and {MAX_FRAMES}, got {frames!r}")
    if interval_ms <= 0:
        raise ValueError(f"interval_ms must be positive, got {interval_ms!r}")
    if not callable(draw_frame):
        raise ValueError("draw_frame must be a function of the frame index")
    draw_frame(0)
    fig.tight_layout()  # lay out once, on the first frame, so labels are not clipped in any frame
    # ...and then no layout engine at all: every frame keeps that layout (nothing jumps) and each
    # frame is drawn exactly once, when it is saved (a layout engine would add a second draw)
    fig.set_layout_engine(None)
    writer = mpl_animation.HTMLWriter(
        fps=1000 / interval_ms,
        embed_frames=True,
        default_mode="loop" if loop else "once",
        embed_limit=EMBED_LIMIT_MB,  # read when the writer is made, so it is passed, not set in rc
    )
    # a fixed frame box: "tight" bounding boxes would re-render every frame several times
    with mpl.rc_context({"savefig.dpi": dpi, "savefig.bbox": None}):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "animation.html"
            with writer.saving(fig, str(path), dpi):
                for index in range(frames):
                    if index:  # frame 0 is already drawn
                        draw_frame(index)
                    writer.grab_frame()
            html = path.read_text(encoding="utf-8")
    plt.close(fig)
    return html


def player(fig: Figure, draw_frame: Callable[[int], Any], frames: int, interval_ms: int = 120) -> Any:
    """Return an IPython ``HTML`` object that shows the animation in a notebook."""
    from IPython.display import HTML

    return HTML(jshtml(fig, draw_frame, frames, interval_ms))
