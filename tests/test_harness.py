"""The notebook harness itself: staleness hash, time budgets and the run report can all fail."""

import json

import nbformat
import pytest

from tests.notebook_tools import DEFAULT_BUDGET_S, MAX_BUDGET_S, code_hash, summarize, time_budget


def notebook(*sources, budget=None):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# title"))
    if budget is not None:
        nb.metadata["course"] = {"time_budget_s": budget}
    return nb


def test_code_hash_changes_with_code_only():
    base = notebook("x = 1", "print(x)")
    assert code_hash(base) == code_hash(notebook("x = 1", "print(x)"))
    assert code_hash(base) != code_hash(notebook("x = 2", "print(x)"))
    assert code_hash(base) != code_hash(notebook("print(x)", "x = 1"))
    assert code_hash(base) != code_hash(notebook("x = 1print(x)"))  # cell boundaries count
    base.cells[0].source = "# another title"  # markdown does not make outputs stale
    assert code_hash(base) == code_hash(notebook("x = 1", "print(x)"))


def test_time_budget_default_grant_and_cap():
    assert time_budget(notebook()) == DEFAULT_BUDGET_S
    assert time_budget(notebook(budget=80)) == 80
    assert time_budget(notebook(budget=500)) == MAX_BUDGET_S


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "nb").mkdir()
    targets = tmp_path / "targets"
    targets.mkdir()
    for name, budget in [("01_fast", None), ("02_slow", None), ("03_heavy", 90)]:
        nbformat.write(notebook("x = 1", budget=budget), tmp_path / "nb" / f"{name}.ipynb")
        (targets / f"{name}.json").write_text(json.dumps({"accuracy": 0.95}))
    return tmp_path, targets


def test_summary_passes_when_on_time_with_targets(tree):
    root, targets = tree
    report, problems = summarize({"nb/01_fast.ipynb": 12.3, "nb/03_heavy.ipynb": 85.0}, set(), root, targets)
    assert problems == []
    assert report["nb/01_fast.ipynb"] == {"seconds": 12.3, "budget_s": 60, "over_budget": False, "passed": True,
                                          "target": {"accuracy": 0.95}}
    assert report["nb/03_heavy.ipynb"]["budget_s"] == 90


def test_summary_reports_a_slow_notebook_and_fails_only_a_gross_overrun(tree):
    root, targets = tree
    report, problems = summarize({"nb/02_slow.ipynb": 61.0, "nb/03_heavy.ipynb": 3 * 90.0}, set(), root, targets)
    assert problems == []  # a machine three times slower still passes
    assert report["nb/02_slow.ipynb"]["over_budget"] is True
    assert report["nb/03_heavy.ipynb"]["over_budget"] is True
    _, problems = summarize({"nb/02_slow.ipynb": 241.0}, set(), root, targets)
    assert problems == ["nb/02_slow.ipynb took 241.0 s, over 4 × its 60 s budget"]


def test_benchmark_mode_holds_every_notebook_to_its_budget(tree):
    root, targets = tree
    _, problems = summarize({"nb/02_slow.ipynb": 61.0, "nb/03_heavy.ipynb": 89.0}, set(), root, targets,
                            overrun_factor=1)
    assert problems == ["nb/02_slow.ipynb took 61.0 s, over its 60 s budget"]


def test_summary_fails_a_notebook_whose_target_reported_nothing(tree):
    root, targets = tree
    (targets / "01_fast.json").unlink()
    _, problems = summarize({"nb/01_fast.ipynb": 5.0}, set(), root, targets)
    assert "reported nothing" in problems[0]
    report, problems = summarize({"nb/01_fast.ipynb": 5.0}, {"nb/01_fast.ipynb"}, root, targets)
    assert problems == [] and report["nb/01_fast.ipynb"]["passed"] is False  # already failed by nbval


def test_a_failed_check_in_a_cell_output_is_found():
    from tests.notebook_tools import failed_check_lines

    outputs = [{"output_type": "stream", "name": "stdout", "text": "✅ sigmoid matches\n❌ relu: differs by 0.5\n"},
               {"output_type": "execute_result", "data": {"text/plain": ["❌ Keras and ours differ"]}}]
    assert failed_check_lines(outputs) == ["❌ relu: differs by 0.5", "❌ Keras and ours differ"]
    assert failed_check_lines([{"output_type": "stream", "text": "✅ all good"}]) == []
    assert failed_check_lines(None) == []
