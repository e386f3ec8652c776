"""meshroute_analysis: what Kuma / Kong Mesh route policies in a repository actually do, offline.

    import meshroute_analysis as mra
    repo = mra.load_repo("policies/")      # documents, policies, backends, violations, dataplanes, services
    res = mra.resolve(repo)                # which route wins for every (source, destination) and where it goes
    print(res.explain("frontend", "backend_kuma-demo_svc_3001"))

Importing the package never imports pyplot or ipywidgets: the plotting helpers and the explorer load
them on first use.
"""

from __future__ import annotations

from .audit import audit
from .errors import InputError, MeshrouteError, UsageError
from .repo import PolicyRepo, load_repo
from .resolve import Resolution, resolve

__all__ = [
    "InputError",
    "MeshrouteError",
    "PolicyRepo",
    "Resolution",
    "UsageError",
    "__version__",
    "audit",
    "load_repo",
    "resolve",
]

__version__ = "0.1.0"
