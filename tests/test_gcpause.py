"""The cyclic collector is paused inside the package's heavy phases and the caller's state comes back."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import meshroute_analysis as mra
from meshroute_analysis.gcpause import cyclic_gc_paused

SAMPLE = Path(__file__).resolve().parents[1] / "sample_policies" / "one-defect-per-rule"  # findings of most codes


@pytest.fixture
def restore_gc():
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


@pytest.mark.parametrize("enabled", [True, False])
def test_paused_inside_and_restored_after(restore_gc, enabled):
    gc.enable() if enabled else gc.disable()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled() is enabled
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled() is enabled


def test_freeze_only_past_the_threshold(restore_gc):
    gc.enable()
    gc.unfreeze()
    with cyclic_gc_paused(freeze_after=10**9):
        kept = [[] for _ in range(1000)]
    assert gc.get_freeze_count() == 0
    with cyclic_gc_paused(freeze_after=100):
        kept += [[] for _ in range(1000)]
    assert gc.get_freeze_count() > 0
    gc.unfreeze()


def test_audit_restores_the_callers_collector_and_answers_the_same(restore_gc):
    repo = mra.load_repo(SAMPLE)
    frames = {}
    for enabled in (True, False):
        gc.enable() if enabled else gc.disable()
        frames[enabled] = mra.audit(repo)
        assert gc.isenabled() is enabled
    assert len(frames[True]) > 0
    assert frames[True].equals(frames[False])
