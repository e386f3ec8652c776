#!/usr/bin/env python3
"""Load benchmark: how much slower is ``meshroute_analysis.load_repo`` than parsing the YAML alone?

    python3 benchmarks/bench_load.py [--docs 50000 | --full] [--seed 1] [--keep DIR] [--repeat 3] [--python PY]
                                     [--no-cache-phases]

1. Generates a synthetic repository with ``benchmarks/synth.py`` (about ``--docs`` documents over a few
   thousand files; ``--full``: the full-size Universal mesh of ``bench_resolve.py`` / ``bench_audit.py``,
   1,000 services x 5 versions x 20 replicas, 5,000 policies), or reuses the one kept in ``--keep DIR``
   when it was made with the same arguments.
2. Measures, in this order, each run in a fresh subprocess (so that peak memory is that phase's own):
   (a) baseline: read every file and ``list(yaml.load_all(text, Loader=yaml.CSafeLoader))``, nothing else;
   (b) ``meshroute_analysis.load_repo(dir)``, then touch ``repo.documents``, ``.policies``, ``.backends``,
       ``.dataplanes`` and ``.services`` (frames may be built lazily: touching them is part of loading);
   (c) the same with ``cache=True`` and an empty cache (``DIR/cache``, beside the repository, emptied before
       each run): a first load, which also writes the cache;
   (d) the same again with the cache (c) left: a warm reload of the unchanged repository.
   ``--no-cache-phases`` leaves out (c) and (d).
   Time is the best of ``--repeat`` runs, measured inside the child around the work only (interpreter
   start-up and imports are excluded; the import time of the package is shown on its own).  Peak RSS is
   the child's own ``ru_maxrss`` (the largest over the runs).
3. Prints a table, the ratio load/baseline (target <= 1.3; issue #13: <= 0.8 at full size) and warm/load
   (issue #13: <= 0.2).

Exit status: 0 when both phases ran, 1 when the baseline failed, 2 when phase (b) could not run (for
example ``meshroute_analysis`` or pandas is not importable by ``--python``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent
sys.path.insert(0, str(HERE))  # `synth` sits next to this file; benchmarks/ is not a package

import synth  # noqa: E402

FRAMES = ("documents", "policies", "backends", "dataplanes", "services")
TARGET_RATIO = 1.3
TARGET_WARM = 0.2
STAMP = "synth.json"
FULL = dict(services=1000, versions=5, replicas=20, policies=5000)
CACHE_PHASES = ("cold-cache", "warm")


# --------------------------------------------------------------------------------------------------
# Child side: one phase, one run, one line of JSON on stdout.


def _peak_rss_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def child_baseline(repo: Path) -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return {"error": "PyYAML was built without libyaml (no yaml.CSafeLoader); the baseline needs it"}
    started = time.perf_counter()
    files = list(synth.iter_yaml_files(repo))
    parsed: list[list[Any]] = []  # kept, as a loader keeps what it parsed: the RSS is comparable
    for path in files:
        text = path.read_text(encoding="utf-8")
        parsed.append(list(yaml.load_all(text, Loader=loader)))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "files": len(files), "documents": sum(len(docs) for docs in parsed),
            "peak_rss_mb": _peak_rss_mb()}


def child_load(repo: Path, cache: bool = False) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        # Imported here, in the child: the parent must run (and report) even when the package is missing.
        import meshroute_analysis as mra

        load_repo = mra.load_repo
    except Exception as exc:  # ImportError, or a package without load_repo yet
        return {"error": f"meshroute_analysis is not usable: {type(exc).__name__}: {exc}"}
    imported = time.perf_counter()
    try:
        # With cache=True the directory is the parent's MESHROUTE_CACHE_DIR, beside the repository.
        loaded = load_repo(str(repo), cache=True) if cache else load_repo(str(repo))
        rows = {name: len(getattr(loaded, name)) for name in FRAMES}
    except Exception as exc:
        import traceback

        return {"error": f"load_repo failed: {type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(limit=8)}
    done = time.perf_counter()
    return {"seconds": done - imported, "import_seconds": imported - started, "rows": rows,
            "peak_rss_mb": _peak_rss_mb()}


CHILDREN = {"baseline": child_baseline, "load": child_load,
            "cold-cache": lambda repo: child_load(repo, cache=True), "warm": lambda repo: child_load(repo, cache=True)}
LABELS = {"baseline": "(a) yaml CSafeLoader", "load": "(b) load_repo + frames", "cold-cache": "(c) same, empty cache",
          "warm": "(d) same, warm cache"}


# --------------------------------------------------------------------------------------------------
# Parent side.


@dataclass
class PhaseResult:
    name: str
    runs: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def best(self) -> float | None:
        return min((r["seconds"] for r in self.runs), default=None)

    @property
    def peak_rss_mb(self) -> float | None:
        return max((r["peak_rss_mb"] for r in self.runs), default=None)


def run_child(python: str, phase: str, repo: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env["MESHROUTE_CACHE_DIR"] = str(cache_dir_for(repo))
    env.pop("MESHROUTE_NO_CACHE", None)
    # The package is imported from the project checkout, installed or not.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    proc = subprocess.run([python, str(Path(__file__).resolve()), "--child", phase, str(repo)],
                          capture_output=True, text=True, env=env, cwd=PROJECT_ROOT)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"error": f"child exited with {proc.returncode}: {proc.stderr.strip()[-2000:]}"}
    return json.loads(lines[-1])


def cache_dir_for(repo: Path) -> Path:
    """The cache the cached phases use: beside the repository (never inside it), removed with a temporary one."""
    return repo.parent / "cache"


def measure(python: str, phase: str, repo: Path, repeat: int) -> PhaseResult:
    result = PhaseResult(phase)
    for _ in range(repeat):
        if phase == "cold-cache":
            shutil.rmtree(cache_dir_for(repo), ignore_errors=True)
        outcome = run_child(python, phase, repo)
        if "error" in outcome:
            result.error = outcome["error"] + ("\n" + outcome["traceback"] if "traceback" in outcome else "")
            break
        result.runs.append(outcome)
    return result


def prepare_repo(params: synth.Params, keep: Path | None) -> tuple[Path, dict[str, Any], float | None]:
    """The repository to measure: reused from ``keep`` when its stamp matches, else generated.

    The stamp lives next to the repository, not in it, so that the loader never sees it.
    Returns (repo path, generator counts, generation seconds or None when reused).
    """
    base = keep if keep is not None else Path(tempfile.mkdtemp(prefix="meshroute-bench-"))
    repo, stamp = base / "repo", base / STAMP
    wanted = dict(params.__dict__)
    if stamp.exists() and repo.is_dir():
        saved = json.loads(stamp.read_text())
        if saved.get("params") == wanted:
            return repo, saved["counts"], None
    if repo.exists():
        if not stamp.exists():
            raise SystemExit(f"bench_load: {repo} exists but was not made by this script; choose another --keep")
        shutil.rmtree(repo)  # ours (it has our stamp), made with other arguments
    started = time.perf_counter()
    counts = synth.generate(repo, services=params.services, versions=params.versions, replicas=params.replicas,
                            policies=params.policies, seed=params.seed, fmt=params.fmt,
                            docs_per_file=params.docs_per_file)
    seconds = time.perf_counter() - started
    stamp.write_text(json.dumps({"params": wanted, "counts": counts}, indent=2) + "\n")
    return repo, counts, seconds


def _interpreter_description(python: str) -> str:
    code = ("import sys, platform; import yaml; "
            "print(platform.python_version(), yaml.__version__, getattr(yaml, '__with_libyaml__', False))")
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        return f"{python} (PyYAML not importable)"
    version, pyyaml, libyaml = proc.stdout.split()
    return f"Python {version}, PyYAML {pyyaml} ({'libyaml' if libyaml == 'True' else 'no libyaml'})"


def print_report(repo: Path, counts: dict[str, Any], gen_seconds: float | None, python: str, repeat: int,
                 phases: list[PhaseResult]) -> None:
    made = f"generated in {gen_seconds:.1f}s" if gen_seconds is not None else "reused"
    print(f"repository  {repo}")
    print(f"            {counts['files']:,} files, {counts['documents']:,} YAML documents "
          f"({counts['resources']:,} resources), {counts['bytes'] / 1e6:.1f} MB; {made}")
    print(f"machine     {os.cpu_count()} CPUs, {platform.machine()}, {_interpreter_description(python)}")
    print()
    print(f"{'phase':<26} {'best of ' + str(repeat) + ' (s)':>14}  {'runs (s)':<24} {'peak RSS (MB)':>13}  notes")
    for phase in phases:
        label = LABELS[phase.name]
        if phase.error and not phase.runs:
            print(f"{label:<26} {'n/a':>14}  {'':<24} {'n/a':>13}  {phase.error.splitlines()[0]}")
            continue
        runs = " ".join(f"{r['seconds']:.2f}" for r in phase.runs)
        first = phase.runs[0]
        if phase.name == "baseline":
            note = f"{first['files']:,} files, {first['documents']:,} documents"
        else:
            note = (f"import {first['import_seconds']:.2f}s; rows "
                    + ", ".join(f"{k} {v:,}" for k, v in first["rows"].items()))
        print(f"{label:<26} {phase.best:>14.2f}  {runs:<24} {phase.peak_rss_mb:>13.1f}  {note}")
    best = {phase.name: phase.best for phase in phases}
    baseline, load = best.get("baseline"), best.get("load")
    print()
    if baseline and load:
        ratio = load / baseline
        verdict = "ok" if ratio <= TARGET_RATIO else "ABOVE TARGET"
        print(f"ratio load/baseline: {ratio:.2f} (target <= {TARGET_RATIO}; #13 at full size: <= 0.8) {verdict}")
    else:
        print("ratio load/baseline: n/a")
    if load and best.get("cold-cache"):
        print(f"ratio first cached load/load: {best['cold-cache'] / load:.2f} (what writing the cache costs)")
    if load and best.get("warm"):
        warm = best["warm"] / load
        print(f"ratio warm/load: {warm:.2f} (target <= {TARGET_WARM}) {'ok' if warm <= TARGET_WARM else 'ABOVE TARGET'}")
    for phase in phases:
        if phase.error:
            print(f"\nphase {phase.name} did not complete:\n{phase.error}", file=sys.stderr)
            if "ModuleNotFoundError" in phase.error:
                print(f"hint: {python} lacks a dependency; run with an interpreter that has the project's "
                      "dependencies, e.g. --python .venv/bin/python (make bench does this)", file=sys.stderr)


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=50000, help="documents in the synthetic repository (default 50000)")
    p.add_argument("--full", action="store_true",
                   help="the full-size Universal mesh of bench_resolve/bench_audit instead of the --docs preset")
    p.add_argument("--no-cache-phases", action="store_true", help="leave out phases (c) and (d), the load cache")
    p.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    p.add_argument("--keep", type=Path, metavar="DIR",
                   help="keep the repository in DIR/repo and reuse it next time (default: a temporary dir, removed)")
    p.add_argument("--repeat", type=int, default=3, help="runs per phase, best time wins (default 3)")
    p.add_argument("--python", default=sys.executable,
                   help="interpreter for the measured children, e.g. .venv/bin/python (default: this one)")
    p.add_argument("--child", nargs=2, metavar=("PHASE", "REPO"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    if args.child:
        phase, repo = args.child
        print(json.dumps(CHILDREN[phase](Path(repo))))
        return 0
    if args.repeat < 1 or args.docs < 1:
        print("bench_load: --repeat and --docs must be >= 1", file=sys.stderr)
        return 64
    if args.full:
        params = synth.Params(**FULL, seed=args.seed, fmt="universal")
    else:
        params = synth.params_for_documents(args.docs, seed=args.seed)
    repo, counts, gen_seconds = prepare_repo(params, args.keep)
    try:
        phases = [measure(args.python, "baseline", repo, args.repeat)]
        if phases[0].error:
            print_report(repo, counts, gen_seconds, args.python, args.repeat, phases)
            return 1
        for name in ("load", *(() if args.no_cache_phases else CACHE_PHASES)):
            phases.append(measure(args.python, name, repo, args.repeat))
            if phases[-1].error:
                break
        print_report(repo, counts, gen_seconds, args.python, args.repeat, phases)
    finally:
        if args.keep is None:
            shutil.rmtree(repo.parent, ignore_errors=True)
    return 2 if any(phase.error for phase in phases[1:]) else 0


if __name__ == "__main__":
    sys.exit(main())
