"""Policies added, removed or modified between two revisions, with the field paths that changed.

A policy is the same policy on both sides when its mesh and key (``<Type>/<core name>``) are; it is
modified when its spec, labels or annotations differ, compared as data (key order, quoting, comments
and the file it lives in do not count).  Paths are written as Kuma's validators write them
(``spec.to[0].rules[0].default.backendRefs[1].weight``; keys that are not identifiers in brackets,
``tags["kuma.io/service"]``), from where the field is in the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

import pandas as pd

from .. import frames
from ..audit.context import spec_prefix
from ..content import RepoContent
from ..model import Format, Policy

__all__ = ["POLICY_DIFF_COLUMNS", "compare_policies", "field_paths"]

POLICY_DIFF_COLUMNS = (
    *frames.DIFF_POLICIES, "valid_before", "valid_after", "file_before", "line_before", "file_after", "line_after",
)  # fmt: skip
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PolicyChange(NamedTuple):
    mesh: str
    policy: str
    type: str
    name: str
    change: str  # added | removed | modified
    fields: tuple[str, ...]
    valid_before: bool | None
    valid_after: bool | None
    file_before: str | None
    line_before: int | None
    file_after: str | None
    line_after: int | None


def _join(at: str, key: Any) -> str:
    text = str(key)
    if _IDENTIFIER.match(text):
        return f"{at}.{text}" if at else text
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'{at}["{quoted}"]'


def field_paths(before: Any, after: Any, at: str = "") -> Iterator[str]:
    """The paths below ``at`` where two parsed YAML values differ (a value and its type both count)."""
    if type(before) is dict and type(after) is dict:
        for key in sorted(before.keys() | after.keys(), key=str):
            if key not in before or key not in after:
                yield _join(at, key)
            else:
                yield from field_paths(before[key], after[key], _join(at, key))
    elif type(before) is list and type(after) is list:
        for i in range(max(len(before), len(after))):
            if i >= len(before) or i >= len(after):
                yield f"{at}[{i}]"
            else:
                yield from field_paths(before[i], after[i], f"{at}[{i}]")
    elif type(before) is not type(after) or before != after:
        yield at or "spec"


def _spec_at(policy: Policy) -> str:
    return spec_prefix(policy).rstrip(".")


def _meta_at(policy: Policy, what: str) -> str:
    return f"metadata.{what}" if policy.resource.format is Format.KUBERNETES else what


def changed_fields(before: Policy, after: Policy) -> tuple[str, ...]:
    b, a = before.resource, after.resource
    paths = list(field_paths(b.spec, a.spec, _spec_at(after)))
    paths += field_paths(dict(b.labels), dict(a.labels), _meta_at(after, "labels"))
    paths += field_paths(dict(b.annotations), dict(a.annotations), _meta_at(after, "annotations"))
    return tuple(paths)


def _change(key: tuple[str, str], before: Policy | None, after: Policy | None) -> PolicyChange | None:
    shown = after or before
    assert shown is not None
    if before is None:
        change, fields = "added", ()
    elif after is None:
        change, fields = "removed", ()
    else:
        fields = changed_fields(before, after)
        if not fields:
            return None
        change = "modified"
    return PolicyChange(
        key[0], key[1], shown.type, shown.name, change, fields,
        before.valid if before else None, after.valid if after else None,
        before.resource.file if before else None, before.resource.line if before else None,
        after.resource.file if after else None, after.resource.line if after else None,
    )


def compare_policies(before: RepoContent, after: RepoContent) -> pd.DataFrame:
    """One row per policy added, removed or modified, in (mesh, policy) order."""
    b = {(p.mesh, p.key): p for p in before.policies}
    a = {(p.mesh, p.key): p for p in after.policies}
    rows = [c for key in sorted(b.keys() | a.keys()) if (c := _change(key, b.get(key), a.get(key))) is not None]
    frame = frames.make_frame(POLICY_DIFF_COLUMNS, rows)
    if not frame.empty:
        frame = frame.astype(object).where(frame.notna(), None)
        frame["line_before"] = frame["line_before"].astype("Int64")
        frame["line_after"] = frame["line_after"].astype("Int64")
    return frame
