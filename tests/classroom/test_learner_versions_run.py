"""Every learner version runs top to bottom with every exercise unanswered (Run All completes).

Slow (each notebook runs once more): `make test-classroom` runs this folder on two workers.
"""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from scripts.make_exercise_version import exercise_version
from tests.notebook_tools import notebook_paths, read, time_budget


def _problems(notebook: nbformat.NotebookNode) -> list[str]:
    """Error outputs and tracebacks printed to stderr, cell by cell."""
    problems = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"cell {index}: {output.ename}: {output.evalue}")
            elif output.output_type == "stream" and output.name == "stderr" and "Traceback" in output.text:
                problems.append(f"cell {index}: traceback on stderr")
    return problems


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_learner_version_runs_top_to_bottom(path, tmp_path):
    learner = exercise_version(nbformat.read(path, as_version=4))
    client = NotebookClient(learner, timeout=time_budget(read(path)) * 3, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    nbformat.write(learner, tmp_path / path.name)  # kept for a look when the test fails
    assert _problems(learner) == [], f"{path.name}: the learner version stops"
    checks = [o.text for c in learner.cells if c.cell_type == "code" and ".check_" in c.source
              for o in c.get("outputs", []) if o.output_type == "stream"]
    assert checks and all(text.startswith("⏳") for text in checks), checks
