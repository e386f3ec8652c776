#!/usr/bin/env python3
"""Audit benchmark: time and peak memory of load, resolve and ``mra.audit`` on a large mesh, and how they grow.

    python3 benchmarks/bench_audit.py [--scale 1.0 | --docs N | --services 1000 ...] [--kuma-version 2.5]
                                      [--keep DIR] [--code DIR] [--python PY]
    python3 benchmarks/bench_audit.py --growth 1000,5000,20000,50000,105000 [--keep DIR] ...
    python3 benchmarks/bench_audit.py ... --report       # a fourth phase: write_report, as `meshroute report` does
    python3 benchmarks/bench_audit.py --child REPO [--kuma-version 2.5] [--report]    # one run, JSON on stdout

The mesh is ``bench_resolve.py``'s (1,000 services x 5 versions x 20 replicas, 5,000 policies, Universal form,
so about 105,000 resources) scaled by ``--scale``, or sized for about ``--docs`` resources (``services =
docs / 105``, five policies per service).  One fresh subprocess loads it (frames included), resolves it
(``routes``, ``backends`` and ``proxies`` included) and audits it, timing each phase with
``time.perf_counter()``.  Target: audit <= 0.5 x load.  With ``--report`` a fourth phase writes the review
report (``write_report`` with the findings, SVG charts, into a temporary directory) and the run prints
report / (load + resolve), whose target is 1.5.

Peak memory per phase: before each phase the child resets the kernel's peak-RSS mark (``/proc/self/clear_refs``,
Linux), and after it reads ``VmHWM``: the largest resident size during that phase, everything still held from
the earlier phases included.  ``+MB`` is that peak less the RSS when the phase began.  Elsewhere the figure is
``ru_maxrss`` (the process's peak so far).

``--growth`` runs the sizes given (in resources, as ``--docs``) and fits ``time = c * docs^k`` per phase by least
squares on the logarithms: ``k`` is the growth exponent (1.0 is linear).  ``--code DIR`` measures another
checkout of the package (for example the commit before a change) with the same generated repositories.
"""

from __future__ import annotations

import argparse
import json
import math
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

PHASES = ("load", "resolve", "audit")
FULL = dict(services=1000, versions=5, replicas=20, policies=5000)


# ------------------------------------------------------------------------------------------ the child


def _rss_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _maxrss_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def child(repo: Path, kuma_version: str, report: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    started = time.perf_counter()
    import pandas  # noqa: F401 - the package imports it on first use; counted here, not in the load phase

    import meshroute_analysis as mra

    out["import_seconds"] = time.perf_counter() - started
    state: dict[str, Any] = {}

    def load() -> None:
        state["repo"] = loaded = mra.load_repo(str(repo))
        for name in ("documents", "policies", "backends", "dataplanes", "services"):
            getattr(loaded, name)

    def resolve() -> None:
        state["res"] = res = mra.resolve(state["repo"], kuma_version=kuma_version)
        res.routes, res.backends, res.proxies  # noqa: B018 - building the frames is resolving

    def audit() -> None:
        state["findings"] = mra.audit(state["repo"], state["res"])

    def write() -> None:
        import tempfile

        from meshroute_analysis.report import write_report

        with tempfile.TemporaryDirectory(prefix="meshroute-bench-report-") as out:
            write_report(state["repo"], state["res"], state["findings"], out, progress=False)

    phases = [("load", load), ("resolve", resolve), ("audit", audit)] + ([("report", write)] if report else [])
    for name, phase in phases:
        before = _rss_mb("VmRSS")
        reset = _reset_peak()
        started = time.perf_counter()
        phase()
        out[f"{name}_seconds"] = time.perf_counter() - started
        peak = _rss_mb("VmHWM") if reset else None
        out[f"{name}_peak_mb"] = peak if peak is not None else _maxrss_mb()
        out[f"{name}_peak_kind"] = "VmHWM" if peak is not None else "ru_maxrss"
        out[f"{name}_grew_mb"] = (peak - before) if peak is not None and before is not None else None
    res, findings = state["res"], state["findings"]
    out.update(
        proxies=len(res.proxies), pairs=len(res.routes), backend_rows=len(res.backends),
        policies=len(state["repo"].policies), findings=len(findings),
        by_code=findings["code"].value_counts().sort_index().to_dict() if len(findings) else {},
    )  # fmt: skip
    return out


# ------------------------------------------------------------------------------------------ the parent


def params_for(args: argparse.Namespace, docs: int | None = None) -> synth.Params:
    if docs is not None:
        services = max(1, round(docs / 105))
        sizes = dict(services=services, versions=5, replicas=20, policies=5 * services)
    elif args.scale is not None:
        sizes = dict(FULL, services=max(1, round(FULL["services"] * args.scale)), policies=max(1, round(FULL["policies"] * args.scale)))
    else:
        sizes = dict(services=args.services, versions=args.versions, replicas=args.replicas, policies=args.policies)
    return synth.Params(**sizes, seed=args.seed, fmt=args.format)


def run(args: argparse.Namespace, params: synth.Params, label: str) -> dict[str, Any]:
    repo, counts, _ = bench_load.prepare_repo(params, args.keep / label if args.keep else None)
    code = str(Path(args.code).resolve()) if args.code else str(PROJECT_ROOT)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (code, os.environ.get("PYTHONPATH")) if p))
    cmd = [args.python, str(Path(__file__).resolve()), "--child", str(repo), "--kuma-version", args.kuma_version,
           *(["--report"] if args.report else [])]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"child failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["documents"], result["resources"] = counts["documents"], counts["resources"]
    result["services"] = params.services
    return result


HEADER = (f"{'resources':>10} {'docs':>8} {'pairs':>10} {'findings':>8} {'load s':>7} {'resolve s':>9} {'audit s':>8} "
          f"{'audit/load':>10} {'load MB':>8} {'resolve MB':>10} {'audit MB':>9} {'audit +MB':>9}")


def _row(r: dict[str, Any]) -> str:
    grew = r.get("audit_grew_mb")
    return (
        f"{r['resources']:>10,} {r['documents']:>8,} {r['pairs']:>10,} {r['findings']:>8,} {r['load_seconds']:>7.2f} "
        f"{r['resolve_seconds']:>9.2f} {r['audit_seconds']:>8.2f} {r['audit_seconds'] / r['load_seconds']:>10.2f} "
        f"{r['load_peak_mb']:>8,.0f} {r['resolve_peak_mb']:>10,.0f} {r['audit_peak_mb']:>9,.0f} "
        f"{'' if grew is None else f'{grew:,.0f}':>9}"
    )


def exponent(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log(y) on log(x)."""
    lx, ly = [math.log(x) for x in xs], [math.log(max(y, 1e-9)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = p.add_mutually_exclusive_group()
    size.add_argument("--scale", type=float, help="fraction of the full mesh (1.0: 1,000 services, 5,000 policies)")
    size.add_argument("--docs", type=int, help="about this many resources (services = docs / 105)")
    size.add_argument("--growth", help="comma-separated sizes in resources (as --docs): fit the growth exponent")
    p.add_argument("--services", type=int, default=FULL["services"])
    p.add_argument("--versions", type=int, default=FULL["versions"])
    p.add_argument("--replicas", type=int, default=FULL["replicas"])
    p.add_argument("--policies", type=int, default=FULL["policies"])
    p.add_argument("--format", default="universal", choices=("universal", "kubernetes", "mixed"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", type=Path, metavar="DIR", help="keep generated repositories under DIR and reuse them")
    p.add_argument("--code", metavar="DIR", help="the checkout whose meshroute_analysis to measure (default: this one)")
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--kuma-version", default="2.5")
    p.add_argument("--json", action="store_true", help="print every run's figures as JSON too")
    p.add_argument("--report", action="store_true", help="time writing the review report too (a fourth phase)")
    p.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.kuma_version, args.report)))
        return 0

    if args.growth:
        sizes = [int(s) for s in args.growth.split(",") if s.strip()]
        runs = [(f"docs-{n}", params_for(args, n)) for n in sizes]
    else:
        prm = params_for(args, args.docs)
        runs = [(f"s{prm.services}-v{prm.versions}-r{prm.replicas}-p{prm.policies}", prm)]
    print(HEADER, flush=True)
    results = []
    for label, prm in runs:
        results.append(run(args, prm, f"{label}-{prm.fmt}-seed{prm.seed}"))
        print(_row(results[-1]), flush=True)
    if args.json:
        print(json.dumps(results, indent=1))
    last = results[-1]
    print(f"\naudit/load at {last['resources']:,} resources: {last['audit_seconds'] / last['load_seconds']:.2f} (target <= 0.5)")
    if "report_seconds" in last:
        base = last["load_seconds"] + last["resolve_seconds"]
        print(f"report {last['report_seconds']:.2f} s, peak {last['report_peak_mb']:,.0f} MB; report / (load + resolve) "
              f"{last['report_seconds'] / base:.2f} (target <= 1.5)")
    if len(results) >= 2:
        xs = [r["resources"] for r in results]
        fits = {phase: exponent(xs, [r[f"{phase}_seconds"] for r in results]) for phase in PHASES}
        fits["pairs"] = exponent(xs, [r["pairs"] for r in results])
        fits["findings"] = exponent(xs, [max(r["findings"], 1) for r in results])
        print("growth exponent k (time ~ resources^k, least squares over "
              f"{', '.join(f'{x:,}' for x in xs)}): " + ", ".join(f"{k} {v:.2f}" for k, v in fits.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
