"""Exercises of notebook 42 (serving models): the versions a policy serves, a predict request's body,
the version a request path reaches."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from utils.checks import FAIL, Case, Mistake, Result, evaluate_function, guarded, printer
from utils.production import serving, serving_client

# ---------------------------------------------------------------------------------------------
# Exercise 1: which versions a version policy serves
# ---------------------------------------------------------------------------------------------

def _served_table(served_versions: Callable[..., Any]) -> Callable[..., Any]:
    """The answer as a table: one row per policy, one column per directory, plus one for versions
    that are not on disk at all; True where that directory (or such a version) is served."""
    def table(names: Sequence[str], policies: Sequence[Mapping[str, Any]]) -> Any:
        rows = []
        numbers = [serving.version_number(name) for name in names]
        for policy in policies:
            got = served_versions(list(names), copy.deepcopy(policy))
            if got is None:
                return None  # the engine asks about the missing return
            if isinstance(got, (str, bytes, dict)) or not hasattr(got, "__iter__"):
                raise ValueError(f"for policy {policy} it returned {got!r}; return a list of version numbers")
            versions = list(np.asarray(got).ravel().tolist()) if isinstance(got, np.ndarray) else list(got)
            if any(isinstance(v, str) for v in versions):
                raise ValueError(f"for policy {policy} it returned {versions!r}: return the versions as ints "
                                 "(10, not '10'), so that they compare as numbers")
            try:
                versions = {int(v) for v in versions}
            except (TypeError, ValueError):
                raise ValueError(f"for policy {policy} it returned {versions!r}, which are not version numbers") from None
            rows.append([n is not None and n in versions for n in numbers]
                        + [bool(versions - {n for n in numbers if n is not None})])
        return np.array(rows, dtype=bool)

    return table


def _policy_cases() -> list[Case]:
    policies = [{"latest": {"num_versions": 2}}, {"all": {}}, {"specific": {"versions": [2, 9, 12]}},
                {"latest": {}}]
    return [Case((["1", "10", "2", "9", "exported-tmp", "3"], policies)),
            Case((["7", "8", "11", "100"], [{"latest": {"num_versions": 3}}, {"specific": {"versions": [8]}}])),
            Case((["4", ".ipynb_checkpoints", "12", "5"], [{"all": {}}, {"latest": {"num_versions": 1}}])),
            Case((["2", "1"], [{"latest": {"num_versions": 5}}, {"specific": {"versions": [1, 3]}}]))]


def _numbers(names: Sequence[str]) -> list[int]:
    return sorted(int(n) for n in names if n.isdigit())


def _policy_model(latest: Callable[[list[int], list[str], int], list[int]] | None = None,
                  specific: Callable[[list[int], list[int]], list[int]] | None = None,
                  every: Callable[[list[int]], list[int]] | None = None) -> Callable[..., list[int]]:
    """A served_versions with one rule changed: the model of a specific mistake."""
    def served(names: Sequence[str], policy: Mapping[str, Any]) -> list[int]:
        numbers = _numbers(names)
        if "latest" in policy:
            count = max(policy["latest"].get("num_versions", 1), 1)
            return latest(numbers, list(names), count) if latest else numbers[-count:]
        if "all" in policy:
            return every(numbers) if every else numbers
        wanted = list(policy["specific"]["versions"])
        return specific(numbers, wanted) if specific else [v for v in numbers if v in wanted]
    return served


_as_text = _policy_model(latest=lambda numbers, names, count: [int(n) for n in sorted(
    n for n in names if n.isdigit())][-count:])
_newest_only = _policy_model(latest=lambda numbers, names, count: numbers[-1:])
_oldest = _policy_model(latest=lambda numbers, names, count: numbers[:count])
_strings_vs_ints = _policy_model(specific=lambda numbers, wanted: [
    int(n) for n in map(str, numbers) if n in wanted])
_all_is_latest = _policy_model(every=lambda numbers: numbers[-1:])
_asked_for = _policy_model(specific=lambda numbers, wanted: sorted(wanted))


@guarded
def evaluate_served_versions(served_versions: Callable[..., Any]) -> Result:
    """Evaluate ``served_versions(names, policy)`` → the version numbers a policy serves."""
    mistakes = [
        Mistake("directory names are text, and as text '9' sorts after '10': convert each name with int() "
                "BEFORE sorting, so that 10 is newer than 9.", _served_table(_as_text)),
        Mistake("'latest' serves the num_versions highest versions (default 1), not only the newest one.",
                _served_table(_newest_only)),
        Mistake("'latest' means the HIGHEST version numbers: take them from the end of the sorted list.",
                _served_table(_oldest)),
        Mistake("the policy lists versions as ints and the folders are names (text): '2' == 2 is False in "
                "Python, so compare numbers with numbers.", _served_table(_strings_vs_ints)),
        Mistake("'all' serves every version found on disk, not only the latest.", _served_table(_all_is_latest)),
        Mistake("'specific' serves the listed versions that exist on disk: a version without a folder cannot "
                "be loaded.", _served_table(_asked_for)),
    ]
    result = evaluate_function(
        _served_table(served_versions), _served_table(serving.served_versions), _policy_cases(),
        name="served_versions", mistakes=mistakes, axes=("policy", "directory"),
        success="That is TF Serving's file-system source deciding what to load.",
    )
    if result.passed or not result.message.startswith(FAIL):
        return result
    return replace(result, message=_served_in_words(served_versions, result.message))


def _served_in_words(served_versions: Callable[..., Any], message: str) -> str:
    """The engine's message about the table, told in versions: the policy, what was served, what differs."""
    hint = message[message.index(" Hint: "):] if " Hint: " in message else ""
    if "raised" in message:
        if "invalid literal for int()" in message and not hint:
            hint = (" Hint: not every entry of a model's folder is a version: skip names that are not whole "
                    "numbers, as TF Serving does.")
        elif "KeyError" in message and "num_versions" in message and not hint:
            hint = " Hint: {'latest': {}} has no num_versions: it defaults to 1 (policy['latest'].get(...))."
        return message + hint if hint and hint not in message else message
    calls = [((list(names), policy), {}) for names, policies in (c.args for c in _policy_cases())
             for policy in policies]
    wrong = _first_disagreement(calls, lambda *a: sorted({int(v) for v in served_versions(*a)}),
                                serving.served_versions)
    if wrong is None:
        return message
    (names, policy), found, expected = wrong
    return f"{FAIL} served_versions({names}, {policy}) serves {found}; TF Serving serves {expected}.{hint}"


def _first_disagreement(calls: Sequence[tuple[tuple, dict]], answer: Callable[..., Any],
                        reference: Callable[..., Any]) -> tuple[tuple, Any, Any] | None:
    """The first call (args, kwargs) where answer and reference differ: (args, got, expected).

    None when they agree everywhere, or when the answer crashes (the engine explained that already).
    """
    for args, kwargs in calls:
        expected = reference(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        try:
            got = answer(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        except Exception:  # noqa: BLE001 - the engine's message already explains it
            return None
        if got != expected:
            return args, got, expected
    return None


# ---------------------------------------------------------------------------------------------
# Exercise 2: the body of a predict request
# ---------------------------------------------------------------------------------------------


def _read_by_server(request_body: Callable[..., Any]) -> Callable[..., Any]:
    """The answer as the server reads it: format (1 row, 2 columnar), then every input's values."""
    def read(inputs: Mapping[str, np.ndarray], style: str) -> Any:
        body = request_body(copy.deepcopy(inputs), style)
        if body is None:
            return None
        if not isinstance(body, dict):
            raise ValueError(f"it returned a {type(body).__name__}; a request body is a dict that becomes a "
                             "JSON object, like {'instances': [...]}")
        try:
            text = json.dumps(body)
        except TypeError as error:
            raise ValueError(f"json.dumps cannot write it ({error}): NumPy arrays are not JSON; "
                             "convert them with .tolist()") from None
        specs = {name: serving.TensorInfo("DT_FLOAT", (-1,) + np.shape(value)[1:])
                 for name, value in inputs.items()}
        try:
            kind, arrays = serving.parse_predict_body(text, specs)
        except serving.ServingError as error:
            raise ValueError(f"the server answers HTTP {error.status}: {error.message}") from None
        return np.concatenate([[1.0 if kind == "row" else 2.0]]
                              + [np.asarray(arrays[name], dtype=np.float64).ravel() for name in sorted(arrays)])

    return read


def _body_cases() -> list[Case]:
    rng = np.random.default_rng(42)
    two = {"pixels": rng.integers(0, 9, size=(2, 2, 3)) / 8, "angle": np.array([15.0, -30.0])}
    return [Case((two, "row")),
            Case(({"pixels": rng.integers(0, 9, size=(3, 2, 2)) / 8}, "columnar")),
            Case((two, "columnar")),
            Case(({"pixels": rng.integers(0, 9, size=(1, 4)) / 8}, "row")),
            Case(({"x": np.array([[1.0, 2.0, 3.0]]), "y": np.array([[0.5]])}, "row"))]


def _swapped(inputs: Mapping[str, Any], style: str) -> dict[str, Any]:
    return serving_client.request_body(dict(inputs), "columnar" if style == "row" else "row")


@guarded
def evaluate_request_body(request_body: Callable[..., Any]) -> Result:
    """Evaluate ``request_body(inputs, style)`` → {"instances": [...]} (row) or {"inputs": {...}} (columnar)."""
    mistakes = [
        Mistake("style 'row' is the key \"instances\" (a list with one item per example); 'columnar' is the "
                "key \"inputs\" (an object with each input whole). You swapped them.", _read_by_server(_swapped)),
    ]
    result = evaluate_function(
        _read_by_server(request_body), _read_by_server(serving_client.request_body), _body_cases(),
        name="request_body", mistakes=mistakes, check_dtype=False, rtol=1e-9, atol=1e-12,
        success="The server reads both formats into the same tensors.",
    )
    if result.passed or not result.message.startswith(FAIL):
        return result
    return replace(result, message=_body_in_words(result.message))


def _body_in_words(message: str) -> str:
    """Hints for the server's complaints about a body's structure."""
    hints = {
        "keys must be equal to": "in the row format every instance is one object with ALL the inputs of one "
                                 "example: {'pixels': ..., 'angle': ...}.",
        "instances is a plain list": "with several named inputs, each instance is an object {name: value}.",
        "Expecting 'instances' to be an list": "\"instances\" is a list with one item per example, not an "
                                                "object of whole inputs (that is the columnar \"inputs\").",
        "inputs is a plain value/list": "with several named inputs, \"inputs\" is an object {name: whole "
                                        "batch of that input}.",
        "must have shape": "an item of \"instances\" is ONE example (no batch axis); a value of \"inputs\" is "
                           "the whole batch (batch axis first).",
        "Missing 'inputs' or 'instances' key": "the body's key is \"instances\" (row) or \"inputs\" (columnar).",
        "is not a (nested) list of numbers": "values are (nested) lists of numbers: one object {name: value} per "
                                             "example belongs in the row format's \"instances\", while "
                                             "\"inputs\" holds {name: whole batch}.",
        "only one of 'inputs' or 'instances'": "a body has one of the two keys, never both.",
    }
    for marker, hint in hints.items():
        if marker in message and "Hint:" not in message:
            return f"{message} Hint: {hint}"
    return message


# ---------------------------------------------------------------------------------------------
# Exercise 3: which version answers a request
# ---------------------------------------------------------------------------------------------


def _per_path(resolve_version: Callable[..., Any]) -> Callable[..., Any]:
    """The answer for each path of the case, one row (status, version) each."""
    def table(paths: Sequence[str], model_name: str, served: Sequence[int], labels: Mapping[str, int]) -> Any:
        rows = []
        for path in paths:
            got = resolve_version(path, model_name, list(served), dict(labels))
            if got is None:
                return None
            if isinstance(got, (str, bytes, dict)) or len(got) != 2:
                raise ValueError(f"for {path} it returned {got!r}; return a pair (status, version)")
            status, version = got
            if version is None:
                raise ValueError(f"for {path} it returned version None; use 0 when no version answers")
            if isinstance(status, str) or isinstance(version, str):
                raise ValueError(f"for {path} it returned {got!r}: return the status and the version as ints "
                                 "(200, not '200')")
            rows.append([status, version])
        return np.array(rows)

    return table


def _resolution_cases() -> list[Case]:
    paths = ["/v1/models/digits:predict", "/v1/models/digits/versions/1:predict",
             "/v1/models/digits/versions/3:predict", "/v1/models/digits/labels/stable:predict",
             "/v1/models/digits/labels/beta:predict", "/v1/models/digits/labels/old:predict",
             "/v1/models/mnist:predict"]
    return [Case((paths, "digits", [1, 2, 10], {"stable": 2, "canary": 10, "old": 3})),
            Case((["/v1/models/shoes/labels/canary:predict", "/v1/models/shoes:predict",
                   "/v1/models/shoes/versions/4:predict"], "shoes", [4, 5], {"canary": 5, "stable": 4})),
            Case((["/v1/models/shoes:predict", "/v1/models/shoes/labels/stable:predict"], "shoes", [],
                  {"stable": 1})),
            Case((["/v1/models/a/versions/12:predict", "/v1/models/a/versions/2:predict"], "a", [2, 12], {}))]


def _resolver(*, latest: Callable[[list[int]], int] = max, unknown_label: int = 400, check_label: bool = True,
              check_version: bool = True, use_labels: bool = True, check_model: bool = True) -> Callable[..., Any]:
    """A resolve_version with one rule changed: the model of a specific mistake."""
    def resolve(path: str, model_name: str, served: list[int], labels: dict[str, int]) -> tuple[int, int]:
        route = serving.parse_path("POST", path)
        if check_model and route.model != model_name:
            return 404, 0
        if route.label is not None and use_labels:
            if route.label not in labels:
                return unknown_label, 0
            wanted = labels[route.label]
            return (200, wanted) if wanted in served or not check_label else (404, 0)
        if route.version is not None:
            return (200, route.version) if route.version in served or not check_version else (404, 0)
        return (200, latest(served)) if served else (404, 0)
    return resolve


@guarded
def evaluate_resolve_version(resolve_version: Callable[..., Any]) -> Result:
    """Evaluate ``resolve_version(path, model_name, served, labels)`` → (HTTP status, version or 0)."""
    mistakes = [
        Mistake("with no version in the path the server answers with its LATEST version: the highest "
                "number served, max(served).", _per_path(_resolver(latest=min))),
        Mistake("a label the server does not know is a bad request, 400 (TF Serving: \"Unrecognized "
                "servable version label\"), not 404.", _per_path(_resolver(unknown_label=404))),
        Mistake("a label may point to a version that is not served (any more): that request is a 404, like "
                "asking for the version itself.", _per_path(_resolver(check_label=False))),
        Mistake("a version that is not served cannot answer: /versions/N is a 404 unless N is in served.",
                _per_path(_resolver(check_version=False))),
        Mistake("/labels/L asks for the version the label points to, not the latest one.",
                _per_path(_resolver(use_labels=False))),
        Mistake("the path names the model: a request for another model is a 404.",
                _per_path(_resolver(check_model=False))),
    ]
    result = evaluate_function(
        _per_path(resolve_version), _per_path(serving.resolve_version), _resolution_cases(),
        name="resolve_version", mistakes=mistakes, integer=True, axes=("path", "status and version"),
        success="Clients ask for a label; moving the label moves them, without changing a single client.",
    )
    if result.passed or not result.message.startswith(FAIL) or "gave a different array" not in result.message:
        return result
    return replace(result, message=_resolution_in_words(resolve_version, result.message))


def _resolution_in_words(resolve_version: Callable[..., Any], message: str) -> str:
    """The first path answered wrongly, with the server's answer and the learner's."""
    hint = message[message.index(" Hint: "):] if " Hint: " in message else ""
    calls = [((path, name, list(served), dict(labels)), {})
             for paths, name, served, labels in (c.args for c in _resolution_cases()) for path in paths]
    wrong = _first_disagreement(calls, lambda *a: tuple(int(v) for v in resolve_version(*a)),
                                serving.resolve_version)
    if wrong is None:
        return message
    (path, name, served, labels), got, expected = wrong
    return (f"{FAIL} POST {path} (model {name!r}, served {served}, labels {labels}): you answer {got}, "
            f"the server answers {expected}.{hint}")


check_served_versions = printer(evaluate_served_versions)
check_request_body = printer(evaluate_request_body)
check_resolve_version = printer(evaluate_resolve_version)


# Points per exercise (both graders read them: scripts/grade.py and the nbgrader course).
POINTS = {"served_versions": 2, "request_body": 2, "resolve_version": 2}
# What an answer may not call instead of implementing the exercise, besides any helper of the
# same name and the checks themselves (utils.exercises.grading.borrowed explains the matching).
NOT_ALLOWED: dict[str, tuple[str, ...]] = {
    "served_versions": ("serving.served_versions", "serving.check_policy", "versions_on_disk", "ModelServer"),
    "request_body": ("serving_client.request_body", "build_request", "predict_response", "parse_predict_body"),
    "resolve_version": ("serving.resolve_version", "parse_path", "ModelServer", "PREDICT_PATH"),
}
