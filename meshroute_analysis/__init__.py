"""meshroute_analysis: what Kuma / Kong Mesh route policies in a repository actually do, offline.

    import meshroute_analysis as mra
    repo = mra.load_repo("policies/")      # documents, policies, backends, violations, dataplanes, services
    repo = mra.load_repo("policies/", config=mra.load_config("policies/"))   # with the repo's .meshroute.toml
    res = mra.resolve(repo)                # which route wins for every (source, destination) and where it goes
    print(res.explain("frontend.kuma-demo", "backend_kuma-demo_svc_3001"))
    d = mra.diff_revisions("policies/", base="origin/main")   # what a change does: pairs, backends, findings

Importing the package never imports pyplot or ipywidgets: the plotting helpers and the explorer load
them on first use.  Nor does it import pandas: the loader, the resolver, the audit and the diff load on first
use of their names too, so that ``meshroute --help`` starts in a fraction of the time.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .config import Config, load_config
from .errors import InputError, MeshrouteError, UsageError

if TYPE_CHECKING:
    from .audit import audit
    from .diff import Diff, diff, diff_revisions
    from .plotting import plot_diff, plot_flow, plot_route_matrix, plot_split, plot_splits, plot_weights
    from .repo import PolicyRepo, load_repo
    from .report import write_report
    from .resolve import Resolution, resolve
    from .widgets import explore

__all__ = [
    "Config",
    "Diff",
    "InputError",
    "MeshrouteError",
    "PolicyRepo",
    "Resolution",
    "UsageError",
    "__version__",
    "audit",
    "diff",
    "diff_revisions",
    "explore",
    "load_config",
    "load_repo",
    "plot_diff",
    "plot_flow",
    "plot_route_matrix",
    "plot_split",
    "plot_splits",
    "plot_weights",
    "resolve",
    "write_report",
]

__version__ = "0.1.0"

# Every name that needs pandas (or matplotlib, ipywidgets) loads its module on first use.
_LAZY = {
    "Diff": "diff",
    "PolicyRepo": "repo",
    "Resolution": "resolve",
    "audit": "audit",
    "diff": "diff",
    "diff_revisions": "diff",
    "explore": "widgets",
    "load_repo": "repo",
    "plot_diff": "plotting",
    "plot_flow": "plotting",
    "plot_route_matrix": "plotting",
    "plot_split": "plotting",
    "plot_splits": "plotting",
    "plot_weights": "plotting",
    "resolve": "resolve",
    "write_report": "report",
}
#: Functions named like the subpackage that holds them (``mra.audit`` is the function, ``meshroute_analysis.audit``
#: the package).  Importing a submodule makes Python bind the subpackage to the package's attribute of that name;
#: the properties of :class:`_Package` keep the function there, as the eager ``from .audit import audit`` did.
_SHADOWED = ("audit", "diff", "resolve")


def _load(name: str) -> Any:
    return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)


def __getattr__(name: str) -> object:
    if name in _LAZY:
        value = _load(name)
        globals()[name] = value  # found directly next time
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _function_property(name: str) -> property:
    slot = f"_lazy_{name}"

    def get(module: ModuleType) -> Any:
        found = module.__dict__.get(slot)
        if found is None:
            found = module.__dict__[slot] = _load(name)
        return found

    def set_(module: ModuleType, value: Any) -> None:
        if not isinstance(value, ModuleType):  # the import system binding the subpackage: keep the function
            module.__dict__[slot] = value

    return property(get, set_, doc=f"meshroute_analysis.{name} (the function), loaded on first use")


class _Package(ModuleType):
    audit = _function_property("audit")
    diff = _function_property("diff")
    resolve = _function_property("resolve")


sys.modules[__name__].__class__ = _Package
