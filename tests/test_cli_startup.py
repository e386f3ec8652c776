"""``meshroute --help`` stays light: building the parser imports neither pandas nor matplotlib (nor numpy or
PyYAML), and ``import meshroute_analysis`` imports no pandas until a name that needs it is used.

Behaviour, not timing: each check runs a fresh interpreter and looks at ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "matplotlib", "yaml", "ipywidgets")


def _modules_after(code: str) -> set[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return {m.split(".")[0] for m in json.loads(proc.stdout.strip().splitlines()[-1])}


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["audit", "--help"], ["diff", "--help"], ["report", "--help"]])
def test_help_imports_no_heavy_library(argv: list[str]) -> None:
    loaded = _modules_after(
        "import contextlib, io\n"
        "from meshroute_analysis.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n    assert main({argv!r}, stdout=io.StringIO()) == 0\n"
    )
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_importing_the_package_imports_no_pandas() -> None:
    loaded = _modules_after("import meshroute_analysis, meshroute_analysis.cli\nassert meshroute_analysis.__version__")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_public_names_load_on_first_use() -> None:
    loaded = _modules_after(
        "import meshroute_analysis as mra\n"
        "from meshroute_analysis.audit.run import audit\n"
        "from meshroute_analysis.diff.result import diff\n"
        "from meshroute_analysis.resolve.resolution import resolve\n"
        "import meshroute_analysis.audit.context\n"  # binds the subpackage: mra.audit must stay the function
        "assert mra.audit is audit and mra.diff is diff and mra.resolve is resolve, (mra.audit, mra.diff, mra.resolve)\n"
        "assert callable(mra.load_repo) and mra.PolicyRepo.__name__ == 'PolicyRepo'\n"
        "assert sorted(n for n in mra.__all__ if not hasattr(mra, n)) == []\n"
    )
    assert "pandas" in loaded
