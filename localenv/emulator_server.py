"""Runs moto_server with the fixes of localenv.moto_fixes, localenv.moto_wafv2 and
localenv.moto_budgets applied (same flags as moto_server)."""

from __future__ import annotations

import sys

from moto import server

from localenv import moto_budgets, moto_fixes, moto_wafv2


def main(argv: list[str] | None = None) -> None:
    for fix in [*moto_fixes.apply(), *moto_wafv2.apply(), *moto_budgets.apply()]:
        print(f"moto fix applied: {fix}", file=sys.stderr, flush=True)
    server.main(argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    main()
