"""Grading with the exercise checks: points, and answers that borrow an implementation instead of writing one.

Both graders (``scripts/grade.py`` and the nbgrader course that ``scripts/nbgrader_course.py`` writes)
import the instructor's copy of the package fresh inside the learner's kernel and call
:func:`grade` once per exercise. An answer that *is* a helper or library function, or whose code
calls the helper of the same name, a name its module lists in ``NOT_ALLOWED``, or the checks
themselves, gets 0 points and a flag saying why.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types
from typing import Any, Callable

from utils.checks import Result

CANONICAL = {"tensorflow": "tf", "numpy": "np"}  # spelled as NOT_ALLOWED spells them
# an answer that *is* a function of these packages was imported, not written
LIBRARIES = {"utils", "numpy", "tensorflow", "keras", "scipy", "sklearn", "torch", "jax", "skimage", "math"}


def exercise_names(module: types.ModuleType) -> list[str]:
    """Names of the exercises a checks module grades (its ``evaluate_*`` without the prefix), in order."""
    found = []
    for name, value in vars(module).items():
        inner = getattr(value, "__wrapped__", value)
        if name.startswith("evaluate_") and getattr(inner, "__module__", "") == module.__name__:
            found.append((inner.__code__.co_firstlineno, name.removeprefix("evaluate_")))
    return [name for _, name in sorted(found)]


def canonical(dotted: str) -> str:
    """A dotted name as NOT_ALLOWED spells it: ``tensorflow.keras.losses.MSE`` -> ``keras.losses.MSE``."""
    parts = dotted.split(".")
    parts[0] = CANONICAL.get(parts[0], parts[0])
    if parts[:2] == ["tf", "keras"]:
        parts = parts[1:]
    return ".".join(parts)


def matches(dotted: str, banned: str) -> bool:
    """Whether ``banned``'s components appear, in a row, in ``dotted`` (``losses.mse`` in ``utils.training.losses.mse``)."""
    have, want = canonical(dotted).split("."), canonical(banned).split(".")
    return any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1))


def _qualified(value: Any) -> str | None:
    """The dotted name of a module, or of a function or class by its module; None for plain data."""
    if isinstance(value, types.ModuleType):
        return value.__name__
    module = getattr(value, "__module__", None)
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if isinstance(module, str) and isinstance(name, str) and module not in ("__main__", "builtins"):
        return f"{module}.{name}"
    return None


def _chains(tree: ast.AST) -> list[list[str]]:
    """Every ``a.b.c`` chain (and bare name) the code reads, outermost first."""
    chains = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            parts, inner = [node.attr], node.value
            while isinstance(inner, ast.Attribute):
                parts.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name):
                chains.append([inner.id] + parts[::-1])
        elif isinstance(node, ast.Name):
            chains.append([node.id])
    return chains


def _local_imports(tree: ast.AST) -> dict[str, str]:
    """Names bound by import statements inside the code, mapped to what they import."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def used_names(function: Callable[..., Any], _seen: set[int] | None = None) -> list[str]:
    """Dotted names of the modules, functions and classes a learner's function uses, resolved in its globals.

    Functions of the learner's own that it calls are followed, so a helper of theirs that calls a
    library does not hide the call.
    """
    seen = set() if _seen is None else _seen
    if id(function) in seen or not isinstance(function, types.FunctionType):
        return []
    seen.add(id(function))
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):  # no source: fall back on the names the byte code reads
        tree = ast.Module(body=[ast.Expr(ast.Name(n)) for n in function.__code__.co_names], type_ignores=[])
    imports = _local_imports(tree)
    names: list[str] = [f"import {target}" for target in imports.values()]
    for chain in _chains(tree):
        head = chain[0]
        if head in imports:
            names.append(".".join([imports[head]] + chain[1:]))
            continue
        if head not in function.__globals__:
            continue
        value = function.__globals__[head]
        if isinstance(value, types.FunctionType) and value.__module__ == function.__module__:
            names += used_names(value, seen)  # the learner's own helper: look inside it
            continue
        base = _qualified(value)
        if base is not None:
            names.append(".".join([base] + chain[1:]))
    return names


def borrowed(answer: Any, module: types.ModuleType, name: str) -> list[str]:
    """Why ``answer`` is not the learner's own implementation of exercise ``name`` (empty: it is)."""
    if not callable(answer):
        return []
    if not isinstance(answer, types.FunctionType) or str(answer.__module__).split(".")[0] in LIBRARIES:
        origin = _qualified(answer) or type(answer).__name__
        return [f"`{name}` is {canonical(origin)}, not a function written in the notebook"]
    banned = tuple(getattr(module, "NOT_ALLOWED", {}).get(name, ()))
    flags = []
    names = list(dict.fromkeys(used_names(answer)))
    names = [n for n in names if not any(other.startswith(n.removeprefix("import ") + ".") for other in names)]
    for dotted in names:  # the longest names only: utils.x.f, not also utils.x
        target = dotted.removeprefix("import ")
        if target.startswith(("utils.exercises", "utils.checks")):
            flags.append(f"`{name}` uses the checks' own code ({target})")
        elif target.startswith("utils.") and target.split(".")[-1] == name:
            flags.append(f"`{name}` calls the helper package's {target} instead of implementing it")
        elif any(matches(target, b) for b in banned):
            flags.append(f"`{name}` calls {canonical(target)}, which the exercise asks you to write yourself")
        elif dotted.startswith("import utils"):
            flags.append(f"`{name}` imports {target} from the helper package")
    return flags


def grade(module: types.ModuleType, name: str, *args: Any) -> dict[str, Any]:
    """Run exercise ``name``'s check on the learner's objects: points, max points, message and flags."""
    evaluate = getattr(module, f"evaluate_{name}")
    result: Result = evaluate(*args)
    flags = borrowed(args[0], module, name) if args else []
    points = 0.0 if flags else float(result.points)
    return {"exercise": name, "points": points, "max_points": float(result.max_points),
            "passed": bool(result.passed) and not flags, "message": str(result.message), "flags": flags}


def exercise_points(module: types.ModuleType, name: str) -> float:
    """Points exercise ``name`` is worth: its entry in the module's ``POINTS`` (1 when none)."""
    return float(getattr(module, "POINTS", {}).get(name, 1))
