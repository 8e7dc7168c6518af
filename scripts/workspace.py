"""A learner's own copy of the exercise versions, in workspace/: added when new, never overwritten once edited.

    python scripts/workspace.py                    # create or update workspace/ (make start does this)
    python scripts/workspace.py --fresh 02_neuron  # a fresh copy; yours is kept as 02_neuron.mine-<time>.ipynb

A manifest (workspace/.course-manifest.json) records the hash of what was generated. A notebook that
still has that hash is the learner's untouched copy and follows course updates; one with any other
hash has the learner's work in it and is left alone. A deleted notebook is generated again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.make_exercise_version import exercise_version  # noqa: E402
from tests.notebook_tools import notebook_paths  # noqa: E402

MANIFEST = ".course-manifest.json"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def learner_text(path: Path) -> str:
    """The learner version of one course notebook, as the text written to the workspace."""
    return nbformat.writes(exercise_version(nbformat.read(path, as_version=4)))


def sync(workspace: Path, sources: list[Path] | None = None) -> dict[str, list[str]]:
    """Add new and untouched notebooks to ``workspace``; report the ones kept because the learner edited them."""
    sources = notebook_paths() if sources is None else sources
    manifest_path = workspace / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    report: dict[str, list[str]] = {"added": [], "updated": [], "kept": [], "newer": []}
    for source in sources:
        name = f"{source.parent.name}/{source.name}"
        target = workspace / name
        text = learner_text(source)
        new_hash = _digest(text.encode())
        if target.exists():
            current = _digest(target.read_bytes())
            if current != manifest.get(name):  # the learner's work: never touched
                report["kept"].append(name)
                if new_hash != manifest.get(name):
                    report["newer"].append(name)
                continue
            if current == new_hash:
                continue
            report["updated"].append(name)
        else:
            report["added"].append(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode())
        manifest[name] = new_hash
    workspace.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return report


def fresh_copy(workspace: Path, notebook: str) -> tuple[Path, Path | None]:
    """A fresh learner version of one notebook; the learner's copy is renamed, never deleted."""
    matches = [p for p in notebook_paths() if p.stem == Path(notebook).stem or p.name == Path(notebook).name]
    if not matches:
        raise SystemExit(f"no course notebook called {notebook!r} (try e.g. 02_neuron)")
    source = matches[0]
    target = workspace / source.parent.name / source.name
    kept = None
    if target.exists():
        kept = target.with_name(f"{target.stem}.mine-{time.strftime('%Y%m%d-%H%M%S')}.ipynb")
        target.rename(kept)
    sync(workspace, [source])
    return target, kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", type=Path, default=ROOT / "workspace")
    parser.add_argument("--fresh", metavar="NOTEBOOK", help="replace one notebook by a fresh copy (yours is kept)")
    args = parser.parse_args()
    if args.fresh:
        target, kept = fresh_copy(args.workspace, args.fresh)
        print(f"fresh copy: {target}" + (f" (yours is now {kept.name})" if kept else ""))
        return 0
    report = sync(args.workspace)
    for name in report["added"]:
        print(f"workspace: added {name}")
    for name in report["updated"]:
        print(f"workspace: updated {name} (you had not changed it)")
    for name in report["newer"]:
        print(f"workspace: kept your {name}; the course has a newer version: "
              f"make fresh-copy NB={Path(name).stem} (keeps yours as a .mine copy)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
