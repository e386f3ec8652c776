"""Route resolution with Kuma semantics: which route wins for each (source, destination) and why.

One concern per module:

=================  =================================================================================
``semantics``      the version-dependent facts (:class:`Semantics`, one per Kuma version; 2.5 first)
``tagmatch``       tag selectors, ranks
``defaults``       the implicit ``route-all-<mesh>`` / ``allow-all-<mesh>``
``selection``      which MeshTCPRoute / MeshHTTPRoute apply to a proxy, and their merge order
``merge``          merging ``to`` entries for one destination
``protocols``      endpoints a proxy sees (ExternalService admission) and protocol inference
``trafficroute``   TrafficRoute choice by rank
``split``          backendRefs / TrafficRoute splits → weighted backends and shares
``decide``         which generator's listener wins for one outbound
``grouping``       source groups and their destinations
``engine``         orchestration and caches
``tables``         the frames
``explain``        the step-by-step explanation of one pair
``resolution``     :func:`resolve` and :class:`Resolution`
=================  =================================================================================
"""

from __future__ import annotations

from .decide import STATUSES
from .explain import Explanation, UnknownNameError
from .resolution import GroupSelection, Resolution, resolve
from .semantics import SEMANTICS, Semantics, semantics_for, supported_versions

__all__ = [
    "SEMANTICS",
    "STATUSES",
    "Explanation",
    "GroupSelection",
    "Resolution",
    "Semantics",
    "UnknownNameError",
    "resolve",
    "semantics_for",
    "supported_versions",
]
