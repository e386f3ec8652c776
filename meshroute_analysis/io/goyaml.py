"""Scalars as Kuma reads them: gopkg.in/yaml.v2's resolver, then the JSON step of sigs.k8s.io/yaml.

Kuma (``kumactl apply``, the REST API: ``pkg/core/resources/model/rest/unmarshaller.go`` at 2.5.11) and
kubectl read YAML with sigs.k8s.io/yaml (v1.4.0 at Kuma 2.5.11, v1.6.0 at v2.7.29 and v2.14.3), which decodes
it with go-yaml v2 into Go values, marshals those to JSON and decodes the JSON.  PyYAML implements YAML 1.1
instead, and the two disagree on plain scalars that policies hold:

========================  ==========================  =========================================
plain scalar              PyYAML (YAML 1.1)           go-yaml v2 ``resolve`` + JSON (what Kuma sees)
========================  ==========================  =========================================
``1:20``                  int 80 (base 60)            string ``"1:20"``
``1e3``                   string                      float 1000, JSON ``1000``: integer 1000
``90.0``                  float 90.0                  float, JSON ``90``: integer 90
``0o17`` / ``0b11``       string / int 3              int 15 / int 3
``08``                    string                      float 8 (not octal, but ``[0-9]+``)
``y``, ``n``, ``Y``, ``N``  string                      bool
``2024-02-30``            an error (no such day)      string (timestamps stay text in interface{})
``2024-01-01``            ``datetime.date``           string ``"2024-01-01"``
a 4,301-digit integer     an error (int-str limit)    float when it fits a float64, else string
``.nan``, ``.inf``        float                       refused: JSON has no NaN or infinity
========================  ==========================  =========================================

Explicitly tagged scalars (``!!int ''``, ``!!bool maybe``) are resolved the same way and refused when the
value is not of the tag's type, with go-yaml's own message (``cannot decode !!str `maybe` as a !!bool``).
Mapping keys become JSON object keys, so they are text (``key_text``).
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import re
from typing import Any

import yaml

NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
STR = "tag:yaml.org,2002:str"
TIMESTAMP = "tag:yaml.org,2002:timestamp"
MERGE = "tag:yaml.org,2002:merge"

# gopkg.in/yaml.v2 resolve.go, resolveMapList.
_MAPPED: dict[str, tuple[str, Any]] = {}
for _words, _tag, _value in (
    (("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), BOOL, True),
    (("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), BOOL, False),
    (("", "~", "null", "Null", "NULL"), NULL, None),
    ((".nan", ".NaN", ".NAN"), FLOAT, math.nan),
    ((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), FLOAT, math.inf),
    (("-.inf", "-.Inf", "-.INF"), FLOAT, -math.inf),
    (("<<",), MERGE, "<<"),
):
    for _word in _words:
        _MAPPED[_word] = (_tag, _value)
#: resolve.go's resolveTable: the first characters that may start a non-string.
_HINT_MAPPED = frozenset("yYnNtTfFoO~")
_HINT_NUMBER = frozenset("+-0123456789")
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_TIMESTAMP_START = re.compile(r"[0-9]{4}-")
# The layouts of resolve.go's allowedTimestampFormats, as Go's time.Parse reads them.
_TIMESTAMP = re.compile(
    r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})"
    r"(?:(?:[Tt](?P<H>[0-9]{1,2}):(?P<M>[0-9]{1,2}):(?P<S>[0-9]{1,2})(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2}))"
    r"|(?: (?P<H2>[0-9]{1,2}):(?P<M2>[0-9]{1,2}):(?P<S2>[0-9]{1,2})(?:\.[0-9]+)?))?\Z"
)
_DIGITS = {2: frozenset("01"), 8: frozenset("01234567"), 10: frozenset("0123456789"),
           16: frozenset("0123456789abcdefABCDEF")}
_INT64 = 2**63
_UINT64 = 2**64
#: encoding/json writes a float64 without an exponent (so as an integer, when it is whole) below this.
_JSON_PLAIN_FLOAT = 1e21


def _go_parse_uint(body: str, base: int) -> int | None:
    """strconv.ParseUint(body, base, 64) for an unsigned ``body``; base 0 reads Go's prefixes."""
    if base == 0:
        base = 10
        if len(body) > 1 and body[0] == "0":
            prefix = body[1].lower()
            base, body = {"x": (16, body[2:]), "o": (8, body[2:]), "b": (2, body[2:])}.get(prefix, (8, body[1:]))
    if not body or not set(body) <= _DIGITS[base]:
        return None
    significant = body.lstrip("0")
    if len(significant) > 64:  # cannot fit 64 bits in any base; also keeps int() off huge strings
        return None
    value = int(significant or "0", base)
    return value if value < _UINT64 else None


def _go_parse_int(text: str, base: int = 0) -> int | None:
    """strconv.ParseInt(text, base, 64)."""
    sign, body = (text[0], text[1:]) if text[:1] in ("+", "-") else ("", text)
    value = _go_parse_uint(body, base)
    if value is None:
        return None
    value = -value if sign == "-" else value
    return value if -_INT64 <= value < _INT64 else None


def _is_go_timestamp(text: str) -> bool:
    match = _TIMESTAMP.match(text)
    if match is None:
        return False
    import datetime

    try:
        datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return False
    hour, minute, second = (match["H"] or match["H2"] or "0"), (match["M"] or match["M2"] or "0"), (match["S"] or match["S2"] or "0")
    return int(hour) < 24 and int(minute) < 60 and int(second) < 60


def go_resolve(value: str, tag: str = "") -> tuple[str, Any]:
    """resolve.go's ``resolve(tag, in)`` for a plain scalar (``tag`` empty) or one tagged !!bool/!!int/...:
    the tag it resolves to and its Go value (a timestamp stays its text, as decoding into interface{} does)."""
    hint = value[0] if value else "N"
    if tag in (STR, "tag:yaml.org,2002:binary"):
        return STR, value
    if not value or hint in _HINT_MAPPED or hint in _HINT_NUMBER or hint == ".":
        mapped = _MAPPED.get(value)
        if mapped is not None:
            return mapped
        if hint == ".":
            if _YAML_STYLE_FLOAT.match(value):  # strconv.ParseFloat of what starts with "."
                return FLOAT, float(value)
        elif hint in _HINT_NUMBER:
            if (tag in ("", TIMESTAMP)) and _TIMESTAMP_START.match(value) and _is_go_timestamp(value):
                return TIMESTAMP, value
            plain = value.replace("_", "")
            number = _go_parse_int(plain)
            if number is None and plain[:1] != "+" and plain[:1] != "-":
                number = _go_parse_uint(plain, 0)
            if number is not None:
                return INT, number
            if _YAML_STYLE_FLOAT.match(plain):
                parsed = float(plain)
                if not math.isinf(parsed):  # ParseFloat's ErrRange: the text stays a string
                    return FLOAT, parsed
            for prefix, base in (("0b", 2), ("-0b", 2), ("0o", 8), ("-0o", 8)):
                if plain.startswith(prefix):
                    number = _go_parse_int(("-" if prefix[0] == "-" else "") + plain[len(prefix):], base)
                    if number is None and prefix[0] != "-":
                        number = _go_parse_uint(plain[len(prefix):], base)
                    if number is not None:
                        return INT, number
                    break
    return STR, value


def _short(tag: str) -> str:
    return "!!" + tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else tag


def json_number(value: float, node: yaml.Node) -> int | float:
    """A float64 after encoding/json: a whole one below 1e21 is written as an integer, so it is one; NaN and
    infinities cannot be written at all (sigs.k8s.io/yaml's JSON step fails: "json: unsupported value")."""
    # So a float weight is neither refused nor truncated when whole: ``weight: 90.0`` reaches Kuma as JSON 90,
    # which the schema's ``type: integer`` (2.5.11 and v2.7.29:
    # pkg/plugins/policies/meshtcproute/api/v1alpha1/schema.yaml) accepts and the uint field reads as 90; 90.5
    # stays a float and the schema refuses it ("must be of type integer").
    if math.isnan(value) or math.isinf(value):
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value!r} is not a JSON number (NaN or infinity): Kuma's YAML-to-JSON step refuses it",
            node.start_mark)
    if value.is_integer() and abs(value) < _JSON_PLAIN_FLOAT:
        # Go writes the shortest digits that read back as this float64, then zeros: 2**64 is 18446744073709552000.
        return int(value) if abs(value) < 2**53 else int(decimal.Decimal(repr(value)))
    return value


def construct(tag: str, node: yaml.ScalarNode) -> Any:
    """The value of a scalar node tagged ``tag`` (resolved or explicit), or go-yaml's refusal."""
    resolved, value = go_resolve(node.value, tag)
    if resolved == tag or (tag == FLOAT and resolved == INT):
        if resolved in (FLOAT, INT) and tag == FLOAT:
            return json_number(float(value), node)
        if resolved == FLOAT:
            return json_number(value, node)
        return value
    raise yaml.constructor.ConstructorError(
        None, None, f"cannot decode {_short(resolved)} `{node.value[:80]}` as a {_short(tag)}", node.start_mark)


def key_text(key: Any) -> str:
    """A mapping key as the JSON object key sigs.k8s.io/yaml makes of it (``convertToJSONableObject``)."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        return f"{key:g}"  # strconv.FormatFloat(k, 'g', -1, 32), near enough for a key
    if isinstance(key, (_dt.date, _dt.datetime)):
        return key.isoformat()  # a key built outside this reader (a PyYAML timestamp)
    return str(key)
