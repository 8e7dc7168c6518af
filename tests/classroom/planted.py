"""Planted submissions of notebook 04 (derivatives) for the graders' end-to-end tests, with the points each deserves.

Each one is the released notebook with some cells replaced, as a learner (or a cheat) would.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

ASSIGNMENT = "04_derivatives"

CORRECT = {
    "central_difference": "def central_difference(f, x, h):\n    return (f(x + h) - f(x - h)) / (2 * h)\n",
    "gradient": "def gradient(x, y):\n    return np.array([3 * x**2, 2 * y])\n",
    "loss_slope": "def loss_slope(x, y, w):\n    return 2 * (w * x - y) * x\n",
}

# what each planted learner writes in the solution cells (missing: the stub stays) and in other cells
PLANTED: dict[str, dict[str, str]] = {
    "correct": dict(CORRECT),
    "wrong": {
        "central_difference": "def central_difference(f, x, h):\n    return (f(x + h) - f(x)) / h\n",
        # right for x > 0 only: half of the hidden cases, so half the points
        "gradient": "def gradient(x, y):\n    if x > 0:\n        return np.array([3 * x**2, 2 * y])\n"
                    "    return np.zeros(2)\n",
        # right, but noisy on stderr: that must not cost points (nbgrader gives 0 to a test cell with stderr)
        "loss_slope": "import sys\n\ndef loss_slope(x, y, w):\n    print('debugging', file=sys.stderr)\n"
                      "    return 2 * (w * x - y) * x\n",
    },
    "not_attempted": {},
    "tampered": {
        # wrong answers, the checks patched from a solution cell and the check cells edited
        "central_difference": "import utils.checks\nfrom utils.checks import Result\n"
                              "utils.checks.evaluate_function = lambda *a, **k: Result(True, '✅', fraction=1.0)\n"
                              "ex.evaluate_central_difference = lambda f: Result(True, '✅ passes', max_points=2)\n"
                              "def central_difference(f, x, h):\n    return 0.0\n",
        "gradient": "def gradient(x, y):\n    return np.zeros(2)\n\nfloat = lambda *args: 2.0  # shadows a builtin\n",
        "check:central_difference": "print('✅ central_difference passes all 4 hidden tests.')\n",
        "check:gradient": "ex.evaluate_gradient = lambda *a: checks.Result(True, '✅', max_points=2)\n"
                          "print('✅ gradient passes all 4 hidden tests.')\n",
    },
    "raises": {
        "central_difference": "def central_difference(f, x, h):\n    raise ValueError('my mistake')\n",
        "gradient": "1 / 0\n" + CORRECT["gradient"],  # the cell fails before defining it
        "loss_slope": CORRECT["loss_slope"],
    },
    "loops": {
        "central_difference": CORRECT["central_difference"],
        "gradient": "def gradient(x, y):\n    while True:\n        pass\n",
        "loss_slope": CORRECT["loss_slope"],
    },
    "borrows": {
        "central_difference": "from utils.exercises.nb04_derivatives import _central as central_difference\n",
        "gradient": "def gradient(x, y):\n    return ex._gradient(x, y)\n",
        "loss_slope": "from utils.exercises import nb04_derivatives\n\ndef loss_slope(x, y, w):\n"
                      "    return nb04_derivatives._loss_slope(x, y, w)\n",
    },
}

# points per exercise (central_difference, gradient, loss_slope) each planted learner deserves
EXPECTED: dict[str, tuple[float, float, float]] = {
    "correct": (2.0, 2.0, 2.0),
    "wrong": (0.0, 1.0, 2.0),
    "not_attempted": (0.0, 0.0, 0.0),
    "tampered": (0.0, 0.0, 0.0),
    "raises": (0.0, 0.0, 2.0),
    "loops": (2.0, 0.0, 2.0),
    "borrows": (0.0, 0.0, 0.0),
}
EXERCISES = ("central_difference", "gradient", "loss_slope")


def plant(release: Path, submitted: Path) -> dict[str, Path]:
    """Write every planted submission to ``submitted/<learner>/04_derivatives/04_derivatives.ipynb``."""
    written = {}
    for learner, answers in PLANTED.items():
        notebook = nbformat.read(release, as_version=4)
        for cell in notebook.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            grade_id = meta.get("grade_id", "")
            for exercise, source in answers.items():
                if exercise.startswith("check:"):
                    name = exercise.removeprefix("check:")
                    if f".check_{name}(" in cell.source:
                        cell.source = source
                    elif grade_id == f"test_{name}":
                        cell.source = f"{source}{float(EXPECTED['correct'][EXERCISES.index(name)])}\n"
                elif meta.get("solution") and grade_id.startswith(f"answer_{exercise}_"):
                    cell.source = source
        target = submitted / learner / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        written[learner] = target
    return written
