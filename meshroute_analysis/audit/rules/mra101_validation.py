"""MRA101: one finding per field that fails the modelled Kuma version's validation (``res.violations``).

The violations come from :mod:`meshroute_analysis.validate`, a port of 2.5.11's validators
(``pkg/plugins/policies/meshtcproute/api/v1alpha1/validator.go`` and friends) with Kuma's paths and
messages.  Violations that a more specific code explains are left to it: a top-level ``MeshGateway`` and
the ``to`` kind ``Mesh`` that goes with it (MRA501).  A field that fails both the schema and the
validator (an unknown kind: "should be one of [...]" and "value is not supported") is one finding that
quotes both messages.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model import ViolationRecord
from ..context import AuditContext
from ..finding import Finding
from .mra501_meshgateway import gateway_paths

CODE = "MRA101"


def check(ctx: AuditContext) -> Iterator[Finding]:
    by_key = {(p.resource.file, p.resource.line, p.key): p for p in ctx.policies}
    fields: dict[tuple[str, int, str, str], list[ViolationRecord]] = {}
    for v in ctx.res.violation_records:
        fields.setdefault((v.file, v.document_line, v.policy, v.path), []).append(v)
    for (_, _, _, path), found in fields.items():
        v = found[0]
        policy = by_key.get((v.file, v.document_line, v.policy))
        if policy is not None and path in gateway_paths(ctx, policy):
            continue
        messages = "; ".join(dict.fromkeys(f.message for f in found))
        text = (
            f"{v.policy} is rejected by Kuma {ctx.version} ({path}: {messages}); the control plane refuses the whole "
            "policy, so none of it applies"
        )
        if policy is None:
            yield Finding(CODE, text, v.file, v.line or None, policy=v.policy, path=v.path)
        else:
            yield ctx.finding(CODE, policy, text, v.path)
