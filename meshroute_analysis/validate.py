"""Validation of route policies as Kuma validates them at a given release (2.5 to 2.14), offline.

``validate_policy(kind, spec, name=..., version="2.5", role=None)`` returns *every* violation (Kuma's own
validators also collect rather than fail fast), each as a :class:`Violation` with Kuma's field path and
message.  ``violations_at(resource, version, system_namespaces)`` answers the same for a loaded
resource, adding what the Kubernetes admission webhooks refuse and the policy role they compute.
Nothing here raises on bad input: whatever a YAML load produced is judged and reported.  An unknown
version is a :class:`~meshroute_analysis.errors.UsageError`.  ``deprecations(kind, spec, version=...)``
gives the warnings (from 2.9) Kuma prints for a document it accepts.

The implementation lives in :mod:`meshroute_analysis.validation`, one module per layer; every
difference between releases is one field of :class:`ValidationProfile` (``validation/profiles.py``),
chosen by :func:`profile_for` (``"2.7"`` is its newest patch, ``"2.6.0"`` keeps its own rules, a leading
``v`` is fine).  :func:`validation_version` names the rules a version uses: equal names, equal answers.

Three layers, emitted in the order Kuma runs them (REST unmarshaller, then ``validate()``, then the
resource-meta check of the API server, ``pkg/api-server/resource_endpoints.go``):

1. **Shape.**
   - *MeshTCPRoute, MeshHTTPRoute*: the OpenAPI schema of each policy (``schema.yaml``, from 2.13
     ``rest.yaml``), which Kuma's REST unmarshaller checks with ``k8s.io/kube-openapi`` before anything
     else (``pkg/core/resources/model/rest/unmarshaller.go``).  These messages are the *schema messages*:
     they always start with ``in body`` (``in body is required``, ``in body should have at least 1
     items``, ``in body must be of type integer: "string"``, ``in body should be one of [Mesh MeshSubset
     ...]``, ``in body should be greater than or equal to 0``, ...) and use kube-openapi's paths, where a
     map key is a plain ``.key`` segment (``spec.targetRef.tags.version``).  JSON numbers reach
     kube-openapi as float64, so any number is reported as type ``"number"``.  One schema message does not
     start with ``in body``: a ``format: int32`` port out of range is ``Checked value must be of type
     integer with format int32 in <path>``.  From 2.10 the unmarshaller
     first fills in the schema's defaults, so a ``null`` weight, redirect status code or header match
     type is its default, not a type error.
   - *TrafficRoute, TrafficPermission*: these are protobuf messages decoded with jsonpb, which rejects a
     wrongly typed field with one error for the whole document and no field path.  This module reports
     such fields itself, at the legacy path style (``conf.split[0].weight``), with its own *structural
     messages*: ``must be an object``, ``must be a list``, ``must be a string``, ``must be a boolean`` and
     ``must be an integer between 0 and 4294967295``.  Like jsonpb, a ``null`` is "not set", a quoted
     integer is an integer, and of several members of one oneof (``prefix``/``exact``/``regex``,
     ``rewritePrefix``/``regex``, the load-balancer types, ...) the last one in proto field order wins
     silently.
   - A ``spec`` that is not a mapping at all gives the single structural violation ``spec: must be an
     object`` (for every kind).
2. **Validator.**  A port of Kuma's Go validators at the version, with their exact messages and paths:
   ``meshtcproute/api/v1alpha1/validator.go``, ``meshhttproute/api/v1alpha1/validation.go``,
   ``core/resources/apis/mesh/{validators,traffic_route_validator,traffic_permission_validator}.go``,
   ``core/validators/{types,messages,common_validators}.go``.  These are the *validator messages*
   (``must be defined``, ``value is not supported`` - from 2.13 ``value 'Mesh' is not supported`` -,
   ``must be set with kind MeshServiceSubset``, ``tag value must be non-empty``, ...); map keys appear as
   ``tags["version"]`` (Go ``%q`` quoting).
3. **Name** (only when ``name`` is given): ``meta_validator.go`` ``ValidateMeta`` as applied on create
   (lowercase RFC 1123 subdomain, at most 253 bytes), path ``name``.

Where this module differs from Kuma, on purpose:

- Kuma stops after a schema failure; this module goes on and also runs the validator, so one file shows
  all of its problems.  The *set of refused documents* is the same, since a schema failure refuses the
  document either way; what Kuma itself prints is the schema messages alone when there are any.  (Kuma's
  own ``validator_test.go`` cases skip the schema, so for an input such as ``kind: BlahBlah`` they list
  only the validator half of what this module reports.)  A value of the wrong type is reported once by
  the shape layer and the validator skips the checks that need it.  A missing or ``null`` value is the Go
  zero value for the validator, exactly as Go decodes it, so a missing ``spec.targetRef`` of a
  MeshTCPRoute at 2.5 gives both ``spec.targetRef: in body is required`` and ``spec.targetRef.kind: must
  be defined`` (from 2.9 a missing top-level targetRef means ``Mesh`` and is fine).
- Kuma's schema walk visits properties in Go map order (random) and TrafficRoute walks ``headers`` in
  map order too.  Here properties follow the Go struct field order and map keys are sorted, so the output
  is deterministic.  Kuma's REST layer also keeps only the first word of a schema error as its field
  (a map key with a space in it splits oddly) and files ``anyOf`` errors under an empty field; here the
  full path is kept.
- Kubernetes: up to 2.7 a MeshTCPRoute / MeshHTTPRoute outside the system namespace gets
  ``metadata.namespace: policy can only be created in the system namespace:<ns>`` (the admission
  webhook), reported together with the validators' findings.  From 2.8 any namespace is admitted and the
  webhook gives the policy a role; a policy whose ``to`` items mix its own namespace's MeshServices with
  others cannot get one and is refused (reported at ``spec.to``, where Kuma gives no field).  Otherwise a
  Kubernetes-form document is judged as the REST API judges its Universal twin: the schema messages are
  kube-openapi's (the Kubernetes API server words its CRD errors differently) and no CRD default is
  filled in, as in the control plane's own labelled worlds.

What is checked, at 2.5 (later releases: the fields of ``ValidationProfile`` say what they add):

- MeshTCPRoute: ``ValidateTargetRef`` at ``spec.targetRef`` (Mesh, MeshSubset, MeshService,
  MeshServiceSubset), ``spec.to[i].targetRef`` (MeshService only) and
  ``spec.to[i].rules[j].default.backendRefs[k]`` (MeshService, MeshServiceSubset): kind defined and
  supported, name/mesh/tags allowed or required per kind, name characters, tag names and values.  Schema:
  ``targetRef`` required, ``to`` at least 1 item, ``to[].targetRef`` required, ``rules`` at most 1 item,
  ``rules[].default`` required, ``default.backendRefs`` required with at least 1 item, ``weight`` an integer
  >= 0, every ``kind`` in the schema enum, and the type of every field.
- MeshHTTPRoute: the same targetRef rules (top level and ``to[]``; backendRefs and
  ``requestMirror.backendRef`` MeshService/MeshServiceSubset), ``matches[].path`` (absolute path, no
  trailing slash for a prefix), duplicate ``queryParams`` names, ``headers`` ``Present``/``Absent`` with a
  value, the filters (``must be defined`` for a missing filter body, header-modifier ``set``/``add``/
  ``remove`` presence and duplicate names, ``replacePrefixMatch`` only under prefix matches).  Schema:
  enums (path type, method, header and query match types, filter type, redirect scheme and status code,
  path-rewrite type), required fields, ``matches`` at least 1 item, header-name and hostname patterns and
  lengths, redirect port 1..65535, ``percentage`` integer or string, ``maxItems`` 16 on header modifiers.
- TrafficRoute: sources (at least one selector, at least one tag, ``kuma.io/service`` required, tag names
  and values, ``*`` allowed), destinations (exactly the one tag ``kuma.io/service``), ``conf`` required,
  ``destination`` xor ``split``, split weights defined and not all 0, split/``destination`` selectors,
  ``http[]`` match (method/path/headers string matchers), modify (path, host, request/response headers,
  host and pseudo headers), load balancer (``leastRequest.choiceCount`` not 1, ``ringHash.hashFunction``
  ``XX_HASH`` or ``MURMUR_HASH_2``).  Unchanged up to 2.14.
- TrafficPermission: sources and destinations (at least one selector, each with at least one tag, tag
  names and values).  Unchanged up to 2.14.

What is *not* checked, because Kuma does not check it either (2.5.11; reference section 10.2):

- MeshTCPRoute / MeshHTTPRoute backendRef weights beyond the schema (no "total weight 0" rule), a missing
  or empty ``to`` for MeshHTTPRoute, the number of rules beyond the MeshTCPRoute schema's ``maxItems: 1``
  (none for MeshHTTPRoute), a nil ``backendRefs`` beyond the schema (until 2.10), duplicate ``to`` entries
  or backendRefs, whether referenced services, subsets, dataplanes or ports exist, the ``mesh`` of the
  resource, unknown fields (ignored by Kuma), MeshHTTPRoute ``method`` beyond the schema enum,
  ``requestMirror`` percentage range, the CRD's
  ``x-kubernetes-list-type: map`` uniqueness, the protoc-gen-validate annotations of the legacy protos
  (Kuma's ``Validate()`` does not call them), ``ringHash`` ring sizes, and the looser name rules Kuma 2.5
  still accepts when *updating* an existing resource.  Not modelled: the API server's checks of the
  document's labels (``kuma.io/origin``, ``kuma.io/zone``, label syntax), the top-level ``type`` / ``name``
  / ``mesh`` fields of the schema, and a global control plane.
"""

from __future__ import annotations

from .validation import (
    SYSTEM_NAMESPACES,
    ValidationProfile,
    Violation,
    deprecations,
    profile_for,
    validate_policy,
    validation_version,
    violations_at,
)

__all__ = [
    "SYSTEM_NAMESPACES",
    "ValidationProfile",
    "Violation",
    "deprecations",
    "profile_for",
    "validate_policy",
    "validation_version",
    "violations_at",
]
