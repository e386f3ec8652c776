"""Template markup: documents written to be rendered first (Helm's ``{{ }}``, Jinja's and Liquid's ``{% %}``).

Such a document is not what a control plane would be given, so it is never loaded.  Unrendered markup
usually breaks the YAML (``namespace: {{ .Values.ns }}`` reads as a flow mapping with a mapping for a
key); when it is quoted it parses, and a MeshTCPRoute would then be loaded in mesh ``{{ .Values.mesh }}``.
Both cases become an ``error`` row that says where the markup is and how to render it first.

Two things are not template markup for this purpose:

- markup in a YAML comment: it changes nothing the parser reads (site docs write
  ``mesh: default # tell {{site.mesh_product_name}} ...``);
- Kuma's own Go templates, which are data: ``VirtualOutbound`` ``conf.host``/``conf.port``
  (``api/mesh/v1alpha1/virtual_outbound.proto``: "the gotemplate to generate the hostname"),
  ``HostnameGenerator`` ``spec.template`` and ``MeshIdentity`` ``spec.spiffeID.trustDomain``/``path``
  (``pkg/core/resources/apis/{hostnamegenerator,meshidentity}/api/v1alpha1/``).

Kinds this toolkit does not read (a ConfigMap holding a Grafana dashboard, a PrometheusRule) have template
languages of their own inside their content; for them only markup in what names the object (``apiVersion``,
``kind``, ``type``, ``name``, ``mesh``, ``metadata``) counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: What the reason tells the user to do.
RENDER_HINT = (
    "render it first, e.g. `helm template CHART | meshroute audit -` or `kustomize build DIR | meshroute audit -`"
)
_OPENING = re.compile(r"\{\{|\{%")
_TOKEN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|(?:\{\{|\{%).{0,40}")
#: Fields that hold Kuma's own Go templates, by kind; paths as Kubernetes writes them (``spec.``) and as
#: Universal does (legacy kinds keep ``conf`` at the top level).
_KUMA_TEMPLATE_FIELDS: dict[str, set[tuple[str | int, ...]]] = {
    "VirtualOutbound": {("spec", "conf", "host"), ("spec", "conf", "port"), ("conf", "host"), ("conf", "port")},
    "HostnameGenerator": {("spec", "template")},
    "MeshIdentity": {("spec", "spiffeID", "trustDomain"), ("spec", "spiffeID", "path")},
}
#: What names an object: for kinds this toolkit does not read, only markup here counts.
_IDENTITY_FIELDS = frozenset({"apiVersion", "kind", "type", "name", "mesh", "metadata"})

FieldPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Markup:
    """Where template markup is: the field (None when the document did not parse) and the markup itself."""

    token: str
    field: str | None = None

    def reason(self, yaml_error: str | None = None) -> str:
        where = f" in {self.field}" if self.field else ""
        if yaml_error is None:
            return f"template markup{where} ({self.token}), not loaded: {RENDER_HINT}"
        return f"template markup ({self.token}) in a document that is not valid YAML: {RENDER_HINT} ({yaml_error})"


def _token(text: str) -> str:
    match = _TOKEN.search(text)
    return match.group().strip() if match else text.strip()


def _without_comment(line: str) -> str:
    """The line up to its YAML comment: a ``#`` at the start or after a blank, outside quotes."""
    quote: str | None = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def markup_in_text(text: str, first_line: int) -> tuple[int, Markup] | None:
    """The first line (in file terms; ``text`` starts on ``first_line``) with markup outside comments."""
    if _OPENING.search(text) is None:
        return None
    for offset, line in enumerate(text.splitlines()):
        code = _without_comment(line)
        if _OPENING.search(code):
            return first_line + offset, Markup(_token(code))
    return None


def _strings(value: Any, path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    """Every string of a parsed document (keys and values) with the path to it, in document order."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield (*path, key), key
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))


def field_path(path: FieldPath) -> str:
    """``("spec", "to", 0, "targetRef")`` as ``spec.to[0].targetRef``; odd keys as ``labels["kuma.io/mesh"]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out


def markup_in_data(obj: dict[str, Any], *, read: bool) -> Markup | None:
    """Template markup in a parsed resource: anywhere (Kuma's own template fields aside) when ``read`` (a kind
    this toolkit loads), else only in the fields that name the object."""
    kind = obj.get("kind") if isinstance(obj.get("kind"), str) else obj.get("type")
    own: set[FieldPath] = _KUMA_TEMPLATE_FIELDS.get(kind, set()) if isinstance(kind, str) else set()
    for path, text in _strings(obj, ()):
        if _OPENING.search(text) is None or path in own:
            continue
        if not read and (not path or path[0] not in _IDENTITY_FIELDS):
            continue
        return Markup(_token(text), field_path(path))
    return None


def line_of(text: str, text_line: int, from_line: int, token: str) -> int | None:
    """The first file line at or after ``from_line`` whose text holds ``token`` (``text`` starts on
    ``text_line``); None when the token does not appear as written (quoted, escaped)."""
    lines = text.splitlines()
    for offset in range(max(from_line - text_line, 0), len(lines)):
        if token in lines[offset]:
            return text_line + offset
    return None
