"""`make recording`, after asciinema: cuts the cast's pauses, checks it, renders it as SVG.

    python -m devtools.recording docs/demo.cast docs/img/demo.svg --svg-term PATH

The cast must hold no local path (the checkout's, a temporary directory's) and play for two
to four minutes; the SVG (svg-term-cli, which GitHub shows in a README as an image) must stay
under 5 MB. Still frames of the SVG at a few moments are written to .run/pictures/ as PNG
(headless Chromium), for a person to look at before committing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from devtools.screenshots import capture
from localenv.daemon import ROOT, run_dir

MAX_SVG_BYTES = 5 * 1024 * 1024
PLAYBACK_SECONDS = (120, 240)
# Moments worth a still: the local stack, the deployment, the rollout's result.
STILLS = (0.2, 0.55, 0.9)


def events(cast: Path) -> tuple[dict[str, Any], list[tuple[float, str]]]:
    lines = cast.read_text().splitlines()
    header = json.loads(lines[0])
    out = [(float(t), text) for t, kind, text in map(json.loads, lines[1:]) if kind == "o"]
    return header, out


def cut_idle_time(cast: Path) -> None:
    """Every pause longer than the cast's idle_time_limit cut to it, in the file itself.

    asciinema 2.2 records the real times and leaves the limit to players; the SVG renderer
    knows nothing of it, and a deploy's silent minute would play as a minute."""
    header, out = events(cast)
    limit = float(header.get("idle_time_limit") or 0)
    if not limit:
        return
    lines, now, previous = [json.dumps(header)], 0.0, 0.0
    for seconds, text in out:
        now += min(seconds - previous, limit)
        previous = seconds
        lines.append(json.dumps([round(now, 6), "o", text]))
    cast.write_text("\n".join(lines) + "\n")


def problems(cast: Path) -> list[str]:
    _, out = events(cast)
    text = "".join(chunk for _, chunk in out)
    found = [f"names {path}" for path in (str(ROOT), tempfile.gettempdir()) if path in text]
    seconds = out[-1][0] if out else 0.0
    low, high = PLAYBACK_SECONDS
    if not low <= seconds <= high:
        found.append(f"plays {seconds:.0f} s, not {low}-{high} s")
    return found


def render(cast: Path, svg: Path, svg_term: str, at_ms: int | None = None) -> None:
    args = [svg_term, "--in", str(cast), "--out", str(svg), "--window"]
    if at_ms is not None:
        args += ["--at", str(at_ms)]
    subprocess.run(args, check=True, timeout=600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.recording")
    parser.add_argument("cast", type=Path)
    parser.add_argument("svg", type=Path)
    parser.add_argument("--svg-term", required=True)
    args = parser.parse_args(argv)
    cut_idle_time(args.cast)
    found = problems(args.cast)
    if found:
        print(f"recording: {args.cast} {'; '.join(found)}: fix devtools/tour", file=sys.stderr)
        return 1
    render(args.cast, args.svg, args.svg_term)
    size = args.svg.stat().st_size
    if size > MAX_SVG_BYTES:
        print(f"recording: {args.svg} is {size / 2**20:.1f} MB (at most 5): shorten devtools/tour")
        return 1
    _, out = events(args.cast)
    print(f"recording: {args.svg} ({size / 2**20:.1f} MB), {out[-1][0]:.0f} s of playback")
    stills = run_dir() / "pictures"
    stills.mkdir(parents=True, exist_ok=True)
    for share in STILLS:
        at_ms = int(out[-1][0] * share * 1000)
        frame = stills / f"demo-{at_ms // 1000}s.svg"
        render(args.cast, frame, args.svg_term, at_ms)
        capture(frame.resolve().as_uri(), frame.with_suffix(".png"), 760)
    return 0


if __name__ == "__main__":
    sys.exit(main())
