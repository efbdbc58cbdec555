"""Runs moto_server with the fixes of localenv.moto_fixes, localenv.moto_identity,
localenv.moto_wafv2 and localenv.moto_budgets applied (same flags as moto_server), and the
emulation of ECS's deployments and ECR's registry (localenv.ecs_emulation,
localenv.ecr_emulation) that the local ECS agent and registry work with; with SUMAPI_CALL_LOG
set, every request is recorded (localenv.call_log)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from moto import server

from localenv import (
    call_log,
    ecr_emulation,
    ecs_emulation,
    moto_budgets,
    moto_fixes,
    moto_identity,
    moto_wafv2,
)


def main(argv: list[str] | None = None) -> None:
    fixed = (moto_fixes, moto_identity, moto_wafv2, moto_budgets)
    for fix in [name for module in fixed for name in module.apply()]:
        print(f"moto fix applied: {fix}", file=sys.stderr, flush=True)
    # After the fixes: the ECS emulation wraps CreateService as the fixes left it.
    for emulation in (*ecs_emulation.apply(), *ecr_emulation.apply()):
        print(f"emulation applied: {emulation}", file=sys.stderr, flush=True)
    log = os.environ.get(call_log.ENV_VARIABLE)
    if log:
        print(call_log.install(Path(log)), file=sys.stderr, flush=True)
    server.main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
