"""Scans IAM policy documents with cloudsplaining; prints its findings as JSON.

    .tools/iam-analyser/bin/python devtools/iam-analyser/scan.py < policies.json

Input: {"<policy name>": <policy document>, ...}. Output: {"<policy name>": {"<finding>":
[actions or methods], ...}} for the findings that matter here: PrivilegeEscalation,
ResourceExposure, DataExfiltration and CredentialsExposure. Statements with resource ARNs are
scanned too (cloudsplaining's --flag-all-risky-actions): almost every right of this project is
scoped to its names, and a scoped escalation is still one; each finding needs a written reason
(devtools/iam-analyser/reasons.yml, checked by tests/containers).

Runs in the analyser's own venv (make iam-tools), not the project's: it pins other versions of
boto3 and policy_sentry's IAM database.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from cloudsplaining.command.scan_policy_file import scan_policy  # type: ignore[import-not-found]

FINDINGS = ("PrivilegeEscalation", "ResourceExposure", "DataExfiltration", "CredentialsExposure")


def actions_of(finding: Any) -> list[str]:
    found: list[str] = []
    for item in finding.get("findings", []) if finding else []:
        if isinstance(item, dict):  # privilege escalation: a method and the actions it needs
            found.append(f"{item.get('type')}({', '.join(sorted(item.get('actions', [])))})")
        else:
            found.append(str(item))
    return sorted(found)


def main() -> int:
    policies: dict[str, Any] = json.load(sys.stdin)
    report: dict[str, dict[str, list[str]]] = {}
    for name, document in sorted(policies.items()):
        results = scan_policy(
            document,
            exclusions_config={},
            flag_conditional_statements=True,
            flag_resource_arn_statements=True,
        )
        findings = {kind: actions_of(results.get(kind)) for kind in FINDINGS}
        report[name] = {kind: actions for kind, actions in findings.items() if actions}
    json.dump(report, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
