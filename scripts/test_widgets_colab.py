"""Run the explorer and animation tests on Colab's widget stack (ipywidgets 7.7, IPython 7.34).

    python scripts/test_widgets_colab.py [pytest arguments]

A small virtual environment (``build/widgets-colab/``, Python ``COLAB_PYTHON``, default python3.12)
holds Colab's versions of ipywidgets, IPython, ipykernel, NumPy, matplotlib, pandas, scikit-learn
and scikit-image, taken from ``tests/colab/constraints.txt`` (the one place they are written), plus
pytest; no TensorFlow. It is rebuilt only when that file changes. The tests import the helper
package from this working tree. Exits with pytest's status.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "tests" / "colab" / "constraints.txt"
VENV = Path(os.environ.get("WIDGETS_COLAB_VENV", ROOT / "build" / "widgets-colab"))
PACKAGES = ("ipywidgets", "ipython", "ipykernel", "numpy", "matplotlib", "pandas", "scikit-learn", "scikit-image")
TESTS = ["tests/test_explorers.py", "tests/test_widgets_animation.py"]


def pins() -> list[str]:
    """Colab's ``name==version`` lines for the packages the widget tests need."""
    lines = [line.split("#", 1)[0].strip() for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines()]
    found = [line for line in lines if line and line.split("==")[0].strip().lower() in PACKAGES]
    missing = set(PACKAGES) - {line.split("==")[0].strip().lower() for line in found}
    if missing:
        raise SystemExit(f"{CONSTRAINTS.relative_to(ROOT)} lists no version of {sorted(missing)}")
    return found


def python_for_venv() -> str:
    """``COLAB_PYTHON``, else python3.12, else this Python."""
    for candidate in (os.environ.get("COLAB_PYTHON"), "python3.12", sys.executable):
        if candidate and subprocess.run([candidate, "--version"], capture_output=True).returncode == 0:
            return candidate
    return sys.executable


def ensure_environment() -> Path:
    """Create the environment, or reuse it when it was built from the same constraints."""
    python = VENV / "bin" / "python"
    digest = hashlib.sha256(CONSTRAINTS.read_bytes()).hexdigest()
    marker = VENV / ".constraints-sha256"
    if python.exists() and marker.exists() and marker.read_text() == digest:
        return python
    if not python.exists():
        subprocess.run([python_for_venv(), "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *pins(), "pytest"], check=True)
    marker.write_text(digest)
    return python


def main(argv: list[str]) -> int:
    python = ensure_environment()
    version = subprocess.run([str(python), "-c", "import ipywidgets, IPython; print(ipywidgets.__version__, "
                              "IPython.__version__)"], capture_output=True, text=True, check=True).stdout.split()
    print(f"widget tests on ipywidgets {version[0]}, IPython {version[1]} ({python})")
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    return subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *(argv or TESTS)],
                          cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
