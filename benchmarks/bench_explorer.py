"""How responsive is the explorer on a big repository?  Prints figures, asserts nothing.

    python benchmarks/bench_explorer.py [--services 1000] [--versions 2] [--replicas 1] [--policies 300]
                                        [--picks 20] [--keep DIR]

Generates a synthetic repository with ``synth.py`` (in a temporary directory unless ``--keep``), loads and
resolves it, builds the explorer headless (Agg) and times the updates a user triggers: a new source, a new
destination, a what-if slider move, and a mesh switch.  Each update includes drawing the chart and
rendering it to the PNG the widget shows, i.e. everything but the browser.
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


def _stat(name: str, seconds: list[float]) -> None:
    if not seconds:
        print(f"{name:<22} (none)")
        return
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    print(f"{name:<22} n={len(ms):<3} median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   max {ms[-1]:7.1f} ms")


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
    print(f"explore()    {time.perf_counter() - t:6.2f} s  (index of the first mesh, matrix and first split drawn)")

    timings: dict[str, list[float]] = {"source": [], "destination": [], "weight": [], "mesh": []}
    sources = list(ex.source.options)
    step = max(1, len(sources) // args.picks)
    for source in sources[::step][: args.picks]:
        ex.source.value = source
        timings["source"].append(ex.last_update_seconds)
        for destination in list(ex.destination.options)[:2]:
            if destination != ex.destination.value:
                ex.destination.value = destination
                timings["destination"].append(ex.last_update_seconds)
    ex.what_if.value = True
    for i in range(args.picks):
        slider = list(ex.sliders.values())[i % len(ex.sliders)]
        slider.value = (slider.value + 7) % (slider.max + 1)
        timings["weight"].append(ex.last_update_seconds)
    meshes = list(ex.mesh.options)
    for mesh in meshes[1:] + meshes[:1]:
        ex.mesh.value = mesh
        timings["mesh"].append(ex.last_update_seconds)
    print()
    print(f"explorer updates on {args.services} services (chart drawn and rendered to PNG; no browser):")
    for name in ("source", "destination", "weight", "mesh"):
        _stat(name, timings[name])
    everyday = timings["source"] + timings["destination"] + timings["weight"]
    print(f"{'pick or slider':<22} median {statistics.median(everyday) * 1000:7.1f} ms (the figure to quote)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--services", type=int, default=1000)
    p.add_argument("--versions", type=int, default=2)
    p.add_argument("--replicas", type=int, default=1)
    p.add_argument("--policies", type=int, default=300)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--picks", type=int, default=20)
    p.add_argument("--keep", type=Path, help="write the repository here (must not exist or be empty)")
    args = p.parse_args()
    if args.keep:
        run(args.keep, args)
        return
    with tempfile.TemporaryDirectory(prefix="mra-bench-explorer-") as tmp:
        run(Path(tmp) / "repo", args)


if __name__ == "__main__":
    main()
