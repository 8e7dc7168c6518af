"""Convolution arithmetic in NumPy (cross-correlation, padding, stride, pooling) and two explorers.

``conv2d`` and ``pool2d`` compute exactly what ``tf.nn.conv2d`` and Keras' pooling layers compute
(channels last), vectorised so that the explorers redraw quickly. ``kernel_explorer`` shows a 3×3
kernel's feature map on a photo; ``geometry_explorer`` draws how padding and stride decide the
output size. Introduced in notebook 20.
"""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from utils.plots import PALETTE
from utils.widgets import Explorer, slider

# Preset 3×3 kernels: each is a small feature detector (or a smoother).
KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float64),
    "vertical edge": np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]], dtype=np.float64),
    "horizontal edge": np.array([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], dtype=np.float64),
    "Sobel x": np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=np.float64),
    "Sobel y": np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=np.float64),
    "box blur": np.full((3, 3), 1 / 9),
    "Gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float64) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64),
    "outline (Laplacian)": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float64),
}
CUSTOM = "custom"
PHOTOS = ("camera", "astronaut", "coffee", "chelsea", "brick", "grass", "gravel", "text")


def kernel(name: str) -> np.ndarray:
    """A copy of the preset 3×3 kernel called ``name`` (see ``KERNELS``). Introduced in notebook 20."""
    if name not in KERNELS:
        raise ValueError(f"kernel name {name!r} is unknown; choose one of {sorted(KERNELS)}")
    return KERNELS[name].copy()


def photo(name: str = "camera", size: int | None = 256) -> np.ndarray:
    """A greyscale photo from scikit-image's bundled samples, as floats in [0, 1]. Introduced in notebook 20."""
    if name not in PHOTOS:
        raise ValueError(f"photo name {name!r} is unknown; choose one of {PHOTOS}")
    if size is not None and (not isinstance(size, (int, np.integer)) or size < 8):
        raise ValueError(f"size must be an integer >= 8 or None, got {size!r}")
    from skimage import color, data, transform

    image = getattr(data, name)()
    if image.ndim == 3:
        image = color.rgb2gray(image[..., :3])
    image = np.asarray(image, dtype=np.float64)
    if image.max() > 1.0:
        image = image / 255.0
    if size is not None and image.shape != (size, size):
        side = min(image.shape)
        top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
        image = transform.resize(image[top : top + side, left : left + side], (size, size), anti_aliasing=True)
    return image


def _check_int(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def output_size(n: int, f: int, p: int = 0, s: int = 1) -> int:
    """Output length floor((n + 2p − f) / s) + 1 of a convolution or pooling. Introduced in notebook 20."""
    n, f, p, s = _check_int(n, "n", 1), _check_int(f, "f", 1), _check_int(p, "p", 0), _check_int(s, "s", 1)
    if f > n + 2 * p:
        raise ValueError(f"the window f = {f} is larger than the padded input n + 2p = {n + 2 * p}")
    return (n + 2 * p - f) // s + 1


def same_padding(n: int, f: int, s: int = 1) -> tuple[int, int]:
    """Zeros (before, after) that TensorFlow's padding="same" adds: output ceil(n / s). Introduced in notebook 20."""
    n, f, s = _check_int(n, "n", 1), _check_int(f, "f", 1), _check_int(s, "s", 1)
    total = max((math.ceil(n / s) - 1) * s + f - n, 0)
    return total // 2, total - total // 2


def conv_parameters(f: int, in_channels: int, filters: int, bias: bool = True) -> int:
    """Number of weights of a Conv2D layer: (f·f·in_channels + 1)·filters. Introduced in notebook 20."""
    f, c, k = _check_int(f, "f", 1), _check_int(in_channels, "in_channels", 1), _check_int(filters, "filters", 1)
    return (f * f * c + int(bool(bias))) * k


def _as_nhwc(x: Any, name: str) -> tuple[np.ndarray, int]:
    """Return ``x`` as (batch, height, width, channels) and how many axes it had."""
    array = np.asarray(x, dtype=np.float64)
    if array.ndim not in (2, 3, 4):
        raise ValueError(f"{name} must have 2 (H, W), 3 (H, W, C) or 4 (N, H, W, C) axes, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    dims = array.ndim
    if dims == 2:
        array = array[None, :, :, None]
    elif dims == 3:
        array = array[None]
    return array, dims


def _pad_amounts(padding: str | int, n: int, f: int, s: int) -> tuple[int, int]:
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return 0, 0
        if mode == "same":
            return same_padding(n, f, s)
        raise ValueError(f"padding must be 'valid', 'same' or a non-negative integer, got {padding!r}")
    p = _check_int(padding, "padding", 0)
    return p, p


def conv2d(x: Any, kernels: Any, stride: int = 1, padding: str | int = "valid") -> np.ndarray:
    """Cross-correlate ``x`` with ``kernels`` exactly as ``tf.nn.conv2d`` does (channels last). Introduced in notebook 20.

    ``x`` is (H, W), (H, W, C) or (N, H, W, C); ``kernels`` is (f, f) for one channel in and out, or
    (f, f, C, K) for K filters. The output keeps ``x``'s number of axes (a 2-D input with a 2-D
    kernel gives a 2-D feature map).
    """
    images, dims = _as_nhwc(x, "x")
    weights = np.asarray(kernels, dtype=np.float64)
    if weights.ndim == 2:
        weights = weights[:, :, None, None]
    if weights.ndim != 4:
        raise ValueError(f"kernels must have shape (f, f) or (f, f, in_channels, filters), got {np.shape(kernels)}")
    if not np.all(np.isfinite(weights)):
        raise ValueError("kernels contains NaN or infinite values")
    if weights.shape[2] != images.shape[3]:
        raise ValueError(f"kernels expects {weights.shape[2]} input channel(s) but x has {images.shape[3]}")
    s = _check_int(stride, "stride", 1)
    fh, fw = weights.shape[:2]
    top, bottom = _pad_amounts(padding, images.shape[1], fh, s)
    left, right = _pad_amounts(padding, images.shape[2], fw, s)
    padded = np.pad(images, ((0, 0), (top, bottom), (left, right), (0, 0)))
    if fh > padded.shape[1] or fw > padded.shape[2]:
        raise ValueError(f"the kernel ({fh}×{fw}) is larger than the padded input {padded.shape[1:3]}")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (fh, fw), axis=(1, 2))[:, ::s, ::s]
    out = np.einsum("nhwcij,ijck->nhwk", windows, weights, optimize=True)
    if dims == 2 and out.shape[3] == 1:
        return out[0, :, :, 0]
    return out[0] if dims in (2, 3) else out


def pool2d(x: Any, size: int = 2, stride: int | None = None, mode: str = "max") -> np.ndarray:
    """Max or average pooling with no padding, like Keras' pooling layers. Introduced in notebook 20."""
    images, dims = _as_nhwc(x, "x")
    size = _check_int(size, "size", 1)
    s = size if stride is None else _check_int(stride, "stride", 1)
    if mode not in ("max", "average"):
        raise ValueError(f"mode must be 'max' or 'average', got {mode!r}")
    if size > min(images.shape[1:3]):
        raise ValueError(f"the pooling window size {size} is larger than the input {images.shape[1:3]}")
    windows = np.lib.stride_tricks.sliding_window_view(images, (size, size), axis=(1, 2))[:, ::s, ::s]
    out = windows.max(axis=(4, 5)) if mode == "max" else windows.mean(axis=(4, 5))
    if dims == 2:
        return out[0, :, :, 0]
    return out[0] if dims == 3 else out


# ---------------------------------------------------------------------------------------------
# Explorer 1: a 3×3 kernel on a photo
# ---------------------------------------------------------------------------------------------

def feature_map(image: Any, kernel_3x3: Any) -> np.ndarray:
    """The "same"-size feature map of a greyscale ``image`` under a 3×3 kernel. Introduced in notebook 20."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"image must be a 2-D greyscale array (H, W), got shape {image.shape}")
    weights = np.asarray(kernel_3x3, dtype=np.float64)
    if weights.shape != (3, 3):
        raise ValueError(f"kernel_3x3 must have shape (3, 3), got {weights.shape}")
    return conv2d(image, weights, stride=1, padding="same")


def _entry(row: int, col: int) -> str:
    return f"k{row}{col}"


def kernel_explorer(image: Any, preset: str = "vertical edge", limit: float = 5.0) -> Explorer:
    """Pick a preset kernel or set its nine entries; see its feature map on ``image``. Introduced in notebook 20."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2 or min(image.shape) < 3:
        raise ValueError(f"image must be a 2-D greyscale array at least 3×3, got shape {image.shape}")
    if not np.all(np.isfinite(image)):
        raise ValueError("image contains NaN or infinite values")
    if preset not in KERNELS:
        raise ValueError(f"preset {preset!r} is unknown; choose one of {sorted(KERNELS)}")
    start = KERNELS[preset]
    choice = ipw.Dropdown(options=[*KERNELS, CUSTOM], value=preset, description="kernel",
                          layout=ipw.Layout(width="100%"))
    entries: dict[str, ipw.FloatSlider] = {}
    for row in range(3):
        for col in range(3):
            control = slider(_entry(row, col), -limit, limit, float(start[row, col]), step=0.01)
            control.layout.width = "32%"
            entries[_entry(row, col)] = control
    explorer_box: dict[str, Explorer] = {}
    syncing = {"on": False}

    def on_preset(change: Any) -> None:
        # runs before the explorer's own observer of the dropdown: the nine entries take the
        # preset's values while redraws are held, then the dropdown's change redraws once, with
        # the new name and the new values together
        if change["new"] == CUSTOM or "explorer" not in explorer_box:
            return
        values = KERNELS[change["new"]]
        syncing["on"] = True
        try:
            with explorer_box["explorer"].hold(redraw=False):
                for r in range(3):
                    for c in range(3):
                        entries[_entry(r, c)].value = float(values[r, c])
        finally:
            syncing["on"] = False

    def on_entry(_change: Any) -> None:
        # runs before the explorer's observer of the entry: a hand-set entry renames the kernel
        # "custom" while redraws are held, so the entry's change redraws once, with the new name
        if syncing["on"] or choice.value == CUSTOM or "explorer" not in explorer_box:
            return
        current = np.array([[entries[_entry(r, c)].value for c in range(3)] for r in range(3)])
        if not np.allclose(current, KERNELS[choice.value]):
            with explorer_box["explorer"].hold(redraw=False):
                choice.value = CUSTOM

    choice.observe(on_preset, names="value")  # observers run in the order they were registered
    for control in entries.values():
        control.observe(on_entry, names="value")
    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        ax_image, ax_kernel, ax_map = fig.subplots(1, 3, width_ratios=[1, 0.62, 1])
        ax_image.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax_image.set(title="Input photo", xlabel="column (pixels)", ylabel="row (pixels)")
        parts["kernel"] = ax_kernel.imshow(np.zeros((3, 3)), cmap="RdBu", vmin=-1, vmax=1)
        parts["numbers"] = {(r, c): ax_kernel.text(c, r, "", ha="center", va="center", fontsize=11)
                            for r in range(3) for c in range(3)}
        ax_kernel.set(xticks=range(3), yticks=range(3), xlabel="kernel column", ylabel="kernel row")
        parts["kernel_axes"] = ax_kernel
        parts["map"] = ax_map.imshow(np.zeros_like(image), cmap="RdBu", vmin=-1, vmax=1, interpolation="nearest")
        parts["colorbar"] = fig.colorbar(parts["map"], ax=ax_map, shrink=0.8, label="response (red < 0 < blue)")
        ax_map.set(title="Feature map", xlabel="column (pixels)", ylabel="row (pixels)")
        for ax in (ax_image, ax_kernel, ax_map):
            ax.grid(False)
        ax_kernel.set_title(" ")  # the title's place in the layout; its text is drawn on each redraw
        # redrawn over the cached photo and axes: the kernel, its numbers and title, the map, its colour bar
        for artist in (parts["kernel"], *parts["numbers"].values(), ax_kernel.title, parts["map"],
                       parts["colorbar"].ax):
            artist.set_animated(True)

    def draw(fig: Figure, kernel: str, **values: float) -> str:
        if not parts:
            build(fig)
        weights = np.array([[values[_entry(r, c)] for c in range(3)] for r in range(3)])
        response = feature_map(image, weights)
        bound = max(np.abs(weights).max(), 1e-9)
        parts["kernel"].set_data(weights)
        parts["kernel"].set_clim(-bound, bound)
        for (r, c), value in np.ndenumerate(weights):
            parts["numbers"][r, c].set_text(f"{value:.2g}")
            parts["numbers"][r, c].set_color("white" if abs(value) > 0.6 * bound else "black")
        parts["kernel_axes"].set_title(f"Kernel: {kernel}")
        if abs(weights.sum() - 1.0) < 0.05:  # entries sum to 1: brightness is kept, show it as a photo
            cmap, vmin, vmax, label = "gray", 0.0, 1.0, "response (clipped to [0, 1])"
        else:  # e.g. entries sum to 0: the kernel responds to change, so show the sign
            top = max(float(np.percentile(np.abs(response), 99.5)), 1e-9)
            cmap, vmin, vmax, label = "RdBu", -top, top, "response (red < 0 < blue)"
        parts["map"].set_data(response)
        parts["map"].set_cmap(cmap)
        parts["map"].set_clim(vmin, vmax)
        parts["colorbar"].set_label(label)
        return (f"kernel = {kernel}: entries sum to {weights.sum():.2f}; feature map "
                f"{response.shape[0]}×{response.shape[1]}, values from {response.min():.2f} to {response.max():.2f}")

    controls: dict[str, ipw.ValueWidget] = {"kernel": choice, **entries}
    explorer = Explorer(controls, draw, figsize=(9.0, 3.1), rebuild=False)
    explorer_box["explorer"] = explorer
    return explorer


# ---------------------------------------------------------------------------------------------
# Explorer 2: padding, stride and the output size
# ---------------------------------------------------------------------------------------------

def window_starts(n: int, f: int, p: int = 0, s: int = 1) -> list[int]:
    """Where each window starts along one axis of the padded input (index 0 = first padding cell). Introduced in notebook 20."""
    return [i * int(s) for i in range(output_size(n, f, p, s))]


def geometry(n: int, f: int, p: int = 0, s: int = 1) -> dict[str, Any]:
    """Output size, window starts and the padded cells no window reaches, for one axis. Introduced in notebook 20."""
    size = output_size(n, f, p, s)
    starts = window_starts(n, f, p, s)
    covered_until = starts[-1] + f
    padded = n + 2 * p
    return {
        "output": size,
        "starts": starts,
        "padded": padded,
        "unused": padded - covered_until,
        "formula": f"floor(({n} + 2·{p} − {f}) / {s}) + 1 = {size}",
    }


def _int_slider(name: str, low: int, high: int, value: int) -> ipw.IntSlider:
    if not low <= value <= high:
        raise ValueError(f"{name} = {value} is outside [{low}, {high}]")
    return ipw.IntSlider(value=value, min=low, max=high, step=1, description=name,
                         continuous_update=False, layout=ipw.Layout(width="240px"))


def _cell_grid(ax: Any, colours: np.ndarray, edge: str, linewidth: float) -> None:
    """Draw an (rows, cols, 3) array of cell colours as unit squares with grid lines, in two artists."""
    rows, cols = colours.shape[:2]
    ax.imshow(colours, extent=(0, cols, rows, 0), interpolation="nearest")
    ax.vlines(np.arange(cols + 1), 0, rows, colors=edge, linewidth=linewidth)
    ax.hlines(np.arange(rows + 1), 0, cols, colors=edge, linewidth=linewidth)


def _rgb(colour: str) -> np.ndarray:
    from matplotlib.colors import to_rgb

    return np.array(to_rgb(colour))


def windows_count(n: int, f: int, p: int, s: int) -> int:
    """How many windows (output cells) an n×n input has under kernel f, padding p, stride s; 0 if f does not fit."""
    return output_size(n, f, p, s) ** 2 if f <= n + 2 * p else 0


def geometry_explorer(n: int = 7, f: int = 3, p: int = 0, s: int = 1, window: int = 0) -> Explorer:
    """Sliders for input size n, kernel f, padding p and stride s; draws the windows and the output. Introduced in notebook 20."""
    output_size(n, f, p, s)  # reject an impossible starting state with a clear message
    white, grey, red = _rgb("#ffffff"), _rgb("#dddddd"), _rgb("#f4c7b8")
    chosen_colour = 0.4 * _rgb(PALETTE[0]) + 0.6 * white

    def draw(fig: Figure, n: int, f: int, p: int, s: int, window: int) -> str:
        ax_in, ax_out = fig.subplots(1, 2, width_ratios=[1.3, 1])
        padded = n + 2 * p
        if f > padded:
            for ax in (ax_in, ax_out):
                ax.axis("off")
            ax_in.text(0.5, 0.5, f"the {f}×{f} kernel does not fit\nin the {padded}×{padded} padded input",
                       ha="center", va="center", fontsize=12, transform=ax_in.transAxes)
            return f"no output: f = {f} > n + 2p = {padded}. Add padding or use a smaller kernel."
        info = geometry(n, f, p, s)
        o, starts = info["output"], info["starts"]
        k = min(window, o * o - 1)
        row, col = divmod(k, o)
        index = np.arange(padded)
        inside = (index >= p) & (index < p + n)
        is_pad = ~(inside[:, None] & inside[None, :])
        unused_line = index >= padded - info["unused"]
        unused = unused_line[:, None] | unused_line[None, :]
        faces = np.where(is_pad[..., None], grey, white)
        faces[unused] = red
        _cell_grid(ax_in, faces, "#999999", 0.6)
        if padded <= 12:  # beyond that the zeros would be too small to read
            for i, j in zip(*np.nonzero(is_pad)):
                ax_in.text(j + 0.5, i + 0.5, "0", ha="center", va="center", fontsize=7, color="#777777")
        centres = np.array(starts) + f / 2  # every window's centre: the stride is the spacing of the dots
        cx, cy = np.meshgrid(centres, centres)
        ax_in.plot(cx.ravel(), cy.ravel(), linestyle="none", marker="o", markersize=3.5, color=PALETTE[0], alpha=0.6)
        ax_in.add_patch(Rectangle((starts[col], starts[row]), f, f, facecolor=PALETTE[0], alpha=0.25,
                                  edgecolor=PALETTE[0], linewidth=2.5))
        ax_in.set(xlim=(-0.2, padded + 0.2), ylim=(padded + 0.2, -0.2), aspect="equal",
                  title=f"Input {n}×{n}, padding {p} → {padded}×{padded}", xticks=[], yticks=[])
        ax_in.set_xlabel("grey = zero padding, dots = window centres, red = never covered", fontsize=9)
        cells = np.broadcast_to(white, (o, o, 3)).copy()
        cells[row, col] = chosen_colour
        _cell_grid(ax_out, cells, "#555555", 0.8)
        ax_out.set(xlim=(-0.2, padded + 0.2), ylim=(padded + 0.2, -0.2), aspect="equal",
                   title=f"Output {o}×{o}", xticks=[], yticks=[])
        ax_out.set_xlabel(f"highlighted: output ({row}, {col}) ← window at ({starts[row]}, {starts[col]})\n"
                          f"output size = {info['formula']}", fontsize=9)
        for ax in (ax_in, ax_out):
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
        same = "  (same size as the input)" if o == n else ""
        return f"output = {info['formula']}{same}; window {k + 1} of {o * o}"

    count = windows_count(n, f, p, s)
    controls = {
        "n": _int_slider("n (input)", 1, 14, n),
        "f": _int_slider("f (kernel)", 1, 7, f),
        "p": _int_slider("p (padding)", 0, 3, p),
        "s": _int_slider("s (stride)", 1, 4, s),
        "window": _int_slider("window #", 0, max(count - 1, 0), min(window, max(count - 1, 0))),
    }
    box: dict[str, Explorer] = {}

    def follow_windows(_change: Any) -> None:
        # registered before the explorer's observers: the window slider's range follows the number
        # of windows while redraws are held, so one change of n, f, p or s redraws once
        values = {name: controls[name].value for name in "nfps"}
        top = max(windows_count(**values) - 1, 0)
        if "explorer" in box:
            with box["explorer"].hold(redraw=False):
                controls["window"].max = top
        else:
            controls["window"].max = top

    for name in "nfps":
        controls[name].observe(follow_windows, names="value")
    explorer = Explorer(controls, draw, figsize=(10.0, 4.6))
    box["explorer"] = explorer
    return explorer
