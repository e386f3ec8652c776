"""Suppression: ``--skip CODE``, ``--skip CODE=GLOB`` and the policy label/annotation ``meshroute.io/skip``.

- ``CODE`` drops every finding with that code.  ``*`` stands for every code.
- ``CODE=GLOB`` drops the findings of that code whose policy matches the shell-style glob (``fnmatch``,
  case-sensitive) on its key (``MeshTCPRoute/route.kuma-system``) or its name (``route``); e.g.
  ``MRA302=canary-*`` or ``MRA901=TrafficRoute/*``.
- A policy's label or annotation ``meshroute.io/skip: "MRA101,MRA204"`` (comma- or space-separated codes,
  or ``*``) drops those codes for findings about that policy.  Kubernetes label values cannot hold a
  comma: use the annotation for several codes.

Unknown codes are reported back so the CLI can warn (istioctl warns on unknown analyzer codes too).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..model import SKIP_ANNOTATION, Policy
from .codes import CODES
from .finding import Finding

__all__ = ["Skip", "parse_skips", "policy_skips"]

ALL = "*"


@dataclass(frozen=True, slots=True)
class Skip:
    code: str  # a code or "*"
    glob: str | None = None

    def matches(self, finding: Finding) -> bool:
        if self.code != ALL and self.code != finding.code:
            return False
        if self.glob is None:
            return True
        names = [n for n in (finding.policy, finding.policy_name) if n]
        return any(fnmatchcase(n, self.glob) for n in names)


def parse_skips(values: Iterable[str]) -> tuple[tuple[Skip, ...], tuple[str, ...]]:
    """``--skip`` values (each may hold several, comma-separated) → skips, and the unknown codes."""
    skips: list[Skip] = []
    unknown: list[str] = []
    for value in values:
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            code, sep, glob = part.partition("=")
            code = code.strip().upper()
            if code != ALL and code not in CODES:
                unknown.append(code)
                continue
            skips.append(Skip(code, glob.strip() if sep else None))
    return tuple(skips), tuple(unknown)


def _codes(text: str) -> set[str]:
    return {c.upper() for c in re.split(r"[\s,;]+", text) if c}


def policy_skips(policies: Iterable[Policy]) -> Mapping[tuple[str, str, str], frozenset[str]]:
    """(mesh, file, key) → codes the policy's ``meshroute.io/skip`` label or annotation suppresses."""
    out: dict[tuple[str, str, str], frozenset[str]] = {}
    for p in policies:
        values = [v for k, v in (*p.resource.labels, *p.resource.annotations) if k == SKIP_ANNOTATION]
        if values:
            out[(p.mesh, p.resource.file, p.key)] = frozenset(set().union(*(_codes(v) for v in values)))
    return out


def is_suppressed(finding: Finding, skips: Sequence[Skip], by_policy: Mapping[tuple[str, str, str], frozenset[str]]) -> bool:
    if any(s.matches(finding) for s in skips):
        return True
    if finding.policy is None:
        return False
    codes = by_policy.get((finding.mesh or "", finding.file or "", finding.policy), frozenset())
    return finding.code in codes or ALL in codes
