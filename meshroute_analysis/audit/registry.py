"""The explicit rule registry: every rule module, in code order.  A new rule is a new module, a row in
:mod:`.codes`, a line here, a section in ``docs/findings.md`` (generated) and a defect in
``sample_policies/one-defect-per-rule/``; ``tests/audit/test_registry.py`` checks all five."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from .codes import CODES, Code
from .context import AuditContext
from .finding import Finding

__all__ = ["RULES", "Rule"]

#: The rule modules of :mod:`.rules`, in code order: the one list a new rule is added to.
_MODULE_NAMES = (
    "mra001_unreadable",
    "mra002_no_inventory",
    "mra003_workload_refused",
    "mra004_injection_not_read",
    "mra005_injection_unknown",
    "mra101_validation",
    "mra102_subset_without_tags",
    "mra201_unknown_backend",
    "mra202_unknown_destination",
    "mra203_empty_subset",
    "mra204_selects_no_proxy",
    "mra301_all_weights_zero",
    "mra302_lone_weight",
    "mra303_tcp_split_protocol",
    "mra304_pair_blackholed",
    "mra305_config_not_built",
    "mra401_tcp_shadowed_by_http",
    "mra402_tcp_takes_trafficroute",
    "mra403_unknown_protocol",
    "mra501_meshgateway",
    "mra502_cross_zone_backend",
    "mra503_name_order",
    "mra504_creation_order",
    "mra505_needs_newer_kuma",
    "mra601_legacy_name_exclusive",
    "mra602_resource_outbound_unrouted",
    "mra603_app_protocol_refused",
    "mra604_global_name_ref",
    "mra605_display_name_tie",
    "mra606_missing_port",
    "mra901_legacy_trafficroute",
    "mra902_dead_policy",
    "mra903_dead_entry",
)
_MODULES: tuple[ModuleType, ...] = tuple(import_module(f"{__package__}.rules.{name}") for name in _MODULE_NAMES)


@dataclass(frozen=True, slots=True)
class Rule:
    code: Code
    module: str
    check: Callable[[AuditContext], Iterable[Finding]]


#: Every registered rule, in code order.
RULES: tuple[Rule, ...] = tuple(Rule(CODES[m.CODE], m.__name__, m.check) for m in _MODULES)
