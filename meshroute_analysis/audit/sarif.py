"""Findings as SARIF 2.1.0 for GitHub code scanning.

What GitHub needs (docs.github.com, "SARIF support for code scanning"): ``tool.driver.rules`` with
descriptions and ``helpUri``; results with a stable ``ruleId``, ``level`` in error|warning|note, locations
whose ``artifactLocation.uri`` is relative to the repository root (with ``uriBaseId: %SRCROOT%``) and a
``region.startLine`` >= 1; and ``partialFingerprints`` so that alerts are matched across runs rather than
duplicated.  The fingerprint hashes code, policy, field path and pair (and the file for findings without a
policy), so it survives edits that move a policy to another line.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from .codes import CODES

__all__ = ["SARIF_SCHEMA", "fingerprints", "to_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
FINGERPRINT_KEY = "meshrouteFinding/v1"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _rule_name(title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words)


def _rules(help_base_url: str | None) -> list[dict[str, Any]]:
    rules = []
    for c in CODES.values():
        # SARIF wants helpUri absolute; without a known home for the docs, the help text names the page.
        where = c.help_uri(help_base_url) if help_base_url else c.help_path
        rule: dict[str, Any] = {
            "id": c.code,
            "name": _rule_name(c.title),
            "shortDescription": {"text": c.title},
            "fullDescription": {"text": c.description},
            "help": {"text": f"{c.description} See {where}.", "markdown": f"{c.description}\n\nSee [{c.code}]({where})."},
            "defaultConfiguration": {"level": _LEVELS[c.severity]},
            "properties": {"tags": [c.group], "problem.severity": c.severity},
        }
        if help_base_url:
            rule["helpUri"] = where
        rules.append(rule)
    return rules


def _driver(tool_version: str, help_base_url: str | None) -> dict[str, Any]:
    driver: dict[str, Any] = {"name": "meshroute", "version": tool_version, "semanticVersion": tool_version}
    if help_base_url:
        driver["informationUri"] = help_base_url
    driver["rules"] = _rules(help_base_url)
    return driver


def _uri(file: str, root: Path) -> str:
    """A repository-relative, forward-slash URI (percent-encoding what a URI cannot hold)."""
    path = Path(file)
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        relative = str(path)
    return quote(Path(relative).as_posix(), safe="/")


def fingerprint(row: Any, uri: str | None) -> str:
    """Stable across runs and line moves: code, policy (or the repository-relative file), path, pair."""
    parts = [row.code, _text(row.policy) or f"file:{uri}", _text(row.path) or "", _text(row.pair) or "", _text(row.mesh) or ""]
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _text(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else str(value)


def _row_uri(row: Any, base: Path) -> str | None:
    file = _text(row.file)
    return _uri(file, base) if file and file != "-" else None


def fingerprints(findings: pd.DataFrame, *, root: str | os.PathLike[str] | None = None) -> list[str]:
    """The ``partialFingerprints`` value :func:`to_sarif` gives each row of ``findings`` (same root), in
    row order: what matches a finding across runs and revisions."""
    base = Path(root).resolve() if root is not None else Path.cwd()
    return [fingerprint(row, _row_uri(row, base)) for row in findings.itertuples(index=False)]


def to_sarif(
    findings: pd.DataFrame,
    *,
    root: str | os.PathLike[str] | None = None,
    tool_version: str = "0",
    help_base_url: str | None = None,
) -> dict[str, Any]:
    """One SARIF run for ``findings`` (an ``audit()`` frame); URIs relative to ``root`` (default: cwd).

    ``help_base_url`` is where this project's files are browsable (``https://github.com/ORG/REPO/blob/main``);
    with it, every rule gets an absolute ``helpUri`` to its section of ``docs/findings.md``."""
    base = Path(root).resolve() if root is not None else Path.cwd()
    index = {code: i for i, code in enumerate(CODES)}
    results = []
    for row in findings.itertuples(index=False):
        uri = _row_uri(row, base)
        line = int(row.line) if _text(row.line) is not None and int(row.line) >= 1 else 1
        extra = [f"field {row.path}"] if _text(row.path) else []
        extra += [f"policy {row.policy}"] if _text(row.policy) else []
        result: dict[str, Any] = {
            "ruleId": row.code,
            "ruleIndex": index[row.code],
            "level": _LEVELS[row.severity],
            "message": {"text": row.message + (f" ({'; '.join(extra)})" if extra else "")},
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint(row, uri)},
            "properties": {k: v for k, v in (("policy", _text(row.policy)), ("path", _text(row.path)),
                                              ("pair", _text(row.pair)), ("mesh", _text(row.mesh))) if v},
        }  # fmt: skip
        if uri is not None:
            result["locations"] = [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": line},
                    }
                }
            ]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": _driver(tool_version, help_base_url)},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": base.as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
