"""``load_repo``: a repository of policy files into a :class:`PolicyRepo` of typed objects and frames."""

from __future__ import annotations

import html
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import cached_property, wraps
from types import MappingProxyType

import pandas as pd

from . import frames
from .config import Config, zone_problem
from .content import RepoContent
from .errors import UsageError
from .gcpause import FREEZE_AFTER_OBJECTS, cyclic_gc_paused
from .inventory import build_inventory
from .inventory.destinations import destinations
from .io.typed import DEFAULT_ZONE
from .io.cache import LoadCache, make_key, open_cache
from .io.exclude import compile_excludes
from .io.memo import ParseMemo, digest
from .io.normalise import Recognised, normalise
from .io.sources import DEFAULT_MAX_FILE_BYTES, SourceFile, revision_files, working_tree_files
from .io.typed import POLICY_KINDS
from .io.typed import mesh as typed_mesh
from .io.typed import mesh_gateway as typed_mesh_gateway
from .io.typed import policy as typed_policy
from .io.yamldocs import AliasBudget, RawDocument, decode, iter_documents
from .model import Document, Format, Mesh, Policy, Resource, Service, Status, ViolationRecord, tags_dict, tags_str
from .protocol import fold_protocols
from .validate import SYSTEM_NAMESPACES, violations_at

PathLike = str | os.PathLike[str]


def load_repo(
    paths: PathLike | Sequence[PathLike],
    *,
    rev: str | None = None,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    system_namespaces: Sequence[str] | None = None,
    exclude: Sequence[str] | None = None,
    config: Config | None = None,
    memo: ParseMemo | None = None,
    zone: str | None = None,
    follow_symlinks: bool = False,
    cache: bool | PathLike | None = False,
) -> PolicyRepo:
    """Load every policy, inventory object and document below ``paths``.

    ``paths`` is a directory (walked recursively, hidden directories skipped, ``.yaml``/``.yml``/``.json``
    files read), a file (read whatever its ending), ``"-"`` for standard input, or a list of these.
    With ``rev``, the files are read from that git revision of the repository that holds each path,
    without touching the working tree.  Kubernetes route policies outside ``system_namespaces`` (where the
    control plane runs; default ``kuma-system`` and ``kong-mesh-system``) are invalid, as 2.5's admission
    webhook refuses them.

    ``exclude`` holds gitignore-like globs matched against the paths found below each directory, relative
    to it: ``*.tmpl.yaml`` (a name at any depth), ``vendor/**`` (anchored at the directory), ``**/charts/**``,
    ``charts/`` (directories only); the rules are in :mod:`meshroute_analysis.io.exclude`.  Excluded files
    are never opened; ``repo.excluded`` maps each to the pattern that excluded it.  A file named in
    ``paths`` is always read.

    ``config`` (from :func:`~meshroute_analysis.load_config`) supplies ``exclude`` (relative to the config
    file's directory) and ``system_namespaces`` where these arguments are not given, and stays on the
    repository as ``repo.config``: :func:`~meshroute_analysis.audit` applies its ``skip``.  Nothing is read
    from a config file unless one is passed.

    ``zone`` is the zone of the control plane modelled (else the config's ``zone``, else Kuma's ``default``):
    what it computes into the ``kuma.io/zone`` label of the resources it owns, which 2.9+ KRIs and selection
    read.

    A symlink met while walking a directory whose target lies outside the repository (the nearest
    directory upward with ``.git`` or ``.hg``, else the walked directory) is not followed unless
    ``follow_symlinks``: it is a ``skipped`` row that names the target.  At a revision, tracked symlinks are
    read as the file they point to in that revision; submodules are ``skipped`` rows.

    ``memo`` (a :class:`~meshroute_analysis.io.memo.ParseMemo`) is shared by the loads of one diff, so that a
    file with the same bytes in both revisions is parsed once.

    ``cache=True`` keeps what loading made of the files in the user's cache directory
    (:mod:`meshroute_analysis.io.cache`: ``$MESHROUTE_CACHE_DIR``, else ``~/.cache/meshroute_analysis`` or the
    platform's equivalent), keyed by the files' content, so that loading the same repository again takes a
    fraction of the time and files that did not change are not parsed again; a path instead of True names
    the directory.  Off by default here (a library call writes nothing to disk unless asked); the
    ``meshroute`` commands turn it on unless ``--no-cache``.  ``MESHROUTE_NO_CACHE=1`` turns it off
    everywhere.  The cache never changes an answer: an entry that cannot be read is parsed again.

    A path that does not exist raises :class:`InputError`; anything wrong *inside* the files becomes a row
    of ``repo.documents`` (and ``repo.violations``).
    """
    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    settings = config or Config()
    if zone is not None and zone_problem(zone):
        raise UsageError(f"zone: {zone_problem(zone)}")
    if isinstance(exclude, str):
        raise UsageError("exclude= takes a list of globs, not one string")
    if exclude is not None:
        patterns = compile_excludes(list(exclude), origin="exclude")
    else:
        patterns = compile_excludes(settings.exclude, base=settings.root, origin=f"exclude in {settings.path}")
    namespaces = tuple(system_namespaces or settings.system_namespaces or SYSTEM_NAMESPACES)
    if rev is not None:  # rev="" is a mistake to say, not the working tree
        files = revision_files(given, rev, max_bytes=max_file_bytes, exclude=patterns)
    else:
        files = working_tree_files(given, max_bytes=max_file_bytes, exclude=patterns, follow_symlinks=follow_symlinks)
    excluded: dict[str, str] = {}
    store = open_cache(cache, given)
    zone_name = zone or settings.zone or DEFAULT_ZONE
    with _no_cyclic_gc():
        if store is None:
            content = _build_content(_not_excluded(files, excluded), namespaces, memo, zone_name)
        else:
            content = _cached_content(list(_not_excluded(files, excluded)), namespaces, memo, zone_name, store)
    return PolicyRepo(
        content, sources=tuple(str(p) for p in given), rev=rev, excluded=MappingProxyType(excluded), config=config
    )


def _not_excluded(files: Iterable[SourceFile], excluded: dict[str, str]) -> Iterator[SourceFile]:
    """The files to read; each excluded one goes to ``excluded`` with its pattern, to be counted and listed."""
    for source in files:
        if source.excluded_by is not None:
            excluded[source.path] = source.excluded_by
        else:
            yield source


def _cached_content(files: list[SourceFile], namespaces: tuple[str, ...], memo: ParseMemo | None, zone: str,
                    store: LoadCache) -> RepoContent:
    """The content of ``files`` from the cache when the same files (paths and bytes) were loaded with the
    same options before, else built (parsing only the files whose bytes the cache has not seen) and stored.
    A diff's memo shares objects between its two loads, which a stored content cannot: with a memo only
    the parsed files are cached."""
    key = make_key("repo", _repo_key_parts(files, namespaces, zone)) if memo is None else None
    if key is not None:
        found = store.get("repo", key, RepoContent)
        if found is not None:
            return found
    content = _build_content(files, namespaces, memo, zone, store)
    if key is not None and store.put("repo", key, content):
        store.prune()
    return content


def _repo_key_parts(files: Sequence[SourceFile], namespaces: Sequence[str], zone: str) -> Iterator[bytes]:
    """Everything the content of a load depends on: the options, then each file in order with its bytes'
    digest or the reason it was not read (the file list already reflects excludes, limits and symlinks)."""
    yield "\0".join(namespaces).encode()
    yield zone.encode()
    for source in files:
        yield source.path.encode("utf-8", "surrogateescape")
        if source.data is not None:
            yield b"data:" + digest(source.data)
        else:
            yield f"error:{source.error}\0skipped:{source.skipped}".encode("utf-8", "surrogateescape")


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """The collector paused while loading, and what the load made frozen afterwards (:mod:`.gcpause`)."""
    with cyclic_gc_paused(freeze_after=FREEZE_AFTER_OBJECTS):
        yield


def _gc_paused(build: Callable[[PolicyRepo], pd.DataFrame]) -> cached_property[pd.DataFrame]:
    """A frame property built once, with the collector paused as while loading: a frame of 100,000 rows
    makes as many dicts and tuples, all kept."""

    @wraps(build)
    def paused(self: PolicyRepo) -> pd.DataFrame:
        with _no_cyclic_gc():
            return build(self)

    return cached_property(paused)


Row = tuple[Document, Resource | None]


def _read_documents(files: Iterable[SourceFile], memo: ParseMemo | None = None, store: LoadCache | None = None) -> list[Row]:
    """Every document (or List item) of every file with the resource it holds, if it holds one we read.
    With a ``memo``, files already seen with the same bytes are not parsed again; with a ``store``, files
    whose bytes it has seen are not parsed at all."""
    rows: list[Row] = []
    budget = AliasBudget()  # what aliases may expand to, across the files of this load
    for source in files:
        rows.extend(_file_rows(source, memo, budget, store))
    return rows


def _parsed(text: str, data: bytes, budget: AliasBudget | None, store: LoadCache | None) -> Iterable[RawDocument]:
    """The documents of one file: from the cache, or parsed (and stored).  Only a file without ``*`` is
    cached: one that may hold aliases is measured against the repository's alias budget, so what it gives
    depends on the files read before it, not on its bytes alone."""
    if store is None or "*" in text:
        return iter_documents(text, budget)
    key = make_key("parse", (digest(data),))
    found = store.get("parse", key, tuple)
    if found is not None and all(type(doc) is RawDocument for doc in found):
        return found
    documents = tuple(iter_documents(text, budget))
    store.put("parse", key, documents)
    return documents


def _file_rows(source: SourceFile, memo: ParseMemo | None, budget: AliasBudget | None = None,
               store: LoadCache | None = None) -> Sequence[Row]:
    if source.skipped is not None:
        return [(Document(source.path, 0, 0, None, None, None, Status.SKIPPED, source.skipped), None)]
    if source.error is not None or source.data is None:
        return [(Document(source.path, 0, 0, None, None, None, Status.ERROR, source.error or "not read"), None)]
    text, problem = decode(source.data)
    if text is None:
        return [(Document(source.path, 0, 0, None, None, None, Status.ERROR, problem or "not text"), None)]
    if memo is None:
        return _normalised(source.path, _parsed(text, source.data, budget, store))
    data = source.data
    return memo.file_rows(source.path, data, lambda: _parsed(text, data, budget, store),
                          lambda docs: _normalised(source.path, docs))


def _normalised(path: str, documents: Iterable[RawDocument]) -> list[Row]:
    rows: list[Row] = []
    for raw in documents:
        for item in normalise(path, raw):
            rows.append((item.document, item.resource) if isinstance(item, Recognised) else (item, None))
    return rows


def _identity(resource: Resource) -> tuple[str, ...]:
    """What makes two definitions the same object in a control plane (or a cluster)."""
    kubernetes = resource.format is Format.KUBERNETES
    return (resource.kind, "" if kubernetes else resource.mesh, (resource.namespace or "") if resource.namespaced else "", resource.name)


def _drop_redefinitions(rows: list[tuple[Document, Resource | None]]) -> list[tuple[Document, Resource | None]]:
    """Keep the last definition of each object, as applying the files in order would (``kumactl apply``
    and ``kubectl apply`` both read a directory in sorted order); earlier ones are skipped, saying where
    the definition that wins is."""
    last: dict[tuple[str, ...], Resource] = {}
    for _, resource in rows:
        if resource is not None:
            last[_identity(resource)] = resource
    out: list[tuple[Document, Resource | None]] = []
    for doc, resource in rows:
        if resource is not None and last[_identity(resource)] is not resource:
            winner = last[_identity(resource)]
            reason = f"redefined later at {winner.location}; as when applied in file order, the last definition is used"
            out.append((replace(doc, status=Status.SKIPPED, reason=reason), None))
        else:
            out.append((doc, resource))
    return out


def _policies(resources: Iterable[Resource], system_namespaces: Sequence[str] = SYSTEM_NAMESPACES,
              created: Mapping[tuple[str, ...], int] | None = None,
              memo: ParseMemo | None = None) -> tuple[list[Policy], list[ViolationRecord]]:
    """Typed, validated policies; ``created`` gives each object's first position in apply order (a later
    definition updates the object, which keeps the creation time of the first).  With a ``memo``, a resource
    seen before at the same apply position gives back the same policy."""
    policies: list[Policy] = []
    violations: list[ViolationRecord] = []
    namespaces = tuple(system_namespaces)
    for resource in resources:
        if resource.kind not in POLICY_KINDS:
            continue
        order = created.get(_identity(resource), len(policies)) if created is not None else len(policies)
        if memo is None:
            policy, found = _policy(resource, namespaces, order)
        else:
            policy, found = memo.policy(resource, (namespaces, order), lambda r=resource, o=order: _policy(r, namespaces, o))  # type: ignore[misc]
        policies.append(policy)
        violations.extend(found)
    return policies, violations


def _policy(resource: Resource, system_namespaces: Sequence[str], order: int) -> tuple[Policy, list[ViolationRecord]]:
    """The typed policy of ``resource`` and its 2.5 violations (``repo.violations`` is the 2.5 answer), located."""
    found = violations_at(resource, "2.5", system_namespaces)
    policy = typed_policy(resource, valid=not found, apply_order=order)
    records = [ViolationRecord(policy.key, resource.file, resource.line_of(v.path), v.path, v.message, resource.line) for v in found]
    return policy, records


def _build_content(files: Iterable[SourceFile], system_namespaces: Sequence[str] = SYSTEM_NAMESPACES,
                   memo: ParseMemo | None = None, zone: str = DEFAULT_ZONE, store: LoadCache | None = None) -> RepoContent:
    read = _read_documents(files, memo, store)
    created: dict[tuple[str, ...], int] = {}
    for _, resource in read:
        if resource is not None:
            created.setdefault(_identity(resource), len(created))
    rows = _drop_redefinitions(read)
    resources = [r for _, r in rows if r is not None]
    policies, violations = _policies(resources, system_namespaces, created, memo)
    invalid = {id(p.resource) for p in policies if not p.valid}
    documents = [
        replace(d, status=Status.INVALID, reason="fails Kuma 2.5 validation (see repo.violations)") if r is not None and id(r) in invalid else d
        for d, r in rows
    ]
    meshes = {r.name: typed_mesh(r) for r in resources if r.kind == "Mesh"}
    for name in sorted({r.mesh for r in resources if r.mesh} - set(meshes)):
        meshes[name] = Mesh(name)
    inventory = build_inventory(resources, policies, meshes)
    for name in sorted(({p.mesh for p in inventory.proxies} | {s.mesh for s in inventory.services}) - set(meshes)):
        meshes[name] = Mesh(name)
    return RepoContent(
        documents=tuple(documents),
        resources=tuple(resources),
        policies=tuple(policies),
        violations=tuple(violations),
        meshes=MappingProxyType(dict(sorted(meshes.items()))),
        proxies=inventory.proxies,
        services=MappingProxyType({(s.mesh, s.name): s for s in inventory.services}),
        workloads=inventory.workloads,
        system_namespaces=tuple(system_namespaces),
        gateways=tuple(typed_mesh_gateway(r, i) for i, r in enumerate(r for r in resources if r.kind == "MeshGateway")),
        destinations=destinations(resources, meshes, zone),
        zone=zone,
    )


def service_protocol(service: Service) -> tuple[str, str]:
    """The mesh-wide protocol of a service and a sentence on where it came from.

    Every endpoint counts here, ExternalServices included; the resolver refines this per proxy (an
    ExternalService counts only for proxies a TrafficPermission admits)."""
    if service.inferred:
        return "unknown", "no inventory: only named by policies, so no endpoints (Kuma: unknown)"
    if not service.endpoints:
        return "unknown", "no Ready endpoints (Kuma: unknown)"
    raw = [ep.protocol_tag for ep in service.endpoints]
    protocol = fold_protocols(raw)
    counts = Counter("<missing>" if v is None else v for v in raw)
    seen = ", ".join(f"{v} x{n}" for v, n in sorted(counts.items()))
    return protocol, f"kuma.io/protocol over {len(raw)} endpoint(s): {seen}"


class PolicyRepo:
    """A loaded repository: typed objects in ``content`` and the frames users work with.

    Frames are built on first use and cached; each is a fresh copy-safe DataFrame whose columns are
    declared in :mod:`meshroute_analysis.frames`.
    """

    def __init__(
        self,
        content: RepoContent,
        *,
        sources: tuple[str, ...] = (),
        rev: str | None = None,
        excluded: Mapping[str, str] | None = None,
        config: Config | None = None,
    ) -> None:
        self.content = content
        self.sources = sources
        self.rev = rev
        #: The files an exclude pattern kept from being read (shown as ``documents.file`` would), each with
        #: the pattern that matched it.
        self.excluded: Mapping[str, str] = excluded if excluded is not None else MappingProxyType({})
        #: The config the repository was loaded with (None: none was passed).
        self.config = config

    # ---------------------------------------------------------------------------------- frames

    @_gc_paused
    def documents(self) -> pd.DataFrame:
        rows = ((d.file, d.line, d.index, d.item, d.kind, d.name, d.mesh, d.status.value, d.reason) for d in self.content.documents)
        return frames.make_frame(frames.DOCUMENTS, rows)

    @_gc_paused
    def policies(self) -> pd.DataFrame:
        def row(p: Policy) -> tuple[object, ...]:
            ref = p.target_ref
            r = p.resource
            return (
                p.type, p.name, p.mesh, r.namespace, r.format.value,
                ref.kind if ref else None, ref.name if ref else None, tags_dict(ref.tags) if ref else {},
                r.file, r.line, p.valid, p.key, p.core_name, tags_str(ref.tags) if ref else "", len(p.to),
            )  # fmt: skip

        return frames.make_frame(frames.POLICIES, (row(p) for p in self.content.policies))

    @_gc_paused
    def backends(self) -> pd.DataFrame:
        return frames.make_frame(frames.BACKENDS, _backend_rows(self.content.policies), nullable_ints=frames.BACKENDS_NULLABLE_INTS)

    @_gc_paused
    def violations(self) -> pd.DataFrame:
        return frames.violations_frame(self.content.violations, self.content.policies)

    @_gc_paused
    def dataplanes(self) -> pd.DataFrame:
        # Replicas share one inbounds tuple, so its display forms are worked out once per shape.
        shapes: dict[int, tuple[object, ...]] = {}
        rows = []
        for p in self.content.proxies:
            shape = shapes.get(id(p.inbounds))
            if shape is None:
                first = p.inbounds[0].tags if p.inbounds else ()
                shape = shapes[id(p.inbounds)] = (tags_dict(first), tags_str(first), tuple(tags_dict(i.tags) for i in p.inbounds))
            listed = p.outbounds if p.outbounds is not None else p.extra_outbounds
            outbounds = tuple(o.service for o in listed) if listed or p.outbounds is not None else None
            reachable = tuple(sorted(p.reachable)) if p.reachable is not None else None
            gateway = (p.gateway.type, tags_dict(p.gateway.tags)) if p.gateway is not None else (None, None)
            rows.append((p.name, p.mesh, shape[0], p.origin.value, shape[1], p.group_name, shape[2], outbounds, p.transparent,
                         p.file, p.line, reachable, *gateway))
        return frames.make_frame(frames.DATAPLANES, rows)

    @_gc_paused
    def workloads(self) -> pd.DataFrame:
        """One row per Kubernetes workload: whether Kuma 2.5 gives its pods a sidecar, and why."""
        rows = ((w.kind, w.name, w.namespace, w.mesh, w.replicas, w.sidecar, w.reason, w.severity, w.file, w.line)
                for w in self.content.workloads)
        return frames.make_frame(frames.WORKLOADS, rows)

    @_gc_paused
    def services(self) -> pd.DataFrame:
        rows = []
        for s in self.content.services.values():
            protocol, source = service_protocol(s)
            external = bool(s.endpoints) and all(e.external for e in s.endpoints)
            rows.append((s.mesh, s.name, protocol, source, len(s.endpoints), external, s.inferred, s.declared_protocol))
        return frames.make_frame(frames.SERVICES, rows)

    @_gc_paused
    def destinations(self) -> pd.DataFrame:
        """One row per port of every destination resource (2.9+): those the repository writes and the
        MeshServices Kuma generates for Kubernetes Services (``generated_from`` says which), with the KRI of
        the outbound the port gives and the cluster name (``service``) Kuma uses for it.  The zone is the one
        the control plane computes (its ``kuma.io/zone`` label, else ``default``)."""
        rows = []
        for d in self.content.destinations:
            for port in d.ports or (None,):
                rows.append((
                    d.mesh, d.kind, d.name, d.namespace, d.zone,
                    port.name if port else None, port.port if port else None, port.app_protocol if port else None,
                    d.kri(port.name) if port else d.kri(), d.legacy_name(port) if port else None,
                    dict(d.labels), dict(d.selector) if d.selector is not None else None, d.generated_from, d.file, d.line,
                ))
        return frames.make_frame(frames.DESTINATIONS, rows)

    # ---------------------------------------------------------------------------------- display

    def summary(self) -> dict[str, object]:
        statuses = Counter(d.status.value for d in self.content.documents)
        types = Counter(p.type for p in self.content.policies)
        return {
            "documents": len(self.content.documents),
            "by_status": {s.value: statuses.get(s.value, 0) for s in Status},
            "policies": dict(sorted(types.items())),
            "invalid_policies": sum(1 for p in self.content.policies if not p.valid),
            "violations": len(self.content.violations),
            "meshes": list(self.content.meshes),
            "proxies": len(self.content.proxies),
            "services": len(self.content.services),
            "excluded_files": len(self.excluded),
            "config": str(self.config.path) if self.config is not None and self.config.path is not None else None,
        }

    def __repr__(self) -> str:
        s = self.summary()
        status = ", ".join(f"{n} {k}" for k, n in s["by_status"].items())  # type: ignore[attr-defined]
        policies = ", ".join(f"{n} {k}" for k, n in s["policies"].items()) or "none"  # type: ignore[attr-defined]
        where = ", ".join(self.sources) + (f" @ {self.rev}" if self.rev else "")
        return (
            f"PolicyRepo({where})\n"
            f"  documents: {s['documents']} ({status})\n"
            f"  policies:  {policies}; {s['invalid_policies']} invalid, {s['violations']} violations\n"
            f"  meshes:    {', '.join(s['meshes']) or 'none'}\n"  # type: ignore[arg-type]
            f"  proxies:   {s['proxies']}\n"
            f"  services:  {s['services']}"
            + (f"\n  excluded:  {s['excluded_files']} files" if self.excluded else "")
            + f"\n  config:    {s['config'] or 'none'}"
        )

    def _repr_html_(self) -> str:
        lines = self.__repr__().splitlines()
        head, body = lines[0], lines[1:]
        cells = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k.strip())}</th><td style='text-align:left'>{html.escape(v.strip())}</td></tr>"
            for k, _, v in (line.partition(":") for line in body)
        )
        return f"<div><strong>{html.escape(head)}</strong><table>{cells}</table></div>"


def _shares(weights: Sequence[int]) -> list[float]:
    total = sum(weights)
    return [w / total if total > 0 else 0.0 for w in weights]


def _backend_rows(policies: Iterable[Policy]) -> Iterable[tuple[object, ...]]:
    """One row per configured backendRef (and the implicit self-reference of a ``to`` entry without rules)."""
    for p in policies:
        file, line = p.resource.file, p.resource.line
        for entry in p.to:
            destination = entry.target_ref.name if entry.target_ref else None
            if p.type == "MeshTCPRoute":
                if not entry.has_rules:
                    # 2.5's To.GetDefault: an entry without rules routes to its own target, weight 1.
                    kind = entry.target_ref.kind if entry.target_ref else None
                    yield (p.key, entry.index, destination, kind, destination, {}, 1, 1.0, p.type, p.mesh, None, 0, "", None, True, file, line)
                    continue
                yield from _ref_rows(p, entry.index, destination, 0, entry.backend_refs or ())
            else:
                for rule_index, rule in enumerate(entry.http_rules):
                    yield from _ref_rows(p, entry.index, destination, rule_index, rule.backend_refs or ())
        if p.type == "TrafficRoute":
            destination = ",".join(tags_str(d.match) for d in p.destinations) or None
            weights = [max(s.weight, 0) for s in p.splits]
            for i, (split, share) in enumerate(zip(p.splits, _shares(weights), strict=True)):
                tags = {k: v for k, v in split.destination if k != "kuma.io/service"}
                name = dict(split.destination).get("kuma.io/service")
                kind = "MeshServiceSubset" if tags else "MeshService"
                yield (p.key, None, destination, kind, name, tags, split.weight, share, p.type, p.mesh, None, i, tags_str(tuple(sorted(tags.items()))), split.weight, False, file, line)


def _ref_rows(p: Policy, to_index: int, destination: str | None, rule_index: int, refs: Sequence) -> Iterable[tuple[object, ...]]:
    weights = [max(r.effective_weight, 0) for r in refs]
    for i, (ref, share) in enumerate(zip(refs, _shares(weights), strict=True)):
        yield (
            p.key, to_index, destination, ref.kind, ref.name, tags_dict(ref.tags), ref.effective_weight, share,
            p.type, p.mesh, rule_index, i, tags_str(ref.tags), ref.weight, False, p.resource.file, p.resource.line,
        )  # fmt: skip
