"""MRA204: a top-level targetRef that selects no proxy of the inventory.

2.5.11 applies a targetRef policy to a proxy when its selector matches one inbound that is not Ignored
(``pkg/plugins/policies/core/matchers/dataplane.go``); the audit reads the groups each policy selects from
the resolution (``AuditContext.selected``: what the resolver's ``TargetRefIndex`` chose per group shape, the
same answer as ``resolve.selection.explain_selection``), so both agree, and the message is built only for a
policy that selects nothing.  Inferred proxies do not count: they exist only because a policy names them.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Origin
from ..context import AuditContext
from ..finding import Finding

CODE = "MRA204"


def check(ctx: AuditContext) -> Iterator[Finding]:
    for policy in ctx.route_policies(valid=True):
        if not ctx.has_inventory(policy.mesh) or policy.target_ref is None:
            continue
        real = [proxy for _, proxy in ctx.selected(policy) if proxy.origin is not Origin.INFERRED]
        if real:
            continue
        ref = policy.target_ref
        what = f"{ref.kind}" + (f" {ref.name}" if ref.name else "") + (f" {dict(ref.tags)}" if ref.tags else "")
        inbound = "one inbound, not Ignored," if ctx.res.semantics.skip_ignored_inbounds else "one inbound"
        yield ctx.finding(
            CODE, policy,
            f"{policy.key}: the top-level targetRef ({what}) selects no Dataplane or workload of mesh "
            f"{policy.mesh!r} (Kuma {ctx.version} needs {inbound} carrying all of its tags, or a gateway listener), "
            "so the policy configures nothing",
            "spec.targetRef",
        )
