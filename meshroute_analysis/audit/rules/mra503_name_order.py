"""MRA503: two policies whose merge order differs between Kubernetes and Universal.

2.5.11 sorts matched policies of equal top-level kind by core name ascending and the last one merged wins
(``pkg/plugins/policies/core/matchers/dataplane.go`` ``ByTargetRef``).  The core name is
``<metadata.name>.<namespace>`` on Kubernetes (``pkg/plugins/resources/k8s/store.go``) and the plain name on
Universal; '.' (0x2E) sorts after '-' (0x2D), so ``route.kuma-system`` > ``route-2.kuma-system`` while
``route`` < ``route-2``.  Reported only when both apply to a common proxy group and name a common
destination, i.e. when the flip would change which one configures it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model import Format, Policy
from ..context import AuditContext, name_path
from ..finding import Finding

CODE = "MRA503"
#: The namespace a Universal policy would live in on Kubernetes (2.5 keeps every policy there).
SYSTEM_NAMESPACE = "kuma-system"


def _kubernetes_name(policy: Policy) -> str:
    return f"{policy.name}.{policy.resource.namespace or SYSTEM_NAMESPACE}"


def _winner(a: Policy, b: Policy, name) -> Policy:  # noqa: ANN001 - a key function
    return a if name(a) > name(b) else b


def _prefix_pairs(policies: list[Policy]) -> Iterator[tuple[Policy, Policy]]:
    """Pairs where one name is a prefix of the other: the only pairs whose order can flip, since names that
    differ earlier compare the same way with or without the ``.<namespace>`` suffix.  Walking the sorted
    names keeps this linear in the policies plus the pairs, where every pair would be quadratic."""
    ordered = sorted(policies, key=lambda p: (p.name, p.core_name))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if not b.name.startswith(a.name):
                break
            yield a, b


def _namespaces_differ(a: Policy, b: Policy) -> bool:
    both_kubernetes = a.resource.format is Format.KUBERNETES and b.resource.format is Format.KUBERNETES
    return both_kubernetes and a.resource.namespace != b.resource.namespace


def check(ctx: AuditContext) -> Iterator[Finding]:
    if ctx.res.semantics.name_descending:
        return  # from 2.6 the display name orders, which is metadata.name on Kubernetes and the name on Universal
    groups: dict[tuple[str, str, str], list[Policy]] = {}
    for policy in ctx.route_policies(valid=True):
        if policy.target_ref is not None:
            groups.setdefault((policy.mesh, policy.type, policy.target_ref.kind), []).append(policy)
    for (_mesh, _, kind), policies in sorted(groups.items()):
        for a, b in _prefix_pairs(policies):
            if _namespaces_differ(a, b):
                continue  # 2.5 admits plugin policies only in the system namespace: both cannot exist at once
            on_k8s = _winner(a, b, _kubernetes_name)
            on_universal = _winner(a, b, lambda p: p.name)
            if on_k8s is on_universal:
                continue
            shared_sources = ctx.selected_sources(a) & ctx.selected_sources(b)
            dests = {d for e in a.to if (d := ctx.entry_destination(e))} & {d for e in b.to if (d := ctx.entry_destination(e))}
            dests.discard(None)
            if not shared_sources or not dests:
                continue
            here = on_k8s if a.resource.format is Format.KUBERNETES else on_universal
            other = b if here is a else a
            form, other_form = ("Kubernetes", "Universal") if here.resource.format is Format.KUBERNETES else ("Universal", "Kubernetes")
            yield ctx.finding(
                CODE, here,
                f"{here.key} wins over {other.key} (both top-level {kind}) for {', '.join(sorted(dests))} from "
                f"{', '.join(sorted(shared_sources))} because Kuma 2.5 merges equal kinds by core name "
                f"({here.core_name!r} sorts after {other.core_name!r}); written in {other_form} form the order flips "
                f"and {other.name} would win, since '.' sorts after '-'. Rename so that neither name is a prefix "
                "of the other",
                name_path(here),
            )
