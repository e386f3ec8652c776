"""Findings about Kubernetes workloads, shared by MRA003-MRA005: the inventory says per workload whether it
gets a sidecar, why, and how serious that is; each code reports one severity."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext
from ..finding import Finding


def workload_findings(ctx: AuditContext, code: str, severity: str) -> Iterator[Finding]:
    for w in ctx.content.workloads:
        if w.severity != severity:
            continue
        what = f"{w.kind} {w.name} (namespace {w.namespace}, mesh {w.mesh})"
        yield Finding(code, f"{what}: {w.reason}", w.file or None, w.line or None, mesh=w.mesh)
