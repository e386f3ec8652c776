"""Reading whatever a YAML load produced the way Go decodes it (sigs.k8s.io/yaml, then encoding/json).

Every reader answers ``None`` for a value of the wrong type, so that a validator can skip the checks that
need it: the shape layer has already reported it.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, Final, TypeGuard

from ..io.goyaml import key_text  # non-string YAML keys become JSON strings, as sigs.k8s.io/yaml makes them


def fields(value: object) -> dict[str, Any] | None:
    """A mapping with text keys; ``None`` (absent / null) is Go's empty struct; other types give None."""
    if value is None:
        return {}
    if type(value) is dict and all(type(k) is str for k in value):
        return value  # the common case, already what Go sees (callers never modify what they get)
    if isinstance(value, Mapping):
        return {key_text(k): v for k, v in value.items()}
    if isinstance(value, AbstractSet):
        # A YAML !!set is a mapping whose values are all null.
        return {key_text(k): None for k in value}
    return None


def is_list(value: object) -> TypeGuard[Sequence[Any]]:
    if type(value) is list:
        return True
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def items(value: object) -> list[Any]:
    """The entries of a list; absent, null or a wrongly typed value give no entries."""
    return list(value) if is_list(value) else []


def text(value: object) -> str | None:
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


def string_map(value: object) -> dict[str, str | None] | None:
    """A ``map[string]string``: None when wrongly typed; a wrongly typed value becomes None."""
    entries = fields(value)
    if entries is None:
        return None
    return {name: text(item) for name, item in entries.items()}


# JSON integers kube-openapi accepts as "integer" (swag.IsFloat64AJSONInteger: |x| <= 2**53).
_MAX_JSON_INT: Final = 2**53


_SIMPLE_KINDS: Final = {str: "string", dict: "object", list: "array", bool: "boolean", int: "number", float: "number"}


def json_kind(value: object) -> str:
    """The JSON type name kube-openapi reports for a decoded value (all numbers are float64 there)."""
    if value is None:
        return "null"
    simple = _SIMPLE_KINDS.get(type(value))
    if simple is not None:
        return simple
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if text(value) is not None:
        return "string"
    if is_list(value):
        return "array"
    if fields(value) is not None:
        return "object"
    return type(value).__name__


def is_json_integer(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -_MAX_JSON_INT <= value <= _MAX_JSON_INT
    if isinstance(value, float):
        return math.isfinite(value) and value.is_integer() and abs(value) <= _MAX_JSON_INT
    return False
