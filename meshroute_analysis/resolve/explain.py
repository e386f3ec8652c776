"""``res.explain(source, destination)``: the step-by-step why of one (source, destination) pair.

It re-walks the same functions bulk resolution uses (selection, ordering, merge, protocol, TrafficRoute
choice, :func:`~.decide.decide`) and writes down what each one saw.  Policies that did not apply are
explained with :func:`~.selection.explain_selection`, which a test keeps in agreement with the index.
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import MeshrouteError
from ..model import Format, Policy
from .decide import Decision
from .destinations import RealOutbound
from .engine import HTTP_TYPE, TCP_TYPE, TR_TYPE, Engine, RoutingSignature
from .gatewayroutes import listener_name, listener_policies, listener_tags
from .grouping import SourceGroup
from .selection import explain_selection, order_reason, order_rule
from .tagmatch import format_tags
from .trafficroute import describe_rank, explain_trafficroute_source


class UnknownNameError(MeshrouteError, KeyError, ValueError):
    """A source, destination or mesh that the resolution does not know; the message lists close names."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def unknown(what: str, name: str, known: Iterable[str], where: str = "") -> UnknownNameError:
    known = sorted(set(known))
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.5)
    if not close:
        close = [k for k in known if name.lower() in k.lower()][:5]
    hint = f"; close names: {', '.join(close)}" if close else ""
    sample = "" if close else f"; known: {', '.join(known[:10])}{' ...' if len(known) > 10 else ''}" if known else "; there are none"
    return UnknownNameError(f"unknown {what} {name!r}{where}{hint}{sample}")


def where(policy: Policy) -> str:
    if policy.resource.format is Format.IMPLICIT:
        return "implicit default of the mesh"
    return policy.resource.location


@dataclass(frozen=True)
class Explanation:
    mesh: str
    source: str
    destination: str
    decision: Decision
    sections: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def route_type(self) -> str:
        return self.decision.route_type

    def __str__(self) -> str:
        out = [f"{self.source} → {self.destination} (mesh {self.mesh})"]
        for title, lines in self.sections:
            out.append("")
            out.append(title)
            out.extend(f"  {line}" for line in lines)
        return "\n".join(out)

    def __repr__(self) -> str:
        return f"<Explanation {self.mesh}/{self.source} → {self.destination}: {self.decision.route_type} ({self.decision.status})>"

    def _repr_html_(self) -> str:
        head = (f"<div class='mra-explain'><h4>{html.escape(self.source)} → {html.escape(self.destination)} "
                f"<small>(mesh {html.escape(self.mesh)})</small></h4>")
        parts = [head]
        for title, lines in self.sections:
            parts.append(f"<h5>{html.escape(title)}</h5><ul>")
            parts.extend(f"<li>{html.escape(line)}</li>" for line in lines)
            parts.append("</ul>")
        parts.append("</div>")
        return "".join(parts)


def _selection_lines(engine: Engine, group: SourceGroup, kind: str, matched: Sequence[Policy]) -> list[str]:
    ctx = engine.mesh_contexts[group.mesh]
    lines = []
    matched_ids = {id(p) for p in matched}
    for policy in sorted((p for p in ctx.policies if p.type == kind), key=lambda p: p.core_name):
        ok, why = explain_selection(policy, group.representative, engine.semantics, ctx.listeners(group.representative),
                                    refused=id(policy) in engine.refused, zone=engine.content.zone)
        mark = "applies" if id(policy) in matched_ids else "does not apply"
        if ok != (id(policy) in matched_ids):  # pragma: no cover - guarded by tests
            why += " [internal disagreement between index and explanation]"
        lines.append(f"{policy.name} ({where(policy)}): {mark}: {why}")
    return lines or [f"no {kind} in mesh {group.mesh}"]


def _order_lines(engine: Engine, sig: RoutingSignature) -> list[str]:
    lines: list[str] = []
    for kind, matched in ((TCP_TYPE, sig.tcp_policies), (HTTP_TYPE, sig.http_policies)):
        lines.extend(f"{kind} {i + 1}. {p.name}: {order_reason(p, engine.semantics)}" for i, p in enumerate(matched))
    return lines


def _trafficroute_lines(engine: Engine, group: SourceGroup, sig: RoutingSignature, destination: str) -> list[str]:
    ctx = engine.mesh_contexts[group.mesh]
    choice = ctx.trafficroute_for(sig.tr_id, sig.tr_sources, destination)[0]
    candidates = {id(p): r for p, r in choice.candidates}
    sources = {pos for pos, _ in sig.tr_sources}
    lines = []
    for pos, route in enumerate(ctx.trafficroutes.routes):
        if id(route) in candidates:
            state = "selected" if route is choice.policy else "candidate"
            lines.append(f"{route.name} ({where(route)}): {state}, aggregate rank {describe_rank(candidates[id(route)])}")
        elif pos in sources:
            dests = ", ".join(format_tags(d.match) for d in route.destinations) or "(none)"
            lines.append(f"{route.name} ({where(route)}): source matches, but no destination selector matches "
                         f"{{kuma.io/service={destination}}} ({dests})")
        else:
            lines.append(f"{route.name} ({where(route)}): {explain_trafficroute_source(route, group.legacy_tag_sets)}")
    invalid = [p for p in ctx.policies if p.type == TR_TYPE and id(p) in engine.refused]
    lines.extend(f"{p.name} ({where(p)}): refused by validation, never applies" for p in invalid)
    if choice.tied_with:
        lines.append(
            f"tie on rank between {choice.policy.name} and {', '.join(p.name for p in choice.tied_with)}: Kuma keeps the one "
            "created later (creationTime, which no file holds); assumed: the one applied later, files in path order and "
            "documents in file order as `kubectl apply -R -f DIR` applies them, defaults created with their mesh. "
            f"So {choice.policy.name} wins; if the others were created later, they would"
        )
    return lines or ["no TrafficRoute in this mesh"]


def _protocol_lines(engine: Engine, group: SourceGroup, sig: RoutingSignature, destination: str, protocol: str) -> list[str]:
    ctx = engine.mesh_contexts[group.mesh]
    views = ctx.endpoints.endpoint_views(destination, sig.admitted)
    lines = [f"{'counted' if v.counted else 'not seen'}: {v.endpoint.source}: {v.why}" for v in views]
    if not any(v.counted for v in views):
        lines.append("no endpoint: the protocol is unknown")
    lines.append(f"→ {destination} is {protocol} for this source")
    return lines


def _split_lines(decision: Decision) -> list[str]:
    if not decision.backends:
        return ["(no backends)"]
    lines = []
    for b in decision.backends:
        tags = format_tags(b.tags) if b.tags else ""
        route = f"[route {b.route}] " if b.route else ""
        eps = f"{b.endpoints} endpoint(s)" if b.endpoints else "NO known endpoint"
        note = f"; {b.note}" if b.note else ""
        lines.append(f"{route}{b.kind} {b.name}{tags} weight {b.weight} → share {b.share:.1%} "
                     f"({b.protocol}, {eps}, cluster {b.cluster}){note}")
    return lines


def explain_pair(engine: Engine, mesh: str, source: str, destination: str) -> Explanation:
    found = engine.find_group(mesh, source) if mesh in engine.mesh_contexts else None
    homes = sorted({g.mesh for g in engine.groups if g.name == source or any(p.name == source for p in g.proxies)})
    if found is None and mesh == "default" and len(homes) == 1:
        # The caller left the mesh at its default: a source that exists in exactly one mesh is unambiguous.
        mesh = homes[0]
        found = engine.find_group(mesh, source)
    if mesh not in engine.mesh_contexts:
        raise unknown("mesh", mesh, engine.mesh_contexts)
    if found is None:
        if homes:
            raise UnknownNameError(
                f"source {source!r} is not in mesh {mesh!r} but in mesh(es) {', '.join(homes)}: "
                "name the mesh (--mesh in the CLI, mesh= in Python)"
            )
        names = [g.name for g in engine.groups if g.mesh == mesh]
        raise unknown("source", source, names, f" in mesh {mesh!r}")
    index, group = found
    sig = engine.signatures[engine.group_signature[index]]
    tags = dict(sig.destinations).get(destination)
    real = next((out for out in sig.real_outbounds if out.kri == destination), None)
    if tags is None and real is None:
        known = [d for d, _ in sig.destinations] + [out.kri for out in sig.real_outbounds]
        raise unknown("destination", destination, known, f" of source {group.name!r}")
    decision = engine.real_decision(sig, real) if real is not None else engine.decision(sig, destination, tags or {})
    if sig.gateway is not None:
        return _explain_listener(engine, group, sig, decision)
    # A real-resource outbound is decided under its cluster name (resolve/destinations.py).
    service = real.service if real is not None else destination
    members = ", ".join(p.name for p in group.proxies[:5]) + (" ..." if group.size > 5 else "")
    other_meshes = sum(1 for p in engine.policies if p.mesh != mesh and p.type in (TCP_TYPE, HTTP_TYPE, TR_TYPE))
    sections: list[tuple[str, tuple[str, ...]]] = [
        ("Source", (
            f"group {group.name}: {group.size} prox{'y' if group.size == 1 else 'ies'} ({members})",
            "inbounds: " + ("; ".join(f"{format_tags(ib.tags)}{' [Ignored]' if ib.state == 'Ignored' else ''}"
                                      for ib in group.representative.inbounds) or "(none)"),
            f"Kuma semantics {engine.semantics.version}; {other_meshes} route policies of other meshes are ignored",
            *_assumptions(engine, mesh),
        )),
        ("MeshTCPRoute selection (top-level targetRef must select one non-Ignored inbound)",
         tuple(_selection_lines(engine, group, TCP_TYPE, sig.tcp_policies))),
        ("MeshHTTPRoute selection", tuple(_selection_lines(engine, group, HTTP_TYPE, sig.http_policies))),
        (f"Merge order ({order_rule(engine.semantics)})",
         tuple(_order_lines(engine, sig)) or ("no targetRef route policy applies",)),
        *(_destination_section(real) if real is not None else ()),
        (f"Merging the entries for {destination}",
         decision.merge_steps or (f"no applied MeshTCPRoute/MeshHTTPRoute entry names {destination}",)),
        ("Protocol of the destination (fold of its endpoints' kuma.io/protocol)" if real is None else
         "Protocol of the destination (the port's appProtocol, tcp when unset)",
         tuple(_protocol_lines(engine, group, sig, service, decision.protocol)) if real is None else (
             f"{real.destination.kind} port {real.port.name} ({real.port.port}): appProtocol {real.port.app_protocol}",)),
        ("TrafficRoute selection (best source+destination rank)",
         tuple(_trafficroute_lines(engine, group, sig, destination)) if real is None else (
             "not read: the legacy generator builds only kuma.io/service outbounds",)),
        ("Which route type wins (generators run in this order; a later listener replaces an earlier one)",
         tuple(f"{i + 1}. {s}" for i, s in enumerate(decision.stages))),
        ("Final split", tuple(_split_lines(decision))),
        ("Result", (
            (f"route_type {decision.route_type}; policies {[p.name for p in decision.policies]}; "
             f"forwards {decision.forwards}; status {decision.status}"),
            decision.reason,
        )),
    ]
    if sig.config_error is not None:
        sections.append(("The proxy's configuration", (
            f"the control plane fails to build it: {sig.config_error.message}",
            "nothing new reaches the proxy (it keeps its previous configuration, or has none): in res.routes every pair "
            "of it has status config-error; the result above is what this pair would get once the failure is fixed",
        )))
    return Explanation(mesh, group.name, destination, decision, tuple(sections))


def _assumptions(engine: Engine, mesh: str) -> tuple[str, ...]:
    """What the 2.9+ engine read that the repository may not say, and whether it was assumed."""
    if not engine.semantics.resource_engine:
        return ()
    m = engine.meshes.get(mesh)
    mode = getattr(m, "mesh_services_mode", None)
    written = mode is not None and getattr(m, "resource", None) is not None
    zone = engine.content.zone
    return (
        f"meshServices.mode {mode or 'Disabled'}" + ("" if written else " (assumed: Kuma's default, the Mesh does not say)"),
        f"zone {zone}" + (" (assumed: Kuma's default; --zone or zone = in the config file says otherwise)" if zone == "default" else ""),
    )


def _destination_section(real: RealOutbound) -> tuple[tuple[str, tuple[str, ...]], ...]:
    d = real.destination
    where = d.generated_from and f"generated by Kuma for {d.generated_from} ({d.file}:{d.line})" or f"{d.file}:{d.line}"
    return (("Destination resource (2.9+: routed by resource rules, which replace the legacy rules here)", (
        f"{d.kind} {d.name}" + (f" in namespace {d.namespace}" if d.namespace else "") + f", zone {d.zone or '(none)'}: {where}",
        f"outbound {real.kri}; its cluster (kuma.io/service-style) name is {real.service}",
        "labels: " + format_tags(d.labels),
    )),)


def _explain_listener(engine: Engine, group: SourceGroup, sig: RoutingSignature, decision: Decision) -> Explanation:
    """A builtin gateway listener: which MeshGateway, which listener, which policies reach it, the result."""
    gateway = sig.gateway
    assert gateway is not None
    ctx = engine.mesh_contexts[group.mesh]
    rep = group.representative
    listeners = [lst for lst in gateway.listeners if listener_name(gateway, lst) == decision.destination]
    reach: list[str] = []
    http = any(lst.protocol in ("HTTP", "HTTPS") for lst in listeners)
    for kind, policies in (("MeshHTTPRoute", ctx.valid_http),) if http else (("MeshTCPRoute", ctx.valid_tcp),):
        by_listener = listener_policies(policies, rep, gateway, engine.semantics)
        for lst in listeners:
            names = [p.name for p in by_listener.get((lst.port, lst.hostname), [])]
            if names:
                reach.append(f"{kind}: {', '.join(names)} (store order, core name ascending: the last merges last)")
    detail = [f"port {lst.port}, protocol {lst.protocol}, hostname {lst.hostname}, tags "
              f"{format_tags(listener_tags(rep, gateway, lst))}" for lst in listeners]
    sections: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("Source", (f"builtin gateway {group.name}: {group.size} prox{'y' if group.size == 1 else 'ies'}",
                    f"Kuma semantics {engine.semantics.version}")),
        ("MeshGateway", (f"{gateway.name} ({gateway.resource.location}) selects this proxy",)),
        ("Listener", tuple(detail) or ("(none)",)),
        ("Policies that reach the listener", tuple(reach) or ("none: the MeshGatewayRoute generator builds it",)),
        ("Final split", tuple(_split_lines(decision))),
        ("Result", (f"route_type {decision.route_type}; policies {[p.name for p in decision.policies]}; "
                    f"forwards {decision.forwards}; status {decision.status}", decision.reason)),
    )
    if sig.config_error is not None:
        sections += (("The proxy's configuration", (f"the control plane fails to build it: {sig.config_error.message}",)),)
    return Explanation(group.mesh, group.name, decision.destination, decision, sections)
