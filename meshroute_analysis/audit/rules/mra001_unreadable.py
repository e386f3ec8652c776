"""MRA001: a file or YAML document that could not be read.

The loader keeps going after a bad document (as Kuma's ``SplitYAML`` callers and istioctl do) and records it
as a ``repo.documents`` row with status ``error``; the audit turns each into a finding so CI sees it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext
from ..finding import Finding

CODE = "MRA001"


def check(ctx: AuditContext) -> Iterator[Finding]:
    for doc in ctx.content.documents:
        if doc.status.value != "error":
            continue
        what = f"document {doc.index + 1}" if doc.line else "the file"
        yield Finding(
            CODE,
            f"{what} of {doc.file} could not be read: {doc.reason}; any policy in it is missing from this audit "
            "and would be rejected by kumactl/kubectl apply",
            doc.file, doc.line or None, mesh=doc.mesh,
        )
