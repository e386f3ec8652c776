#!/usr/bin/env python3
"""Resolve benchmark: pairs per second, time and peak memory of ``mra.resolve`` on large meshes.

    python3 benchmarks/bench_resolve.py [--services 1000] [--versions 5] [--replicas 20] [--policies 5000]
                                        [--format universal] [--keep DIR] [--no-growth] [--python PY]
                                        [--kuma-version 2.5]

Measures, each in a fresh subprocess (peak RSS is that run's own): loading the synthetic repository,
then resolving it (frames included).  Then the same with the policies doubled and with the services
doubled, to show how time grows.  The target: resolving the base mesh takes no longer than loading it.
Replicas cost next to nothing once grouped: the row "groups" says how many distinct proxy shapes there
were to resolve.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_load  # noqa: E402
import synth  # noqa: E402


def child(repo: Path, kuma_version: str) -> dict[str, Any]:
    import resource

    import meshroute_analysis as mra

    started = time.perf_counter()
    loaded = mra.load_repo(str(repo))
    for name in ("documents", "policies", "backends", "dataplanes", "services"):
        getattr(loaded, name)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    res = mra.resolve(loaded, kuma_version=kuma_version)
    routes, backends, proxies = res.routes, res.backends, res.proxies
    resolve_seconds = time.perf_counter() - started
    return {
        "load_seconds": load_seconds,
        "resolve_seconds": resolve_seconds,
        "proxies": len(proxies),
        "groups": int(proxies["source"].nunique()) if len(proxies) else 0,
        "pairs": len(routes),
        "backend_rows": len(backends),
        "policies": len(loaded.policies),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run(python: str, params: synth.Params, keep: Path | None, kuma_version: str) -> dict[str, Any]:
    repo, counts, _ = bench_load.prepare_repo(params, keep)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p))
    proc = subprocess.run([python, str(Path(__file__).resolve()), "--child", str(repo), "--kuma-version", kuma_version], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"child failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["documents"] = counts["documents"]
    return result


def _row(label: str, r: dict[str, Any]) -> str:
    pairs_per_s = r["pairs"] / r["resolve_seconds"] if r["resolve_seconds"] else float("inf")
    return (
        f"{label:<18} {r['documents']:>9,} {r['proxies']:>9,} {r['groups']:>7,} {r['policies']:>8,} {r['pairs']:>10,} "
        f"{r['load_seconds']:>8.1f} {r['resolve_seconds']:>9.1f} {pairs_per_s:>11,.0f} {r['peak_rss_mb']:>9,.0f}"
    )


def add_mesh_options(p: argparse.ArgumentParser) -> None:
    """The options of the large mesh (``bench_diff.py`` measures the same one)."""
    p.add_argument("--services", type=int, default=1000)
    p.add_argument("--versions", type=int, default=5)
    p.add_argument("--replicas", type=int, default=20)
    p.add_argument("--policies", type=int, default=5000)
    p.add_argument("--format", default="universal", choices=("universal", "kubernetes", "mixed"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep generated repositories under DIR and reuse them")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_mesh_options(p)
    p.add_argument("--no-growth", action="store_true", help="only the base mesh, not the doubled ones")
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--kuma-version", default="2.5", help="the control-plane version to resolve as (default 2.5)")
    p.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.kuma_version)))
        return 0

    def params(services: int, policies: int) -> synth.Params:
        return synth.Params(services=services, versions=args.versions, replicas=args.replicas, policies=policies, seed=args.seed, fmt=args.format)

    def keep_for(name: str) -> Path | None:
        return args.keep / name if args.keep else None

    runs = [("base", params(args.services, args.policies))]
    if not args.no_growth:
        runs += [("2x policies", params(args.services, 2 * args.policies)), ("2x services", params(2 * args.services, args.policies))]
    print(f"{'mesh':<18} {'docs':>9} {'proxies':>9} {'groups':>7} {'policies':>8} {'pairs':>10} {'load s':>8} {'resolve s':>9} {'pairs/s':>11} {'RSS MB':>9}")
    results = {}
    for label, prm in runs:
        results[label] = run(args.python, prm, keep_for(label.replace(" ", "-")), args.kuma_version)
        print(_row(label, results[label]), flush=True)
    base = results["base"]
    print(f"\nresolve/load on the base mesh: {base['resolve_seconds'] / base['load_seconds']:.2f} (target <= 1.0)")
    for label in ("2x policies", "2x services"):
        if label in results:
            print(f"{label}: resolve time x{results[label]['resolve_seconds'] / base['resolve_seconds']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
