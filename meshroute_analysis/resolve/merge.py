"""Merging the ``to`` entries of the matched policies for one destination (reference §4, §7).

Sources at 2.5.11:

- ``pkg/plugins/policies/core/rules/rules.go`` ``BuildToRules``: one item per (policy in merge order, ``to``
  index); with 2.5's MeshService-only ``to`` every destination gets exactly the items that name it;
- ``pkg/plugins/policies/core/rules/merge.go`` ``MergeConfs``: RFC 7396 merge patch, so a later list
  (``backendRefs``) replaces the earlier one whole; ``mergeValuesByKey`` fields (MeshHTTPRoute
  ``PolicyDefault.Rules``) are concatenated, then merged per ``matches`` key in first-seen order;
- ``pkg/plugins/policies/meshtcproute/api/v1alpha1/helpers.go`` ``To.GetDefault``: an entry without
  ``rules`` means one backendRef to the ``to`` service itself with weight 1; otherwise only ``rules[0]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..model import BackendRef, HTTPFilter, HTTPRule, Policy, ToEntry

#: One ``to`` entry of one policy, as merged.
Item = tuple[Policy, ToEntry]


def entry_destination(entry: ToEntry, to_kinds: frozenset[str]) -> str | None:
    """The service a ``to`` entry configures; None when its kind gives no per-service rule."""
    ref = entry.target_ref
    if ref is None or ref.kind not in to_kinds or not ref.name:
        return None
    return ref.name


def tcp_entry_conf(entry: ToEntry, destination: str) -> tuple[BackendRef, ...] | None:
    """The backendRefs one MeshTCPRoute entry contributes (None: its conf sets no backendRefs)."""
    if not entry.has_rules or entry.rule_count == 0:
        return (BackendRef(kind="MeshService", name=destination, weight=1),)
    return entry.backend_refs


@dataclass(frozen=True, slots=True)
class MergeStep:
    policy: Policy
    entry_index: int
    description: str


@dataclass(frozen=True, slots=True)
class MergedTCP:
    backend_refs: tuple[BackendRef, ...] | None
    contributors: tuple[Policy, ...]  # in merge order, each once
    steps: tuple[MergeStep, ...]


def unique_policies(policies: Sequence[Policy]) -> tuple[Policy, ...]:
    """Each policy once, in first-seen order (policies hold dicts, so they are told apart by identity)."""
    seen: dict[int, Policy] = {}
    for p in policies:
        seen.setdefault(id(p), p)
    return tuple(seen.values())


def describe_refs(refs: Sequence[BackendRef] | None) -> str:
    if refs is None:
        return "(none)"
    if not refs:
        return "[]"
    parts = []
    for r in refs:
        tags = "{" + ",".join(f"{k}={v}" for k, v in r.tags) + "}" if r.tags else ""
        weight = "" if r.weight is None else f" w={r.weight}"
        parts.append(f"{r.kind} {r.name}{tags}{weight}")
    return "[" + "; ".join(parts) + "]"


def merge_tcp(items: Sequence[Item], destination: str) -> MergedTCP:
    """Fold the MeshTCPRoute entries for ``destination``: the last entry that sets backendRefs wins."""
    refs: tuple[BackendRef, ...] | None = None
    steps: list[MergeStep] = []
    for policy, entry in items:
        conf = tcp_entry_conf(entry, destination)
        if conf is None:
            # merge patch of a conf without backendRefs changes nothing (only an invalid entry does this)
            text = "sets no backendRefs: nothing changes"
        else:
            implicit = " (no rules: the destination itself, weight 1)" if not entry.has_rules or entry.rule_count == 0 else ""
            extra = f"; rules[1..{entry.rule_count - 1}] ignored (only rules[0] counts)" if entry.rule_count > 1 else ""
            verb = "sets" if refs is None else f"replaces {describe_refs(refs)} with"
            text = f"{verb} backendRefs {describe_refs(conf)}{implicit}{extra}"
            refs = conf
        steps.append(MergeStep(policy, entry.index, text))
    return MergedTCP(refs, unique_policies([p for p, _ in items]), tuple(steps))


@dataclass(frozen=True, slots=True)
class MergedHTTPRule:
    matches: str  # canonical JSON of ``matches``: the merge key
    backend_refs: tuple[BackendRef, ...] | None
    contributors: tuple[Policy, ...]
    filters: tuple[HTTPFilter, ...] = ()
    #: The ``to`` entry whose ``filters`` the merged rule keeps (the last one that set them), if any.
    filters_from: Item | None = None


@dataclass(frozen=True, slots=True)
class MergedHTTP:
    rules: tuple[MergedHTTPRule, ...]
    contributors: tuple[Policy, ...]
    steps: tuple[MergeStep, ...]


def merge_http(items: Sequence[Item]) -> MergedHTTP:
    """Concatenate every entry's rules, then merge rules with equal ``matches``: a later rule's
    ``backendRefs`` or ``filters`` replace the earlier list whole (JSON merge patch of ``default``)."""
    order: list[str] = []
    refs: dict[str, tuple[BackendRef, ...] | None] = {}
    filters: dict[str, tuple[tuple[HTTPFilter, ...], Item] | None] = {}
    contributors: dict[str, list[Policy]] = {}
    steps: list[MergeStep] = []
    for policy, entry in items:
        rules: Sequence[HTTPRule] = entry.http_rules
        if not rules:
            steps.append(MergeStep(policy, entry.index, "has no rules (still claims the destination for MeshHTTPRoute)"))
        for rule in rules:
            if rule.filters is not None:
                filters[rule.matches] = (rule.filters, (policy, entry))
            if rule.matches not in refs:
                order.append(rule.matches)
                refs[rule.matches] = rule.backend_refs
                contributors[rule.matches] = [policy]
                steps.append(MergeStep(policy, entry.index, f"adds route {rule.matches} → {describe_refs(rule.backend_refs)}"))
            else:
                contributors[rule.matches].append(policy)
                if rule.backend_refs is not None:
                    steps.append(
                        MergeStep(
                            policy,
                            entry.index,
                            f"route {rule.matches}: replaces {describe_refs(refs[rule.matches])} with {describe_refs(rule.backend_refs)}",
                        )
                    )
                    refs[rule.matches] = rule.backend_refs
                else:
                    steps.append(MergeStep(policy, entry.index, f"route {rule.matches}: sets no backendRefs, nothing changes"))
    merged = tuple(
        MergedHTTPRule(m, refs[m], unique_policies(contributors[m]), *(filters.get(m) or ((), None))) for m in order
    )
    return MergedHTTP(merged, unique_policies([p for p, _ in items]), tuple(steps))


@dataclass(frozen=True, slots=True)
class PrioritizedRule:
    """One MeshHTTPRoute rule after the 2.6+ merge: its ``matches`` and the merged ``default``."""

    matches: str
    backend_refs: tuple[BackendRef, ...] | None
    filters: tuple[HTTPFilter, ...] | None
    contributors: tuple[Policy, ...]


def merge_http_by_priority(items: Sequence[Item]) -> list[PrioritizedRule]:
    """The 2.6+ merge of MeshHTTPRoute rules (``2.6.15:pkg/plugins/policies/meshhttproute/api/v1alpha1/
    helpers.go`` ``GetDefault`` reverses each entry's rules, ``core/rules/merge.go`` ``mergeByKey`` merges equal
    ``matches`` at the place of the last one and ``Transform`` reverses the list): the rules of the policy
    that merges last come first, each policy's in its written order; equal ``matches`` merge their
    ``default`` as a JSON merge patch (a later ``backendRefs`` or ``filters`` list replaces the earlier)."""
    flat = [(policy, rule) for policy, entry in items for rule in reversed(entry.http_rules)]
    last = {rule.matches: i for i, (_, rule) in enumerate(flat)}
    merged: list[PrioritizedRule] = []
    for i, (_, rule) in enumerate(flat):
        if last[rule.matches] != i:
            continue
        same = [(p, r) for p, r in flat if r.matches == rule.matches]
        refs: tuple[BackendRef, ...] | None = None
        filters: tuple[HTTPFilter, ...] | None = None
        for _, r in same:
            refs = r.backend_refs if r.backend_refs is not None else refs
            filters = r.filters if r.filters is not None else filters
        merged.append(PrioritizedRule(rule.matches, refs, filters, unique_policies([p for p, _ in same])))
    merged.reverse()
    return merged
