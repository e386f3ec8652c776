"""The resource name (``pkg/core/resources/apis/mesh/meta_validator.go`` ``ValidateMeta`` as applied on
create: a lowercase RFC 1123 subdomain of at most 253 bytes; the same from 2.5.11 to 2.14.3)."""

from __future__ import annotations

import re
from typing import Final

from .paths import Violation

_RFC1123_SUBDOMAIN: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_NAME_LENGTH_LIMIT: Final = 253


def check_resource_name(out: list[Violation], name: object) -> None:
    if not isinstance(name, str):
        out.append(Violation("name", "must be a string"))
    elif name == "":
        out.append(Violation("name", "cannot be empty"))
    elif len(name.encode("utf-8", "surrogatepass")) > _NAME_LENGTH_LIMIT:  # Go's len() counts bytes
        out.append(Violation("name", f"value length must less or equal {_NAME_LENGTH_LIMIT}"))
    elif not _RFC1123_SUBDOMAIN.fullmatch(name):
        out.append(
            Violation(
                "name",
                "invalid characters. A lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                "characters, '-' or '.', and must start and end with an alphanumeric character",
            )
        )
