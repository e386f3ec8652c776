"""Speed never changes an answer: the resolution's frames are pinned, row for row, on seeded synthetic estates
and on the repository's own sample material, at every version profile the oracle labels.

``data/resolve_equivalence.json`` holds, per estate and Kuma version, the shape, dtypes and a SHA-256 of every
row of ``proxies``, ``routes``, ``backends`` and ``ties`` (values made plain: numpy scalars as Python numbers,
file paths relative to the estate).  It was generated before the #13 per-signature resolve work (commit
c735ca4), with::

    PYTHONPATH=<checkout> python tests/resolve/test_resolve_equivalence.py --write

Regenerate it only for a change that means to change answers, and say so in the commit.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

if __package__ in (None, ""):  # run as a script (--write): make ``tests`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.audit.test_audit_equivalence import ESTATES, SAMPLES, _load_synth
else:
    from ..audit.test_audit_equivalence import ESTATES, SAMPLES, _load_synth

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data" / "resolve_equivalence.json"
VERSIONS = ("2.5", "2.7", "2.13", "2.14")
FRAMES = ("proxies", "routes", "backends", "ties")


def _plain(value: Any, prefix: str) -> Any:
    """A cell as JSON can say it, the same whichever container or scalar type holds it."""
    if isinstance(value, str):
        return value.replace(prefix, "")
    if isinstance(value, dict):
        return [[_plain(k, prefix), _plain(v, prefix)] for k, v in value.items()]
    if isinstance(value, (tuple, list)):
        return [_plain(v, prefix) for v in value]
    if hasattr(value, "item") and not isinstance(value, (bool, int, float)):
        return value.item()  # numpy scalars
    if isinstance(value, float):
        return repr(value)  # exact, and NaN stays comparable
    return value


def _digest(frame: Any, root: Path) -> dict[str, Any]:
    prefix = str(root) + "/"
    rows = [[_plain(v, prefix) for v in row] for row in frame.itertuples(index=False, name=None)]
    text = json.dumps(rows, ensure_ascii=False, default=str)
    return {
        "rows": len(rows),
        "columns": [f"{c}:{t}" for c, t in frame.dtypes.astype(str).items()],
        "digest": hashlib.sha256(text.encode()).hexdigest(),
    }


def _resolve_dir(path: Path, version: str) -> dict[str, Any]:
    import meshroute_analysis as mra

    res = mra.resolve(mra.load_repo(str(path)), kuma_version=version)
    return {name: _digest(getattr(res, name), path) for name in FRAMES}


def _cases() -> Iterator[tuple[str, str]]:
    for name in ESTATES:
        for v in VERSIONS:
            yield f"synth/{name}", v
    for name in SAMPLES:
        for v in VERSIONS:
            yield f"sample/{name}", v


_SYNTH_DIRS: dict[str, Path] = {}


def compute(key: str, version: str, workdir: Path) -> dict[str, Any]:
    kind, name = key.split("/", 1)
    if kind == "sample":
        return _resolve_dir(ROOT / "sample_policies" / name, version)
    if name not in _SYNTH_DIRS:
        out = workdir / name
        _load_synth().generate(out, **ESTATES[name])
        _SYNTH_DIRS[name] = out
    return _resolve_dir(_SYNTH_DIRS[name], version)


@pytest.fixture(scope="module")
def pinned() -> dict[str, Any]:
    return json.loads(DATA.read_text())


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("estates")


@pytest.mark.parametrize(("key", "version"), list(_cases()), ids=[f"{k}@{v}" for k, v in _cases()])
def test_frames_are_unchanged(key: str, version: str, pinned: dict[str, Any], workdir: Path) -> None:
    expected = pinned[f"{key}@{version}"]
    got = compute(key, version, workdir)
    differing = [name for name in FRAMES if got[name] != expected[name]]
    assert not differing, (f"{key} at Kuma {version}: frames {differing} differ from the pinned ones "
                           f"({[(got[n]['rows'], expected[n]['rows']) for n in differing]} rows)")


def test_every_case_is_pinned(pinned: dict[str, Any]) -> None:
    assert sorted(pinned) == sorted(f"{k}@{v}" for k, v in _cases())


def test_the_digest_sees_a_changed_share(workdir: Path) -> None:
    """The pin is not blind: one share nudged in the last place changes the backends digest."""
    import meshroute_analysis as mra

    compute("synth/universal-seed1", "2.5", workdir)
    path = _SYNTH_DIRS["universal-seed1"]
    backends = mra.resolve(mra.load_repo(str(path))).backends.copy()
    before = _digest(backends, path)["digest"]
    backends.loc[backends.index[-1], "share"] = float(backends["share"].iloc[-1]) + 1e-12
    assert _digest(backends, path)["digest"] != before


def _write() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = {f"{k}@{v}": compute(k, v, Path(tmp)) for k, v in _cases()}
    DATA.parent.mkdir(exist_ok=True)
    DATA.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(out)} entries to {DATA}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: test_resolve_equivalence.py --write")
    _write()


@pytest.mark.parametrize(("n", "bound"), [(0, 5), (1, 1), (1000, 50), (1000, 100_000), (50_000, 3_000)])
def test_first_met_is_numpys_unique(n: int, bound: int) -> None:
    """The frames find each decision's first pair with a table when the keys are dense, a sort otherwise:
    both give what ``np.unique`` gives."""
    import numpy as np

    from meshroute_analysis.resolve.tables import _first_met

    keys = np.random.default_rng(n + bound).integers(0, bound, n)
    expected = np.unique(keys, return_index=True, return_inverse=True)
    for got, want in zip(_first_met(keys, bound), expected):
        assert np.array_equal(got, want.reshape(-1))
