"""The findings documentation, generated from the code table: ``docs/findings.md`` is
``codes_markdown()`` (``python -m meshroute_analysis.audit.docs > docs/findings.md``; a test checks it)."""

from __future__ import annotations

from .codes import CODES, SEVERITIES

__all__ = ["codes_markdown", "codes_table"]

_INTRO = """\
# Finding codes

`meshroute audit` (and `mra.audit(repo)`) reviews a policy repository as Kuma 2.5 would apply it. Every
finding has a stable code `MRA###` (codes are never reused), a severity, the policy, file, line and field
path it is about and, when it concerns traffic, the `source -> destination` pair.

Codes are grouped by concern: 0xx input, 1xx validation, 2xx references, 3xx traffic and splits, 4xx
route-type interplay, 5xx version and portability, 9xx hygiene.

This page is generated from the code table (`meshroute_analysis/audit/codes.py`):
`python -m meshroute_analysis.audit.docs > docs/findings.md`.

## Suppressing findings

- `--skip MRA302` drops every finding with that code; `--skip '*'` drops all.
- `--skip 'MRA302=canary-*'` drops the findings of that code whose policy matches the glob (shell-style,
  case-sensitive) on its key (`MeshTCPRoute/route.kuma-system`) or its name (`route`).
- `--skip` may be repeated and takes comma-separated values. Unknown codes are reported on stderr.
- On a policy, the label or annotation `meshroute.io/skip: "MRA101,MRA204"` drops those codes for findings
  about that policy (`*` drops all). Kubernetes label values cannot hold commas: use the annotation for
  several codes.

## Exit codes

`0` nothing at or above `--fail-on` (default `error`), `1` internal error, `64` usage error, `65` unreadable
input (a path that does not exist, or files/documents that could not be parsed (MRA001) when no other
finding reaches the threshold), `79` findings at or above the threshold. The exit code never depends on
`-o`.

## Codes
"""


def codes_table(page: str = "") -> str:
    """The code table as Markdown, each code linked to its section on ``page`` (this page when empty).

    The README carries ``codes_table("docs/findings.md")``; a test keeps both in step with the registry."""
    lines = ["| code | severity | concern | title |", "| --- | --- | --- | --- |"]
    for c in CODES.values():
        title = c.title + (" (retired)" if c.retired else "")
        lines.append(f"| [{c.code}]({page}#{c.anchor}) | {c.severity} | {c.group} | {title} |")
    return "\n".join(lines)


def codes_markdown() -> str:
    """The code table and one section (anchor ``#mra###``) per code, as Markdown."""
    lines = [_INTRO, codes_table(), ""]
    for c in CODES.values():
        lines += [f"### {c.code}", "", f"**{c.title}** · severity `{c.severity}` · {c.group}", "", c.description, ""]
    lines.append(f"Severities, lowest first: {', '.join(SEVERITIES)}.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(codes_markdown(), end="")
