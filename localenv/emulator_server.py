"""Runs moto_server with the fixes of localenv.moto_fixes applied (same flags as moto_server),
and the emulation of ECS's deployments and ECR's registry (localenv.ecs_emulation,
localenv.ecr_emulation) that the local ECS agent and registry work with."""

from __future__ import annotations

import sys

from moto import server

from localenv import ecr_emulation, ecs_emulation, moto_fixes


def main(argv: list[str] | None = None) -> None:
    for fix in moto_fixes.apply():
        print(f"moto fix applied: {fix}", file=sys.stderr, flush=True)
    # After the fixes: the ECS emulation wraps CreateService as the fixes left it.
    for emulation in (*ecs_emulation.apply(), *ecr_emulation.apply()):
        print(f"emulation applied: {emulation}", file=sys.stderr, flush=True)
    server.main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
