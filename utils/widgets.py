"""Interactive explorers: controls wired to a matplotlib view that redraws, testable without a browser.

An :class:`Explorer` renders its figure to PNG with the Agg backend and shows it in an
``ipywidgets.Image``, so a unit test can set a slider and assert that the picture and the status
text changed. In the static book an explorer shows a snapshot of its starting state.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any, Callable, Mapping

import ipywidgets as ipw
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from utils.plots import PALETTE

DrawFunction = Callable[..., str | None]


class Explorer(ipw.VBox):
    """Named controls plus a figure that ``draw(fig, **values)`` redraws whenever a control changes."""

    def __init__(
        self,
        controls: Mapping[str, ipw.ValueWidget],
        draw: DrawFunction,
        figsize: tuple[float, float] = (8.0, 3.8),
        dpi: int = 100,
    ) -> None:
        if not controls:
            raise ValueError("an Explorer needs at least one control")
        for name, control in controls.items():
            if not isinstance(control, ipw.ValueWidget):
                raise ValueError(f"control {name!r} must be an ipywidgets value widget, got {type(control).__name__}")
        if not callable(draw):
            raise ValueError("draw must be a function draw(fig, **values) -> optional status text")
        self.controls = dict(controls)
        self.draw_function = draw
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.view = ipw.Image(format="png", layout=ipw.Layout(width=f"{int(figsize[0] * dpi)}px"))
        self.status = ipw.HTML()
        self.draw_count = 0
        row = ipw.HBox(list(self.controls.values()), layout=ipw.Layout(flex_flow="row wrap"))
        super().__init__([row, self.status, self.view])
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
        with self.hold_trait_notifications():
            self._holding = True
            try:
                for name, value in values.items():
                    self.controls[name].value = value
            finally:
                self._holding = False
        self.redraw()

    def redraw(self) -> None:
        """Redraw the figure from the current control values and refresh the image and status."""
        self.figure.clear()
        text = self.draw_function(self.figure, **self.values())
        self.status.value = f"<b>{html.escape(text)}</b>" if text else ""
        self.view.value = self.png()
        self.draw_count += 1

    def png(self, dpi: int | None = None) -> bytes:
        """The current figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi or self.figure.dpi)
        return buffer.getvalue()

    def snapshot_html(self) -> str:
        """A static picture of the explorer's current state, for pages without a live kernel."""
        picture = base64.b64encode(self.png(dpi=2 * int(self.figure.dpi))).decode()
        width = int(self.figure.get_figwidth() * self.figure.dpi)
        settings = ", ".join(f"{name} = {_format(value)}" for name, value in self.values().items())
        state = _strip_tags(self.status.value) or html.escape(settings)  # status is already escaped
        return (
            '<figure class="course-explorer-snapshot">'
            f'<img src="data:image/png;base64,{picture}" width="{width}" alt="explorer view"/>'
            f"<figcaption><b>Interactive explorer</b>, starting state: {state}. "
            "Run the notebook (Colab or JupyterLab) to move the controls.</figcaption></figure>"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/html"] = self.snapshot_html()
        return bundle

    _holding = False

    def _on_change(self, _change: Mapping[str, Any]) -> None:
        if not self._holding:
            self.redraw()


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
    ws = np.linspace(*w_range, points)
    bs = np.linspace(*b_range, points)
    W, B = np.meshgrid(ws, bs)
    loss = np.array([[neuron_state(age, bought, w, b, scale)["loss"] for w in ws] for b in bs])
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

    def draw(fig: Figure, w: float, b: float) -> str:
        state = neuron_state(age, bought, w, b, scale)
        left, right = fig.subplots(1, 2, width_ratios=[1.35, 1])
        wrong = (state["probability"] >= 0.5) != (bought == 1)
        left.scatter(age[~wrong], bought[~wrong] + jitter[~wrong], s=14, color=PALETTE[0], alpha=0.7, label="classified right")
        left.scatter(age[wrong], bought[wrong] + jitter[wrong], s=22, color=PALETTE[1], marker="x", label="classified wrong")
        curve = 1 / (1 + np.exp(-(w * ages / scale + b)))
        left.plot(ages, curve, color="k", linewidth=2, label=r"$\sigma(w\cdot age/100 + b)$")
        left.axhline(0.5, color="grey", linestyle=":", linewidth=1)
        if np.isfinite(state["boundary_age"]) and ages[0] <= state["boundary_age"] <= ages[-1]:
            left.axvline(state["boundary_age"], color=PALETTE[2], linestyle="--", linewidth=1.2, label="50% age")
        left.set(title="The neuron's probability of buying", xlabel="age (years)",
                 ylabel="P(bought insurance)", ylim=(-0.12, 1.12))
        left.legend(loc="center right", fontsize=8)
        contours = right.contourf(W, B, np.log10(loss_grid), levels=20, cmap="viridis")
        fig.colorbar(contours, ax=right, label=r"$\log_{10}$ log loss")
        right.plot([w], [b], marker="o", color="white", markeredgecolor="k", markersize=9)
        right.set(title="Log loss over (w, b)", xlabel="weight w", ylabel="bias b")
        right.grid(False)
        return (f"w = {w:.2f}, b = {b:.2f}   →   log loss = {state['loss']:.3f},   "
                f"training accuracy = {state['accuracy']:.1%}")

    controls = {"w": slider("w", *w_range, value=w), "b": slider("b", *b_range, value=b)}
    return Explorer(controls, draw, figsize=(10.0, 3.9))
