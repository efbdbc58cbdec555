"""The make layer: one file per concern, the shared settings read first, and `make help` shows
every target a person may type, with its description, under the name of its file's concern.

What a person may type is read from make's own database (`make -pRrq`), not from the files' text:
the phony targets. Files and stamps (.tools/stamps/..., the venv) are not phony. The one
exception is a prerequisite group: a phony target with no recipe and no description that other
targets list as a prerequisite (unit-outputs: what reading a unit's outputs needs), which is never
typed. A recipe-less target with a description (tools, pictures) is a command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from tests.harness import ROOT
from tests.iac_static.tooling import make

MAKE_FILES = [ROOT / "Makefile", *sorted((ROOT / "mk").glob("*.mk"))]
# The headings of `make -p`'s database.
SECTIONS = {
    "# Variables",
    "# Files",
    "# Directories",
    "# Implicit Rules",
    "# Pattern-specific Variable Values",
    "# VPATH Search Paths",
    "# files hash-table stats:",
}
HELP_ENTRY = re.compile(r"^  (\S+)\s+(.*)$")


@dataclass
class Rule:
    prerequisites: list[str]
    phony: bool = False
    recipe: bool = False


@dataclass
class Database:
    variables: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)


@cache
def database() -> Database:
    """make's database after reading the makefiles (-p), running nothing (-q, no built-ins)."""
    result = make("-pRrq", "help")
    assert "# Files" in result.stdout, result.stderr
    db = Database()
    section = ""
    current: Rule | None = None
    not_a_target = False
    for line in result.stdout.splitlines():
        if line in SECTIONS or line.startswith("# Finished"):
            section, current = line, None
        elif section == "# Variables":
            match = re.match(r"^(\S+) :?= ?(.*)$", line)
            if match:
                db.variables[match.group(1)] = match.group(2)
        elif section == "# Files":
            if line == "# Not a target:":
                not_a_target = True
            elif not line:
                current, not_a_target = None, False
            elif line.startswith("#  Phony target") and current:
                current.phony = True
            elif line.startswith("#  recipe to execute") and current:
                current.recipe = True
            elif not line.startswith(("#", "\t")) and ":" in line and not not_a_target:
                name, _, prerequisites = line.partition(":")
                current = db.rules.setdefault(name, Rule(prerequisites.split()))
    return db


def commands() -> dict[str, Rule]:
    """The phony targets a person may type (every phony target but the prerequisite groups)."""
    rules = database().rules
    needed = {p for rule in rules.values() for p in rule.prerequisites}
    described = descriptions()
    return {
        name: rule
        for name, rule in rules.items()
        if rule.phony
        and not name.startswith(".")
        and not (not rule.recipe and name in needed and name not in described)
    }


def descriptions() -> dict[str, str]:
    """target -> the text after `## ` on its rule line, in the file that defines it."""
    found: dict[str, str] = {}
    for path in MAKE_FILES:
        for line in path.read_text().splitlines():
            match = re.match(r"^([a-zA-Z][\w-]*):[^=].*?## (.*)$", line)
            if match:
                assert match.group(1) not in found, f"{match.group(1)} is described twice"
                found[match.group(1)] = match.group(2).strip()
    return found


def help_groups() -> dict[str, dict[str, str]]:
    """`make help` as {group title: {target: description}}."""
    result = make("help")
    assert result.returncode == 0, result.stderr
    groups: dict[str, dict[str, str]] = {}
    title = None
    for line in result.stdout.splitlines():
        entry = HELP_ENTRY.match(line)
        if entry:
            assert title is not None, f"a target outside any group: {line}"
            groups[title][entry.group(1)] = entry.group(2)
        elif line.strip():
            assert line.endswith(":"), f"not a group title: {line!r}"
            title = line[:-1]
            assert title.strip(), "a group without a name"
            assert title not in groups, f"two groups are named {title!r}"
            groups[title] = {}
    return groups


def test_the_database_knows_the_commands_and_the_groups_it_leaves_out() -> None:
    """The reading of make's database is right: known commands in, known groups and files out."""
    found = commands()
    assert {"help", "test", "run", "bench", "deploy", "tools", "test-iac-static"} <= set(found)
    assert {"unit-outputs", "infra-prereqs"}.isdisjoint(found)
    assert not any("/" in name for name in found), sorted(found)


def test_every_command_is_in_make_help_with_its_description() -> None:
    described = descriptions()
    listed = {target: text for group in help_groups().values() for target, text in group.items()}
    undescribed = sorted(set(commands()) - set(described))
    assert not undescribed, f"phony targets without a `## ` description: {undescribed}"
    missing = {name: text for name, text in described.items() if listed.get(name) != text}
    assert not missing, f"described but not shown by make help as described: {missing}"


def test_each_make_file_names_its_concern_and_help_groups_by_it() -> None:
    groups = help_groups()
    described = descriptions()
    for path in MAKE_FILES:
        first = path.read_text().splitlines()[0]
        concern = re.sub(r"[:.].*", "", first.removeprefix("# "))
        assert first.startswith("# "), f"{path.name}: line 1 is not a comment"
        assert concern.strip(), f"{path.name}: line 1 names no concern"
        text = path.read_text()
        own = [name for name in described if re.search(rf"^{re.escape(name)}:", text, re.M)]
        if own:
            assert concern in groups, f"{path.name}'s group {concern!r} is not in make help"
            assert set(own) == set(groups[concern]), (path.name, own, groups[concern])


def test_the_shared_settings_are_read_before_every_other_make_file() -> None:
    read = database().variables["MAKEFILE_LIST"].split()
    files = [name for name in read if name.startswith("mk/")]
    assert files[0] == "mk/common.mk", read
    assert read.index("versions.env") < read.index(files[1]), read
    assert database().variables["ROOT"] == str(ROOT), "ROOT is not the checkout"
