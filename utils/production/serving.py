"""A model server with TensorFlow Serving's REST contract, over numbered SavedModel versions.

A model base directory holds one folder per version (``models/digits/1``, ``models/digits/2``),
each a SavedModel (what Keras 3's ``model.export`` writes). The server polls that directory, loads
the versions its version policy asks for (the latest, all, or specific ones), gives versions
labels (``stable``, ``canary``) from a config file, and answers TF Serving's REST API::

    GET  /v1/models/NAME[/versions/N|/labels/L]             version status
    GET  /v1/models/NAME[/versions/N|/labels/L]/metadata    signature: inputs, outputs, dtypes, shapes
    POST /v1/models/NAME[/versions/N|/labels/L]:predict     {"instances": ...} or {"inputs": ...}

with errors as ``{"error": "..."}`` and TF Serving's HTTP statuses, optional server-side batching,
and nothing but the standard library's ``http.server``. It binds 127.0.0.1 only. Run it as::

    python -m utils.production.serving --model_name digits --model_base_path models/digits \
        --rest_api_port 0 --port_file port.txt

or, from Python, with :func:`model_server`, which starts it in a subprocess, waits until it is
ready and always stops it. Introduced in notebook 42.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

LOOPBACK = "127.0.0.1"
LOGGER = logging.getLogger("model_server")
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_LOAD_ATTEMPTS = 5  # TF Serving's --max_num_load_retries is 5 too
STATES = ("START", "LOADING", "AVAILABLE", "UNLOADING", "END")
NUMPY_DTYPES = {"DT_FLOAT": np.float32, "DT_DOUBLE": np.float64, "DT_INT32": np.int32,
                "DT_INT64": np.int64, "DT_BOOL": np.bool_}


class ServingError(Exception):
    """A request the server refuses: an HTTP status and TF Serving's kind of message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = int(status)
        self.message = str(message)


# ---------------------------------------------------------------------------------------------
# Version directories and version policies
# ---------------------------------------------------------------------------------------------


def version_number(name: Any) -> int | None:
    """The version a directory name stands for ('7' and '007' are 7), or None: TF Serving skips it."""
    text = str(name)
    return int(text) if re.fullmatch(r"[0-9]+", text) else None


def versions_on_disk(base_path: str | Path) -> dict[int, Path]:
    """The version folders under a model base directory, by number (other entries are ignored)."""
    base = Path(base_path)
    if not base.is_dir():
        return {}
    found: dict[int, Path] = {}
    for child in sorted(base.iterdir()):
        number = version_number(child.name)
        if number is not None and child.is_dir():
            found.setdefault(number, child)
    return found


def check_policy(policy: Mapping[str, Any] | None) -> dict[str, Any]:
    """A version policy checked and completed: ``{"latest": {"num_versions": n}}``, ``{"all": {}}``
    or ``{"specific": {"versions": [...]}}``, as in TF Serving's ``model_version_policy``."""
    if policy is None:
        return {"latest": {"num_versions": 1}}
    if not isinstance(policy, Mapping) or len(policy) != 1:
        raise ValueError("a version policy is one of {'latest': {'num_versions': n}}, {'all': {}} or "
                         f"{{'specific': {{'versions': [...]}}}}, got {policy!r}")
    (kind, options), = policy.items()
    options = dict(options or {})
    if kind == "latest":
        count = options.get("num_versions", 1)
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
            raise ValueError(f"latest.num_versions must be a whole number >= 0, got {count!r}")
        return {"latest": {"num_versions": int(count)}}
    if kind == "all":
        return {"all": {}}
    if kind == "specific":
        wanted = options.get("versions")
        if not isinstance(wanted, (list, tuple)) or not wanted or not all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in wanted):
            raise ValueError(f"specific.versions must be a non-empty list of version numbers, got {wanted!r}")
        return {"specific": {"versions": sorted(int(v) for v in wanted)}}
    raise ValueError(f"unknown version policy {kind!r}; use 'latest', 'all' or 'specific'")


def served_versions(names: Sequence[Any], policy: Mapping[str, Any] | None = None) -> list[int]:
    """The versions a policy serves, given the names in the base directory (ascending).

    Names that are not whole numbers are skipped; versions compare as numbers (10 is newer than 9);
    ``latest`` serves the ``num_versions`` highest (at least one, as TF Serving does).
    """
    if isinstance(names, (str, bytes)):
        raise ValueError("names must be a list of directory names, not one string")
    numbers = sorted({v for v in map(version_number, names) if v is not None})
    rule = check_policy(policy)
    if "latest" in rule:
        keep = max(rule["latest"]["num_versions"], 1)
        return numbers[-keep:]
    if "all" in rule:
        return numbers
    wanted = set(rule["specific"]["versions"])
    return [v for v in numbers if v in wanted]


@dataclass
class ModelConfig:
    """One model of the server: name, base directory, version policy, version labels."""

    name: str
    base_path: str | None
    model_version_policy: dict[str, Any] = field(default_factory=lambda: {"latest": {"num_versions": 1}})
    version_labels: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", self.name):
            raise ValueError(f"a model name is letters, digits, '_', '.' or '-', got {self.name!r}")
        self.model_version_policy = check_policy(self.model_version_policy)
        labels = dict(self.version_labels or {})
        for label, version in labels.items():
            if not re.fullmatch(r"[A-Za-z0-9_]+", str(label)):
                raise ValueError(f"a version label is letters, digits and '_' only, got {label!r}")
            if isinstance(version, bool) or not isinstance(version, (int, np.integer)):
                raise ValueError(f"label {label!r} must point to a version number, got {version!r}")
        self.version_labels = {str(k): int(v) for k, v in labels.items()}


def read_model_config(path: str | Path) -> list[ModelConfig]:
    """The models of a JSON config file shaped like TF Serving's ``ModelServerConfig``."""
    try:
        content = json.loads(Path(path).read_text())
        entries = content["model_config_list"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"cannot read model config {path}: {error!r}; expected "
                         "{'model_config_list': [{'name': ..., 'base_path': ...}, ...]}") from None
    configs = []
    for entry in entries:
        unknown = set(entry) - {"name", "base_path", "model_platform", "model_version_policy", "version_labels"}
        if unknown:
            raise ValueError(f"unknown field(s) {sorted(unknown)} in the config of model {entry.get('name')!r}")
        configs.append(ModelConfig(entry["name"], entry.get("base_path"),
                                   entry.get("model_version_policy"), entry.get("version_labels", {})))
    return configs


def write_model_config(path: str | Path, configs: Sequence[ModelConfig]) -> Path:
    """Write a JSON model config atomically (a polling server never reads half a file)."""
    path = Path(path)
    content = {"model_config_list": [
        {"name": c.name, "base_path": c.base_path, "model_platform": "tensorflow",
         "model_version_policy": c.model_version_policy, "version_labels": c.version_labels}
        for c in configs]}
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(content, indent=1))
    os.replace(temporary, path)
    return path


def text_proto(configs: Sequence[ModelConfig]) -> str:
    """The same configs in the protocol-buffer text format the real TF Serving reads (--model_config_file)."""
    lines = ["model_config_list {"]
    for config in configs:
        lines += ["  config {", f"    name: '{config.name}'", f"    base_path: '{config.base_path}'",
                  "    model_platform: 'tensorflow'"]
        (kind, options), = config.model_version_policy.items()
        if kind == "latest":
            lines += ["    model_version_policy {", "      latest {",
                      f"        num_versions: {options['num_versions']}", "      }", "    }"]
        elif kind == "all":
            lines += ["    model_version_policy {", "      all {}", "    }"]
        else:
            lines += ["    model_version_policy {", "      specific {"]
            lines += [f"        versions: {v}" for v in options["versions"]]
            lines += ["      }", "    }"]
        for label, version in config.version_labels.items():
            lines += ["    version_labels {", f"      key: '{label}'", f"      value: {version}", "    }"]
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def export_version(model: Any, base_path: str | Path, version: int) -> Path:
    """Export a Keras model as version ``version`` under ``base_path``, all at once.

    ``model.export`` writes to a hidden folder first, which a polling server ignores (its name is
    not a number); one rename then makes the finished SavedModel appear as ``base_path/version``.
    """
    if isinstance(version, bool) or not isinstance(version, (int, np.integer)) or version < 1:
        raise ValueError(f"version must be a whole number >= 1, got {version!r}")
    base = Path(base_path)
    base.mkdir(parents=True, exist_ok=True)
    target = base / str(int(version))
    if target.exists():
        raise ValueError(f"{target} exists already: a version, once served, is never overwritten")
    temporary = base / f".export-{int(version)}-{os.getpid()}"
    model.export(str(temporary), verbose=False)
    os.replace(temporary, target)
    return target


def directory_tree(path: str | Path, depth: int = 3) -> str:
    """The folders and files under ``path`` (sizes in kB), indented, down to ``depth`` levels."""
    root = Path(path)
    if not root.is_dir():
        raise ValueError(f"{root} is not a directory")
    lines = [f"{root.name}/"]

    def walk(folder: Path, level: int) -> None:
        for child in sorted(folder.iterdir(), key=lambda c: (c.is_file(), c.name)):
            if child.name.startswith("."):
                continue
            if child.is_dir():
                lines.append("    " * level + f"{child.name}/")
                if level < depth:
                    walk(child, level + 1)
            else:
                lines.append("    " * level + f"{child.name}  ({child.stat().st_size / 1024:.1f} kB)")

    walk(root, 1)
    return "\n".join(lines)


def digits_model(hidden: int = 0) -> Any:
    """The served digits classifier: 28x28 pixels in ("pixels"), 10 probabilities out; compiled.

    ``hidden=0`` is softmax regression (version 1 of the notebook), ``hidden > 0`` adds one ReLU
    layer of that width (version 2).
    """
    import keras

    if isinstance(hidden, bool) or not isinstance(hidden, (int, np.integer)) or hidden < 0:
        raise ValueError(f"hidden must be a whole number >= 0, got {hidden!r}")
    inputs = keras.Input((28, 28), name="pixels")
    x = keras.layers.Flatten()(inputs)
    if hidden:
        x = keras.layers.Dense(int(hidden), activation="relu")(x)
    outputs = keras.layers.Dense(10, activation="softmax", name="probabilities")(x)
    model = keras.Model(inputs, outputs, name=f"digits_hidden_{int(hidden)}")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


# ---------------------------------------------------------------------------------------------
# The REST paths
# ---------------------------------------------------------------------------------------------

PREDICT_PATH = re.compile(r"/v1/models/([^/:]+)(?:/versions/([0-9]+)|/labels/([^/:]+))?:(classify|regress|predict)",
                          re.IGNORECASE)
STATUS_PATH = re.compile(r"/v1/models(?:/([^/:]+))?(?:/versions/([0-9]+)|/labels/([^/:]+))?(?:/(metadata))?",
                         re.IGNORECASE)


@dataclass(frozen=True)
class Route:
    """What a request path asks for: the model, a version or a label (or neither), and the verb."""

    model: str
    version: int | None
    label: str | None
    verb: str  # "predict", "classify", "regress", "status" or "metadata"


def parse_path(method: str, path: str) -> Route:
    """Read a REST path the way TF Serving does; a ServingError (400 or 405) when it cannot."""
    path = urllib.parse.urlsplit(path).path
    method = method.upper()
    predict = PREDICT_PATH.fullmatch(path)
    status = STATUS_PATH.fullmatch(path)
    if method not in ("GET", "POST"):
        raise ServingError(405, f"Method {method} is not allowed: GET reads status and metadata, "
                                "POST sends :predict requests")
    if method == "GET" and predict:
        raise ServingError(405, f"Method GET is not allowed on {path}: send :{predict.group(4)} requests "
                                "with POST")
    if method == "POST" and status and not predict:
        raise ServingError(405, f"Method POST is not allowed on {path}: use GET for status and metadata, "
                                "or POST to .../NAME:predict")
    match = predict if method == "POST" else status
    if match is None:
        raise ServingError(400, f"Malformed request: {method} {path}")
    name, version, label = match.group(1), match.group(2), match.group(3)
    if not name:
        raise ServingError(400, "Missing model name in request.")
    verb = match.group(4).lower() if method == "POST" else ("metadata" if match.group(4) else "status")
    return Route(urllib.parse.unquote(name), int(version) if version is not None else None,
                 urllib.parse.unquote(label) if label is not None else None, verb)


def resolve_version(path: str, model_name: str, served: Sequence[int],
                    labels: Mapping[str, int]) -> tuple[int, int]:
    """The HTTP status of a predict request on ``path`` and the version that answers it (0: none).

    No version in the path: the latest served one. ``/versions/N``: N if it is served, else 404.
    ``/labels/L``: the version L points to if it is served, else 404; a label the server does not
    know is a 400 (TF Serving's "Unrecognized servable version label"). Another model: 404.
    """
    try:
        route = parse_path("POST", path)
    except ServingError as error:
        return error.status, 0
    if route.model != model_name:
        return 404, 0
    available = {int(v) for v in served}
    if route.label is not None:
        if route.label not in labels:
            return 400, 0
        wanted = int(labels[route.label])
    elif route.version is not None:
        wanted = route.version
    else:
        return (200, max(available)) if available else (404, 0)
    return (200, wanted) if wanted in available else (404, 0)


# ---------------------------------------------------------------------------------------------
# Servables: a loaded version of a model
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TensorInfo:
    """One input or output of a signature: TF dtype name, shape (-1 where unknown), graph tensor name."""

    dtype: str
    shape: tuple[int, ...] | None  # None: unknown rank
    name: str = ""

    def as_json(self) -> dict[str, Any]:
        """The JSON TF Serving's metadata API gives for a TensorInfo."""
        shape: dict[str, Any] = ({"dim": [], "unknown_rank": True} if self.shape is None else
                                 {"dim": [{"size": str(d), "name": ""} for d in self.shape], "unknown_rank": False})
        return {"dtype": self.dtype, "tensor_shape": shape, "name": self.name}


@dataclass
class Servable:
    """A loaded model version: its signature's inputs and outputs and a function that runs it."""

    version: int
    inputs: dict[str, TensorInfo]
    outputs: dict[str, TensorInfo]
    run: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]
    signature_defs: dict[str, Any] | None = None  # the SavedModel's own, for the metadata API
    path: str = ""
    keep_alive: Any = None  # the loaded SavedModel object, which the signature function needs


def _tensor_info(proto: Any) -> TensorInfo:
    from tensorflow.core.framework import types_pb2

    shape = None if proto.tensor_shape.unknown_rank else tuple(int(d.size) for d in proto.tensor_shape.dim)
    return TensorInfo(types_pb2.DataType.Name(proto.dtype), shape, proto.name)


def load_saved_model(path: str | Path, version: int) -> Servable:
    """Load one SavedModel version and its ``serving_default`` signature."""
    import tensorflow as tf
    from tensorflow.core.protobuf import saved_model_pb2

    path = Path(path)
    proto_file = path / "saved_model.pb"
    if not proto_file.is_file():
        raise ValueError(f"{path} holds no saved_model.pb (not a SavedModel, or not completely written)")
    saved = saved_model_pb2.SavedModel()
    saved.ParseFromString(proto_file.read_bytes())
    signatures = saved.meta_graphs[0].signature_def
    if "serving_default" not in signatures:
        raise ValueError(f"{path} has no serving_default signature (found {sorted(signatures)})")
    default = signatures["serving_default"]
    inputs = {key: _tensor_info(value) for key, value in default.inputs.items()}
    outputs = {key: _tensor_info(value) for key, value in default.outputs.items()}
    loaded = tf.saved_model.load(str(path))
    function = loaded.signatures["serving_default"]

    def run(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        results = function(**{key: tf.constant(value) for key, value in tensors.items()})
        return {key: value.numpy() for key, value in results.items()}

    defs = {key: {"inputs": {k: _tensor_info(v).as_json() for k, v in value.inputs.items()},
                  "outputs": {k: _tensor_info(v).as_json() for k, v in value.outputs.items()},
                  "method_name": value.method_name}
            for key, value in sorted(signatures.items())}
    return Servable(int(version), inputs, outputs, run, defs, str(path), loaded)


def function_servable(version: int, function: Callable[..., Any], inputs: Mapping[str, TensorInfo],
                      outputs: Mapping[str, TensorInfo]) -> Servable:
    """A stand-in servable from a NumPy function of the named inputs (tests, explorers without TF)."""
    def run(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        result = function(**tensors)
        if not isinstance(result, Mapping):
            (only,) = outputs
            result = {only: result}
        return {key: np.asarray(value) for key, value in result.items()}

    return Servable(int(version), dict(inputs), dict(outputs), run)


def _signature_json(servable: Servable) -> dict[str, Any]:
    if servable.signature_defs is not None:
        return servable.signature_defs
    return {"serving_default": {
        "inputs": {k: v.as_json() for k, v in servable.inputs.items()},
        "outputs": {k: v.as_json() for k, v in servable.outputs.items()},
        "method_name": "tensorflow/serving/predict"}}


# ---------------------------------------------------------------------------------------------
# Request and response bodies
# ---------------------------------------------------------------------------------------------


def _debug(value: Any, limit: int = 80) -> str:
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _tensor(value: Any, name: str, info: TensorInfo, batched: bool = True) -> np.ndarray:
    """A JSON value as an array of the signature's dtype and shape, or a 400 saying what is wrong."""
    dtype = NUMPY_DTYPES.get(info.dtype)
    if dtype is None:
        raise ServingError(400, f"input {name!r} has dtype {info.dtype}, which this server cannot read from JSON")
    try:
        array = np.asarray(value, dtype=dtype)
    except (ValueError, TypeError):
        raise ServingError(400, f"JSON Value: {_debug(value)} for input {name!r} is not a (nested) list of "
                                f"numbers of one shape (expected {info.dtype})") from None
    if info.shape is not None:
        shape = tuple(info.shape) if batched else tuple(info.shape[1:])
        if array.ndim != len(shape) or any(want not in (-1, got) for want, got in zip(shape, array.shape)):
            wanted = "[" + ",".join(str(d) for d in shape) + "]"
            raise ServingError(400, f"input {name!r} must have shape {wanted} (-1: any size), got "
                                    f"[{','.join(str(d) for d in array.shape)}]")
    return array


def parse_predict_body(body: bytes | str, inputs: Mapping[str, TensorInfo]) -> tuple[str, dict[str, np.ndarray]]:
    """Read a predict request's JSON into named input arrays; returns ("row" | "columnar", arrays).

    Row format ``{"instances": [...]}`` lists examples (objects {name: value} when the model has
    several inputs); columnar ``{"inputs": ...}`` gives each input whole, batch first. Anything
    else is a ServingError 400 with a message in TF Serving's style.
    """
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ServingError(400, f"JSON Parse error: the body is not UTF-8 ({error.reason})") from None
    if not body.strip():
        raise ServingError(400, "JSON Parse error: The document is empty")
    try:
        request = json.loads(body)
    except ValueError as error:
        raise ServingError(400, f"JSON Parse error: {error.msg} at offset: {error.pos}") from None
    if not isinstance(request, dict):
        raise ServingError(400, f"JSON Value: {_debug(request)} Is not object")
    signature = request.get("signature_name", "serving_default")
    if signature not in ("serving_default", ""):
        raise ServingError(400, f'Serving signature name: "{signature}" not found in signature def')
    names = sorted(inputs)
    if "instances" in request and "inputs" in request:
        raise ServingError(400, "Not formatted correctly: expecting only one of 'inputs' or 'instances' keys")
    if "instances" in request:
        instances = request["instances"]
        if not isinstance(instances, list):
            raise ServingError(400, "Expecting 'instances' to be an list/array")
        if not instances:
            raise ServingError(400, "No values in 'instances' array")
        if isinstance(instances[0], dict):
            columns: dict[str, list[Any]] = {name: [] for name in names}
            for index, instance in enumerate(instances):
                if not isinstance(instance, dict):
                    raise ServingError(400, f"Expecting object but got list at item {index} of input list")
                if sorted(instance) != names:
                    raise ServingError(400, f"Failed to process element: {index} of 'instances' list. JSON "
                                            f"object: {_debug(instance)} keys must be equal to: {','.join(names)}")
                for name in names:
                    columns[name].append(instance[name])
        else:
            if len(names) > 1:
                raise ServingError(400, "instances is a plain list, but expecting list of objects as multiple "
                                        f"input tensors are required ({', '.join(names)})")
            if any(isinstance(instance, dict) for instance in instances):
                raise ServingError(400, "Expecting value/list but got object in the 'instances' list")
            columns = {names[0]: instances}
        arrays = {}
        for name in names:
            rows = [_tensor(item, name, inputs[name], batched=False) for item in columns[name]]
            shapes = {row.shape for row in rows}
            if len(shapes) > 1:
                raise ServingError(400, f"every instance of input {name!r} must have the same shape, got "
                                        f"{sorted(shapes)}")
            arrays[name] = np.stack(rows)
        return "row", arrays
    if "inputs" in request:
        value = request["inputs"]
        if isinstance(value, dict):
            missing = [name for name in names if name not in value]
            if missing:
                raise ServingError(400, f"Missing named input: {missing[0]} in 'inputs' object.")
            unknown = sorted(set(value) - set(names))
            if unknown:
                raise ServingError(400, f"'inputs' object has unknown input(s) {unknown}; the signature's "
                                        f"inputs are {names}")
            arrays = {name: _tensor(value[name], name, inputs[name]) for name in names}
        else:
            if len(names) > 1:
                raise ServingError(400, "inputs is a plain value/list, but expecting an object as multiple "
                                        f"input tensors are required ({', '.join(names)})")
            arrays = {names[0]: _tensor(value, names[0], inputs[names[0]])}
        sizes = {len(a) for a in arrays.values() if a.ndim}
        if len(sizes) > 1:
            raise ServingError(400, f"the inputs have different batch sizes {sorted(sizes)}")
        return "columnar", arrays
    raise ServingError(400, "Missing 'inputs' or 'instances' key")


def predict_response(style: str, outputs: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """The JSON answer: {"predictions": one item per example} (row) or {"outputs": ...} (columnar)."""
    names = sorted(outputs)
    lists = {name: np.asarray(outputs[name]).tolist() for name in names}
    if style == "row":
        if len(names) == 1:
            return {"predictions": lists[names[0]]}
        count = len(lists[names[0]])
        return {"predictions": [{name: lists[name][i] for name in names} for i in range(count)]}
    if style == "columnar":
        return {"outputs": lists[names[0]] if len(names) == 1 else lists}
    raise ValueError(f"style must be 'row' or 'columnar', got {style!r}")


# ---------------------------------------------------------------------------------------------
# Server-side batching
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchingOptions:
    """Server-side batching: wait up to ``batch_timeout_micros`` for up to ``max_batch_size`` examples."""

    max_batch_size: int = 32
    batch_timeout_micros: int = 2000

    def __post_init__(self) -> None:
        if isinstance(self.max_batch_size, bool) or not isinstance(self.max_batch_size, int) or self.max_batch_size < 1:
            raise ValueError(f"max_batch_size must be a whole number >= 1, got {self.max_batch_size!r}")
        if not isinstance(self.batch_timeout_micros, int) or self.batch_timeout_micros < 0:
            raise ValueError(f"batch_timeout_micros must be a whole number >= 0, got {self.batch_timeout_micros!r}")


class _Pending:
    def __init__(self, tensors: dict[str, np.ndarray]) -> None:
        self.tensors = tensors
        self.size = len(next(iter(tensors.values())))
        self.done = threading.Event()
        self.outputs: dict[str, np.ndarray] | None = None
        self.error: BaseException | None = None


class Batcher:
    """Collects concurrent requests to one servable into batches run by one thread."""

    def __init__(self, servable: Servable, options: BatchingOptions, label: str = "") -> None:
        self.servable, self.options, self.label = servable, options, label
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._carry: _Pending | None = None
        self._closed = False
        self._lock = threading.Lock()
        self.batch_sizes: list[int] = []  # examples per batch run, for statistics
        self._thread = threading.Thread(target=self._loop, name=f"batcher-{label}", daemon=True)
        self._thread.start()

    def run(self, tensors: dict[str, np.ndarray], timeout: float = 60.0) -> dict[str, np.ndarray]:
        """Queue one request and wait for its share of the batch's outputs."""
        item = _Pending(tensors)
        with self._lock:
            if self._closed:
                return self.servable.run(tensors)
            self._queue.put(item)
        if not item.done.wait(timeout):
            raise ServingError(504, "the batch holding this request did not finish in time")
        if item.error is not None:
            raise item.error
        assert item.outputs is not None
        return item.outputs

    def close(self) -> None:
        """Finish the queued requests, then stop the thread."""
        with self._lock:
            self._closed = True
            self._queue.put(None)

    def _next(self, timeout: float | None) -> _Pending | None:
        if self._carry is not None:
            item, self._carry = self._carry, None
            return item
        return self._queue.get(timeout=timeout) if timeout is None or timeout > 0 else self._queue.get_nowait()

    def _loop(self) -> None:
        while True:
            first = self._next(None)
            if first is None:
                return
            batch, size = [first], first.size
            deadline = time.perf_counter() + self.options.batch_timeout_micros / 1e6
            stop = False
            while size < self.options.max_batch_size:
                try:
                    item = self._next(deadline - time.perf_counter())
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                if size + item.size > self.options.max_batch_size:
                    self._carry = item  # starts the next batch
                    break
                batch.append(item)
                size += item.size
            self._execute(batch)
            if stop:
                while self._carry is not None or not self._queue.empty():  # drain what is left
                    item = self._next(0)
                    if item is not None:
                        self._execute([item])
                return

    def _execute(self, batch: list[_Pending]) -> None:
        try:
            names = list(batch[0].tensors)
            shapes = {tuple(item.tensors[name].shape[1:]) for item in batch for name in names}
            if len(batch) > 1 and len(shapes) > len(names):  # cannot be stacked: run one by one
                for item in batch:
                    self._execute([item])
                return
            merged = {name: np.concatenate([item.tensors[name] for item in batch]) for name in names}
            outputs = self.servable.run(merged)
            self.batch_sizes.append(sum(item.size for item in batch))
            LOGGER.info("batch of %d request(s), %d example(s), version %d", len(batch),
                        self.batch_sizes[-1], self.servable.version)
            start = 0
            for item in batch:
                item.outputs = {key: value[start:start + item.size] for key, value in outputs.items()}
                start += item.size
        except BaseException as error:  # noqa: BLE001 - handed to every waiting request
            for item in batch:
                item.error = error
        finally:
            for item in batch:
                item.done.set()


# ---------------------------------------------------------------------------------------------
# The server core: models, versions, labels, and the REST API without HTTP
# ---------------------------------------------------------------------------------------------


@dataclass
class _Version:
    state: str = "START"
    servable: Servable | None = None
    error: str = ""
    batcher: Batcher | None = None


class _Model:
    def __init__(self, config: ModelConfig) -> None:
        self.config = config
        self.versions: dict[int, _Version] = {}
        self.labels: dict[str, int] = {}
        self.failed: dict[int, int] = {}  # failed load attempts per version


class ModelServer:
    """TF Serving's REST API over models and their versions; :meth:`handle` answers one request.

    :meth:`poll` does one pass of what the server repeats every ``file_system_poll_wait_seconds``:
    re-read the config file if it changed, look for version folders, load the ones the policy
    wants (new versions first), then unload the others, and update the labels. Like TF Serving's
    availability-preserving policy, it never unloads the old versions while none of the wanted
    ones is available (a version that fails to load leaves the old one serving).
    """

    def __init__(self, configs: Sequence[ModelConfig], *, batching: BatchingOptions | None = None,
                 loader: Callable[[Path, int], Servable] = load_saved_model,
                 config_file: str | Path | None = None,
                 allow_version_labels_for_unavailable_models: bool = False) -> None:
        if not configs:
            raise ValueError("a ModelServer needs at least one ModelConfig")
        self.batching = batching
        self.loader = loader
        self.config_file = Path(config_file) if config_file is not None else None
        self._config_stamp: float | None = None
        self.allow_unavailable_labels = bool(allow_version_labels_for_unavailable_models)
        self._lock = threading.RLock()
        self._poll_lock = threading.Lock()
        self.models: dict[str, _Model] = {c.name: _Model(c) for c in configs}
        if self.config_file is not None:
            self._config_stamp = self.config_file.stat().st_mtime_ns

    @classmethod
    def from_servables(cls, name: str, servables: Mapping[int, Servable],
                       labels: Mapping[str, int] | None = None, **options: Any) -> "ModelServer":
        """A server whose versions are already loaded (no base directory): tests and explorers."""
        server = cls([ModelConfig(name, None, {"all": {}}, dict(labels or {}))], **options)
        model = server.models[name]
        for version, servable in servables.items():
            model.versions[int(version)] = _Version("AVAILABLE", servable)
            if server.batching is not None:
                model.versions[int(version)].batcher = Batcher(servable, server.batching, f"{name}-{version}")
        server._update_labels(model)
        return server

    # -- polling ------------------------------------------------------------------------------

    def poll(self) -> None:
        """One pass over the config file and every model's base directory."""
        with self._poll_lock:
            self._reload_config()
            for model in list(self.models.values()):
                if model.config.base_path is not None:
                    self._poll_model(model)
                self._update_labels(model)

    def _reload_config(self) -> None:
        if self.config_file is None:
            return
        try:
            stamp = self.config_file.stat().st_mtime_ns
            if stamp == self._config_stamp:
                return
            configs = read_model_config(self.config_file)
        except (OSError, ValueError) as error:
            LOGGER.warning("kept the previous config: %s", error)
            return
        self._config_stamp = stamp
        with self._lock:
            wanted = {c.name: c for c in configs}
            for name in list(self.models):
                if name not in wanted:
                    LOGGER.info("model %s left the config: unloading it", name)
                    self._unload_all(self.models.pop(name))
            for name, config in wanted.items():
                if name in self.models:
                    self.models[name].config = config
                else:
                    self.models[name] = _Model(config)
        LOGGER.info("read the model config %s: %s", self.config_file,
                    "; ".join(f"{c.name} {c.model_version_policy} labels {c.version_labels}" for c in configs))

    def _poll_model(self, model: _Model) -> None:
        on_disk = versions_on_disk(model.config.base_path or "")
        aspired = set(served_versions([str(v) for v in on_disk], model.config.model_version_policy))
        with self._lock:
            present = {v for v, entry in model.versions.items() if entry.state == "AVAILABLE"}
        for version in sorted(aspired - present):  # load the new versions first ...
            if model.failed.get(version, 0) >= MAX_LOAD_ATTEMPTS:
                continue  # gave up on this version, as TF Serving does after its retries
            with self._lock:
                model.versions[version] = _Version("LOADING")
            LOGGER.info("loading %s version %d from %s", model.config.name, version, on_disk[version])
            start = time.perf_counter()
            try:
                servable = self.loader(on_disk[version], version)
            except Exception as error:  # noqa: BLE001 - a broken version must not stop the server
                LOGGER.error("could not load %s version %d: %s", model.config.name, version, error)
                with self._lock:
                    model.versions[version] = _Version("END", error=f"{type(error).__name__}: {error}")
                model.failed[version] = model.failed.get(version, 0) + 1
                continue
            entry = _Version("AVAILABLE", servable)
            if self.batching is not None:
                entry.batcher = Batcher(servable, self.batching, f"{model.config.name}-{version}")
            with self._lock:
                model.versions[version] = entry
            LOGGER.info("%s version %d AVAILABLE (loaded in %.2f s)", model.config.name, version,
                        time.perf_counter() - start)
        with self._lock:  # ... then unload the ones no longer aspired, but never the last ones up
            ready = {v for v in aspired if model.versions.get(v, _Version()).state == "AVAILABLE"}
            leaving = sorted(present - aspired)
            if leaving and not ready:
                LOGGER.warning("keeping %s version(s) %s: no aspired version is available yet",
                               model.config.name, leaving)
                return
            for version in leaving:
                self._unload(model, version)

    def _unload(self, model: _Model, version: int) -> None:
        entry = model.versions[version]
        entry.state = "UNLOADING"
        if entry.batcher is not None:
            entry.batcher.close()
        model.versions[version] = _Version("END")
        LOGGER.info("%s version %d unloaded (END)", model.config.name, version)

    def _unload_all(self, model: _Model) -> None:
        for version, entry in list(model.versions.items()):
            if entry.state == "AVAILABLE":
                self._unload(model, version)

    def _update_labels(self, model: _Model) -> None:
        with self._lock:
            available = {v for v, e in model.versions.items() if e.state == "AVAILABLE"}
            labels = {}
            for label, version in model.config.version_labels.items():
                if version in available:
                    labels[label] = version
                elif self.allow_unavailable_labels and label not in model.labels:
                    labels[label] = version
                elif label in model.labels:
                    labels[label] = model.labels[label]  # keep the old target until the new one is up
                    if model.labels[label] != version:
                        LOGGER.warning("label %s of %s stays on version %d: version %d is not available",
                                       label, model.config.name, model.labels[label], version)
            model.labels = labels

    def close(self) -> None:
        """Stop every batching thread."""
        with self._lock:
            for model in self.models.values():
                for entry in model.versions.values():
                    if entry.batcher is not None:
                        entry.batcher.close()

    # -- what clients see ---------------------------------------------------------------------

    def available_versions(self, name: str) -> list[int]:
        """The versions of a model that answer requests now."""
        with self._lock:
            model = self.models.get(name)
            return sorted(v for v, e in model.versions.items() if e.state == "AVAILABLE") if model else []

    def labels(self, name: str) -> dict[str, int]:
        """The labels of a model that are in force now."""
        with self._lock:
            model = self.models.get(name)
            return dict(model.labels) if model else {}

    def _pick(self, route: Route, for_status: bool = False) -> tuple[_Model, int | None]:
        model = self.models.get(route.model)
        if model is None:
            if for_status:
                raise ServingError(404, f"Could not find any versions of model {route.model}")
            raise ServingError(404, f"Servable not found for request: Latest({route.model})")
        if route.label is not None:
            if route.label not in model.labels:
                raise ServingError(400, f"Unrecognized servable version label: {route.label}")
            return model, model.labels[route.label]
        return model, route.version

    def _servable(self, route: Route) -> tuple[int, _Version]:
        with self._lock:
            model, version = self._pick(route)
            available = {v: e for v, e in model.versions.items() if e.state == "AVAILABLE"}
            if version is None:
                if not available:
                    raise ServingError(404, f"Servable not found for request: Latest({route.model})")
                version = max(available)
            if version not in available:
                raise ServingError(404, f"Servable not found for request: Specific({route.model}, {version})")
            return version, available[version]

    def status(self, route: Route) -> dict[str, Any]:
        """GET /v1/models/NAME[/versions/N|/labels/L]: the state of each version."""
        with self._lock:
            model, version = self._pick(route, for_status=True)
            entries = dict(model.versions)
            if version is not None:
                if version not in entries:
                    raise ServingError(404, f"Could not find version {version} of model {route.model}")
                entries = {version: entries[version]}
            if not entries:
                raise ServingError(404, f"Could not find any versions of model {route.model}")
            return {"model_version_status": [
                {"version": str(v), "state": e.state,
                 "status": {"error_code": "UNKNOWN" if e.error else "OK", "error_message": e.error}}
                for v, e in sorted(entries.items(), reverse=True)]}

    def metadata(self, route: Route) -> dict[str, Any]:
        """GET .../metadata: the model spec and its SavedModel's signature definitions."""
        version, entry = self._servable(route)
        assert entry.servable is not None
        return {"model_spec": {"name": route.model, "signature_name": "", "version": str(version)},
                "metadata": {"signature_def": {"signature_def": _signature_json(entry.servable)}}}

    def predict(self, route: Route, body: bytes | str) -> dict[str, Any]:
        """POST ...:predict: parse, run (through the batcher when batching is on), format."""
        if route.verb != "predict":
            raise ServingError(501, f"this server implements :predict only, not :{route.verb}")
        version, entry = self._servable(route)
        servable = entry.servable
        assert servable is not None
        style, tensors = parse_predict_body(body, servable.inputs)
        try:
            if entry.batcher is not None:
                outputs = entry.batcher.run(tensors)
            else:
                outputs = servable.run(tensors)
        except ServingError:
            raise
        except Exception as error:  # noqa: BLE001 - TensorFlow's InvalidArgumentError and the like
            message = str(getattr(error, "message", error)).strip().splitlines()[0][:300]
            raise ServingError(400, f"{type(error).__name__}: {message}") from None
        return predict_response(style, outputs)

    def handle(self, method: str, path: str, body: bytes | str = b"") -> tuple[int, dict[str, Any]]:
        """Answer one request: (HTTP status, JSON body). Never raises."""
        try:
            route = parse_path(method, path)
            if route.verb == "status":
                return 200, self.status(route)
            if route.verb == "metadata":
                return 200, self.metadata(route)
            return 200, self.predict(route, body)
        except ServingError as error:
            return error.status, {"error": error.message}
        except Exception as error:  # noqa: BLE001 - the server keeps serving whatever happens
            LOGGER.exception("internal error on %s %s", method, path)
            return 500, {"error": f"internal error: {type(error).__name__}: {error}"}


# ---------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a client reuses its connection
    server_version = "course-model-server/1.0"
    core: ModelServer
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    def setup(self) -> None:
        super().setup()
        # headers and body leave in two writes; without TCP_NODELAY, Nagle's algorithm holds the
        # second one back until the client's delayed ACK (about 40 ms per request)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _answer(self, status: int, payload: dict[str, Any], extra: Mapping[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _read_body(self) -> bytes | None:
        header = self.headers.get("Content-Length")
        if header is None:
            return b""
        try:
            length = int(header)
            if length < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            self._answer(400, {"error": f"Content-Length must be a whole number of bytes, got {header!r}"})
            return None
        if length > self.max_body_bytes:
            if length <= 16 * self.max_body_bytes:  # read it away, so the client sees our answer
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            self.close_connection = True
            self._answer(413, {"error": f"Request body of {length} bytes exceeds the limit of "
                                        f"{self.max_body_bytes} bytes"})
            return None
        return self.rfile.read(length)

    def _dispatch(self) -> None:
        body = self._read_body()
        if body is None:
            return
        status, payload = self.core.handle(self.command, self.path, body)
        extra = {"Allow": "GET, POST"} if status == 405 else None
        self._answer(status, payload, extra)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        LOGGER.debug("%s %s", self.address_string(), format % args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def make_http_server(core: ModelServer, port: int = 0,
                     max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1:``port`` (0: a free one) answering with ``core``; not started yet."""
    handler = type("Handler", (_Handler,), {"core": core, "max_body_bytes": int(max_body_bytes)})
    return _HTTPServer((LOOPBACK, int(port)), handler)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m utils.production.serving",
        description="A model server with TensorFlow Serving's REST API, bound to 127.0.0.1.")
    parser.add_argument("--model_name", help="the model's name in the URLs (with --model_base_path)")
    parser.add_argument("--model_base_path", help="the folder holding the numbered version folders")
    parser.add_argument("--model_config_file", help="JSON model config (several models, policies, labels)")
    parser.add_argument("--model_config_file_poll_wait_seconds", type=float, default=0.0,
                        help="re-read the config file this often (0: only at start)")
    parser.add_argument("--file_system_poll_wait_seconds", type=float, default=1.0,
                        help="look for new versions this often (0: only at start)")
    parser.add_argument("--rest_api_port", type=int, default=8501, help="HTTP port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--port_file", help="write the port here once the models are loaded")
    parser.add_argument("--enable_batching", action="store_true", help="batch concurrent requests")
    parser.add_argument("--max_batch_size", type=int, default=32)
    parser.add_argument("--batch_timeout_micros", type=int, default=2000)
    parser.add_argument("--allow_version_labels_for_unavailable_models", action="store_true")
    parser.add_argument("--max_body_bytes", type=int, default=DEFAULT_MAX_BODY_BYTES)
    parser.add_argument("--max_seconds", type=float, default=900.0,
                        help="stop by itself after this many seconds (a safety bound)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of the model server process."""
    args = _build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, datefmt="%H:%M:%S",
                        format="%(asctime)s.%(msecs)03d %(levelname)s %(message)s")
    if args.model_config_file:
        configs = read_model_config(args.model_config_file)
    elif args.model_name and args.model_base_path:
        configs = [ModelConfig(args.model_name, args.model_base_path)]
    else:
        print("give --model_name and --model_base_path, or --model_config_file", file=sys.stderr)
        return 2
    batching = (BatchingOptions(args.max_batch_size, args.batch_timeout_micros)
                if args.enable_batching else None)
    core = ModelServer(configs, batching=batching, config_file=args.model_config_file,
                       allow_version_labels_for_unavailable_models=args.allow_version_labels_for_unavailable_models)
    core.poll()
    httpd = make_http_server(core, args.rest_api_port, args.max_body_bytes)
    port = httpd.server_address[1]
    stop = threading.Event()
    parent = os.getppid()
    deadline = time.monotonic() + args.max_seconds
    poll_every = [s for s in (args.file_system_poll_wait_seconds, args.model_config_file_poll_wait_seconds) if s > 0]

    def background() -> None:
        while not stop.wait(min(poll_every + [0.5])):
            if time.monotonic() > deadline or os.getppid() != parent:
                LOGGER.warning("stopping: %s", "max_seconds reached" if time.monotonic() > deadline
                               else "the parent process is gone")
                break
            if poll_every:
                core.poll()
        stop.set()
        httpd.shutdown()

    def on_signal(signum: int, frame: Any) -> None:
        LOGGER.info("signal %d: shutting down", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    worker = threading.Thread(target=background, name="poller", daemon=True)
    worker.start()
    LOGGER.info("Exporting HTTP/REST API at:%s:%d ...", LOOPBACK, port)
    if args.port_file:
        temporary = Path(f"{args.port_file}.tmp")
        temporary.write_text(str(port))
        os.replace(temporary, args.port_file)
    try:
        httpd.serve_forever(poll_interval=0.1)
    finally:
        core.close()
        httpd.server_close()
    LOGGER.info("stopped")
    return 0


# ---------------------------------------------------------------------------------------------
# Starting and stopping the server from Python
# ---------------------------------------------------------------------------------------------


@dataclass
class ServerProcess:
    """A running model server: its process, port, base URL and log file."""

    process: subprocess.Popen
    port: int
    log_path: Path
    started_in: float

    @property
    def url(self) -> str:
        """The server's base URL, http://127.0.0.1:PORT."""
        return f"http://{LOOPBACK}:{self.port}"

    def log(self) -> str:
        """Everything the server has logged so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_lines(self, contains: str = "") -> list[str]:
        """The log lines holding ``contains``."""
        return [line for line in self.log().splitlines() if contains in line]

    def running(self) -> bool:
        """True while the process is alive."""
        return self.process.poll() is None


_SERVERS: set[subprocess.Popen] = set()  # every server process this module started


def port_is_free(port: int) -> bool:
    """True when nothing listens on ``port`` of 127.0.0.1 (a new server could bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((LOOPBACK, int(port)))
        except OSError:
            return False
    return True


def running_servers() -> int:
    """How many servers started by :func:`model_server` are still running."""
    return sum(process.poll() is None for process in _SERVERS)


@contextlib.contextmanager
def model_server(model_name: str | None = None, model_base_path: str | Path | None = None, *,
                 model_config_file: str | Path | None = None, poll_seconds: float = 0.5,
                 enable_batching: bool = False, max_batch_size: int = 32, batch_timeout_micros: int = 2000,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, allow_version_labels_for_unavailable_models: bool = False,
                 start_timeout: float = 90.0, max_seconds: float = 600.0,
                 work_dir: str | Path | None = None) -> Iterator[ServerProcess]:
    """Start the model server in a subprocess on a free port of 127.0.0.1; stop it on the way out.

    Waits until the server has loaded its models (at most ``start_timeout`` seconds). The server
    stops by itself after ``max_seconds`` or when this process dies; leaving the block (normally
    or by an exception) terminates it, and kills it if it does not stop within seconds.
    """
    if model_config_file is None and (model_name is None or model_base_path is None):
        raise ValueError("give model_name and model_base_path, or model_config_file")
    if model_base_path is not None and not Path(model_base_path).is_dir():
        raise ValueError(f"model_base_path {model_base_path} is not a directory")
    for name, value in (("poll_seconds", poll_seconds), ("start_timeout", start_timeout),
                        ("max_seconds", max_seconds)):
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    folder = Path(work_dir) if work_dir is not None else Path(tempfile.mkdtemp(prefix="model-server-"))
    folder.mkdir(parents=True, exist_ok=True)
    port_file, log_path = folder / "port", folder / "server.log"
    port_file.unlink(missing_ok=True)
    command = [sys.executable, "-m", "utils.production.serving", "--rest_api_port", "0",
               "--port_file", str(port_file), "--file_system_poll_wait_seconds", str(poll_seconds),
               "--max_body_bytes", str(int(max_body_bytes)), "--max_seconds", str(max_seconds)]
    if model_config_file is not None:
        command += ["--model_config_file", str(model_config_file),
                    "--model_config_file_poll_wait_seconds", str(poll_seconds)]
    else:
        command += ["--model_name", str(model_name), "--model_base_path", str(model_base_path)]
    if enable_batching:
        command += ["--enable_batching", "--max_batch_size", str(int(max_batch_size)),
                    "--batch_timeout_micros", str(int(batch_timeout_micros))]
    if allow_version_labels_for_unavailable_models:
        command.append("--allow_version_labels_for_unavailable_models")
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="-1", TF_CPP_MIN_LOG_LEVEL="2",
               TF_ENABLE_ONEDNN_OPTS=os.environ.get("TF_ENABLE_ONEDNN_OPTS", "0"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    start = time.perf_counter()
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   env=env, start_new_session=True)
    # notebook 45's registry of child processes: SIGTERM, then SIGKILL; all of them stopped at exit
    from utils.production.distributed import stop_process, track_process

    track_process(process)
    _SERVERS.add(process)
    try:
        deadline = start + start_timeout
        while not port_file.exists():
            if process.poll() is not None:
                tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-12:])
                raise RuntimeError(f"the model server exited with code {process.returncode}:\n{tail}")
            if time.perf_counter() > deadline:
                tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-12:])
                raise TimeoutError(f"the model server was not ready within {start_timeout:.0f} s:\n{tail}")
            time.sleep(0.05)
        port = int(port_file.read_text())
        yield ServerProcess(process, port, log_path, time.perf_counter() - start)
    finally:
        stop_process(process, grace=5.0)


if __name__ == "__main__":
    sys.exit(main())
