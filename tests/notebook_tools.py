"""Shared by the tests, the notebook harness and scripts/execute_notebooks.py: where notebooks are, how they are hashed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_BUDGET_S = 60
MAX_BUDGET_S = 90
# `make test` fails a notebook only beyond this multiple of its budget: a real regression (a
# training loop grown tenfold), not a slower laptop or a busy CI machine. `make bench` holds
# every notebook to its budget itself (factor 1).
GROSS_OVERRUN_FACTOR = 4.0


def notebook_paths() -> list[Path]:
    """Every course notebook, in course order."""
    return sorted(p for p in NOTEBOOKS.glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _source(cell: Any) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


def code_hash(notebook: Any) -> str:
    """SHA-256 of the notebook's code cells, in order: changes whenever code changes."""
    digest = hashlib.sha256()
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            digest.update(_source(cell).encode())
            digest.update(b"\n\x00\n")
    return digest.hexdigest()


def read(path: Path) -> dict:
    """A notebook as plain JSON."""
    return json.loads(path.read_text(encoding="utf-8"))


def time_budget(notebook: dict) -> int:
    """Seconds a notebook may take: 60, or what its metadata grants a heavy chapter (at most 90)."""
    budget = notebook.get("metadata", {}).get("course", {}).get("time_budget_s", DEFAULT_BUDGET_S)
    return min(int(budget), MAX_BUDGET_S)


def summarize(
    seconds: dict[str, float], failed: set[str], root: Path, target_dir: Path,
    overrun_factor: float = GROSS_OVERRUN_FACTOR,
) -> tuple[dict[str, dict], list[str]]:
    """Per-notebook report (seconds, budget, target results) and the problems that fail the run.

    A notebook over its budget is marked ``over_budget`` in the report; it fails the run only
    beyond ``overrun_factor`` times its budget.
    """
    report: dict[str, dict] = {}
    problems: list[str] = []
    for notebook, spent in sorted(seconds.items()):
        budget = time_budget(read(root / notebook))
        target_file = target_dir / f"{Path(notebook).stem}.json"
        target = json.loads(target_file.read_text()) if target_file.exists() else None
        report[notebook] = {"seconds": round(spent, 1), "budget_s": budget, "over_budget": spent > budget,
                            "passed": notebook not in failed, "target": target}
        if spent > overrun_factor * budget:
            limit = f"{overrun_factor:g} × its {budget} s budget" if overrun_factor != 1 else f"its {budget} s budget"
            problems.append(f"{notebook} took {spent:.1f} s, over {limit}")
        if target is None and notebook not in failed:
            problems.append(f"{notebook} ran but its hidden target cell reported nothing (course.report_target)")
    return report, problems


FAILED_CHECK = "❌"


def failed_check_lines(outputs: list) -> list[str]:
    """Lines of a cell's outputs that report a failed check (❌): in the complete lessons, where
    every exercise holds its reference solution, any such line is a regression."""
    lines: list[str] = []
    for output in outputs or []:
        text = output.get("text", "")
        if not text and "data" in output:
            text = output["data"].get("text/plain", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        lines += [line.strip() for line in text.splitlines() if FAILED_CHECK in line]
    return lines
