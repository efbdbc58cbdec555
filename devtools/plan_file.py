"""Writes plan.txt: the plan of every unit of one environment, with a header naming it.

ENV=local plans against a private, empty emulator on a free port (so the file shows the
whole stack being created, the same on every machine); dependencies are then the typed
mock_outputs, which is why IDs like vpc-0mock... appear. Any other environment plans
against its real state with the caller's credentials.

The header records a digest of the files the plan was made from (INPUTS); the fast test
tests/iac_static/test_plan_file.py recomputes it, so a change to a module or the live tree that
was not followed by `make plan-file` fails `make test-iac-static` early. What decides is the
plan itself: tests/iac_emulator/test_plan_file.py plans again and compares the bodies
(comparable(): without the header, ids and times that differ between two runs normalised).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from localenv import emulator
from localenv.loopback import free_port
from ops import units

ROOT = Path(__file__).resolve().parent.parent
# Progress lines whose timings differ between runs; the plan itself is deterministic.
INIT_DONE = "has been successfully initialized!"
NOISE = re.compile(r": (Reading\.\.\.|Read complete after .*)$")
# What a plan is made from, as globs from the repository root ({env}: the environment
# planned). The provider and tool pins are in versions.env; this generator shapes the file.
INPUTS = (
    "modules/**/*.tf",
    "live/{env}/**",
    "live/_envcommon/**",
    "monitoring/rules/*.rules.yml",
    "terragrunt.hcl",
    "versions.env",
    "devtools/plan_file.py",
)
DIGEST_LINE = re.compile(r"^# Inputs: sha256:([0-9a-f]{64}) ")
# What may differ between two plans of the same inputs: ids an emulator mints, and times.
VOLATILE = (
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (
        re.compile(r"\b(vpc|subnet|sg|igw|nat|eipalloc|rtb|acl|eni|vpce|fl)-[0-9a-f]{8,17}\b"),
        r"\1-<id>",
    ),
)
ENV_LINE = re.compile(r"^# Environment: (\S+) ")


def versions() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "versions.env").read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.startswith("#"):
            pins[key.strip()] = value.strip()
    return pins


def input_files(env: str, root: Path = ROOT) -> list[str]:
    """The inputs of a plan of `env`: tracked and new files, not git-ignored ones (no
    .terragrunt-cache or state), relative POSIX paths, sorted."""
    result = subprocess.run(
        [
            "git",
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--",
            *(f":(glob){pattern.format(env=env)}" for pattern in INPUTS),
        ],
        cwd=root,
        capture_output=True,
        check=True,
    )
    names = {name for name in result.stdout.decode().split("\0") if name}
    # A tracked file deleted in the work tree is no input any more.
    return sorted(name for name in names if (root / name).is_file())


def inputs_digest(env: str, root: Path = ROOT) -> str:
    """sha256 over each input's path and content (never mtimes or modes), in path order."""
    digest = hashlib.sha256()
    for name in input_files(env, root):
        content = hashlib.sha256((root / name).read_bytes()).hexdigest()
        digest.update(f"{name}\0{content}\n".encode())
    return digest.hexdigest()


def recorded(plan_text: str) -> tuple[str | None, str | None]:
    """The environment and inputs digest a plan.txt header records (None where missing)."""
    env = digest = None
    for line in plan_text.splitlines():
        if not line.startswith("#"):
            break
        if match := ENV_LINE.match(line):
            env = match.group(1)
        if match := DIGEST_LINE.match(line):
            digest = match.group(1)
    return env, digest


def comparable(plan_text: str) -> list[str]:
    """The plan's body (the header records digests and versions, not the plan), line by line,
    with the ids and times that differ between two runs replaced."""
    lines = plan_text.splitlines()
    start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    body = []
    for line in lines[start:]:
        for pattern, replacement in VOLATILE:
            line = pattern.sub(replacement, line)
        body.append(line.rstrip())
    while body and not body[-1]:
        body.pop()
    return body


def tool_version(binary: str, *args: str) -> str:
    result = subprocess.run([binary, *args], capture_output=True, text=True, check=True)
    return result.stdout.strip().splitlines()[0]


def run_unit(terragrunt: str, unit_dir: Path, env: dict[str, str], *tofu_args: str) -> str:
    command = [terragrunt, "run", "--backend-bootstrap", "--working-dir", str(unit_dir), "--"]
    result = subprocess.run(
        [*command, *tofu_args], capture_output=True, text=True, env=env, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"plan-file: {tofu_args[0]} of {unit_dir} failed ({result.returncode})")
    return result.stdout


def plan_unit(terragrunt: str, unit_dir: Path, env: dict[str, str]) -> str:
    plan = run_unit(terragrunt, unit_dir, env, "plan", "-input=false", "-lock=false", "-no-color")
    # terragrunt's automatic init prints first. (A separate `init` cannot run here: the mocks
    # of unapplied dependencies are allowed for validate and plan only.)
    lines = plan.splitlines()
    marker = next((i for i, line in enumerate(lines) if line.endswith(INIT_DONE)), -1)
    return "\n".join(line for line in lines[marker + 1 :] if not NOISE.search(line))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.plan_file", description=__doc__)
    parser.add_argument("--env", default="local")
    parser.add_argument("--terragrunt", required=True)
    parser.add_argument("--tofu", required=True)
    parser.add_argument("--output", type=Path, default=ROOT / "plan.txt")
    args = parser.parse_args(argv)

    live = ROOT / "live" / args.env
    unit_names = units.order(args.terragrunt, live)  # Terragrunt's own DAG: apply order
    pins = versions()
    # Taken before planning: a file edited during the run must leave plan.txt stale.
    digest = inputs_digest(args.env)
    env = dict(os.environ)
    port = None
    with tempfile.TemporaryDirectory(prefix="plan-file-") as scratch:
        env["TG_DOWNLOAD_DIR"] = str(Path(scratch) / "terragrunt-cache")
        env["TG_TF_FORWARD_STDOUT"] = "true"
        if args.env == "local":
            port = free_port()
            endpoint = emulator.endpoint(emulator.DEFAULT_HOST, port)
            env.update(SUMAPI_EMULATOR_ENDPOINT=endpoint, AWS_ENDPOINT_URL=endpoint)
            env["SUMAPI_RUN_DIR"] = str(Path(scratch) / "run")
            os.environ["SUMAPI_RUN_DIR"] = env["SUMAPI_RUN_DIR"]
            if emulator.start(emulator.DEFAULT_HOST, port) != 0:
                return 1
        try:
            plans = [(u, plan_unit(args.terragrunt, live / u, env)) for u in unit_names]
        finally:
            if port is not None:
                emulator.stop(port)

    tofu = tool_version(args.tofu, "version")
    terragrunt = tool_version(args.terragrunt, "--version").split()[-1]
    provider = pins.get("AWS_PROVIDER_VERSION", "?")
    if args.env == "local":
        moto = importlib.metadata.version("moto")  # the emulator that planned: requirements/dev.txt
        what = f"the emulator environment, an empty AWS emulator (moto {moto})"
        source = f"hashicorp/aws {provider} from the offline filesystem mirror (make tools)"
        deps = "dependencies are their typed mock_outputs"
    else:
        what = f"the current state of environment {args.env}, with the caller's credentials"
        source = "hashicorp/aws as each unit's lock file selects"
        deps = "dependencies are read from their state"
    header = [
        f"# plan.txt: what `tofu plan` would change, unit by unit, in {what}.",
        f"# Generated by `make plan-file ENV={args.env}`; do not edit, regenerate it (a test fails"
        " when the inputs below changed since).",
        f"# Environment: {args.env} (live/{args.env}); {deps}",
        f"# Provider: {source}; {tofu}, terragrunt {terragrunt}",
        f"# Units, in dependency order: {', '.join(unit_names)}",
        f"# Inputs: sha256:{digest} ({', '.join(p.format(env=args.env) for p in INPUTS)})",
        "",
    ]
    body: list[str] = []
    for unit, plan in plans:
        body += [f"{'=' * 100}", f"== unit: {unit}", f"{'=' * 100}", plan.strip(), ""]
    args.output.write_text("\n".join(header + body))
    print(f"plan-file: wrote {args.output} ({args.env}: {len(unit_names)} units)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
