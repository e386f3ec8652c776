"""MRA903: a ``to`` entry that decides no pair's traffic, in a policy that is otherwise in use.

See :mod:`..liveness`.  Policies where no entry is live are reported once by MRA902 instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext
from ..finding import Finding
from ..liveness import liveness

CODE = "MRA903"


def check(ctx: AuditContext) -> Iterator[Finding]:
    for life in liveness(ctx):
        if not life.live:
            continue
        policy = life.policy
        for entry in life.entries:
            if entry.live:
                continue
            yield ctx.finding(
                CODE, policy,
                f"{policy.key}: to[{entry.index}] ({entry.destination}) decides no pair's traffic in Kuma {ctx.version}: "
                f"{entry.why()}",
                f"spec.to[{entry.index}]",
            )
