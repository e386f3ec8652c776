"""What a change does to traffic: a semantic diff of two revisions, built on the resolver.

::

    d = mra.diff_revisions("policies/", base="origin/main")     # head None: the working tree
    d = mra.diff(mra.load_repo("before/"), mra.load_repo("after/"))
    d = mra.diff(mra.resolve(repo, kuma_version="2.5"), mra.resolve(repo, kuma_version="2.7"))
    d.pairs, d.backends, d.findings, d.policies
    d.explain("frontend", "backend")

Every semantic rule comes from the resolver and the audit; this package only lines the two sides up.
One concern per module:

=============  ======================================================================================
``sides``      the two sides, resolved mesh by mesh and only where their inputs differ
``cells``      source groups across revisions (split, merged, renamed): proxies compared, groups reported
``pairs``      the pairs and backends whose outcome changed, before and after side by side
``findings``   findings introduced / fixed / unchanged, matched by their SARIF fingerprint
``policies``   policies added / removed / modified, with the field paths that changed
``explain``    both explanations of a pair and the first step where they differ
``summary``    counts, the one-line verdict, the text summary
``text``       the words and numbers of a change
``result``     :func:`diff`, :func:`diff_revisions` and :class:`Diff`
=============  ======================================================================================
"""

from __future__ import annotations

from .explain import DiffExplanation
from .result import Diff, diff, diff_revisions

__all__ = ["Diff", "DiffExplanation", "diff", "diff_revisions"]
