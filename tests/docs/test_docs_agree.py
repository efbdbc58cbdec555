"""The Markdown agrees with the repository and with itself (make lint-docs).

Every relative link and every repository path it names exists (a git-ignored path is made by a
command and passes), every `make X` it shows is a target, and a short list of facts is stated
the same way wherever it appears: each fact's expected value is read from its one home in the
code, never written here again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sumapi.config import Config
from tests.docs.markdown import Document, documents, ignored, tracked_files
from tests.harness import ROOT

DOCUMENTS = documents()
MAKEFILES = [ROOT / "Makefile", *sorted((ROOT / "mk").glob("*.mk"))]
RULE = re.compile(r"^([a-zA-Z][\w-]*)\s*:(?!=)", re.MULTILINE)
# Top-level directories a path may start with: the repository's, and what commands make.
TOP_DIRS = sorted(
    {name.split("/")[0] for name in tracked_files() if "/" in name} | {".tools", ".run"}
)
REPO_PATH = re.compile(
    r"(?<![\w./$~:@-])((?:" + "|".join(map(re.escape, TOP_DIRS)) + r")/[\w./<>*-]*[\w/>*])"
)
# Paths named on purpose that no clone holds, and are not git-ignored: (document, path) -> why.
NOT_IN_A_CLONE = {
    ("docs/runbook.md", "live/<env>/bootstrap"): "the github-oidc unit's former name (migration)",
    ("docs/runbook.md", "live/<env>/*/.terraform.lock.hcl"): "committed after a first real init",
}


def ids(documents: list[Document]) -> list[str]:
    return [document.name for document in documents]


@pytest.mark.parametrize("document", DOCUMENTS, ids=ids(DOCUMENTS))
def test_every_relative_link_resolves(document: Document) -> None:
    broken = []
    for target in document.links():
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        linked = (document.path.parent / path).resolve() if path else document.path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in Document(linked).anchors():
            broken.append(f"{target}: no heading with that anchor in {linked.name}")
    assert not broken, f"{document.name}: " + "; ".join(broken)


def named_paths(document: Document) -> Iterator[str]:
    prose, code = document.prose_and_code()
    for text in [prose, *code]:
        yield from REPO_PATH.findall(text)


@pytest.mark.parametrize("document", DOCUMENTS, ids=ids(DOCUMENTS))
def test_every_repository_path_named_exists(document: Document) -> None:
    """From the repository root or from the document's folder (a module README names its own
    files); a <placeholder> matches any name."""
    missing = set()
    for path in named_paths(document):
        pattern = re.sub(r"<[^>]+>", "*", path)
        found = any(any(base.glob(pattern.rstrip("/"))) for base in (ROOT, document.path.parent))
        if not (found or ignored(path) or (document.name, path) in NOT_IN_A_CLONE):
            missing.add(path)
    assert not missing, f"{document.name} names paths that do not exist: {sorted(missing)}"


def make_targets() -> set[str]:
    return {target for path in MAKEFILES for target in RULE.findall(path.read_text())}


@pytest.mark.parametrize("document", DOCUMENTS, ids=ids(DOCUMENTS))
def test_every_make_target_shown_exists(document: Document) -> None:
    unknown = document.make_targets() - make_targets()
    assert not unknown, f"{document.name} shows make targets that do not exist: {unknown}"


# ---- Facts: each read from its home; each statement of it in any document must agree ---------


@dataclass(frozen=True)
class Statement:
    document: str
    text: str
    says: object


@dataclass(frozen=True)
class Fact:
    name: str
    home: str
    expected: Callable[[Document], object]
    statements: Callable[[Document], list[tuple[str, object]]]


def body_limit_bytes(_: Document) -> object:
    # The app's default; the gateway's and the compute module's are checked against it
    # (tests/unit/test_shared_facts.py, tests/containers/test_deployed_settings.py).
    return Config().max_body_bytes


BODY_LIMIT_FORMS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"(\d+)[ -]KiB(?=[^.]*\bbod)|\bbod[^.]*?\b(\d+)[ -]KiB"), 1024),
    (re.compile(r"`SUMAPI_MAX_BODY_BYTES` \((\d+)\)"), 1),
    (re.compile(r"client_max_body_size (\d+)k\b"), 1024),
    (re.compile(r"body exceeds (\d+) bytes"), 1),
]


def body_limit_statements(document: Document) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for sentence in document.sentences():
        for form, unit in BODY_LIMIT_FORMS:
            for match in form.finditer(sentence):
                number = next(group for group in match.groups() if group)
                found.append((match.group(0), int(number) * unit))
    return found


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


AWS_CONSTRAINT = re.compile(r'hashicorp/aws"\s+version\s*=\s*"([^"]+)"', re.DOTALL)
# A range with a lower and an upper bound, exclusions between them shown or elided ("...").
RANGE = re.compile(
    r"(?:>=\s*(?P<low>\d[\d.]*)(?:\s*(?:,|\.\.\.)\s*!=\s*\d[\d.]*)*\s*(?:,|\.\.\.)\s*<\s*"
    r"(?P<high>\d[\d.]*))|~>\s*(?P<pessimistic>\d+\.\d[\d.]*)"
)


def bounds(constraint: str) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    match = RANGE.search(constraint)
    if match is None:
        return None
    if match.group("pessimistic"):
        low = version(match.group("pessimistic"))
        return low, (*low[:-2], low[-2] + 1)
    return version(match.group("low")), version(match.group("high"))


def module_provider_ranges() -> dict[str, object]:
    ranges: dict[str, object] = {}
    for versions_tf in sorted((ROOT / "modules").glob("*/versions.tf")):
        text = versions_tf.read_text()
        required = re.search(r"aws\s*=\s*\{[^}]*?version\s*=\s*\"([^\"]+)\"", text, re.DOTALL)
        assert required, f"{versions_tf}: no hashicorp/aws version constraint"
        ranges[versions_tf.parent.name] = bounds(required.group(1))
    return ranges


def provider_range(document: Document) -> object:
    """A module's README states its module's range; any other document the modules' range."""
    ranges = module_provider_ranges()
    parts = Path(document.name).parts
    if parts[0] == "modules":
        return ranges[parts[1]]
    shared = set(ranges.values())
    assert len(shared) == 1, f"the modules' ranges differ: {ranges}: name the module"
    return shared.pop()


def provider_range_statements(document: Document) -> list[tuple[str, object]]:
    return [
        (match.group(0), bounds(match.group(0)))
        for sentence in document.sentences()
        for match in RANGE.finditer(sentence)
    ]


PAGES_FIRST = {"prometheus": "Amazon Managed Prometheus", "cloudwatch": "CloudWatch"}
PAGER_CLAIM = re.compile(r"\bthe pager\b|\bpages? first\b|\bpagers on AWS\b|\bprimary pages?\b")
SYSTEM = re.compile(r"Prometheus|burn-rate|\bAMP\b|CloudWatch")


def first_pager(_: Document) -> object:
    """Which alerting pages first on AWS: the SLO burn-rate alerts of Amazon Managed Prometheus
    wherever every real environment turns the prometheus unit on, else the CloudWatch alarms."""
    settings = [
        path.read_text()
        for path in sorted((ROOT / "live").glob("*/prometheus/terragrunt.hcl"))
        if path.parts[-3] != "local"  # the emulator has no AMP
    ]
    assert settings, "no real environment has a prometheus unit"
    enabled = all(re.search(r"^\s*enabled\s*=\s*true\b", s, re.MULTILINE) for s in settings)
    return PAGES_FIRST["prometheus" if enabled else "cloudwatch"]


def pager_statements(document: Document) -> list[tuple[str, object]]:
    """A sentence that says who pages first names that system before the other."""
    found: list[tuple[str, object]] = []
    for sentence in document.sentences():
        if PAGER_CLAIM.search(sentence):
            named = SYSTEM.search(sentence)
            if named:
                first = "cloudwatch" if named.group(0) == "CloudWatch" else "prometheus"
                found.append((sentence, PAGES_FIRST[first]))
    return found


FACTS = [
    Fact("pager", "live/<env>/prometheus enabled", first_pager, pager_statements),
    Fact(
        "body limit", "src/sumapi/config.py max_body_bytes", body_limit_bytes, body_limit_statements
    ),
    Fact("provider range", "modules/*/versions.tf", provider_range, provider_range_statements),
]


@pytest.mark.parametrize("fact", FACTS, ids=[fact.name for fact in FACTS])
def test_every_statement_of_a_fact_agrees_with_its_home(fact: Fact) -> None:
    statements = [
        Statement(document.name, text, says)
        for document in DOCUMENTS
        for text, says in fact.statements(document)
    ]
    assert statements, f"no document states the {fact.name}: has its wording changed?"
    wrong = [
        f"{s.document}: {s.text!r} says {s.says}, {fact.home} says {expected}"
        for s in statements
        if s.says != (expected := fact.expected(Document(ROOT / s.document)))
    ]
    assert not wrong, f"{fact.name}:\n" + "\n".join(wrong)
