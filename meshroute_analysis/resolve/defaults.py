"""The routing policies a 2.5 control plane creates with every mesh.

Source: ``pkg/defaults/mesh/mesh.go`` and ``pkg/defaults/mesh/traffic_route.go`` /
``traffic_permission.go`` at 2.5.11: ``route-all-<mesh>`` (TrafficRoute ``*`` → ``*``, destination
``kuma.io/service: *``) and ``allow-all-<mesh>`` (TrafficPermission ``*`` → ``*``), unless the Mesh lists the
kind (or ``*``) in ``skipCreatingInitialPolicies``.  They carry ``Format.IMPLICIT``, no file and line 0.
"""

from __future__ import annotations

from ..content import RepoContent
from ..model import CREATED_WITH_MESH, SERVICE_TAG, Format, Mesh, Policy, Resource, Selector, Split
from .semantics import Semantics
from .tagmatch import MATCH_ALL

_ANY_SERVICE = ((SERVICE_TAG, MATCH_ALL),)


def _implicit_resource(kind: str, name: str, mesh: str, spec: dict) -> Resource:
    return Resource(
        kind=kind,
        name=name,
        mesh=mesh,
        namespace=None,
        format=Format.IMPLICIT,
        spec=spec,
        labels=(),
        annotations=(),
        file="",
        line=0,
    )


def route_all(mesh: str) -> Policy:
    spec = {
        "sources": [{"match": {SERVICE_TAG: MATCH_ALL}}],
        "destinations": [{"match": {SERVICE_TAG: MATCH_ALL}}],
        "conf": {"destination": {SERVICE_TAG: MATCH_ALL}, "loadBalancer": {"roundRobin": {}}},
    }
    return Policy(
        resource=_implicit_resource("TrafficRoute", _default_name("TrafficRoute", mesh), mesh, spec),
        valid=True,
        apply_order=CREATED_WITH_MESH,
        sources=(Selector(_ANY_SERVICE),),
        destinations=(Selector(_ANY_SERVICE),),
        splits=(Split(weight=1, destination=_ANY_SERVICE),),
    )


def allow_all(mesh: str) -> Policy:
    spec = {
        "sources": [{"match": {SERVICE_TAG: MATCH_ALL}}],
        "destinations": [{"match": {SERVICE_TAG: MATCH_ALL}}],
    }
    return Policy(
        resource=_implicit_resource("TrafficPermission", _default_name("TrafficPermission", mesh), mesh, spec),
        valid=True,
        apply_order=CREATED_WITH_MESH,
        sources=(Selector(_ANY_SERVICE),),
        destinations=(Selector(_ANY_SERVICE),),
    )


def meshes_of(content: RepoContent) -> dict[str, Mesh]:
    """Every mesh the repository names: its Mesh objects, plus meshes only proxies or services name."""
    meshes = dict(content.meshes)
    for name in [p.mesh for p in content.proxies] + [m for (m, _) in content.services]:
        meshes.setdefault(name, Mesh(name=name))
    return meshes


_DEFAULTS = (("TrafficRoute", route_all), ("TrafficPermission", allow_all))


def _default_name(kind: str, mesh: str) -> str:
    return f"{'route-all' if kind == 'TrafficRoute' else 'allow-all'}-{mesh}"


def redefined_defaults(content: RepoContent, semantics: Semantics) -> frozenset[int]:
    """The policies (by ``id``) of the repository that redefine a default the control plane created with
    their mesh: applying them updates that object, which keeps the mesh's creation time."""
    if not semantics.creates_default_routing:
        return frozenset()
    meshes = meshes_of(content)
    return frozenset(
        id(p)
        for p in content.policies
        if p.type in ("TrafficRoute", "TrafficPermission")
        and p.core_name == _default_name(p.type, p.mesh)
        and meshes.get(p.mesh, Mesh(p.mesh)).creates_default(p.type)
    )


def default_policies(content: RepoContent, semantics: Semantics) -> tuple[Policy, ...]:
    """The implicit defaults of every mesh that does not opt out and does not already hold a policy of
    the same type and name (a repository may keep the exported defaults as files).  2.5 creates
    ``route-all`` / ``allow-all``; from 2.6 a mesh gets MeshTimeout / MeshCircuitBreaker / MeshRetry defaults
    instead, which route nothing but are listed (``Resolution.default_policies``)."""
    present = {(p.mesh, p.type, p.core_name) for p in content.policies}
    out: list[Policy] = []
    for name, mesh in sorted(meshes_of(content).items()):
        made = [make(name) for kind, make in _DEFAULTS if semantics.creates_default_routing and mesh.creates_default(kind)]
        made += [_mesh_default(kind, f"{prefix}-{name}", name) for kind, prefix in semantics.default_mesh_policies
                 if mesh.creates_default(kind)]
        out.extend(p for p in made if (name, p.type, p.core_name) not in present)
    return tuple(out)


def _mesh_default(kind: str, name: str, mesh: str) -> Policy:
    """A default that shapes no route (timeouts, retries, circuit breakers): kept for the record."""
    return Policy(resource=_implicit_resource(kind, name, mesh, {"targetRef": {"kind": "Mesh"}}), valid=True,
                  apply_order=CREATED_WITH_MESH)

