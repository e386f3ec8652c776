#!/usr/bin/env python3
"""Diff benchmark: one changed policy in a large repository, against a single load + resolve of it.

    python3 benchmarks/bench_diff.py [--services 1000] [--versions 5] [--replicas 20] [--policies 5000]
                                     [--format universal] [--keep DIR] [--repeat 3] [--findings] [--python PY]
    python3 benchmarks/bench_diff.py --child single|diff|diff-findings REPO   # one measured run, JSON on stdout

The synthetic repository (``synth.py``) is committed to a git repository of its own, outside this project;
then one weight of one MeshTCPRoute that splits some pair's traffic is changed in the working tree.  Two phases, each in a fresh
subprocess, alternately:

* **single**: ``load_repo(REPO)`` with its frames, then ``resolve`` with its frames: what
  ``bench_resolve.py`` measures, the baseline;
* **diff**: ``diff_revisions(REPO, base="HEAD")`` (head: the working tree, as ``meshroute diff --base`` in a
  pull request), then ``d.pairs``, ``d.backends`` and ``d.policies``; ``--findings`` adds a third phase
  that also builds ``d.findings`` (an audit of each side).

The target: diff / single <= 1.3.  Times are ``time.perf_counter()`` inside the child (imports excluded);
the median of ``--repeat`` runs is reported.  Tests never assert a time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
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
import bench_resolve  # noqa: E402
import synth  # noqa: E402

GIT_STAMP = "git.json"
_WEIGHT = re.compile(r"weight: (\d+)")


# ------------------------------------------------------------------------------------------ children


def _single(repo: Path) -> dict[str, Any]:
    import meshroute_analysis as mra

    loaded = mra.load_repo(str(repo))
    for name in ("documents", "policies", "backends", "dataplanes", "services"):
        getattr(loaded, name)
    res = mra.resolve(loaded)
    return {"pairs": len(res.routes), "backend_rows": len(res.backends), "proxies": len(res.proxies)}


def _diff(repo: Path, findings: bool) -> dict[str, Any]:
    import meshroute_analysis as mra

    d = mra.diff_revisions(str(repo), base="HEAD")
    out = {"changed_pairs": len(d.pairs), "changed_backends": len(d.backends), "changed_policies": len(d.policies),
           "compared_meshes": list(d.compared_meshes)}
    if findings:
        out["introduced"] = int((d.findings["state"] == "introduced").sum())
        out["fixed"] = int((d.findings["state"] == "fixed").sum())
    return out


def child(phase: str, repo: Path) -> dict[str, Any]:
    import resource

    if phase == "pick":
        return _pick(repo)
    started = time.perf_counter()
    result = _single(repo) if phase == "single" else _diff(repo, phase == "diff-findings")
    result["seconds"] = time.perf_counter() - started
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


# ------------------------------------------------------------------------------------------ the repository


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", *args],
                          cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout


def _pick(repo: Path) -> dict[str, Any]:
    """A MeshTCPRoute that splits some pair's traffic between two backends: its file and name (run in a
    child, with the project's interpreter)."""
    import meshroute_analysis as mra

    loaded = mra.load_repo(str(repo))
    res = mra.resolve(loaded)
    b = res.backends
    split = b[(b["route_type"] == "MeshTCPRoute") & (b["share"] > 0) & (b["share"] < 1)]
    first = split.iloc[0]
    route = res.routes[(res.routes["mesh"] == first["mesh"]) & (res.routes["source"] == first["source"])
                       & (res.routes["destination"] == first["destination"])].iloc[0]
    key = route["policy_keys"][-1]  # the last merged sets the backendRefs
    policy = loaded.policies[(loaded.policies["mesh"] == first["mesh"]) & (loaded.policies["key"] == key)].iloc[0]
    return {"file": str(Path(policy["file"]).relative_to(repo)), "name": str(policy["name"]),
            "pair": f"{first['source']} -> {first['destination']}"}


def change_one_policy(repo: Path, picked: dict[str, Any]) -> str:
    """Change the first weight of the picked policy's document in the working tree, and say which."""
    path = repo / picked["file"]
    text = path.read_text()
    start = re.search(rf"^name: {re.escape(picked['name'])}$", text, re.M)
    if start is None:
        raise SystemExit(f"bench_diff: {picked['name']} not found in {path}")
    found = _WEIGHT.search(text, start.end())
    assert found is not None
    new = int(found.group(1)) + 7
    path.write_text(text[: found.start()] + f"weight: {new}" + text[found.end():])
    return f"{picked['file']} ({picked['name']}, which splits {picked['pair']}): weight {found.group(1)} -> {new}"


def prepare_git_repo(params: synth.Params, keep: Path | None, python: str) -> tuple[Path, dict[str, Any], str]:
    """The synthetic repository as a git repository with one commit, and one policy changed in its
    working tree.  Reused from ``keep`` when its stamp matches (the working tree is reset first)."""
    generated, counts, _ = bench_load.prepare_repo(params, keep)
    base = generated.parent
    git_repo, stamp = base / "git", base / GIT_STAMP
    wanted = dict(params.__dict__)
    saved = json.loads(stamp.read_text()) if stamp.exists() else {}
    if git_repo.is_dir() and saved.get("params") == wanted:
        _git(git_repo, "checkout", "-q", "--", ".")
        picked = saved["picked"]
    else:
        if git_repo.exists():
            shutil.rmtree(git_repo)
        shutil.copytree(generated, git_repo)
        _git(git_repo, "init", "-q")
        _git(git_repo, "add", "-A")
        _git(git_repo, "commit", "-qm", "synthetic repository")
        picked = _run(python, "pick", git_repo)
        stamp.write_text(json.dumps({"params": wanted, "picked": picked}) + "\n")
    return git_repo, counts, change_one_policy(git_repo, picked)


# ------------------------------------------------------------------------------------------ main


def _run(python: str, phase: str, repo: Path) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p))
    proc = subprocess.run([python, str(Path(__file__).resolve()), "--child", phase, str(repo)], capture_output=True,
                          text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"child {phase} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    bench_resolve.add_mesh_options(p)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--findings", action="store_true", help="also measure the diff with d.findings (two audits)")
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--child", nargs=2, metavar=("PHASE", "REPO"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return 0
    params = synth.Params(services=args.services, versions=args.versions, replicas=args.replicas,
                          policies=args.policies, seed=args.seed, fmt=args.format)
    repo, counts, changed = prepare_git_repo(params, args.keep, args.python)
    print(f"repository  {repo}: {counts['files']:,} files, {counts['documents']:,} documents; changed {changed}")
    phases = ["single", "diff"] + (["diff-findings"] if args.findings else [])
    runs: dict[str, list[dict[str, Any]]] = {phase: [] for phase in phases}
    for _ in range(args.repeat):
        for phase in phases:  # alternate, so that a drift of the machine's speed hits every phase alike
            runs[phase].append(_run(args.python, phase, repo))
    print(f"{'phase':<14} {'median s':>9} {'runs':<28} {'peak RSS MB':>11}  result")
    for phase in phases:
        seconds = [r["seconds"] for r in runs[phase]]
        result = {k: v for k, v in runs[phase][-1].items() if k not in ("seconds", "peak_rss_mb")}
        print(f"{phase:<14} {statistics.median(seconds):>9.1f} {', '.join(f'{s:.1f}' for s in seconds):<28} "
              f"{max(r['peak_rss_mb'] for r in runs[phase]):>11,.0f}  {json.dumps(result)}")
    single = statistics.median(r["seconds"] for r in runs["single"])
    for phase in phases[1:]:
        ratios = [d["seconds"] / s["seconds"] for d, s in zip(runs[phase], runs["single"], strict=True)]
        print(f"ratio {phase}/single: {statistics.median(r['seconds'] for r in runs[phase]) / single:.2f} "
              f"(pairwise {', '.join(f'{r:.2f}' for r in ratios)}; target for diff <= 1.3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
