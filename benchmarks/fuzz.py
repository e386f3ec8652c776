"""The repository fuzzer (tests/fuzzing.py) on a large budget: ``make fuzz`` or
``python benchmarks/fuzz.py [--examples N] [--report-every K] [--seed S]``.

Every example is written to a fresh temporary directory and run through load -> resolve -> audit (and
every K-th one through the report too) with the oracles of tests/fuzzing.py.  Prints how many examples
and documents were tried, the slowest example and the largest memory peak; exits 1 on the first failing
example, which hypothesis shrinks and prints.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from tests.fuzzing import check, repositories  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--report-every", type=int, default=50, help="also write the report for every K-th example")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    totals = {"examples": 0, "documents": 0, "rows": 0, "findings": 0, "slowest": 0.0, "peak": 0}
    started = time.monotonic()

    @seed(args.seed)
    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(repositories(max_files=4, max_docs=10))
    def run(repo) -> None:
        with tempfile.TemporaryDirectory() as root:
            report = Path(root) / "report" if totals["examples"] % args.report_every == 0 else None
            outcome = check(repo, Path(root) / "repo", out_dir=report)
        totals["examples"] += 1
        totals["documents"] += outcome.documents
        totals["rows"] += outcome.rows
        totals["findings"] += outcome.findings
        totals["slowest"] = max(totals["slowest"], outcome.seconds)
        totals["peak"] = max(totals["peak"], outcome.rss_bytes)

    try:
        run()
    finally:
        elapsed = time.monotonic() - started
        print(f"fuzz: {totals['examples']} examples, {totals['documents']} documents ({totals['rows']} rows), "
              f"{totals['findings']} findings in {elapsed:.0f} s; slowest example {totals['slowest']:.2f} s, "
              f"largest resident memory {totals['peak'] / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
