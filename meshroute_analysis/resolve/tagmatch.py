"""Tag selectors and their ranks, as Kuma's legacy and targetRef matchers use them.

Source: ``api/mesh/v1alpha1/dataplane_helpers.go`` (``TagSelector.Matches``, ``TagSelector.Rank``,
``TagSelectorRank.CompareTo``, ``Dataplane.Matches``) at tag 2.5.11.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..model import Tags

MATCH_ALL = "*"

#: (exact matches, wildcard matches) of a selector.
Rank = tuple[int, int]


def selector_matches(selector: Tags | Mapping[str, str], tags: Mapping[str, str]) -> bool:
    """Every selector key must be present; its value must be equal or ``*``.  An empty selector matches all."""
    # Selectors are tag tuples nearly always; asking the Mapping ABC first costs more than the match.
    items = selector if type(selector) is tuple else selector.items() if isinstance(selector, Mapping) else selector
    for key, value in items:
        have = tags.get(key)
        if have is None:
            return False
        if value != have and value != MATCH_ALL:
            return False
    return True


def selector_rank(selector: Tags) -> Rank:
    wildcard = sum(1 for _, v in selector if v == MATCH_ALL)
    return (len(selector) - wildcard, wildcard)


def combine_ranks(a: Rank, b: Rank) -> Rank:
    return (a[0] + b[0], a[1] + b[1])


def compare_ranks(a: Rank, b: Rank) -> int:
    """``TagSelectorRank.CompareTo``: more tags first, then more exact tags."""
    total_a, total_b = a[0] + a[1], b[0] + b[1]
    if total_a != total_b:
        return total_a - total_b
    return a[0] - b[0]


def rank_sort_key(rank: Rank) -> tuple[int, int]:
    return (rank[0] + rank[1], rank[0])


def any_matches(selector: Tags, tag_sets: Iterable[Mapping[str, str]]) -> bool:
    """``Dataplane.Matches``: the selector matches one of the tag sets (inbounds, then gateway tags)."""
    return any(selector_matches(selector, tags) for tags in tag_sets)


def format_tags(tags: Tags | Mapping[str, str]) -> str:
    items = sorted(tags.items()) if isinstance(tags, Mapping) else tags
    return "{" + ", ".join(f"{k}={v}" for k, v in items) + "}"
