"""What the project's Markdown names: links, anchors, paths, make targets, and sentences.

Only what a reader would follow or type is read: links, code spans and fenced code; prose
outside code is read for sentences (the facts) and repository paths.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.harness import ROOT

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
# A make command as typed: `make X`, `make ENV=dev X`, `$ make X` in a transcript.
MAKE_COMMAND = re.compile(
    r"(?:^|[\s;&|(`$])make((?:\s+(?:[A-Z][A-Z0-9_]*=\S*|-\S+))*)\s+([a-z][\w-]*)"
)


@dataclass(frozen=True)
class Document:
    path: Path

    @property
    def name(self) -> str:
        return str(self.path.relative_to(ROOT))

    @property
    def text(self) -> str:
        return self.path.read_text()

    def prose_and_code(self) -> tuple[str, list[str]]:
        """(the text outside fenced code, the lines of fenced code)."""
        prose: list[str] = []
        code: list[str] = []
        fenced = False
        for line in self.text.splitlines():
            if FENCE.match(line):
                fenced = not fenced
            elif fenced:
                code.append(line)
            else:
                prose.append(line)
        return "\n".join(prose), code

    def links(self) -> list[str]:
        return LINK.findall(self.prose_and_code()[0])

    def anchors(self) -> set[str]:
        """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, and a
        -1, -2 suffix for a repeated heading."""
        found: set[str] = set()
        counts: dict[str, int] = {}
        for line in self.prose_and_code()[0].splitlines():
            heading = HEADING.match(line)
            if heading:
                slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
                found.add(f"{slug}-{counts[slug]}" if slug in counts else slug)
                counts[slug] = counts.get(slug, 0) + 1
        return found

    def code(self) -> list[str]:
        """Every code span and every fenced code line."""
        prose, fenced = self.prose_and_code()
        return CODE_SPAN.findall(prose) + fenced

    def make_targets(self) -> set[str]:
        return {match.group(2) for code in self.code() for match in MAKE_COMMAND.finditer(code)}

    def sentences(self) -> list[str]:
        """The prose, code spans included, as sentences (lines of a paragraph joined; a list
        item or a table row starts anew)."""
        prose = self.prose_and_code()[0]
        blocks = re.split(r"\n\s*\n|\n(?=\s*(?:[-*|]|\d+\.)\s)", prose)
        sentences: list[str] = []
        for block in blocks:
            sentences += re.split(r"(?<=[.!?])\s+(?=[A-Z`*(])", " ".join(block.split()))
        return sentences


@cache
def tracked_files() -> tuple[str, ...]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return tuple(listed.split())


def documents() -> list[Document]:
    return [Document(ROOT / name) for name in tracked_files() if name.endswith(".md")]


def ignored(path: str) -> bool:
    """A path git ignores: made by a command (.tools/, .run/, state, a real env.hcl), so a
    document may name it although no clone holds it."""
    return (
        subprocess.run(
            ["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT, check=False
        ).returncode
        == 0
    )
