"""The layers import downwards only: ops/ (what an operator runs against a real account) uses
nothing of localenv/ (the local stand-ins for AWS), and bench/ (the figures of make bench) uses
nothing of tests/. A Python import, a `python -m`, a PYTHONPATH or a path in a script counts.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.harness import ROOT

# (layer, the package it must not use)
BOUNDARIES = [("ops", "localenv"), ("bench", "tests")]


def imported_modules(tree: ast.AST) -> set[str]:
    """Every absolute module an import statement, importlib.import_module or __import__ names."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id == "__import__")
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring constants (prose may name any package)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def mentions(package: str) -> re.Pattern[str]:
    """`package` as a module (`-m package.x`, `package.x`) or a path (`package/`, PYTHONPATH)."""
    return re.compile(rf"(?<![\w./-]){package}(?=[./:\s\"']|$)")


def uses_in_python(path: Path, package: str) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = [
        f"import {name}"
        for name in sorted(imported_modules(tree))
        if name == package or name.startswith(f"{package}.")
    ]
    # Strings handed to a subprocess: ["python", "-m", "package.x"], PYTHONPATH values, paths.
    skip = docstrings(tree)
    pattern = mentions(package)
    found += [
        f"line {node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and pattern.search(node.value)
    ]
    return found


def uses_in_script(path: Path, package: str) -> list[str]:
    pattern = mentions(package)
    return [
        f"line {number}: {line.strip()}"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if not line.lstrip().startswith("#") and pattern.search(line)
    ]


def layer_files(layer: str) -> list[Path]:
    """The layer's Python modules and its scripts (a #! line); Go, Lua and data are not read."""
    files = []
    for path in sorted((ROOT / layer).rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        if path.suffix in {".py", ".sh"} or path.read_bytes()[:2] == b"#!":
            files.append(path)
    return files


@pytest.mark.parametrize(("layer", "package"), BOUNDARIES)
def test_a_layer_uses_nothing_of_the_package_below_it_may_not_see(layer: str, package: str) -> None:
    files = layer_files(layer)
    assert any(path.suffix == ".py" for path in files), f"{layer}/ has no Python module to read"
    uses = {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := (uses_in_python if path.suffix == ".py" else uses_in_script)(path, package))
    }
    assert not uses, f"{layer}/ uses {package}/: {uses}"


@pytest.mark.parametrize(
    ("source", "suffix"),
    [
        ("from localenv.loopback import free_port\n", ".py"),
        ("import localenv.emulator as emulator\n", ".py"),
        ("import importlib\nimportlib.import_module('localenv.ecs')\n", ".py"),
        ("import subprocess\nsubprocess.run(['python', '-m', 'localenv.registry'])\n", ".py"),
        ('#!/bin/bash\n"$PY" -m localenv.emulator start\n', ""),
        ("#!/bin/bash\nPYTHONPATH=localenv python3 -c 'import x'\n", ""),
        ("#!/bin/sh\n. localenv/run-local\n", ""),
    ],
)
def test_the_check_sees_each_way_of_using_a_package(
    tmp_path: Path, source: str, suffix: str
) -> None:
    path = tmp_path / f"tool{suffix}"
    path.write_text(source)
    read = uses_in_python if suffix == ".py" else uses_in_script
    assert read(path, "localenv"), source


def test_prose_and_longer_names_are_not_uses(tmp_path: Path) -> None:
    path = tmp_path / "tool.py"
    path.write_text(
        '"""Runs against AWS; its local stand-ins live in localenv/."""\n'
        "import mylocalenv\n"
        "HELP = 'see unit_tests.txt'\n"
    )
    assert not uses_in_python(path, "localenv")
    assert not uses_in_python(path, "tests")
