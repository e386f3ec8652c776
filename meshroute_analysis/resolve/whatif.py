"""What-if weights: a pair's backends re-split with other weights, by the same rules as the real split.

Only the weights change: which kinds may carry traffic, which protocols a split accepts (a grpc backend
given a weight still empties a 2.5 TCP split) and how shares are computed are those of
:func:`~.split.split_backends`, so a chart or a widget never does its own arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .semantics import Semantics
from .split import Backend, split_backends

_TCP_KINDS = frozenset({"MeshService", "MeshServiceSubset"})


def _rules(route_type: str, semantics: Semantics) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    if route_type == "MeshTCPRoute":
        return semantics.tcp_split_protocols, _TCP_KINDS
    if route_type == "MeshHTTPRoute":
        return semantics.http_split_protocols, _TCP_KINDS
    return None, None  # TrafficRoute splits check neither kind nor protocol


def _backend(row: pd.Series, weight: float) -> Backend:
    tags = row["backend_tags"] if isinstance(row["backend_tags"], dict) else {}
    return Backend(
        kind=str(row["backend_kind"]),
        name=str(row["backend_name"] or ""),
        tags=tuple(sorted(tags.items())),
        weight=weight,  # type: ignore[arg-type]  # a what-if may be fractional
        in_split=False,
        share=0.0,
        protocol=str(row["backend_protocol"]),
        endpoints=int(row["endpoints"]),
        external=bool(row["external"]),
        cluster=str(row["cluster"]),
        route=str(row["route"] or ""),
        route_matches=str(row["route_matches"] or ""),
    )


def reweigh(rows: pd.DataFrame, weights: Mapping[str, float], semantics: Semantics) -> pd.DataFrame:
    """``rows`` (one pair's rows of ``res.backends``) with ``weight`` taken from ``weights`` (backend label →
    weight; labels left out keep theirs) and ``in_split``, ``share`` and ``note`` worked out again, per HTTP
    route for a MeshHTTPRoute pair."""
    unknown = set(weights) - set(rows["backend"])
    if unknown:
        raise ValueError(f"what-if weights for backends not in this pair: {sorted(unknown)}")
    if any(w < 0 for w in weights.values()):
        raise ValueError("what-if weights must not be negative")
    if rows.empty:
        return rows.copy()
    accepted, kinds = _rules(str(rows["route_type"].iloc[0]), semantics)
    out = rows.copy()
    for _, group in out.groupby(out["route"].fillna(""), sort=False):
        backends = [_backend(row, weights.get(row["backend"], row["weight"])) for _, row in group.iterrows()]
        result = split_backends(backends, accepted, kinds, semantics.split_drops_backend_alone)
        for index, b in zip(group.index, result.backends, strict=True):
            out.loc[index, ["weight", "in_split", "share", "note"]] = [b.weight, b.in_split, b.share, b.note]
    return out
