"""MRA505: the repository is written for a newer Kuma than the one modelled.

Every Kuma release from 2.5 to 2.14 has a validation profile (:mod:`meshroute_analysis.validation`), whether or
not the resolver models its routing yet.  When policies the modelled version refuses are accepted by a later
release, the repository most likely targets that release: one finding says so and names the lowest version
that accepts them all, above the validation errors (MRA101) that would otherwise be all the user sees.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext
from ..finding import Finding

CODE = "MRA505"


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".")[:2])


def check(ctx: AuditContext) -> Iterator[Finding]:
    from ...resolve.semantics import supported_versions
    from ...validate import violations_at
    from ...validation.profiles import PROFILES

    refused = [p for p in ctx.policies if ctx.res.refuses(p)]
    if not refused:
        return
    current = _key(ctx.version)
    namespaces = ctx.content.system_namespaces
    accepted_from: dict[int, str] = {}
    for version in sorted((v for v in PROFILES if _key(v) > current), key=_key):
        for policy in refused:
            if id(policy) not in accepted_from and not violations_at(policy.resource, version, namespaces):
                accepted_from[id(policy)] = version
    newer = [p for p in refused if id(p) in accepted_from]
    if not newer:
        return
    lowest = max((accepted_from[id(p)] for p in newer), key=_key)
    rest = len(refused) - len(newer)
    tail = f"; {rest} more are refused by every release up to {max(PROFILES, key=_key)}" if rest else ""
    modelled = lowest in supported_versions()
    advice = (f"resolve it with --kuma-version {lowest}, or set kuma-version = \"{lowest}\" in .meshroute.toml" if modelled
              else f"the toolkit validates {lowest} but resolves only {', '.join(supported_versions())} so far")
    yield ctx.finding(
        CODE, newer[0],
        f"{len(newer)} of the {len(refused)} policies Kuma {ctx.version} refuses are accepted by Kuma {lowest}{tail}: "
        f"the repository looks written for a newer Kuma ({advice})",
    )
