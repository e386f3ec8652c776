"""Validation of route policies as each Kuma release validates them, offline.

The layers, in the order Kuma runs them on apply (``kumactl apply`` and the REST API:
``pkg/core/resources/model/rest/unmarshaller.go``, then the resource's ``validate()``, then the API
server's resource-meta check; on Kubernetes the admission webhooks come first):

========================  =====================================================================
module                    layer
========================  =====================================================================
:mod:`.profiles`          every difference between releases: one frozen profile per version
:mod:`.admission`         Kubernetes admission (system namespace, policy role); ``violations_at``
:mod:`.openapi`           the OpenAPI engine (kube-openapi's checks, order and messages)
:mod:`.route_schemas`     the MeshTCPRoute / MeshHTTPRoute schemas of a profile
:mod:`.jsonpb`            the protobuf JSON shape of TrafficRoute / TrafficPermission
:mod:`.targetref`         ``ValidateTargetRef``
:mod:`.tags`              tag and selector rules
:mod:`.tcproute`          the MeshTCPRoute validator
:mod:`.httproute`         the MeshHTTPRoute validator
:mod:`.routes`            what both route validators share
:mod:`.legacy`            the TrafficRoute / TrafficPermission validators
:mod:`.meta`              the resource name
:mod:`.deprecations`      the warnings (2.9+) Kuma prints for documents it accepts
:mod:`.policy`            ``validate_policy``: one document through the layers
========================  =====================================================================

:mod:`meshroute_analysis.validate` is the public entry point; its docstring says what is checked and
where this package differs from Kuma on purpose.
"""

from __future__ import annotations

from .admission import SYSTEM_NAMESPACES, violations_at
from .deprecations import deprecations
from .paths import Violation
from .policy import validate_policy
from .profiles import PROFILES, ValidationProfile, profile_for, validation_version

__all__ = [
    "PROFILES",
    "SYSTEM_NAMESPACES",
    "ValidationProfile",
    "Violation",
    "deprecations",
    "profile_for",
    "validate_policy",
    "validation_version",
    "violations_at",
]
