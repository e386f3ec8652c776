"""MRA505: the repository is written for a newer Kuma than the one modelled.

Each modelled version validates every policy as its own control plane would (``resolve/validity.py``).  When
policies the modelled version refuses are all accepted by a later one, the repository most likely targets that
later release: one finding says so and names the lowest version that accepts them, above the validation
errors (MRA101) that would otherwise be all the user sees.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext
from ..finding import Finding

CODE = "MRA505"


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def check(ctx: AuditContext) -> Iterator[Finding]:
    from ...resolve.semantics import semantics_for, supported_versions
    from ...resolve.validity import version_violations

    refused = [p for p in ctx.policies if ctx.res.refuses(p)]
    if not refused:
        return
    current = _key(ctx.res.semantics.version.split(".", 2)[0] + "." + ctx.res.semantics.version.split(".")[1])
    accepted_from: dict[int, str] = {}
    for version in sorted((v for v in supported_versions() if _key(v) > current), key=_key):
        _, refused_there = version_violations(ctx.content, semantics_for(version))
        for policy in refused:
            if id(policy) not in refused_there:
                accepted_from.setdefault(id(policy), version)
    if not accepted_from:
        return
    newer = [p for p in refused if id(p) in accepted_from]
    lowest = max((accepted_from[id(p)] for p in newer), key=_key)
    rest = len(refused) - len(newer)
    tail = f"; {rest} more are refused by every modelled version" if rest else ""
    first = newer[0]
    yield ctx.finding(
        CODE, first,
        f"{len(newer)} of the {len(refused)} policies Kuma {ctx.version} refuses are accepted by Kuma {lowest}"
        f"{tail}: the repository looks written for a newer Kuma (resolve it with --kuma-version {lowest}, or set "
        f"kuma-version = \"{lowest}\" in .meshroute.toml)",
    )
