"""How responsive is the explorer on a big repository?  Prints figures, asserts nothing.

    python benchmarks/bench_explorer.py [--services 1000] [--versions 2] [--replicas 1] [--policies 300]
                                        [--picks 20] [--keep DIR]

Generates a synthetic repository with ``synth.py`` (in a temporary directory unless ``--keep``), loads and
resolves it, builds the explorer headless (Agg) and times the updates a user triggers: a new source, a new
destination, a what-if slider move, and a mesh switch.  Each update includes building the split's SVG and
the route matrix's PNG the widgets show, i.e. everything but the browser; ``bench_explorer_browser.py``
measures in a real browser.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import synth  # noqa: E402

from meshroute_analysis import load_repo  # noqa: E402
from meshroute_analysis.resolve import resolve  # noqa: E402
from meshroute_analysis.widgets import explore  # noqa: E402


def _p95(ms: list[float]) -> float:
    return ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]


def _stat(name: str, seconds: list[float]) -> None:
    if not seconds:
        print(f"{name:<22} (none)")
        return
    ms = sorted(s * 1000 for s in seconds)
    print(f"{name:<22} n={len(ms):<3} median {statistics.median(ms):7.1f} ms   p95 {_p95(ms):7.1f} ms   max {ms[-1]:7.1f} ms")


def run(out: Path, args: argparse.Namespace) -> None:
    t = time.perf_counter()
    counts = synth.generate(out, services=args.services, versions=args.versions, replicas=args.replicas,
                            policies=args.policies, seed=args.seed)
    print(f"synth        {time.perf_counter() - t:6.2f} s  ({counts['documents']} documents)")
    t = time.perf_counter()
    repo = load_repo(out)
    print(f"load_repo    {time.perf_counter() - t:6.2f} s")
    t = time.perf_counter()
    res = resolve(repo)
    routes, backends = res.routes, res.backends
    print(f"resolve      {time.perf_counter() - t:6.2f} s  ({len(routes)} pairs, {len(backends)} backend rows, "
          f"{routes['mesh'].nunique()} meshes)")
    t = time.perf_counter()
    ex = explore(res)
    first = time.perf_counter() - t
    print(f"explore()    {first:6.2f} s  (index of the first mesh and its first split drawn; the matrix waits for its tab)")

    timings: dict[str, list[float]] = {"source": [], "destination": [], "weight": [], "filter": [], "mesh": [],
                                       "matrix tab": [], "interesting": []}
    sources = list(ex.source.options)
    step = max(1, len(sources) // args.picks)
    for source in sources[::step][: args.picks]:
        ex.source.value = source
        timings["source"].append(ex.last_update_seconds)
        for destination in list(ex.destination.options)[:2]:
            if destination != ex.destination.value:
                ex.destination.value = destination
                timings["destination"].append(ex.last_update_seconds)
    routes_of = routes[(routes["mesh"] == ex.mesh.value) & (routes["backend_count"] > 1)]
    if not routes_of.empty:  # a pair with several backends, so that there are sliders to move
        ex.source.value = str(routes_of["source"].iloc[0])
        ex.destination.value = str(routes_of["destination"].iloc[0])
    ex.what_if.value = True
    for i in range(args.picks if ex.sliders else 0):
        slider = list(ex.sliders.values())[i % len(ex.sliders)]
        slider.value = (slider.value + 7) % (slider.max + 1)
        timings["weight"].append(ex.last_update_seconds)
    ex.what_if.value = False
    for query in ("api", "v1", "web-2", ""):
        ex.source_filter.value = query
        timings["filter"].append(ex.last_update_seconds)
    meshes = list(ex.mesh.options)
    for mesh in meshes[1:] + meshes[:1]:
        ex.mesh.value = mesh
        timings["mesh"].append(ex.last_update_seconds)
    ex.tabs.selected_index = 1  # the route matrix, drawn when its tab is shown
    timings["matrix tab"].append(ex.last_update_seconds)
    ex.tabs.selected_index = 0
    ex.interesting.value = True  # works out every pair's kind once per mesh
    timings["interesting"].append(ex.last_update_seconds)
    print()
    print(f"explorer updates on {args.services} services (the kernel's side: split SVG, matrix PNG; no browser):")
    for name in timings:
        _stat(name, timings[name])
    everyday = sorted(1000 * s for s in timings["source"] + timings["destination"] + timings["weight"])
    print(f"{'pick or slider':<22} median {statistics.median(everyday):7.1f} ms   p95 {_p95(everyday):7.1f} ms "
          "(target p95 <= 100 ms)")
    print(f"{'first draw':<22} {first * 1000:7.1f} ms (explore() with its first split; target <= 2 s)")
    print(f"{'mesh switch':<22} max {max(timings['mesh']) * 1000:7.1f} ms (target <= 500 ms)")


def add_estate_arguments(p: argparse.ArgumentParser) -> None:
    """The synthetic repository's size and the number of picks (shared with bench_explorer_browser.py)."""
    p.add_argument("--services", type=int, default=1000)
    p.add_argument("--versions", type=int, default=2)
    p.add_argument("--replicas", type=int, default=1)
    p.add_argument("--policies", type=int, default=300)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--picks", type=int, default=20)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_estate_arguments(p)
    p.add_argument("--keep", type=Path, help="write the repository here (must not exist or be empty)")
    args = p.parse_args()
    if args.keep:
        run(args.keep, args)
        return
    with tempfile.TemporaryDirectory(prefix="mra-bench-explorer-") as tmp:
        run(Path(tmp) / "repo", args)


if __name__ == "__main__":
    main()
