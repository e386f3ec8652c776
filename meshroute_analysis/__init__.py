"""meshroute_analysis: what Kuma / Kong Mesh route policies in a repository actually do, offline.

    import meshroute_analysis as mra
    repo = mra.load_repo("policies/")      # documents, policies, backends, violations, dataplanes, services
    repo = mra.load_repo("policies/", config=mra.load_config("policies/"))   # with the repo's .meshroute.toml
    res = mra.resolve(repo)                # which route wins for every (source, destination) and where it goes
    print(res.explain("frontend.kuma-demo", "backend_kuma-demo_svc_3001"))
    d = mra.diff_revisions("policies/", base="origin/main")   # what a change does: pairs, backends, findings

Importing the package never imports pyplot or ipywidgets: the plotting helpers and the explorer load
them on first use.
"""

from __future__ import annotations

from .audit import audit
from .config import Config, load_config
from .diff import Diff, diff, diff_revisions
from .errors import InputError, MeshrouteError, UsageError
from .repo import PolicyRepo, load_repo
from .resolve import Resolution, resolve

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
    "plot_route_matrix",
    "plot_split",
    "plot_splits",
    "plot_weights",
    "resolve",
    "write_report",
]

__version__ = "0.1.0"

# Plotting, the explorer and the report need matplotlib (and ipywidgets): they load on first use, so that
# importing the package stays light and never touches pyplot.
_LAZY = {
    "explore": "widgets",
    "plot_diff": "plotting",
    "plot_route_matrix": "plotting",
    "plot_split": "plotting",
    "plot_splits": "plotting",
    "plot_weights": "plotting",
    "write_report": "report",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
