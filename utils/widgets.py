"""Interactive explorers: controls wired to a matplotlib view that redraws, testable without a browser.

An :class:`Explorer` renders its figure to PNG with the Agg backend and shows it in an
``ipywidgets.Image``, so a unit test can set a slider and assert that the picture and the status
text changed. Redraws run one at a time and the latest value wins: JupyterLab may deliver widget
messages on a kernel subshell (another thread), and changes that arrive during a redraw are folded
into one more redraw with the newest values. Text and picture are sent together at the end.

Displayed, an explorer emits two outputs: a static snapshot of its starting state (``text/html``,
for the book and for a reopened notebook whose widgets are gone) and the live widget, which hides
the snapshot while it runs. Works with ipywidgets 7.7 (Colab) and 8.x.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import sys
import threading
import uuid
from typing import Any, Callable, Iterator, Mapping

import ipywidgets as ipw
import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from utils.plots import PALETTE

DrawFunction = Callable[..., str | None]
WIDGET_VIEW_MIMETYPE = "application/vnd.jupyter.widget-view+json"


LIVE_PNG_COMPRESSION = 1  # zlib level of redraws: fast to encode; snapshots use the default 6


def _encode_png(rgba: np.ndarray, compress_level: int) -> bytes:
    """PNG bytes of an (H, W, 4) uint8 image."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, format="png", compress_level=compress_level)
    return buffer.getvalue()


class Explorer(ipw.VBox):
    """Named controls plus a figure that ``draw(fig, **values)`` redraws whenever a control changes.

    With ``rebuild=True`` (the default) the figure is cleared before each call of ``draw``; with
    ``rebuild=False`` ``draw`` gets the same figure back and updates its artists (much faster), and
    the layout worked out on the first redraw is kept for the later ones. A retained ``draw`` may
    mark the artists it changes with ``set_animated(True)``: the rest is then drawn once, cached,
    and only the animated artists are drawn on each redraw.
    """

    def __init__(
        self,
        controls: Mapping[str, ipw.ValueWidget],
        draw: DrawFunction,
        figsize: tuple[float, float] = (8.0, 3.8),
        dpi: int = 100,
        rebuild: bool = True,
    ) -> None:
        if not controls:
            raise ValueError("an Explorer needs at least one control")
        for name, control in controls.items():
            if not isinstance(control, ipw.ValueWidget):
                raise ValueError(f"control {name!r} must be an ipywidgets value widget, got {type(control).__name__}")
        if not callable(draw):
            raise ValueError("draw must be a function draw(fig, **values) -> optional status text")
        self.controls = dict(controls)
        for control in self.controls.values():
            _show_whole_description(control)
        self.draw_function = draw
        self.rebuild = bool(rebuild)
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        width, height = self.figure.canvas.get_width_height()  # the PNG's own size, rounded as matplotlib does
        # a fixed box: the picture neither collapses before its first frame nor jumps between frames
        self.view = ipw.Image(format="png", layout=ipw.Layout(width=f"{width}px", height=f"{height}px"))
        self.status = ipw.HTML()
        self.draw_count = 0
        self._figure_lock = threading.RLock()  # one thread at a time draws on (or saves) the figure
        self._flags = threading.Lock()  # guards the three fields below
        self._pending = False  # a change arrived that no finished redraw has shown yet
        self._drawing = False  # a thread is in the redraw loop
        self._held = 0  # depth of hold(): redraws wait until it ends
        self._animated: list[Any] = []  # artists a retained draw marked animated: redrawn over a cached background
        self._background: Any = None
        self._layouts: dict[tuple, list[Any]] = {}  # panels -> positions the layout engine gave them
        self.snapshot_class = f"course-snapshot-{uuid.uuid4().hex[:12]}"
        # while the live widget is on the page it hides its own static snapshot
        hide_snapshot = ipw.HTML(f"<style>.{self.snapshot_class} {{display: none;}}</style>",
                                 layout=ipw.Layout(display="none"))
        row = ipw.HBox(list(self.controls.values()), layout=ipw.Layout(flex_flow="row wrap"))
        super().__init__([row, self.status, self.view, hide_snapshot])
        self.add_class("course-explorer")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.redraw()

    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values: Any) -> None:
        """Set several controls at once (e.g. from a test or a notebook cell), then redraw once."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"unknown control(s) {sorted(unknown)}; this explorer has {sorted(self.controls)}")
        with self.hold(redraw=False):
            for name, value in values.items():
                self.controls[name].value = value
        self.redraw()

    @contextlib.contextmanager
    def hold(self, redraw: bool = True) -> Iterator[None]:
        """Hold redraws while controls change inside the block; then redraw once (if ``redraw`` and something changed)."""
        with self._flags:
            self._held += 1
        try:
            yield
        finally:
            with self._flags:
                self._held -= 1
                due = redraw and self._pending and not self._held
            if due:
                self.redraw()

    def redraw(self) -> None:
        """Redraw from the current control values; a call during a redraw makes one more redraw, with the newest values."""
        with self._flags:
            self._pending = True
            if self._drawing or self._held:
                return  # the thread that is drawing (or the end of the hold) picks the change up
            self._drawing = True
        try:
            while True:
                with self._flags:
                    if not self._pending:
                        self._drawing = False
                        return
                    self._pending = False
                self._render()
        except BaseException:
            with self._flags:
                self._drawing = False
            raise

    def _render(self) -> None:
        with self._figure_lock:
            values = self.values()
            if self.rebuild:
                self.figure.clear()
                self.figure.set_layout_engine("none")  # the layout is reused when the panels are the same
            text = self.draw_function(self.figure, **values)
            if self.rebuild:
                self._reuse_layout()
                picture = self.png(compress_level=LIVE_PNG_COMPRESSION)
                self._remember_layout()
            else:
                picture = self._live_png()
            self.draw_count += 1
        status = f"<b>{html.escape(text)}</b>" if text else ""
        # picture and text change together: both messages are sent at the end of the block
        with self.status.hold_sync(), self.view.hold_sync():
            self.status.value = status
            self.view.value = picture

    def _panels(self) -> tuple:
        """Which panels the figure has: a redraw with the same panels can reuse the layout."""
        specs = []
        for ax in self.figure.axes:
            spec = ax.get_subplotspec()
            specs.append((type(ax).__name__, spec.get_geometry() if spec is not None else None,
                          hasattr(ax, "_colorbar")))
        return tuple(specs)

    def _reuse_layout(self) -> None:
        """Place the panels where the layout engine put them last time, or let it lay out new panels."""
        positions = self._layouts.get(self._panels())
        if positions is None:
            self.figure.set_layout_engine("constrained")  # first time these panels are drawn
            return
        for ax, position in zip(self.figure.axes, positions):
            ax.set_position(position)

    def _remember_layout(self) -> None:
        panels = self._panels()
        if panels not in self._layouts:
            self._layouts[panels] = [ax.get_position(original=True).frozen() for ax in self.figure.axes]
            self.figure.set_layout_engine("none")

    def _live_png(self) -> bytes:
        """PNG of a retained figure: the static parts drawn once and cached, the animated artists on top."""
        canvas = self.figure.canvas
        if self._background is None or getattr(self.figure, "_course_background_stale", False):
            self.figure._course_background_stale = False
            self._animated = self.figure.findobj(lambda artist: artist.get_animated())
            if not self._animated:  # nothing to blit: keep the first layout and save the whole figure
                picture = self.png(compress_level=LIVE_PNG_COMPRESSION)
                self.figure.set_layout_engine("none")
                return picture
            canvas.draw()  # every artist but the animated ones; runs the layout, once
            self.figure.set_layout_engine("none")
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self._animated:
            self.figure.draw_artist(artist)
        return _encode_png(np.asarray(canvas.buffer_rgba()), LIVE_PNG_COMPRESSION)

    def png(self, dpi: int | None = None, compress_level: int = 6) -> bytes:
        """The current figure as PNG bytes (every artist, the animated ones too)."""
        buffer = io.BytesIO()
        with self._figure_lock:
            for artist in self._animated:
                artist.set_animated(False)  # savefig leaves animated artists out
            try:
                # the whole figure box, whatever savefig.bbox says: a "tight" crop would change the
                # picture's size from one redraw to the next (and cost a second layout pass)
                with mpl.rc_context({"savefig.bbox": "standard"}):
                    self.figure.savefig(buffer, format="png", dpi=dpi or self.figure.dpi,
                                        pil_kwargs={"compress_level": compress_level})
            finally:
                for artist in self._animated:
                    artist.set_animated(True)
        return buffer.getvalue()

    def snapshot_html(self) -> str:
        """A static picture of the explorer's current state, for pages without a live kernel."""
        from PIL import Image

        from utils.animation import encode_frame

        # 2× for sharp screens, stored compactly: a 256-colour PNG for plots, a JPEG for photos
        rendered = Image.open(io.BytesIO(self.png(dpi=2 * int(self.figure.dpi)))).convert("RGBA")
        kind, data = encode_frame(np.asarray(rendered))
        picture = base64.b64encode(data).decode()
        width, height = self.figure.canvas.get_width_height()
        settings = ", ".join(f"{name} = {_format(value)}" for name, value in self.values().items())
        state = _strip_tags(self.status.value) or html.escape(settings)  # status is already escaped
        mark = self.snapshot_class
        # In JupyterLab, a reopened notebook has no widget models: hide the "model not found" output
        # that follows the snapshot (the live explorer's output has the course-explorer class).
        style = (f"<style>.jp-OutputArea-child:has(.{mark}) + .jp-OutputArea-child"
                 ":not(:has(.course-explorer)) {display: none;}</style>")
        return (
            f'<div class="course-explorer-snapshot {mark}">{style}<figure>'
            f'<img src="data:image/{kind};base64,{picture}" width="{width}" height="{height}" '
            'style="max-width: 100%; height: auto;" alt="explorer view"/>'
            f"<figcaption><b>Interactive explorer</b>, starting state: {state}. "
            "Run the notebook (Colab or JupyterLab) to move the controls.</figcaption></figure></div>"
        )

    def widget_bundle(self) -> dict[str, Any]:
        """The live widget's own mime bundle (its view and a text/plain line), under ipywidgets 7 or 8."""
        parent = super()
        if hasattr(parent, "_repr_mimebundle_"):  # ipywidgets 8
            bundle = dict(parent._repr_mimebundle_() or {})
        else:
            self._handle_displayed()  # ipywidgets 7 does this in _ipython_display_
            bundle = {WIDGET_VIEW_MIMETYPE: {"version_major": 2, "version_minor": 0, "model_id": self.model_id}}
        # where the widget cannot be shown (an untrusted reopened notebook shows text/plain instead
        # of widgets), the snapshot above already says everything: no long repr below it
        bundle["text/plain"] = ""
        return bundle

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        """The widget and its snapshot in one bundle (for front ends that ask for a single output)."""
        bundle = self.widget_bundle()
        bundle["text/html"] = self.snapshot_html()
        return bundle

    def _ipython_display_(self) -> None:
        """Show the snapshot and the live widget as two outputs (IPython 7 and later call this first)."""
        from IPython.display import display

        if "google.colab" not in sys.modules:
            # Colab keeps no widget outputs in a saved notebook; elsewhere the snapshot stands in
            # for the widget whenever its model is gone (reopened notebook, static book)
            display({"text/html": self.snapshot_html()}, raw=True)
        display(self.widget_bundle(), raw=True)

    def _on_change(self, _change: Mapping[str, Any]) -> None:
        self.redraw()


def background_changed(fig: Figure) -> None:
    """Tell a retained explorer that a static part of ``fig`` changed: its cached background is redrawn once."""
    fig._course_background_stale = True


SHORT_DESCRIPTION = 10  # characters that fit ipywidgets' default label width


def _show_whole_description(control: ipw.ValueWidget) -> None:
    """Let a long label take the width it needs instead of being cut to "learning_ra…"."""
    description = getattr(control, "description", "") or ""
    style = getattr(control, "style", None)
    if len(description) > SHORT_DESCRIPTION and style is not None and hasattr(style, "description_width"):
        if not style.description_width:
            style.description_width = "initial"


def _format(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _strip_tags(text: str) -> str:
    return text.replace("<b>", "").replace("</b>", "")


def slider(name: str, low: float, high: float, value: float, step: float | None = None) -> ipw.FloatSlider:
    """A float slider with the course's layout; ``step`` defaults to 1/100 of the range."""
    if not low < high:
        raise ValueError(f"slider {name!r}: low must be below high, got {low} and {high}")
    if not low <= value <= high:
        raise ValueError(f"slider {name!r}: value {value} is outside [{low}, {high}]")
    return ipw.FloatSlider(
        value=value, min=low, max=high, step=step or (high - low) / 100, description=name,
        continuous_update=False, readout_format=".2f", layout=ipw.Layout(width="320px"),
    )


# ---------------------------------------------------------------------------------------------
# Notebook 02: one neuron on the insurance table
# ---------------------------------------------------------------------------------------------

def neuron_state(age: Any, bought: Any, w: float, b: float, scale: float = 100.0) -> dict[str, Any]:
    """Probabilities, mean log loss, accuracy and 50% boundary age of the neuron σ(w·age/scale + b)."""
    age = np.asarray(age, dtype=np.float64).ravel()
    bought = np.asarray(bought, dtype=np.float64).ravel()
    if age.shape != bought.shape or age.size == 0:
        raise ValueError(f"age and bought must be non-empty and the same length, got {age.size} and {bought.size}")
    if not np.all(np.isin(bought, (0.0, 1.0))):
        raise ValueError("bought must hold 0/1 labels")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    z = w * age / scale + b
    probability = 1.0 / (1.0 + np.exp(-z))
    clipped = np.clip(probability, 1e-7, 1 - 1e-7)
    loss = float(-np.mean(bought * np.log(clipped) + (1 - bought) * np.log(1 - clipped)))
    accuracy = float(np.mean((probability >= 0.5) == (bought == 1)))
    boundary = -b / w * scale if w != 0 else float("nan")
    return {"probability": probability, "loss": loss, "accuracy": accuracy, "boundary_age": boundary}


def neuron_loss_grid(
    age: Any, bought: Any, w_range: tuple[float, float], b_range: tuple[float, float],
    scale: float = 100.0, points: int = 60,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean log loss over a grid of (w, b): returns ``W, B, loss`` for a contour plot."""
    neuron_state(age, bought, 1.0, 0.0, scale)  # validates the inputs
    age = np.asarray(age, dtype=np.float64).ravel()
    bought = np.asarray(bought, dtype=np.float64).ravel()
    W, B = np.meshgrid(np.linspace(*w_range, points), np.linspace(*b_range, points))
    probability = 1.0 / (1.0 + np.exp(-(W[..., None] * age / scale + B[..., None])))  # (points, points, n)
    clipped = np.clip(probability, 1e-7, 1 - 1e-7)
    loss = -np.mean(bought * np.log(clipped) + (1 - bought) * np.log(1 - clipped), axis=-1)
    return W, B, loss


def neuron_explorer(
    age: Any,
    bought: Any,
    w: float = 5.0,
    b: float = -2.0,
    w_range: tuple[float, float] = (0.0, 60.0),
    b_range: tuple[float, float] = (-30.0, 5.0),
    scale: float = 100.0,
) -> Explorer:
    """Sliders for w and b of σ(w·age/100 + b) over the insurance data, with the log loss live."""
    age = np.asarray(age, dtype=np.float64).ravel()
    bought = np.asarray(bought, dtype=np.float64).ravel()
    W, B, loss_grid = neuron_loss_grid(age, bought, w_range, b_range, scale)
    jitter = np.random.default_rng(0).uniform(-0.03, 0.03, size=age.size)
    ages = np.linspace(age.min() - 5, age.max() + 5, 300)

    parts: dict[str, Any] = {}

    def build(fig: Figure) -> None:
        left, right = fig.subplots(1, 2, width_ratios=[1.35, 1])
        nowhere = np.empty((0, 2))
        parts["right"] = left.scatter(nowhere[:, 0], nowhere[:, 1], s=14, color=PALETTE[0], alpha=0.7,
                                      label="classified right")
        parts["wrong"] = left.scatter(nowhere[:, 0], nowhere[:, 1], s=22, color=PALETTE[1], marker="x",
                                      label="classified wrong")
        (parts["curve"],) = left.plot(ages, np.zeros_like(ages), color="k", linewidth=2,
                                      label=r"$\sigma(w\cdot age/100 + b)$")
        left.axhline(0.5, color="grey", linestyle=":", linewidth=1)
        parts["boundary"] = left.axvline(ages[0], color=PALETTE[2], linestyle="--", linewidth=1.2, label="50% age")
        left.set(title="The neuron's probability of buying", xlabel="age (years)",
                 ylabel="P(bought insurance)", xlim=(ages[0], ages[-1]), ylim=(-0.12, 1.12))
        left.legend(loc="center right", fontsize=8)
        contours = right.contourf(W, B, np.log10(loss_grid), levels=20, cmap="viridis")
        fig.colorbar(contours, ax=right, label=r"$\log_{10}$ log loss")
        (parts["point"],) = right.plot([w], [b], marker="o", color="white", markeredgecolor="k", markersize=9)
        right.set(title="Log loss over (w, b)", xlabel="weight w", ylabel="bias b")
        right.grid(False)
        for name in ("right", "wrong", "curve", "boundary", "point"):
            parts[name].set_animated(True)  # redrawn over the cached contours, axes and legend

    def draw(fig: Figure, w: float, b: float) -> str:
        if not parts:
            build(fig)
        state = neuron_state(age, bought, w, b, scale)
        wrong = (state["probability"] >= 0.5) != (bought == 1)
        points = np.column_stack([age, bought + jitter])
        parts["right"].set_offsets(points[~wrong])
        parts["wrong"].set_offsets(points[wrong])
        parts["curve"].set_ydata(1 / (1 + np.exp(-(w * ages / scale + b))))
        boundary = state["boundary_age"]
        shown = bool(np.isfinite(boundary) and ages[0] <= boundary <= ages[-1])
        parts["boundary"].set_visible(shown)
        if shown:
            parts["boundary"].set_xdata([boundary, boundary])
        parts["point"].set_data([w], [b])
        return (f"w = {w:.2f}, b = {b:.2f}   →   log loss = {state['loss']:.3f},   "
                f"training accuracy = {state['accuracy']:.1%}")

    controls = {"w": slider("w", *w_range, value=w), "b": slider("b", *b_range, value=b)}
    return Explorer(controls, draw, figsize=(10.0, 3.9), rebuild=False)
