"""MRA305: proxies whose whole configuration the control plane fails to build, one finding per causing policy.

The resolver predicts it (``res.proxies.config_error``, :mod:`meshroute_analysis.resolve.httproute`): at
2.5.11 the MeshHTTPRoute plugin fails for a proxy when a rule's RequestMirror or URLRewrite comes after a
RequestRedirect (``pkg/plugins/policies/meshhttproute/xds/filters/util.go`` ``UpdateRouteAction``) or a
mirror names a backend the proxy has no HTTP cluster for (``filters/requestmirror.go``); the plugin's error
fails the proxy's whole configuration.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ..context import AuditContext
from ..finding import Finding

CODE = "MRA305"
_SHOWN = 5


def check(ctx: AuditContext) -> Iterator[Finding]:
    proxies = ctx.res.proxies
    failed = proxies[proxies["config_error"] != ""]
    by_policy: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for mesh, proxy, key, error in zip(failed["mesh"], failed["proxy"], failed["config_error_policy"], failed["config_error"]):
        by_policy[(mesh, key)].append((proxy, error))
    version = ctx.res.kuma_version
    for (mesh, key), hits in sorted(by_policy.items()):
        names = [p for p, _ in hits]
        shown = ", ".join(names[:_SHOWN]) + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")
        text = (f"Kuma {version} cannot build the configuration of {len(names)} prox{'y' if len(names) == 1 else 'ies'} "
                f"({shown}): {hits[0][1]}")
        policy = ctx.policy(mesh, key)
        if policy is None:
            yield Finding(CODE, text, None, None, mesh=mesh)
        else:
            yield ctx.finding(CODE, policy, text, "spec.to")
