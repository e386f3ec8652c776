"""MRA002: a mesh with policies but no inventory.

Without Dataplanes or Kubernetes workloads the loader infers proxies from targetRefs and services from the
names policies use (``meshroute_analysis/inventory.py``); every reference then "exists" by construction, so
the reference rules (MRA201-MRA204) say nothing for that mesh.  One finding per mesh, at the first of its
policies by key: not the first in file order, so that moving or reordering files keeps the finding where it is
(and its fingerprint, which names the policy).
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Policy
from ..context import AuditContext
from ..finding import Finding

CODE = "MRA002"


def check(ctx: AuditContext) -> Iterator[Finding]:
    first: dict[str, Policy] = {}
    for policy in sorted(ctx.policies, key=lambda p: p.key):
        first.setdefault(policy.mesh, policy)
    for mesh, policy in sorted(first.items()):
        if ctx.has_inventory(mesh):
            continue
        yield ctx.finding(
            CODE, policy,  # type: ignore[arg-type]
            f"mesh {mesh!r} has policies but no Dataplane, Kubernetes workload or ExternalService in the "
            "repository: proxies and services are inferred from the policies, so unknown services, empty "
            "subsets and targetRefs that select nothing cannot be detected; add the inventory (e.g. "
            "`kumactl get dataplanes -m <mesh> -o yaml`) to check them",
        )
