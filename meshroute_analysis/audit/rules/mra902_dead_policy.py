"""MRA902: a policy that decides no pair's traffic.

See :mod:`..liveness` for what "decides" means per type.  Policies that select no proxy are MRA204's.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import TR, AuditContext, kind_path
from ..finding import Finding
from ..liveness import liveness

CODE = "MRA902"


def check(ctx: AuditContext) -> Iterator[Finding]:
    for life in liveness(ctx):
        if life.live:
            continue
        policy = life.policy
        if life.reason:
            why = life.reason
        else:
            why = "; ".join(f"to[{e.index}]: {e.why()}" for e in life.entries)
        advice = "remove it" if policy.type == TR else "fix or remove it"
        yield ctx.finding(
            CODE, policy,
            f"{policy.key} decides the traffic of no (source, destination) pair in Kuma {ctx.version}: {why}; {advice}",
            kind_path(policy) if policy.type == TR or not policy.to else "spec.to",
        )
