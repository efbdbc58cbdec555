"""The Prometheus rules and the runbook agree with what the service really exports.

promtool's unit tests (monitoring/tests/) prove the alert logic on synthetic series; these
tests prove the synthetic series are the real ones: every metric, label value and bucket
the rules read is present on the running service's /metrics, and every alert links to a
runbook section that exists.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from tests.harness import ROOT
from tests.harness.processes import running_service

RULES = sorted((ROOT / "monitoring" / "rules").glob("*.rules.yml"))
RUNBOOK = ROOT / "docs" / "runbook.md"
OBSERVABILITY_MODULE = ROOT / "modules" / "observability" / "main.tf"


def _rules() -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for path in RULES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            rules.extend(group["rules"])
    return rules


def _github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@pytest.fixture(scope="module")
def exposition(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """/metrics of the real service after a success, a client error and a 404."""
    with running_service(tmp_path_factory.mktemp("service")) as service:
        base = service.url
        for body in (b'{"a": 1, "b": 2}', b'{"a": "x"}'):
            request = urllib.request.Request(  # noqa: S310 - loopback
                f"{base}/api/v1/sum",
                data=body,
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            try:
                urllib.request.urlopen(request, timeout=5).close()  # noqa: S310
            except urllib.error.HTTPError as error:
                error.close()
        with urllib.request.urlopen(f"{base}/metrics", timeout=5) as response:  # noqa: S310
            yield response.read().decode()


def test_rule_files_exist() -> None:
    assert RULES, "no monitoring/rules/*.rules.yml"


def test_every_metric_the_rules_read_is_exported(exposition: str) -> None:
    exported = {line.split("{")[0].split(" ")[0] for line in exposition.splitlines()}
    read = {name for rule in _rules() for name in re.findall(r"\b(sumapi_[a-z_]+)\b", rule["expr"])}
    assert read, "the rules read no sumapi_ series"
    assert read <= exported, f"rules read series the service does not export: {read - exported}"


def test_api_requests_carry_the_labels_the_slis_select(exposition: str) -> None:
    # The SLIs select route=~"/api/v1/.+" and status=~"5.."; the latency SLI needs le="0.25".
    assert re.search(
        r'^sumapi_http_requests_total\{[^}]*route="/api/v1/sum"[^}]*status="200"',
        exposition,
        re.M,
    ) or re.search(
        r'^sumapi_http_requests_total\{[^}]*status="200"[^}]*route="/api/v1/sum"',
        exposition,
        re.M,
    ), exposition
    assert re.search(
        r'^sumapi_http_request_duration_seconds_bucket\{(?=[^}]*le="0\.25")'
        r'(?=[^}]*route="/api/v1/sum")',
        exposition,
        re.M,
    ), "the latency SLI's 250 ms bucket is missing"


def test_client_errors_are_counted_apart_from_server_errors(exposition: str) -> None:
    statuses = set(re.findall(r'status="(\d{3})"', exposition))
    assert "200" in statuses
    assert any(s.startswith("4") for s in statuses), statuses
    assert not any(s.startswith("5") for s in statuses), "a 5xx while the service was healthy"


def test_every_alert_links_to_an_existing_runbook_section() -> None:
    anchors = {
        _github_anchor(line.lstrip("#"))
        for line in RUNBOOK.read_text().splitlines()
        if line.startswith("#")
    }
    alerts = [rule for rule in _rules() if "alert" in rule]
    assert alerts
    for rule in alerts:
        url = rule["annotations"]["runbook_url"]
        page, _, anchor = url.partition("#")
        assert page == "docs/runbook.md", url
        assert anchor in anchors, f"{rule['alert']}: no heading for #{anchor} in {RUNBOOK.name}"


def test_every_cloudwatch_alarm_has_a_runbook_section() -> None:
    suffixes = re.findall(
        r'alarm_name\s*=\s*"\$\{var\.name\}-([a-z0-9-]+)"', OBSERVABILITY_MODULE.read_text()
    )
    assert suffixes, f"no alarm_name found in {OBSERVABILITY_MODULE}"
    headings = [line for line in RUNBOOK.read_text().splitlines() if line.startswith("### ")]
    for suffix in suffixes:
        assert f"### `<name>-{suffix}`" in headings, f"runbook has no section for <name>-{suffix}"


def test_every_alert_says_how_urgent_it_is() -> None:
    for rule in _rules():
        if "alert" in rule:
            assert rule["labels"]["severity"] in {"page", "ticket"}, json.dumps(rule)
