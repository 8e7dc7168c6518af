"""Notebook harness: quiet, timed, reported.

When pytest executes notebooks (nbval items), this plugin
- starts every kernel with TensorFlow's start-up noise off and a non-interactive plotting backend,
- tells each notebook's hidden target cell where to write its results,
- fails a cell whose output reports a failed check (❌): the lessons hold every reference solution,
- sums the seconds each notebook took, marks those over their time budget, and fails the run
  only on a gross overrun (``GROSS_OVERRUN_FACTOR``; ``COURSE_BUDGET_FACTOR=1`` for ``make bench``),
- writes ``reports/notebooks.json``: seconds, budget and target results per notebook.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from collections import defaultdict

import pytest

from tests.notebook_tools import GROSS_OVERRUN_FACTOR, ROOT, failed_check_lines, summarize

REPORT_DIR = ROOT / "reports"

_seconds: dict[str, float] = defaultdict(float)
_failed: set[str] = set()


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    if not hasattr(config, "workerinput"):
        # a fresh folder per run (inherited by the xdist workers and their kernels), so that
        # two test runs at the same time never read each other's target results
        os.environ["COURSE_REPORT_DIR"] = tempfile.mkdtemp(prefix="course-targets-")


def _notebook_of(nodeid: str) -> str | None:
    path = nodeid.split("::", 1)[0]
    return path if path.endswith(".ipynb") else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A notebook cell that prints a ❌ (a comparison or check that failed) fails its test."""
    outcome = yield
    report = outcome.get_result()
    if call.when == "call" and report.passed and _notebook_of(item.nodeid):
        failed = failed_check_lines(getattr(item, "test_outputs", None))
        if failed:
            report.outcome = "failed"
            report.longrepr = "the cell reported a failed check:\n" + "\n".join(failed)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    notebook = _notebook_of(report.nodeid)
    if notebook is None:
        return
    _seconds[notebook] += report.duration
    if report.failed:
        _failed.add(notebook)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput") or not _seconds:
        return
    # `make bench` sets COURSE_BUDGET_FACTOR=1: every notebook held to its budget
    factor = float(os.environ.get("COURSE_BUDGET_FACTOR", GROSS_OVERRUN_FACTOR))
    report, problems = summarize(_seconds, _failed, ROOT, Path(os.environ["COURSE_REPORT_DIR"]), factor)
    REPORT_DIR.mkdir(exist_ok=True)
    (REPORT_DIR / "notebooks.json").write_text(json.dumps(report, indent=2))
    writer = session.config.get_terminal_writer()
    writer.line()
    writer.sep("-", "notebook times and targets (reports/notebooks.json)")
    for notebook, entry in report.items():
        mark = "  OVER BUDGET" if entry["over_budget"] else ""
        writer.line(f"{entry['seconds']:6.1f} s / {entry['budget_s']} s{mark}  {notebook}  {json.dumps(entry['target'])}")
    total = sum(entry["seconds"] for entry in report.values())
    writer.line(f"{total:6.1f} s in all (kernel seconds summed over workers)")
    for problem in problems:
        writer.line(f"FAILED budget/target: {problem}", red=True)
    if problems:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
