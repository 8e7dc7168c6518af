"""Read what TensorBoard would show straight from the event files: scalars as a table, and the graph.

TensorBoard stores a run as ``events.out.tfevents.*`` files (TFRecord files of ``Event``
protocol buffers). These helpers use TensorBoard's own ``EventAccumulator`` to read them, so a
notebook can show its logged numbers without starting the TensorBoard server. Introduced in
notebook 06.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas is imported lazily
    import pandas as pd

EVENT_FILE_PATTERN = "events.out.tfevents.*"
LOG_FOLDER_NAME = "logs"


def reset_logdir(path: str | Path) -> Path:
    """Delete and recreate a folder named ``logs`` (so each run starts clean); return its path. Introduced in notebook 06."""
    folder = Path(path)
    if folder.name != LOG_FOLDER_NAME:
        raise ValueError(
            f"path must be a folder named {LOG_FOLDER_NAME!r} (refusing to delete {str(folder)!r})"
        )
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"path {str(folder)!r} exists and is not a folder")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def event_files(logdir: str | Path) -> list[Path]:
    """Every TensorBoard event file under ``logdir`` (searched recursively), sorted. Introduced in notebook 06."""
    folder = Path(logdir)
    if not folder.is_dir():
        raise ValueError(f"logdir {str(folder)!r} is not an existing folder")
    files = sorted(p for p in folder.rglob(EVENT_FILE_PATTERN) if p.is_file())
    if not files:
        raise ValueError(f"logdir {str(folder)!r} holds no TensorBoard event files ({EVENT_FILE_PATTERN})")
    return files


def _accumulator(path: Path):  # noqa: ANN202 - TensorBoard's class, imported lazily
    from tensorboard.backend.event_processing import event_accumulator as ea

    # size_guidance 0 = keep every event (the default keeps only a sample of them)
    accumulator = ea.EventAccumulator(
        str(path), size_guidance={ea.TENSORS: 0, ea.SCALARS: 0, ea.GRAPH: 1}
    )
    accumulator.Reload()
    return accumulator


def _run_name(file: Path, root: Path) -> str:
    relative = file.parent.relative_to(root).as_posix()
    return "." if relative in ("", ".") else relative


def read_scalars(logdir: str | Path) -> "pd.DataFrame":
    """All scalars logged under ``logdir``: one row per (run, tag, step) with its value. Introduced in notebook 06.

    Both storage forms are read: TF2's ``tf.summary.scalar`` (a tensor with the "scalars"
    plugin) and the older ``simple_value`` field.
    """
    import pandas as pd

    root = Path(logdir)
    rows: list[dict] = []
    for file in event_files(root):
        accumulator = _accumulator(file)
        run = _run_name(file, root)
        tags = accumulator.Tags()
        for tag in tags.get("tensors", []):
            if accumulator.SummaryMetadata(tag).plugin_data.plugin_name != "scalars":
                continue
            for event in accumulator.Tensors(tag):
                from tensorboard.util import tensor_util

                value = np.asarray(tensor_util.make_ndarray(event.tensor_proto))
                if value.size != 1:
                    continue
                rows.append({"run": run, "tag": tag, "step": int(event.step),
                             "value": float(value.ravel()[0]), "wall_time": float(event.wall_time)})
        for tag in tags.get("scalars", []):
            for event in accumulator.Scalars(tag):
                rows.append({"run": run, "tag": tag, "step": int(event.step),
                             "value": float(event.value), "wall_time": float(event.wall_time)})
    frame = pd.DataFrame(rows, columns=["run", "tag", "step", "value", "wall_time"])
    return frame.sort_values(["run", "tag", "step"], kind="stable").reset_index(drop=True)


def scalar_table(scalars: "pd.DataFrame", runs: list[str] | None = None) -> "pd.DataFrame":
    """A wide table: one row per step, one column per ``run/tag``. Introduced in notebook 06."""
    missing = {"run", "tag", "step", "value"} - set(getattr(scalars, "columns", []))
    if missing:
        raise ValueError(f"scalars must be a frame from read_scalars (missing column(s) {sorted(missing)})")
    if runs is not None:
        unknown = sorted(set(runs) - set(scalars["run"]))
        if unknown:
            raise ValueError(f"unknown run(s) {unknown}; the log holds {sorted(set(scalars['run']))}")
        scalars = scalars[scalars["run"].isin(runs)]
    named = scalars.assign(column=scalars["run"] + "/" + scalars["tag"])
    return named.pivot_table(index="step", columns="column", values="value", aggfunc="last").rename_axis(columns=None)


def graph_op_types(logdir: str | Path) -> dict[str, int]:
    """How many ops of each type the graph(s) logged under ``logdir`` contain. Introduced in notebook 06.

    Reads both a plain ``GraphDef`` (e.g. Keras' ``write_graph``) and the traced function graphs
    that ``tf.summary.trace_export`` stores as a "graph_run_metadata_graph" summary.
    """
    from tensorboard.compat.proto import config_pb2
    from tensorboard.util import tensor_util

    counts: dict[str, int] = {}
    found = False

    def count(nodes) -> None:  # noqa: ANN001 - protobuf repeated field
        for node in nodes:
            counts[node.op] = counts.get(node.op, 0) + 1

    for file in event_files(logdir):
        accumulator = _accumulator(file)
        tags = accumulator.Tags()
        if tags.get("graph"):
            found = True
            count(accumulator.Graph().node)
        for tag in tags.get("tensors", []):
            if accumulator.SummaryMetadata(tag).plugin_data.plugin_name != "graph_run_metadata_graph":
                continue
            for event in accumulator.Tensors(tag):
                serialized = np.asarray(tensor_util.make_ndarray(event.tensor_proto)).ravel()[0]
                metadata = config_pb2.RunMetadata.FromString(serialized)
                for function_graph in metadata.function_graphs:
                    found = True
                    count(function_graph.pre_optimization_graph.node)
    if not found:
        raise ValueError(f"no graph was logged under {str(logdir)!r}; use tf.summary.trace_on / trace_export")
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
