"""Which targetRef route policies (MeshTCPRoute, MeshHTTPRoute) apply to a proxy (reference §2).

Source: ``pkg/plugins/policies/core/matchers/dataplane.go`` (``MatchedPolicies``,
``inboundsSelectedByPolicy``, ``inboundsSelectedByTags``) at 2.5.11:

- the top-level targetRef is turned into one tag selector (Mesh: none, MeshSubset: its tags, MeshService:
  ``kuma.io/service``, MeshServiceSubset: the service plus its tags, the tags overriding);
- the policy applies when that selector matches **one single** inbound that is not ``Ignored``; once it
  applies it governs every outbound of the proxy;
- only policies of the proxy's own mesh and only valid ones are considered.

The listeners of the MeshGateway that serves a proxy count as inbounds too (:mod:`.gateways`): a
MeshSubset may select a sidecar through its gateway's listener tags.

:class:`TargetRefIndex` answers "which policies select this inbound set" without testing every policy:
policies are filed under the service (MeshService / MeshServiceSubset) or one tag pair (MeshSubset) that any
selected inbound must carry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from ..model import MESH_LABEL, SERVICE_TAG, Origin, Policy, Proxy, tag_value
from .semantics import DISPLAY_NAME_LABEL, ORIGIN_LABEL, Semantics, display_name
from ..validation.admission import policy_role as admission_role
from ..validation.profiles import profile_for
from .tagmatch import MATCH_ALL, format_tags, selector_matches

InboundTags = Mapping[str, str]


def required_tags(policy: Policy, semantics: Semantics) -> dict[str, str] | None:
    """The tags one inbound must carry for the policy to select it; None when the kind cannot select by
    tags (``kind: Dataplane`` selects by name or labels: :func:`dataplane_ref_selects`)."""
    ref = policy.target_ref
    kind = semantics.top_level_kind(policy)
    if kind == "Mesh" and kind in semantics.top_level_kinds:
        return {}
    if ref is None or ref.kind not in semantics.top_level_kinds or ref.kind == "Dataplane":
        return None
    if ref.kind == "MeshSubset":
        return dict(ref.tags)
    if not ref.name:
        return None
    tags = {SERVICE_TAG: ref.name}
    if ref.kind == "MeshServiceSubset":
        tags.update(dict(ref.tags))  # inboundsSelectedByPolicy: ref tags are copied over the service tag
    return tags


def selecting_inbounds(proxy: Proxy, semantics: Semantics, listeners: Sequence[InboundTags] = ()) -> list[dict[str, str]]:
    """The tag sets a targetRef may select: every inbound but ``Ignored`` ones (until 2.7.24), the
    ``listeners`` of the proxy's MeshGateway (their merged tags, :func:`~.gateways.listener_tag_sets`) and,
    from 2.6, a delegated gateway's own tags (``matchers/dataplane.go`` inboundsSelectedByTags)."""
    inbounds = [
        dict(ib.tags)
        for ib in proxy.inbounds
        if not (semantics.skip_ignored_inbounds and ib.state == "Ignored")
    ]
    delegated = proxy.gateway is not None and proxy.gateway.type == "DELEGATED"
    own = [dict(proxy.gateway.tags)] if semantics.delegated_gateways_selectable and delegated else []  # type: ignore[union-attr]
    return inbounds + [dict(tags) for tags in listeners] + own


#: The zone a control plane calls itself when it is not told (``multizone.zone.name`` in
#: ``v2.14.3:pkg/config/app/kuma-cp/kuma-cp.defaults.yaml``).
DEFAULT_ZONE = "default"
ZONE_LABEL = "kuma.io/zone"
NAMESPACE_LABEL = "k8s.kuma.io/namespace"


def dataplane_labels(proxy: Proxy, zone: str = DEFAULT_ZONE) -> dict[str, str]:
    """The labels a zone control plane stores on the proxy's Dataplane: its own (a pod's), then what it
    computes where they are not set (``v2.14.3:pkg/core/resources/labels/compute.go`` Compute)."""
    labels = dict(proxy.labels)
    labels.setdefault(MESH_LABEL, proxy.mesh)
    labels.setdefault(ORIGIN_LABEL, "zone")
    if labels[ORIGIN_LABEL] != "global":
        labels.setdefault(ZONE_LABEL, zone)
        labels.setdefault("kuma.io/env", "kubernetes" if proxy.origin is Origin.KUBERNETES else "universal")
    if proxy.namespace:
        labels.setdefault(NAMESPACE_LABEL, proxy.namespace)
    labels["kuma.io/proxy-type"] = "gateway" if proxy.gateway is not None else "sidecar"
    return labels


def _dataplane_display_name(proxy: Proxy) -> str:
    """What a ``kind: Dataplane`` name compares with: the display name, the pod's own name on Kubernetes."""
    own = tag_value(proxy.labels, DISPLAY_NAME_LABEL)
    if own:
        return own
    if proxy.origin is Origin.KUBERNETES and proxy.namespace and proxy.name.endswith("." + proxy.namespace):
        return proxy.name[: -len(proxy.namespace) - 1]
    return proxy.name


def dataplane_ref_selects(policy: Policy, proxy: Proxy, semantics: Semantics, zone: str = DEFAULT_ZONE) -> bool:
    """2.10+: whether a ``kind: Dataplane`` top-level targetRef selects ``proxy`` (``v2.14.3:pkg/plugins/
    policies/core/matchers/dataplane.go`` DppSelectedByPolicy): never a builtin gateway; a proxy chosen by
    name (its KRI: mesh, zone, namespace, name) or labels (all equal to the Dataplane's), or every proxy when
    the ref has neither; then it is selected through its inbounds, whatever their state, or as a delegated
    gateway where the version allows it."""
    ref = policy.target_ref
    if ref is None or proxy.gateway is not None and proxy.gateway.type == "BUILTIN":
        return False
    if ref.name:
        # The ref's namespace defaults to the policy's, which only a Kubernetes control plane records
        # (``labels.Compute`` sets ``k8s.kuma.io/namespace`` only there): a Universal proxy has none.
        ns = ref.namespace or (policy_namespace(policy) if proxy.origin is Origin.KUBERNETES else None) or ""
        chosen = (
            ref.name == _dataplane_display_name(proxy)
            and ns == (proxy.namespace or "")
            and policy_zone(policy, zone) == dataplane_labels(proxy, zone).get(ZONE_LABEL, "")
        )
    elif ref.labels is not None:
        labels = dataplane_labels(proxy, zone)
        chosen = all(labels.get(k) == v for k, v in ref.labels)
    else:
        chosen = not ref.namespace
    if not chosen:
        return False
    delegated = proxy.gateway is not None and proxy.gateway.type == "DELEGATED"
    return bool(proxy.inbounds) or (delegated and semantics.dataplane_ref_selects_delegated)


def policy_namespace(policy: Policy) -> str | None:
    """``k8s.kuma.io/namespace`` of a policy: its label, else its Kubernetes namespace."""
    return tag_value(policy.resource.labels, NAMESPACE_LABEL) or policy.resource.namespace


def policy_zone(policy: Policy, zone: str = DEFAULT_ZONE) -> str:
    """``kuma.io/zone`` of a policy as a zone control plane stores it (computed for a zone-origin one)."""
    labels = dict(policy.resource.labels)
    if labels.get(ORIGIN_LABEL, "zone") == "global":
        return labels.get(ZONE_LABEL, "")
    return labels.get(ZONE_LABEL, zone)


def out_of_scope(policy: Policy, role: str | None, proxy: Proxy, semantics: Semantics, zone: str = DEFAULT_ZONE) -> str:
    """Why a policy cannot select ``proxy`` whatever its targetRef ("" when it may): from 2.8 a consumer or
    workload-owner policy selects only its own namespace (``dppSelectedByNamespace``); from 2.9 a zone-origin
    policy labelled with another zone selects nothing here (``dppSelectedByZone``)."""
    if semantics.role_tiers and role in ("consumer", "workload-owner"):
        ns = policy_namespace(policy)
        if not ns or ns != (proxy.namespace or tag_value(proxy.labels, NAMESPACE_LABEL)):
            return f"a {role} policy of namespace {ns!r} selects only proxies of that namespace"
    if semantics.zone_filter and role != "producer":
        labels = dict(policy.resource.labels)
        if labels.get(ORIGIN_LABEL) == "zone" and ZONE_LABEL in labels:
            own = dataplane_labels(proxy, zone)
            if own.get(ORIGIN_LABEL) == "zone" and own.get(ZONE_LABEL, labels[ZONE_LABEL]) != labels[ZONE_LABEL]:
                return f"a policy of zone {labels[ZONE_LABEL]!r} selects only proxies of that zone"
    return ""


def proxy_type(proxy: Proxy) -> str:
    """``proxyTypes`` vocabulary: a Dataplane with any gateway (builtin or delegated) is a Gateway."""
    return "Gateway" if proxy.gateway is not None else "Sidecar"


def excluded_by_proxy_type(policy: Policy, kind_of_proxy: str, semantics: Semantics) -> bool:
    """2.6+: ``proxyTypes`` on a Mesh or MeshSubset targetRef leaves out other kinds of proxy."""
    ref = policy.target_ref
    if not semantics.proxy_types or ref is None or ref.kind not in ("Mesh", "MeshSubset") or not ref.proxy_types:
        return False
    return kind_of_proxy not in ref.proxy_types


def order_policies(policies: Iterable[Policy], semantics: Semantics) -> list[Policy]:
    """Merge order (§3.1): kind rank ascending, then core name (from 2.6 the tiers of
    :meth:`~.semantics.Semantics.policy_sort_key`); the last one merged wins."""
    return sorted(policies, key=lambda p: semantics.policy_sort_key(p, policy_role(p, semantics)))


def order_reason(policy: Policy, semantics: Semantics) -> str:
    kind = semantics.top_level_kind(policy) or "?"
    rank = semantics.kind_order.get(kind, 0)
    if not semantics.name_descending:
        return f"kind {kind} (rank {rank}), core name {policy.core_name!r}"
    origin = tag_value(policy.resource.labels, ORIGIN_LABEL)
    role = policy_role(policy, semantics) if semantics.role_tiers else None
    return (f"kind {kind} (rank {rank})" + (f", origin {origin}" if origin else "") + (f", role {role}" if role else "")
            + f", display name {display_name(policy)!r}")


def order_rule(semantics: Semantics) -> str:
    """How this version orders matched policies, in words (the last merged wins)."""
    if not semantics.name_descending:
        return "kind rank, then core name ascending; the last merged wins"
    tiers = "kind rank, "
    if semantics.dataplane_target_ref:
        tiers += "then (Dataplane refs) labels before a name, "
    tiers += "then origin (global, none, zone), then (MeshGateway refs) fewer listener tags, "
    if semantics.role_tiers:
        tiers += "then role (system, producer, consumer, workload-owner), "
    return tiers + "then display name descending; the last merged wins, so the smallest name"


def policy_role(policy: Policy, semantics: Semantics) -> str | None:
    """The ``kuma.io/policy-role`` the control plane stores for ``policy`` (None: none, which counts as
    system); only read from 2.8, where roles exist."""
    if not semantics.role_tiers:
        return None
    role, _ = admission_role(policy.resource, profile_for(semantics.validates_as))
    return role


class TargetRefIndex:
    """The valid targetRef policies of one type and one mesh, filed by what they require."""

    def __init__(self, policies: Iterable[Policy], semantics: Semantics, zone: str = DEFAULT_ZONE) -> None:
        self.semantics = semantics
        self.zone = zone
        self.everywhere: list[Policy] = []  # Mesh (or no targetRef from 2.9), MeshSubset without tags
        self.by_service: dict[str, list[tuple[Policy, dict[str, str]]]] = defaultdict(list)
        self.by_pair: dict[tuple[str, str], list[tuple[Policy, dict[str, str]]]] = defaultdict(list)
        self.by_key: dict[str, list[tuple[Policy, dict[str, str]]]] = defaultdict(list)  # '*' values only
        self.dataplane_refs: list[Policy] = []  # kind: Dataplane (2.10+), matched per proxy
        self.sort_key: dict[int, tuple] = {}
        #: Policies whose namespace or zone may keep them from a proxy (2.8+), with their role.
        self.scoped: dict[int, str | None] = {}
        for policy in policies:
            role = policy_role(policy, semantics)
            self.sort_key[id(policy)] = semantics.policy_sort_key(policy, role)
            if semantics.role_tiers and (role in ("consumer", "workload-owner") or ZONE_LABEL in dict(policy.resource.labels)):
                self.scoped[id(policy)] = role
            if semantics.dataplane_target_ref and semantics.top_level_kind(policy) == "Dataplane":
                self.dataplane_refs.append(policy)
                continue
            required = required_tags(policy, semantics)
            if required is None:
                continue
            if not required:
                self.everywhere.append(policy)
            elif SERVICE_TAG in required and required[SERVICE_TAG] != MATCH_ALL:
                self.by_service[required[SERVICE_TAG]].append((policy, required))
            else:
                exact = sorted((k, v) for k, v in required.items() if v != MATCH_ALL)
                if exact:
                    self.by_pair[exact[0]].append((policy, required))
                else:
                    self.by_key[min(required)].append((policy, required))

    def select(self, proxy: Proxy, inbounds: Sequence[InboundTags], kind_of_proxy: str = "Sidecar") -> list[Policy]:
        """The policies that select ``proxy``: through at least one of ``inbounds`` (already without Ignored
        ones where the version skips them) or, for ``kind: Dataplane``, by its name or labels; in merge order."""
        found: dict[int, Policy] = {id(p): p for p in self.dataplane_refs if dataplane_ref_selects(p, proxy, self.semantics, self.zone)}
        if not inbounds and not found:
            return []
        if inbounds:
            found.update((id(p), p) for p in self.everywhere)
        for tags in inbounds:
            candidates: list[tuple[Policy, dict[str, str]]] = []
            service = tags.get(SERVICE_TAG)
            if service is not None:
                candidates.extend(self.by_service.get(service, ()))
            for pair in tags.items():
                candidates.extend(self.by_pair.get(pair, ()))
            for key in tags:
                candidates.extend(self.by_key.get(key, ()))
            for policy, required in candidates:
                if id(policy) not in found and selector_matches(required, tags):
                    found[id(policy)] = policy
        sort_key, scoped, semantics = self.sort_key, self.scoped, self.semantics
        chosen = [
            p for p in found.values()
            if not excluded_by_proxy_type(p, kind_of_proxy, semantics)
            and not (id(p) in scoped and out_of_scope(p, scoped[id(p)], proxy, semantics, self.zone))
        ]
        return sorted(chosen, key=lambda p: sort_key[id(p)])  # same order as order_policies()


def explain_selection(policy: Policy, proxy: Proxy, semantics: Semantics,
                      listeners: Sequence[InboundTags] = (), *, refused: bool | None = None,
                      zone: str = DEFAULT_ZONE) -> tuple[bool, str]:
    """Whether ``policy`` applies to ``proxy`` and a sentence saying why (for explain(); bulk resolution
    uses :class:`TargetRefIndex`, and a test checks that both agree)."""
    if policy.mesh != proxy.mesh:
        return False, f"belongs to mesh {policy.mesh!r}, the proxy to {proxy.mesh!r}"
    if (not policy.valid) if refused is None else refused:
        return False, f"invalid at Kuma {semantics.version}: its validation refuses it (res.violations), so the control plane never stored it"
    if semantics.excludes(policy):
        return False, "a shadow policy (kuma.io/effect: shadow): it takes no part in matching"
    scope = out_of_scope(policy, policy_role(policy, semantics), proxy, semantics, zone)
    if scope:
        return False, scope
    ref = policy.target_ref
    if semantics.dataplane_target_ref and ref is not None and ref.kind == "Dataplane":
        return _explain_dataplane_ref(policy, proxy, semantics, zone)
    required = required_tags(policy, semantics)
    if required is None:
        kind = ref.kind if ref else "(none)"
        return False, f"top-level targetRef kind {kind} cannot select a sidecar in {semantics.version}"
    if ref is None:
        what = "no top-level targetRef (the whole mesh)"
    else:
        what = f"targetRef {ref.kind}" + (f" {ref.name}" if ref.name else "") + (
            f" {format_tags(ref.tags)}" if ref.tags else ""
        )
    if ref is not None and excluded_by_proxy_type(policy, proxy_type(proxy), semantics):
        return False, f"{what}: proxyTypes {list(ref.proxy_types)} leaves out a {proxy_type(proxy)} proxy"
    ignored_hit = False
    for ib in proxy.inbounds:
        tags = dict(ib.tags)
        if selector_matches(required, tags):
            if semantics.skip_ignored_inbounds and ib.state == "Ignored":
                ignored_hit = True
                continue
            which = f"inbound port {ib.port}" if ib.port is not None else "the inbound"
            return True, f"{what} selects {which} {format_tags(ib.tags)}"
    for tags in listeners:
        if selector_matches(required, tags):
            return True, f"{what} selects a listener of the proxy's MeshGateway {format_tags(tags)}"
    gateway = proxy.gateway
    if semantics.delegated_gateways_selectable and gateway is not None and gateway.type == "DELEGATED":
        if selector_matches(required, dict(gateway.tags)):
            return True, f"{what} selects the delegated gateway's tags {format_tags(gateway.tags)}"
    if ignored_hit:
        return False, f"{what} only matches inbounds in state Ignored, which never select"
    if not proxy.inbounds and not listeners:
        return False, f"{what}: the proxy has no inbound to select"
    partial = _spread_over_inbounds(required, proxy)
    if partial:
        return False, f"{what}: the tags {format_tags(required)} are spread over several inbounds; one inbound must carry them all"
    return False, f"{what}: no inbound carries {format_tags(required)}"


def _spread_over_inbounds(required: Mapping[str, str], proxy: Proxy) -> bool:
    if len(required) < 2:
        return False
    for key, value in required.items():
        if not any(selector_matches({key: value}, dict(ib.tags)) for ib in proxy.inbounds):
            return False
    return True



def _explain_dataplane_ref(policy: Policy, proxy: Proxy, semantics: Semantics, zone: str) -> tuple[bool, str]:
    ref = policy.target_ref
    assert ref is not None
    if ref.name:
        what = f"targetRef Dataplane {ref.name}" + (f" in namespace {ref.namespace}" if ref.namespace else "")
    elif ref.labels is not None:
        what = f"targetRef Dataplane with labels {format_tags(ref.labels)}"
    else:
        what = "targetRef Dataplane (every proxy)"
    if dataplane_ref_selects(policy, proxy, semantics, zone):
        return True, f"{what} selects this proxy"
    gateway = proxy.gateway
    if gateway is not None and gateway.type == "BUILTIN":
        return False, f"{what}: a Dataplane targetRef never selects a builtin gateway"
    if gateway is not None and not proxy.inbounds and not semantics.dataplane_ref_selects_delegated:
        return False, f"{what}: a Dataplane targetRef does not select a delegated gateway before 2.12.8 / 2.13.3 / 2.14.0"
    if ref.labels is not None and not ref.name:
        labels = dataplane_labels(proxy, zone)
        missing = {k: v for k, v in ref.labels if labels.get(k) != v}
        return False, f"{what}: the Dataplane's labels lack {format_tags(tuple(sorted(missing.items())))}"
    return False, f"{what}: not this proxy (name {_dataplane_display_name(proxy)!r})"
