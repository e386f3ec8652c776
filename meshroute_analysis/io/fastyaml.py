"""PyYAML's safe loader, with its two slowest Python steps done more cheaply, and the same results.

With libyaml, parsing and composing run in C, but two steps stay in Python for every scalar and every
node: resolving a plain scalar's implicit tag (a dozen regular expressions tried in turn) and the
constructor's bookkeeping (state generators, recursion tables).  Policy repositories repeat the same
scalars endlessly (``kuma.io/service``, ``MeshService``, ``weight``), so the tag of a scalar is cached by
its text; and documents built only of maps, sequences and the plain scalar types are constructed by a
direct walk.  Anything else — a merge key, a set, an ordered map, any other tag, a key that cannot be
hashed — goes back to PyYAML's own constructor for the whole document, so what is accepted, what is
refused (every unsafe tag) and the error messages stay exactly PyYAML's.

Scalars are resolved and built as Kuma reads them (:mod:`.goyaml`: go-yaml v2, then JSON), not as YAML 1.1
says, and mapping keys are text, as the JSON object keys Kuma ends up with.  While building, the loader
notes what the caller must check before trusting the document: a mapping that repeats a key
(``duplicates``) and a collection reached twice, i.e. an alias (``aliased``).
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

from . import goyaml

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
#: Mapping keys are a handful of names repeated in every document (``kuma.io/service``, ``networking``): one
#: string object each, as json's decoder does, makes the parsed documents smaller and their lookups and
#: pickling (the load cache) cheaper.  Values are left alone: most are unique.
_intern = sys.intern


class _Fallback(Exception):
    """This document needs PyYAML's full constructor."""


def _construct_go_scalar(loader: Any, node: yaml.ScalarNode) -> Any:
    return goyaml.construct(node.tag, node)


def _construct_binary_text(loader: Any, node: yaml.ScalarNode) -> Any:
    # go-yaml decodes !!binary into a Go string; JSON then carries it as text.
    return yaml.SafeLoader.construct_yaml_binary(loader, node).decode("utf-8", "replace")


class _GoScalars:
    """The scalar resolution and construction of :mod:`.goyaml`, and text keys, on any safe loader."""

    duplicates: list[tuple[yaml.MappingNode, str]]
    aliased: bool
    _own_pairs: dict[int, list[tuple[yaml.Node, yaml.Node]]]

    def _start(self, aliased: bool) -> None:
        self.duplicates = []
        self.aliased = aliased
        self._own_pairs = {}

    def construct_document(self, node: yaml.Node) -> Any:
        self._start(aliased=True)  # PyYAML's constructor says nothing about sharing: measure the document
        return super().construct_document(node)  # type: ignore[misc]

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)  # type: ignore[misc, no-any-return]
        key = (value, implicit)
        tag = _resolved.get(key)
        if tag is None:
            # A quoted scalar is a string; a plain one is what go-yaml v2's resolve() makes of it.
            tag = goyaml.go_resolve(value)[0] if implicit[0] else _STR
            if implicit[0] and value == "<<":
                tag = goyaml.MERGE  # yaml.v2 decode.go isMerge: a plain "<<" key merges, whatever resolve() says
            if tag == goyaml.TIMESTAMP:
                tag = _STR  # a timestamp decoded into interface{} stays its text (yaml.v2 decode.go)
            if len(_resolved) >= _CACHE_LIMIT:
                _resolved.clear()
            _resolved[key] = tag
        return tag

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        # Merging (``<<: *base``) rewrites node.value in place; a key repeated there is no duplicate.
        self._own_pairs.setdefault(id(node), list(node.value))
        super().flatten_mapping(node)  # type: ignore[misc]

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, _ in self._own_pairs.setdefault(id(node), list(node.value)):
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != goyaml.MERGE:
                    if key_node.value in seen:
                        self.duplicates.append((node, key_node.value))
                    seen.add(key_node.value)
        mapping = super().construct_mapping(node, deep=deep)  # type: ignore[misc]
        if all(type(k) is str for k in mapping):
            return mapping
        out: dict[str, Any] = {}
        for key, value in mapping.items():
            text = goyaml.key_text(key)
            if text in out:
                self.duplicates.append((node, text))
            out[text] = value
        return out


class FastSafeLoader(_GoScalars, _Base):  # type: ignore[misc, valid-type]
    """A drop-in safe loader: pass it as the ``Loader`` of PyYAML's loading functions."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._start(aliased=False)

    def construct_document(self, node: yaml.Node) -> Any:
        self._start(aliased=False)
        try:
            return self._build(node, {})
        except _Fallback:
            return super().construct_document(node)  # _GoScalars': starts the notes afresh

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
            self.aliased = True
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
                    key = _intern(key_node.value)
                elif key_node.tag in _SPECIAL_KEYS:
                    raise _Fallback
                else:
                    key = self._build(key_node, built)
                    if isinstance(key, (list, dict)):
                        raise _Fallback  # PyYAML reports the unhashable key with its position
                    key = goyaml.key_text(key)
                if key in mapping:
                    self.duplicates.append((node, key))
                if type(value_node) is _Scalar and value_node.tag == _STR:
                    mapping[key] = value_node.value
                else:
                    mapping[key] = self._build(value_node, built)
            return mapping
        raise _Fallback


class PySafeLoader(_GoScalars, yaml.SafeLoader):  # type: ignore[misc]
    """PyYAML's pure-Python safe loader with the same scalars: used only for what libyaml refuses and Go
    reads, an escaped UTF-16 surrogate pair in a double-quoted string (JSON's way of writing an emoji)."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._start(aliased=True)  # never built by the fast walk: always measured


for _loader in (FastSafeLoader, PySafeLoader):
    for _tag in (goyaml.NULL, goyaml.BOOL, goyaml.INT, goyaml.FLOAT, goyaml.TIMESTAMP):
        _loader.add_constructor(_tag, _construct_go_scalar)
    _loader.add_constructor("tag:yaml.org,2002:binary", _construct_binary_text)
