"""The model server: version policies, REST paths, request bodies, batching, the HTTP server (bad
requests of every kind, a bounded load test) and the real subprocess over real SavedModels."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from utils.production import serving
from utils.production import serving_client as sc

PIXELS = serving.TensorInfo("DT_FLOAT", (-1, 2, 3), "serving_default_pixels:0")
PROBS = serving.TensorInfo("DT_FLOAT", (-1, 2), "StatefulPartitionedCall:0")


def stand_in(version: int) -> serving.Servable:
    """A servable without TensorFlow: version v sums the pixels and multiplies by v."""
    def run(pixels):
        total = pixels.reshape(len(pixels), -1).sum(axis=1, keepdims=True)
        return np.concatenate([total, version * total], axis=1).astype(np.float32)
    return serving.function_servable(version, run, {"pixels": PIXELS}, {"output_0": PROBS})


def images(n: int = 3) -> np.ndarray:
    return np.arange(n * 6, dtype=np.float32).reshape(n, 2, 3) / 10


# ------------------------------------------------------------------------- version policies


@pytest.mark.parametrize("names, policy, expected", [
    (["1", "10", "2", "9", "tmp"], None, [10]),
    (["1", "10", "2", "9", "tmp"], {"latest": {"num_versions": 2}}, [9, 10]),
    (["1", "10", "2"], {"latest": {"num_versions": 0}}, [10]),  # TF Serving serves at least one
    (["1", "10", "2", ".hidden"], {"all": {}}, [1, 2, 10]),
    (["1", "10", "2"], {"specific": {"versions": [2, 7]}}, [2]),
    (["007", "3"], {"latest": {}}, [7]),
    ([], {"all": {}}, []),
])
def test_served_versions_follow_tf_serving(names, policy, expected):
    assert serving.served_versions(names, policy) == expected


@pytest.mark.parametrize("call, message", [
    (lambda: serving.check_policy({"newest": {}}), "unknown version policy"),
    (lambda: serving.check_policy({"latest": {"num_versions": -1}}), "num_versions"),
    (lambda: serving.check_policy({"specific": {"versions": []}}), "non-empty"),
    (lambda: serving.check_policy({"specific": {"versions": ["2"]}}), "version numbers"),
    (lambda: serving.check_policy({"all": {}, "latest": {}}), "one of"),
    (lambda: serving.served_versions("123", None), "list of directory names"),
    (lambda: serving.ModelConfig("bad name!", "/tmp"), "model name"),
    (lambda: serving.ModelConfig("digits", "/tmp", None, {"my-label": 1}), "version label"),
    (lambda: serving.ModelConfig("digits", "/tmp", None, {"stable": "1"}), "version number"),
    (lambda: serving.BatchingOptions(0, 10), "max_batch_size"),
    (lambda: serving.BatchingOptions(4, -1), "batch_timeout_micros"),
    (lambda: sc.request_body(np.ones(3), "rows"), "style"),
    (lambda: sc.request_body(np.float32(1.0), "row"), "batch"),
    (lambda: sc.request_body({"a": np.ones((2, 1)), "b": np.ones((3, 1))}, "row"), "same size"),
    (lambda: sc.predict_path("digits", 1, "stable"), "not both"),
    (lambda: sc.Client("localhost:8501"), "http://"),
    (lambda: sc.describe_latencies([]), "non-empty"),
    (lambda: sc.send_concurrently("http://127.0.0.1:1", "/", [], 2), "at least one"),
    (lambda: sc.build_request("digits", images(), "versions/9", "row", 1), "address"),
    (lambda: serving.ModelServer([]), "at least one"),
])
def test_bad_arguments_say_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_versions_on_disk_skips_files_and_non_numbers(tmp_path):
    for name in ("1", "2", "10", "tmp", ".2-partial"):
        (tmp_path / name).mkdir()
    (tmp_path / "3").write_text("a file, not a version")
    assert sorted(serving.versions_on_disk(tmp_path)) == [1, 2, 10]
    assert serving.versions_on_disk(tmp_path / "missing") == {}


def test_config_round_trip_and_text_proto(tmp_path):
    configs = [serving.ModelConfig("digits", "/models/digits", {"specific": {"versions": [2, 1]}},
                                   {"stable": 1, "canary": 2})]
    path = serving.write_model_config(tmp_path / "models.json", configs)
    again = serving.read_model_config(path)
    assert again[0].model_version_policy == {"specific": {"versions": [1, 2]}}
    assert again[0].version_labels == {"stable": 1, "canary": 2}
    proto = serving.text_proto(again)
    assert "versions: 1\n        versions: 2" in proto and "key: 'canary'\n      value: 2" in proto
    assert proto.count("{") == proto.count("}")
    (tmp_path / "bad.json").write_text('{"models": []}')
    with pytest.raises(ValueError, match="model_config_list"):
        serving.read_model_config(tmp_path / "bad.json")


# ------------------------------------------------------------------------- paths


@pytest.mark.parametrize("method, path, route", [
    ("POST", "/v1/models/digits:predict", serving.Route("digits", None, None, "predict")),
    ("POST", "/v1/models/digits/versions/2:predict", serving.Route("digits", 2, None, "predict")),
    ("POST", "/v1/models/digits/labels/canary:predict", serving.Route("digits", None, "canary", "predict")),
    ("GET", "/v1/models/digits", serving.Route("digits", None, None, "status")),
    ("GET", "/v1/models/digits/versions/3/metadata", serving.Route("digits", 3, None, "metadata")),
    ("get", "/V1/MODELS/digits?verbose=1", serving.Route("digits", None, None, "status")),
])
def test_paths_are_read_like_tf_serving(method, path, route):
    assert serving.parse_path(method, path) == route


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/v1/models/digits:predict", 405), ("PUT", "/v1/models/digits", 405),
    ("POST", "/v1/models/digits", 405), ("GET", "/v1/models", 400), ("GET", "/v2/models/digits", 400),
    ("POST", "/v1/models/digits/versions/one:predict", 400),
])
def test_bad_paths_are_refused(method, path, status):
    with pytest.raises(serving.ServingError) as error:
        serving.parse_path(method, path)
    assert error.value.status == status


def test_resolve_version_follows_the_server():
    labels = {"stable": 2, "canary": 10, "old": 3}
    expect = {"/v1/models/digits:predict": (200, 10), "/v1/models/digits/versions/1:predict": (200, 1),
              "/v1/models/digits/versions/3:predict": (404, 0), "/v1/models/digits/labels/stable:predict": (200, 2),
              "/v1/models/digits/labels/beta:predict": (400, 0), "/v1/models/digits/labels/old:predict": (404, 0),
              "/v1/models/mnist:predict": (404, 0), "/v1/models/digits/versions/x:predict": (400, 0)}
    server = serving.ModelServer.from_servables("digits", {v: stand_in(v) for v in (1, 2, 10)}, labels,
                                                allow_version_labels_for_unavailable_models=True)
    assert server.labels("digits") == labels  # "old" points to version 3, which is not loaded
    strict = serving.ModelServer.from_servables("digits", {v: stand_in(v) for v in (1, 2, 10)}, labels)
    assert strict.labels("digits") == {"stable": 2, "canary": 10}  # TF Serving refuses that label
    for path, answer in expect.items():
        assert serving.resolve_version(path, "digits", [1, 2, 10], labels) == answer, path
        assert server.handle("POST", path, json.dumps({"instances": images(1).tolist()}))[0] == answer[0], path
    assert serving.resolve_version("/v1/models/digits:predict", "digits", [], {}) == (404, 0)


# ------------------------------------------------------------------------- bodies


def test_row_and_columnar_bodies_give_the_same_tensors():
    x = images(3)
    for style in ("row", "columnar"):
        kind, arrays = serving.parse_predict_body(json.dumps(sc.request_body(x, style)), {"pixels": PIXELS})
        assert kind == style and arrays["pixels"].dtype == np.float32
        np.testing.assert_array_equal(arrays["pixels"], x)
    named = sc.request_body({"pixels": x}, "row")
    assert list(named["instances"][0]) == ["pixels"]
    assert serving.parse_predict_body(json.dumps(named), {"pixels": PIXELS})[1]["pixels"].shape == (3, 2, 3)


def test_several_named_inputs():
    specs = {"a": serving.TensorInfo("DT_FLOAT", (-1, 2)), "b": serving.TensorInfo("DT_INT64", (-1,))}
    inputs = {"a": np.ones((2, 2)), "b": np.array([3, 4])}
    for style in ("row", "columnar"):
        _, arrays = serving.parse_predict_body(json.dumps(sc.request_body(inputs, style)), specs)
        assert arrays["b"].dtype == np.int64 and arrays["a"].shape == (2, 2)
    with pytest.raises(serving.ServingError, match="expecting list of objects"):
        serving.parse_predict_body('{"instances": [[1, 2]]}', specs)
    with pytest.raises(serving.ServingError, match="keys must be equal to: a,b"):
        serving.parse_predict_body('{"instances": [{"a": [1, 2]}]}', specs)
    with pytest.raises(serving.ServingError, match="Missing named input: b"):
        serving.parse_predict_body('{"inputs": {"a": [[1, 2]]}}', specs)


@pytest.mark.parametrize("body, message", [
    ("", "document is empty"), ("{bad", "JSON Parse error"), ("[1, 2]", "Is not object"),
    ('{"instances": [[1]], "inputs": [[1]]}', "only one of"), ('{"examples": []}', "Missing 'inputs'"),
    ('{"instances": {"pixels": 1}}', "list/array"), ('{"instances": []}', "No values"),
    ('{"instances": [[1, 2, 3, 4, 5, 6]]}', "must have shape [2,3]"), ('{"inputs": [[[1, 2, 3]]]}', "shape"),
    ('{"instances": [[["a", "b", "c"], [1, 2, 3]]]}', "not a (nested) list of numbers"),
    ('{"instances": [[[1, 2, 3], [4, 5]]]}', "not a (nested) list"),
    ('{"signature_name": "classify", "instances": [1]}', "not found in signature def"),
    ('{"inputs": {"pixels": [], "extra": 1}}', "unknown input"),
])
def test_bad_bodies_are_400_with_a_reason(body, message):
    with pytest.raises(serving.ServingError) as error:
        serving.parse_predict_body(body, {"pixels": PIXELS})
    assert error.value.status == 400 and message in error.value.message, error.value.message


def test_responses_in_both_formats():
    outputs = {"output_0": np.array([[0.25, 0.75]], dtype=np.float32)}
    assert serving.predict_response("row", outputs) == {"predictions": [[0.25, 0.75]]}
    assert serving.predict_response("columnar", outputs) == {"outputs": [[0.25, 0.75]]}
    two = {"b": np.array([1, 2]), "a": np.array([3, 4])}
    assert serving.predict_response("row", two) == {"predictions": [{"a": 3, "b": 1}, {"a": 4, "b": 2}]}
    assert serving.predict_response("columnar", two) == {"outputs": {"a": [3, 4], "b": [1, 2]}}


# ------------------------------------------------------------------------- the core


def test_status_metadata_and_labels_without_http():
    server = serving.ModelServer.from_servables("digits", {1: stand_in(1), 2: stand_in(2)}, {"stable": 1})
    status, body = server.handle("GET", "/v1/models/digits")
    assert status == 200 and [v["version"] for v in body["model_version_status"]] == ["2", "1"]
    status, body = server.handle("GET", "/v1/models/digits/labels/stable")
    assert body["model_version_status"][0]["version"] == "1"
    status, body = server.handle("GET", "/v1/models/digits/metadata")
    signature = body["metadata"]["signature_def"]["signature_def"]["serving_default"]
    assert body["model_spec"]["version"] == "2" and signature["inputs"]["pixels"]["dtype"] == "DT_FLOAT"
    assert [d["size"] for d in signature["inputs"]["pixels"]["tensor_shape"]["dim"]] == ["-1", "2", "3"]
    x = images(2)
    _, latest = server.handle("POST", "/v1/models/digits:predict", json.dumps({"instances": x.tolist()}))
    _, stable = server.handle("POST", "/v1/models/digits/labels/stable:predict", json.dumps({"inputs": x.tolist()}))
    np.testing.assert_allclose(np.array(latest["predictions"])[:, 1], 2 * np.array(stable["outputs"])[:, 1])
    assert server.handle("GET", "/v1/models/nope")[0] == 404
    assert server.handle("POST", "/v1/models/digits:classify", "{}")[0] == 501


def test_a_crashing_model_is_an_error_answer_not_a_crash():
    def broken(pixels):
        raise RuntimeError("the model exploded")
    servable = serving.function_servable(1, broken, {"pixels": PIXELS}, {"output_0": PROBS})
    server = serving.ModelServer.from_servables("digits", {1: servable})
    status, body = server.handle("POST", "/v1/models/digits:predict", json.dumps({"instances": images(1).tolist()}))
    assert status == 400 and "exploded" in body["error"]


def test_polling_loads_new_versions_first_and_keeps_labels_on_available_versions(tmp_path):
    base = tmp_path / "digits"
    (base / "1").mkdir(parents=True)
    loads = []

    def loader(path, version):
        loads.append(version)
        if (Path(path) / "broken").exists():
            raise ValueError("not a SavedModel")
        return stand_in(version)

    config = serving.ModelConfig("digits", str(base), None, {"stable": 1, "canary": 2})
    server = serving.ModelServer([config], loader=loader)
    server.poll()
    assert server.available_versions("digits") == [1] and server.labels("digits") == {"stable": 1}
    (base / "2").mkdir()
    server.poll()
    assert server.available_versions("digits") == [2]
    assert server.labels("digits") == {"stable": 1, "canary": 2}  # stable kept until moved
    assert server.handle("POST", "/v1/models/digits/labels/stable:predict", '{"instances": [[[1,2,3],[4,5,6]]]}')[0] == 404
    states = {v["version"]: v["state"] for v in server.handle("GET", "/v1/models/digits")[1]["model_version_status"]}
    assert states == {"2": "AVAILABLE", "1": "END"}
    (base / "3").mkdir()
    (base / "3" / "broken").write_text("")
    for _ in range(serving.MAX_LOAD_ATTEMPTS + 2):
        server.poll()
    assert server.available_versions("digits") == [2] and loads.count(3) == serving.MAX_LOAD_ATTEMPTS
    # version 3 is broken: version 2 goes on serving (availability preserved)
    status = server.handle("GET", "/v1/models/digits/versions/3")[1]["model_version_status"][0]
    assert status["state"] == "END" and "not a SavedModel" in status["status"]["error_message"]


def test_config_file_changes_are_picked_up(tmp_path):
    base = tmp_path / "digits"
    for v in ("1", "2"):
        (base / v).mkdir(parents=True)
    path = serving.write_model_config(tmp_path / "models.json", [
        serving.ModelConfig("digits", str(base), {"all": {}}, {"stable": 1, "canary": 2})])
    server = serving.ModelServer(serving.read_model_config(path), config_file=path,
                                 loader=lambda p, v: stand_in(v))
    server.poll()
    assert server.labels("digits") == {"stable": 1, "canary": 2}
    time.sleep(0.01)
    serving.write_model_config(path, [serving.ModelConfig("digits", str(base), {"all": {}}, {"stable": 2})])
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))  # a coarse clock would miss the change
    server.poll()
    assert server.labels("digits") == {"stable": 2}


def test_batcher_merges_concurrent_requests_and_splits_the_answers():
    calls = []
    inner = stand_in(1)

    def counted(tensors):
        calls.append(len(tensors["pixels"]))
        time.sleep(0.01)
        return inner.run(tensors)

    servable = serving.Servable(1, inner.inputs, inner.outputs, counted)
    batcher = serving.Batcher(servable, serving.BatchingOptions(max_batch_size=8, batch_timeout_micros=20000))
    requests = [images(1) + k for k in range(12)]
    answers = [None] * 12

    def send(k):
        answers[k] = batcher.run({"pixels": requests[k]})

    threads = [threading.Thread(target=send, args=(k,)) for k in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    batcher.close()
    assert sum(calls) == 12 and max(calls) <= 8 and len(calls) < 12
    for k in range(12):
        np.testing.assert_allclose(answers[k]["output_0"], inner.run({"pixels": requests[k]})["output_0"])
    assert batcher.run({"pixels": requests[0]})["output_0"].shape == (1, 2)  # after close: runs directly


# ------------------------------------------------------------------------- HTTP (in this process)


@pytest.fixture()
def http_server():
    core = serving.ModelServer.from_servables("digits", {1: stand_in(1), 2: stand_in(2)}, {"stable": 1},
                                              batching=serving.BatchingOptions(8, 1000))
    httpd = serving.make_http_server(core, 0, max_body_bytes=64 * 1024)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    core.close()


BAD_REQUESTS = [
    ("POST", "/v1/models/digits:predict", "{not json", 400, "JSON Parse error"),
    ("POST", "/v1/models/digits:predict", {"instances": [[1, 2, 3, 4, 5, 6]]}, 400, "must have shape"),
    ("POST", "/v1/models/digits:predict", {"rows": []}, 400, "Missing 'inputs' or 'instances'"),
    ("POST", "/v1/models/digits/versions/7:predict", {"instances": images(1).tolist()}, 404,
     "Servable not found for request: Specific(digits, 7)"),
    ("POST", "/v1/models/digits/labels/beta:predict", {"instances": images(1).tolist()}, 400,
     "Unrecognized servable version label: beta"),
    ("POST", "/v1/models/mnist:predict", {"instances": images(1).tolist()}, 404, "Latest(mnist)"),
    ("GET", "/v1/models/digits/versions/7", None, 404, "Could not find version 7"),
    ("GET", "/v1/models/digits:predict", None, 405, "POST"),
    ("DELETE", "/v1/models/digits", None, 405, "not allowed"),
    ("POST", "/v1/models/digits:predict", "x" * (65 * 1024), 413, "exceeds the limit"),
    ("POST", "/v1/models/digits:predict", bytes([0xFF, 0xFE]), 400, "not UTF-8"),
]


@pytest.mark.parametrize("method, path, body, status, message", BAD_REQUESTS,
                         ids=[f"{r[3]}-{r[4][:20]}" for r in BAD_REQUESTS])
def test_every_bad_request_gets_its_error_and_the_server_keeps_serving(http_server, method, path, body,
                                                                       status, message):
    with sc.Client(http_server, timeout=10) as client:
        answer = client.request(method, path, body)
        assert answer.status == status and message in answer.body["error"], answer
        if status == 405:
            assert client._connection is not None
        good = client.predict("digits", sc.request_body(images(2), "row"))
        assert good.ok and len(good.body["predictions"]) == 2


def test_a_huge_declared_body_is_refused_without_reading_it(http_server):
    port = int(http_server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(b"POST /v1/models/digits:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n")
        chunks = []
        while chunk := raw.recv(4096):  # the server closes the connection after a 413
            chunks.append(chunk)
        reply = b"".join(chunks).decode()
    assert reply.startswith("HTTP/1.1 413") and "exceeds the limit" in reply
    with sc.Client(http_server) as client:
        assert client.status("digits").ok


def test_load_eight_clients_times_25_requests_all_answered_none_lost(http_server):
    rng = np.random.default_rng(0)
    batches = [rng.random((1 + k % 3, 2, 3)).astype(np.float32) for k in range(200)]
    bodies = [sc.request_body(b, "row" if k % 2 else "columnar") for k, b in enumerate(batches)]
    start = time.perf_counter()
    result = sc.send_concurrently(http_server, "/v1/models/digits:predict", bodies, clients=8, timeout=60,
                                  keep_bodies=True)
    assert time.perf_counter() - start < 60
    assert result.failures == [] and result.answered == 200 and set(result.statuses) == {200}
    served = stand_in(2)
    for k, body in enumerate(result.bodies):  # each answer is its own request's, in order
        key = "outputs" if k % 2 == 0 else "predictions"
        np.testing.assert_allclose(body[key], served.run({"pixels": batches[k]})["output_0"], rtol=1e-6)
    summary = sc.describe_latencies(result.seconds)
    assert 0 < summary["median_ms"] <= summary["p95_ms"] and result.per_second > 0


def test_keep_sending_records_every_request(http_server):
    body = sc.request_body(images(1), "row")
    with sc.KeepSending(http_server, "/v1/models/digits:predict", body, pause=0.0, max_seconds=5) as sender:
        time.sleep(0.3)
        assert sender.now() > 0
    assert len(sender.records) > 5 and {r.status for r in sender.records} == {200}
    times = [r.start for r in sender.records]
    assert times == sorted(times)
    references = {v: stand_in(v).run({"pixels": images(1)})["output_0"] for v in (1, 2)}
    assert sc.which_version(sender.records[0].body["predictions"], references) == 2
    assert sc.which_version([[0.0, 0.0]], references) == 0


def test_rollout_plot_and_request_builder():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    sc.plot_rollout(ax, [0.0, 0.1, 0.2, 0.3], [1, 1, 2, 0], [200, 200, 200, 503], {"version 2 copied": 0.15})
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["answered by version 1 (2)", "answered by version 2 (1)", "failed (1)"]
    plt.close(fig)
    method, path, text = sc.build_request("digits", images(3), "labels/canary", "columnar", 2, "flattened pixels")
    assert (method, path) == ("POST", "/v1/models/digits/labels/canary:predict")
    assert np.shape(json.loads(text)["inputs"]) == (2, 6)
    assert sc.build_request("digits", images(3), "latest", "row", 1, "malformed JSON")[2].endswith("]")
    assert sc.build_request("digits", images(3), "another model", "row", 1)[1] == "/v1/models/mnist:predict"


def test_request_explorer_shows_the_servers_answers():
    server = serving.ModelServer.from_servables("digits", {1: stand_in(1), 2: stand_in(2)}, {"stable": 1})
    explorer = sc.request_explorer(server, "digits", images(4))
    assert explorer.status.value.startswith("<b>HTTP 200")
    for values, start in [({"address": "versions/7"}, "<b>HTTP 404"), ({"address": "latest", "mistake": "malformed JSON"}, "<b>HTTP 400"),
                          ({"address": "labels/beta", "mistake": "none"}, "<b>HTTP 400"),
                          ({"address": "latest", "mistake": "GET instead of POST"}, "<b>HTTP 405"),
                          ({"mistake": "none", "style": "columnar", "examples": 3}, "<b>HTTP 200")]:
        before = explorer.draw_count
        explorer.set(**values)
        assert explorer.draw_count == before + 1 and explorer.status.value.startswith(start), explorer.status.value
    with pytest.raises(ValueError, match="no model"):
        sc.request_explorer(server, "mnist", images(2))


# ------------------------------------------------------------------------- the real subprocess


def _export(path: Path, hidden: int, seed: int) -> object:
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((4, 4), name="pixels")
    x = keras.layers.Flatten()(inputs)
    if hidden:
        x = keras.layers.Dense(hidden, activation="relu")(x)
    model = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))
    temporary = path.with_name(f".{path.name}-partial")
    model.export(str(temporary), verbose=False)
    os.replace(temporary, path)
    return model


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_the_server_process_serves_saved_models_rolls_out_and_always_stops(tmp_path):
    base = tmp_path / "models" / "tiny"
    base.mkdir(parents=True)
    first = _export(base / "1", 0, 1)
    x = np.random.default_rng(1).random((5, 4, 4)).astype(np.float32)
    with pytest.raises(KeyError):  # a failing block still stops the server
        with serving.model_server("tiny", base, poll_seconds=0.2, start_timeout=120, max_seconds=180) as server:
            port = server.port
            with sc.Client(server.url) as client:
                answer = client.predict("tiny", sc.request_body(x, "row"))
                assert answer.ok
                np.testing.assert_allclose(answer.body["predictions"], first.predict(x, verbose=0), atol=1e-6)
                metadata = client.metadata("tiny").body["metadata"]["signature_def"]["signature_def"]
                assert metadata["serving_default"]["inputs"]["pixels"]["dtype"] == "DT_FLOAT"
                assert client.request("POST", "/v1/models/tiny:predict", "{oops").status == 400
                second = _export(base / "2", 8, 2)
                deadline = time.monotonic() + 30
                while client.status("tiny", version=2).body.get("model_version_status", [{}])[0].get(
                        "state") != "AVAILABLE":
                    assert time.monotonic() < deadline, server.log()
                    time.sleep(0.1)
                answer = client.predict("tiny", sc.request_body(x, "columnar"))
                np.testing.assert_allclose(answer.body["outputs"], second.predict(x, verbose=0), atol=1e-6)
            assert server.log_lines("tiny version 2 AVAILABLE") and server.log_lines("version 1 unloaded")
            process = server.process
            raise KeyError("a cell fails while the server runs")
    assert process.poll() is not None and serving.running_servers() == 0
    assert _port_is_free(port)


def test_a_server_that_cannot_start_says_why(tmp_path):
    (tmp_path / "cfg.json").write_text(json.dumps({"model_config_list": [{"name": "x", "colour": "red"}]}))
    with pytest.raises(RuntimeError, match="unknown field"):
        with serving.model_server(model_config_file=tmp_path / "cfg.json", start_timeout=60):
            pass
    with pytest.raises(ValueError, match="not a directory"):
        with serving.model_server("x", tmp_path / "missing"):
            pass


def test_export_load_and_serve_in_process(tmp_path):
    import keras

    keras.utils.set_random_seed(0)
    model = serving.digits_model(hidden=4)
    assert model.input_shape == (None, 28, 28) and model.output_shape == (None, 10)
    base = tmp_path / "digits"
    target = serving.export_version(model, base, 3)
    assert target == base / "3" and (target / "saved_model.pb").is_file()
    assert not [p for p in base.iterdir() if p.name.startswith(".")]  # the hidden folder was renamed
    tree = serving.directory_tree(tmp_path)
    assert "    3/" in tree and "saved_model.pb  (" in tree
    with pytest.raises(ValueError, match="never overwritten"):
        serving.export_version(model, base, 3)
    servable = serving.load_saved_model(target, 3)
    assert servable.inputs["pixels"].shape == (-1, 28, 28) and servable.inputs["pixels"].dtype == "DT_FLOAT"
    x = np.random.default_rng(0).random((2, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(servable.run({"pixels": x})["output_0"], model.predict(x, verbose=0), atol=1e-6)
    server = serving.ModelServer([serving.ModelConfig("digits", str(base))])
    server.poll()
    status, body = server.handle("GET", "/v1/models/digits/metadata")
    assert status == 200 and "serving_default" in body["metadata"]["signature_def"]["signature_def"]
    with pytest.raises(ValueError, match="no saved_model.pb"):
        serving.load_saved_model(tmp_path, 1)


@pytest.mark.parametrize("call, message", [
    (lambda: serving.digits_model(-1), "hidden"),
    (lambda: serving.export_version(None, "/tmp", 0), "version"),
    (lambda: serving.directory_tree("/no/such/folder"), "not a directory"),
    (lambda: serving.model_server("x", "/tmp", poll_seconds=0), "poll_seconds"),
    (lambda: serving.model_server(), "model_config_file"),
    (lambda: sc.KeepSending("http://127.0.0.1:1", "/", {}, pause=5, max_seconds=1), "pause"),
])
def test_more_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        with call():
            pass


def test_the_command_line_needs_a_model(capsys):
    assert serving.main(["--model_name", "digits"]) == 2
    assert "--model_base_path" in capsys.readouterr().err
