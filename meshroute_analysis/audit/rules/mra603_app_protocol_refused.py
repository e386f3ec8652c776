"""MRA603: a destination port whose ``appProtocol`` no split accepts.

A MeshService / MeshMultiZoneService port is checked by its ``appProtocol`` as written
(``v2.14.3:pkg/plugins/policies/core/xds/meshroute/listeners.go`` handleRealResources): a TCP split accepts
unknown, tcp, http, http2, grpc and kafka, an HTTP split http, http2 and grpc.  Any other value (``tls``,
``mysql``, ``kubernetes.io/h2c``, a typo) drops the port from every split, the default route to itself
included: its outbound gets a listener without ``tcp_proxy`` and every connection to it fails.  On Kubernetes
the generated MeshService copies the Service port's ``appProtocol`` verbatim
(``pkg/plugins/runtime/k8s/controllers/meshservice_controller.go``).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext
from ..finding import Finding

CODE = "MRA603"


def check(ctx: AuditContext) -> Iterator[Finding]:
    semantics = ctx.res.semantics
    if not semantics.resource_engine:
        return
    accepted = semantics.tcp_split_protocols | semantics.http_split_protocols
    for d in ctx.content.destinations:
        if d.kind == "MeshExternalService":
            continue  # its protocol is an enum the validator checks
        for port in d.ports:
            if port.app_protocol in accepted:
                continue
            where = f" (generated from {d.generated_from})" if d.generated_from else ""
            yield Finding(
                code=CODE, file=d.file or None, line=d.line or None, mesh=d.mesh,
                message=(f"{d.kind} {d.name}{where} port {port.name} has appProtocol {port.app_protocol!r}, which no "
                         f"split accepts ({', '.join(sorted(accepted))}): every route to it, its default route "
                         "included, drops it, so its outbound has no tcp_proxy and connections fail; use tcp (or "
                         "http/http2/grpc)"),
            )
