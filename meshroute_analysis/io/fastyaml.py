"""PyYAML's safe loader, with its two slowest Python steps done more cheaply, and the same results.

With libyaml, parsing and composing run in C, but two steps stay in Python for every scalar and every
node: resolving a plain scalar's implicit tag (a dozen regular expressions tried in turn) and the
constructor's bookkeeping (state generators, recursion tables).  Policy repositories repeat the same
scalars endlessly (``kuma.io/service``, ``MeshService``, ``weight``), so the tag of a scalar is cached by
its text; and documents built only of maps, sequences and the plain scalar types are constructed by a
direct walk.  Anything else — a merge key, a set, an ordered map, any other tag, a key that cannot be
hashed — goes back to PyYAML's own constructor for the whole document, so what is accepted, what is
refused (every unsafe tag) and the error messages stay exactly PyYAML's.
"""

from __future__ import annotations

from typing import Any

import yaml

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
#: Scalar tags whose SafeConstructor method returns its value directly (no generator, no recursion).
_PLAIN_SCALARS = frozenset(
    {
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
        "tag:yaml.org,2002:binary",
    }
)
_SPECIAL_KEYS = frozenset({"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})
_CACHE_LIMIT = 200_000
_Scalar, _Sequence, _Mapping = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
_resolved: dict[tuple[str, tuple[bool, bool]], str] = {}


class _Fallback(Exception):
    """This document needs PyYAML's full constructor."""


class FastSafeLoader(_Base):  # type: ignore[misc, valid-type]
    """A drop-in safe loader: pass it as the ``Loader`` of PyYAML's loading functions."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]
        key = (value, implicit)
        tag = _resolved.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(_resolved) >= _CACHE_LIMIT:
                _resolved.clear()
            _resolved[key] = tag
        return tag

    def construct_document(self, node: yaml.Node) -> Any:
        try:
            return self._build(node, {})
        except _Fallback:
            return super().construct_document(node)

    # No path resolvers are registered on this class, so the composer's per-node hooks have nothing to do.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def _build(self, node: yaml.Node, built: dict[int, Any]) -> Any:
        kind = type(node)
        tag = node.tag
        if kind is _Scalar:
            # Scalars are immutable, so an aliased scalar needs no sharing.
            if tag == _STR:
                return node.value
            if tag in _PLAIN_SCALARS:
                return self.yaml_constructors[tag](self, node)
            raise _Fallback
        # A collection seen before is an alias: share the object, as PyYAML's constructor does.
        if id(node) in built:
            return built[id(node)]
        if kind is _Sequence and tag == _SEQ:
            items: list[Any] = []
            built[id(node)] = items
            for child in node.value:
                items.append(child.value if type(child) is _Scalar and child.tag == _STR else self._build(child, built))
            return items
        if kind is _Mapping and tag == _MAP:
            mapping: dict[Any, Any] = {}
            built[id(node)] = mapping
            for key_node, value_node in node.value:
                if type(key_node) is _Scalar and key_node.tag == _STR:
                    key = key_node.value
                elif key_node.tag in _SPECIAL_KEYS:
                    raise _Fallback
                else:
                    key = self._build(key_node, built)
                    if isinstance(key, (list, dict)):
                        raise _Fallback  # PyYAML reports the unhashable key with its position
                if type(value_node) is _Scalar and value_node.tag == _STR:
                    mapping[key] = value_node.value
                else:
                    mapping[key] = self._build(value_node, built)
            return mapping
        raise _Fallback
