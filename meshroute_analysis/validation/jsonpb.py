"""The shape layer of the legacy policies (TrafficRoute, TrafficPermission): protobuf messages decoded
with the legacy jsonpb (``pkg/util/proto/proto.go``, ``AllowUnknownFields``; the same from 2.5.11 to 2.14.3).

jsonpb rejects a wrongly typed field with one error for the whole document and no field path; this
module reports each such field itself, at the legacy path style (``conf.split[0].weight``), with its own
messages.  Like jsonpb, a ``null`` is "not set", a quoted integer is an integer, and of several members of
one oneof the last one in proto field order wins silently.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .paths import Violation, field, index, key
from .values import fields, is_list, items, text


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


def pget(message: Mapping[str, Any], json_name: str) -> Any:
    """A protobuf field by its JSON name, or by its proto name as jsonpb also accepts."""
    if json_name in message:
        return message[json_name]
    return message.get(_PROTO_NAMES.get(json_name, json_name))


def _message(*members: tuple[str, _Shape]) -> _Shape:
    return _Shape("message", fields=members)


def _repeated(element: _Shape) -> _Shape:
    return _Shape("repeated", element=element)


def _map(value: _Shape) -> _Shape:
    return _Shape("map", element=value)


_P_STRING: Final = _Shape("string")
_P_BOOL: Final = _Shape("bool")
_P_UINT32: Final = _Shape("uint32")
_P_UINT64: Final = _Shape("uint64")
UINT_LIMITS: Final = {"uint32": 2**32 - 1, "uint64": 2**64 - 1}

# api/mesh/v1alpha1/selector.proto and traffic_route.proto / traffic_permission.proto (2.5.11).
_SELECTOR: Final = _message(("match", _map(_P_STRING)))
_SPLIT: Final = _message(("weight", _P_UINT32), ("destination", _map(_P_STRING)))
# Oneof members are listed in proto field order: the legacy jsonpb sets every member it finds in that
# order, so the last one present wins (github.com/golang/protobuf jsonpb/decode.go unmarshalMessage).
MATCHER_TYPES: Final = ("prefix", "exact", "regex")
PATH_REWRITES: Final = ("rewritePrefix", "regex")
HOST_REWRITES: Final = ("value", "fromPath")
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
LB_TYPES: Final = ("roundRobin", "leastRequest", "ringHash", "random", "maglev")
_LOAD_BALANCER: Final = _message(
    ("roundRobin", _message()),
    ("leastRequest", _message(("choiceCount", _P_UINT32))),
    ("ringHash", _message(("hashFunction", _P_STRING), ("minRingSize", _P_UINT64), ("maxRingSize", _P_UINT64))),
    ("random", _message()),
    ("maglev", _message()),
)
TRAFFIC_PERMISSION_SHAPE: Final = _message(("sources", _repeated(_SELECTOR)), ("destinations", _repeated(_SELECTOR)))
TRAFFIC_ROUTE_SHAPE: Final = _message(
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


def check_shape(out: list[Violation], shape: _Shape, value: object, path: str) -> None:
    """Report the values jsonpb could not decode into ``shape``; null is always "not set"."""
    if value is None:
        return
    if shape.kind == "message":
        message = fields(value)
        if message is None:
            out.append(Violation(path, "must be an object"))
            return
        for name, child in shape.fields:
            check_shape(out, child, pget(message, name), field(path, name))
    elif shape.kind == "repeated":
        if not is_list(value):
            out.append(Violation(path, "must be a list"))
            return
        assert shape.element is not None
        for i, entry in enumerate(items(value)):
            check_shape(out, shape.element, entry, index(path, i))
    elif shape.kind == "map":
        entries = fields(value)
        if entries is None:
            out.append(Violation(path, "must be an object"))
            return
        assert shape.element is not None
        for name in sorted(entries):
            check_shape(out, shape.element, entries[name], key(path, name))
    elif shape.kind == "string":
        if text(value) is None:
            out.append(Violation(path, "must be a string"))
    elif shape.kind == "bool":
        if not isinstance(value, bool):
            out.append(Violation(path, "must be a boolean"))
    elif proto_uint(value, UINT_LIMITS[shape.kind]) is None:
        out.append(Violation(path, f"must be an integer between 0 and {UINT_LIMITS[shape.kind]}"))


_JSON_UINT: Final = re.compile(r"0|[1-9][0-9]*")


def proto_uint(value: object, limit: int) -> int | None:
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


def oneof_choice(message: Mapping[str, Any], members: Iterable[str]) -> str | None:
    """The oneof member jsonpb ends up with: the last non-null one in proto field order."""
    chosen = None
    for name in members:
        if pget(message, name) is not None:
            chosen = name
    return chosen
