"""A diff in a few words: the counts, the one-line verdict and the plain-text summary (``repr``)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import pandas as pd

from .text import points

if TYPE_CHECKING:
    from .result import Diff

__all__ = ["summary_of", "text_summary", "verdict"]

_SEVERITIES = ("error", "warning", "info")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _route_type_changes(pairs: pd.DataFrame) -> int:
    if pairs.empty:
        return 0
    both = pairs[pairs["change"] == "changed"]
    return int((both["route_type_before"] != both["route_type_after"]).sum())


def _largest_move(backends: pd.DataFrame) -> float:
    """The largest share move of a backend that is there on both sides (a backend that comes or goes
    with a route-type change would always say 100 pp)."""
    kept = backends[backends["change"] == "changed"] if not backends.empty else backends
    return float(kept["delta"].abs().max()) if not kept.empty else 0.0


def _by_severity(findings: pd.DataFrame) -> dict[str, int]:
    counts = Counter(findings["severity"]) if not findings.empty else Counter()
    return {s: int(counts.get(s, 0)) for s in _SEVERITIES}


def summary_of(d: Diff) -> dict[str, Any]:
    counts = summary_of_counts(d)
    counts["largest_share_move_pp"] = round(counts["largest_share_move_pp"], 6)
    counts["findings"]["unchanged"] = int((d.findings["state"] == "unchanged").sum())
    backends = d.backends
    return {
        "before": d.labels[0],
        "after": d.labels[1],
        "kuma_versions": {"before": d.kuma_versions[0], "after": d.kuma_versions[1]},
        "verdict": verdict(d),
        **counts,
        "backends_moved": int((backends["change"] != "same").sum()) if not backends.empty else 0,
        "compared_meshes": list(d.compared_meshes),
    }


def _findings_words(introduced: dict[str, int], fixed: dict[str, int]) -> str:
    def part(counts: dict[str, int]) -> str:
        total = sum(counts.values())
        if not total:
            return "none"
        detail = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        return f"{total} ({detail})"

    return f"findings introduced: {part(introduced)}; fixed: {part(fixed)}"


def _pairs_words(summary: dict[str, Any]) -> str:
    counts = summary["pairs"]
    total = sum(counts.values())
    if not total:
        return "No (source, destination) pair changes route, policies, status or shares"
    detail = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    extra = []
    if summary["route_type_changes"]:
        extra.append(f"{summary['route_type_changes']} change route type")
    if summary["largest_share_move_pp"]:
        extra.append(f"shares move by up to {points(summary['largest_share_move_pp']).lstrip('+')}")
    return f"Traffic changes for {_count(total, 'pair')} ({detail})" + (f": {', '.join(extra)}" if extra else "")


def _policies_words(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return "no policy changes"
    return "policies " + ", ".join(f"{n} {k}" for k, n in counts.items() if n)


def verdict(d: Diff) -> str:
    """"Traffic changes for 3 pairs (2 changed, 1 added): 1 change route type, shares move by up to 40
    pp; findings introduced: 1 (1 warning); fixed: none; policies 1 added, 1 modified"."""
    s = summary_of_counts(d)
    versions = "" if d.kuma_versions[0] == d.kuma_versions[1] else f" (Kuma {d.kuma_versions[0]} → {d.kuma_versions[1]})"
    return (f"{_pairs_words(s)}{versions}; {_findings_words(s['findings']['introduced'], s['findings']['fixed'])}; "
            f"{_policies_words(s['policies'])}.")


def summary_of_counts(d: Diff) -> dict[str, Any]:
    """:func:`summary_of` without the verdict (which is built from it)."""
    pairs, backends, policies, findings = d.pairs, d.backends, d.policies, d.findings
    changes = Counter(pairs["change"]) if not pairs.empty else Counter()
    policy_changes = Counter(policies["change"]) if not policies.empty else Counter()
    return {
        "pairs": {k: int(changes.get(k, 0)) for k in ("added", "removed", "changed")},
        "route_type_changes": _route_type_changes(pairs),
        "largest_share_move_pp": _largest_move(backends),
        "findings": {
            "introduced": _by_severity(findings[findings["state"] == "introduced"]),
            "fixed": _by_severity(findings[findings["state"] == "fixed"]),
        },
        "policies": {k: int(policy_changes.get(k, 0)) for k in ("added", "removed", "modified")},
    }


def text_summary(d: Diff, *, rows: int = 20) -> str:
    """What ``repr(d)`` prints: the sides, the verdict, and the first changed pairs."""
    versions = " → ".join(dict.fromkeys(d.kuma_versions))
    lines = [f"<Diff {d.labels[0]} → {d.labels[1]} (Kuma {versions})>", f"  {verdict(d)}"]
    for row in d.pairs.head(rows).itertuples(index=False):
        lines.append(f"  {row.change:<8} {row.mesh}: {row.source} → {row.destination}: {row.what}")
    if len(d.pairs) > rows:
        lines.append(f"  ... and {len(d.pairs) - rows} more pairs (d.pairs)")
    for row in d.introduced.head(rows).itertuples(index=False):
        lines.append(f"  introduced {row.severity} {row.code}: {row.message}")
    return "\n".join(lines)
