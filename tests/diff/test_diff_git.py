"""``mra.diff_revisions``: two commits of a git repository, and the working tree; parsed once."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import meshroute_analysis as mra
import meshroute_analysis.repo as repo_module

SAMPLE = Path(__file__).resolve().parents[2] / "sample_policies" / "canary-review"


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=cwd,
                          check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Commit 1: the sample's before side; commit 2: its after side, with the inventory moved and the
    Universal inventory reformatted (comments and key order), which must not count as a change."""
    repo = tmp_path / "repo"
    policies = repo / "policies"
    shutil.copytree(SAMPLE / "before", policies)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "before")
    for form in ("kubernetes", "universal"):
        shutil.copy(SAMPLE / "after" / form / "routes.yaml", policies / form / "routes.yaml")
    (policies / "kubernetes" / "inventory.yaml").rename(policies / "kubernetes" / "workloads.yaml")
    text = (policies / "universal" / "inventory.yaml").read_text()
    (policies / "universal" / "inventory.yaml").write_text("# reformatted\n" + text.replace("type: Dataplane\nname:", "# a proxy\ntype: Dataplane\nname:"))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "after")
    return repo


def test_two_commits(history: Path) -> None:
    d = mra.diff_revisions(history / "policies", base="HEAD~1", head="HEAD")
    assert d.labels == (f"{history / 'policies'} @ HEAD~1", f"{history / 'policies'} @ HEAD")
    assert len(d.pairs) == 7 and set(d.pairs["change"]) == {"changed"}
    assert sorted(d.policies["change"]) == ["added", "added", "modified", "modified"]
    assert sorted(d.introduced["code"]) == ["MRA401", "MRA401", "MRA902", "MRA902"]
    assert d.fixed.empty and d.findings["state"].eq("introduced").all()
    assert d.compared_meshes == ("shop", "shop-k8s")


def test_head_none_is_the_working_tree(history: Path) -> None:
    routes = history / "policies" / "universal" / "routes.yaml"
    routes.write_text(routes.read_text().replace("weight: 50}", "weight: 75}", 1))  # not committed
    d = mra.diff_revisions(history / "policies", base="HEAD")
    assert d.labels[1] == str(history / "policies")
    assert d.compared_meshes == ("shop",)  # the Kubernetes mesh is the same bytes: not even resolved
    row = d.backends.iloc[0]
    assert (row["backend"], row["share_before"], row["share_after"]) == ("backend{version=v1}", 0.5, 0.6)
    assert len(d.pairs) == 1
    assert _git(history, "status", "--porcelain") == " M policies/universal/routes.yaml\n"  # nothing written


def test_same_revision_twice_is_empty_and_parses_each_file_once(history: Path, monkeypatch) -> None:
    parsed: list[int] = []
    real = repo_module.iter_documents

    def counting(text: str, *args):
        parsed.append(len(text))
        return real(text, *args)

    monkeypatch.setattr(repo_module, "iter_documents", counting)
    d = mra.diff_revisions(history / "policies", base="HEAD", head="HEAD")
    assert len(parsed) == 4  # four files, each parsed once although both sides read them
    assert d.is_empty and d.compared_meshes == ()
    parsed.clear()
    mra.diff_revisions(history / "policies", base="HEAD~1", head="HEAD")
    # before: 4 files; after: the two routes.yaml and the reformatted inventory are new bytes, the moved
    # Kubernetes inventory is the same bytes at a new path (normalised again, not parsed).
    assert len(parsed) == 4 + 3


def test_unknown_revision_and_rev_option(history: Path) -> None:
    with pytest.raises(mra.InputError, match="unknown git revision 'nope'"):
        mra.diff_revisions(history / "policies", base="nope")
    with pytest.raises(mra.UsageError, match="rev="):
        mra.diff_revisions(history / "policies", base="HEAD", rev="HEAD")
