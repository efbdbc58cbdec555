"""The API clients of the gateway the policy tests share, one per test concern, so the
rate-limit bucket of one test never leaks into another."""

from __future__ import annotations

from dataclasses import dataclass

# Room for every test's unauthenticated requests from 127.0.0.1 (the per-IP test uses its own
# address): a 429 there would make an unrelated test fail.
UNAUTH_BURST = 30


@dataclass(frozen=True)
class Keys:
    alpha: str
    alpha_next: str  # alpha's second live key, as during a rotation
    beta: str
    limited: str  # the only client the 429 test spends its budget on
    tester: str  # a high-rate client, for tests that send many requests

    def api_keys(self) -> str:
        return ",".join(
            [
                f"alpha:{self.alpha}",
                f"alpha:{self.alpha_next}",
                f"beta:{self.beta}",
                f"limited:{self.limited}",
                f"tester:{self.tester}",
            ]
        )
