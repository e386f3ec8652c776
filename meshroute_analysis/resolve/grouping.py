"""Sources: groups of proxies that Kuma cannot tell apart for outbound routing, and their destinations.

What a 2.5 control plane reads of a proxy to route its outbounds (``matchers/dataplane.go``,
``connection_matcher.go``, ``permissions/matcher.go``, the generators): its mesh, the tags of its inbounds
and whether each is ``Ignored`` (targetRef selection skips those; legacy selectors see all inbounds), its
gateway, and its outbounds.  ``NotReady`` or unhealthy inbounds change what *other* proxies see (endpoints),
never how this proxy routes, so they do not split a group.  Ports and addresses do not either.

A group is named after the smallest ``Proxy.group_name`` (the Dataplane's name, or ``<workload>.<namespace>``
for Kubernetes replicas).  When two groups would get the same name (replicas that differ, e.g. one pod with
an Ignored inbound), the later ones get `` (<first proxy name>)`` appended, and `` #2``, `` #3``... if even
that is taken (two proxies of one name in one mesh).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from ..model import SERVICE_TAG, Origin, Proxy, Service, Tags

Signature = tuple


@dataclass(frozen=True, slots=True)
class SourceGroup:
    mesh: str
    name: str
    proxies: tuple[Proxy, ...]
    #: Tag sets a legacy selector (TrafficRoute / TrafficPermission source) may match: every inbound, then
    #: the gateway's tags (``Dataplane.Matches``).
    legacy_tag_sets: tuple[Mapping[str, str], ...]
    #: The first proxy, whose inbounds and outbounds every member shares.
    representative: Proxy

    @property
    def size(self) -> int:
        # Replicas past the modelled ones are counted, not built (Proxy.stands_for).
        return sum(p.stands_for for p in self.proxies)


#: Kuma tags a pod with its own name (``kuma.io/instance``: headless Services, service-less pods); replicas
#: then differ only in it, which matters only where a policy of the mesh names that tag.
INSTANCE_TAG = "kuma.io/instance"


def _without(tags: Tags, key: str | None) -> Tags:
    return tags if key is None else tuple(kv for kv in tags if kv[0] != key)


def proxy_signature(proxy: Proxy, ignored_key: str | None = None, by_name: bool = False) -> Signature:
    """What the proxy's routing depends on.  Its labels and namespace count (``kind: Dataplane`` refs and
    namespaced policies select by them), its name only where a Dataplane ref names proxies (``by_name``)."""
    inbounds = tuple(sorted((_without(ib.tags, ignored_key), ib.state == "Ignored") for ib in proxy.inbounds))
    gateway = None if proxy.gateway is None else (proxy.gateway.type, _without(proxy.gateway.tags, ignored_key))
    outbounds = None if proxy.outbounds is None else tuple((o.service, o.tags) for o in proxy.outbounds)
    extra = tuple((o.service, o.tags) for o in proxy.extra_outbounds)
    name = proxy.name if by_name else None
    return (proxy.mesh, inbounds, gateway, outbounds, extra, proxy.reachable, proxy.labels, proxy.namespace, name,
            proxy.reachable_backends, proxy.listed_backends)


def legacy_tag_sets(proxy: Proxy) -> tuple[dict[str, str], ...]:
    sets = [dict(ib.tags) for ib in proxy.inbounds]
    if proxy.gateway is not None:
        sets.append(dict(proxy.gateway.tags))
    return tuple(sets)


def _display_name(proxy: Proxy) -> str:
    return proxy.group_name or proxy.name


def group_proxies(proxies: Iterable[Proxy], instance_blind: AbstractSet[str] = frozenset(),
                  named: AbstractSet[str] = frozenset()) -> list[SourceGroup]:
    """Groups in (mesh, name) order; members in name order.  In the meshes of ``instance_blind`` no policy
    names ``kuma.io/instance``, so proxies that differ only in it route alike; in the meshes of ``named`` a
    ``kind: Dataplane`` ref names proxies, so each is its own group."""
    buckets: dict[Signature, list[Proxy]] = {}
    for proxy in proxies:
        key = INSTANCE_TAG if proxy.mesh in instance_blind else None
        buckets.setdefault(proxy_signature(proxy, key, proxy.mesh in named), []).append(proxy)
    drafts = []
    for members in buckets.values():
        members.sort(key=lambda p: (_display_name(p), p.name))
        drafts.append((members[0].mesh, _display_name(members[0]), members))
    drafts.sort(key=lambda d: (d[0], d[1], -len(d[2]), d[2][0].name))
    taken: set[tuple[str, str]] = set()
    groups: list[SourceGroup] = []
    for mesh, name, members in drafts:
        if (mesh, name) in taken:
            name = f"{name} ({members[0].name})"
        # Proxies of one name in one mesh (a broken inventory) could still collide: count on.
        base, n = name, 2
        while (mesh, name) in taken:
            name, n = f"{base} #{n}", n + 1
        taken.add((mesh, name))
        groups.append(SourceGroup(mesh, name, tuple(members), legacy_tag_sets(members[0]), members[0]))
    return groups


def mesh_destinations(
    mesh: str, services: Mapping[tuple[str, str], Service], proxies: Sequence[Proxy]
) -> tuple[str, ...]:
    """What a proxy without listed outbounds reaches: every service of its mesh that is not only named by
    policies -- unless every proxy of the mesh is inferred (a policy-only repository), then all of them."""
    all_inferred = bool(proxies) and all(p.origin is Origin.INFERRED for p in proxies if p.mesh == mesh)
    names = [
        name for (m, name), svc in services.items() if m == mesh and (all_inferred or not svc.inferred)
    ]
    return tuple(sorted(names))


def group_destinations(group: SourceGroup, mesh_services: Sequence[str], keep_listed: bool = True) -> list[tuple[str, dict[str, str]]]:
    """(service, outbound tags) in outbound order; one entry per service (the last outbound's tags).
    A transparent proxy's virtual outbounds (every service of the mesh) come before its listed ones, which
    it keeps only while ``keep_listed`` (up to 2.8)."""
    rep = group.representative
    if rep.reachable is not None:  # only the reachable services that have a virtual outbound
        mesh_services = [s for s in mesh_services if s in rep.reachable]
    if rep.outbounds is None and (not rep.extra_outbounds or not keep_listed):
        return [(s, {SERVICE_TAG: s}) for s in mesh_services]
    seen: dict[str, dict[str, str]] = {}
    if rep.outbounds is None:
        seen.update((s, {SERVICE_TAG: s}) for s in mesh_services)
    # Several outbounds of one service are several listeners; a pair shows the last one (the proxy's own
    # listed outbound over a virtual one), as the control plane's outbound list ends with it.
    for ob in rep.outbounds if rep.outbounds is not None else rep.extra_outbounds:
        tags = dict(ob.tags)
        tags.setdefault(SERVICE_TAG, ob.service)
        seen[ob.service] = tags
    return list(seen.items())
