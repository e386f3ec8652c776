"""What each Kuma release checks when a route policy is applied: one frozen :class:`ValidationProfile` per
version, and :func:`profile_for` to choose it from a version string.

Every difference between releases lives here and nowhere else; the checking code only reads profile
fields.  Each field says where its 2.5.11 value comes from, and each later profile cites the source line
that changes it (``TAG:path:line``, paths relative to the kumahq/kuma repository).  Abbreviations in the
comments: MTR ``pkg/plugins/policies/meshtcproute/api/v1alpha1/``, MHR
``pkg/plugins/policies/meshhttproute/api/v1alpha1/``, VAL ``pkg/core/resources/apis/mesh/validators.go``.

What never changed from 2.5.11 to 2.14.3, and so has no field: the TrafficRoute and TrafficPermission
validators (``pkg/core/resources/apis/mesh/traffic_{route,permission}_validator.go``, refactors only), the
legacy jsonpb decoding (``pkg/util/proto/proto.go``, ``AllowUnknownFields``), the resource-name rule of
``pkg/core/resources/apis/mesh/meta_validator.go`` (2.10 only dropped the lenient *update* variant), the
tag rules of ``validateTagKeyValues`` and every MeshHTTPRoute match / header-modifier / prefix-rewrite
rule.  Patch releases change validation once: 2.6.1 lets a MeshTCPRoute select MeshGateway listener tags.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Literal

from ..errors import UsageError

# Kind names, as common_api.TargetRefKind spells them.
MESH = "Mesh"
MESH_SUBSET = "MeshSubset"
MESH_GATEWAY = "MeshGateway"
MESH_SERVICE = "MeshService"
MESH_SERVICE_SUBSET = "MeshServiceSubset"
MESH_HTTP_ROUTE = "MeshHTTPRoute"
MESH_EXTERNAL_SERVICE = "MeshExternalService"
MESH_MULTI_ZONE_SERVICE = "MeshMultiZoneService"
DATAPLANE = "Dataplane"

#: How a MeshHTTPRoute rule under a top-level MeshGateway may lack backendRefs.
GatewayBackendRefs = Literal["not checked", "required", "required unless redirecting"]
#: How a Kubernetes policy outside the system namespace gets its ``kuma.io/policy-role``.
RoleRule = Literal["none", "consumer when it has to", "producer of MeshServices", "producer of MeshServices and routes"]


@dataclass(frozen=True, slots=True)
class ValidationProfile:
    """The validation facts of one Kuma release (see the module docstring for the citation style)."""

    name: str  # what validation_version() answers; two versions with one name validate alike
    tag: str  # the Kuma tag the facts were read at

    # ---- Layer 1: the OpenAPI schema (2.5.11:pkg/core/resources/model/rest/unmarshaller.go:68-80) ----
    # The enum of every targetRef / backendRef kind (2.5.11:MTR/schema.yaml:26-32, MHR the same).
    schema_kinds: tuple[str, ...]
    # targetRef.proxyTypes exists, an array of Sidecar|Gateway (absent at 2.5.11, an unknown field then).
    schema_proxy_types: bool
    # proxyTypes' minItems (None: no minItems).
    schema_proxy_types_min_items: int | None
    # targetRef.labels, .namespace and .sectionName exist (absent at 2.5.11).
    schema_ref_labels: bool
    # backendRef.port exists (absent at 2.5.11).
    schema_backend_port: bool
    # requestMirror.backendRef is a full BackendRef (weight, port); at 2.5.11 a TargetRef (MHR/schema.yaml).
    schema_mirror_backend_ref: bool
    # targetRef.kind is required (2.5.11: not; a missing kind is left to "kind: must be defined").
    schema_kind_required: bool
    # MeshTCPRoute spec.targetRef is required (2.5.11:MTR/schema.yaml:147-148).
    schema_tcp_target_ref_required: bool
    # MeshTCPRoute rules[].default.backendRefs is required with minItems 1 (2.5.11:MTR/schema.yaml:101-104).
    schema_tcp_backend_refs_required: bool
    # to[].rules is required (both routes), and so is MeshHTTPRoute to[].targetRef (2.5.11: neither;
    # MTR to[].targetRef is always required, 2.5.11:MTR/schema.yaml:142-143).
    schema_to_rules_required: bool
    # MeshHTTPRoute to[].hostnames and urlRewrite.hostToBackendHostname exist (absent at 2.5.11).
    schema_http_gateway_fields: bool
    # The REST unmarshaller applies the schema's defaults before validating, which turns a null
    # weight / statusCode / header match type into its default (2.5.11: no defaulting).
    schema_defaults: bool

    # ---- Layer 2: ValidateTargetRef (2.5.11:VAL:328-367) ----
    # The characters of a referenced name and the message when it has others (2.5.11:VAL:23, :375).
    ref_name_pattern: str
    ref_name_message: str
    # An unsupported kind ({kind} is filled in) (2.5.11:VAL:339).
    ref_unsupported_kind: str
    # A required name that is missing ({kind} is filled in) (2.5.11:VAL:404).
    ref_required_name: str
    # proxyTypes must not be set on MeshService, MeshHTTPRoute, MeshServiceSubset and MeshGateway.
    ref_proxy_types_forbidden: bool
    # labels / namespace / sectionName rules: forbidden on Mesh, MeshSubset, MeshServiceSubset and
    # MeshGateway; MeshService and MeshHTTPRoute take a name or labels (and MeshExternalService is checked
    # like MeshServiceSubset until ref_external_service_rules).
    ref_labels: bool
    # "sectionName should not be combined with labels" on MeshService / MeshHTTPRoute.
    ref_section_name_with_labels_refused: bool
    # MeshExternalService has its own rules (a name or labels, no tags, no sectionName).
    ref_external_service_rules: bool
    # Dataplane has its own rules (no tags / mesh / proxyTypes; sectionName only for inbound policies).
    ref_dataplane: bool
    # MeshServiceSubset / MeshGateway tags are checked as selectors: a value may be "*" or hold "/".
    ref_subset_tags_as_selector: bool
    # An empty proxyTypes list on Mesh / MeshSubset is refused ("must be undefined or have at least one element").
    ref_empty_proxy_types_refused: bool
    # MeshHTTPRoute refs have their own case, which forbids sectionName.
    ref_http_route_section_name_forbidden: bool
    # A MeshService / MeshHTTPRoute / MeshExternalService ref with neither name nor labels is one
    # violation at the ref itself ("name or labels must be set when kind is ...") instead of "name: ...".
    ref_name_or_labels_at_root: bool

    # ---- Layer 2: the route validators (2.5.11:MTR/validator.go, 2.5.11:MHR/validation.go) ----
    # The top-level kinds a system-role policy may select (2.5.11:MTR/validator.go:24-29, MHR the same).
    top_kinds: tuple[str, ...]
    # The top-level kinds of any other role (before roles exist, the same as top_kinds).
    top_kinds_non_system: tuple[str, ...]
    # A top-level MeshGateway may carry listener tags (GatewayListenerTagsAllowed), per route kind.
    tcp_gateway_listener_tags: bool
    http_gateway_listener_tags: bool
    # The to[] kinds under a top-level MeshGateway (None: no special case, the usual to kinds apply).
    gateway_to_kinds: tuple[str, ...] | None
    # The to[] kinds otherwise (2.5.11:MTR/validator.go:44-45, 2.5.11:MHR/validation.go:31-37).
    tcp_to_kinds: tuple[str, ...]
    http_to_kinds: tuple[str, ...]
    # The backendRef kinds (2.5.11:MTR/validator.go:83-85, 2.5.11:MHR/validation.go:258-275).  The
    # requestMirror backendRef takes MeshService and MeshServiceSubset in every release.
    tcp_backend_kinds: tuple[str, ...]
    http_backend_kinds: tuple[str, ...]
    # A missing top-level targetRef means Mesh and is not checked (2.5.11: the zero TargetRef, whose
    # empty kind is "must be defined").
    top_level_optional: bool
    # A MeshTCPRoute rule with no backendRefs is "default.backendRefs: must be defined" (Go, not schema).
    tcp_empty_backend_refs_refused: bool
    # A MeshHTTPRoute rule under a top-level MeshGateway without backendRefs (2.5.11: not checked).
    http_gateway_backend_refs: GatewayBackendRefs
    # to[].hostnames and urlRewrite.hostToBackendHostname only with a top-level MeshGateway, and
    # hostToBackendHostname never together with a hostname.
    http_gateway_only_fields: bool
    # requestRedirect / urlRewrite hostnames: not an IP address, an RFC 1123 subdomain.
    http_precise_hostnames: bool
    # The backendRef name kuma.io/unresolved-backend (Gateway API conversions) passes the name check.
    http_unresolved_backend_allowed: bool
    # A MeshMultiZoneService backendRef needs a port (pkg/core/validators/common_validators.go).
    multizone_port_required: bool

    # ---- Kubernetes admission (webhooks of pkg/plugins/runtime/k8s/webhooks/) ----
    # Plugin policies only in the system namespace
    # (2.5.11:pkg/plugins/runtime/k8s/webhooks/policy_namespace_validator.go:22-27).
    system_namespace_only: bool
    # How a policy outside the system namespace gets its role (the validators above read it).
    role_rule: RoleRule
    # A kuma.io/policy-role label the user set is kept rather than recomputed.
    role_label_kept: bool

    # ---- Warnings, not refusals (pkg/plugins/policies/core/jsonpatch/validators/validator.go) ----
    # The warning kumactl and the webhook print for a deprecated top-level kind (none at 2.5.11).
    deprecated_top_kinds: tuple[tuple[str, str], ...]


_DATAPLANE_LABELS = "use Dataplane with labels instead"


def _deprecated(kind: str, advice: str) -> str:
    return f"{kind} value for 'targetRef.kind' is deprecated, {advice}"


_TOP_2_5 = (MESH, MESH_SUBSET, MESH_SERVICE, MESH_SERVICE_SUBSET)
_TOP_2_6 = (MESH, MESH_SUBSET, MESH_GATEWAY, MESH_SERVICE, MESH_SERVICE_SUBSET)

KUMA_2_5 = ValidationProfile(
    name="2.5",
    tag="2.5.11",
    schema_kinds=(MESH, MESH_SUBSET, MESH_GATEWAY, MESH_SERVICE, MESH_SERVICE_SUBSET, MESH_HTTP_ROUTE),
    schema_proxy_types=False,
    schema_proxy_types_min_items=None,
    schema_ref_labels=False,
    schema_backend_port=False,
    schema_mirror_backend_ref=False,
    schema_kind_required=False,
    schema_tcp_target_ref_required=True,
    schema_tcp_backend_refs_required=True,
    schema_to_rules_required=False,
    schema_http_gateway_fields=False,
    schema_defaults=False,
    ref_name_pattern=r"[0-9a-z_-]*",
    ref_name_message="invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_' symbols.",
    ref_unsupported_kind="value is not supported",
    ref_required_name="must be set with kind {kind}",
    ref_proxy_types_forbidden=False,
    ref_labels=False,
    ref_section_name_with_labels_refused=False,
    ref_external_service_rules=False,
    ref_dataplane=False,
    ref_subset_tags_as_selector=False,
    ref_empty_proxy_types_refused=False,
    ref_http_route_section_name_forbidden=False,
    ref_name_or_labels_at_root=False,
    top_kinds=_TOP_2_5,
    top_kinds_non_system=_TOP_2_5,
    tcp_gateway_listener_tags=False,
    http_gateway_listener_tags=False,
    gateway_to_kinds=None,
    tcp_to_kinds=(MESH_SERVICE,),
    http_to_kinds=(MESH_SERVICE,),
    tcp_backend_kinds=(MESH_SERVICE, MESH_SERVICE_SUBSET),
    http_backend_kinds=(MESH_SERVICE, MESH_SERVICE_SUBSET),
    top_level_optional=False,
    tcp_empty_backend_refs_refused=False,
    http_gateway_backend_refs="not checked",
    http_gateway_only_fields=False,
    http_precise_hostnames=False,
    http_unresolved_backend_allowed=False,
    multizone_port_required=False,
    system_namespace_only=True,
    role_rule="none",
    role_label_kept=False,
    deprecated_top_kinds=(),
)

KUMA_2_6_0 = replace(
    KUMA_2_5,
    name="2.6.0",
    tag="2.6.0",
    # 2.6.0:MTR/schema.yaml:42-52 (and every other targetRef of both schemas).
    schema_proxy_types=True,
    schema_proxy_types_min_items=1,
    # 2.6.0:MHR/schema.yaml:65 (to[].hostnames), :356 (urlRewrite.hostToBackendHostname).
    schema_http_gateway_fields=True,
    # 2.6.0:VAL:23 and :385.
    ref_name_pattern=r"[0-9a-z.\-_]*",
    ref_name_message="invalid characters: must consist of lower case alphanumeric characters, '-', '.' and '_'.",
    # 2.6.0:VAL:364, :369.
    ref_proxy_types_forbidden=True,
    # 2.6.0:MTR/validator.go:24-30, 2.6.0:MHR/validation.go:24-31.
    top_kinds=_TOP_2_6,
    top_kinds_non_system=_TOP_2_6,
    # 2.6.0:MHR/validation.go:31; the MeshTCPRoute top level has no GatewayListenerTagsAllowed yet
    # (2.6.0:MTR/validator.go:20-33).
    http_gateway_listener_tags=True,
    # 2.6.0:MTR/validator.go:35-43, 2.6.0:MHR/validation.go:36-43.
    gateway_to_kinds=(MESH,),
    # 2.6.0:MHR/validation.go:323-334 (nil or empty backendRefs under a MeshGateway).
    http_gateway_backend_refs="required",
    # 2.6.0:MHR/validation.go:78-90 (hostnames), :234-242 (hostToBackendHostname).
    http_gateway_only_fields=True,
    # 2.6.0:MHR/validation.go:222, :233, :270-287.
    http_precise_hostnames=True,
)

KUMA_2_6 = replace(
    KUMA_2_6_0,
    name="2.6",
    tag="2.6.15",
    # 2.6.15:MTR/validator.go:31, first in 2.6.1 (commit 21603028d7, #9239).
    tcp_gateway_listener_tags=True,
)

KUMA_2_7 = replace(
    KUMA_2_6,
    name="2.7",
    tag="v2.7.29",
    # v2.7.29:MTR/schema.yaml:100-103 (backendRefs[].port, "format: int32").
    schema_backend_port=True,
    # v2.7.29:MHR/schema.yaml:188-236 (requestMirror.backendRef with port and weight).
    schema_mirror_backend_ref=True,
    # v2.7.29:MHR/validation.go:336-348 (a RequestRedirect filter needs no backend).
    http_gateway_backend_refs="required unless redirecting",
    # v2.7.29:MHR/validation.go:358, v2.7.29:VAL:394.
    http_unresolved_backend_allowed=True,
)

KUMA_2_8 = replace(
    KUMA_2_7,
    name="2.8",
    tag="2.8.8",
    # 2.8.8:MTR/schema.yaml:37 (MeshExternalService after MeshService).
    schema_kinds=(
        MESH,
        MESH_SUBSET,
        MESH_GATEWAY,
        MESH_SERVICE,
        MESH_EXTERNAL_SERVICE,
        MESH_SERVICE_SUBSET,
        MESH_HTTP_ROUTE,
    ),
    # 2.8.8:MTR/schema.yaml:41 (labels), :72 (sectionName), namespace between them.
    schema_ref_labels=True,
    # 2.8.8:VAL:367-369, :374-376, :380-390, :400-402.
    ref_labels=True,
    # 2.8.8:VAL:388-390.
    ref_section_name_with_labels_refused=True,
    # 2.8.8:MTR/validator.go:35-44, 2.8.8:MHR/validation.go:40-49 (no MeshGateway for other roles).
    top_kinds_non_system=_TOP_2_5,
    # 2.8.8:MTR/validator.go:57-60, :105-108 (MeshHTTPRoute unchanged: 2.8.8:MHR/validation.go:52-66).
    tcp_to_kinds=(MESH_SERVICE, MESH_EXTERNAL_SERVICE),
    tcp_backend_kinds=(MESH_SERVICE, MESH_SERVICE_SUBSET, MESH_EXTERNAL_SERVICE),
    # The webhook is gone (deleted by 871dc55592, #10361); 2.8.8:pkg/core/resources/model/resource.go:464-472
    # gives a policy outside the system namespace a role, :478-495 (consumer when it has "to").
    system_namespace_only=False,
    role_rule="consumer when it has to",
    # 2.8.8:pkg/core/resources/model/resource.go:472 (setIfNotExist).
    role_label_kept=True,
)

KUMA_2_9 = replace(
    KUMA_2_8,
    name="2.9",
    tag="2.9.19",
    # 2.9.19:MTR/schema.yaml:38.
    schema_kinds=(
        MESH,
        MESH_SUBSET,
        MESH_GATEWAY,
        MESH_SERVICE,
        MESH_EXTERNAL_SERVICE,
        MESH_MULTI_ZONE_SERVICE,
        MESH_SERVICE_SUBSET,
        MESH_HTTP_ROUTE,
    ),
    # 2.9.19:MTR/schema.yaml:241-245 (only to[].targetRef and "to" minItems remain).
    schema_tcp_target_ref_required=False,
    # 2.9.19:VAL:412-424.
    ref_external_service_rules=True,
    # 2.9.19:MTR/validator.go:18, :24-26, 2.9.19:MHR/validation.go:24, :29-31 (commit 4d9ec2b5f7).
    top_level_optional=True,
    # 2.9.19:MTR/validator.go:62-64, :111-114, 2.9.19:MHR/validation.go:66-69, :374-378.
    tcp_to_kinds=(MESH_SERVICE, MESH_EXTERNAL_SERVICE, MESH_MULTI_ZONE_SERVICE),
    http_to_kinds=(MESH_SERVICE, MESH_EXTERNAL_SERVICE, MESH_MULTI_ZONE_SERVICE),
    tcp_backend_kinds=(MESH_SERVICE, MESH_SERVICE_SUBSET, MESH_EXTERNAL_SERVICE, MESH_MULTI_ZONE_SERVICE),
    http_backend_kinds=(MESH_SERVICE, MESH_SERVICE_SUBSET, MESH_EXTERNAL_SERVICE, MESH_MULTI_ZONE_SERVICE),
    # 2.9.19:MTR/validator.go:119-122, 2.9.19:MHR/validation.go:383-386,
    # 2.9.19:pkg/core/validators/common_validators.go:266-275.
    multizone_port_required=True,
    # 2.9.19:pkg/core/resources/model/resource.go:590-608 (producer: every to item a named MeshService of
    # the same or no namespace; mixing producer and consumer items is an error), :559 (always recomputed).
    role_rule="producer of MeshServices",
    role_label_kept=False,
    # 2.9.19:pkg/plugins/policies/core/jsonpatch/validators/validator.go:122-132.
    deprecated_top_kinds=(
        (MESH_SERVICE, _deprecated(MESH_SERVICE, "use MeshSubset with 'kuma.io/service' tag instead")),
    ),
)

KUMA_2_10 = replace(
    KUMA_2_9,
    name="2.10",
    tag="v2.10.11",
    # v2.10.11:MTR/schema.yaml:41.
    schema_kinds=KUMA_2_9.schema_kinds + (DATAPLANE,),
    # v2.10.11:MTR/schema.yaml:63-72 (no minItems any more).
    schema_proxy_types_min_items=None,
    # v2.10.11:MTR/schema.yaml:85-86 (and every other targetRef / backendRef).
    schema_kind_required=True,
    # v2.10.11:MTR/schema.yaml:105-176 (backendRefs neither required nor minItems 1).
    schema_tcp_backend_refs_required=False,
    # v2.10.11:MTR/schema.yaml:245-247, v2.10.11:MHR/schema.yaml:629-630.
    schema_to_rules_required=True,
    # v2.10.11:pkg/core/resources/model/rest/unmarshaller.go:87 (defaulting.Default before Validate).
    schema_defaults=True,
    # v2.10.11:VAL:382-391.
    ref_dataplane=True,
    # v2.10.11:VAL:416 (ValidateSelector where 2.9.19:VAL:405 had ValidateTags).
    ref_subset_tags_as_selector=True,
    # v2.10.11:VAL:381, :399, :441-447.
    ref_empty_proxy_types_refused=True,
    # Removed by 2.10.0 (absent from 2.10.0:VAL; 2.9.19:VAL:397-399).
    ref_section_name_with_labels_refused=False,
    # v2.10.11:MTR/validator.go:36, :47, v2.10.11:MHR/validation.go:41, :52.
    top_kinds=_TOP_2_6 + (DATAPLANE,),
    top_kinds_non_system=_TOP_2_5 + (DATAPLANE,),
    # v2.10.11:MTR/validator.go:91-97.
    tcp_empty_backend_refs_refused=True,
    # v2.10.11:pkg/plugins/policies/core/jsonpatch/validators/validator.go:131-135.
    deprecated_top_kinds=KUMA_2_9.deprecated_top_kinds + ((MESH_SUBSET, _deprecated(MESH_SUBSET, _DATAPLANE_LABELS)),),
)

KUMA_2_11 = replace(
    KUMA_2_10,
    name="2.11",
    tag="v2.11.18",
    # v2.11.18:VAL:411-422.
    ref_http_route_section_name_forbidden=True,
    # v2.11.18:pkg/core/resources/model/resource.go:658-665 (MeshHTTPRoute items count as producer).
    role_rule="producer of MeshServices and routes",
    # v2.11.18:pkg/plugins/policies/core/jsonpatch/validators/validator.go:125-134: the warning names
    # MeshSubset whichever of the three kinds it is about.
    deprecated_top_kinds=tuple(
        (kind, _deprecated(MESH_SUBSET, _DATAPLANE_LABELS)) for kind in (MESH_SERVICE, MESH_SERVICE_SUBSET, MESH_SUBSET)
    ),
)

# No validation change from v2.11.18 (only import paths and comments: git diff v2.11.18 v2.12.14).
KUMA_2_12 = replace(KUMA_2_11, name="2.12", tag="v2.12.14")

KUMA_2_13 = replace(
    KUMA_2_12,
    name="2.13",
    tag="v2.13.10",
    # v2.13.10:VAL:366.  (The schema now comes from rest.yaml, v2.13.10:MTR/zz_generated.resource.go:21,
    # with the same content: v2.13.10:MTR/rest.yaml:127-398.)
    ref_unsupported_kind="value '{kind}' is not supported",
    # v2.13.10:pkg/plugins/policies/core/jsonpatch/validators/validator.go:125-139.
    deprecated_top_kinds=tuple(
        (kind, _deprecated(kind, _DATAPLANE_LABELS)) for kind in (MESH_SERVICE, MESH_SERVICE_SUBSET, MESH_SUBSET)
    )
    + ((MESH_HTTP_ROUTE, _deprecated(MESH_HTTP_ROUTE, "use MeshHTTPRoute in spec.to[].targetRef")),),
)

KUMA_2_14 = replace(
    KUMA_2_13,
    name="2.14",
    tag="v2.14.3",
    # v2.14.3:VAL:528.
    ref_required_name="must be set when kind is {kind}",
    # v2.14.3:VAL:409-411, :421-423, :444-446.
    ref_name_or_labels_at_root=True,
)

#: The newest profile of every modelled minor; a bare "x.y" means its newest patch.
PROFILES: Mapping[str, ValidationProfile] = MappingProxyType({
    "2.5": KUMA_2_5, "2.6": KUMA_2_6, "2.7": KUMA_2_7, "2.8": KUMA_2_8, "2.9": KUMA_2_9, "2.10": KUMA_2_10,
    "2.11": KUMA_2_11, "2.12": KUMA_2_12, "2.13": KUMA_2_13, "2.14": KUMA_2_14,
})  # fmt: skip

#: Patch releases whose validation differs from their minor's newest: (minor, patch) → profile.
_PATCH_PROFILES: Mapping[tuple[str, int], ValidationProfile] = MappingProxyType({("2.6", 0): KUMA_2_6_0})


def profile_for(version: str | ValidationProfile) -> ValidationProfile:
    """The profile of ``version``: ``"2.7"`` (its newest patch), ``"2.6.0"``, ``"v2.7.29"`` or a profile
    itself.  A version that is not modelled is a :class:`UsageError` (a ValueError) naming the known ones."""
    if isinstance(version, ValidationProfile):
        return version
    parts = str(version).strip().removeprefix("v").split(".")
    if len(parts) in (2, 3) and all(p.isdigit() for p in parts):
        minor = f"{int(parts[0])}.{int(parts[1])}"
        if minor in PROFILES:
            patch = int(parts[2]) if len(parts) == 3 else None
            return _PATCH_PROFILES.get((minor, patch), PROFILES[minor]) if patch is not None else PROFILES[minor]
    raise UsageError(
        f"Kuma version {version!r} has no validation profile; known versions: {', '.join(PROFILES)} "
        "(or a full x.y.z of one of them)"
    )


def validation_version(version: str | ValidationProfile) -> str:
    """The name of the rules ``version`` validates with: equal names mean equal validation
    (``"2.7.3"`` and ``"2.7"`` give ``"2.7"``; ``"2.6.0"`` keeps its own rules)."""
    return profile_for(version).name
