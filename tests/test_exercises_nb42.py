"""Exercise checks of notebook 42 accept the solutions and their valid variants, and name each mistake."""

import copy

import numpy as np
import pytest

from utils import checks
from utils.exercises import nb42_serving as ex


def todo(*args):
    raise NotImplementedError


def crash(*args):
    return 1 / 0


def served_versions(names, policy):
    numbers = sorted(int(name) for name in names if name.isdigit())
    if "latest" in policy:
        count = max(policy["latest"].get("num_versions", 1), 1)
        return numbers[-count:]
    if "all" in policy:
        return numbers
    return [v for v in numbers if v in policy["specific"]["versions"]]


def request_body(inputs, style):
    if style == "row":
        count = len(next(iter(inputs.values())))
        return {"instances": [{name: np.asarray(value)[i].tolist() for name, value in inputs.items()}
                              for i in range(count)]}
    return {"inputs": {name: np.asarray(value).tolist() for name, value in inputs.items()}}


def resolve_version(path, model_name, served, labels):
    parts = path.split(":")[0].split("/")  # ['', 'v1', 'models', NAME, ('versions'|'labels', X)]
    if parts[3] != model_name:
        return 404, 0
    if len(parts) == 6 and parts[4] == "labels":
        if parts[5] not in labels:
            return 400, 0
        version = labels[parts[5]]
    elif len(parts) == 6:
        version = int(parts[5])
    else:
        return (200, max(served)) if served else (404, 0)
    return (200, version) if version in served else (404, 0)


def regex_resolve(path, model_name, served, labels):
    import re

    match = re.fullmatch(r"/v1/models/([^/:]+)(?:/versions/(\d+)|/labels/(\w+))?:predict", path)
    name, version, label = match.groups()
    if name != model_name:
        return (404, 0)
    if label:
        if label not in labels:
            return (400, 0)
        version = labels[label]
    elif version is None:
        return (200, sorted(served)[-1]) if served else (404, 0)
    return (200, int(version)) if int(version) in served else (404, 0)


def single_input_shortcut(inputs, style):
    if len(inputs) == 1:  # TF Serving accepts a plain list when the model has one input
        (value,) = inputs.values()
        return {"instances" if style == "row" else "inputs": np.asarray(value).tolist()}
    return request_body(inputs, style)


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_served_versions, served_versions),
    (ex.evaluate_served_versions, lambda n, p: np.array(served_versions(n, p))),
    (ex.evaluate_served_versions, lambda n, p: tuple(reversed(served_versions(n, p)))),
    (ex.evaluate_served_versions, lambda n, p: set(served_versions(n, p))),
    (ex.evaluate_request_body, request_body),
    (ex.evaluate_request_body, single_input_shortcut),
    (ex.evaluate_request_body, lambda i, s: request_body({k: np.asarray(v, dtype=np.float32) for k, v in i.items()}, s)),
    (ex.evaluate_resolve_version, resolve_version),
    (ex.evaluate_resolve_version, regex_resolve),
    (ex.evaluate_resolve_version, lambda *a: list(resolve_version(*a))),
    (ex.evaluate_resolve_version, lambda *a: np.array(resolve_version(*a))),
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


def string_sorted(names, policy):
    count = max(policy.get("latest", {}).get("num_versions", 1), 1)
    ordered = sorted(name for name in names if name.isdigit())
    if "latest" in policy:
        return [int(name) for name in ordered[-count:]]
    return served_versions(names, policy)


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_served_versions, string_sorted, "'9' sorts after '10'"),
    (ex.evaluate_served_versions, lambda n, p: served_versions(n, p)[-1:] if "latest" in p else served_versions(n, p),
     "not only the newest"),
    (ex.evaluate_served_versions, lambda n, p: sorted(int(x) for x in n if x.isdigit())[:max(p["latest"].get(
        "num_versions", 1), 1)] if "latest" in p else served_versions(n, p), "HIGHEST"),
    (ex.evaluate_served_versions, lambda n, p: [int(x) for x in n if x in p["specific"]["versions"]]
     if "specific" in p else served_versions(n, p), "compare numbers with numbers"),
    (ex.evaluate_served_versions, lambda n, p: served_versions(n, {"latest": {}}) if "all" in p
     else served_versions(n, p), "'all' serves every version"),
    (ex.evaluate_served_versions, lambda n, p: p["specific"]["versions"] if "specific" in p
     else served_versions(n, p), "exist on disk"),
    (ex.evaluate_served_versions, lambda n, p: sorted(int(x) for x in n), "skip names that are not whole"),
    (ex.evaluate_served_versions, lambda n, p: served_versions(n, p) if p.get("latest", {"num_versions": 1}).get(
        "num_versions") else p["latest"]["num_versions"], "defaults to 1"),
    (ex.evaluate_served_versions, lambda n, p: [str(v) for v in served_versions(n, p)], "as ints"),
    (ex.evaluate_request_body, lambda i, s: request_body(i, "columnar" if s == "row" else "row"), "You swapped"),
    (ex.evaluate_request_body, lambda i, s: {"instances" if s == "row" else "inputs": dict(i)}, ".tolist()"),
    (ex.evaluate_request_body, lambda i, s: {"instances" if s == "row" else "inputs": request_body(i, "columnar")
     ["inputs"]}, "one item per example"),
    (ex.evaluate_request_body, lambda i, s: {"instances": request_body(i, "row")["instances"]} if s == "row"
     else {"inputs": request_body(i, "row")["instances"]}, "one object {name: value} per"),
    (ex.evaluate_request_body, lambda i, s: request_body(i, s) | {"instances" if s == "columnar" else "inputs": 1},
     "never both"),
    (ex.evaluate_request_body, lambda i, s: {"rows": request_body(i, s)}, "the body's key"),
    (ex.evaluate_request_body, lambda i, s: [request_body(i, s)], "is a dict"),
    (ex.evaluate_resolve_version, lambda p, m, s, l: (200, min(s)) if p.endswith(f"{m}:predict")
     else resolve_version(p, m, s, l), "max(served)"),
    (ex.evaluate_resolve_version, lambda p, m, s, l: (404, 0) if "/labels/" in p and p.split("/")[-1].split(":")[0]
     not in l else resolve_version(p, m, s, l), "not 404"),
    (ex.evaluate_resolve_version, lambda p, m, s, l: (200, l[p.split("/")[-1][:-8]]) if "/labels/" in p and
     p.split("/")[-1][:-8] in l else resolve_version(p, m, s, l), "not served (any more)"),
    (ex.evaluate_resolve_version, lambda p, m, s, l: (200, int(p.split("/")[-1][:-8])) if "/versions/" in p
     else resolve_version(p, m, s, l), "unless N is in served"),
    (ex.evaluate_resolve_version, lambda p, m, s, l: resolve_version(p.split("/labels/")[0] + ":predict", m, s, l),
     "not the latest one"),
    (ex.evaluate_resolve_version, lambda p, m, s, l: resolve_version(p.replace(f"/{p.split('/')[3].split(':')[0]}",
     f"/{m}", 1), m, s, l), "another model"),
    (ex.evaluate_resolve_version, lambda *a: (resolve_version(*a)[0], None), "use 0"),
    (ex.evaluate_resolve_version, lambda *a: (str(resolve_version(*a)[0]), resolve_version(*a)[1]), "ints"),
])
def test_plausible_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed
    assert result.message.startswith("❌") and hint in result.message, result.message


def test_messages_speak_of_versions_and_paths_not_tables():
    result = ex.evaluate_served_versions(string_sorted)
    assert "serves [3, 9]; TF Serving serves [9, 10]" in result.message and "index (" not in result.message
    result = ex.evaluate_resolve_version(lambda p, m, s, l: (200, min(s)) if s else (404, 0))
    assert "POST /v1/models/digits:predict" in result.message and "the server answers (200, 10)" in result.message


@pytest.mark.parametrize("evaluate", [ex.evaluate_served_versions, ex.evaluate_request_body,
                                      ex.evaluate_resolve_version])
def test_todo_crash_and_nan_never_raise(evaluate):
    assert evaluate(todo).message.startswith("⏳")
    assert evaluate(crash).message.startswith("❌")
    assert evaluate(lambda *a: np.nan).message.startswith("❌")
    assert evaluate(lambda *a: None).message.startswith("❌")
    assert evaluate("answer").message.startswith("❌")


def test_the_answer_cannot_change_the_hidden_cases():
    def mutating(names, policy):
        names.append("99")
        policy.clear()
        return [1]
    cases = copy.deepcopy(ex._policy_cases())
    ex.evaluate_served_versions(mutating)
    assert [c.args for c in ex._policy_cases()] == [c.args for c in cases]


def test_the_first_case_sees_every_mistake():
    for evaluate in (ex.evaluate_served_versions, ex.evaluate_request_body, ex.evaluate_resolve_version):
        seen = []
        original = ex.evaluate_function

        def recorder(answer, reference, cases, **options):
            seen.append((reference, cases, options.get("mistakes", [])))
            return checks.evaluate_function(answer, reference, cases, **options)

        ex.evaluate_function = recorder
        try:
            evaluate(lambda *a: None)
        finally:
            ex.evaluate_function = original
        reference, cases, mistakes = seen[0]
        expected = reference(*copy.deepcopy(cases[0].args))
        for mistake in mistakes:
            wrong = mistake.wrong(*copy.deepcopy(cases[0].args))
            assert np.shape(wrong) != np.shape(expected) or not np.array_equal(wrong, expected), mistake.hint
