"""The two sides of a diff: what each one is, and its resolution, mesh by mesh.

A side is given as a :class:`~meshroute_analysis.repo.PolicyRepo` (resolved here, with the options of the
diff) or as a :class:`~meshroute_analysis.resolve.Resolution` (used as it is).  A repository side is
resolved one mesh at a time, and only for the meshes whose inputs differ between the sides: the resolver
decides each mesh from that mesh's policies, proxies and services alone (a test keeps the per-mesh
answers equal to the whole one), so a mesh with the same inputs on both sides has the same outcome, and
one changed policy costs the resolution of its own mesh only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..content import RepoContent
from ..repo import PolicyRepo
from ..resolve import Resolution, resolve
from ..resolve.semantics import Semantics, semantics_for

__all__ = ["Side", "mesh_content", "side_of"]


def mesh_content(content: RepoContent, mesh: str) -> RepoContent:
    """What the resolver reads of one mesh.  Documents are left out: they are the loader's accounting
    (file, line, status), which resolving never reads, and they would make a moved file look changed."""
    policies = tuple(p for p in content.policies if p.mesh == mesh)
    keys = {p.key for p in policies}
    return RepoContent(
        documents=(),
        resources=tuple(r for r in content.resources if r.mesh == mesh),
        policies=policies,
        violations=tuple(v for v in content.violations if v.policy in keys),
        meshes=MappingProxyType({mesh: content.meshes[mesh]} if mesh in content.meshes else {}),
        proxies=tuple(p for p in content.proxies if p.mesh == mesh),
        services=MappingProxyType({k: s for k, s in content.services.items() if k[0] == mesh}),
        workloads=tuple(w for w in content.workloads if w.mesh == mesh),
        gateways=tuple(g for g in content.gateways if g.mesh == mesh),
        system_namespaces=content.system_namespaces,
    )


@dataclass
class Side:
    """One side of a diff (``name`` is "before" or "after")."""

    name: str
    given: PolicyRepo | Resolution
    repo: PolicyRepo
    semantics: Semantics
    default_policies: bool
    resolution: Resolution | None = None  # the Resolution given, which covers every mesh
    _full: Resolution | None = field(default=None, repr=False)
    _by_mesh: dict[str, Resolution] = field(default_factory=dict, repr=False)
    _inputs: dict[str, RepoContent] = field(default_factory=dict, repr=False)

    @property
    def content(self) -> RepoContent:
        return self.repo.content

    @property
    def kuma_version(self) -> str:
        return self.semantics.version

    @property
    def meshes(self) -> frozenset[str]:
        return frozenset(self.content.meshes)

    @property
    def label(self) -> str:
        """Where this side comes from: its paths and revision ("policies @ origin/main")."""
        where = ", ".join(self.repo.sources) or self.name
        rev = self.repo.rev
        return f"{where} @ {rev}" if rev else where

    @property
    def root(self) -> Path:
        """The directory finding locations are relative to when findings are matched across sides."""
        sources = [s for s in self.repo.sources if s != "-"]
        if not sources:
            return Path.cwd()
        paths = [Path(s).resolve() for s in sources]
        dirs = [p if p.is_dir() or not p.suffix else p.parent for p in paths]
        return Path(os.path.commonpath([str(d) for d in dirs]))

    def inputs(self, mesh: str) -> RepoContent:
        if mesh not in self._inputs:
            self._inputs[mesh] = mesh_content(self.content, mesh)
        return self._inputs[mesh]

    def full_resolution(self) -> Resolution:
        """Every mesh at once (what the audit reads): the one given, or resolved here (once)."""
        if self.resolution is not None:
            return self.resolution
        if self._full is None:
            self._full = resolve(self.content, kuma_version=self.semantics,  # type: ignore[arg-type]
                                 default_policies=self.default_policies)
        return self._full

    def resolution_for(self, mesh: str) -> Resolution:
        """A resolution that holds ``mesh``: the one given (or already made of every mesh), or this mesh
        resolved alone (once)."""
        if self.resolution is not None:
            return self.resolution
        if self._full is not None:
            return self._full
        if mesh not in self._by_mesh:
            self._by_mesh[mesh] = resolve(self.inputs(mesh), kuma_version=self.semantics,  # type: ignore[arg-type]
                                          default_policies=self.default_policies)
        return self._by_mesh[mesh]


def side_of(name: str, given: Any, kuma_version: str | Semantics | None, default_policies: bool) -> Side:
    """A side from a PolicyRepo or a Resolution; a Resolution keeps the version it was resolved with."""
    if isinstance(given, Resolution):
        repo = given.repo if isinstance(given.repo, PolicyRepo) else PolicyRepo(given.content, sources=(name,))
        # The option is informational here: the Resolution was made with whatever it was made with.
        return Side(name, given, repo, given.semantics, default_policies, given)
    if isinstance(given, PolicyRepo):
        return Side(name, given, given, semantics_for(kuma_version or "2.5"), default_policies)
    raise TypeError(f"diff() compares PolicyRepos (from load_repo) or Resolutions (from resolve), not {type(given).__name__}")
