"""One module per rule.  Each module has ``CODE`` (a row of :mod:`..codes`) and ``check(ctx)``, which yields
:class:`~..finding.Finding` objects.  The registry (:mod:`..registry`) lists them explicitly."""
