"""Notebook harness: quiet, timed, reported.

When pytest executes notebooks (nbval items), this plugin
- starts every kernel with TensorFlow's start-up noise off and a non-interactive plotting backend,
- tells each notebook's hidden target cell where to write its results,
- sums the seconds each notebook took and fails the run if one exceeds its time budget,
- writes ``reports/notebooks.json``: seconds, budget and target results per notebook.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from collections import defaultdict

import pytest

from tests.notebook_tools import ROOT, summarize

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
    report, problems = summarize(_seconds, _failed, ROOT, Path(os.environ["COURSE_REPORT_DIR"]))
    REPORT_DIR.mkdir(exist_ok=True)
    (REPORT_DIR / "notebooks.json").write_text(json.dumps(report, indent=2))
    writer = session.config.get_terminal_writer()
    writer.line()
    writer.sep("-", "notebook times and targets (reports/notebooks.json)")
    for notebook, entry in report.items():
        writer.line(f"{entry['seconds']:6.1f} s / {entry['budget_s']} s  {notebook}  {json.dumps(entry['target'])}")
    for problem in problems:
        writer.line(f"FAILED budget/target: {problem}", red=True)
    if problems:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
