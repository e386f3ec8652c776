"""MRA004: sidecar injection set where Kuma 2.5 does not read it.

Read at 2.5.11: ``injector.go`` ``needInject`` reads the ``kuma.io/sidecar-injection`` *label* of the pod, then
of its namespace, never an annotation; the Helm chart's namespace webhook
(``deployments/charts/kuma/templates/cp-webhooks-and-secrets.yaml``) selects namespaces labelled exactly
``enabled``, so a namespace labelled ``true`` (which the injector accepts) may never reach it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext
from ..finding import Finding
from ._workloads import workload_findings

CODE = "MRA004"


def check(ctx: AuditContext) -> Iterator[Finding]:
    yield from workload_findings(ctx, CODE, "warning")
