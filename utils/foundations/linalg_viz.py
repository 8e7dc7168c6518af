"""Pictures of arrays: broadcasting, matrix products cell by cell, and a fair timing helper.

The shape rules (:func:`broadcast_shape`, :func:`combine_shapes`) are pure functions; the figures
and the explorer draw what they compute. Introduced in notebook 05.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

import ipywidgets as ipw
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from utils.plots import PALETTE
from utils.widgets import Explorer

Shape = tuple[int, ...]
OPERATIONS = ("+ (element-wise)", "* (element-wise)", "@ (matrix product)")


def _shape(shape: Any, name: str) -> Shape:
    try:
        result = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a tuple of non-negative integers, got {shape!r}") from None
    if any(n < 0 for n in result) or any(float(n) != float(m) for n, m in zip(result, shape)):
        raise ValueError(f"{name} must be a tuple of non-negative integers, got {shape!r}")
    return result


def broadcast_shape(shape_a: Sequence[int], shape_b: Sequence[int]) -> tuple[Shape | None, str]:
    """NumPy's broadcasting rule: (result shape or None, a one-line explanation). Introduced in notebook 05."""
    a, b = _shape(shape_a, "shape_a"), _shape(shape_b, "shape_b")
    width = max(len(a), len(b))
    padded_a, padded_b = (1,) * (width - len(a)) + a, (1,) * (width - len(b)) + b
    result = []
    for axis, (m, n) in enumerate(zip(padded_a, padded_b)):
        if m != n and 1 not in (m, n):
            return None, (f"{a} and {b} do not broadcast: lined up from the right, axis {axis} has sizes "
                          f"{m} and {n}; sizes must be equal or one of them 1")
        result.append(max(m, n) if 0 not in (m, n) else 0)
    stretched = [f"axis {axis}" for axis, (m, n) in enumerate(zip(padded_a, padded_b)) if m != n]
    how = f"size-1 (or missing) axes stretched: {', '.join(stretched)}" if stretched else "same shape, no stretching"
    return tuple(result), f"{a} and {b} broadcast to {tuple(result)} ({how})"


def matmul_shape(shape_a: Sequence[int], shape_b: Sequence[int]) -> tuple[Shape | None, str]:
    """Result shape of a 2-D matrix product A @ B, or None with the reason. Introduced in notebook 05."""
    a, b = _shape(shape_a, "shape_a"), _shape(shape_b, "shape_b")
    if len(a) != 2 or len(b) != 2:
        raise ValueError(f"matmul_shape takes two 2-D shapes, got {a} and {b}")
    if a[1] != b[0]:
        return None, (f"{a} @ {b} is undefined: A has {a[1]} columns but B has {b[0]} rows "
                      "(the inner sizes must match)")
    return (a[0], b[1]), f"{a} @ {b} gives {(a[0], b[1])}: inner sizes {a[1]} match, outer sizes remain"


def combine_shapes(shape_a: Sequence[int], shape_b: Sequence[int], operation: str) -> tuple[Shape | None, str]:
    """Result shape of ``A op B`` for an operation of :data:`OPERATIONS`, with the reason. Introduced in notebook 05."""
    if operation not in OPERATIONS:
        raise ValueError(f"unknown operation {operation!r}; choose one of {list(OPERATIONS)}")
    return matmul_shape(shape_a, shape_b) if operation.startswith("@") else broadcast_shape(shape_a, shape_b)


def draw_array(ax: Axes, array: Any, origin: tuple[float, float], color: str,
               stretched_to: Sequence[int] | None = None, label: str = "") -> tuple[float, float]:
    """Draw a 1-D/2-D array as a grid of numbered cells at ``origin``; stretched copies are faded. Introduced in notebook 05."""
    array = np.asarray(array)
    if array.ndim not in (1, 2):
        raise ValueError(f"array must be 1-D or 2-D, got shape {array.shape}")
    grid = array.reshape(1, -1) if array.ndim == 1 else array
    rows, cols = grid.shape
    if stretched_to is None:
        shown_rows, shown_cols = rows, cols
    else:
        target = (1, 1, *_shape(stretched_to, "stretched_to"))[-2:]
        if target[0] < rows or target[1] < cols:
            raise ValueError(f"stretched_to {tuple(stretched_to)} is smaller than the array's shape {array.shape}")
        shown_rows, shown_cols = target
    x0, y0 = origin
    for i in range(shown_rows):
        for j in range(shown_cols):
            real = i < rows and j < cols
            value = grid[min(i, rows - 1), min(j, cols - 1)]
            ax.add_patch(Rectangle((x0 + j, y0 - i - 1), 1, 1, facecolor=color, alpha=0.85 if real else 0.22,
                                   edgecolor="white" if real else color, linewidth=1.5,
                                   linestyle="-" if real else "--"))
            text = f"{value:g}" if np.issubdtype(grid.dtype, np.number) else str(value)
            ax.text(x0 + j + 0.5, y0 - i - 0.5, text, ha="center", va="center", fontsize=10,
                    color="white" if real else "#333333", fontweight="bold" if real else "normal")
    if label:
        ax.text(x0 + shown_cols / 2, y0 + 0.35, label, ha="center", va="bottom", fontsize=10)
    return float(shown_cols), float(shown_rows)


def plot_broadcast(a: Any, b: Any, ax: Axes | None = None) -> Axes:
    """Picture of ``a + b`` with broadcasting: faded cells are the copies NumPy pretends to make. Introduced in notebook 05."""
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim > 2 or b.ndim > 2:
        raise ValueError(f"plot_broadcast draws 0-, 1- or 2-D arrays, got shapes {a.shape} and {b.shape}")
    shape, reason = broadcast_shape(a.shape, b.shape)
    if shape is None:
        raise ValueError(reason)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3))
    result = a + b
    target = shape if len(shape) else (1,)
    x = 0.0
    top = max(target[0] if len(target) == 2 else 1, 1)
    for part, array, colour in (("a", a, PALETTE[0]), ("+", None, None), ("b", b, PALETTE[2]),
                                ("=", None, None), ("a + b", result, PALETTE[1])):
        if array is None:
            ax.text(x + 0.4, -top / 2, part, ha="center", va="center", fontsize=18)
            x += 0.8
            continue
        width, _ = draw_array(ax, np.atleast_1d(array), (x, 0.0), colour,
                              stretched_to=None if part == "a + b" else target,
                              label=f"{part}  shape {array.shape}")
        x += width + 0.4
    ax.set(xlim=(-0.3, x), ylim=(-top - 0.3, 1.2), aspect="equal")
    ax.axis("off")
    return ax


def matmul_animation_frames(A: Any, B: Any) -> list[dict[str, Any]]:
    """One frame per cell of A @ B: which row, column, the products and the running result. Introduced in notebook 05."""
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    shape, reason = matmul_shape(A.shape, B.shape) if A.ndim == 2 and B.ndim == 2 else (None, f"A and B must be 2-D, got {A.shape} and {B.shape}")
    if shape is None:
        raise ValueError(reason)
    if A.shape[0] * B.shape[1] > 60:
        raise ValueError(f"A @ B has {A.shape[0] * B.shape[1]} cells; the animation allows at most 60 frames")
    frames, result = [], np.full(shape, np.nan)
    for i in range(shape[0]):
        for j in range(shape[1]):
            result[i, j] = A[i] @ B[:, j]
            frames.append({"row": i, "col": j, "products": A[i] * B[:, j], "result": result.copy()})
    return frames


def matmul_player(A: Any, B: Any, interval_ms: int = 700) -> Any:
    """Animation of A @ B filling in cell by cell: row i of A meets column j of B. Introduced in notebook 05."""
    from utils import animation

    return animation.player(*matmul_animation(A, B), interval_ms=interval_ms)


def matmul_animation(A: Any, B: Any) -> tuple[Figure, Callable[[int], None], int]:
    """(figure, draw_frame, frames) for ``animation.player``: A @ B filled in cell by cell. Introduced in notebook 05."""
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    frames = matmul_animation_frames(A, B)
    fig, ax = plt.subplots(figsize=(9, 3.6))
    rows, inner, cols = A.shape[0], A.shape[1], B.shape[1]

    def grid(origin: tuple[float, float], shape: tuple[int, int], values: np.ndarray, colour: str,
             highlight: Callable[[int, int], bool], title: str) -> None:
        x0, y0 = origin
        for i in range(shape[0]):
            for j in range(shape[1]):
                on = highlight(i, j)
                ax.add_patch(Rectangle((x0 + j, y0 - i - 1), 1, 1, facecolor=colour if on else "#eeeeee",
                                       edgecolor="white", linewidth=1.5))
                value = values[i, j]
                if np.isfinite(value):
                    ax.text(x0 + j + 0.5, y0 - i - 0.5, f"{value:g}", ha="center", va="center",
                            fontsize=10, color="white" if on else "#222222")
        ax.text(x0 + shape[1] / 2, y0 + 0.3, title, ha="center", va="bottom", fontsize=10)

    def draw(index: int) -> None:
        frame = frames[index]
        i, j = frame["row"], frame["col"]
        ax.clear()
        grid((0, 0), A.shape, A, PALETTE[0], lambda r, c: r == i, f"A  {A.shape}")
        ax.text(inner + 0.5, -rows / 2, "@", ha="center", va="center", fontsize=18)
        grid((inner + 1, 0), B.shape, B, PALETTE[2], lambda r, c: c == j, f"B  {B.shape}")
        ax.text(inner + cols + 1.5, -rows / 2, "=", ha="center", va="center", fontsize=18)
        done = frame["result"]
        grid((inner + cols + 2, 0), done.shape, done, PALETTE[1], lambda r, c: (r, c) == (i, j),
             f"A @ B  {done.shape}")
        terms = " + ".join(f"{a:g}·{b:g}" for a, b in zip(A[i], B[:, j]))
        ax.set_title(f"cell ({i}, {j}) = row {i} of A · column {j} of B = {terms} = {done[i, j]:g}",
                     fontsize=11)
        height = max(rows, inner)
        ax.set(xlim=(-0.3, inner + 2 * cols + 2.3), ylim=(-height - 0.3, 1.0), aspect="equal")
        ax.axis("off")

    return fig, draw, len(frames)


SHAPE_CHOICES = ("(3,)", "(4,)", "(1, 4)", "(3, 1)", "(3, 4)", "(4, 3)", "(4, 2)", "(2, 3, 4)")


def _parse(text: str) -> Shape:
    return tuple(int(part) for part in text.strip("() ").split(",") if part.strip())


def broadcast_explorer(shape_a: str = "(3, 4)", shape_b: str = "(4,)", operation: str = OPERATIONS[0]) -> Explorer:
    """Pick two shapes and an operation: see whether they combine, how, and the result shape. Introduced in notebook 05."""
    for name, value in (("shape_a", shape_a), ("shape_b", shape_b)):
        if value not in SHAPE_CHOICES:
            raise ValueError(f"{name} must be one of {list(SHAPE_CHOICES)}, got {value!r}")
    if operation not in OPERATIONS:
        raise ValueError(f"operation must be one of {list(OPERATIONS)}, got {operation!r}")
    layout = ipw.Layout(width="230px")
    controls = {
        "shape_a": ipw.Dropdown(options=SHAPE_CHOICES, value=shape_a, description="A shape", layout=layout),
        "operation": ipw.Dropdown(options=OPERATIONS, value=operation, description="operation", layout=layout),
        "shape_b": ipw.Dropdown(options=SHAPE_CHOICES, value=shape_b, description="B shape", layout=layout),
    }

    def draw(fig: Figure, shape_a: str, operation: str, shape_b: str) -> str:
        a_shape, b_shape = _parse(shape_a), _parse(shape_b)
        symbol = operation[0]
        if symbol == "@" and (len(a_shape) != 2 or len(b_shape) != 2):
            result, reason = None, f"this explorer's @ takes two 2-D shapes; {a_shape} @ {b_shape} is not one"
        else:
            result, reason = combine_shapes(a_shape, b_shape, operation)
        ax = fig.subplots()
        ax.axis("off")
        if len(a_shape) > 2 or len(b_shape) > 2:
            ax.text(0.5, 0.5, "3-D shapes are not drawn;\nthe rule above still applies",
                    ha="center", va="center", fontsize=13, transform=ax.transAxes)
            return ("✅ " if result else "❌ ") + reason
        a = np.arange(1, int(np.prod(a_shape)) + 1).reshape(a_shape)
        b = 10 * np.arange(1, int(np.prod(b_shape)) + 1).reshape(b_shape)
        if result is not None and symbol in "+*":
            values = a + b if symbol == "+" else a * b
            x = 0.0
            top = max(result[0] if len(result) == 2 else 1, 1)
            for part, array, colour in (("A", a, PALETTE[0]), (symbol, None, None), ("B", b, PALETTE[2]),
                                        ("=", None, None), ("result", values, PALETTE[1])):
                if array is None:
                    ax.text(x + 0.4, -top / 2, part, ha="center", va="center", fontsize=18)
                    x += 0.8
                    continue
                width, _ = draw_array(ax, array, (x, 0.0), colour,
                                      stretched_to=None if part == "result" else result,
                                      label=f"{part} {array.shape}")
                x += width + 0.4
            ax.set(xlim=(-0.3, x), ylim=(-top - 0.3, 1.3), aspect="equal")
        else:
            x = 0.0
            top = max(a.shape[0] if a.ndim == 2 else 1, b.shape[0] if b.ndim == 2 else 1)
            pieces = [("A", a, PALETTE[0]), (symbol, None, None), ("B", b, PALETTE[2])]
            if result is not None:
                pieces += [("=", None, None), ("result", a @ b, PALETTE[1])]
            for part, array, colour in pieces:
                if array is None:
                    ax.text(x + 0.4, -top / 2, part, ha="center", va="center", fontsize=18)
                    x += 0.8
                    continue
                width, _ = draw_array(ax, array, (x, 0.0), colour, label=f"{part} {array.shape}")
                x += width + 0.4
            if result is None:
                ax.text(x + 0.2, -top / 2, "✗", ha="left", va="center", fontsize=28, color=PALETTE[1])
                x += 1.5
            ax.set(xlim=(-0.3, x), ylim=(-top - 0.3, 1.3), aspect="equal")
        return ("✅ " if result is not None else "❌ ") + reason

    return Explorer(controls, draw, figsize=(9.5, 3.4))


def matmul_flops(n: int, k: int, m: int) -> int:
    """Floating-point operations of an (n × k) @ (k × m) product: k multiplies and k adds per entry. Introduced in notebook 01."""
    for name, value in (("n", n), ("k", k), ("m", m)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return 2 * int(n) * int(k) * int(m)


def time_call(function: Callable[[], Any], repeats: int = 3) -> float:
    """Best wall-clock seconds of ``repeats`` calls of ``function()`` (the least disturbed run). Introduced in notebook 05."""
    if not callable(function):
        raise ValueError("function must be callable with no arguments, e.g. lambda: np.dot(u, v)")
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def plot_timings(seconds: dict[str, float], ax: Axes | None = None, title: str = "Same result, different speed") -> Axes:
    """Horizontal bars of run times (log scale) labelled with the speed-up over the slowest. Introduced in notebook 05."""
    if not seconds:
        raise ValueError("seconds must map at least one label to a time")
    values = np.array(list(seconds.values()), dtype=np.float64)
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError(f"every time must be a positive finite number of seconds, got {seconds}")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 2.8))
    labels = list(seconds)
    slowest = values.max()
    ax.barh(labels, values * 1e3, color=[PALETTE[i % len(PALETTE)] for i in range(len(labels))])
    ax.set_xscale("log")
    ax.invert_yaxis()
    for index, value in enumerate(values):
        ms = value * 1e3
        text = f"{ms:,.0f} ms" if ms >= 10 else f"{ms:.3g} ms"
        if value < slowest:
            text += f"  ({slowest / value:,.0f}× faster)"
        ax.text(ms * 1.15, index, text, va="center", fontsize=9)
    ax.set(title=title, xlabel="time (milliseconds, log scale)", xlim=(values.min() * 1e3 / 3, slowest * 1e3 * 20))
    return ax
