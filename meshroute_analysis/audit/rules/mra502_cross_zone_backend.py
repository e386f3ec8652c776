"""MRA502: a MeshTCPRoute backend in another zone, which 2.5 does not support.

Seed page: "MeshTCPRoute doesn't support cross zone traffic before version 2.6.0".  In 2.5.11 zone ingress
and egress learn only MeshHTTPRoute backends (``pkg/xds/generator/zoneproxy/destinations.go``); 2.6
(``80007a7969``, #8509) adds MeshTCPRoute backendRef tag sets.  A ``kuma.io/zone`` tag in a backendRef is
the way to pick a zone, so that is what is reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model import ZONE_TAG, tag_value
from ..context import TCP, AuditContext, ref_sites
from ..finding import Finding

CODE = "MRA502"


def check(ctx: AuditContext) -> Iterator[Finding]:
    if ctx.res.semantics.cross_zone_tcp_routes:
        return  # from 2.6 zone proxies learn MeshTCPRoute backends
    for policy in ctx.route_policies(valid=True):
        if policy.type != TCP:
            continue
        for site in ref_sites(policy):
            for k, ref in enumerate(site.refs):
                zone = tag_value(ref.tags, ZONE_TAG)
                if zone is None:
                    continue
                yield ctx.finding(
                    CODE, policy,
                    f"{policy.key}: backendRef {ref.name!r} selects {ZONE_TAG}={zone}; MeshTCPRoute does not "
                    "support cross-zone traffic before Kuma 2.6.0 (zone ingress/egress do not learn MeshTCPRoute "
                    "backends in 2.5), so this share cannot reach another zone",
                    f'{site.path}[{k}].tags["{ZONE_TAG}"]',
                )
