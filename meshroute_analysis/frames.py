"""The declared columns of every public DataFrame, in one place.

These names are a contract (see DESIGN.md): columns may be added, never renamed.  Every frame is built
through :func:`make_frame`, so an empty frame still has all its columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from .model import Policy, ViolationRecord

DOCUMENTS = ("file", "line", "index", "item", "kind", "name", "mesh", "status", "reason")
POLICIES = (
    "type", "name", "mesh", "namespace", "format", "target_kind", "target_name", "target_tags",
    "file", "line", "valid", "key", "core_name", "target_tags_str", "to_count",
)  # fmt: skip
BACKENDS = (
    "policy", "to_index", "destination", "backend_kind", "backend_name", "backend_tags", "weight", "share",
    "policy_type", "mesh", "rule_index", "backend_index", "backend_tags_str", "weight_configured",
    "implicit", "file", "line",
)  # fmt: skip
#: Integer columns of BACKENDS that are missing for some rows (a TrafficRoute has no ``to`` entry, an entry
#: without rules no rule, a defaulted weight no configured one): pandas' nullable Int64, so that one missing
#: value never turns the column into floats (``to[0.0]``, ``nan`` in labels).
BACKENDS_NULLABLE_INTS = ("to_index", "rule_index", "weight_configured")
VIOLATIONS = ("policy", "file", "line", "path", "message", "type", "name", "mesh")
DATAPLANES = (
    "name", "mesh", "tags", "origin", "tags_str", "group", "inbounds", "outbounds", "transparent", "file", "line",
    "reachable", "gateway_type", "gateway_tags",
)  # fmt: skip
WORKLOADS = ("kind", "name", "namespace", "mesh", "replicas", "sidecar", "reason", "severity", "file", "line")
SERVICES = ("mesh", "service", "protocol", "protocol_source", "endpoints", "external", "inferred", "declared_protocol")
#: One row per port of a destination resource (2.9+: MeshService, MeshExternalService, MeshMultiZoneService).
DESTINATIONS = (
    "mesh", "kind", "name", "namespace", "zone", "port_name", "port", "app_protocol", "kri", "service", "labels",
    "selector", "generated_from", "file", "line",
)  # fmt: skip

# The resolver's frames (filled by meshroute_analysis.resolve).
RES_PROXIES = ("mesh", "proxy", "source", "origin")
RES_ROUTES = ("mesh", "source", "destination", "proxies", "protocol", "route_type", "policies", "forwards", "status", "reason")
RES_BACKENDS = ("mesh", "source", "destination", "backend", "route_type", "backend_kind", "backend_name", "backend_tags", "weight", "share")

FINDINGS = ("code", "severity", "message", "policy", "file", "line", "path", "pair")

# The frames of a diff of two revisions (filled by meshroute_analysis.diff): before and after side by side.
DIFF_PAIRS = (
    "mesh", "source", "destination", "change", "route_type_before", "route_type_after", "policies_before",
    "policies_after", "forwards_before", "forwards_after", "status_before", "status_after", "protocol_before",
    "protocol_after",
)  # fmt: skip
DIFF_BACKENDS = ("mesh", "source", "destination", "route", "backend", "share_before", "share_after", "delta")
DIFF_FINDINGS = ("state", "fingerprint", *FINDINGS)
DIFF_POLICIES = ("mesh", "policy", "type", "name", "change", "fields")


def make_frame(columns: Sequence[str], rows: Iterable[Sequence[Any]] = (), *, nullable_ints: Sequence[str] = ()) -> pd.DataFrame:
    """A frame with exactly ``columns`` (in that order), from row tuples in the same order; the
    ``nullable_ints`` columns are Int64 (missing values are ``pd.NA``, the others stay integers)."""
    rows = list(rows)
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype="Int64" if c in nullable_ints else object) for c in columns})
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    for column in nullable_ints:
        frame[column] = frame[column].astype("Int64")
    return frame


def violations_frame(violations: Iterable[ViolationRecord], policies: Iterable[Policy]) -> pd.DataFrame:
    """:data:`VIOLATIONS` rows, with each violation's policy type, name and mesh."""
    by_key = {p.key: p for p in policies}
    rows = []
    for v in violations:
        p = by_key.get(v.policy)
        rows.append((v.policy, v.file, v.line, v.path, v.message, p.type if p else None, p.name if p else None, p.mesh if p else None))
    return make_frame(VIOLATIONS, rows)
