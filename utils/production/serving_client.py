"""The client's side of TF Serving's REST API: request bodies, a small HTTP client, load and rollouts.

:func:`request_body` writes a predict request in row (``instances``) or columnar (``inputs``)
format; :class:`Client` sends requests over one kept-alive ``http.client`` connection;
:func:`send_concurrently` is a bounded load test; :class:`KeepSending` sends requests from a
background thread while a new version rolls out; :func:`request_explorer` builds requests and
shows the server's answers. Introduced in notebook 42.
"""

from __future__ import annotations

import http.client
import json
from http import HTTPStatus
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from utils.plots import PALETTE
from utils.production.serving import ModelServer

# ---------------------------------------------------------------------------------------------
# Request bodies and paths
# ---------------------------------------------------------------------------------------------


def request_body(inputs: Any, style: str = "row") -> dict[str, Any]:
    """The JSON body of a predict request for a batch, in "row" or "columnar" format.

    ``inputs`` is one array (a model with one input, batch first) or a dict {input name: array}.
    Row: ``{"instances": [...]}``, one item per example (an object {name: value} per example when
    inputs are named). Columnar: ``{"inputs": ...}``, each input whole, batch first.
    """
    if style not in ("row", "columnar"):
        raise ValueError(f"style must be 'row' or 'columnar', got {style!r}")
    if isinstance(inputs, Mapping):
        if not inputs:
            raise ValueError("inputs must name at least one input")
        arrays = {str(name): np.asarray(value) for name, value in inputs.items()}
        sizes = {len(a) if a.ndim else None for a in arrays.values()}
        if None in sizes or len(sizes) != 1:
            raise ValueError(f"every input must be a batch of the same size, got shapes "
                             f"{ {k: a.shape for k, a in arrays.items()} }")
        if style == "columnar":
            return {"inputs": {name: a.tolist() for name, a in arrays.items()}}
        count = sizes.pop()
        return {"instances": [{name: a[i].tolist() for name, a in arrays.items()} for i in range(count)]}
    array = np.asarray(inputs)
    if array.ndim == 0:
        raise ValueError("inputs must be a batch (an array with the examples along axis 0), got a scalar")
    return {"instances" if style == "row" else "inputs": array.tolist()}


def predict_path(model: str, version: int | None = None, label: str | None = None,
                 verb: str = "predict") -> str:
    """``/v1/models/NAME[/versions/N|/labels/L]:predict`` (verb "status" or "metadata": the GET paths)."""
    if version is not None and label is not None:
        raise ValueError("give a version or a label, not both")
    path = f"/v1/models/{urllib.parse.quote(str(model), safe='')}"
    if version is not None:
        path += f"/versions/{int(version)}"
    elif label is not None:
        path += f"/labels/{urllib.parse.quote(str(label), safe='')}"
    if verb == "status":
        return path
    if verb == "metadata":
        return path + "/metadata"
    return f"{path}:{verb}"


# ---------------------------------------------------------------------------------------------
# The HTTP client
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    """One answer: HTTP status, decoded JSON body, seconds from sending to the last byte."""

    status: int
    body: Any
    seconds: float

    @property
    def ok(self) -> bool:
        """True for a 200."""
        return self.status == 200


class Client:
    """A tiny REST client over one kept-alive HTTP connection (one Client per thread)."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "http" or not parts.hostname or parts.port is None:
            raise ValueError(f"url must look like http://127.0.0.1:PORT, got {url!r}")
        self.host, self.port, self.timeout = parts.hostname, parts.port, float(timeout)
        self._connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._connection

    def request(self, method: str, path: str, body: Any = None) -> Response:
        """Send one request; a dict body is sent as JSON, bytes and str as they are."""
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in (1, 2):
            reused = self._connection is not None
            connection = self._connect()
            start = time.perf_counter()
            try:
                connection.request(method, path, body=data, headers=headers)
                answer = connection.getresponse()
                raw = answer.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if reused and attempt == 1:
                    continue  # the server closed an idle kept-alive connection: one fresh try
                raise
            seconds = time.perf_counter() - start
            if answer.getheader("Connection", "").lower() == "close":
                self.close()
            try:
                decoded = json.loads(raw) if raw else None
            except ValueError:
                decoded = raw.decode(errors="replace")
            return Response(answer.status, decoded, seconds)
        raise AssertionError("unreachable")

    def status(self, model: str, version: int | None = None, label: str | None = None) -> Response:
        """GET the version status of a model."""
        return self.request("GET", predict_path(model, version, label, verb="status"))

    def metadata(self, model: str, version: int | None = None, label: str | None = None) -> Response:
        """GET a model's signature metadata."""
        return self.request("GET", predict_path(model, version, label, verb="metadata"))

    def predict(self, model: str, body: Any, version: int | None = None, label: str | None = None) -> Response:
        """POST a predict request (body: a dict from :func:`request_body`, or raw text)."""
        return self.request("POST", predict_path(model, version, label), body)

    def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# Load: many clients at once
# ---------------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    """What a load test saw: each request's status and seconds, failures, and the wall time."""

    statuses: list[int]
    seconds: list[float]
    failures: list[str]
    wall_seconds: float
    bodies: list[Any] = field(default_factory=list)

    @property
    def answered(self) -> int:
        """Requests that got an HTTP answer (any status)."""
        return len(self.statuses)

    @property
    def per_second(self) -> float:
        """Answered requests per second of wall time."""
        return self.answered / self.wall_seconds if self.wall_seconds > 0 else 0.0


def send_concurrently(url: str, path: str, bodies: Sequence[Any], clients: int = 8,
                      timeout: float = 60.0, keep_bodies: bool = False) -> LoadResult:
    """Send every body to ``path`` from ``clients`` threads (each its own connection), bounded in time."""
    if not bodies:
        raise ValueError("bodies must hold at least one request body")
    if isinstance(clients, bool) or not isinstance(clients, int) or clients < 1:
        raise ValueError(f"clients must be a whole number >= 1, got {clients!r}")
    deadline = time.perf_counter() + timeout
    shares = [list(range(k, len(bodies), clients)) for k in range(clients)]
    results: dict[int, Response] = {}
    failures: list[str] = []
    lock = threading.Lock()

    def worker(indices: list[int]) -> None:
        with Client(url, timeout=max(1.0, timeout)) as client:
            for index in indices:
                if time.perf_counter() > deadline:
                    with lock:
                        failures.append(f"request {index}: not sent, the {timeout:.0f} s bound was reached")
                    continue
                try:
                    answer = client.request("POST", path, bodies[index])
                except (OSError, http.client.HTTPException) as error:
                    with lock:
                        failures.append(f"request {index}: {type(error).__name__}: {error}")
                    continue
                with lock:
                    results[index] = answer

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, shares))
    wall = time.perf_counter() - start
    order = sorted(results)
    return LoadResult([results[i].status for i in order], [results[i].seconds for i in order], failures, wall,
                      [results[i].body for i in order] if keep_bodies else [])


# ---------------------------------------------------------------------------------------------
# Requests that keep flowing during a rollout
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One request of a :class:`KeepSending` run: when it started (s), its status, its answer."""

    start: float
    seconds: float
    status: int
    body: Any


class KeepSending:
    """A background thread that sends one request after another until stopped (at most ``max_seconds``).

    Use as a context manager: requests flow inside the ``with`` block; ``records`` holds them all,
    failures included (status 0 for a connection error).
    """

    def __init__(self, url: str, path: str, body: Any, pause: float = 0.01, max_seconds: float = 60.0,
                 origin: float | None = None) -> None:
        if not (0 <= float(pause) < max_seconds):
            raise ValueError(f"pause must be >= 0 and below max_seconds, got pause={pause}, max_seconds={max_seconds}")
        self.url, self.path, self.body = url, path, body
        self.pause, self.max_seconds = float(pause), float(max_seconds)
        self.records: list[Sent] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="keep-sending", daemon=True)
        self._given_origin = origin  # a time.perf_counter() value: several senders share one clock
        self.origin = 0.0

    def _run(self) -> None:
        with Client(self.url, timeout=10.0) as client:
            while not self._stop.is_set() and time.perf_counter() - self.origin < self.max_seconds:
                start = time.perf_counter() - self.origin
                try:
                    answer = client.request("POST", self.path, self.body)
                    record = Sent(start, answer.seconds, answer.status, answer.body)
                except (OSError, http.client.HTTPException) as error:
                    record = Sent(start, time.perf_counter() - self.origin - start, 0, str(error))
                self.records.append(record)
                self._stop.wait(self.pause)

    def now(self) -> float:
        """Seconds since the thread started (the clock of ``records``)."""
        return time.perf_counter() - self.origin

    def __enter__(self) -> "KeepSending":
        self.origin = time.perf_counter() if self._given_origin is None else float(self._given_origin)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(timeout=15.0)


def which_version(predictions: Any, references: Mapping[int, Any], atol: float = 1e-6) -> int:
    """The version whose in-process predictions equal these served ones (0: none of them)."""
    got = np.asarray(predictions, dtype=np.float64)
    for version, expected in sorted(references.items()):
        expected = np.asarray(expected, dtype=np.float64)
        if got.shape == expected.shape and np.allclose(got, expected, rtol=0.0, atol=atol):
            return int(version)
    return 0


def plot_rollout(ax: Axes, times: Sequence[float], versions: Sequence[int], statuses: Sequence[int],
                 events: Mapping[str, float] | None = None) -> Axes:
    """Each request of a rollout as a dot at (time, version that answered); failures in red at 0."""
    times, versions, statuses = np.asarray(times, float), np.asarray(versions, int), np.asarray(statuses, int)
    if not (times.shape == versions.shape == statuses.shape) or times.ndim != 1:
        raise ValueError("times, versions and statuses must be 1-D and of the same length")
    good = statuses == 200
    for k, version in enumerate(sorted(set(versions[good].tolist()))):
        chosen = good & (versions == version)
        ax.scatter(times[chosen], versions[chosen], s=9, color=PALETTE[k % len(PALETTE)],
                   label=f"answered by version {version} ({int(chosen.sum())})")
    if (~good).any():
        ax.scatter(times[~good], np.zeros(int((~good).sum())), s=18, color="red", marker="x",
                   label=f"failed ({int((~good).sum())})")
    for k, (name, moment) in enumerate((events or {}).items()):
        ax.axvline(moment, color="0.4", linestyle=":" if k % 2 else "--", linewidth=1)
        ax.text(moment, 0.0, f" {name}", fontsize=8, ha="left", va="center", color="0.3")
    top = max([1] + versions.tolist())
    ax.set(xlabel="seconds since the first request", ylabel="version that answered",
           yticks=range(0, top + 1), ylim=(-0.5, top + 1.1))
    ax.legend(loc="upper left", fontsize=8, ncol=3)
    return ax


# ---------------------------------------------------------------------------------------------
# The request explorer
# ---------------------------------------------------------------------------------------------

ADDRESSES = ("latest", "versions/1", "versions/2", "versions/7", "labels/stable", "labels/canary",
             "labels/beta", "another model")
MISTAKES = ("none", "flattened pixels", "malformed JSON", "both keys", "GET instead of POST")


def _numbers(item: Any) -> np.ndarray | None:
    """``item`` as a numeric array when it is a (nested, rectangular) list of numbers."""
    if isinstance(item, bool) or not isinstance(item, (list, int, float)):
        return None
    try:
        array = np.asarray(item, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array


def compact_json(value: Any, width: int = 60, max_lines: int = 12) -> str:
    """A JSON body in a few lines: the batch axis spelled out, each example's numbers summarised."""
    def number(x: float) -> str:
        return f"{x:.3f}"

    def describe(item: Any, level: int) -> list[str]:
        array = _numbers(item)
        if array is not None and array.ndim == 0:
            return [number(float(array))]
        if array is not None and (level >= 2 or array.ndim == 1):
            head = ", ".join(number(v) for v in array.ravel()[:3])
            if array.size <= 3:
                return [f"[{head}]"]
            return [f"<{' x '.join(str(d) for d in array.shape)} numbers: {head}, ...>"]
        if isinstance(item, dict):
            lines = ["{"]
            for k, v in item.items():
                inner = describe(v, level + 1)
                lines.append(f'  "{k}": {inner[0]}')
                lines += ["  " + line for line in inner[1:]]
                lines[-1] += ","
            lines[-1] = lines[-1].rstrip(",")
            return lines + ["}"]
        if isinstance(item, list):
            lines = ["["]
            for v in item[:3]:
                inner = describe(v, level + 1)
                lines += ["  " + line for line in inner]
                lines[-1] += ","
            if len(item) > 3:
                lines.append(f"  ... {len(item) - 3} more")
            lines[-1] = lines[-1].rstrip(",")
            return lines + ["]"]
        return [json.dumps(item)]

    text = describe(value, 0) if not isinstance(value, str) else [value]
    out = [line if len(line) <= width else line[: width - 3] + "..." for line in text]
    if len(out) > max_lines:
        out = out[: max_lines - 1] + [f"... ({len(out) - max_lines + 1} more lines)"]
    return "\n".join(out)


def build_request(model: str, images: np.ndarray, address: str, style: str, count: int,
                  mistake: str = "none") -> tuple[str, str, str]:
    """(method, path, body text) of the request the explorer's controls describe."""
    if address not in ADDRESSES:
        raise ValueError(f"address must be one of {ADDRESSES}, got {address!r}")
    if mistake not in MISTAKES:
        raise ValueError(f"mistake must be one of {MISTAKES}, got {mistake!r}")
    batch = np.asarray(images)[: max(1, int(count))]
    name = "mnist" if address == "another model" else model
    version = int(address.split("/")[1]) if address.startswith("versions/") else None
    label = address.split("/")[1] if address.startswith("labels/") else None
    path = predict_path(name, version, label)
    if mistake == "flattened pixels":
        batch = batch.reshape(len(batch), -1)
    body = request_body(batch, style)
    if mistake == "both keys":
        body = {"instances": body.get("instances", body.get("inputs")), "inputs": batch.tolist()}
    text = json.dumps(body)
    if mistake == "malformed JSON":
        text = text[:-1]  # the closing brace is missing
    method = "GET" if mistake == "GET instead of POST" else "POST"
    return method, path, text


def request_explorer(server: ModelServer, model: str, images: Any) -> Any:
    """Build a predict request (address, format, examples, a deliberate mistake); see the server's answer.

    ``server`` is an in-process :class:`ModelServer`, the same code the HTTP server runs, so the
    explorer keeps working after the notebook's server process has stopped.
    """
    import ipywidgets as ipw
    import textwrap

    from utils.production.serving import resolve_version
    from utils.widgets import Explorer

    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3 or len(images) < 1:
        raise ValueError(f"images must be a batch of 2-D images (n, height, width), got shape {images.shape}")
    if model not in server.models:
        raise ValueError(f"the server has no model {model!r}; it has {sorted(server.models)}")

    def draw(fig: Figure, address: str, style: str, examples: int, mistake: str) -> str:
        method, path, text = build_request(model, images, address, style, examples, mistake)
        status, answer = server.handle(method, path, text)
        grid = fig.add_gridspec(2, 2, height_ratios=[1.25, 1.0], width_ratios=[1.0, 1.0])
        request_ax, response_ax = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
        pictures_ax, result_ax = fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])
        try:
            shown = compact_json(json.loads(text), width=52, max_lines=10)
        except ValueError:
            shown = compact_json(text[:44] + " ... (the closing brace is missing)", width=52)
        request_ax.text(0.0, 1.0, f"{method} {path}\n{len(text):,} bytes of JSON\n\n{shown}",
                        family="monospace", fontsize=7.5, va="top", ha="left", transform=request_ax.transAxes)
        response_ax.text(0.0, 1.0, f"HTTP {status}\n\n" + compact_json(answer, width=52, max_lines=10),
                         family="monospace", fontsize=7.5, va="top", ha="left", transform=response_ax.transAxes,
                         color="k" if status == 200 else PALETTE[1])
        for ax, title in ((request_ax, "request"), (response_ax, "response")):
            ax.set_axis_off()
            ax.set_title(title, loc="left")
        sent = images[: max(1, int(examples))]
        pictures_ax.imshow(np.concatenate(list(sent), axis=1), cmap="gray_r", vmin=0, vmax=1)
        pictures_ax.set_title(f"the {len(sent)} image(s) sent")
        pictures_ax.set_axis_off()
        if status != 200:
            result_ax.set_axis_off()
            result_ax.set_title("no version answered", loc="left")
            result_ax.text(0.0, 0.85, f"{status} {HTTPStatus(status).phrase}", fontsize=14, va="top",
                           ha="left", color=PALETTE[1], transform=result_ax.transAxes)
            result_ax.text(0.0, 0.45, textwrap.fill(answer.get("error", ""), 56), fontsize=8, va="top",
                           ha="left", color=PALETTE[1], transform=result_ax.transAxes)
            return f"HTTP {status}: {answer.get('error', '')[:110]}"
        key = "predictions" if "predictions" in answer else "outputs"
        probabilities = np.asarray(answer[key], dtype=np.float64)
        served = server.available_versions(model)
        _, version = resolve_version(path, model, served, server.labels(model))
        width = 0.8 / len(probabilities)
        classes = probabilities.shape[-1]
        for k, row in enumerate(probabilities):
            result_ax.bar(np.arange(classes) + (k - (len(probabilities) - 1) / 2) * width, row, width=width,
                          color=PALETTE[k % len(PALETTE)], label=f"image {k + 1}")
        result_ax.set(xticks=range(classes), ylim=(0, 1.05), xlabel="digit" if classes == 10 else "class",
                      ylabel="probability", title=f"version {version}'s answer")
        digits = probabilities.argmax(axis=1).tolist()
        return (f"HTTP 200 from version {version} ({style} format, {len(text):,} bytes sent): "
                f"predicted digits {digits}")

    controls = {
        "address": ipw.Dropdown(options=list(ADDRESSES), value="latest", description="address"),
        "style": ipw.ToggleButtons(options=["row", "columnar"], value="row", description="format"),
        "examples": ipw.IntSlider(value=2, min=1, max=min(4, len(images)), description="images",
                                  continuous_update=False),
        "mistake": ipw.Dropdown(options=list(MISTAKES), value="none", description="mistake"),
    }
    return Explorer(controls, draw, figsize=(9.0, 4.0))


def describe_latencies(seconds: Sequence[float]) -> dict[str, float]:
    """Median, 95th percentile and mean of request times, in milliseconds."""
    values = np.asarray(seconds, dtype=np.float64) * 1000.0
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError("seconds must be a non-empty 1-D list of finite request times")
    return {"median_ms": float(np.median(values)), "p95_ms": float(np.percentile(values, 95)),
            "mean_ms": float(values.mean())}
