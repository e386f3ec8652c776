"""The MeshTCPRoute validator (``pkg/plugins/policies/meshtcproute/api/v1alpha1/validator.go``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .paths import Violation, field, index
from .profiles import ValidationProfile
from .routes import check_multizone_port, check_top_level, each_entry, to_options, top_kind
from .targetref import MUST_BE_DEFINED, RefOptions, check_target_ref
from .values import fields, is_list, items


def validate_tcp_route(
    out: list[Violation], spec: Mapping[str, Any], profile: ValidationProfile, system_role: bool
) -> None:
    """The top-level targetRef, then every ``to`` entry: its targetRef, then its rules' backendRefs."""
    check_top_level(out, spec, profile, system_role, gateway_listener_tags=profile.tcp_gateway_listener_tags)
    destinations = to_options(top_kind(spec, profile), profile, profile.tcp_to_kinds)
    backends = RefOptions(profile.tcp_backend_kinds)
    for to_path, to in each_entry(spec, "to", "spec"):
        check_target_ref(out, field(to_path, "targetRef"), to.get("targetRef"), destinations, profile)
        for rule_path, rule in each_entry(to, "rules", to_path):
            default = fields(rule.get("default"))
            if default is not None:
                _check_backend_refs(
                    out, rule_path + ".default.backendRefs", default.get("backendRefs"), backends, profile
                )


def _check_backend_refs(
    out: list[Violation], path: str, raw_refs: object, options: RefOptions, profile: ValidationProfile
) -> None:
    # Up to 2.9 the count is the schema's business (required, minItems 1); from 2.10 Go refuses none.
    if profile.tcp_empty_backend_refs_refused and (raw_refs is None or (is_list(raw_refs) and not raw_refs)):
        out.append(Violation(path, MUST_BE_DEFINED))
        return
    for i, ref in enumerate(items(raw_refs)):
        ref_path = index(path, i)
        check_target_ref(out, ref_path, ref, options, profile)
        check_multizone_port(out, ref_path, ref, profile)
