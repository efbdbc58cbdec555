"""The compressed copy of the rules the alert test (tests/prometheus) evaluates differs from the
production rules in its durations only."""

from __future__ import annotations

from localenv.observe import RULES, compressed_rules

FACTOR = 60  # minutes become seconds


def test_compressed_rules_only_shorten_durations() -> None:
    original = (RULES / "sumapi-slo.rules.yml").read_text()
    compressed = compressed_rules(original, FACTOR)
    for long, short in (
        ("[5m]", "[5s]"),
        ("[1h]", "[60s]"),
        ("[3d]", "[4320s]"),
        ("for: 2m", "for: 2s"),
    ):
        assert long in original
        assert short in compressed
        assert long not in compressed
    # Thresholds, names and text are untouched: only the durations differ.
    assert compressed.count("14.4 * 0.001") == original.count("14.4 * 0.001")
    assert len(compressed.splitlines()) == len(original.splitlines())
