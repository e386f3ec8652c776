"""Kuma 2.5's protocol of a service, folded over the ``kuma.io/protocol`` tags of its endpoints.

Sources: ``pkg/core/resources/apis/mesh/dataplane_helpers.go`` (``ParseProtocol``) and
``pkg/xds/generator/protocol.go`` (``getCommonProtocol``, ``InferServiceProtocol``) at tag 2.5.11.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import PROTOCOLS, UNKNOWN

# Each protocol and the layers beneath it; two different protocols meet at the first layer they share.
_STACKS: dict[str, tuple[str, ...]] = {
    "grpc": ("grpc", "http2", "tcp"),
    "http2": ("http2", "tcp"),
    "http": ("http", "tcp"),
    "kafka": ("kafka", "tcp"),
    "tcp": ("tcp",),
}


def parse_protocol(value: str | None) -> str:
    """A tag value as Kuma parses it: case-insensitive, anything unrecognised (or absent) is unknown."""
    if value is None:
        return UNKNOWN
    lowered = value.lower()
    return lowered if lowered in PROTOCOLS else UNKNOWN


def common_protocol(a: str, b: str) -> str:
    """The protocol two endpoints share: http+http2 is tcp, grpc+http2 is http2, unknown absorbs all."""
    if a == b:
        return a
    if UNKNOWN in (a, b):
        return UNKNOWN
    for x in _STACKS[a]:
        if x in _STACKS[b]:
            return x
    return UNKNOWN


def fold_protocols(values: Iterable[str | None]) -> str:
    """Fold raw tag values (None for a missing tag); no endpoints at all is unknown."""
    result: str | None = None
    for raw in values:
        parsed = parse_protocol(raw)
        result = parsed if result is None else common_protocol(result, parsed)
        if result == UNKNOWN:
            return UNKNOWN
    return UNKNOWN if result is None else result
