"""The exceptions meshroute_analysis raises.

::

    MeshrouteError                 every error this package raises on purpose
    ├── InputError                 a path that cannot be read at all, or a git revision that does not resolve
    └── UsageError                 arguments that do not make sense together (unknown Kuma version, ...)

Problems inside a repository (a broken YAML document, an unreadable file met while walking a directory,
an invalid policy) are not exceptions: they are rows of ``repo.documents`` and ``repo.violations``, so
one bad file never hides the others.
"""

from __future__ import annotations


class MeshrouteError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(MeshrouteError):
    """A path given by the caller cannot be read, or a git revision cannot be resolved."""


class UsageError(MeshrouteError, ValueError):
    """Arguments that do not make sense together."""
