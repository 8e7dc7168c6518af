"""Run the explorer and animation tests on Colab's widget stack (ipywidgets 7.7, IPython 7.34).

    python scripts/test_widgets_colab.py [pytest arguments]

The tests run in the Colab-profile environment of ``make test-colab`` (``.venv-colab/``, built
from ``tests/colab/constraints.txt``, the one place Colab's versions are written; Colab ships
pytest too), importing the helper package from this working tree. Exits with pytest's status.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.test_colab import ensure_environment, venv_python  # noqa: E402

TESTS = ["tests/test_explorers.py", "tests/test_widgets_animation.py"]


def main(argv: list[str]) -> int:
    ensure_environment()
    python = venv_python()
    version = subprocess.run([str(python), "-c", "import ipywidgets, IPython; print(ipywidgets.__version__, "
                              "IPython.__version__)"], capture_output=True, text=True, check=True).stdout.split()
    print(f"widget tests on ipywidgets {version[0]}, IPython {version[1]} ({python})")
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    return subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *(argv or TESTS)],
                          cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
