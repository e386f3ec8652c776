"""Words for a diff: a pair's change in one line, percentages and percentage points."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["describe_pair", "percent", "points"]


def percent(share: float) -> str:
    value = share * 100
    return f"{value:.0f}%" if abs(value - round(value)) < 1e-9 else f"{value:.1f}%"


def points(delta: float) -> str:
    """Signed percentage points: ``+40 pp``, ``-2.5 pp``."""
    text = f"{delta:+.0f}" if abs(delta - round(delta)) < 1e-9 else f"{delta:+.1f}"
    return f"{text} pp"


def _names(policies: Any) -> str:
    return ", ".join(policies) if policies else "no policy"


def backend_label(row: Any) -> str:
    route = row.route if isinstance(row.route, str) and row.route else ""
    return f"[{route}] {row.backend}" if route else str(row.backend)


def _share_moves(rows: Sequence[Any]) -> list[str]:
    moves = []
    for row in rows:
        if row.change == "same":
            continue
        if row.change == "added":
            moves.append(f"{backend_label(row)} new at {percent(row.share_after)}")
        elif row.change == "removed":
            moves.append(f"{backend_label(row)} gone (was {percent(row.share_before)})")
        else:
            moves.append(f"{backend_label(row)} {percent(row.share_before)} → {percent(row.share_after)} ({points(row.delta)})")
    return moves


def describe_pair(row: Any, backends: Sequence[Any]) -> str:
    """One line on what changed for a row of ``d.pairs``, given its rows of ``d.backends`` (as tuples)."""
    if row.change == "added":
        return f"new pair: {row.route_type_after} ({_names(row.policies_after)}), {row.status_after}"
    if row.change == "removed":
        return f"pair gone (was {row.route_type_before} ({_names(row.policies_before)}), {row.status_before})"
    parts = []
    if row.route_type_before != row.route_type_after:
        parts.append(f"route type {row.route_type_before} → {row.route_type_after}")
    if tuple(row.policies_before or ()) != tuple(row.policies_after or ()):
        parts.append(f"policies {_names(row.policies_before)} → {_names(row.policies_after)}")
    if row.protocol_before != row.protocol_after:
        parts.append(f"protocol {row.protocol_before} → {row.protocol_after}")
    if row.forwards_before != row.forwards_after:
        parts.append("now forwards" if row.forwards_after else "stops forwarding")
    if row.status_before != row.status_after:
        parts.append(f"status {row.status_before} → {row.status_after}")
    moves = _share_moves(backends)
    if moves:
        parts.append("; ".join(moves))
    return "; ".join(parts) or "backends reordered"
