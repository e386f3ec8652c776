"""Validation of route policies as Kuma 2.5 (tag ``2.5.11``) validates them, offline.

``validate_policy(kind, spec, name=...)`` returns *every* violation (Kuma's own validators also
collect rather than fail fast), each as a :class:`Violation` with Kuma's field path and message.
Nothing here raises on bad input: whatever a YAML load produced is judged and reported.

Three layers, emitted in the order Kuma runs them (REST unmarshaller, then ``validate()``, then the
resource-meta check of the API server, ``pkg/api-server/resource_endpoints.go``):

1. **Shape.**
   - *MeshTCPRoute, MeshHTTPRoute*: the OpenAPI ``schema.yaml`` of each policy, which Kuma's REST
     unmarshaller checks with ``k8s.io/kube-openapi`` before anything else
     (``pkg/core/resources/model/rest/unmarshaller.go``).  These messages are the *schema messages*: they
     always start with ``in body`` (``in body is required``, ``in body should have at least 1 items``,
     ``in body must be of type integer: "string"``, ``in body should be one of [Mesh MeshSubset ...]``,
     ``in body should be greater than or equal to 0``, ...) and use kube-openapi's paths, where a map key
     is a plain ``.key`` segment (``spec.targetRef.tags.version``).  JSON numbers reach kube-openapi as
     float64, so any number is reported as type ``"number"``.
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
2. **Validator.**  A port of Kuma 2.5.11's Go validators with their exact messages and paths:
   ``meshtcproute/api/v1alpha1/validator.go``, ``meshhttproute/api/v1alpha1/validation.go``,
   ``core/resources/apis/mesh/{validators,traffic_route_validator,traffic_permission_validator}.go`` and
   ``core/validators/{types,messages}.go``.  These are the *validator messages* (``must be defined``,
   ``value is not supported``, ``must be set with kind MeshServiceSubset``, ``tag value must be
   non-empty``, ...); map keys appear as ``tags["version"]`` (Go ``%q`` quoting).
3. **Name** (only when ``name`` is given): ``meta_validator.go`` ``ValidateMeta`` as applied on create
   (lowercase RFC 1123 subdomain, at most 253 bytes), path ``name``.

Where this module differs from Kuma, on purpose:

- Kuma stops after a schema failure; this module goes on and also runs the validator, so one file shows
  all of its problems.  (Kuma's own ``validator_test.go`` cases skip the schema, so for an input such as
  ``kind: BlahBlah`` they list only the validator half of what this module reports.)  A value of the
  wrong type is reported once by the shape layer and the validator skips the checks that need it.  A
  missing or ``null`` value is the Go zero value for the validator, exactly as Go decodes it, so a
  missing ``spec.targetRef`` of a MeshTCPRoute gives both ``spec.targetRef: in body is required`` and
  ``spec.targetRef.kind: must be defined``.
- Kuma's schema walk visits properties in Go map order (random) and TrafficRoute walks ``headers`` in
  map order too.  Here properties follow the Go struct field order and map keys are sorted, so the output
  is deterministic.  Kuma's REST layer also keeps only the first word of a schema error as its field
  (a map key with a space in it splits oddly) and files ``anyOf`` errors under an empty field; here the
  full path is kept.

What is checked:

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
  ``XX_HASH`` or ``MURMUR_HASH_2``).
- TrafficPermission: sources and destinations (at least one selector, each with at least one tag, tag
  names and values).

What is *not* checked, because Kuma 2.5.11 does not check it either (reference section 10.2):

- MeshTCPRoute / MeshHTTPRoute backendRef weights beyond the schema (no "total weight 0" rule), a missing
  or empty ``to`` for MeshHTTPRoute, the number of rules beyond the MeshTCPRoute schema's ``maxItems: 1``
  (none for MeshHTTPRoute), a nil ``backendRefs`` beyond the schema, duplicate ``to`` entries or
  backendRefs, whether referenced services, subsets or dataplanes exist, the ``mesh`` of the resource,
  unknown fields (ignored by Kuma), MeshHTTPRoute ``method`` beyond the schema enum, ``requestMirror``
  percentage range, Kubernetes-only checks (the CRD ``x-kubernetes-list-type: map`` uniqueness, the
  system-namespace rule of the admission webhook), the protoc-gen-validate annotations of the legacy
  protos (Kuma's ``Validate()`` does not call them), ``ringHash`` ring sizes, and the looser name rules
  Kuma 2.5 still accepts when *updating* an existing resource.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any, Final, TypeGuard

__all__ = ["Violation", "validate_policy"]


@dataclass(frozen=True, slots=True)
class Violation:
    """One validation problem: Kuma's field path and Kuma's message."""

    path: str  # e.g. "spec.to[0].rules[0].default.backendRefs[1].name", map keys as tags["version"]
    message: str  # e.g. "must be set with kind MeshServiceSubset"


def validate_policy(kind: str, spec: object, *, name: str | None = None) -> list[Violation]:
    """Validate one policy the way Kuma 2.5.11 does and return every violation found.

    ``kind`` is one of "MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute", "TrafficPermission".  ``spec`` is
    the parsed YAML: for the legacy kinds the mapping holding ``sources``/``destinations``/``conf``, for
    the targetRef kinds the mapping holding ``targetRef``/``to``.  It may be any object at all; nothing
    raises.  ``name``, when given, is validated as a new resource's name (path ``name``).  The order is
    shape violations, then validator violations, then the name (the order Kuma's API server runs them).
    """
    out: list[Violation] = []
    try:
        _validate_spec(out, kind, spec)
        if name is not None:
            _check_resource_name(out, name)
    except Exception as exc:  # pragma: no cover - a safety net; the tests assert it never fires
        out.append(Violation("spec", f"{_INTERNAL_ERROR}: {type(exc).__name__}"))
    return out


_INTERNAL_ERROR: Final = "could not be validated (internal error in meshroute_analysis.validate)"

_KINDS: Final = ("MeshTCPRoute", "MeshHTTPRoute", "TrafficRoute", "TrafficPermission")


def _validate_spec(out: list[Violation], kind: object, spec: object) -> None:
    if kind not in _KINDS:
        out.append(Violation("kind", "must be one of " + ", ".join(_KINDS)))
        return
    fields = _fields(spec)
    if fields is None or spec is None:
        # Every kind's spec is an object; there is nothing else to look at.
        out.append(Violation("spec", "must be an object"))
        return
    if kind == "MeshTCPRoute":
        _check_schema(out, _TCP_ROUTE_SPEC, fields, "spec")
        _validate_tcp_route(out, fields)
    elif kind == "MeshHTTPRoute":
        _check_schema(out, _HTTP_ROUTE_SPEC, fields, "spec")
        _validate_http_route(out, fields)
    elif kind == "TrafficRoute":
        _check_shape(out, _TRAFFIC_ROUTE_SHAPE, fields, "")
        _validate_traffic_route(out, fields)
    else:
        _check_shape(out, _TRAFFIC_PERMISSION_SHAPE, fields, "")
        _validate_traffic_permission(out, fields)


# --------------------------------------------------------------------------------------------------
# Reading YAML values the way Go decodes them
# --------------------------------------------------------------------------------------------------


def _key_text(key: object) -> str:
    """A mapping key as text: sigs.k8s.io/yaml turns non-string YAML keys into JSON strings."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (_dt.date, _dt.datetime)):
        return key.isoformat()
    return str(key)


def _fields(value: object) -> dict[str, Any] | None:
    """A mapping with text keys; ``None`` (absent / null) is Go's empty struct; other types give None."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {_key_text(k): v for k, v in value.items()}
    if isinstance(value, Set):
        # A YAML !!set is a mapping whose values are all null.
        return {_key_text(k): None for k in value}
    return None


def _is_list(value: object) -> TypeGuard[Sequence[Any]]:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def _items(value: object) -> list[Any]:
    """The entries of a list; absent, null or a wrongly typed value give no entries."""
    return list(value) if _is_list(value) else []


def _text(value: object) -> str | None:
    """A string field as Go sees it: null is "", a YAML date is its text; other types give None."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (_dt.date, _dt.datetime)):
        # go-yaml v2 keeps an unquoted timestamp as its source text when decoding into interface{}.
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return None


def _string_map(value: object) -> dict[str, str | None] | None:
    """A ``map[string]string``: None when wrongly typed; a wrongly typed value becomes None."""
    fields = _fields(value)
    if fields is None:
        return None
    return {key: _text(item) for key, item in fields.items()}


# JSON integers kube-openapi accepts as "integer" (swag.IsFloat64AJSONInteger: |x| <= 2**53).
_MAX_JSON_INT: Final = 2**53


def _json_kind(value: object) -> str:
    """The JSON type name kube-openapi reports for a decoded value (all numbers are float64 there)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if _text(value) is not None:
        return "string"
    if _is_list(value):
        return "array"
    if _fields(value) is not None:
        return "object"
    return type(value).__name__


def _is_json_integer(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -_MAX_JSON_INT <= value <= _MAX_JSON_INT
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer() and abs(value) <= _MAX_JSON_INT
    return False


# --------------------------------------------------------------------------------------------------
# Paths, formatted as pkg/core/validators/types.go PathBuilder does
# --------------------------------------------------------------------------------------------------


def _field(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _index(path: str, index: int) -> str:
    return f"{path}[{index}]"


def _key(path: str, key: str) -> str:
    return f"{path}[{_go_quote(key)}]"


_GO_SHORT_ESCAPES: Final = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\v": r"\v"}


def _go_quote(text: str) -> str:
    """Go's ``%q`` (strconv.Quote): printable runes kept, the rest escaped."""
    parts = ['"']
    for char in text:
        code = ord(char)
        if char in ('"', "\\"):
            parts.append("\\" + char)
        elif 0xD800 <= code <= 0xDFFF:
            # A lone surrogate cannot reach Go: its JSON decoder turns it into U+FFFD.
            parts.append("\ufffd")
        elif char.isprintable():  # same categories as Go's unicode.IsPrint: L, M, N, P, S and ' '
            parts.append(char)
        elif char in _GO_SHORT_ESCAPES:
            parts.append(_GO_SHORT_ESCAPES[char])
        elif code < 0x80:
            parts.append(f"\\x{code:02x}")
        elif code < 0x10000:
            parts.append(f"\\u{code:04x}")
        else:
            parts.append(f"\\U{code:08x}")
    parts.append('"')
    return "".join(parts)


# --------------------------------------------------------------------------------------------------
# Layer 1a: the OpenAPI schema of the targetRef policies (kube-openapi, as Kuma's REST unmarshaller)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Schema:
    """The subset of OpenAPI v3 that the MeshTCPRoute / MeshHTTPRoute schemas of 2.5.11 use."""

    type: str | None = None  # "object", "array", "string", "integer"; None = any (anyOf)
    properties: tuple[tuple[str, _Schema], ...] = ()  # in Go struct field order
    required: tuple[str, ...] = ()
    values: _Schema | None = None  # additionalProperties
    items: _Schema | None = None
    enum: tuple[str | int, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    any_of: tuple[_Schema, ...] = ()


def _object(*properties: tuple[str, _Schema], required: tuple[str, ...] = ()) -> _Schema:
    return _Schema(type="object", properties=properties, required=required)


def _array(items: _Schema, *, min_items: int | None = None, max_items: int | None = None) -> _Schema:
    return _Schema(type="array", items=items, min_items=min_items, max_items=max_items)


def _string(
    *enum: str, min_length: int | None = None, max_length: int | None = None, pattern: str | None = None
) -> _Schema:
    return _Schema(type="string", enum=enum, min_length=min_length, max_length=max_length, pattern=pattern)


def _integer(*enum: int, minimum: int | None = None, maximum: int | None = None) -> _Schema:
    return _Schema(type="integer", enum=enum, minimum=minimum, maximum=maximum)


def _check_schema(out: list[Violation], schema: _Schema, value: object, path: str) -> None:
    """Validate ``value`` against ``schema`` in kube-openapi's order (validate/schema.go: type, anyOf,
    string, number, slice, enum, object), with kube-openapi's messages (validation/errors/schema.go)."""
    if value is None:
        # kube-openapi runs only the type and the enum checks on null (no schema here is nullable).
        if schema.type is not None:
            out.append(Violation(path, f'in body must be of type {schema.type}: "null"'))
        if schema.enum:
            out.append(Violation(path, _enum_message(schema.enum)))
        return
    kind = _json_kind(value)
    if schema.type is not None and not _has_type(value, kind, schema.type):
        out.append(Violation(path, f'in body must be of type {schema.type}: "{kind}"'))
    if schema.any_of:
        _check_any_of(out, schema.any_of, value, path)
    if kind == "string":
        _check_string(out, schema, _text(value) or "", path)
    if kind == "number":
        _check_number(out, schema, value, path)
    if kind == "array" and schema.type == "array":
        entries = _items(value)
        if schema.items is not None:
            for i, entry in enumerate(entries):
                _check_schema(out, schema.items, entry, _index(path, i))
        if schema.min_items is not None and len(entries) < schema.min_items:
            out.append(Violation(path, f"in body should have at least {schema.min_items} items"))
        if schema.max_items is not None and len(entries) > schema.max_items:
            out.append(Violation(path, f"in body should have at most {schema.max_items} items"))
    if schema.enum and not _in_enum(value, schema.enum):
        out.append(Violation(path, _enum_message(schema.enum)))
    if kind == "object" and schema.type == "object":
        _check_object(out, schema, _fields(value) or {}, path)


def _has_type(value: object, kind: str, expected: str) -> bool:
    if expected == "integer":
        return _is_json_integer(value)  # a whole float64 counts as an integer (isFloatInt)
    if expected == "number":
        return kind == "number"
    return kind == expected


def _check_any_of(out: list[Violation], choices: tuple[_Schema, ...], value: object, path: str) -> None:
    attempts: list[list[Violation]] = []
    for choice in choices:
        found: list[Violation] = []
        _check_schema(out=found, schema=choice, value=value, path=path)
        if not found:
            return
        attempts.append(found)
    # kube-openapi reports the anyOf failure, then the failures of the best-matching choice (the first
    # one on a tie, which is every case these schemas can produce).
    out.append(Violation(path, "must validate at least one schema (anyOf)"))
    out.extend(attempts[0])


def _check_string(out: list[Violation], schema: _Schema, text: str, path: str) -> None:
    # validate/validator.go stringValidator: the first failing check only, in this order.
    if schema.max_length is not None and len(text) > schema.max_length:
        out.append(Violation(path, f"in body should be at most {schema.max_length} chars long"))
    elif schema.min_length is not None and len(text) < schema.min_length:
        out.append(Violation(path, f"in body should be at least {schema.min_length} chars long"))
    elif schema.pattern is not None and not re.fullmatch(schema.pattern, text):
        # Both schema patterns are anchored; fullmatch keeps Go's "$ = end of text" (Python's $ is not).
        out.append(Violation(path, f"in body should match '{schema.pattern}'"))


def _check_number(out: list[Violation], schema: _Schema, value: object, path: str) -> None:
    # validate/validator.go numberValidator (NaN compares false, as in Go).
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return
    number = value
    if schema.maximum is not None and number > schema.maximum:
        out.append(Violation(path, f"in body should be less than or equal to {schema.maximum}"))
    if schema.minimum is not None and number < schema.minimum:
        out.append(Violation(path, f"in body should be greater than or equal to {schema.minimum}"))


def _in_enum(value: object, enum: tuple[str | int, ...]) -> bool:
    if isinstance(value, bool):
        return False  # a Go bool never converts to a string or a float64
    if isinstance(value, (int, float)):
        return any(not isinstance(allowed, str) and value == allowed for allowed in enum)
    text = _text(value)
    return text is not None and text in enum


def _enum_message(enum: tuple[str | int, ...]) -> str:
    return "in body should be one of [" + " ".join(str(allowed) for allowed in enum) + "]"


def _check_object(out: list[Violation], schema: _Schema, fields: dict[str, Any], path: str) -> None:
    known = dict(schema.properties)
    if schema.values is not None:
        for key in sorted(k for k in fields if k not in known):
            _check_schema(out, schema.values, fields[key], f"{path}.{key}")
    for name, child in schema.properties:
        if name in fields:
            _check_schema(out, child, fields[name], f"{path}.{name}")
    for name in schema.required:
        if name not in fields:
            out.append(Violation(f"{path}.{name}", "in body is required"))


# The enum every targetRef "kind" has in both schemas (api/common/v1alpha1 TargetRefKind).
_SCHEMA_TARGET_KINDS: Final = ("Mesh", "MeshSubset", "MeshGateway", "MeshService", "MeshServiceSubset", "MeshHTTPRoute")

# common_api.TargetRef: kind, name, tags, mesh.
_TARGET_REF_PROPERTIES: Final = (
    ("kind", _string(*_SCHEMA_TARGET_KINDS)),
    ("name", _string()),
    ("tags", _Schema(type="object", values=_string())),
    ("mesh", _string()),
)
_TARGET_REF: Final = _object(*_TARGET_REF_PROPERTIES)
# common_api.BackendRef: an inlined TargetRef plus weight (uint, schema default 1, minimum 0).
_BACKEND_REF: Final = _object(*_TARGET_REF_PROPERTIES, ("weight", _integer(minimum=0)))

# meshtcproute/api/v1alpha1/schema.yaml (2.5.11).
_TCP_ROUTE_SPEC: Final = _object(
    ("targetRef", _TARGET_REF),
    (
        "to",
        _array(
            _object(
                ("targetRef", _TARGET_REF),
                (
                    "rules",
                    _array(
                        _object(
                            (
                                "default",
                                _object(("backendRefs", _array(_BACKEND_REF, min_items=1)), required=("backendRefs",)),
                            ),
                            required=("default",),
                        ),
                        max_items=1,
                    ),
                ),
                required=("targetRef",),
            ),
            min_items=1,
        ),
    ),
    required=("targetRef",),
)

# meshhttproute/api/v1alpha1/schema.yaml (2.5.11).  Header names follow the Gateway API HTTPHeaderName
# pattern; hostnames are RFC 1123 (PreciseHostname); \x60 is a backtick, kept as the schema spells it.
_HEADER_NAME: Final = _string(min_length=1, max_length=256, pattern=r"^[a-z0-9!#$%&'*+\-.^_\x60|~]+$")
_HOSTNAME: Final = _string(
    min_length=1, max_length=253, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_HEADER_KEY_VALUE: Final = _object(("name", _HEADER_NAME), ("value", _string()), required=("name", "value"))
_HEADER_MODIFIER: Final = _object(
    ("set", _array(_HEADER_KEY_VALUE, max_items=16)),
    ("add", _array(_HEADER_KEY_VALUE, max_items=16)),
    ("remove", _array(_string(), max_items=16)),
)
_PATH_REWRITE: Final = _object(
    ("type", _string("ReplaceFullPath", "ReplacePrefixMatch")),
    ("replaceFullPath", _string()),
    ("replacePrefixMatch", _string()),
    required=("type",),
)
_HTTP_FILTER: Final = _object(
    (
        "type",
        _string("RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite", "RequestMirror"),
    ),
    ("requestHeaderModifier", _HEADER_MODIFIER),
    ("responseHeaderModifier", _HEADER_MODIFIER),
    (
        "requestRedirect",
        _object(
            ("scheme", _string("http", "https")),
            ("hostname", _HOSTNAME),
            ("path", _PATH_REWRITE),
            ("port", _integer(minimum=1, maximum=65535)),
            ("statusCode", _integer(301, 302, 303, 307, 308)),
        ),
    ),
    ("urlRewrite", _object(("hostname", _HOSTNAME), ("path", _PATH_REWRITE))),
    (
        "requestMirror",
        _object(
            # intstr.IntOrString: anyOf integer / string.
            ("percentage", _Schema(any_of=(_integer(), _string()))),
            ("backendRef", _TARGET_REF),
            required=("backendRef",),
        ),
    ),
    required=("type",),
)
_HTTP_MATCH: Final = _object(
    (
        "path",
        _object(
            ("value", _string(min_length=1)),
            ("type", _string("Exact", "PathPrefix", "RegularExpression")),
            required=("type", "value"),
        ),
    ),
    ("method", _string("CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE")),
    (
        "queryParams",
        _array(
            _object(
                ("type", _string("Exact", "RegularExpression")),
                ("name", _string(min_length=1)),
                ("value", _string()),
                required=("name", "type", "value"),
            )
        ),
    ),
    (
        "headers",
        _array(
            _object(
                ("type", _string("Exact", "Present", "RegularExpression", "Absent", "Prefix")),
                ("name", _HEADER_NAME),
                ("value", _string()),
                required=("name",),
            )
        ),
    ),
)
_HTTP_ROUTE_SPEC: Final = _object(
    ("targetRef", _TARGET_REF),
    (
        "to",
        _array(
            _object(
                ("targetRef", _TARGET_REF),
                (
                    "rules",
                    _array(
                        _object(
                            ("matches", _array(_HTTP_MATCH, min_items=1)),
                            (
                                "default",
                                _object(("filters", _array(_HTTP_FILTER)), ("backendRefs", _array(_BACKEND_REF))),
                            ),
                            required=("default", "matches"),
                        )
                    ),
                ),
            )
        ),
    ),
)


# --------------------------------------------------------------------------------------------------
# Layer 1b: the protobuf JSON shape of the legacy policies (jsonpb, AllowUnknownFields)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Shape:
    """A protobuf field type: "message", "repeated", "map", "string", "bool", "uint32", "uint64"."""

    kind: str
    fields: tuple[tuple[str, _Shape], ...] = ()  # message fields, JSON (camelCase) names
    element: _Shape | None = None  # repeated element / map value


# jsonpb also accepts the proto field name; these are the legacy fields whose two spellings differ.
_PROTO_NAMES: Final = {
    "loadBalancer": "load_balancer",
    "roundRobin": "round_robin",
    "leastRequest": "least_request",
    "ringHash": "ring_hash",
    "choiceCount": "choice_count",
    "hashFunction": "hash_function",
    "minRingSize": "min_ring_size",
    "maxRingSize": "max_ring_size",
}


def _pget(fields: Mapping[str, Any], json_name: str) -> Any:
    """A protobuf field by its JSON name, or by its proto name as jsonpb also accepts."""
    if json_name in fields:
        return fields[json_name]
    return fields.get(_PROTO_NAMES.get(json_name, json_name))


def _message(*fields: tuple[str, _Shape]) -> _Shape:
    return _Shape("message", fields=fields)


def _repeated(element: _Shape) -> _Shape:
    return _Shape("repeated", element=element)


def _map(value: _Shape) -> _Shape:
    return _Shape("map", element=value)


_P_STRING: Final = _Shape("string")
_P_BOOL: Final = _Shape("bool")
_P_UINT32: Final = _Shape("uint32")
_P_UINT64: Final = _Shape("uint64")
_UINT_LIMITS: Final = {"uint32": 2**32 - 1, "uint64": 2**64 - 1}

# api/mesh/v1alpha1/selector.proto and traffic_route.proto / traffic_permission.proto (2.5.11).
_SELECTOR: Final = _message(("match", _map(_P_STRING)))
_SPLIT: Final = _message(("weight", _P_UINT32), ("destination", _map(_P_STRING)))
# Oneof members are listed in proto field order: the legacy jsonpb sets every member it finds in that
# order, so the last one present wins (github.com/golang/protobuf jsonpb/decode.go unmarshalMessage).
_MATCHER_TYPES: Final = ("prefix", "exact", "regex")
_PATH_REWRITES: Final = ("rewritePrefix", "regex")
_HOST_REWRITES: Final = ("value", "fromPath")
_STRING_MATCHER: Final = _message(("prefix", _P_STRING), ("exact", _P_STRING), ("regex", _P_STRING))
_REGEX_REPLACE: Final = _message(("pattern", _P_STRING), ("substitution", _P_STRING))
_MODIFY_HEADERS: Final = _message(
    ("add", _repeated(_message(("name", _P_STRING), ("value", _P_STRING), ("append", _P_BOOL)))),
    ("remove", _repeated(_message(("name", _P_STRING)))),
)
_HTTP_ROUTE_ENTRY: Final = _message(
    ("match", _message(("method", _STRING_MATCHER), ("path", _STRING_MATCHER), ("headers", _map(_STRING_MATCHER)))),
    (
        "modify",
        _message(
            ("path", _message(("rewritePrefix", _P_STRING), ("regex", _REGEX_REPLACE))),
            ("host", _message(("value", _P_STRING), ("fromPath", _REGEX_REPLACE))),
            ("requestHeaders", _MODIFY_HEADERS),
            ("responseHeaders", _MODIFY_HEADERS),
        ),
    ),
    ("split", _repeated(_SPLIT)),
    ("destination", _map(_P_STRING)),
)
_LB_TYPES: Final = ("roundRobin", "leastRequest", "ringHash", "random", "maglev")
_LOAD_BALANCER: Final = _message(
    ("roundRobin", _message()),
    ("leastRequest", _message(("choiceCount", _P_UINT32))),
    ("ringHash", _message(("hashFunction", _P_STRING), ("minRingSize", _P_UINT64), ("maxRingSize", _P_UINT64))),
    ("random", _message()),
    ("maglev", _message()),
)
_TRAFFIC_PERMISSION_SHAPE: Final = _message(("sources", _repeated(_SELECTOR)), ("destinations", _repeated(_SELECTOR)))
_TRAFFIC_ROUTE_SHAPE: Final = _message(
    ("sources", _repeated(_SELECTOR)),
    ("destinations", _repeated(_SELECTOR)),
    (
        "conf",
        _message(
            ("split", _repeated(_SPLIT)),
            ("loadBalancer", _LOAD_BALANCER),
            ("destination", _map(_P_STRING)),
            ("http", _repeated(_HTTP_ROUTE_ENTRY)),
        ),
    ),
)


def _check_shape(out: list[Violation], shape: _Shape, value: object, path: str) -> None:
    """Report the values jsonpb could not decode into ``shape``; null is always "not set"."""
    if value is None:
        return
    if shape.kind == "message":
        fields = _fields(value)
        if fields is None:
            out.append(Violation(path, "must be an object"))
            return
        for name, child in shape.fields:
            _check_shape(out, child, _pget(fields, name), _field(path, name))
    elif shape.kind == "repeated":
        if not _is_list(value):
            out.append(Violation(path, "must be a list"))
            return
        assert shape.element is not None
        for i, entry in enumerate(_items(value)):
            _check_shape(out, shape.element, entry, _index(path, i))
    elif shape.kind == "map":
        entries = _fields(value)
        if entries is None:
            out.append(Violation(path, "must be an object"))
            return
        assert shape.element is not None
        for key in sorted(entries):
            _check_shape(out, shape.element, entries[key], _key(path, key))
    elif shape.kind == "string":
        if _text(value) is None:
            out.append(Violation(path, "must be a string"))
    elif shape.kind == "bool":
        if not isinstance(value, bool):
            out.append(Violation(path, "must be a boolean"))
    elif _proto_uint(value, _UINT_LIMITS[shape.kind]) is None:
        out.append(Violation(path, f"must be an integer between 0 and {_UINT_LIMITS[shape.kind]}"))


_JSON_UINT: Final = re.compile(r"0|[1-9][0-9]*")


def _proto_uint(value: object, limit: int) -> int | None:
    """An unsigned protobuf integer as jsonpb reads it (a JSON number, or one in quotes), else None."""
    number: int | None = None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)  # sigs.k8s.io/yaml writes a whole YAML float as a JSON integer
    elif isinstance(value, str) and _JSON_UINT.fullmatch(value):
        number = int(value)  # jsonpb strips the quotes of a quoted integer
    if number is None or not 0 <= number <= limit:
        return None
    return number


def _oneof_choice(fields: Mapping[str, Any], members: Iterable[str]) -> str | None:
    """The oneof member jsonpb ends up with: the last non-null one in proto field order."""
    chosen = None
    for name in members:
        if _pget(fields, name) is not None:
            chosen = name
    return chosen


# --------------------------------------------------------------------------------------------------
# Layer 2a: targetRef and tag rules shared by the policies
# (pkg/core/resources/apis/mesh/validators.go, 2.5.11)
# --------------------------------------------------------------------------------------------------

_SERVICE_TAG: Final = "kuma.io/service"

# validators.go: nameCharacterSet, tagNameCharacterSet, tagValueCharacterSet, selectorCharacterSet.
# Used with fullmatch (Go's anchors; Python's $ would accept a trailing newline).
_NAME_CHARS: Final = re.compile(r"[0-9a-z_-]*")
_TAG_NAME_CHARS: Final = re.compile(r"[a-zA-Z0-9.\-_:/]*")
_TAG_VALUE_CHARS: Final = re.compile(r"[a-zA-Z0-9.\-_:]*")
_SELECTOR_VALUE_CHARS: Final = re.compile(r"[a-zA-Z0-9.\-_:/]*|\*")

_MUST_BE_DEFINED: Final = "must be defined"  # validators.MustBeDefined
_MUST_NOT_BE_DEFINED: Final = "must not be defined"  # validators.MustNotBeDefined
_TAG_VALUE_MESSAGE: Final = "tag value must consist of alphanumeric characters, dots, dashes and underscores"
_SELECTOR_VALUE_MESSAGE: Final = (
    'tag value must consist of alphanumeric characters, dots, dashes, slashes and underscores or be "*"'
)
_NAME_MESSAGE: Final = "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_' symbols."

# The kinds each 2.5.11 validator accepts at each place (meshtcproute validator.go and
# meshhttproute validation.go use the same lists).
_TOP_LEVEL_KINDS: Final = ("Mesh", "MeshSubset", "MeshService", "MeshServiceSubset")
_TO_KINDS: Final = ("MeshService",)
_BACKEND_KINDS: Final = ("MeshService", "MeshServiceSubset")


def _check_target_ref(out: list[Violation], path: str, value: object, supported: tuple[str, ...]) -> None:
    """validators.go ValidateTargetRef: kind first (and stop there if it is wrong), then the fields."""
    ref = _fields(value)
    if ref is None:
        return  # not an object: the schema layer reported it
    kind = _text(ref.get("kind"))
    if kind is None:
        return  # kind of the wrong type: the schema layer reported it, the rules cannot be chosen
    if kind == "":
        out.append(Violation(_field(path, "kind"), _MUST_BE_DEFINED))
        return
    if kind not in supported:
        out.append(Violation(_field(path, "kind"), "value is not supported"))
        return
    name = _text(ref.get("name"))
    mesh = _text(ref.get("mesh"))
    tags = _string_map(ref.get("tags"))
    if kind == "Mesh":
        if name:
            out.append(Violation(_field(path, "name"), "using name with kind Mesh is not yet supported"))
        _disallow(out, path, "mesh", mesh, kind)
        _disallow(out, path, "tags", tags, kind)
    elif kind == "MeshSubset":
        _disallow(out, path, "name", name, kind)
        _disallow(out, path, "mesh", mesh, kind)
        _check_target_tags(out, _field(path, "tags"), tags)
    elif kind in ("MeshService", "MeshHTTPRoute"):
        _require_name(out, path, name, kind)
        _disallow(out, path, "mesh", mesh, kind)
        _disallow(out, path, "tags", tags, kind)
    else:  # MeshServiceSubset, MeshGateway
        _require_name(out, path, name, kind)
        _disallow(out, path, "mesh", mesh, kind)
        _check_target_tags(out, _field(path, "tags"), tags)


def _require_name(out: list[Violation], path: str, name: str | None, kind: str) -> None:
    # validators.go requiredField + validateName (an empty name matches the character set).
    if name is None:
        return
    if name == "":
        out.append(Violation(_field(path, "name"), f"must be set with kind {kind}"))
    if not _NAME_CHARS.fullmatch(name):
        out.append(Violation(_field(path, "name"), _NAME_MESSAGE))


def _disallow(out: list[Violation], path: str, field: str, value: str | Mapping[str, Any] | None, kind: str) -> None:
    # validators.go disallowedField: "set" means a non-empty string or a non-empty map.
    if value:
        out.append(Violation(_field(path, field), f"must not be set with kind {kind}"))


def _check_target_tags(out: list[Violation], path: str, tags: Mapping[str, str | None] | None) -> None:
    # validators.go ValidateTags with no options: empty tags are fine, values may not hold "*" or "/".
    if tags is not None:
        _check_tag_pairs(out, path, tags, value_chars=_TAG_VALUE_CHARS, value_message=_TAG_VALUE_MESSAGE)


def _check_tag_pairs(
    out: list[Violation],
    path: str,
    tags: Mapping[str, str | None],
    *,
    value_chars: re.Pattern[str],
    value_message: str,
    require_at_least_one: bool = False,
    require_service: bool = False,
    only_service: bool = False,
) -> None:
    """validators.go validateTagKeyValues, in its order; keys sorted as Kuma's Keys() sorts them.

    ``only_service`` adds the two extra validators of ``OnlyServiceTagAllowed``.  A value of None is a
    wrongly typed value, already reported by the shape layer: its value checks are skipped.
    """
    if require_at_least_one and not tags:
        out.append(Violation(path, "must have at least one tag"))
    if only_service and (len(tags) != 1 or _SERVICE_TAG not in tags):
        out.append(Violation(path, f"must consist of exactly one tag {_go_quote(_SERVICE_TAG)}"))
    for key in sorted(tags):
        if key == "":
            out.append(Violation(path, "tag name must be non-empty"))
        if not _TAG_NAME_CHARS.fullmatch(key):
            out.append(
                Violation(
                    _key(path, key),
                    "tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores",
                )
            )
        if only_service and key != _SERVICE_TAG:
            out.append(Violation(_key(path, key), f"tag {_go_quote(key)} is not allowed"))
        value = tags[key]
        if value is None:
            continue
        if value == "":
            out.append(Violation(_key(path, key), "tag value must be non-empty"))
        if not value_chars.fullmatch(value):
            out.append(Violation(_key(path, key), value_message))
    if require_service and _SERVICE_TAG not in tags:
        out.append(Violation(path, f"mandatory tag {_go_quote(_SERVICE_TAG)} is missing"))


# --------------------------------------------------------------------------------------------------
# Layer 2b: MeshTCPRoute (pkg/plugins/policies/meshtcproute/api/v1alpha1/validator.go, 2.5.11)
# --------------------------------------------------------------------------------------------------


def _validate_tcp_route(out: list[Violation], spec: Mapping[str, Any]) -> None:
    _check_target_ref(out, "spec.targetRef", spec.get("targetRef"), _TOP_LEVEL_KINDS)
    for i, raw_to in enumerate(_items(spec.get("to"))):
        to = _fields(raw_to)
        if to is None:
            continue
        to_path = _index("spec.to", i)
        _check_target_ref(out, _field(to_path, "targetRef"), to.get("targetRef"), _TO_KINDS)
        for j, raw_rule in enumerate(_items(to.get("rules"))):
            rule = _fields(raw_rule)
            default = _fields(rule.get("default")) if rule is not None else None
            if default is None:
                continue
            # The rule count, a missing backendRefs list and weights are left to the schema.
            refs_path = _index(_field(to_path, "rules"), j) + ".default.backendRefs"
            for k, ref in enumerate(_items(default.get("backendRefs"))):
                _check_target_ref(out, _index(refs_path, k), ref, _BACKEND_KINDS)


# --------------------------------------------------------------------------------------------------
# Layer 2c: MeshHTTPRoute (pkg/plugins/policies/meshhttproute/api/v1alpha1/validation.go, 2.5.11)
# --------------------------------------------------------------------------------------------------


def _validate_http_route(out: list[Violation], spec: Mapping[str, Any]) -> None:
    _check_target_ref(out, "spec.targetRef", spec.get("targetRef"), _TOP_LEVEL_KINDS)
    for i, raw_to in enumerate(_items(spec.get("to"))):
        to = _fields(raw_to)
        if to is None:
            continue
        to_path = _index("spec.to", i)
        _check_target_ref(out, _field(to_path, "targetRef"), to.get("targetRef"), _TO_KINDS)
        for j, raw_rule in enumerate(_items(to.get("rules"))):
            rule = _fields(raw_rule)
            if rule is not None:
                _check_http_rule(out, _index(_field(to_path, "rules"), j), rule)


def _check_http_rule(out: list[Violation], path: str, rule: Mapping[str, Any]) -> None:
    # validateRules: matches, then default.filters, then default.backendRefs.
    matches = _items(rule.get("matches"))
    for i, raw_match in enumerate(matches):
        match = _fields(raw_match)
        if match is not None:
            _check_http_match(out, _index(_field(path, "matches"), i), match)
    default = _fields(rule.get("default"))
    if default is None:
        return
    filters = default.get("filters")
    if filters is not None:  # *[]Filter: nil means no filters at all
        for i, raw_filter in enumerate(_items(filters)):
            filter_ = _fields(raw_filter)
            if filter_ is not None:
                _check_http_filter(out, _index(path + ".default.filters", i), filter_, matches)
    for i, ref in enumerate(_items(default.get("backendRefs"))):
        _check_target_ref(out, _index(path + ".default.backendRefs", i), ref, _BACKEND_KINDS)


def _check_http_match(out: list[Violation], path: str, match: Mapping[str, Any]) -> None:
    # validateMatches: path, queryParams, headers.  "method" has no rule beyond its schema enum.
    path_match = match.get("path")
    if path_match is not None:
        _check_path_match(out, _field(path, "path"), _fields(path_match))
    _check_query_params(out, _field(path, "queryParams"), _items(match.get("queryParams")))
    for i, raw_header in enumerate(_items(match.get("headers"))):
        header = _fields(raw_header)
        if header is None:
            continue
        # A missing (nil) type means Exact; Present and Absent take no value.
        match_type = "Exact" if header.get("type") is None else _text(header.get("type"))
        value = _text(header.get("value"))
        if match_type in ("Present", "Absent") and value:
            out.append(Violation(_index(_field(path, "headers"), i) + ".value", _MUST_NOT_BE_DEFINED))


def _check_path_match(out: list[Violation], path: str, path_match: Mapping[str, Any] | None) -> None:
    # validatePath: RegularExpression is free; PathPrefix "/" is fine.
    if path_match is None:
        return
    match_type = _text(path_match.get("type"))
    value = _text(path_match.get("value"))
    if value is None:
        return
    value_path = _field(path, "value")
    if match_type == "PathPrefix" and value != "/":
        if value.endswith("/"):
            out.append(
                Violation(
                    value_path,
                    "does not need a trailing slash because only a `/`-separated prefix or an entire path is matched",
                )
            )
        if not value.startswith("/"):
            out.append(Violation(value_path, "must be an absolute path"))
    elif match_type == "Exact" and not value.startswith("/"):
        out.append(Violation(value_path, "must be an absolute path"))


def _check_query_params(out: list[Violation], path: str, params: list[Any]) -> None:
    # validateQueryParams: every repeat of a name after its first use is reported.
    seen: set[str] = set()
    for i, raw_param in enumerate(params):
        param = _fields(raw_param)
        name = _text(param.get("name")) if param is not None else None
        if name is None:
            continue
        if name in seen:
            out.append(Violation(_index(path, i) + ".name", f"multiple entries for name {name}"))
        seen.add(name)


def _has_match_without_prefix(matches: list[Any]) -> bool:
    # hasAnyMatchesWithoutPrefix: no matches at all counts as a "/" prefix.
    for raw_match in matches:
        match = _fields(raw_match)
        path_match = _fields(match.get("path")) if match is not None else None
        if not path_match or _text(path_match.get("type")) != "PathPrefix":
            return True
    return False


def _check_http_filter(out: list[Violation], path: str, filter_: Mapping[str, Any], matches: list[Any]) -> None:
    # validateFilters: each filter type needs its own body; unknown types are the schema's business.
    filter_type = _text(filter_.get("type"))
    if filter_type in ("RequestHeaderModifier", "ResponseHeaderModifier"):
        field = "requestHeaderModifier" if filter_type == "RequestHeaderModifier" else "responseHeaderModifier"
        body = filter_.get(field)
        if body is None:
            out.append(Violation(_field(path, field), _MUST_BE_DEFINED))
            return
        modifier = _fields(body)
        if modifier is not None:
            _check_header_modifier(out, _field(path, field), modifier)
    elif filter_type in ("RequestRedirect", "URLRewrite"):
        field = "requestRedirect" if filter_type == "RequestRedirect" else "urlRewrite"
        body = filter_.get(field)
        if body is None:
            out.append(Violation(_field(path, field), _MUST_BE_DEFINED))
            return
        raw_path = (_fields(body) or {}).get("path")  # PathRewrite is a pointer: null means no path
        rewrite_path = _fields(raw_path) if raw_path is not None else None
        if (
            rewrite_path is not None
            and rewrite_path.get("replacePrefixMatch") is not None
            and _has_match_without_prefix(matches)
        ):
            out.append(
                Violation(
                    _field(path, field) + ".path.replacePrefixMatch",
                    "can only appear if all matches match a path prefix",
                )
            )
    elif filter_type == "RequestMirror":
        body = filter_.get("requestMirror")
        if body is None:
            out.append(Violation(_field(path, "requestMirror"), _MUST_BE_DEFINED))
            return
        mirror = _fields(body)
        if mirror is not None:
            _check_target_ref(
                out, _field(path, "requestMirror") + ".backendRef", mirror.get("backendRef"), _BACKEND_KINDS
            )


def _check_header_modifier(out: list[Violation], path: str, modifier: Mapping[str, Any]) -> None:
    # validateHeaderModifier: at least one list present (an empty list counts), then one action per
    # header name across set, add and remove, in that order.
    if all(modifier.get(field) is None for field in ("set", "add", "remove")):
        out.append(Violation(path, "must have at least one defined: set, add, remove"))
        return
    seen: set[str] = set()

    def note(name: str | None, name_path: str) -> None:
        if name is None:
            return
        if name in seen:
            out.append(Violation(name_path, "duplicate header name"))
        seen.add(name)

    for field in ("set", "add"):
        for i, raw_entry in enumerate(_items(modifier.get(field))):
            entry = _fields(raw_entry)
            if entry is not None:
                note(_text(entry.get("name")), _index(_field(path, field), i) + ".name")
    for i, raw_name in enumerate(_items(modifier.get("remove"))):
        note(_text(raw_name), _index(_field(path, "remove"), i) + ".name")


# --------------------------------------------------------------------------------------------------
# Layer 2d: TrafficRoute and TrafficPermission (pkg/core/resources/apis/mesh/traffic_route_validator.go,
# traffic_permission_validator.go, validators.go ValidateSelectors, 2.5.11)
# --------------------------------------------------------------------------------------------------


def _validate_traffic_permission(out: list[Violation], spec: Mapping[str, Any]) -> None:
    # Both sides: at least one selector, each with at least one tag (kuma.io/service not required).
    for side in ("sources", "destinations"):
        _check_selectors(out, side, spec.get(side), require_at_least_one_tag=True)


def _validate_traffic_route(out: list[Violation], spec: Mapping[str, Any]) -> None:
    _check_selectors(out, "sources", spec.get("sources"), require_at_least_one_tag=True, require_service=True)
    # OnlyServiceTagAllowed: exactly the one tag kuma.io/service.
    _check_selectors(out, "destinations", spec.get("destinations"), require_service=True, only_service=True)
    _check_route_conf(out, spec.get("conf"))


def _check_selectors(
    out: list[Violation],
    path: str,
    value: object,
    *,
    require_at_least_one_tag: bool = False,
    require_service: bool = False,
    only_service: bool = False,
) -> None:
    if value is not None and not _is_list(value):
        return  # reported by the shape layer
    selectors = _items(value)
    if not selectors:
        out.append(Violation(path, "must have at least one element"))
    for i, raw_selector in enumerate(selectors):
        selector = _fields(raw_selector)
        if selector is None:
            continue
        _check_selector(
            out,
            _index(path, i) + ".match",
            selector.get("match"),
            require_at_least_one_tag=require_at_least_one_tag,
            require_service=require_service,
            only_service=only_service,
        )


def _check_selector(
    out: list[Violation],
    path: str,
    value: object,
    *,
    require_at_least_one_tag: bool = False,
    require_service: bool = False,
    only_service: bool = False,
) -> None:
    # validators.go ValidateSelector: like tags, but a value may also be "*" or contain "/".
    tags = _string_map(value)
    if tags is None:
        return
    _check_tag_pairs(
        out,
        path,
        tags,
        value_chars=_SELECTOR_VALUE_CHARS,
        value_message=_SELECTOR_VALUE_MESSAGE,
        require_at_least_one=require_at_least_one_tag,
        require_service=require_service,
        only_service=only_service,
    )


def _check_route_conf(out: list[Violation], value: object) -> None:
    # validateConf: conf is required; then destination/split, every http entry, the load balancer.
    if value is None:
        out.append(Violation("conf", "cannot be empty"))
        return
    conf = _fields(value)
    if conf is None:
        return
    _check_split_and_destination(out, "conf", conf)
    for i, raw_http in enumerate(_items(conf.get("http"))):
        http = _fields(raw_http)
        if http is not None:
            _check_route_http(out, _index("conf.http", i), http)
    _check_load_balancer(out, _fields(_pget(conf, "loadBalancer")))


def _check_split_and_destination(out: list[Violation], path: str, holder: Mapping[str, Any]) -> None:
    # validateSplitAndDestination.  An empty repeated field is nil in Go protobuf, so "split: []" is
    # the same as no split; an empty map ("destination: {}") is still set.  A wrongly typed value
    # (reported by the shape layer) counts as set but is not looked into.
    raw_split = holder.get("split")
    raw_destination = holder.get("destination")
    split_set = bool(_items(raw_split)) if raw_split is None or _is_list(raw_split) else True
    destination_set = raw_destination is not None
    if not split_set and not destination_set:
        out.append(Violation(path, 'requires either "destination" or "split"'))
    if split_set and destination_set:
        out.append(Violation(path, '"split" cannot be defined at the same time as "destination"'))
    if split_set and _is_list(raw_split):
        _check_split(out, _field(path, "split"), _items(raw_split))
    if destination_set:
        _check_selector(
            out, _field(path, "destination"), raw_destination, require_at_least_one_tag=True, require_service=True
        )


def _check_split(out: list[Violation], path: str, entries: list[Any]) -> None:
    # validateSplit: every weight defined, every destination a service selector, weights not all 0.
    total = 0
    for i, raw_entry in enumerate(entries):
        entry = _fields(raw_entry)
        if entry is None:
            continue
        entry_path = _index(path, i)
        raw_weight = entry.get("weight")
        if raw_weight is None:
            out.append(Violation(_field(entry_path, "weight"), "needs to be defined"))
        else:
            weight = _proto_uint(raw_weight, _UINT_LIMITS["uint32"]) or 0
            total = (total + weight) % 2**32  # Kuma sums into a uint32
        _check_selector(
            out,
            _field(entry_path, "destination"),
            entry.get("destination"),
            require_at_least_one_tag=True,
            require_service=True,
        )
    if total == 0:
        out.append(Violation(path, "there must be at least one split entry with weight above 0"))


def _check_route_http(out: list[Violation], path: str, http: Mapping[str, Any]) -> None:
    # validateHTTP: match, modify, then destination/split of the entry.
    match = _fields(http.get("match"))
    if match is not None:
        _check_route_http_match(out, _field(path, "match"), match)
    modify = _fields(http.get("modify"))
    if modify is not None:
        _check_route_http_modify(out, _field(path, "modify"), modify, match or {})
    _check_split_and_destination(out, path, http)


def _check_route_http_match(out: list[Violation], path: str, match: Mapping[str, Any]) -> None:
    method, match_path, headers = match.get("method"), match.get("path"), match.get("headers")
    if method is None and match_path is None and headers is None:
        out.append(
            Violation(path, 'must be present and contain at least one of the elements: "method", "path" or "headers"')
        )
        return
    if method is not None:
        _check_string_matcher(out, _field(path, "method"), method)
    if match_path is not None:
        _check_string_matcher(out, _field(path, "path"), match_path)
    header_map = _fields(headers) if headers is not None else None
    if header_map is not None:
        if not header_map:
            out.append(Violation(_field(path, "headers"), "must contain at least one element"))
        for key in sorted(header_map):  # Go walks this map in random order
            key_path = _key(_field(path, "headers"), key)
            if key == "":
                out.append(Violation(key_path, "cannot be empty"))
            _check_string_matcher(out, key_path, header_map[key])


def _check_string_matcher(out: list[Violation], path: str, value: object) -> None:
    # validateStringMatcher: exact may be empty, prefix and regex may not; one of them must be set.
    # (Kuma's message says "split" where it means "prefix".)
    matcher = _fields(value)
    if matcher is None:
        return
    chosen = _oneof_choice(matcher, _MATCHER_TYPES)
    if chosen is None:
        out.append(Violation(path, 'cannot be empty. Available options: "exact", "split" or "regex"'))
    elif chosen != "exact" and _text(matcher[chosen]) == "":
        out.append(Violation(_field(path, chosen), "cannot be empty"))


def _prefix_of(match: Mapping[str, Any]) -> str:
    """match.GetPath().GetPrefix(): the prefix of the path matcher, "" when it is another type."""
    path_matcher = _fields(match.get("path"))
    if not path_matcher or _oneof_choice(path_matcher, _MATCHER_TYPES) != "prefix":
        return ""
    return _text(path_matcher["prefix"]) or ""


def _check_route_http_modify(
    out: list[Violation], path: str, modify: Mapping[str, Any], match: Mapping[str, Any]
) -> None:
    # validateHTTPModify: path, host, requestHeaders, responseHeaders (each only when set).
    rewrite = _fields(modify.get("path")) if modify.get("path") is not None else None
    if rewrite is not None:
        _check_modify_path(out, _field(path, "path"), rewrite, match)
    host = _fields(modify.get("host")) if modify.get("host") is not None else None
    if host is not None:
        _check_modify_host(out, _field(path, "host"), host)
    for field in ("requestHeaders", "responseHeaders"):
        headers = _fields(modify.get(field)) if modify.get(field) is not None else None
        if headers is not None:
            _check_modify_headers(out, _field(path, field), headers)


def _check_modify_path(out: list[Violation], path: str, rewrite: Mapping[str, Any], match: Mapping[str, Any]) -> None:
    chosen = _oneof_choice(rewrite, _PATH_REWRITES)
    if chosen is None:
        out.append(Violation(path, 'either "rewritePrefix" or "regex" has to be set'))
    elif chosen == "rewritePrefix":
        prefix = _text(rewrite["rewritePrefix"])
        if prefix == "":
            out.append(Violation(_field(path, "rewritePrefix"), "cannot be empty"))
        elif prefix is not None and _prefix_of(match) == "":
            out.append(
                Violation(_field(path, "rewritePrefix"), "can only be set when .http.match.path.prefix is not empty")
            )
    else:
        _check_regex_replace(out, _field(path, "regex"), rewrite["regex"])


def _check_modify_host(out: list[Violation], path: str, host: Mapping[str, Any]) -> None:
    chosen = _oneof_choice(host, _HOST_REWRITES)
    if chosen is None:
        out.append(Violation(path, 'either "value" or "fromPath" has to be set'))
    elif chosen == "value":
        if _text(host["value"]) == "":
            out.append(Violation(_field(path, "value"), "cannot be empty"))
    else:
        _check_regex_replace(out, _field(path, "fromPath"), host["fromPath"])


def _check_regex_replace(out: list[Violation], path: str, value: object) -> None:
    regex = _fields(value)
    if regex is None:
        return
    for field in ("pattern", "substitution"):
        if _text(regex.get(field)) == "":
            out.append(Violation(_field(path, field), "cannot be empty"))


def _check_modify_headers(out: list[Violation], path: str, headers: Mapping[str, Any]) -> None:
    # validateModificationHeaders: add[] needs a name and a value, remove[] a name.
    for i, raw_add in enumerate(_items(headers.get("add"))):
        add = _fields(raw_add)
        if add is None:
            continue
        add_path = _index(_field(path, "add"), i)
        _check_modified_header_name(out, _field(add_path, "name"), _text(add.get("name")))
        if _text(add.get("value")) == "":
            out.append(Violation(_field(add_path, "value"), "cannot be empty"))
    for i, raw_remove in enumerate(_items(headers.get("remove"))):
        remove = _fields(raw_remove)
        if remove is not None:
            _check_modified_header_name(out, _index(_field(path, "remove"), i) + ".name", _text(remove.get("name")))


def _check_modified_header_name(out: list[Violation], path: str, name: str | None) -> None:
    # validateHeaderName: the host header and HTTP/2 pseudo-headers (":path", ...) stay untouched.
    if name is None:
        return
    if name == "":
        out.append(Violation(path, "cannot be empty"))
    elif name.startswith(":") or name in ("host", "Host"):
        out.append(Violation(path, "host header and HTTP/2 pseudo-headers are not allowed to be modified"))


def _check_load_balancer(out: list[Violation], balancer: Mapping[str, Any] | None) -> None:
    # validateLb: its paths are fixed strings in Kuma, whichever spelling the file used.
    if not balancer:
        return
    chosen = _oneof_choice(balancer, _LB_TYPES)
    if chosen == "leastRequest":
        least_request = _fields(_pget(balancer, "leastRequest"))
        if least_request is not None and _proto_uint(_pget(least_request, "choiceCount"), _UINT_LIMITS["uint32"]) == 1:
            out.append(
                Violation("conf.loadBalancer.leastRequest.choiceCount", "value must be greater than or equal to 2")
            )
    elif chosen == "ringHash":
        ring_hash = _fields(_pget(balancer, "ringHash"))
        if ring_hash is not None:
            function = _text(_pget(ring_hash, "hashFunction"))
            if function is not None and function not in ("XX_HASH", "MURMUR_HASH_2"):
                out.append(Violation("conf.loadBalancer.ringHash.hashFunction", "must have a valid hash function"))


# --------------------------------------------------------------------------------------------------
# Layer 3: the resource name (pkg/core/resources/apis/mesh/meta_validator.go, ValidateMeta on create)
# --------------------------------------------------------------------------------------------------

_RFC1123_SUBDOMAIN: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_NAME_LENGTH_LIMIT: Final = 253


def _check_resource_name(out: list[Violation], name: object) -> None:
    if not isinstance(name, str):
        out.append(Violation("name", "must be a string"))
    elif name == "":
        out.append(Violation("name", "cannot be empty"))
    elif len(name.encode("utf-8", "surrogatepass")) > _NAME_LENGTH_LIMIT:  # Go's len() counts bytes
        out.append(Violation("name", f"value length must less or equal {_NAME_LENGTH_LIMIT}"))
    elif not _RFC1123_SUBDOMAIN.fullmatch(name):
        out.append(
            Violation(
                "name",
                "invalid characters. A lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                "characters, '-' or '.', and must start and end with an alphanumeric character",
            )
        )


def validation_version(version: str) -> str:
    """The Kuma version whose validation rules apply to ``version`` (only 2.5's are ported so far)."""
    return "2.5"


def violations_at(resource: Any, version: str, system_namespaces: Sequence[str]) -> list[Violation]:
    """Every violation of ``resource`` (a route or legacy policy) when applied to Kuma ``version``."""
    return namespace_violation(resource, system_namespaces) + validate_policy(resource.kind, resource.spec, name=resource.name)


def namespace_violation(resource: Any, system_namespaces: Sequence[str]) -> list[Violation]:
    """2.5's admission webhook admits plugin policies (MeshTCPRoute, MeshHTTPRoute, ...) only in the control
    plane's namespace (``pkg/plugins/runtime/k8s/webhooks/policy_namespace_validator.go``), with this message."""
    namespace = resource.namespace
    if resource.format.value != "kubernetes" or resource.kind not in ("MeshTCPRoute", "MeshHTTPRoute") or namespace is None:
        return []
    if namespace in system_namespaces:
        return []
    return [Violation("metadata.namespace", f"policy can only be created in the system namespace:{system_namespaces[0]}")]
