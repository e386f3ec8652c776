"""MRA005: whether a workload gets a sidecar cannot be decided from the repository.

The injector decides from the namespace's labels when the pod has none (``injector.go`` ``needInject``), and
the Helm chart's webhooks never see ``kube-system``; when the namespace is not in the repository, or is that
one, the inventory assumes no sidecar and says so.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext
from ..finding import Finding
from ._workloads import workload_findings

CODE = "MRA005"


def check(ctx: AuditContext) -> Iterator[Finding]:
    yield from workload_findings(ctx, CODE, "info")
