"""MRA102: a MeshServiceSubset backendRef without tags.

The seed page says tags "must be specified if the kind is MeshServiceSubset", but 2.5.11's
``ValidateTargetRef`` (``pkg/core/resources/apis/mesh/validators.go``) accepts empty tags, and the split
builder (``pkg/plugins/policies/core/xds/meshroute/listeners.go`` makeSplit) then makes the plain
``kuma.io/service`` cluster: every endpoint of the service, as with kind MeshService.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext, ref_sites
from ..finding import Finding

CODE = "MRA102"


def check(ctx: AuditContext) -> Iterator[Finding]:
    for policy in ctx.route_policies(valid=True):
        for site in ref_sites(policy):
            for k, ref in enumerate(site.refs):
                if ref.kind == "MeshServiceSubset" and not ref.tags:
                    yield ctx.finding(
                        CODE, policy,
                        f"{policy.key}: backendRef {ref.name!r} has kind MeshServiceSubset but no tags; Kuma {ctx.version} "
                        f"accepts it and sends this share to every endpoint of {ref.name}, as kind MeshService "
                        "would: add the tags of the subset you mean, or use kind MeshService",
                        f"{site.path}[{k}]",
                    )
