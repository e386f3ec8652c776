#!/usr/bin/env python3
"""Deterministic generator of a synthetic Kuma / Kong Mesh policy repository.

It writes what a platform team's repository looks like: one folder per team (= Kubernetes namespace) with
that team's inventory and route policies, a ``platform/`` folder per mesh with the Mesh, its
ExternalServices and the mesh-wide policies.  Every team uses one of the two resource forms:

* **universal**: one ``Dataplane`` per (service, version, replica); Universal policies ``{type, name, mesh, spec}``;
* **kubernetes**: a ``Namespace``, one ``Deployment`` per (service, version) with ``replicas: R`` and one
  ``Service`` per service; policies in ``kuma-system`` with the ``kuma.io/mesh`` label, legacy service names
  ``<svc>_<ns>_svc_<port>`` (Kuma 2.5 ``util.ServiceTag``).

The files carry the shapes a loader meets in real repositories: multi-document files, header comments,
a leading comment-only document (PyYAML yields ``None`` for it), ``kind: List`` / ``<Kind>List`` files,
kumactl envelopes ``{items, total, next}``, block and flow style, indented and non-indented sequences,
``.yaml`` and ``.yml``.

Only the standard library is needed: the YAML text is written here (PyYAML's pure-Python emitter would
dominate generation time at 100,000 Dataplanes).  The same arguments give byte-identical output: every
random choice comes from a ``random.Random`` seeded with ``"<seed>:<section>"`` (string seeds hash with
SHA-512, independent of ``PYTHONHASHSEED``), iteration is over lists in a fixed order, never over sets.

    python3 benchmarks/synth.py OUT_DIR --services 1000 --versions 5 --replicas 20 --policies 5000 --seed 1
    python3 benchmarks/synth.py OUT_DIR --docs 50000          # the load-benchmark preset (about 50k documents)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMATS = ("universal", "kubernetes", "mixed")
DEFAULT_DOCS_PER_FILE = 20
SYSTEM_NAMESPACE = "kuma-system"
MESH_LABEL = "kuma.io/mesh"
SERVICE_TAG = "kuma.io/service"
PROTOCOL_TAG = "kuma.io/protocol"

# Share of each destination protocol; None = the tag/annotation is absent (Universal: `unknown`,
# Kubernetes: Kuma's ProtocolTagFor falls back to tcp).
PROTOCOL_WEIGHTS: tuple[tuple[str | None, int], ...] = (
    ("tcp", 30), ("http", 30), ("http2", 8), ("grpc", 12), ("kafka", 5), (None, 15),
)
PORTS_BY_PROTOCOL: dict[str | None, tuple[int, ...]] = {
    "tcp": (5432, 6379, 3306, 27017, 7000),
    "http": (80, 8080, 3000, 8000),
    "http2": (8443, 8080),
    "grpc": (50051, 9090),
    "kafka": (9092,),
    None: (8000, 9000, 7070),
}
# Route-policy mix: MeshTCPRoute is the majority on purpose (the seed requirement is its reference page).
POLICY_TYPE_SHARES = (("MeshTCPRoute", 0.60), ("MeshHTTPRoute", 0.25), ("TrafficRoute", 0.15))
TOP_KIND_SHARES = (("Mesh", 0.05), ("MeshSubset", 0.20), ("MeshService", 0.55), ("MeshServiceSubset", 0.20))

TEAM_WORDS = (
    "payments", "orders", "catalog", "search", "identity", "billing", "shipping", "inventory", "reviews",
    "ads", "analytics", "notify", "checkout", "pricing", "fraud", "ledger", "media", "profile", "recs",
    "support", "loyalty", "returns", "tax", "geo",
)
ROLES = (
    "api", "web", "worker", "gateway", "cache", "scheduler", "ingest", "auth", "events", "store", "reports",
    "sync",
)
MESH_NAMES = ("default", "finance", "edge")
# (name, address, protocol): things a platform team really registers as ExternalServices.
EXTERNAL_CATALOG: tuple[tuple[str, str, str | None], ...] = (
    ("stripe-api", "api.stripe.com:443", "http"),
    ("orders-rds", "orders.c1x2y3.eu-west-1.rds.amazonaws.com:5432", "tcp"),
    ("events-msk", "b-1.events.kafka.eu-west-1.amazonaws.com:9092", "kafka"),
    ("smtp-relay", "smtp.example.net:587", None),
    ("github-api", "api.github.com:443", "http2"),
    ("pubsub", "pubsub.googleapis.com:443", "grpc"),
    ("s3", "s3.eu-west-1.amazonaws.com:443", "http"),
)
PURPOSES = ("canary", "split", "redirect", "migrate", "ab-test", "pin", "failover", "shift")


@dataclass(frozen=True)
class Params:
    services: int
    versions: int
    replicas: int
    policies: int
    seed: int
    fmt: str = "mixed"
    docs_per_file: int = DEFAULT_DOCS_PER_FILE

    def check(self) -> None:
        if self.fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {self.fmt!r}")
        for name in ("services", "versions", "replicas", "docs_per_file"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.policies < 0:
            raise ValueError("policies must be >= 0")


def params_for_documents(documents: int, *, seed: int = 1, docs_per_file: int = DEFAULT_DOCS_PER_FILE) -> Params:
    """The load-benchmark preset: a mixed repository of about ``documents`` resources.

    One policy per ten documents; the rest is inventory.  In the mixed form half the teams are Universal
    (versions*replicas Dataplanes per service) and half Kubernetes (versions Deployments + 1 Service),
    plus one Namespace per ten services; solving for the number of services gives the target within a
    few percent (team forms are drawn at random, so it is not exact).
    """
    versions, replicas = 4, 8
    policies = max(1, documents // 10)
    per_service = 0.5 * versions * replicas + 0.5 * (versions + 1) + 0.5 / 10
    services = max(1, round((documents - policies) / per_service))
    return Params(services=services, versions=versions, replicas=replicas, policies=policies, seed=seed,
                  fmt="mixed", docs_per_file=docs_per_file)


# --------------------------------------------------------------------------------------------------
# YAML text.  A small emitter for the plain data we build (dict, list, str, int, bool, None): block
# style, with flow style for tag maps when a file's style asks for it.  Strings are written plain only
# when a YAML 1.1 loader cannot read them as anything but that string; everything else is quoted.

_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./-]*\Z")
# Block context also takes `host:443`, `image:tag` plain (a colon not followed by a space is no key).
_PLAIN_BLOCK = re.compile(r"[A-Za-z_/][A-Za-z0-9_./:-]*(?<!:)\Z")
# Dotted quads are strings to YAML (only one dot makes a float), so addresses stay plain as people write them.
_DOTTED = re.compile(r"[0-9]+(\.[0-9]+){2,}\Z")
_YAML11_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"})
_FLOW_KEYS = frozenset({"tags", "match", "matchLabels", "labels"})


@dataclass(frozen=True)
class Style:
    """How one file is written; drawn per file so that a repository mixes the styles people use."""

    header: str | None = None         # a `# ...` comment before the first document
    leading_empty_doc: bool = False   # `---\n# comment\n` first: a comment-only document (loads as None)
    explicit_start: bool = False      # the first document starts with `---`
    indent_sequences: bool = False    # `key:\n  - item` (Kuma docs) rather than `key:\n- item` (kubectl)
    flow_tags: bool = False           # `tags: {a: b}` rather than a block mapping


def _scalar(value: Any, *, flow: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain = _PLAIN.match(text) if flow else (_PLAIN_BLOCK.match(text) or _DOTTED.match(text))
    if plain and text.lower() not in _YAML11_WORDS:
        return text
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text)  # a JSON string is a valid double-quoted YAML scalar


def _is_flat(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and not any(isinstance(v, (dict, list)) for v in value.values())


def _flow(mapping: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{_scalar(k, flow=True)}: {_scalar(v, flow=True)}" for k, v in mapping.items()) + "}"


def _mapping_lines(mapping: dict[str, Any], indent: int, style: Style) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in mapping.items():
        k = _scalar(key)
        if style.flow_tags and key in _FLOW_KEYS and _is_flat(value):
            lines.append(f"{pad}{k}: {_flow(value)}")
        elif isinstance(value, dict) and value:
            lines.append(f"{pad}{k}:")
            lines.extend(_mapping_lines(value, indent + 2, style))
        elif isinstance(value, list) and value:
            lines.append(f"{pad}{k}:")
            lines.extend(_sequence_lines(value, indent + (2 if style.indent_sequences else 0), style))
        elif isinstance(value, dict):
            lines.append(f"{pad}{k}: {{}}")
        elif isinstance(value, list):
            lines.append(f"{pad}{k}: []")
        else:
            lines.append(f"{pad}{k}: {_scalar(value)}")
    return lines


def _sequence_lines(items: list[Any], indent: int, style: Style) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in items:
        if isinstance(item, dict) and item:
            # The first key shares the line with the dash; the others align under it.
            sub = _mapping_lines(item, indent + 2, style)
            sub[0] = f"{pad}- {sub[0][indent + 2:]}"
            lines.extend(sub)
        elif isinstance(item, list) and item:
            raise ValueError("nested sequences are not generated")
        else:
            lines.append(f"{pad}- {'{}' if item == {} else '[]' if item == [] else _scalar(item)}")
    return lines


def dump_document(doc: dict[str, Any], style: Style = Style()) -> str:
    """One YAML document (no `---`), newline-terminated."""
    return "\n".join(_mapping_lines(doc, 0, style)) + "\n"


def render_file(docs: Sequence[dict[str, Any]], style: Style) -> str:
    parts: list[str] = []
    if style.header:
        parts.append(f"# {style.header}\n")
    if style.leading_empty_doc:
        parts.append("---\n# This file is rendered from the team's service catalogue; edit the catalogue.\n")
    for i, doc in enumerate(docs):
        if i or style.leading_empty_doc or style.explicit_start:
            parts.append("---\n")
        parts.append(dump_document(doc, style))
    return "".join(parts)


# --------------------------------------------------------------------------------------------------
# The world: meshes, teams, services, external services.


@dataclass
class Service:
    base: str                       # workload / Kubernetes Service name
    team: str                       # namespace
    mesh: str
    form: str                       # universal | kubernetes
    protocol: str | None
    port: int
    version_protocols: list[str | None] = field(default_factory=list)  # per version (Universal drift)
    protocol_via: str = "appProtocol"   # kubernetes: appProtocol | annotation | none
    outbounds: list[str] | None = None  # universal: explicit outbound services, None = transparent proxy

    @property
    def kuma_name(self) -> str:
        """The `kuma.io/service` tag Kuma gives it (Kubernetes: util.ServiceTag, name_ns_svc_port)."""
        if self.form == "kubernetes":
            return f"{self.base}_{self.team}_svc_{self.port}"
        return self.base


@dataclass
class External:
    name: str
    mesh: str
    form: str
    address: str
    protocol: str | None


@dataclass
class Team:
    name: str
    mesh: str
    form: str
    services: list[Service] = field(default_factory=list)


@dataclass
class World:
    params: Params
    meshes: list[str]
    mesh_forms: dict[str, str]          # the form a mesh's own resources (Mesh, ExternalServices) use
    teams: list[Team]
    services: list[Service]
    externals: list[External]

    def versions(self) -> list[str]:
        return [f"v{i + 1}" for i in range(self.params.versions)]

    def services_in(self, mesh: str) -> list[Service]:
        return [s for s in self.services if s.mesh == mesh]

    def externals_in(self, mesh: str) -> list[External]:
        return [e for e in self.externals if e.mesh == mesh]


def _section_rng(params: Params, section: str) -> random.Random:
    # One generator per section: changing --policies does not reshuffle the inventory, and vice versa.
    return random.Random(f"{params.seed}:{section}")


def _team_names(count: int) -> list[str]:
    return [TEAM_WORDS[i % len(TEAM_WORDS)] + (f"-{i // len(TEAM_WORDS) + 1}" if i >= len(TEAM_WORDS) else "")
            for i in range(count)]


def build_world(params: Params) -> World:
    rng = _section_rng(params, "world")
    n_teams = max(1, math.ceil(params.services / 10))
    n_meshes = min(rng.choice((1, 2, 2, 3)), n_teams)
    meshes = list(MESH_NAMES[:n_meshes])
    forms = _team_forms(params.fmt, n_teams, rng)
    teams = [Team(name=name, mesh=meshes[i % n_meshes], form=forms[i]) for i, name in enumerate(_team_names(n_teams))]

    # Every team gets one service first, the rest land at random: team sizes vary as in real life.
    owners = list(range(n_teams)) + [rng.randrange(n_teams) for _ in range(params.services - n_teams)]
    services: list[Service] = []
    for team_index in owners[: params.services]:
        team = teams[team_index]
        services.append(_new_service(team, len(team.services), params, rng))
        team.services.append(services[-1])

    mesh_forms = {m: next(t.form for t in teams if t.mesh == m) for m in meshes}
    externals = _externals(meshes, mesh_forms, services, rng)
    _assign_outbounds(services, externals, rng)
    return World(params, meshes, mesh_forms, teams, services, externals)


def _team_forms(fmt: str, n_teams: int, rng: random.Random) -> list[str]:
    if fmt != "mixed":
        return [fmt] * n_teams
    forms = ["kubernetes" if i % 2 == 0 else "universal" for i in range(n_teams)]
    rng.shuffle(forms)
    return forms


def _new_service(team: Team, index: int, params: Params, rng: random.Random) -> Service:
    role = ROLES[index % len(ROLES)] + (f"-{index // len(ROLES) + 1}" if index >= len(ROLES) else "")
    protocols, weights = zip(*PROTOCOL_WEIGHTS)
    protocol = rng.choices(protocols, weights)[0]
    svc = Service(base=f"{team.name}-{role}", team=team.name, mesh=team.mesh, form=team.form,
                  protocol=protocol, port=rng.choice(PORTS_BY_PROTOCOL[protocol]))
    svc.version_protocols = [protocol] * params.versions
    if team.form == "universal" and params.versions > 1 and rng.random() < 0.04:
        # A newer version announcing another protocol: Kuma folds the endpoints' protocols (http+http2 -> tcp).
        svc.version_protocols[-1] = rng.choice([p for p in protocols if p != protocol])
    if team.form == "kubernetes":
        svc.protocol_via = "none" if protocol is None else rng.choice(("appProtocol", "appProtocol", "annotation"))
        if protocol is None and rng.random() < 0.1:
            # An annotation Kuma takes verbatim and later cannot parse (ProtocolTagFor): `unknown`.
            svc.protocol, svc.protocol_via = "websocket", "annotation"
    return svc


def _externals(meshes: list[str], mesh_forms: dict[str, str], services: list[Service],
               rng: random.Random) -> list[External]:
    externals: list[External] = []
    size = len(EXTERNAL_CATALOG)
    for mesh in meshes:
        wanted = 1 + sum(1 for s in services if s.mesh == mesh) // 40
        start = rng.randrange(size)
        for i in range(wanted):
            # Walk the catalogue from a random start; a second lap gets numbered names.
            name, address, protocol = EXTERNAL_CATALOG[(start + i) % size]
            suffix = f"-{i // size + 1}" if i >= size else ""
            externals.append(External(name + suffix, mesh, mesh_forms[mesh], address, protocol))
    return externals


def _assign_outbounds(services: list[Service], externals: list[External], rng: random.Random) -> None:
    """Universal services: 60% transparent proxying, 40% an explicit `networking.outbound` list."""
    by_mesh: dict[str, list[str]] = {}
    for s in services:
        by_mesh.setdefault(s.mesh, []).append(s.kuma_name)
    for e in externals:
        by_mesh.setdefault(e.mesh, []).append(e.name)
    for s in services:
        if s.form != "universal" or rng.random() < 0.6:
            continue
        others = [name for name in by_mesh[s.mesh] if name != s.kuma_name]
        s.outbounds = rng.sample(others, min(len(others), rng.randint(1, 4)))


# --------------------------------------------------------------------------------------------------
# Writing files and counting what was written.


@dataclass
class Counts:
    files: int = 0
    documents: int = 0          # YAML documents as a parser yields them (a List counts once)
    empty_documents: int = 0    # comment-only documents (yield None)
    resources: int = 0          # objects, List / envelope items expanded
    lists: int = 0              # `kind: List` / `<Kind>List` documents
    envelopes: int = 0          # kumactl `{items, total, next}` documents
    bytes: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"files": self.files, "documents": self.documents, "empty_documents": self.empty_documents,
                "resources": self.resources, "lists": self.lists, "envelopes": self.envelopes,
                "bytes": self.bytes, "by_kind": dict(sorted(self.by_kind.items()))}


def kind_of(doc: dict[str, Any]) -> str:
    return str(doc.get("kind") or doc.get("type"))


class RepoWriter:
    """Chunks documents into files, picks each file's style, writes it and keeps the counts."""

    def __init__(self, root: Path, params: Params) -> None:
        self.root = root
        self.per_file = params.docs_per_file
        self.rng = _section_rng(params, "files")
        self.counts = Counts()

    def write_chunked(self, stem: str, docs: list[dict[str, Any]], form: str, header: str) -> None:
        """Write ``docs`` as ``stem.yaml`` or ``stem-01.yaml``, ``stem-02.yaml``... of docs_per_file each."""
        chunks = [docs[i:i + self.per_file] for i in range(0, len(docs), self.per_file)]
        for n, chunk in enumerate(chunks, start=1):
            name = stem if len(chunks) == 1 else f"{stem}-{n:02d}"
            container = None
            if len(chunk) > 1 and self.rng.random() < 0.05:
                container = "envelope" if form == "universal" else "list"
            self.write(name, chunk, form, header=header, container=container)

    def write(self, stem: str, docs: list[dict[str, Any]], form: str, *, header: str | None,
              container: str | None = None, leading_empty_doc: bool | None = None) -> None:
        rng = self.rng
        style = Style(
            header=header if rng.random() < 0.4 else None,
            leading_empty_doc=rng.random() < 0.03 if leading_empty_doc is None else leading_empty_doc,
            explicit_start=rng.random() < 0.3,
            indent_sequences=rng.random() < (0.6 if form == "universal" else 0.3),
            flow_tags=rng.random() < 0.25,
        )
        suffix = ".yml" if rng.random() < 0.1 else ".yaml"
        body = docs
        if container == "envelope":
            body = [envelope(docs)]
            self.counts.envelopes += 1
        elif container == "list":
            body = [k8s_list(docs, typed=rng.random() < 0.5)]
            self.counts.lists += 1
        text = render_file(body, style)
        path = self.root / (stem + suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        c = self.counts
        c.files += 1
        c.bytes += len(data)
        c.documents += len(body) + int(style.leading_empty_doc)
        c.empty_documents += int(style.leading_empty_doc)
        c.resources += len(docs)
        for doc in docs:
            kind = kind_of(doc)
            c.by_kind[kind] = c.by_kind.get(kind, 0) + 1


def envelope(items: list[dict[str, Any]]) -> dict[str, Any]:
    """What `kumactl get <kind>s -o yaml` prints."""
    return {"items": items, "total": len(items), "next": None}


def k8s_list(items: list[dict[str, Any]], *, typed: bool = False) -> dict[str, Any]:
    """What `kubectl get ... -o yaml` prints: a `v1 List`, or with ``typed`` a `<Kind>List` when all items
    share one kind."""
    kinds = sorted({kind_of(i) for i in items})
    if typed and len(kinds) == 1:
        return {"apiVersion": items[0]["apiVersion"], "kind": f"{kinds[0]}List", "items": items,
                "metadata": {"resourceVersion": ""}}
    return {"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}}


# --------------------------------------------------------------------------------------------------
# Resources.


def _meta(name: str, form: str, mesh: str, *, namespace: str | None = None, kind: str,
          labels: dict[str, str] | None = None) -> dict[str, Any]:
    """The identity part of a Kuma resource in either form (spec or legacy fields are added by the caller)."""
    if form == "universal":
        return {"type": kind, "name": name, "mesh": mesh}
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": "kuma.io/v1alpha1", "kind": kind, "metadata": metadata}


def mesh_resource(name: str, form: str, index: int) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if index != 1:
        spec["mtls"] = {"enabledBackend": "ca-1", "backends": [{"name": "ca-1", "type": "builtin"}]}
    if index == 2:
        # This mesh opts out of route-all/allow-all; the repo then carries its own route-all (below).
        spec["skipCreatingInitialPolicies"] = ["*"]
    if form == "universal":
        return {"type": "Mesh", "name": name, **spec}
    return {"apiVersion": "kuma.io/v1alpha1", "kind": "Mesh", "metadata": {"name": name}, "spec": spec}


def external_resource(ext: External) -> dict[str, Any]:
    tags = {SERVICE_TAG: ext.name}
    if ext.protocol:
        tags[PROTOCOL_TAG] = ext.protocol
    body = {"tags": tags, "networking": {"address": ext.address}}
    if ext.address.endswith(":443"):
        body["networking"]["tls"] = {"enabled": True}
    if ext.form == "universal":
        return {"type": "ExternalService", "name": ext.name, "mesh": ext.mesh, **body}
    # Legacy Kuma CRDs are cluster-scoped and carry a top-level `mesh:` field.
    return {"apiVersion": "kuma.io/v1alpha1", "kind": "ExternalService", "mesh": ext.mesh,
            "metadata": {"name": ext.name}, "spec": body}


class Addresses:
    """Sequential 10.x.y.z addresses, so that Dataplanes do not collide."""

    def __init__(self) -> None:
        self.next = 1

    def take(self) -> str:
        n, self.next = self.next, self.next + 1
        return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def dataplanes(svc: Service, world: World, addresses: Addresses) -> list[dict[str, Any]]:
    docs = []
    for v_index, version in enumerate(world.versions()):
        tags = {SERVICE_TAG: svc.kuma_name}
        if svc.version_protocols[v_index]:
            tags[PROTOCOL_TAG] = svc.version_protocols[v_index]
        tags.update({"version": version, "team": svc.team})
        for replica in range(1, world.params.replicas + 1):
            networking: dict[str, Any] = {
                "address": addresses.take(),
                "inbound": [{"port": svc.port + 10000 if svc.port < 55535 else svc.port,
                             "servicePort": svc.port, "tags": dict(tags)}],
            }
            if svc.outbounds is None:
                networking["transparentProxying"] = {"redirectPortInbound": 15006, "redirectPortOutbound": 15001}
            else:
                networking["outbound"] = [{"port": 10001 + i, "tags": {SERVICE_TAG: name}}
                                          for i, name in enumerate(svc.outbounds)]
            docs.append({"type": "Dataplane", "name": f"{svc.base}-{version}-{replica}", "mesh": svc.mesh,
                         "networking": networking})
    return docs


def namespace_resource(team: Team) -> dict[str, Any]:
    labels = {"kuma.io/sidecar-injection": "enabled"}
    if team.mesh != "default":
        labels[MESH_LABEL] = team.mesh
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": team.name, "labels": labels}}


def k8s_service(svc: Service) -> dict[str, Any]:
    port: dict[str, Any] = {"name": svc.protocol or "tcp", "port": svc.port, "targetPort": svc.port,
                            "protocol": "TCP"}
    metadata: dict[str, Any] = {"name": svc.base, "namespace": svc.team, "labels": {"app": svc.base}}
    if svc.protocol_via == "appProtocol":
        port["appProtocol"] = svc.protocol
    elif svc.protocol_via == "annotation":
        metadata["annotations"] = {f"{svc.port}.service.kuma.io/protocol": svc.protocol}
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata,
            "spec": {"selector": {"app": svc.base}, "ports": [port]}}


def k8s_deployment(svc: Service, version: str, replicas: int) -> dict[str, Any]:
    selector = {"app": svc.base, "version": version}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"{svc.base}-{version}", "namespace": svc.team, "labels": dict(selector)},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(selector)},
            "template": {
                "metadata": {"labels": {**selector, "team": svc.team}},
                "spec": {"containers": [{
                    "name": svc.base,
                    "image": f"registry.example.com/{svc.team}/{svc.base}:{version}.0.{len(svc.base) % 7}",
                    "ports": [{"containerPort": svc.port}],
                }]},
            },
        },
    }


# --------------------------------------------------------------------------------------------------
# Route policies.


def _shares(total: int, shares: Sequence[tuple[str, float]], rng: random.Random) -> list[str]:
    """Exactly ``round(total*share)`` of each value (the first takes the remainder), shuffled.

    Drawing each policy's type independently could leave a small repository without one type; exact
    shares keep every type present as soon as there are a handful of policies.
    """
    values: list[str] = []
    for value, share in shares[1:]:
        values += [value] * round(total * share)
    values = [shares[0][0]] * max(0, total - len(values)) + values
    rng.shuffle(values)
    return values[:total]


@dataclass
class PolicyPlan:
    """Where a policy goes and in which form."""

    path: str          # file stem, relative to the repository root
    form: str
    doc: dict[str, Any]


class PolicyFactory:
    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        self.services_by_mesh = {m: world.services_in(m) for m in world.meshes}
        self.externals_by_mesh = {m: world.externals_in(m) for m in world.meshes}

    # -- targetRefs --------------------------------------------------------------------------------
    def top_target_ref(self, kind: str, src: Service) -> dict[str, Any]:
        rng = self.rng
        if kind == "Mesh":
            return {"kind": "Mesh"}
        if kind == "MeshService":
            return {"kind": "MeshService", "name": src.kuma_name}
        version = rng.choice(self.world.versions())
        if kind == "MeshServiceSubset":
            return {"kind": "MeshServiceSubset", "name": src.kuma_name, "tags": {"version": version}}
        choice = rng.random()
        if choice < 0.45:
            tags = {"team": src.team}
        elif choice < 0.75:
            tags = {"version": version}
        elif choice < 0.95:
            tags = {"team": src.team, "version": version}
        else:
            tags = {"kuma.io/zone": "zone-2"}  # a zone this repo has no proxy in: selects nothing
        return {"kind": "MeshSubset", "tags": tags}

    # -- backendRefs -------------------------------------------------------------------------------
    def backend_refs(self, dst: Service) -> list[dict[str, Any]]:
        rng = self.rng
        versions = self.world.versions()
        pick = rng.random()
        if pick < 0.55 and len(versions) > 1:
            chosen = sorted(rng.sample(versions, min(len(versions), rng.choice((2, 2, 2, 3)))))
            weights = rng.choice(_WEIGHT_PATTERNS[len(chosen)])
            refs = []
            for version, weight in zip(chosen, weights):
                ref: dict[str, Any] = {"kind": "MeshServiceSubset", "name": dst.kuma_name, "tags": {"version": version}}
                if weight is not None:  # omitted weight: Kuma's default of 1
                    ref["weight"] = weight
                refs.append(ref)
            return refs
        other = self._other_backend(dst)
        if pick < 0.85:
            ref = {"kind": "MeshService", "name": other}
            if rng.random() < 0.3:
                ref["weight"] = 100
            return [ref]
        # A migration: most traffic stays, some goes to the replacement.
        keep = rng.choice((90, 95, 50, 0))
        return [{"kind": "MeshService", "name": dst.kuma_name, "weight": keep},
                {"kind": "MeshService", "name": other, "weight": 100 - keep}]

    def _other_backend(self, dst: Service) -> str:
        """Where a redirect goes: an ExternalService now and then, else another service of the mesh."""
        rng = self.rng
        externals = self.externals_by_mesh[dst.mesh]
        if externals and rng.random() < 0.25:
            return rng.choice(externals).name
        others = [s for s in self.services_by_mesh[dst.mesh] if s is not dst] or [dst]
        return rng.choice(others).kuma_name

    # -- policies ----------------------------------------------------------------------------------
    def tcp_to(self, dst: Service) -> dict[str, Any]:
        entry: dict[str, Any] = {"targetRef": {"kind": "MeshService", "name": dst.kuma_name}}
        if self.rng.random() >= 0.06:  # a to-item without rules: an implicit self route (weight 1)
            entry["rules"] = [{"default": {"backendRefs": self.backend_refs(dst)}}]
        return entry

    def http_to(self, dst: Service) -> dict[str, Any]:
        rng = self.rng
        rules = []
        for _ in range(rng.choice((1, 1, 2))):
            if rng.random() < 0.7:
                match = {"path": {"type": "PathPrefix", "value": rng.choice(("/", "/api", "/v2", "/admin"))}}
            else:
                match = {"headers": [{"type": "Exact", "name": "x-canary", "value": "true"}]}
            rules.append({"matches": [match], "default": {"backendRefs": self.backend_refs(dst)}})
        return {"targetRef": {"kind": "MeshService", "name": dst.kuma_name}, "rules": rules}

    def traffic_route_body(self, src: Service, dst: Service) -> dict[str, Any]:
        rng = self.rng
        source = "*" if rng.random() < 0.15 else src.kuma_name
        conf: dict[str, Any] = {}
        if rng.random() < 0.5:
            conf["loadBalancer"] = {"roundRobin": {}}
        versions = self.world.versions()
        if len(versions) > 1 and rng.random() < 0.7:
            chosen = sorted(rng.sample(versions, 2))
            first = rng.choice((90, 80, 50, 100))
            conf["split"] = [{"weight": w, "destination": {SERVICE_TAG: dst.kuma_name, "version": v}}
                             for v, w in zip(chosen, (first, 100 - first))]
        else:
            conf["destination"] = {SERVICE_TAG: self._other_backend(dst)}
        return {"sources": [{"match": {SERVICE_TAG: source}}],
                "destinations": [{"match": {SERVICE_TAG: dst.kuma_name}}], "conf": conf}


_WEIGHT_PATTERNS: dict[int, tuple[tuple[int | None, ...], ...]] = {
    2: ((90, 10), (50, 50), (80, 20), (99, 1), (100, 0), (None, None), (1, None), (0, 100)),
    3: ((34, 33, 33), (80, 10, 10), (None, None, None), (50, 50, 0)),
}


def plan_policies(world: World) -> list[PolicyPlan]:
    params = world.params
    rng = _section_rng(params, "policies")
    types = _shares(params.policies, POLICY_TYPE_SHARES, rng)
    top_kinds = _shares(params.policies, TOP_KIND_SHARES, rng)
    factory = PolicyFactory(world, rng)
    plans = []
    for i, (ptype, top_kind) in enumerate(zip(types, top_kinds), start=1):
        dst = rng.choice(world.services)
        same_mesh = factory.services_by_mesh[dst.mesh]
        src = rng.choice(same_mesh)
        if src is dst and len(same_mesh) > 1:
            src = rng.choice(same_mesh)
        mesh_wide = ptype != "TrafficRoute" and top_kind == "Mesh"
        owner = f"platform/{dst.mesh}/policies" if mesh_wide else f"teams/{dst.team}/policies"
        form = world.mesh_forms[dst.mesh] if mesh_wide else dst.form
        name = f"{dst.mesh if mesh_wide else dst.base}-{rng.choice(PURPOSES)}-{i:05d}"
        doc = _policy(factory, ptype, top_kind, name, form, src, dst)
        plans.append(PolicyPlan(path=f"{owner}/{ptype.lower()}", form=form, doc=doc))
    return plans


def _policy(factory: PolicyFactory, ptype: str, top_kind: str, name: str, form: str, src: Service,
            dst: Service) -> dict[str, Any]:
    rng = factory.rng
    mesh = dst.mesh
    if ptype == "TrafficRoute":
        body = factory.traffic_route_body(src, dst)
        if form == "universal":
            return {"type": "TrafficRoute", "name": name, "mesh": mesh, **body}
        return {"apiVersion": "kuma.io/v1alpha1", "kind": "TrafficRoute", "mesh": mesh,
                "metadata": {"name": name}, "spec": body}
    make_to = factory.tcp_to if ptype == "MeshTCPRoute" else factory.http_to
    to = [make_to(dst)]
    for _ in range(rng.choice((0, 0, 0, 0, 1, 2))):
        to.append(make_to(rng.choice(factory.services_by_mesh[mesh])))
    spec = {"targetRef": factory.top_target_ref(top_kind, src), "to": to}
    # On Kubernetes the mesh label may be left out for the default mesh (GetMesh() falls back to it).
    labels = None if mesh == "default" and rng.random() < 0.2 else {MESH_LABEL: mesh}
    doc = _meta(name, form, mesh, namespace=SYSTEM_NAMESPACE, kind=ptype, labels=labels)
    doc["spec"] = spec
    return doc


def route_all(mesh: str, form: str) -> dict[str, Any]:
    """The route-all TrafficRoute a mesh with skipCreatingInitialPolicies keeps in its repo by hand."""
    body = {
        "sources": [{"match": {SERVICE_TAG: "*"}}],
        "destinations": [{"match": {SERVICE_TAG: "*"}}],
        "conf": {"loadBalancer": {"roundRobin": {}}, "destination": {SERVICE_TAG: "*"}},
    }
    if form == "universal":
        return {"type": "TrafficRoute", "name": f"route-all-{mesh}", "mesh": mesh, **body}
    return {"apiVersion": "kuma.io/v1alpha1", "kind": "TrafficRoute", "mesh": mesh,
            "metadata": {"name": f"route-all-{mesh}"}, "spec": body}


# --------------------------------------------------------------------------------------------------
# Putting it together.


def _write_platform(world: World, writer: RepoWriter) -> None:
    for index, mesh in enumerate(world.meshes):
        form = world.mesh_forms[mesh]
        header = f"Mesh {mesh}: owned by the platform team."
        docs = [mesh_resource(mesh, form, index)]
        if index == 2:
            docs.append(route_all(mesh, form))
        # Always a leading comment-only document here, so every repository has one.
        writer.write(f"platform/{mesh}/mesh", docs, form, header=header, leading_empty_doc=True)
        externals = [external_resource(e) for e in world.externals_in(mesh)]
        if externals:
            # An export from the control plane: a kumactl envelope (Universal) or a kubectl List.
            container = "envelope" if form == "universal" else "list"
            writer.write(f"platform/{mesh}/external-services", externals, form, header=header,
                         container=container)


def _write_inventory(world: World, writer: RepoWriter) -> None:
    addresses = Addresses()
    for team in world.teams:
        header = f"Team {team.name}: generated from the service catalogue. Reviews: #{team.name}-oncall."
        if team.form == "kubernetes":
            writer.write(f"teams/{team.name}/k8s/namespace", [namespace_resource(team)], "kubernetes", header=header)
        for svc in team.services:
            if team.form == "universal":
                writer.write_chunked(f"teams/{team.name}/dataplanes/{svc.base}", dataplanes(svc, world, addresses),
                                     "universal", header)
            else:
                docs = [k8s_service(svc)] + [k8s_deployment(svc, v, world.params.replicas) for v in world.versions()]
                writer.write_chunked(f"teams/{team.name}/k8s/{svc.base}", docs, "kubernetes", header)


def _write_policies(world: World, writer: RepoWriter) -> None:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for plan in plan_policies(world):
        grouped.setdefault((plan.path, plan.form), []).append(plan.doc)
    # A team (and a mesh's platform folder) uses one form, so the path alone names the group.
    for (path, form), docs in sorted(grouped.items()):
        writer.write_chunked(path, docs, form, "Route policies. Every change needs a traffic review.")


def generate(out_dir: str | os.PathLike[str], *, services: int, versions: int, replicas: int, policies: int,
             seed: int, fmt: str = "mixed", docs_per_file: int = DEFAULT_DOCS_PER_FILE) -> dict[str, Any]:
    """Write a synthetic repository into ``out_dir`` (created; must be empty) and return what was written.

    Returns ``{files, documents, empty_documents, resources, lists, envelopes, bytes, by_kind}``:
    ``documents`` counts YAML documents as ``yaml.safe_load_all`` yields them (comment-only ones
    included, a List or envelope once); ``resources`` and ``by_kind`` count objects with List and
    envelope items expanded.
    """
    params = Params(services, versions, replicas, policies, seed, fmt, docs_per_file)
    params.check()
    root = Path(out_dir)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty; the generator only writes into an empty directory")
    root.mkdir(parents=True, exist_ok=True)
    world = build_world(params)
    writer = RepoWriter(root, params)
    _write_platform(world, writer)
    _write_inventory(world, writer)
    _write_policies(world, writer)
    return writer.counts.as_dict()


def iter_yaml_files(root: str | os.PathLike[str]) -> Iterator[Path]:
    """Every .yaml/.yml/.json file under ``root``, in sorted order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml", ".json")):
                yield Path(dirpath, name)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out_dir", metavar="OUT_DIR", help="directory to write (created; must be empty)")
    p.add_argument("--docs", type=int, metavar="N",
                   help="preset: a mixed repository of about N documents (the load benchmark uses 50000); "
                        "the flags below override its values")
    p.add_argument("--services", type=int, help="number of services (default 20)")
    p.add_argument("--versions", type=int, help="versions per service (default 3)")
    p.add_argument("--replicas", type=int, help="replicas per version (default 3)")
    p.add_argument("--policies", type=int, help="number of route policies (default 100)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--format", dest="fmt", choices=FORMATS, help="resource form (default mixed)")
    p.add_argument("--docs-per-file", type=int, help=f"documents per file at most (default {DEFAULT_DOCS_PER_FILE})")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    base = (params_for_documents(args.docs, seed=args.seed) if args.docs
            else Params(services=20, versions=3, replicas=3, policies=100, seed=args.seed))
    overrides = {k: getattr(args, k) for k in ("services", "versions", "replicas", "policies", "fmt")
                 if getattr(args, k) is not None}
    if args.docs_per_file is not None:
        overrides["docs_per_file"] = args.docs_per_file
    params = Params(**{**base.__dict__, **overrides})
    started = time.perf_counter()
    try:
        counts = generate(args.out_dir, services=params.services, versions=params.versions,
                          replicas=params.replicas, policies=params.policies, seed=params.seed,
                          fmt=params.fmt, docs_per_file=params.docs_per_file)
    except (ValueError, FileExistsError) as exc:
        print(f"synth: {exc}", file=sys.stderr)
        return 64
    print(json.dumps({"params": params.__dict__, **counts}, indent=2))
    print(f"synth: wrote {counts['files']} files, {counts['documents']} documents "
          f"in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
