"""Self-contained HTML animations (matplotlib ``to_jshtml``) that play in JupyterLab, Colab and the static book."""

from __future__ import annotations

from typing import Any, Callable

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib import animation as mpl_animation
from matplotlib.figure import Figure

MAX_FRAMES = 200  # keeps an embedded animation under a few MB
FRAME_DPI = 72  # each frame is a PNG embedded in the notebook: 72 dpi keeps 40 frames near 1 MB


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
    movie = mpl_animation.FuncAnimation(fig, draw_frame, frames=frames, interval=interval_ms, blit=False)
    # a fixed frame box: "tight" bounding boxes would re-render every frame several times
    with mpl.rc_context({"savefig.dpi": dpi, "savefig.bbox": None, "animation.embed_limit": 40.0}):
        html = movie.to_jshtml(default_mode="loop" if loop else "once")
    plt.close(fig)
    return html


def player(fig: Figure, draw_frame: Callable[[int], Any], frames: int, interval_ms: int = 120) -> Any:
    """Return an IPython ``HTML`` object that shows the animation in a notebook."""
    from IPython.display import HTML

    return HTML(jshtml(fig, draw_frame, frames, interval_ms))
