"""Each module's terraform.tfvars.example names exactly the module's variables, and the check
that its values pass the module's validations (make test-tfvars-examples) fails on a bad one.

Required variables come first and every sample value carries a comment (the variable's
description), so the file stays a usable starting point as variables are added or removed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.harness import ROOT
from tests.iac_static.tooling import module_variables, tool

MODULES = sorted(p.parent for p in ROOT.glob("modules/*/variables.tf"))
# A top-level assignment; the lines of a multi-line value are indented or close a bracket.
ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*=")


def example_assignments(example: Path) -> list[tuple[str, bool]]:
    """(name, has a comment right above it) for each top-level assignment, in file order."""
    lines = example.read_text().splitlines()
    found = []
    for index, line in enumerate(lines):
        match = ASSIGNMENT.match(line)
        if match:
            commented = index > 0 and lines[index - 1].startswith("#")
            found.append((match.group(1), commented))
    return found


def test_every_module_has_an_example() -> None:
    assert MODULES, "no module found under modules/"
    missing = [m.name for m in MODULES if not (m / "terraform.tfvars.example").is_file()]
    assert not missing, f"no terraform.tfvars.example in modules/{{{','.join(missing)}}}"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_the_example_names_exactly_the_module_variables(module: Path) -> None:
    example = module / "terraform.tfvars.example"
    variables = module_variables(module)
    names = [name for name, _ in example_assignments(example)]
    where = example.relative_to(ROOT)
    missing = [v for v in variables if v not in names]
    unknown = [n for n in names if n not in variables]
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not missing, f"{where} lacks the variables {missing}: add a sample value for each"
    assert not unknown, f"{where} names {unknown}, which the module does not declare: remove them"
    assert not twice, f"{where} sets {twice} more than once"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.name)
def test_required_variables_come_first_each_with_its_description(module: Path) -> None:
    example = module / "terraform.tfvars.example"
    variables = module_variables(module)
    assignments = example_assignments(example)
    required = [variables.get(name, False) for name, _ in assignments]
    assert required == sorted(required, reverse=True), (
        f"{example.relative_to(ROOT)}: the required variables "
        f"{[v for v, r in variables.items() if r]} must come before the optional ones"
    )
    uncommented = [name for name, commented in assignments if not commented]
    assert not uncommented, (
        f"{example.relative_to(ROOT)}: {uncommented} lack their description as a comment above"
    )


def test_the_parsers_see_what_they_should(tmp_path: Path) -> None:
    """The line scan reads defaults inside blocks and skips the lines of multi-line values."""
    (tmp_path / "variables.tf").write_text(
        'variable "a" {\n  type = string\n}\n\n'
        'variable "b" {\n  type = object({ x = number })\n  default = {\n    x = 1\n  }\n}\n'
        'variable "c" {\n  validation {\n    condition = true\n  }\n}\n'
    )
    assert module_variables(tmp_path) == {"a": True, "b": False, "c": True}
    (tmp_path / "terraform.tfvars.example").write_text(
        '# A\na = "x"\n\nb = {\n  x = 1\n}\n# C\nc = [\n  "y",\n]\n'
    )
    assert example_assignments(tmp_path / "terraform.tfvars.example") == [
        ("a", True),
        ("b", False),
        ("c", True),
    ]


def tfvars_example_check(module: Path, work: Path) -> subprocess.CompletedProcess[str]:
    """The check `make test-tfvars-examples` runs on each module, on this one."""
    return subprocess.run(
        [str(ROOT / "devtools" / "module-check"), "tfvars-example", str(work), str(module)],
        env={**os.environ, "TOFU": tool("TOFU"), "TF_CLI_CONFIG_FILE": tool("TOFURC")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("line", "replacement", "message"),
    [
        (r"^image_tag = .*$", 'image_tag = "latest"', "image_tag must be a valid Docker tag"),
        (r"^max_body_bytes = .*$", "max_body_bytes = 1048577", "max_body_bytes must be"),
        (r"^desired_count = .*$", 'desired_count = "two"', "a number is required"),
    ],
)
def test_the_example_check_fails_on_a_bad_value(
    tmp_path: Path, line: str, replacement: str, message: str
) -> None:
    """compute's example with one value broken, in a copy of the module: the check fails."""
    module = tmp_path / "compute"
    shutil.copytree(ROOT / "modules" / "compute", module)
    example = module / "terraform.tfvars.example"
    assert tfvars_example_check(module, tmp_path / "work").returncode == 0
    text, count = re.subn(line, replacement, example.read_text(), flags=re.MULTILINE)
    assert count == 1, line
    example.write_text(text)
    result = tfvars_example_check(module, tmp_path / "work")
    assert result.returncode == 1, result.stderr
    assert message in " ".join(result.stderr.split()), result.stderr
    assert "terraform.tfvars.example has an invalid value" in result.stderr
