"""Which policy documents the control plane of one version refuses on apply.

The loader validates every policy as Kuma 2.5 does (``repo.violations``); a resolution for another version
needs that version's answer, since releases accept syntax 2.5 refuses (a MeshGateway top-level targetRef from
2.6) and refuse syntax 2.5 accepts.  :func:`version_violations` gives it, with the same records, and the
resolver leaves the refused documents out, as the control plane never stored them.
"""

from __future__ import annotations

from ..content import RepoContent
from ..model import Policy, ViolationRecord
from ..validate import validation_version, violations_at
from .semantics import Semantics


def version_violations(content: RepoContent, semantics: Semantics) -> tuple[tuple[ViolationRecord, ...], frozenset[int]]:
    """The violations of ``content``'s policies at ``semantics.version`` (the loader's own at 2.5) and the
    refused policies (by ``id``: one name may stand for policies of several meshes)."""
    version = validation_version(semantics.validates_as)
    if version == validation_version("2.5"):
        return content.violations, frozenset(id(p) for p in content.policies if not p.valid)
    out: list[ViolationRecord] = []
    refused: set[int] = set()
    for policy in content.policies:
        found = _records(policy, version, content.system_namespaces)
        if found:
            refused.add(id(policy))
            out.extend(found)
    return tuple(out), frozenset(refused)


def _records(policy: Policy, version: str, system_namespaces: tuple[str, ...]) -> list[ViolationRecord]:
    resource = policy.resource
    return [
        ViolationRecord(policy.key, resource.file, resource.line_of(v.path), v.path, v.message, resource.line)
        for v in violations_at(resource, version, system_namespaces)
    ]
