"""Saved plans: what a deploy applies is the plan its approver saw, or nothing.

`make saved-plan` has Terragrunt write each unit's plan (`--out-dir`, `--json-out-dir`; its tofu
calls pass through this module's `tofu` command, which keeps the plan's text beside it) and
`summary` turns them into the Markdown the approver reads (the plan job's summary).
`make apply-saved-plan` has Terragrunt apply those files through the same command
(ops/tofu-saved-plans as `--tf-path`): every tofu call passes through untouched except an apply
of a saved plan, which is checked first.

Why a check: `terragrunt run --all apply --out-dir` applies each unit's file as it is, with the
inputs it was planned on. A unit planned before a dependency was applied was planned on that
dependency's mock outputs, and one planned before a dependency changed its outputs on the old
ones: tofu applies either without a word (it checks its own state, not its inputs). So before an
apply of a saved plan, the inputs Terragrunt gives tofu now (its TF_VAR_ variables, dependency
outputs read after the units before it were applied) are compared with the plan's:

- the same: the approved plan is applied;
- different, and the unit had nothing in its state when planned (a new unit, planned on
  placeholders): it is planned again on the real inputs and applied only if that plan creates
  exactly the resources the approved one showed (same addresses, nothing else) -- a first
  deploy is one run, and what it creates is what was approved;
- different otherwise: refused in one line naming the unit and the inputs; nothing is applied.

Stdlib only: the shim runs it with the system's python3, inside Terragrunt's runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PLAN_FILE = "tfplan.tfplan"  # Terragrunt's name in --out-dir
PLAN_JSON = "tfplan.json"  # and in --json-out-dir
# The approver's summary: GitHub keeps 1 MiB of a step summary; each unit's text gets a share.
UNIT_TEXT_LIMIT = 60_000


class RefusedError(Exception):
    """The saved plan is not applied; the message says which unit and why."""


def _show(tofu: str, plan: str, *flags: str) -> str:
    done = subprocess.run(
        [tofu, "show", "-no-color", *flags, plan], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RefusedError(f"tofu show {plan} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def _unit(plan: str) -> str:
    return Path(plan).parent.name


def changed_inputs(plan: dict[str, Any], environ: dict[str, str]) -> list[str]:
    """The plan's variables whose TF_VAR_ value now differs. Terragrunt passes a string input
    as it is and every other value as JSON; a variable it does not pass keeps the plan's."""
    changed = []
    for name, variable in sorted(plan.get("variables", {}).items()):
        now = environ.get(f"TF_VAR_{name}")
        if now is None:
            continue
        planned = variable.get("value")
        if isinstance(planned, str):
            same = now == planned
        else:
            try:
                same = json.loads(now) == planned
            except ValueError:
                same = False
        if not same:
            changed.append(name)
    return changed


def _managed(module: dict[str, Any]) -> bool:
    """The module or one of its children holds a managed resource (data sources, read at plan
    time, are in a prior state too)."""
    return any(r.get("mode") == "managed" for r in module.get("resources", [])) or any(
        _managed(child) for child in module.get("child_modules", [])
    )


def was_empty(plan: dict[str, Any]) -> bool:
    """Nothing was in the unit's state when it was planned."""
    return not _managed((plan.get("prior_state") or {}).get("values", {}).get("root_module", {}))


def creations(plan: dict[str, Any]) -> set[str] | None:
    """The addresses the plan creates, or None when it does anything else (update, replace,
    delete, read of a data source counts as nothing)."""
    created = set()
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if change.get("mode") == "data" or actions == ["no-op"]:
            continue
        if actions != ["create"]:
            return None
        created.add(change["address"])
    return created


def checked_plan(tofu: str, plan: str, environ: dict[str, str]) -> str:
    """The plan file to apply in place of `plan` (itself, or a new unit's plan made again), or
    RefusedError."""
    approved = json.loads(_show(tofu, plan, "-json"))
    changed = changed_inputs(approved, environ)
    if not changed:
        return plan
    unit, names = _unit(plan), ", ".join(changed)
    if not was_empty(approved):
        raise RefusedError(
            f"saved-plan: {unit}: its inputs changed since the approved plan ({names}): a unit "
            "it depends on changed them, or the deploy was given other values; nothing of it "
            "was applied: plan and approve again"
        )
    wanted = creations(approved)
    again = f"{plan}.replanned"
    done = subprocess.run(
        [tofu, "plan", "-input=false", "-no-color", f"-out={again}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RefusedError(
            f"saved-plan: {unit}: planning the new unit again failed:\n{done.stdout}{done.stderr}"
        )
    replanned = json.loads(_show(tofu, again, "-json"))
    now = creations(replanned)
    if wanted is None or now != wanted:
        extra = sorted((now or set()) - (wanted or set()))
        missing = sorted((wanted or set()) - (now or set()))
        raise RefusedError(
            f"saved-plan: {unit}: a new unit planned on its dependencies' placeholders; on "
            f"their real outputs ({names}) it would not create exactly what was approved "
            f"(more: {extra or 'none'}; fewer: {missing or 'none'}"
            f"{'; it also changes existing resources' if now is None else ''}): nothing of it "
            "was applied: plan and approve again"
        )
    print(
        f"saved-plan: {unit}: new unit, planned on placeholders of {names}; planned again on "
        f"the real values: the same {len(now)} resources, created as approved",
        file=sys.stderr,
    )
    return again


def tofu(argv: list[str]) -> int:
    """tofu with `argv`, an apply of a saved plan checked first (module docstring)."""
    binary = os.environ.get("SAVED_PLAN_TOFU", "")
    if not binary:
        print("saved-plan: SAVED_PLAN_TOFU (the tofu binary) is not set", file=sys.stderr)
        return 2
    out = [a[len("-out=") :] for a in argv if a.startswith("-out=")]
    if argv[:1] == ["plan"] and out:
        # The approver's text of the plan, next to the file (summary reads it).
        code = subprocess.run([binary, *argv], check=False).returncode
        if code == 0:
            (Path(out[0]).parent / "plan.txt").write_text(_show(binary, out[0]))
        return code
    if argv[:1] == ["apply"] and argv[-1].endswith(PLAN_FILE):
        try:
            argv = [*argv[:-1], checked_plan(binary, argv[-1], dict(os.environ))]
        except RefusedError as refused:
            print(str(refused), file=sys.stderr)
            return 1
    os.execv(binary, [binary, *argv])  # noqa: S606 - tofu itself, with the caller's arguments


def _counts(plan: dict[str, Any]) -> dict[str, int]:
    counts = {"add": 0, "change": 0, "destroy": 0}
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if change.get("mode") == "data":
            continue
        if "create" in actions:
            counts["add"] += 1
        if "delete" in actions:
            counts["destroy"] += 1
        if actions == ["update"]:
            counts["change"] += 1
    return counts


def summary(plan_dir: Path, title: str) -> str:
    """Markdown for the approver: per unit its counts and the plan as tofu shows it."""
    units = sorted(p.parent for p in plan_dir.rglob(PLAN_FILE))
    if not units:
        raise RefusedError(f"saved-plan: {plan_dir} holds no saved plan ({PLAN_FILE})")
    rows, details = [], []
    for unit in units:
        name = unit.relative_to(plan_dir).as_posix()
        plan = json.loads((unit / PLAN_JSON).read_text())
        counts = _counts(plan)
        outputs = any(c["actions"] != ["no-op"] for c in plan.get("output_changes", {}).values())
        note = ""
        if was_empty(plan) and counts["add"]:
            note = (
                "new: outputs of dependencies not yet applied are placeholders here; the apply "
                "plans it again on the real ones and applies it only if it creates exactly these"
            )
        elif not any(counts.values()) and not outputs:
            note = "no changes"
        rows.append(
            f"| {name} | {counts['add']} | {counts['change']} | {counts['destroy']} | {note} |"
        )
        text = (unit / "plan.txt").read_text() if (unit / "plan.txt").exists() else ""
        if len(text) > UNIT_TEXT_LIMIT:
            text = text[:UNIT_TEXT_LIMIT] + "\n... (cut: the whole plan is in the run's artifact)"
        details.append(
            f"<details><summary>{name}</summary>\n\n```text\n{text.rstrip()}\n```\n\n</details>"
        )
    return "\n".join(
        [
            f"## {title}",
            "",
            "The deploy job applies these plans and nothing else: a unit whose inputs changed "
            "since is refused (docs/delivery.md, *Saved plans*).",
            "",
            "| unit | add | change | destroy | |",
            "| --- | ---: | ---: | ---: | --- |",
            *rows,
            "",
            *details,
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["tofu"]:
        return tofu(args[1:])
    parser = argparse.ArgumentParser(prog="python -m ops.saved_plan")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("summary", help="Markdown of the saved plans in PLAN_DIR")
    show.add_argument("plan_dir", type=Path)
    show.add_argument("--title", required=True)
    parsed = parser.parse_args(args)
    try:
        print(summary(parsed.plan_dir, parsed.title))
    except RefusedError as refused:
        print(str(refused), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
