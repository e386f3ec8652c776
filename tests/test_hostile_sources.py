"""Hostile file systems and revisions (issue #14): names git's batch protocol cannot carry, submodules,
symlinks in and out of the repository, an empty revision, unreadable directories and closed standard
streams.  Nothing is missing without a row, and the exit status is the run's own."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import meshroute_analysis as mra
from meshroute_analysis.cli import main

GOOD = "type: MeshTCPRoute\nname: {name}\nmesh: default\nspec:\n  targetRef: {{kind: Mesh}}\n"


def _git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "protocol.file.allow=always",
                    *args], cwd=cwd, check=True, capture_output=True)


def _rows(repo):
    docs = repo.documents
    return {Path(f).name: (s, r) for f, s, r in zip(docs.file, docs.status, docs.reason.fillna(""), strict=True)}


def test_revision_reads_a_file_whose_name_holds_a_newline(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "odd\nname.yaml").write_text(GOOD.format(name="odd"))
    (repo / "plain.yaml").write_text(GOOD.format(name="plain"))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    loaded = mra.load_repo(repo, rev="HEAD")
    assert sorted(loaded.policies.name) == ["odd", "plain"]


def test_revision_reads_symlinks_as_their_target_and_names_submodules(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    _git(inner, "init", "-q")
    (inner / "sub.yaml").write_text(GOOD.format(name="in-submodule"))
    _git(inner, "add", "-A")
    _git(inner, "commit", "-qm", "inner")
    repo = tmp_path / "repo"
    (repo / "policies").mkdir(parents=True)
    _git(repo, "init", "-q")
    (repo / "policies" / "real.yaml").write_text(GOOD.format(name="real"))
    (repo / "data").mkdir()
    (repo / "data" / "kept.txt").write_text(GOOD.format(name="through-link"))  # not walked: .txt
    os.symlink("../data/kept.txt", repo / "policies" / "link.yaml")
    os.symlink("/etc/hostname", repo / "policies" / "outside.yaml")
    _git(repo, "submodule", "add", "-q", str(inner), "policies/vendored")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    loaded = mra.load_repo(repo / "policies", rev="HEAD")
    rows = _rows(loaded)
    assert rows["link.yaml"][0] == "loaded" and rows["real.yaml"][0] == "loaded"
    assert sorted(loaded.policies.name) == ["real", "through-link"]
    assert rows["outside.yaml"][0] == "skipped" and "outside the repository" in rows["outside.yaml"][1]
    assert rows["vendored"][0] == "skipped" and "submodule" in rows["vendored"][1]
    # The working tree: the submodule's files are read, the link out of the repository is not.
    here = _rows(mra.load_repo(repo / "policies"))
    assert here["sub.yaml"][0] == "loaded" and here["outside.yaml"][0] == "skipped"


def test_symlinks_out_of_the_repository_are_not_followed_by_default(tmp_path):
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(GOOD.format(name="elsewhere"))
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()  # the repository's root
    (repo / "inside.yaml").write_text(GOOD.format(name="inside"))
    os.symlink(outside, repo / "out.yaml")
    os.symlink(repo / "inside.yaml", repo / "in.yaml")
    rows = _rows(mra.load_repo(repo))
    assert rows["out.yaml"] == ("skipped", f"symlink to {outside}, outside the repository {repo.resolve()}: not followed "
                                "(follow_symlinks=True, --follow-symlinks, reads it)")
    assert rows["in.yaml"][0] == "skipped" or rows["in.yaml"][0] == "loaded"  # same object twice: a redefinition
    assert sorted(mra.load_repo(repo, follow_symlinks=True).policies.name) == ["elsewhere", "inside"]
    assert mra.load_repo(repo / "out.yaml").policies.name.tolist() == ["elsewhere"]  # named on purpose: read


def test_empty_revision_is_a_usage_error_not_the_working_tree(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD.format(name="a"))
    with pytest.raises(mra.UsageError, match="needs a git revision"):
        mra.load_repo(tmp_path, rev="")
    assert main(["audit", str(tmp_path), "--rev", ""], stdout=io.StringIO(), stderr=io.StringIO()) == 64
    assert main(["audit", str(tmp_path), "--base", ""], stdout=io.StringIO(), stderr=io.StringIO()) == 64


def _as_nobody(fn) -> int:
    """Run ``fn`` in a child process that has dropped root (root may enter any directory)."""
    import meshroute_analysis.audit  # noqa: F401 - loaded before the child loses the right to read them
    import meshroute_analysis.repo  # noqa: F401
    import meshroute_analysis.resolve  # noqa: F401

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            if os.getuid() == 0:
                os.setgid(65534)
                os.setuid(65534)
            code = fn()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_path_inside_an_unreadable_directory_is_exit_65():
    top = Path(tempfile.mkdtemp())
    try:
        top.chmod(0o755)
        locked = top / "locked"
        locked.mkdir()
        (locked / "x.yaml").write_text(GOOD.format(name="x"))
        locked.chmod(0o000)
        for target in (locked / "x.yaml", locked):
            code = _as_nobody(lambda t=target: main(["audit", str(t)], stdout=io.StringIO(), stderr=io.StringIO()))
            assert code == 65, target
    finally:
        (top / "locked").chmod(0o755)
        subprocess.run(["rm", "-rf", str(top)], check=False)


@pytest.mark.parametrize("closed", ["<&-", ">&-", "2>&-", "<&- >&- 2>&-"])
def test_closed_standard_streams_keep_the_exit_status(tmp_path, closed):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [\n")
    path = "-" if closed.startswith("<") else str(bad)
    code = f"from meshroute_analysis.cli import run; run()"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(f"{sys.executable} -c '{code}' audit {path} {closed}", shell=True, env=env, check=False,
                          capture_output=False, stdin=subprocess.DEVNULL if "<" not in closed else None)
    assert done.returncode == 65
    assert bad.read_text() == "a: [\n"  # nothing written into an input file that took a closed stream's number
