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

from ..model import SERVICE_TAG, Policy, Proxy, tag_value
from .semantics import ORIGIN_LABEL, Semantics, display_name
from .tagmatch import MATCH_ALL, format_tags, selector_matches

InboundTags = Mapping[str, str]


def required_tags(policy: Policy, semantics: Semantics) -> dict[str, str] | None:
    """The tags one inbound must carry for the policy to select it; None when the kind cannot select."""
    ref = policy.target_ref
    if ref is None or ref.kind not in semantics.top_level_kinds:
        return None
    if ref.kind == "Mesh":
        return {}
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
    """Merge order (§3.1): kind rank ascending, then core name; the last one merged wins."""
    return sorted(policies, key=semantics.policy_sort_key)


def order_reason(policy: Policy, semantics: Semantics) -> str:
    kind = policy.target_ref.kind if policy.target_ref else "?"
    rank = semantics.kind_order.get(kind, 0)
    if not semantics.name_descending:
        return f"kind {kind} (rank {rank}), core name {policy.core_name!r}"
    origin = tag_value(policy.resource.labels, ORIGIN_LABEL)
    return f"kind {kind} (rank {rank})" + (f", origin {origin}" if origin else "") + f", display name {display_name(policy)!r}"


def order_rule(semantics: Semantics) -> str:
    """How this version orders matched policies, in words (the last merged wins)."""
    if not semantics.name_descending:
        return "kind rank, then core name ascending; the last merged wins"
    return "kind rank, then origin (global, none, zone), then display name descending; the last merged wins, so the smallest name"


class TargetRefIndex:
    """The valid targetRef policies of one type and one mesh, filed by what they require."""

    def __init__(self, policies: Iterable[Policy], semantics: Semantics) -> None:
        self.semantics = semantics
        self.everywhere: list[Policy] = []  # Mesh, MeshSubset without tags
        self.by_service: dict[str, list[tuple[Policy, dict[str, str]]]] = defaultdict(list)
        self.by_pair: dict[tuple[str, str], list[tuple[Policy, dict[str, str]]]] = defaultdict(list)
        self.by_key: dict[str, list[tuple[Policy, dict[str, str]]]] = defaultdict(list)  # '*' values only
        self.sort_key: dict[int, tuple[int, str]] = {}
        for policy in policies:
            self.sort_key[id(policy)] = semantics.policy_sort_key(policy)
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

    def select(self, inbounds: Sequence[InboundTags], kind_of_proxy: str = "Sidecar") -> list[Policy]:
        """The policies that select at least one of ``inbounds`` (already without Ignored ones), in merge order."""
        if not inbounds:
            return []
        found: dict[int, Policy] = {id(p): p for p in self.everywhere}
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
        sort_key = self.sort_key
        chosen = [p for p in found.values() if not excluded_by_proxy_type(p, kind_of_proxy, self.semantics)]
        return sorted(chosen, key=lambda p: sort_key[id(p)])  # same order as order_policies()


def explain_selection(policy: Policy, proxy: Proxy, semantics: Semantics,
                      listeners: Sequence[InboundTags] = (), *, refused: bool | None = None) -> tuple[bool, str]:
    """Whether ``policy`` applies to ``proxy`` and a sentence saying why (for explain(); bulk resolution
    uses :class:`TargetRefIndex`, and a test checks that both agree)."""
    if policy.mesh != proxy.mesh:
        return False, f"belongs to mesh {policy.mesh!r}, the proxy to {proxy.mesh!r}"
    if (not policy.valid) if refused is None else refused:
        return False, f"invalid at Kuma {semantics.version}: its validation refuses it (res.violations), so the control plane never stored it"
    if semantics.excludes(policy):
        return False, "a shadow policy (kuma.io/effect: shadow): it takes no part in matching"
    ref = policy.target_ref
    required = required_tags(policy, semantics)
    if required is None or ref is None:
        kind = ref.kind if ref else "(none)"
        return False, f"top-level targetRef kind {kind} cannot select a sidecar in {semantics.version}"
    what = f"targetRef {ref.kind}" + (f" {ref.name}" if ref.name else "") + (
        f" {format_tags(ref.tags)}" if ref.tags else ""
    )
    if excluded_by_proxy_type(policy, proxy_type(proxy), semantics):
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

