"""Tag and selector rules shared by every policy (``pkg/core/resources/apis/mesh/validators.go``
``validateTagKeyValues``, ``ValidateTags``, ``ValidateSelector``; unchanged from 2.5.11 to 2.14.3)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from .paths import Violation, go_quote, key
from .values import string_map

SERVICE_TAG: Final = "kuma.io/service"

# tagNameCharacterSet, tagValueCharacterSet, selectorCharacterSet; used with fullmatch (Go's anchors;
# Python's $ would accept a trailing newline).
_TAG_NAME_CHARS: Final = re.compile(r"[a-zA-Z0-9.\-_:/]*")
_TAG_VALUE_CHARS: Final = re.compile(r"[a-zA-Z0-9.\-_:]*")
_SELECTOR_VALUE_CHARS: Final = re.compile(r"[a-zA-Z0-9.\-_:/]*|\*")
_TAG_VALUE_MESSAGE: Final = "tag value must consist of alphanumeric characters, dots, dashes and underscores"
_SELECTOR_VALUE_MESSAGE: Final = (
    'tag value must consist of alphanumeric characters, dots, dashes, slashes and underscores or be "*"'
)


@dataclass(frozen=True, slots=True)
class TagRules:
    """``ValidateTagsOpts``; ``only_service`` adds the two extra validators of ``OnlyServiceTagAllowed``."""

    require_at_least_one: bool = False
    require_service: bool = False
    only_service: bool = False


NO_RULES: Final = TagRules()


def check_tags(
    out: list[Violation], path: str, tags: Mapping[str, str | None] | None, *, selector: bool = False
) -> None:
    """ValidateTags with no options: empty tags are fine, values may not hold "*" or "/"; with ``selector``,
    ValidateSelector with no options, whose values may also be "*" or contain "/"."""
    if tags is not None:
        _check_tag_pairs(out, path, tags, NO_RULES, selector=selector)


def check_selector(out: list[Violation], path: str, value: object, rules: TagRules = NO_RULES) -> None:
    """ValidateSelector on a raw ``match`` value: like tags, but a value may also be "*" or contain "/"."""
    tags = string_map(value)
    if tags is not None:
        _check_tag_pairs(out, path, tags, rules, selector=True)


def _check_tag_pairs(
    out: list[Violation], path: str, tags: Mapping[str, str | None], rules: TagRules, *, selector: bool
) -> None:
    """validateTagKeyValues, in its order; keys sorted as Kuma's Keys() sorts them.  A value of None is a
    wrongly typed value, already reported by the shape layer: its value checks are skipped."""
    value_chars = _SELECTOR_VALUE_CHARS if selector else _TAG_VALUE_CHARS
    value_message = _SELECTOR_VALUE_MESSAGE if selector else _TAG_VALUE_MESSAGE
    if rules.require_at_least_one and not tags:
        out.append(Violation(path, "must have at least one tag"))
    if rules.only_service and (len(tags) != 1 or SERVICE_TAG not in tags):
        out.append(Violation(path, f"must consist of exactly one tag {go_quote(SERVICE_TAG)}"))
    for name in sorted(tags):
        if name == "":
            out.append(Violation(path, "tag name must be non-empty"))
        if not _TAG_NAME_CHARS.fullmatch(name):
            out.append(
                Violation(
                    key(path, name),
                    "tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores",
                )
            )
        if rules.only_service and name != SERVICE_TAG:
            out.append(Violation(key(path, name), f"tag {go_quote(name)} is not allowed"))
        value = tags[name]
        if value is None:
            continue
        if value == "":
            out.append(Violation(key(path, name), "tag value must be non-empty"))
        if not value_chars.fullmatch(value):
            out.append(Violation(key(path, name), value_message))
    if rules.require_service and SERVICE_TAG not in tags:
        out.append(Violation(path, f"mandatory tag {go_quote(SERVICE_TAG)} is missing"))
