"""The OpenAPI layer: the subset of OpenAPI v3 the route schemas use, checked as kube-openapi checks it.

Kuma's REST unmarshaller validates a plugin policy against its schema before anything else
(``pkg/core/resources/model/rest/unmarshaller.go``).  :func:`check_schema` follows kube-openapi's order
(``validate/schema.go``: type, anyOf, string, number, slice, enum, object) and messages
(``validation/errors/schema.go``); the schemas themselves are in :mod:`.route_schemas`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .paths import Violation, index
from .values import fields, is_json_integer, items, json_kind, text


@dataclass(frozen=True, slots=True)
class Schema:
    """One OpenAPI schema node."""

    type: str | None = None  # "object", "array", "string", "integer", "boolean"; None = any (anyOf)
    properties: tuple[tuple[str, Schema], ...] = ()  # in Go struct field order
    required: tuple[str, ...] = ()
    values: Schema | None = None  # additionalProperties
    items: Schema | None = None
    enum: tuple[str | int, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    int32: bool = False  # "format: int32": the value must fit (validate/type.go IsValueValidAgainstRange)
    any_of: tuple[Schema, ...] = ()
    has_default: bool = False  # the schema gives a default (the value itself never matters here)


def obj(*properties: tuple[str, Schema], required: tuple[str, ...] = ()) -> Schema:
    return Schema(type="object", properties=properties, required=required)


def array(element: Schema, *, min_items: int | None = None, max_items: int | None = None) -> Schema:
    return Schema(type="array", items=element, min_items=min_items, max_items=max_items)


def string(
    *enum: str,
    min_length: int | None = None,
    max_length: int | None = None,
    pattern: str | None = None,
    has_default: bool = False,
) -> Schema:
    return Schema(
        type="string", enum=enum, min_length=min_length, max_length=max_length, pattern=pattern, has_default=has_default
    )


def integer(
    *enum: int,
    minimum: int | None = None,
    maximum: int | None = None,
    has_default: bool = False,
    int32: bool = False,
) -> Schema:
    return Schema(type="integer", enum=enum, minimum=minimum, maximum=maximum, has_default=has_default, int32=int32)


BOOLEAN = Schema(type="boolean")
STRING_MAP = Schema(type="object", values=string())


def check_schema(out: list[Violation], schema: Schema, value: object, path: str, *, defaults: bool = False) -> None:
    """Validate ``value`` against ``schema``; with ``defaults``, a null where the schema gives a default
    is that default, as the structural defaulting of 2.10+ makes it before validation."""
    if value is None:
        # kube-openapi runs only the type and the enum checks on null (no schema here is nullable).
        if schema.type is not None:
            out.append(Violation(path, f'in body must be of type {schema.type}: "null"'))
        if schema.enum:
            out.append(Violation(path, _enum_message(schema.enum)))
        return
    kind = json_kind(value)
    if schema.type is not None and not _has_type(value, kind, schema.type):
        out.append(Violation(path, f'in body must be of type {schema.type}: "{kind}"'))
    if schema.any_of:
        _check_any_of(out, schema.any_of, value, path, defaults)
    if kind == "string":
        _check_string(out, schema, text(value) or "", path)
    if kind == "number":
        _check_number(out, schema, value, path)
    if kind == "array" and schema.type == "array":
        entries = items(value)
        if schema.items is not None:
            for i, entry in enumerate(entries):
                check_schema(out, schema.items, entry, index(path, i), defaults=defaults)
        if schema.min_items is not None and len(entries) < schema.min_items:
            out.append(Violation(path, f"in body should have at least {schema.min_items} items"))
        if schema.max_items is not None and len(entries) > schema.max_items:
            out.append(Violation(path, f"in body should have at most {schema.max_items} items"))
    if schema.enum and not _in_enum(value, schema.enum):
        out.append(Violation(path, _enum_message(schema.enum)))
    if kind == "object" and schema.type == "object":
        _check_object(out, schema, fields(value) or {}, path, defaults)


def _has_type(value: object, kind: str, expected: str) -> bool:
    if expected == "integer":
        return is_json_integer(value)  # a whole float64 counts as an integer (isFloatInt)
    if expected == "number":
        return kind == "number"
    return kind == expected


def _check_any_of(out: list[Violation], choices: tuple[Schema, ...], value: object, path: str, defaults: bool) -> None:
    attempts: list[list[Violation]] = []
    for choice in choices:
        found: list[Violation] = []
        check_schema(found, choice, value, path, defaults=defaults)
        if not found:
            return
        attempts.append(found)
    # kube-openapi reports the anyOf failure, then the failures of the best-matching choice (the first
    # one on a tie, which is every case these schemas can produce).
    out.append(Violation(path, "must validate at least one schema (anyOf)"))
    out.extend(attempts[0])


def _check_string(out: list[Violation], schema: Schema, value: str, path: str) -> None:
    # validate/validator.go stringValidator: the first failing check only, in this order.
    if schema.max_length is not None and len(value) > schema.max_length:
        out.append(Violation(path, f"in body should be at most {schema.max_length} chars long"))
    elif schema.min_length is not None and len(value) < schema.min_length:
        out.append(Violation(path, f"in body should be at least {schema.min_length} chars long"))
    elif schema.pattern is not None and not re.fullmatch(schema.pattern, value):
        # Both schema patterns are anchored; fullmatch keeps Go's "$ = end of text" (Python's $ is not).
        out.append(Violation(path, f"in body should match '{schema.pattern}'"))


def _check_number(out: list[Violation], schema: Schema, value: object, path: str) -> None:
    # validate/validator.go numberValidator (NaN compares false, as in Go): the format's range first.
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return
    if schema.int32 and float(value).is_integer() and not _INT32_MIN <= value <= _INT32_MAX:
        # Kuma files this one under no field: its text does not start with the path.  (kube-openapi also
        # prints it, and its "default format" twin, for a fractional number; the type error already
        # refuses that one, so it is left out.)
        out.append(Violation(path, f"Checked value must be of type integer with format int32 in {path}"))
    if schema.maximum is not None and value > schema.maximum:
        out.append(Violation(path, f"in body should be less than or equal to {schema.maximum}"))
    if schema.minimum is not None and value < schema.minimum:
        out.append(Violation(path, f"in body should be greater than or equal to {schema.minimum}"))


_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def _in_enum(value: object, enum: tuple[str | int, ...]) -> bool:
    if isinstance(value, bool):
        return False  # a Go bool never converts to a string or a float64
    if isinstance(value, (int, float)):
        return any(not isinstance(allowed, str) and value == allowed for allowed in enum)
    found = text(value)
    return found is not None and found in enum


def _enum_message(enum: tuple[str | int, ...]) -> str:
    return "in body should be one of [" + " ".join(str(allowed) for allowed in enum) + "]"


def _check_object(out: list[Violation], schema: Schema, entries: dict[str, Any], path: str, defaults: bool) -> None:
    known = dict(schema.properties)
    if schema.values is not None:
        for name in sorted(k for k in entries if k not in known):
            check_schema(out, schema.values, entries[name], f"{path}.{name}", defaults=defaults)
    for name, child in schema.properties:
        if name not in entries:
            continue
        if defaults and child.has_default and entries[name] is None:
            continue  # defaulting.Default replaces a non-nullable null by the default
        check_schema(out, child, entries[name], f"{path}.{name}", defaults=defaults)
    for name in schema.required:
        if name not in entries:
            out.append(Violation(f"{path}.{name}", "in body is required"))
