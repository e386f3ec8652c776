"""Shared fixtures: where the shared reference material lives, and a helper to write repositories.

``../shared/`` (next to the repository) holds the full conformance cases and corpus.  A fresh clone has no
``../shared/``: the tests that need it then skip, and the project's own copies (``tests/conformance_cases/``,
``tests/corpus_sample/``) still run.  CI sets ``MESHROUTE_REQUIRE_SHARED=1`` (``.ci/run``), under which a
missing ``../shared/`` fails those tests instead: CI must never pass with the full material unchecked.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
#: Set to 1 (CI does) to make a missing ../shared a failure instead of a skip.
REQUIRE_SHARED_ENV = "MESHROUTE_REQUIRE_SHARED"
#: The project's own copies of shared material, so that a fresh clone runs them too.
CONFORMANCE_COPIES = ROOT / "tests" / "conformance_cases"
CORPUS_SAMPLE = ROOT / "tests" / "corpus_sample"


def shared_required() -> bool:
    return os.environ.get(REQUIRE_SHARED_ENV, "").strip() not in ("", "0")


def require_shared(relative: str) -> Path:
    """``../shared/<relative>``, or skip the calling test when it is missing (fail under CI's
    ``MESHROUTE_REQUIRE_SHARED=1``)."""
    path = SHARED / relative
    if path.exists():
        return path
    message = f"the shared reference material is missing: expected {path} next to the repository"
    if shared_required():
        pytest.fail(f"{message} ({REQUIRE_SHARED_ENV}=1 requires it)", pytrace=False)
    pytest.skip(f"{message}; the project's own copies ran instead (set {REQUIRE_SHARED_ENV}=1 to fail)")


def shared_files(relative: str, pattern: str) -> list[Path]:
    """The files of ``../shared/<relative>`` matching ``pattern``, or [] when the folder is missing (tests
    parametrised over them then add :func:`require_shared` checks of their own)."""
    folder = SHARED / relative
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


_cache_dirs = iter(range(1_000_000))


@pytest.fixture(autouse=True)
def _own_load_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets a cache directory of its own (never created unless written), so that nothing the
    suite runs writes to the user's real ~/.cache, and no test sees what another one cached (a test that
    patches the parser must see it run).  CLI runs, in process or as subprocesses, inherit it."""
    monkeypatch.setenv("MESHROUTE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "meshroute-cache" / str(next(_cache_dirs))))
    monkeypatch.delenv("MESHROUTE_NO_CACHE", raising=False)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write("a/b.yaml", text)`` writes dedented text below tmp_path and returns the file's path."""

    def _write(relative: str, text: str | bytes) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    return _write
