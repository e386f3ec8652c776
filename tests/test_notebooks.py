"""Every notebook runs top to bottom on a real Jupyter kernel, and is committed without outputs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "python3"


@pytest.fixture(scope="session")
def kernel_name() -> str:
    """The venv's own ``python3`` kernel; installed into ``sys.prefix`` when a fresh venv lacks it."""
    from jupyter_client.kernelspec import KernelSpecManager

    manager = KernelSpecManager()
    spec_dir = Path(sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL
    if not spec_dir.is_dir():
        from ipykernel.kernelspec import install

        install(kernel_name=KERNEL, prefix=sys.prefix)
    spec = manager.get_kernel_spec(KERNEL)
    assert Path(spec.argv[0]).name.startswith("python")
    return KERNEL


def test_the_five_notebooks_exist():
    names = [p.name for p in NOTEBOOKS]
    assert names == ["01-load-and-resolve.ipynb", "02-audit.ipynb", "03-explore.ipynb", "04-review-charts.ipynb",
                     "05-review-a-change.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"


_EXECUTED: dict[Path, object] = {}


def execute(path: Path, kernel_name: str, monkeypatch) -> object:
    """The notebook run top to bottom on a real kernel (once per session; later tests read its outputs)."""
    if path not in _EXECUTED:
        # Agg in the kernel too: no display needed, and charts are drawn exactly as in CI (ecosystem §4.6).
        monkeypatch.setenv("MPLBACKEND", "Agg")
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        nb = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(nb, kernel_name=kernel_name, timeout=120,
                                         resources={"metadata": {"path": str(path.parent)}})
        client.execute()
        _EXECUTED[path] = nb
    return _EXECUTED[path]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, kernel_name: str, monkeypatch):
    nb = execute(path, kernel_name, monkeypatch)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors


def test_executed_explorer_keeps_a_static_image(kernel_name: str, monkeypatch):
    # GitHub and nbconvert's HTML do not run widgets: the explorer's output carries a PNG beside the widget view.
    nb = execute(ROOT / "notebooks" / "03-explore.ipynb", kernel_name, monkeypatch)
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.strip().endswith("\nex"))
    data = [o["data"] for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
    assert data, "the explorer cell shows nothing"
    assert "application/vnd.jupyter.widget-view+json" in data[0]
    import base64

    assert base64.b64decode(data[0]["image/png"])[:4] == b"\x89PNG"


def test_audit_notebook_shows_findings(kernel_name: str, monkeypatch):
    nb = execute(ROOT / "notebooks" / "02-audit.ipynb", kernel_name, monkeypatch)
    text = "".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", ""))
                   for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    for code in ("MRA301", "MRA304", "MRA401"):  # by code, the traffic findings and a pair's explanation
        assert code in text
