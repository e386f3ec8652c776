"""Parsed files by content: loading two revisions of one repository parses each distinct file once.

A diff loads the same repository twice, and between two revisions almost every file is the same bytes
(the same git blob).  :class:`ParseMemo` keeps, for the duration of one diff, what the loader made of
each file's bytes: the parsed documents, and the rows (documents and resources) they gave at a path.
Same bytes at the same path give back the very same rows, so the resources of unchanged files are the
same objects on both sides; same bytes at another path (a moved file, a second folder) are normalised
again for their new path, without parsing.  Nothing is ever written to disk, and nothing outlives the
memo object.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .yamldocs import RawDocument

__all__ = ["ParseMemo"]

Digest = bytes


def digest(data: bytes) -> Digest:
    # A digest keeps the memo's keys small: the bytes themselves stay owned by the SourceFile that read them.
    return hashlib.blake2b(data, digest_size=20).digest()


@dataclass
class ParseMemo:
    """What one load made of each file, keyed by content; pass the same memo to every load of a diff."""

    documents: dict[Digest, tuple[RawDocument, ...]] = field(default_factory=dict)
    rows: dict[tuple[str, Digest], tuple[Any, ...]] = field(default_factory=dict)
    #: Typed policy and violations per resource object and context (the namespaces validation ran with, the
    #: apply position, which the policy carries).
    policies: dict[tuple[int, Any], tuple[Any, Any, Any]] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0

    def file_rows(self, path: str, data: bytes, parse: Callable[[], Iterable[RawDocument]],
                  build: Callable[[Sequence[RawDocument]], Iterable[Any]]) -> tuple[Any, ...]:
        """The rows of the file at ``path`` with these bytes: remembered, or built (``build(documents)``)
        from remembered documents, or from documents parsed now (``parse()``)."""
        key = digest(data)
        rows = self.rows.get((path, key))
        if rows is not None:
            self.hits += 1
            return rows
        documents = self.documents.get(key)
        if documents is None:
            self.misses += 1
            documents = self.documents[key] = tuple(parse())
        else:
            self.hits += 1
        rows = self.rows[(path, key)] = tuple(build(documents))
        return rows

    def policy(self, resource: Any, context: Any, make: Callable[[], tuple[Any, Any]]) -> tuple[Any, Any]:
        """The typed policy and violations of ``resource`` in ``context``: built once per resource object."""
        key = (id(resource), context)
        found = self.policies.get(key)
        # The resource is kept in the entry, so its id cannot be reused by another object meanwhile.
        if found is None or found[0] is not resource:
            policy, violations = make()
            found = self.policies[key] = (resource, policy, violations)
        return found[1], found[2]
