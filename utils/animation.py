"""Self-contained HTML animations that play in JupyterLab, Colab and the static book.

The player is matplotlib's JavaScript player (the one ``to_jshtml`` writes). Its frames are drawn at
twice the display resolution, like the course's figures, and each is stored compactly (a 256-colour
PNG for plots, a JPEG where that would band, e.g. photos). The player's picture has its size and its
first frame from the start, so it shows before any script runs and never collapses to zero height.
"""

from __future__ import annotations

import base64
import io
import uuid
from typing import Any, Callable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import _animation_data as player_parts
from matplotlib.figure import Figure

MAX_FRAMES = 200  # keeps an embedded animation under a few MB
RETINA_SCALE = 2  # frames have 2 pixels per displayed pixel, like the course's figures
FRAME_DPI = 72  # displayed pixels per figure inch: a 10-inch animation is 720 px wide on the page
JPEG_QUALITY = 88
PALETTE_ERROR = 3.0  # mean error (of 255) up to which a 256-colour PNG is faithful enough


def encode_frame(rgba: np.ndarray) -> tuple[str, bytes]:
    """A frame (H, W, 4 uint8) as ``(image format, bytes)``: a 256-colour PNG if faithful, else a JPEG."""
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]))
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    error = np.abs(np.asarray(image, dtype=np.int16) - np.asarray(palette.convert("RGB"), dtype=np.int16))
    buffer = io.BytesIO()
    if error.mean() <= PALETTE_ERROR:
        palette.save(buffer, format="png", optimize=True)
        return "png", buffer.getvalue()
    image.save(buffer, format="jpeg", quality=JPEG_QUALITY)
    return "jpeg", buffer.getvalue()


def _widest_frame(fig: Figure, draw_frame: Callable[[int], Any], frames: int) -> int:
    """The frame whose labels reach furthest outside the figure (its layout fits every frame)."""
    renderer = fig.canvas.get_renderer()
    figure_box = fig.bbox
    overflow = []
    for index in range(frames):
        draw_frame(index)
        box = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)  # pixels
        overflow.append(max(figure_box.x0 - box.x0, box.x1 - figure_box.x1, figure_box.y0 - box.y0,
                            box.y1 - figure_box.y1, 0.0) + box.width + box.height)
    return int(np.argmax(overflow))


def jshtml(
    fig: Figure,
    draw_frame: Callable[[int], Any],
    frames: int,
    interval_ms: int = 120,
    loop: bool = True,
    dpi: float | None = None,
) -> str:
    """Render ``draw_frame(i)`` for ``i in range(frames)`` into a self-contained HTML player; closes ``fig``.

    ``dpi`` is the display resolution (pixels per inch on the page, default ``FRAME_DPI``);
    frames are rendered at twice that, sharp on high-density screens. The layout is worked out once, on the frame whose labels
    reach furthest, so no frame is clipped and nothing jumps between frames.
    """
    if not isinstance(frames, int) or not 1 <= frames <= MAX_FRAMES:
        raise ValueError(f"frames must be an integer between 1 and {MAX_FRAMES}, got {frames!r}")
    if interval_ms <= 0:
        raise ValueError(f"interval_ms must be positive, got {interval_ms!r}")
    if not callable(draw_frame):
        raise ValueError("draw_frame must be a function of the frame index")
    display_dpi = float(dpi or FRAME_DPI)
    if not display_dpi > 0:
        raise ValueError(f"dpi must be positive, got {dpi!r}")
    fig.set_layout_engine(None)
    widest = _widest_frame(fig, draw_frame, frames) if frames > 1 else 0
    draw_frame(widest)
    fig.tight_layout()
    fig.set_layout_engine(None)  # every frame keeps that layout
    fig.set_dpi(RETINA_SCALE * display_dpi)
    encoded = []
    for index in range(frames):
        draw_frame(index)
        fig.canvas.draw()
        encoded.append(encode_frame(np.asarray(fig.canvas.buffer_rgba())))
    width = int(round(fig.get_figwidth() * display_dpi))
    height = int(round(fig.get_figheight() * display_dpi))
    plt.close(fig)
    return player_html(encoded, width, height, interval_ms, loop)


def player_html(frames: list[tuple[str, bytes]], width: int, height: int, interval_ms: int, loop: bool = True) -> str:
    """matplotlib's JavaScript player over encoded frames, with the picture's size and first frame set up front."""
    if not frames:
        raise ValueError("an animation needs at least one frame")
    uid = uuid.uuid4().hex
    uris = [f"data:image/{kind};base64,{base64.b64encode(data).decode()}" for kind, data in frames]
    # frame 0 is the picture's own src (shown before any script runs), so it is stored once
    fill = "\n".join(["    frames[0] = document.getElementById(img_id).src;"]
                     + [f'    frames[{i}] = "{uri}";' for i, uri in enumerate(uris) if i])
    mode = "loop" if loop else "once"
    body = player_parts.DISPLAY_TEMPLATE.format(
        id=uid, Nframes=len(uris), fill_frames=fill, interval=float(interval_ms),
        once_checked="checked" if mode == "once" else "", loop_checked="checked" if mode == "loop" else "",
        reflect_checked="")
    picture = (f'<img id="_anim_img{uid}" src="{uris[0]}" width="{width}" height="{height}" '
               f'style="max-width: 100%; height: auto; aspect-ratio: {width} / {height};" alt="animation frame">')
    if f'<img id="_anim_img{uid}">' not in body:
        raise RuntimeError("matplotlib's player template changed: its <img> tag was not found")
    body = body.replace(f'<img id="_anim_img{uid}">', picture)
    style = player_parts.STYLE_INCLUDE.replace("width: 374px;", f"width: {min(width, 374)}px;")
    return player_parts.JS_INCLUDE + style + body


def player(fig: Figure, draw_frame: Callable[[int], Any], frames: int, interval_ms: int = 120,
           dpi: float | None = None) -> Any:
    """Return an IPython ``HTML`` object that shows the animation in a notebook."""
    from IPython.display import HTML

    return HTML(jshtml(fig, draw_frame, frames, interval_ms, dpi=dpi))
