"""The helper package installs with its sub-packages and its data (what Colab's pip install gets)."""

import subprocess
import sys
import zipfile

from tests.notebook_tools import ROOT


def test_wheel_contains_code_and_data(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(ROOT), "-w", str(tmp_path)],
        check=True, capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("utils/__init__.py", "utils/checks.py", "utils/exercises/__init__.py",
                     "utils/exercises/nb02_neuron.py", "utils/vision/boxes.py", "utils/data/mnist_subset.npz", "utils/data/README.md"):
        assert required in names, f"{required} missing from the wheel"
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "utils").rglob("*.py")}
    assert modules <= names, f"modules missing from the wheel: {sorted(modules - names)}"
