"""Keras' three APIs, saving and reloading, and TensorBoard logs: the helpers of notebook 13.

A two-input, two-output version of the churn table; a text drawing of a model's layer graph (used
when graphviz is missing); what a saved file holds; TensorBoard's smoothing and an explorer of
logged scalars. Introduced in notebook 13.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import ipywidgets as ipw
import numpy as np
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.widgets import Explorer, slider

if TYPE_CHECKING:  # pandas and Keras are imported lazily
    import pandas as pd

CUSTOMER_COLUMNS: tuple[str, ...] = (
    "female", "senior_citizen", "partner", "dependents", "tenure", "paperless_billing",
)
CONTRACTS: tuple[str, ...] = ("Month-to-month", "One year", "Two year")
SERVICE_COLUMNS: tuple[str, ...] = (
    "multiple_lines", "online_security", "online_backup", "device_protection", "tech_support",
    "streaming_tv", "streaming_movies",
)
INTERNET: tuple[str, ...] = ("DSL", "Fiber optic")
MAX_TENURE_MONTHS = 72.0
CHARGES_SCALE = 100.0  # monthly charges in hundreds of dollars: targets near 1, like the inputs


def churn_two_inputs(frame: "pd.DataFrame | None" = None) -> dict[str, np.ndarray]:
    """The churn table as two float32 inputs (customer, services) and two targets. Introduced in notebook 13.

    ``customer``: the 6 columns of ``CUSTOMER_COLUMNS`` (tenure / 72) and the contract one-hot (3);
    ``services``: phone service, the internet type one-hot (2) and the 7 add-on services (yes = 1);
    ``churn``: 0/1; ``charges``: monthly charges / 100 (hundreds of dollars).
    """
    if frame is None:
        from utils import datasets

        frame = datasets.load_frame("churn")
    needed = {*CUSTOMER_COLUMNS, *SERVICE_COLUMNS, "contract", "phone_service", "internet_service",
              "churn", "monthly_charges"}
    missing = sorted(needed - set(frame.columns))
    if missing:
        raise ValueError(f"frame lacks the churn column(s) {missing}")
    customer = frame[list(CUSTOMER_COLUMNS)].to_numpy(dtype=np.float64)
    customer[:, CUSTOMER_COLUMNS.index("tenure")] /= MAX_TENURE_MONTHS
    contract = np.stack([(frame["contract"] == c).to_numpy() for c in CONTRACTS], axis=1)
    internet = np.stack([(frame["internet_service"] == c).to_numpy() for c in INTERNET], axis=1)
    addons = np.stack([(frame[c] == "Yes").to_numpy() for c in SERVICE_COLUMNS], axis=1)
    services = np.column_stack([frame["phone_service"].to_numpy(), internet, addons])
    return {
        "customer": np.column_stack([customer, contract]).astype(np.float32),
        "services": services.astype(np.float32),
        "churn": frame["churn"].to_numpy(dtype=np.float32),
        "charges": (frame["monthly_charges"].to_numpy(dtype=np.float64) / CHARGES_SCALE).astype(np.float32),
    }


def _histories(node: Any) -> list[str]:
    """Names of the layers whose outputs feed a layer, found in its serialised inbound nodes."""
    if isinstance(node, dict):
        history = node.get("config", {}).get("keras_history") if node.get("class_name") == "__keras_tensor__" else None
        if history:
            return [str(history[0])]
        return [name for value in node.values() for name in _histories(value)]
    if isinstance(node, (list, tuple)):
        return [name for value in node for name in _histories(value)]
    return []


def layer_graph(model: Any) -> list[str]:
    """One line per layer: name, type, output shape and the layers it reads from. Introduced in notebook 13."""
    if not hasattr(model, "layers") or not hasattr(model, "get_config"):
        raise ValueError(f"model must be a Keras model, got {type(model).__name__}")
    config = model.get_config()
    inbound = {layer.get("name", layer.get("config", {}).get("name")): _histories(layer.get("inbound_nodes", []))
               for layer in config.get("layers", [])}
    chained = not any("inbound_nodes" in layer for layer in config.get("layers", []))  # Sequential
    lines = []
    for index, layer in enumerate(model.layers):
        if chained:
            inbound[layer.name] = [model.layers[index - 1].name] if index else ["input"]
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):
            shape = "?"
        sources = inbound.get(layer.name, [])
        arrow = f" <- {', '.join(dict.fromkeys(sources))}" if sources else " (input)"
        lines.append(f"{layer.name} ({type(layer).__name__}, output {shape}){arrow}")
    return lines


def can_plot_models() -> bool:
    """True when pydot and graphviz's ``dot`` program are installed (``keras.utils.plot_model`` needs both)."""
    return importlib.util.find_spec("pydot") is not None and shutil.which("dot") is not None


def draw_model(model: Any, path: str | Path) -> Any:
    """``keras.utils.plot_model`` as an image if graphviz is available, else the text graph. Introduced in notebook 13."""
    if can_plot_models():
        import keras
        from IPython.display import Image

        keras.utils.plot_model(model, to_file=str(path), show_shapes=True, show_layer_names=True, dpi=72)
        return Image(filename=str(path))
    text = "\n".join(layer_graph(model))
    print("(graphviz is not installed here, so the graph is drawn as text)\n" + text)
    return None


def h5_arrays(path: str | Path) -> dict[str, np.ndarray]:
    """Every array stored in a Keras ``.weights.h5`` file, by its path inside the file. Introduced in notebook 13."""
    import h5py

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{str(path)!r} is not a file")
    arrays: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as file:
        file.visititems(lambda name, item: arrays.__setitem__(name, item[()]) if isinstance(item, h5py.Dataset)
                        else None)
    return arrays


def size_on_disk(path: str | Path) -> int:
    """Bytes of a file, or of every file under a folder. Introduced in notebook 13."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    raise ValueError(f"{str(path)!r} does not exist")


def max_abs_difference(a: Any, b: Any) -> float:
    """Largest |a − b| over all elements of two same-shaped arrays. Introduced in notebook 13."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    return float(np.max(np.abs(a - b), initial=0.0))


def dense_parameter_count(layer_sizes: Sequence[int]) -> int:
    """Weights plus biases of a stack of Dense layers with these widths (input first). Introduced in notebook 13."""
    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layer_sizes needs an input width and at least one layer, all >= 1, got {layer_sizes!r}")
    return int(sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])))


def weighted_total_loss(head_losses: Sequence[float], loss_weights: Sequence[float]) -> float:
    """The loss Keras minimises for a multi-output model: Σ weightᵢ · lossᵢ. Introduced in notebook 13."""
    losses, weights = np.asarray(head_losses, dtype=np.float64), np.asarray(loss_weights, dtype=np.float64)
    if losses.shape != weights.shape or losses.ndim != 1:
        raise ValueError(f"one weight per head loss expected, got {losses.shape} and {weights.shape}")
    return float(np.sum(weights * losses))


def smooth(values: Any, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: a debiased exponential moving average. Introduced in notebook 13."""
    values = np.asarray(values, dtype=np.float64).ravel()
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"weight must be in [0, 1), got {weight!r}")
    smoothed = np.empty_like(values)
    average = 0.0
    for step, value in enumerate(values, start=1):
        average = weight * average + (1 - weight) * value
        smoothed[step - 1] = average / (1 - weight**step)  # divide out the bias toward the start value 0
    return smoothed


def smoothing_explorer(scalars: "pd.DataFrame", run: str = "train", tag: str = "batch_loss",
                       weight: float = 0.6) -> Explorer:
    """TensorBoard's smoothing slider over scalars read back from event files. Introduced in notebook 13."""
    missing = {"run", "tag", "step", "value"} - set(getattr(scalars, "columns", []))
    if missing:
        raise ValueError(f"scalars must be a frame from tensorboard_io.read_scalars (missing {sorted(missing)})")
    series = {f"{r}/{t}": group.sort_values("step") for (r, t), group in scalars.groupby(["run", "tag"])
              if len(group) > 1}
    if f"{run}/{tag}" not in series:
        raise ValueError(f"no series {run}/{tag} with more than one point; the log has {sorted(series)}")

    def draw(fig: Figure, series_name: str, weight: float) -> str:
        ax = fig.subplots()
        group = series[series_name]
        steps, values = group["step"].to_numpy(), group["value"].to_numpy()
        smoothed = smooth(values, weight)
        ax.plot(steps, values, color=PALETTE[0], alpha=0.3, linewidth=1, label="as logged")
        ax.plot(steps, smoothed, color=PALETTE[0], linewidth=2, label=f"smoothed (weight {weight:.2f})")
        ax.set(title=f"TensorBoard scalar {series_name}, read from the event file",
               xlabel="step (batch or epoch, as logged)", ylabel="value (loss in nats)")
        ax.legend(fontsize=8)
        return f"{series_name}: {len(values)} points, last value {values[-1]:.4f}, smoothed {smoothed[-1]:.4f}"

    controls = {
        "series_name": ipw.Dropdown(options=sorted(series), value=f"{run}/{tag}", description="scalar",
                                    layout=ipw.Layout(width="380px")),
        "weight": slider("smoothing", 0.0, 0.99, weight, 0.01),
    }
    return Explorer(controls, draw, figsize=(8.0, 3.6))
