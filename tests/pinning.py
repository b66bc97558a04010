"""Pinned counts: what moved between the expected and the measured, for assertion messages."""

from __future__ import annotations

from collections.abc import Mapping


def moved(expected: Mapping[str, int], got: Mapping[str, int]) -> dict[str, str]:
    """Each key whose count changed, as ``"expected -> got"`` (absent keys count 0)."""
    return {
        key: f"{expected.get(key, 0)} -> {got.get(key, 0)}"
        for key in sorted(set(got) | set(expected))
        if got.get(key, 0) != expected.get(key, 0)
    }
