"""The repository fuzzer of tests/fuzzing.py on a small budget (a few seconds); ``make fuzz`` runs it on a
large one (benchmarks/fuzz.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from tests.fuzzing import check, repositories


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(repositories())
def test_load_resolve_audit_keep_every_oracle(repo):
    with tempfile.TemporaryDirectory() as root:
        check(repo, Path(root) / "repo")


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(repositories(max_files=2, max_docs=4))
def test_report_keeps_every_oracle(repo):
    with tempfile.TemporaryDirectory() as root:
        check(repo, Path(root) / "repo", out_dir=Path(root) / "report")
