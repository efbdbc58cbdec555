"""The dashboard (monitoring/consoles/sumapi.html) as Prometheus serves it from the stack.

It renders (a template error is a 500), every link on it is a page of the Prometheus serving
it that answers (no link to a pager nobody configured, nor to a console page not installed),
and the rule files are named by their repository path, not a machine's (the alerts page, in
the README's pictures, shows that name).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from localenv.observe import DASHBOARD, Ports, stack
from tests.harness.loopback import free_port


def test_dashboard_renders_links_only_to_pages_that_answer_and_names_no_local_path(
    tmp_path: Path,
) -> None:
    ports = Ports(
        gateway=free_port(), app=free_port(), exporter=free_port(), prometheus=free_port()
    )
    with stack(ports, tmp_path / "observe", rules_factor=60, interval="1s") as running:
        page = requests.get(f"{running.prometheus}{DASHBOARD}", timeout=30)
        assert page.status_code == 200, page.text[-500:]
        assert "sumapi" in page.text
        links = set(re.findall(r'href="([^"#]*)', page.text)) - {""}
        assert links, page.text
        for link in links:
            url = urljoin(page.url, html.unescape(link))
            assert urlsplit(url).netloc == urlsplit(running.prometheus).netloc, link
            assert requests.get(url, timeout=30).status_code == 200, link

        groups = requests.get(f"{running.prometheus}/api/v1/rules", timeout=30).json()
        files = {group["file"] for group in groups["data"]["groups"]}
    assert files == {"monitoring/rules/sumapi-slo.rules.yml"}, files
