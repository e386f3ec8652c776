"""Lenient readers of YAML values the inventory modules share: a field of the wrong type reads as absent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def as_map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_port(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
