"""MRA901: a legacy (selector-based) policy in the repository, with the policy that replaces it.

Seed page: "It's recommended to migrate from TrafficRoute ... If you don't use legacy policies, it's
recommended to remove any existing TrafficRoute. Otherwise, it's recommended to migrate to new policies and
then removing TrafficRoute."  The implicit ``route-all-<mesh>`` is not reported: it is not in the files.

Successors are those Kuma's ``UPGRADE.md`` names where 3.0 removes the legacy kinds ("Migrate ... to
`MeshAccessLog`, which replaces `TrafficLog`", and so on; kumahq/kuma 348b6528), each of which 2.5 already
has.  Two differ from a one-to-one rename: ``VirtualOutbound``, for which 2.5 has no successor (the notes say
MeshHTTPRoute/MeshTCPRoute replace it, but what it made, hostnames and ports for services, comes from
MeshService with HostnameGenerator from 2.9: that is what this names), and ``MeshGatewayRoute``, whose
successors may target a MeshGateway only from 2.6 (MRA501).

The loader reads TrafficRoute and TrafficPermission as policies; the other legacy kinds are documents it
skips, and each of them gets a finding too, at its document.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Document, Status
from ..context import TR, AuditContext, kind_path
from ..finding import Finding

CODE = "MRA901"

#: Legacy kind -> what replaces it.
SUCCESSORS = {
    "TrafficRoute": "MeshTCPRoute (tcp destinations) / MeshHTTPRoute (http, http2, grpc)",
    "TrafficPermission": "MeshTrafficPermission",
    "TrafficLog": "MeshAccessLog",
    "TrafficTrace": "MeshTrace",
    "Timeout": "MeshTimeout",
    "Retry": "MeshRetry",
    "CircuitBreaker": "MeshCircuitBreaker",
    "HealthCheck": "MeshHealthCheck",
    "RateLimit": "MeshRateLimit",
    "FaultInjection": "MeshFaultInjection",
    "ProxyTemplate": "MeshProxyPatch",
    "VirtualOutbound": "MeshService with HostnameGenerator (from 2.9; Kuma 2.5 has no successor)",
    "MeshGatewayRoute": "MeshHTTPRoute / MeshTCPRoute targeting the MeshGateway (from 2.6; 2.5 rejects that "
    "targeting, MRA501)",
}
#: The loader's reason for a Universal document of a kind it does not read (``io/normalise.py``): its kind
#: is then in ``type``, not ``kind``.
_UNIVERSAL_SKIP = "Universal type "


def successor(kind: str) -> str:
    """What replaces a legacy kind, as MRA901 says it."""
    return SUCCESSORS[kind]


def check(ctx: AuditContext) -> Iterator[Finding]:
    for policy in ctx.policies:
        if policy.type == TR:
            yield ctx.finding(CODE, policy, f"{policy.key} is a legacy TrafficRoute: {_trafficroute_step(ctx, policy.mesh)}",
                              kind_path(policy))
        elif policy.type in SUCCESSORS:
            yield ctx.finding(CODE, policy, _replace_text(policy.key, policy.type), kind_path(policy))
    for doc in ctx.content.documents:
        if doc.status is Status.SKIPPED and doc.kind in SUCCESSORS and doc.kind not in ("TrafficRoute", "TrafficPermission"):
            yield _document_finding(doc)


def _replace_text(key: str, kind: str) -> str:
    return f"{key} is a legacy {kind}: replace it with {successor(kind)}"


def _trafficroute_step(ctx: AuditContext, mesh: str) -> str:
    """Legacy connection policies apply only where a TrafficRoute builds the route: they move first."""
    legacy = ctx.legacy_documents(mesh)
    if not legacy:
        return f"no legacy policies use it, so it can be replaced with {successor(TR)} and removed"
    moves = ", ".join(f"{kind} {name} to {successor(kind)}" for kind, name in legacy)
    return f"first move {moves} (they apply only on TrafficRoute routes), then replace it with {successor(TR)} and remove it"


def _document_finding(doc: Document) -> Finding:
    kind = doc.kind or ""
    key = f"{kind}/{doc.name or '?'}"
    path = "type" if doc.reason.startswith(_UNIVERSAL_SKIP) else "kind"
    return Finding(
        CODE, _replace_text(key, kind), doc.file, doc.line or None,
        policy=key, path=path, mesh=doc.mesh or "default", policy_type=kind, policy_name=doc.name,
    )  # fmt: skip
