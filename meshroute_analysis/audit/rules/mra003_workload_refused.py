"""MRA003: a Kubernetes workload whose pods Kubernetes refuses or Kuma cannot convert to a Dataplane.

Read at 2.5.11: ``pkg/plugins/runtime/k8s/webhooks/injector/injector.go`` ``needInject`` fails on an injection
label that ``metadata.Annotations.GetEnabled`` does not parse, and the webhook (failurePolicy Fail) refuses
the pod; ``pkg/plugins/runtime/k8s/controllers/pod_converter.go`` ``dataplaneFor`` fails on an invalid
``kuma.io/gateway`` value and ``inbound_converter.go`` ``InboundInterfacesFor`` when Services select the pod
but none of their ports maps to a container port.  The inventory records each workload with its reason
(``repo.workloads``); this rule reports those it marks ``error``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..context import AuditContext
from ..finding import Finding
from ._workloads import workload_findings

CODE = "MRA003"


def check(ctx: AuditContext) -> Iterator[Finding]:
    yield from workload_findings(ctx, CODE, "error")
