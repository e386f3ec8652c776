"""MRA504: a choice only ``creationTime`` decides, which no file holds.

Read at 2.5.11: ``pkg/core/policy/connection_matcher.go`` (``SelectConnectionPolicies`` for TrafficRoute,
``SelectInboundConnectionPolicy`` for the TrafficPermission that governs an ExternalService) keeps, of
policies with the same rank, the one whose ``CreationTime`` is later.  The resolver assumes apply order
(``res.ties``); this rule names the policies and says the outcome depends on it, and never calls the other
one dead (MRA902 leaves tied TrafficRoutes alone).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext, kind_path
from ..finding import Finding

CODE = "MRA504"


def check(ctx: AuditContext) -> Iterator[Finding]:
    for tie in ctx.res.ties.itertuples():
        others = ", ".join(tie.tied)
        what = "pair" if tie.kind == "TrafficRoute" else "ExternalService"
        count = f"{tie.pairs} {what}{'s' if tie.pairs != 1 else ''} (e.g. {tie.example})"
        text = (f"{tie.kind}s {tie.chosen} and {others} match {count} with the same rank: Kuma keeps the one created "
                f"later, which no file records. Assumed {tie.chosen}, applied later (files in path order, documents "
                f"in file order); if {others} was created later, it decides instead. Make one of them more specific "
                "to decide it in the files")
        for name in (tie.chosen, *tie.tied):
            policy = ctx.policy(tie.mesh, f"{tie.kind}/{name}")
            if policy is not None and not ctx.is_implicit(policy):
                yield ctx.finding(CODE, policy, text, kind_path(policy))
