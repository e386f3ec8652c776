"""The load cache (meshroute_analysis/io/cache.py): a warm load gives exactly what a cold one gives, the
analysed repository is never written to, and a damaged or unusable cache only ever means parsing again."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd
import pytest

import meshroute_analysis as mra
from meshroute_analysis.cli import main
from meshroute_analysis.io import cache as cache_module
from meshroute_analysis.io.cache import LoadCache, default_cache_dir, open_cache

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (ROOT / "sample_policies").iterdir() if p.is_dir())
REPO_FRAMES = ("documents", "policies", "backends", "dataplanes", "services", "violations", "destinations", "workloads")
RES_FRAMES = ("proxies", "routes", "backends", "violations")
POLICY = """\
type: MeshTCPRoute
name: split
mesh: default
spec:
  targetRef:
    kind: MeshService
    name: web
  to:
    - targetRef:
        kind: MeshService
        name: api
      rules:
        - default:
            backendRefs:
              - kind: MeshServiceSubset
                name: api
                tags:
                  version: v1
                weight: -1
"""
DATAPLANE = """\
type: Dataplane
mesh: default
name: web-1
networking:
  address: 10.0.0.1
  inbound:
    - port: 8080
      tags:
        kuma.io/service: web
        kuma.io/protocol: tcp
"""


def _synth() -> ModuleType:
    if "synth" in sys.modules:
        return sys.modules["synth"]
    spec = importlib.util.spec_from_file_location("synth", ROOT / "benchmarks" / "synth.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["synth"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _answers(repo: Any) -> dict[str, pd.DataFrame]:
    """Every frame of the repository, its resolution and its audit."""
    res = mra.resolve(repo)
    out = {f"repo.{name}": getattr(repo, name) for name in REPO_FRAMES}
    out.update({f"res.{name}": getattr(res, name) for name in RES_FRAMES})
    out["findings"] = mra.audit(repo, res)
    return out


def _assert_same(cold: dict[str, pd.DataFrame], warm: dict[str, pd.DataFrame]) -> None:
    assert cold.keys() == warm.keys()
    for name in cold:
        pd.testing.assert_frame_equal(cold[name], warm[name], check_exact=True, obj=name)


def _tree(root: Path) -> dict[str, str]:
    """Every file below ``root`` (hidden ones too) with the digest of its bytes."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _entries(directory: Path, kind: str = "") -> list[Path]:
    return sorted((directory / kind).rglob("*.entry")) if directory.exists() else []


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_a_warm_load_of_a_sample_gives_the_cold_answers(sample: Path, cache_dir: Path) -> None:
    cold = mra.load_repo(sample, cache=cache_dir)
    assert _entries(cache_dir, "repo"), "the first load stores the repository"
    warm = mra.load_repo(sample, cache=cache_dir)
    _assert_same(_answers(cold), _answers(warm))
    assert warm.content == cold.content
    assert mra.load_repo(sample).content == cold.content  # and both are what an uncached load gives


@pytest.mark.parametrize("fmt,seed", [("mixed", 3), ("universal", 1), ("kubernetes", 2)])
def test_a_warm_load_of_a_seeded_estate_gives_the_cold_answers(tmp_path: Path, cache_dir: Path, fmt: str, seed: int) -> None:
    estate = tmp_path / "estate"
    _synth().generate(estate, services=12, versions=3, replicas=2, policies=80, seed=seed, fmt=fmt)
    (estate / "broken.yaml").write_text("kind: [unclosed\n")  # an error row survives the cache too
    reference = _answers(mra.load_repo(estate))
    mra.load_repo(estate, cache=cache_dir)
    _assert_same(reference, _answers(mra.load_repo(estate, cache=cache_dir)))


def test_field_lines_survive_the_cache(tmp_path: Path, cache_dir: Path) -> None:
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    (repo_dir / "policy.yaml").write_text(POLICY)
    (repo_dir / "dp.yaml").write_text(DATAPLANE)
    cold = mra.load_repo(repo_dir, cache=cache_dir)
    warm = mra.load_repo(repo_dir, cache=cache_dir)
    assert warm.content is not cold.content and warm.content == cold.content  # read back from the cache
    assert warm.content.resources[1].field_lines == cold.content.resources[1].field_lines
    violations = warm.violations
    assert not violations.empty
    assert (violations["line"] == 19).any(), violations  # the weight's own line, not the document's
    findings_cold, findings_warm = mra.audit(cold), mra.audit(warm)
    pd.testing.assert_frame_equal(findings_cold, findings_warm)
    assert set(findings_warm["line"]) - {1}, "findings point into the document"


def test_the_analysed_repository_is_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo_dir = tmp_path / "repo"
    (repo_dir / ".git").mkdir(parents=True)
    (repo_dir / "policies").mkdir()
    (repo_dir / "policies" / "policy.yaml").write_text(POLICY)
    before = _tree(repo_dir)
    monkeypatch.setenv("MESHROUTE_CACHE_DIR", str(tmp_path / "cache"))
    for _ in range(2):
        mra.load_repo(repo_dir / "policies", cache=True)
        assert main(["audit", str(repo_dir / "policies"), "--no-config"]) in (0, 79)
    assert _tree(repo_dir) == before
    assert _entries(tmp_path / "cache", "repo")


@pytest.mark.parametrize("inside", [".cache", "policies/.meshroute-cache", "."])
def test_a_cache_directory_inside_the_repository_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             inside: str) -> None:
    repo_dir = tmp_path / "repo"
    (repo_dir / ".git").mkdir(parents=True)
    (repo_dir / "policies").mkdir()
    (repo_dir / "policies" / "policy.yaml").write_text(POLICY)
    before = _tree(repo_dir)
    monkeypatch.setenv("MESHROUTE_CACHE_DIR", str(repo_dir / inside))
    assert open_cache(True, [repo_dir / "policies"]) is None
    reference = mra.load_repo(repo_dir / "policies")
    assert mra.load_repo(repo_dir / "policies", cache=True).content == reference.content
    assert main(["resolve", str(repo_dir / "policies"), "--no-config"]) == 0
    assert _tree(repo_dir) == before


def _damage(entry: Path, how: str) -> None:
    blob = entry.read_bytes()
    if how == "truncated":
        entry.write_bytes(blob[: len(blob) // 2])
    elif how == "flipped":
        entry.write_bytes(blob[:-10] + bytes(b ^ 0xFF for b in blob[-10:]))
    elif how == "empty":
        entry.write_bytes(b"")
    elif how == "garbage":
        entry.write_bytes(os.urandom(4096))
    elif how == "unreadable":
        entry.unlink()
        entry.mkdir()  # opening it for reading fails (IsADirectoryError), whoever runs the test


@pytest.mark.parametrize("how", ["truncated", "flipped", "empty", "garbage", "unreadable"])
def test_a_damaged_entry_means_parsing_again(tmp_path: Path, cache_dir: Path, how: str) -> None:
    sample = ROOT / "sample_policies" / "kuma-demo"
    reference = _answers(mra.load_repo(sample))
    mra.load_repo(sample, cache=cache_dir)
    entries = _entries(cache_dir)
    assert entries
    for entry in entries:
        _damage(entry, how)
    _assert_same(reference, _answers(mra.load_repo(sample, cache=cache_dir)))
    if how != "unreadable":  # the damaged entries were written again, sound
        _assert_same(reference, _answers(mra.load_repo(sample, cache=cache_dir)))


class _Planted:
    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, ("echo planted > /dev/null",))


def test_an_entry_naming_other_code_is_refused_even_with_a_sound_digest(tmp_path: Path, cache_dir: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    sample = ROOT / "sample_policies" / "clean"
    reference = mra.load_repo(sample).content
    mra.load_repo(sample, cache=cache_dir)
    [entry] = _entries(cache_dir, "repo")
    key = entry.name.removesuffix(".entry")
    payload = pickle.dumps(_Planted())
    entry.write_bytes(cache_module._header("repo", key) + cache_module._payload_digest(payload) + payload)
    called: list[Any] = []
    monkeypatch.setattr(os, "system", lambda *a: called.append(a))
    store = LoadCache(cache_dir)
    assert store.get("repo", key, object) is None
    assert mra.load_repo(sample, cache=cache_dir).content == reference
    assert not called


def test_an_unwritable_cache_directory_does_not_fail_a_load(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache directory should be")
    sample = ROOT / "sample_policies" / "kuma-demo"
    reference = mra.load_repo(sample).content
    assert mra.load_repo(sample, cache=blocked).content == reference
    store = LoadCache(blocked / "sub")
    assert not store.put("repo", "ab" * 20, reference)
    assert store.problems


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes through permission bits")
def test_a_read_only_cache_directory_does_not_fail_a_load(tmp_path: Path) -> None:
    read_only = tmp_path / "ro"
    read_only.mkdir()
    read_only.chmod(0o500)
    try:
        sample = ROOT / "sample_policies" / "kuma-demo"
        assert mra.load_repo(sample, cache=read_only).content == mra.load_repo(sample).content
    finally:
        read_only.chmod(0o700)


def test_a_changed_file_changes_the_answer_and_only_it_is_parsed_again(tmp_path: Path, cache_dir: Path) -> None:
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    (repo_dir / "policy.yaml").write_text(POLICY)
    (repo_dir / "dp.yaml").write_text(DATAPLANE)
    first = mra.load_repo(repo_dir, cache=cache_dir)
    assert len(_entries(cache_dir, "parse")) == 2
    (repo_dir / "policy.yaml").write_text(POLICY.replace("weight: -1", "weight: 3"))
    second = mra.load_repo(repo_dir, cache=cache_dir)
    assert second.content == mra.load_repo(repo_dir).content
    assert second.content != first.content
    assert second.backends["weight"].tolist() == [3]
    assert len(_entries(cache_dir, "parse")) == 3  # the Dataplane's entry was reused, the policy's added
    assert len(_entries(cache_dir, "repo")) == 2


def test_options_are_part_of_the_key(tmp_path: Path, cache_dir: Path) -> None:
    sample = ROOT / "sample_policies" / "mesh-services-2.14"
    for zone in ("default", "east"):
        cached = mra.load_repo(sample, cache=cache_dir, zone=zone)
        assert cached.content == mra.load_repo(sample, zone=zone).content
    k8s = ROOT / "sample_policies" / "kuma-demo"
    for namespaces in (None, ["kuma-demo"]):
        cached = mra.load_repo(k8s, cache=cache_dir, system_namespaces=namespaces)
        assert cached.content == mra.load_repo(k8s, system_namespaces=namespaces).content
    excluded = mra.load_repo(k8s, cache=cache_dir, exclude=["*.yaml"])
    assert excluded.content == mra.load_repo(k8s, exclude=["*.yaml"]).content
    assert dict(excluded.excluded) == dict(mra.load_repo(k8s, exclude=["*.yaml"]).excluded)


def test_another_code_version_does_not_read_the_entries(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = ROOT / "sample_policies" / "clean"
    mra.load_repo(sample, cache=cache_dir)
    written = set(_entries(cache_dir))
    monkeypatch.setattr(cache_module, "_fingerprint", b"format=0;meshroute_analysis=0.0.0")
    store = LoadCache(cache_dir)
    for entry in written:
        key = entry.name.removesuffix(".entry")
        assert store.get(entry.parent.parent.name, key, object) is None  # the header names another version
    mra.load_repo(sample, cache=cache_dir)
    assert set(_entries(cache_dir)) > written


def test_a_file_with_aliases_is_not_parse_cached(tmp_path: Path, cache_dir: Path) -> None:
    # What an aliased file gives depends on the repository's alias budget left by the files before it.
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    (repo_dir / "a.yaml").write_text("base: &b {kuma.io/service: web}\nother: *b\n")
    mra.load_repo(repo_dir, cache=cache_dir)
    assert not _entries(cache_dir, "parse")


def test_off_switches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = str(ROOT / "sample_policies" / "clean")
    home = tmp_path / "cache"
    monkeypatch.setenv("MESHROUTE_CACHE_DIR", str(home))
    mra.load_repo(sample)  # the library default: no cache
    assert main(["resolve", sample, "--no-config", "--no-cache"]) == 0
    assert main(["audit", sample, "--no-config", "--no-cache"]) == 0
    monkeypatch.setenv("MESHROUTE_NO_CACHE", "1")
    mra.load_repo(sample, cache=True)
    assert main(["resolve", sample, "--no-config"]) == 0
    assert not home.exists()
    monkeypatch.setenv("MESHROUTE_NO_CACHE", "0")
    assert main(["resolve", sample, "--no-config"]) == 0  # the command line's default is on
    assert _entries(home, "repo")


def test_every_loading_command_takes_no_cache(tmp_path: Path) -> None:
    from meshroute_analysis.cli import build_parser

    parser = build_parser()
    for command in ("audit", "resolve", "report", "diff", "explain", "summary"):
        argv = [command, "x"] + (["--source", "a", "--destination", "b"] if command == "explain" else [])
        assert parser.parse_args([*argv, "--no-cache"]).no_cache is True


def test_where_the_cache_lives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESHROUTE_CACHE_DIR", str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("MESHROUTE_CACHE_DIR")
    if sys.platform in ("darwin", "win32"):
        assert default_cache_dir().name in ("meshroute_analysis", "Cache")
        return
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "meshroute_analysis"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert default_cache_dir() == Path.home() / ".cache" / "meshroute_analysis"


def test_pruning_keeps_the_cache_under_its_bound(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESHROUTE_CACHE_MAX_MB", "0.01")  # about 10 KB
    for sample in SAMPLES:
        mra.load_repo(sample, cache=cache_dir)
    total = sum(p.stat().st_size for p in _entries(cache_dir))
    assert total <= 0.01 * 1024 * 1024
    stale = cache_dir / "repo" / "ab" / ".abandoned.tmp"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"half")
    os.utime(stale, (1, 1))
    LoadCache(cache_dir).prune()
    assert not stale.exists()


def test_concurrent_writers_leave_a_sound_entry(cache_dir: Path) -> None:
    content = mra.load_repo(ROOT / "sample_policies" / "kuma-demo").content
    store = LoadCache(cache_dir)
    key = "cd" * 20
    threads = [threading.Thread(target=store.put, args=("repo", key, content)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert LoadCache(cache_dir).get("repo", key, type(content)) == content
    assert not list((cache_dir / "repo").rglob("*.tmp"))
