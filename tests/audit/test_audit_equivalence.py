"""Speed never changes an answer: the audit's findings are pinned, byte for byte, on seeded synthetic estates
and on the repository's own sample material.

``data/audit_equivalence.json`` holds, per estate and Kuma version, the number of findings, what was
suppressed, a SHA-256 of every row (all columns, in frame order, with the dtypes) and, to say where a
difference is, the count and digest per code.  It was generated from the audit as it was before the
#13 speed work (commit 90d7498), with::

    PYTHONPATH=<checkout of 90d7498> python tests/audit/test_audit_equivalence.py --write

Regenerate it only for a change that means to change findings, and say so in the commit.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data" / "audit_equivalence.json"
VERSIONS = ("2.5", "2.6", "2.7")

#: Seeded synthetic estates (benchmarks/synth.py): every format, sparse and dense in policies.
ESTATES: dict[str, dict[str, Any]] = {
    "universal-seed1": dict(services=15, versions=3, replicas=3, policies=80, seed=1, fmt="universal"),
    "kubernetes-seed2": dict(services=15, versions=3, replicas=2, policies=80, seed=2, fmt="kubernetes"),
    "mixed-seed3": dict(services=24, versions=3, replicas=2, policies=100, seed=3, fmt="mixed"),
    "mixed-dense-seed4": dict(services=8, versions=4, replicas=2, policies=160, seed=4, fmt="mixed"),
}
#: The hand-written repositories (every rule fires somewhere in them).
SAMPLES = sorted(p.name for p in (ROOT / "sample_policies").iterdir() if p.is_dir())
CORPUS = ("kuma-demo", "kuma-docs-examples", "realworld")
#: Resolver cases (``resources`` written as one Universal file), audited at the case's own version.
CASE_FILES = sorted(f"{d}/{p.name}" for d in ("cases", "conformance_cases") for p in (ROOT / "tests" / d).glob("*.yaml"))


def _load_synth() -> ModuleType:
    if "synth" in sys.modules:
        return sys.modules["synth"]
    spec = importlib.util.spec_from_file_location("synth", ROOT / "benchmarks" / "synth.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["synth"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _sha(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, default=str).encode()).hexdigest()


def summarise(frame: Any, root: Path) -> dict[str, Any]:
    """What is pinned of one findings frame: file paths are made relative to ``root``."""
    prefix = str(root) + "/"
    rows = []
    for row in frame.itertuples(index=False, name=None):
        row = list(row)
        row = [v.replace(prefix, "") if isinstance(v, str) else v for v in row]
        rows.append([None if v is None else (int(v) if type(v).__name__ in ("int64", "Int64") else v) for v in row])
    codes: dict[str, list[Any]] = {}
    for code in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == code]
        codes[code] = [len(mine), _sha(mine)]
    return {
        "rows": len(rows),
        "suppressed": frame.attrs.get("suppressed"),
        "columns": [f"{c}:{t}" for c, t in frame.dtypes.astype(str).items()],
        "digest": _sha(rows),
        "codes": codes,
    }


def _audit_dir(path: Path, version: str, root: Path) -> dict[str, Any]:
    import meshroute_analysis as mra

    repo = mra.load_repo(str(path))
    return summarise(mra.audit(repo, kuma_version=version), root)


def _cases() -> Iterator[tuple[str, str]]:
    for name in ESTATES:
        for v in VERSIONS:
            yield f"synth/{name}", v
    for name in SAMPLES:
        for v in VERSIONS:
            yield f"sample/{name}", v
    for name in CORPUS:
        for v in VERSIONS:
            yield f"corpus/{name}", v
    for name in CASE_FILES:
        yield f"case/{name}", _case(name)["kuma_version"]


def _case(name: str) -> dict[str, Any]:
    import yaml

    return yaml.safe_load((ROOT / "tests" / name).read_text())


_SYNTH_DIRS: dict[str, Path] = {}


def compute(key: str, version: str, workdir: Path) -> dict[str, Any]:
    kind, name = key.split("/", 1)
    if kind == "synth":
        if name not in _SYNTH_DIRS:
            out = workdir / name
            _load_synth().generate(out, **ESTATES[name])
            _SYNTH_DIRS[name] = out
        return _audit_dir(_SYNTH_DIRS[name], version, _SYNTH_DIRS[name])
    if kind == "sample":
        return _audit_dir(ROOT / "sample_policies" / name, version, ROOT)
    if kind == "corpus":
        return _audit_dir(ROOT / "tests" / "corpus_sample" / name, version, ROOT)
    import yaml

    out = workdir / "cases" / name
    out.mkdir(parents=True, exist_ok=True)
    (out / "world.yaml").write_text(yaml.safe_dump_all(_case(name)["resources"], sort_keys=False))
    return _audit_dir(out, version, out)


@pytest.fixture(scope="module")
def pinned() -> dict[str, Any]:
    return json.loads(DATA.read_text())


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("estates")


@pytest.mark.parametrize(("key", "version"), list(_cases()), ids=[f"{k}@{v}" for k, v in _cases()])
def test_findings_are_unchanged(key: str, version: str, pinned: dict[str, Any], workdir: Path) -> None:
    expected = pinned[f"{key}@{version}"]
    got = compute(key, version, workdir)
    if got != expected:
        differing = sorted(c for c in set(got["codes"]) | set(expected["codes"])
                           if got["codes"].get(c) != expected["codes"].get(c))
        pytest.fail(f"{key} at Kuma {version}: findings differ from the pinned ones (codes {differing}; "
                    f"rows {got['rows']} vs {expected['rows']})")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("key", [f"synth/{n}" for n in ESTATES] + [f"sample/{n}" for n in SAMPLES])
def test_selection_read_from_the_resolution_is_the_per_group_answer(key: str, version: str, workdir: Path) -> None:
    """The audit reads which groups a policy selects from the resolution; asking ``res.selects`` for every
    (policy, group), as the audit did before, gives the same groups in the same order."""
    import meshroute_analysis as mra
    from meshroute_analysis.audit.context import AuditContext

    kind, name = key.split("/", 1)
    if kind == "synth":
        compute(key, version, workdir)  # writes the estate once
        path = _SYNTH_DIRS[name]
    else:
        path = ROOT / "sample_policies" / name
    repo = mra.load_repo(str(path))
    ctx = AuditContext(repo, kuma_version=version)
    for policy in ctx.policies:
        brute = tuple((s, p) for s, p in ctx._representatives.get(policy.mesh, ()) if ctx.res.selects(policy, p)[0])
        assert ctx.selected(policy) == brute, policy.key


def test_every_case_is_pinned(pinned: dict[str, Any]) -> None:
    assert sorted(pinned) == sorted(f"{k}@{v}" for k, v in _cases())


def _write() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = {f"{k}@{v}": compute(k, v, Path(tmp)) for k, v in _cases()}
    DATA.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} entries to {DATA}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: test_audit_equivalence.py --write")
    _write()
