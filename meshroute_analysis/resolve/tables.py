"""The frames of a :class:`~.resolution.Resolution`: proxies, routes, backends.

Columns exist even when a frame is empty.  Rows of one routing signature are built once and joined to
every source group that shares it, so the cost of a frame follows the number of distinct shapes.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..model import tags_str
from .decide import Decision
from .engine import Engine
from .httproute import BuildCheck

PROXY_COLUMNS = ["mesh", "proxy", "source", "origin", "group_name", "file", "line", "config_error", "config_error_policy"]
ROUTE_COLUMNS = [
    "mesh", "source", "destination", "proxies", "protocol", "route_type", "policies", "policy_keys",
    "forwards", "status", "reason", "trafficroute", "backend_count", "trafficroute_listener", "trafficroute_ties",
    "gateway_listener", "service",
]
BACKEND_COLUMNS = [
    "mesh", "source", "destination", "backend", "route_type", "backend_kind", "backend_name", "backend_tags",
    "backend_tags_str", "weight", "share", "route", "route_matches", "in_split", "backend_protocol",
    "endpoints", "external", "cluster", "note", "mirror",
]

_EMPTY_DTYPES = {
    "forwards": bool, "in_split": bool, "gateway_listener": bool, "mirror": bool, "external": bool, "trafficroute_listener": bool,
    "share": float, "weight": "int64", "endpoints": "int64", "proxies": "int64", "backend_count": "int64",
}
_CODED_COLUMNS = ("destination", "backend")  # what JoinedRows keeps of the distinct rows
_ROUTE_PAIR = ROUTE_COLUMNS[2:3] + ROUTE_COLUMNS[4:]
_BACKEND_PAIR = BACKEND_COLUMNS[2:]


def proxies_frame(engine: Engine) -> pd.DataFrame:
    rows = []
    for group, sig_id in zip(engine.groups, engine.group_signature):
        error = engine.signatures[sig_id].config_error
        message = error.message if error is not None else ""
        culprit = error.policy.key if error is not None and error.policy is not None else None
        for p in group.proxies:
            rows.append((group.mesh, p.name, group.name, str(p.origin), p.group_name or p.name, p.file, p.line, message, culprit))
    return pd.DataFrame(rows, columns=PROXY_COLUMNS)


def route_row(d: Decision) -> tuple:
    return (
        d.destination, d.protocol, d.route_type,
        tuple(p.name for p in d.policies), tuple(p.key for p in d.policies),
        d.forwards, d.status, d.reason,
        d.trafficroute.name if d.trafficroute is not None else None,
        sum(1 for b in d.backends if b.in_split),
        d.trafficroute_listener,
        tuple(p.name for p in d.trafficroute_ties),
        d.gateway_listener,
        d.service or d.destination,
    )


def failed_route_row(d: Decision, error: BuildCheck) -> tuple:
    """A pair of a proxy whose configuration Kuma fails to build: nothing new is configured."""
    return (
        d.destination, d.protocol, "none", (), (), False, "config-error",
        f"the control plane fails to build this proxy's configuration: {error.message}",
        d.trafficroute.name if d.trafficroute is not None else None, 0, False,
        tuple(p.name for p in d.trafficroute_ties),
        d.gateway_listener,
        d.service or d.destination,
    )


def backend_rows(d: Decision) -> list[tuple]:
    rows = []
    for b in d.backends:
        tags = dict(b.tags)
        label = b.name + ("{" + tags_str(b.tags) + "}" if b.tags else "")
        rows.append((
            d.destination, label, d.route_type, b.kind, b.name, tags, tags_str(b.tags), b.weight, b.share,
            b.route, b.route_matches, b.in_split, b.protocol, b.endpoints, b.external, b.cluster, b.note, b.mirror,
        ))
    return rows


def _decision_rows(engine: Engine, build, build_failed) -> tuple[list[tuple], list[np.ndarray]]:
    """Rows of every distinct decision (built once, however many pairs share it) and, per signature, the
    row positions of its pairs in destination order.  Signatures whose proxies Kuma cannot build get
    ``build_failed`` rows instead.  Rows come in the order their decisions are first met, signature by
    signature; the positions are worked out with integer arrays, not per pair."""
    errors: dict[int, int] = {}  # id(config error) -> 1, 2, ... (0: the proxy builds)
    error_of: list[BuildCheck | None] = [None]
    for sig in engine.signatures:
        if sig.config_error is not None and id(sig.config_error) not in errors:
            errors[id(sig.config_error)] = len(error_of)
            error_of.append(sig.config_error)
    # One key per (decision, error), as one array over every signature's pairs.
    width = len(error_of)
    keys = [sig.codes * width + errors.get(id(sig.config_error), 0) for sig in engine.signatures]
    every = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
    distinct, first, inverse = _first_met(every, len(engine.distinct) * width)
    order = np.argsort(first, kind="stable")  # distinct keys in the order they are first met
    rows: list[tuple] = []
    lengths = np.zeros(len(distinct), dtype=np.int64)
    starts = np.zeros(len(distinct), dtype=np.int64)
    for k in order.tolist():
        code, e = divmod(int(distinct[k]), width)
        error = error_of[e]
        built = build(engine.distinct[code]) if error is None else build_failed(engine.distinct[code], error)
        starts[k], lengths[k] = len(rows), len(built)
        rows.extend(built)
    # Every pair expands to its key's span of rows.
    inverse = inverse.reshape(-1)
    per_pair = lengths[inverse]
    ends = np.cumsum(per_pair)
    positions = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64) + np.repeat(starts[inverse] - (ends - per_pair), per_pair)
    row_bounds = np.concatenate([[0], ends])  # where each pair's rows begin, and the end of the last
    pair_bounds = np.cumsum([0] + [len(k) for k in keys])
    per_sig = [positions[row_bounds[a]:row_bounds[b]] for a, b in zip(pair_bounds[:-1], pair_bounds[1:])]
    return rows, per_sig


def _first_met(keys: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(keys, return_index=True, return_inverse=True)`` for keys in ``range(bound)``: with a
    table of ``bound`` slots instead of a sort when that is not much larger than the keys."""
    if bound > 4 * len(keys) + 1024:
        return np.unique(keys, return_index=True, return_inverse=True)
    first = np.full(bound, len(keys), dtype=np.int64)
    np.minimum.at(first, keys, np.arange(len(keys), dtype=np.int64))
    distinct = np.flatnonzero(first < len(keys))
    slot = np.zeros(bound, dtype=np.int64)
    slot[distinct] = np.arange(len(distinct), dtype=np.int64)
    return distinct, first[distinct], slot[keys]


class JoinedRows(NamedTuple):
    """A frame of pairs and where its rows come from: what :mod:`.paircodes` turns into integer codes
    without reading the frame's strings again."""

    frame: pd.DataFrame
    #: The distinct decision rows the frame repeats, only their ``destination`` (and ``backend``) columns;
    #: None when the frame is empty.
    distinct: pd.DataFrame | None
    #: For every row of ``frame``, its row of ``distinct``.
    taken: np.ndarray
    #: How many rows of ``frame`` each source group has, in ``engine.groups`` order.
    per_group: np.ndarray


def _joined(engine: Engine, build, build_failed, pair_columns: list[str], columns: list[str]) -> JoinedRows:
    """One block of rows per group: its signature's rows, with the group's mesh, name and size."""
    rows, per_sig = _decision_rows(engine, build, build_failed)
    if not rows or not engine.groups:
        # Typed like a filled frame, so that res.backends[res.backends["in_split"]] works when it is empty.
        empty = pd.DataFrame({c: pd.Series(dtype=_EMPTY_DTYPES.get(c, object)) for c in columns})
        return JoinedRows(empty, None, np.zeros(0, dtype=np.int64), np.zeros(len(engine.groups), dtype=np.int64))
    unique = pd.DataFrame(rows, columns=pair_columns)
    blocks = [per_sig[s] for s in engine.group_signature]
    taken = np.concatenate(blocks)
    frame = unique.take(taken).reset_index(drop=True)
    per_group = np.fromiter((len(b) for b in blocks), dtype=np.int64, count=len(blocks))
    frame["mesh"] = np.repeat(np.array([g.mesh for g in engine.groups], dtype=object), per_group)
    frame["source"] = np.repeat(np.array([g.name for g in engine.groups], dtype=object), per_group)
    if "proxies" in columns:
        frame["proxies"] = np.repeat(np.array([g.size for g in engine.groups], dtype=np.int64), per_group)
    kept = unique[[c for c in _CODED_COLUMNS if c in unique.columns]]
    return JoinedRows(frame[columns], kept, taken, per_group)


def routes_rows(engine: Engine) -> JoinedRows:
    joined = _joined(engine, lambda d: [route_row(d)], lambda d, e: [failed_route_row(d, e)], _ROUTE_PAIR, ROUTE_COLUMNS)
    if not joined.frame.empty:
        joined.frame["forwards"] = joined.frame["forwards"].astype(bool)
    return joined


def backends_rows(engine: Engine) -> JoinedRows:
    joined = _joined(engine, backend_rows, lambda d, e: [], _BACKEND_PAIR, BACKEND_COLUMNS)
    if not joined.frame.empty:
        joined.frame["share"] = joined.frame["share"].astype(float)
    return joined


def routes_frame(engine: Engine) -> pd.DataFrame:
    return routes_rows(engine).frame


def backends_frame(engine: Engine) -> pd.DataFrame:
    return backends_rows(engine).frame


TIE_COLUMNS = ["mesh", "kind", "chosen", "tied", "pairs", "example"]


def _trafficroute_ties(decisions: Iterable[Decision], first: Container[int]) -> list[tuple[str, tuple[str, ...], str]]:
    """(chosen, tied, destination) of the decisions of one signature where written TrafficRoutes tie."""
    out = []
    for d in decisions:
        if d.trafficroute is None or not d.trafficroute_ties or id(d.trafficroute) in first:
            continue
        tied = tuple(p.name for p in d.trafficroute_ties if id(p) not in first)
        if tied:
            out.append((d.trafficroute.name, tied, d.destination))
    return out


def ties_frame(engine: Engine) -> pd.DataFrame:
    """Choices that only creation time decides, between policies of the repository: TrafficRoutes of equal
    rank for a pair, TrafficPermissions of equal rank for an ExternalService."""
    first = engine.created_with_mesh
    found: dict[tuple[str, str, str, tuple[str, ...]], list[str]] = {}
    by_signature: dict[int, list[tuple[str, tuple[str, ...], str]]] = {}  # the groups of a signature share its ties
    for group, sig_id in zip(engine.groups, engine.group_signature):
        ties = by_signature.get(sig_id)
        if ties is None:
            ties = by_signature[sig_id] = _trafficroute_ties(engine.signatures[sig_id].decisions, first)
        for chosen, tied, destination in ties:
            found.setdefault((group.mesh, "TrafficRoute", chosen, tied), []).append(f"{group.name} → {destination}")
    for mesh, ctx in engine.mesh_contexts.items():
        for external, tied_policies in ctx.endpoints.governor_ties.items():
            chosen = ctx.endpoints.governor[external]
            tied = tuple(p.name for p in tied_policies if id(p) not in first)
            if chosen is None or not tied or id(chosen) in first:
                continue
            found.setdefault((mesh, "TrafficPermission", chosen.name, tied), []).append(f"ExternalService {external}")
    rows = [(*key, len(where), where[0]) for key, where in found.items()]
    return pd.DataFrame(rows, columns=TIE_COLUMNS) if rows else pd.DataFrame({c: pd.Series(dtype=object) for c in TIE_COLUMNS})
