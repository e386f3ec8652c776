"""Loading a git revision: tracked files of that commit, working tree untouched."""

from __future__ import annotations

import subprocess

import pytest

import meshroute_analysis as mra

V1 = "type: MeshTCPRoute\nname: r\nmesh: default\nspec:\n  targetRef: {kind: Mesh}\n  to:\n  - targetRef: {kind: MeshService, name: b}\n    rules:\n    - default:\n        backendRefs:\n        - {kind: MeshService, name: b, weight: 1}\n"


def _git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def history(tmp_path):
    repo = tmp_path / "repo"
    (repo / "policies").mkdir(parents=True)
    _git(repo, "init", "-q")
    (repo / "policies" / "r.yaml").write_text(V1)
    (repo / "policies" / ".hidden.yaml").write_text(V1.replace("name: r", "name: hidden"))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    (repo / "policies" / "r.yaml").write_text(V1.replace("weight: 1", "weight: 7"))
    (repo / "policies" / "new.yaml").write_text(V1.replace("name: r", "name: untracked"))
    _git(repo, "commit", "-qam", "two")
    return repo


def test_revision_is_read_from_git_not_the_working_tree(history):
    policies = history / "policies"
    (policies / "r.yaml").write_text("this: [is broken")  # a dirty working tree must not matter
    old = mra.load_repo(policies, rev="HEAD~1")
    assert list(old.backends.weight) == [1]
    new = mra.load_repo(policies, rev="HEAD")
    assert list(new.backends.weight) == [7]
    assert list(new.policies.name) == ["r"]  # untracked and hidden files are not in the revision's listing
    assert old.documents.file.iloc[0] == str(policies / "r.yaml")
    assert (policies / "r.yaml").read_text() == "this: [is broken"


def test_single_file_at_a_revision(history):
    repo = mra.load_repo(history / "policies" / "r.yaml", rev="HEAD~1")
    assert list(repo.backends.weight) == [1]


def test_unknown_revision_is_an_input_error(history):
    with pytest.raises(mra.InputError, match="git"):
        mra.load_repo(history / "policies", rev="no-such-rev")


def test_path_outside_a_git_repository_is_an_input_error(tmp_path):
    (tmp_path / "plain").mkdir()
    with pytest.raises(mra.InputError):
        mra.load_repo(tmp_path / "plain", rev="HEAD")


def test_path_missing_at_the_revision_is_an_input_error(history):
    (history / "policies" / "later.yaml").write_text(V1)
    with pytest.raises(mra.InputError, match="not in revision HEAD"):
        mra.load_repo(history / "policies" / "later.yaml", rev="HEAD")
    with pytest.raises(mra.InputError, match="unknown git revision 'nope'"):
        mra.load_repo(history / "policies", rev="nope")


def test_stdin_cannot_be_read_at_a_revision():
    with pytest.raises(mra.UsageError, match="standard input"):
        mra.load_repo("-", rev="HEAD")


def test_a_revision_loads_its_files_in_the_working_tree_order(tmp_path):
    # git lists "a-2/x" before "a/x" and "a/b/c" before "a/z"; walking a directory gives the opposite, and
    # the order decides which of two definitions of one object is used.
    repo = tmp_path / "repo"
    for i, name in enumerate(["a/z.yaml", "a/b/c.yaml", "a-2/x.yaml", "a/x.yaml", "b.yaml"]):
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(V1.replace("weight: 1", f"weight: {i + 1}"))
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "one")
    tree = mra.load_repo(repo)
    rev = mra.load_repo(repo, rev="HEAD")
    assert list(rev.documents.file) == list(tree.documents.file)
    # kubectl apply -R -f walks like Go's filepath.Walk: a/b/c, a/x, a/z, a-2/x, b: the last (b.yaml) wins.
    assert list(rev.backends.weight) == list(tree.backends.weight) == [5]
