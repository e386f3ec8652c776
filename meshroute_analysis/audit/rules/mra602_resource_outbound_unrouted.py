"""MRA602: real-resource outbounds that get no listener because the mesh still has a TrafficRoute.

From 2.9 a proxy's MeshService / MeshExternalService / MeshMultiZoneService outbounds are built only by the
route plugins: the TrafficRoute generator takes ``kuma.io/service`` outbounds only
(``v2.14.3:pkg/xds/generator/outbound_proxy_generator.go``, NonBackendRefFilter), and each plugin returns
early for a proxy when the mesh has a TrafficRoute and none of its kuma.io/service rules match the proxy
(``meshtcproute/plugin/v1alpha1/plugin.go``, ``meshhttproute/plugin/v1alpha1/plugin.go``: the guard counts
``ToRules.Rules``, not the resource rules).  Such an outbound has no listener: its traffic goes nowhere.
One finding per mesh and destination, on the mesh's first TrafficRoute (often a ``route-all`` kept from 2.5).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import TR, AuditContext
from ..finding import Finding

CODE = "MRA602"


def check(ctx: AuditContext) -> Iterator[Finding]:
    if not ctx.res.semantics.resource_engine:
        return
    routes = ctx.res.routes
    real = routes[(routes["service"] != routes["destination"]) & (routes["route_type"] == "none") & ~routes["gateway_listener"]]
    if real.empty:
        return
    trafficroutes = {}
    for policy in ctx.policies:
        if policy.type == TR and not ctx.res.refuses(policy):
            trafficroutes.setdefault(policy.mesh, policy)
    for (mesh, destination), rows in real.groupby(["mesh", "destination"], sort=True):
        route = trafficroutes.get(mesh)
        if route is None:
            continue
        sources = sorted(rows["source"])
        shown = ", ".join(sources[:3]) + (f" and {len(sources) - 3} more" if len(sources) > 3 else "")
        yield ctx.finding(
            CODE, route,
            f"{destination} gets no listener on {len(sources)} source(s) ({shown}): mesh {mesh!r} has TrafficRoute "
            f"{route.name}, which builds only kuma.io/service outbounds, and no MeshTCPRoute/MeshHTTPRoute with a "
            "kuma.io/service rule matches these proxies, so the route plugins skip them; remove the TrafficRoute "
            "(2.6+ needs none) or give these proxies a Mesh*Route",
        )
